//! Choosing the answer to one action: authentication, scripted answers, the
//! built-in actions, then the generic answer for every catalog action.

use super::answer::{Answer, Followup};
use super::asyncagi;
use super::auth::{self, Auth};
use super::call::Originate;
use super::mask::EventMask;
use super::reply::{Reply, ReplyKind, render_list};
use super::shared::{SessionState, Shared, lock};
use super::wire::{Block, timestamp};
use asterisk_sdk_runtime::ami::{ActionInfo, Message};
use std::sync::atomic::Ordering;

/// Ack message of a list answer that has no built-in text.
const LIST_ACK: &str = "Events will follow";

/// Answer one action received on a session.
pub(crate) fn answer(
    shared: &Shared,
    auth: &mut Auth,
    state: &SessionState,
    action: &Message,
) -> Answer {
    shared.record(action);
    let id = action.action_id();
    let name = match action.get("Action").map(str::trim) {
        Some(n) if !n.is_empty() => n,
        _ => return Answer::error(id, "Missing action in request"),
    };
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "login" => return auth::login(shared, auth, state, action),
        "challenge" => return auth::challenge(auth, action),
        "logoff" => {
            let block =
                Block::response("Goodbye", id).header("Message", "Thanks for all the fish.");
            return Answer::block(block).then_close();
        }
        _ => {}
    }
    if !state.logged_in.load(Ordering::Acquire) {
        return Answer::error(id, "Permission denied");
    }
    let info = shared.config.catalog.get(name).copied();
    if let Some(missing) = info.as_ref().and_then(|i| missing_required(i, action)) {
        return Answer::error(id, &format!("Missing required header: {missing}"));
    }
    if let Some(handler) = shared.handler(name) {
        return scripted(handler(action), info.as_ref(), name, id);
    }
    if let Some(a) = builtin(shared, state, &lower, action) {
        return a;
    }
    match info {
        None => Answer::error(
            id,
            &format!(
                "Invalid/unknown command: {name}. Use Action: ListCommands to show available commands."
            ),
        ),
        Some(info) if info.no_response => no_response(),
        Some(info) => match info.list_complete {
            Some(complete) => list(&[], complete, LIST_ACK, &[], id, info.unkeyed_list_items),
            None => Answer::block(typed_success(shared, &info, action)),
        },
    }
}

/// What Asterisk writes for an action it answers without `Response:`
/// (IAXnetstats with no call up): one bare empty line.
fn no_response() -> Answer {
    Answer {
        raw: Some(bytes::Bytes::from_static(b"\r\n")),
        ..Answer::default()
    }
}

/// `Response: Success` with the headers the action's C handler appends (the
/// catalog's `response_fields`), set to the catalog's example values, except
/// that a header the action itself sent echoes its value (Getvar's `Variable`,
/// ExtensionState's `Exten`) and `AsteriskVersion` is the emulated release.
fn typed_success(shared: &Shared, info: &ActionInfo, action: &Message) -> Block {
    let mut b = Block::response("Success", action.action_id());
    let fields = info.response_fields.iter().zip(info.response_examples);
    for (header, example) in fields {
        match *header {
            "*" => match example.split_once(": ") {
                Some((name, value)) => b.push(name, value),
                None => b.push("Example", example),
            },
            "AsteriskVersion" => b.push(header, &shared.config.asterisk_version),
            _ if !header.eq_ignore_ascii_case("ActionID") && action.get(header).is_some() => {
                b.push(header, action.get(header).unwrap_or(example))
            }
            prefix if prefix.ends_with('-') => b.push(&format!("{prefix}000000"), example),
            _ => b.push(header, example),
        }
    }
    b
}

/// The first required header (other than ActionID) the action lacks.
fn missing_required(info: &ActionInfo, action: &Message) -> Option<&'static str> {
    info.required
        .iter()
        .copied()
        .filter(|r| !r.eq_ignore_ascii_case("ActionID"))
        .find(|r| action.get_bytes(r).is_none())
}

fn list(
    items: &[Message],
    complete: &str,
    ack: &str,
    extra: &[(String, String)],
    id: Option<&str>,
    unkeyed_items: bool,
) -> Answer {
    Answer {
        blocks: render_list(items, complete, ack, extra, id, unkeyed_items),
        is_list: true,
        ..Answer::default()
    }
}

/// Render a scripted reply.
fn scripted(reply: Reply, info: Option<&ActionInfo>, name: &str, id: Option<&str>) -> Answer {
    let mut answer = match reply.kind {
        ReplyKind::Response { status, headers } => {
            let block = Block::response(&status, id)
                .pairs(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            Answer::block(block)
        }
        ReplyKind::List {
            items,
            complete_headers,
        } => {
            let complete = info
                .and_then(|i| i.list_complete)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{name}Complete"));
            let unkeyed = info.is_some_and(|i| i.unkeyed_list_items);
            list(&items, &complete, LIST_ACK, &complete_headers, id, unkeyed)
        }
        ReplyKind::Raw(bytes) => Answer {
            raw: Some(bytes),
            ..Answer::default()
        },
        ReplyKind::Silent => Answer::default(),
    };
    answer.close = reply.close;
    answer
}

/// Actions with built-in behaviour.
fn builtin(shared: &Shared, state: &SessionState, lower: &str, action: &Message) -> Option<Answer> {
    let id = action.action_id();
    let get = |h: &str| action.get(h).unwrap_or("").trim();
    Some(match lower {
        "ping" => Answer::block(
            Block::response("Success", id)
                .header("Ping", "Pong")
                .header("Timestamp", &timestamp()),
        ),
        "events" => {
            let mask = EventMask::parse(get("EventMask"));
            state.mask.store(mask.bits(), Ordering::Relaxed);
            let on = if mask.is_off() { "Off" } else { "On" };
            Answer::block(Block::response("Success", id).header("Events", on))
        }
        "filter" => Answer::ack(id, "Filter Added Successfully"),
        // The headers of action_coresettings() in main/manager.c.
        "coresettings" => Answer::block(
            Block::response("Success", id)
                .header("AMIversion", &shared.config.ami_version)
                .header("AsteriskVersion", &shared.config.asterisk_version)
                .header("SystemName", "")
                .header("CoreMaxCalls", "0")
                .header("CoreMaxLoadAvg", "0.000000")
                .header("CoreRunUser", "asterisk")
                .header("CoreRunGroup", "asterisk")
                .header("CoreMaxFilehandles", "0")
                .header("CoreRealTimeEnabled", "No")
                .header("CoreCDRenabled", "Yes")
                .header("CoreHTTPenabled", "Yes")
                .header("SoundsSearchCustomDir", "No"),
        ),
        "command" => command(shared, get("Command"), id),
        "originate" => match Originate::from_action(action) {
            Ok(o) => Answer::ack(id, "Originate successfully queued").then(Followup::Originate(o)),
            Err(msg) => Answer::error(id, msg),
        },
        "coreshowchannels" => {
            let items: Vec<Message> = lock(&shared.channels)
                .all()
                .iter()
                .map(|ch| {
                    let mut b = Block::new().header("Event", "CoreShowChannel");
                    ch.snapshot("", &mut b);
                    let b = b
                        .header("Application", &ch.application)
                        .header("ApplicationData", &ch.data)
                        .header("Duration", &ch.duration())
                        .header("BridgeId", "");
                    Message::parse(b.finish())
                })
                .collect();
            list(
                &items,
                "CoreShowChannelsComplete",
                "Channels will follow",
                &[],
                id,
                false,
            )
        }
        "hangup" => {
            let channels = lock(&shared.channels);
            match channels.get(get("Channel")) {
                Some(ch) => {
                    ch.hangup.request(get("Cause").parse().ok());
                    Answer::ack(id, "Channel Hungup")
                }
                None => Answer::error(id, "No such channel"),
            }
        }
        "agi" => {
            let channel = get("Channel");
            match asyncagi::accept(shared, channel) {
                Ok(()) => Answer::ack(id, "Added AGI command to queue").then(Followup::AgiExec {
                    channel: channel.to_owned(),
                    command: get("Command").to_owned(),
                    command_id: action.get("CommandID").map(str::to_owned),
                }),
                Err(msg) => Answer::error(id, &msg),
            }
        }
        "userevent" => {
            let mut b = Block::new()
                .header("Event", "UserEvent")
                .header("Privilege", "user,all")
                .header("UserEvent", get("UserEvent"));
            for h in action.headers() {
                if !h.name.eq_ignore_ascii_case("Action")
                    && !h.name.eq_ignore_ascii_case("UserEvent")
                {
                    b.push(h.name, &String::from_utf8_lossy(h.value));
                }
            }
            let event = Followup::Broadcast(b.finish(), EventMask::of_privilege("user"));
            Answer::ack(id, "Event Sent").then(event)
        }
        _ => return None,
    })
}

/// `Action: Command`: output lines as `Output:` headers (Asterisk 14+ form).
fn command(shared: &Shared, cmd: &str, id: Option<&str>) -> Answer {
    let builtin_version;
    let (status, lines): (&str, &[String]) = match shared.config.command_outputs.get(cmd) {
        Some(lines) => ("Success", lines),
        None if cmd.eq_ignore_ascii_case("core show version") => {
            builtin_version = [format!(
                "Asterisk {} built by asterisk-sdk-mock",
                shared.config.asterisk_version
            )];
            ("Success", &builtin_version)
        }
        None => {
            builtin_version = [format!(
                "No such command '{cmd}' (type 'core show help {cmd}' for other possible commands)"
            )];
            ("Error", &builtin_version)
        }
    };
    let mut b = Block::response(status, id).header("Message", "Command output follows");
    for line in lines {
        b.push("Output", line);
    }
    Answer::block(b)
}
