//! Simulated calls started by `Action: Originate`: the channels appear, answer,
//! run for a while and hang up, with the events a real Asterisk sends for that
//! (modelled on the capture of an Originate into `Wait(2)`), fresh ids each time
//! unless the action sets `ChannelId` / `OtherChannelId`. An Originate to a
//! channel scripted to fail ([`MockAmi::fail_originates`](super::MockAmi::fail_originates))
//! dials, hangs up with the scripted cause and answers `OriginateResponse` with
//! `Response: Failure`, as `fast_originate()` in main/manager.c does.

use super::channels::{Channel, HangupCue, cause_text};
use super::mask::EventMask;
use super::shared::{Shared, lock};
use super::wire::Block;
use asterisk_sdk_runtime::ami::Message;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an Originate asked for.
#[derive(Debug, Clone)]
pub(crate) struct Originate {
    tech: String,
    resource: String,
    context: String,
    exten: String,
    application: Option<String>,
    data: String,
    cid_num: String,
    cid_name: String,
    is_async: bool,
    action_id: Option<String>,
    channel_id: Option<String>,
    other_channel_id: Option<String>,
}

/// Split `"Name" <number>` (or a bare number) into number and name.
fn parse_caller_id(s: &str) -> (String, String) {
    match (s.find('<'), s.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let num = s[open + 1..close].trim().to_owned();
            let name = s[..open].trim().trim_matches('"').trim().to_owned();
            (num, name)
        }
        _ => (s.trim().to_owned(), String::new()),
    }
}

fn truthy(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "yes" | "1" | "on")
    )
}

fn non_empty(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl Originate {
    /// Read an Originate action; `Err` carries Asterisk's error message.
    pub(crate) fn from_action(action: &Message) -> Result<Originate, &'static str> {
        let channel = action.get("Channel").unwrap_or("");
        let Some((tech, resource)) = channel
            .split_once('/')
            .filter(|(t, r)| !t.is_empty() && !r.is_empty())
        else {
            return Err("Invalid channel");
        };
        let (cid_num, cid_name) = parse_caller_id(action.get("CallerID").unwrap_or(""));
        let (local_exten, local_context) =
            resource.split_once('@').unwrap_or((resource, "default"));
        let is_local = tech.eq_ignore_ascii_case("Local");
        Ok(Originate {
            tech: tech.to_owned(),
            resource: resource.to_owned(),
            context: action.get("Context").map(str::to_owned).unwrap_or_else(|| {
                if is_local {
                    local_context.to_owned()
                } else {
                    "default".to_owned()
                }
            }),
            exten: action.get("Exten").map(str::to_owned).unwrap_or_else(|| {
                if is_local {
                    local_exten.to_owned()
                } else {
                    "s".to_owned()
                }
            }),
            application: action.get("Application").map(str::to_owned),
            data: action.get("Data").unwrap_or("").to_owned(),
            cid_num,
            cid_name,
            is_async: truthy(action.get("Async")),
            action_id: action.action_id().map(str::to_owned),
            channel_id: non_empty(action.get("ChannelId")),
            other_channel_id: non_empty(action.get("OtherChannelId")),
        })
    }

    fn is_local(&self) -> bool {
        self.tech.eq_ignore_ascii_case("Local")
    }
}

/// An event block for channel `name` (snapshot included), or `None` when the
/// channel is gone.
fn channel_event(
    shared: &Shared,
    event: &str,
    privilege: &str,
    name: &str,
    extra: &[(&str, &str)],
) -> Option<Block> {
    let channels = lock(&shared.channels);
    let ch = channels.get(name)?;
    let mut block = Block::new()
        .header("Event", event)
        .header("Privilege", privilege);
    ch.snapshot("", &mut block);
    Some(block.pairs(extra.iter().copied()))
}

async fn emit(shared: &Shared, block: Option<Block>, privilege: &str) {
    if let Some(b) = block {
        shared
            .broadcast(b.finish(), EventMask::of_privilege(privilege))
            .await;
    }
}

fn set_state(shared: &Shared, name: &str, state: u8) {
    if let Some(ch) = lock(&shared.channels).get_mut(name) {
        ch.state = state;
    }
}

/// Run one call to its end.
pub(crate) async fn run(shared: Arc<Shared>, req: Originate) {
    let channel = format!("{}/{}", req.tech, req.resource);
    let failure = lock(&shared.originate_failures)
        .iter()
        .rev()
        .find(|(prefix, _)| channel.starts_with(prefix.as_str()))
        .map(|(_, cause)| *cause);
    match failure {
        Some(Some(cause)) => return run_failed(shared, req, cause).await,
        Some(None) => return run_unknown_endpoint(&shared, &req).await,
        None => {}
    }
    let hangup = Arc::new(HangupCue::default());
    let (one, two) = {
        let mut channels = lock(&shared.channels);
        let seq = channels.sequence();
        let first_id = req
            .channel_id
            .clone()
            .unwrap_or_else(|| channels.unique_id());
        let base = Channel {
            name: String::new(),
            uniqueid: first_id.clone(),
            linkedid: first_id,
            state: 0,
            context: req.context.clone(),
            exten: req.exten.clone(),
            priority: 1,
            cid_num: req.cid_num.clone(),
            cid_name: req.cid_name.clone(),
            application: req.application.clone().unwrap_or_else(|| "AppDial2".into()),
            data: if req.application.is_some() {
                req.data.clone()
            } else {
                "(Outgoing Line)".into()
            },
            created: Instant::now(),
            hangup: hangup.clone(),
        };
        if req.is_local() {
            let one = Channel {
                name: format!("Local/{}-{seq};1", req.resource),
                ..base.clone()
            };
            let two = Channel {
                name: format!("Local/{}-{seq};2", req.resource),
                uniqueid: req
                    .other_channel_id
                    .clone()
                    .unwrap_or_else(|| channels.unique_id()),
                state: 4,
                application: String::new(),
                data: String::new(),
                ..base
            };
            channels.insert(one.clone());
            channels.insert(two.clone());
            (one, Some(two))
        } else {
            let one = Channel {
                name: format!("{}/{}-{seq}", req.tech, req.resource),
                ..base
            };
            channels.insert(one.clone());
            (one, None)
        }
    };
    let s = &*shared;
    emit(
        s,
        channel_event(s, "Newchannel", "call,all", &one.name, &[]),
        "call",
    )
    .await;
    if let Some(two) = &two {
        emit(
            s,
            channel_event(s, "Newchannel", "call,all", &two.name, &[]),
            "call",
        )
        .await;
    }
    if !req.cid_num.is_empty() {
        let extra = [("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")];
        emit(
            s,
            channel_event(s, "NewCallerid", "call,all", &one.name, &extra),
            "call",
        )
        .await;
    }
    if let Some(two) = &two {
        let mut block = Block::new()
            .header("Event", "LocalBridge")
            .header("Privilege", "call,all");
        {
            let channels = lock(&s.channels);
            if let (Some(a), Some(b)) = (channels.get(&one.name), channels.get(&two.name)) {
                a.snapshot("LocalOne", &mut block);
                b.snapshot("LocalTwo", &mut block);
            }
        }
        let block = block
            .header("Context", &req.context)
            .header("Exten", &req.exten)
            .header("LocalOptimization", "Yes");
        emit(s, Some(block), "call").await;
    }
    emit(
        s,
        dest_event(s, "DialBegin", &one.name, ("DialString", &req.resource)),
        "call",
    )
    .await;
    if let Some(two) = &two {
        set_state(s, &two.name, 6);
        emit(
            s,
            channel_event(s, "Newstate", "call,all", &two.name, &[]),
            "call",
        )
        .await;
    }
    set_state(s, &one.name, 6);
    emit(
        s,
        channel_event(s, "Newstate", "call,all", &one.name, &[]),
        "call",
    )
    .await;
    emit(
        s,
        dest_event(s, "DialEnd", &one.name, ("DialStatus", "ANSWER")),
        "call",
    )
    .await;
    if req.is_async {
        let block = originate_response(&req, &one, "Success", "4");
        emit(s, Some(block), "call").await;
    }

    let length = match &req.application {
        Some(app) if app.eq_ignore_ascii_case("Wait") => req
            .data
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| Duration::from_secs_f64(v.min(86_400.0)))
            .unwrap_or(s.config.call_duration),
        _ => s.config.call_duration,
    };
    tokio::select! {
        _ = tokio::time::sleep(s.config.scaled(length)) => {}
        _ = hangup.requested() => {}
    }

    let code = hangup.cause().unwrap_or(16);
    let code_text = code.to_string();
    let cause = [
        ("Cause", code_text.as_str()),
        ("Cause-txt", cause_text(code)),
    ];
    emit(
        s,
        channel_event(s, "Hangup", "call,all", &one.name, &cause),
        "call",
    )
    .await;
    lock(&s.channels).remove(&one.name);
    if let Some(two) = &two {
        emit(
            s,
            channel_event(
                s,
                "SoftHangupRequest",
                "call,all",
                &two.name,
                &[("Cause", code_text.as_str())],
            ),
            "call",
        )
        .await;
        emit(
            s,
            channel_event(s, "Hangup", "call,all", &two.name, &cause),
            "call",
        )
        .await;
        lock(&s.channels).remove(&two.name);
    }
}

/// The `DialStatus` of the `DialEnd` of a dialled channel that hung up with
/// `cause` before answering: `ast_hangup_cause_to_dial_status()` in
/// main/dial.c (17 busy, 34 congestion, 3 no route and 20 subscriber absent
/// unavailable, anything else no answer). A real channel may instead report
/// `BUSY` or `CONGESTION` from a control frame; the mock always hangs up.
fn dial_status(cause: u16) -> &'static str {
    match cause {
        17 => "BUSY",
        34 => "CONGESTION",
        3 | 20 => "CHANUNAVAIL",
        _ => "NOANSWER",
    }
}

/// The `Reason` of the `OriginateResponse` of a dial that failed with
/// `cause`: the control frame `pbx_dial_reason()` in main/pbx.c picks
/// (5 busy, 8 congestion, 3 ringing, 0 for anything else, 18 included).
fn originate_reason(cause: u16) -> &'static str {
    match cause {
        17 => "5",
        21 | 27 | 34 | 38 | 41 | 42 => "8",
        19 | 26 => "3",
        _ => "0",
    }
}

/// An Originate to an endpoint that does not exist: `ast_request()` fails in
/// `ast_dial_prerun()` (main/dial.c), so no channel and no dial events; only
/// the `OriginateResponse` of `fast_originate()` (main/manager.c), naming the
/// requested channel and the `ChannelId` (or `<unknown>`).
async fn run_unknown_endpoint(shared: &Shared, req: &Originate) {
    if !req.is_async {
        return;
    }
    let requested = Channel {
        name: format!("{}/{}", req.tech, req.resource),
        uniqueid: req
            .channel_id
            .clone()
            .unwrap_or_else(|| "<unknown>".to_owned()),
        linkedid: String::new(),
        state: 0,
        context: req.context.clone(),
        exten: req.exten.clone(),
        priority: 1,
        cid_num: req.cid_num.clone(),
        cid_name: req.cid_name.clone(),
        application: String::new(),
        data: String::new(),
        created: Instant::now(),
        hangup: Arc::new(HangupCue::default()),
    };
    let block = originate_response(req, &requested, "Failure", "0");
    emit(shared, Some(block), "call").await;
}

/// An Originate that fails: the channel is created and dialled, the far end
/// refuses with `cause`, the channel hangs up, then `OriginateResponse` says
/// `Failure` (with the requested channel, not the created one, and the
/// `ChannelId` or `<unknown>` as `Uniqueid`).
async fn run_failed(shared: Arc<Shared>, req: Originate, cause: u16) {
    let s = &*shared;
    let one = {
        let mut channels = lock(&s.channels);
        let seq = channels.sequence();
        let id = req
            .channel_id
            .clone()
            .unwrap_or_else(|| channels.unique_id());
        let one = Channel {
            name: format!("{}/{}-{seq}", req.tech, req.resource),
            uniqueid: id.clone(),
            linkedid: id,
            state: 0,
            context: req.context.clone(),
            exten: req.exten.clone(),
            priority: 1,
            cid_num: req.cid_num.clone(),
            cid_name: req.cid_name.clone(),
            application: "AppDial2".into(),
            data: "(Outgoing Line)".into(),
            created: Instant::now(),
            hangup: Arc::new(HangupCue::default()),
        };
        channels.insert(one.clone());
        one
    };
    let (status, reason) = (dial_status(cause), originate_reason(cause));
    emit(
        s,
        channel_event(s, "Newchannel", "call,all", &one.name, &[]),
        "call",
    )
    .await;
    emit(
        s,
        dest_event(s, "DialBegin", &one.name, ("DialString", &req.resource)),
        "call",
    )
    .await;
    emit(
        s,
        dest_event(s, "DialEnd", &one.name, ("DialStatus", status)),
        "call",
    )
    .await;
    let code = cause.to_string();
    let hangup = [("Cause", code.as_str()), ("Cause-txt", cause_text(cause))];
    emit(
        s,
        channel_event(s, "Hangup", "call,all", &one.name, &hangup),
        "call",
    )
    .await;
    lock(&s.channels).remove(&one.name);
    if req.is_async {
        let requested = Channel {
            name: format!("{}/{}", req.tech, req.resource),
            uniqueid: req
                .channel_id
                .clone()
                .unwrap_or_else(|| "<unknown>".to_owned()),
            ..one
        };
        let block = originate_response(&req, &requested, "Failure", reason);
        emit(s, Some(block), "call").await;
    }
}

/// DialBegin/DialEnd of an originated call: only the `Dest*` block (no caller).
fn dest_event(shared: &Shared, event: &str, name: &str, last: (&str, &str)) -> Option<Block> {
    let channels = lock(&shared.channels);
    let ch = channels.get(name)?;
    let mut block = Block::new()
        .header("Event", event)
        .header("Privilege", "call,all");
    ch.snapshot("Dest", &mut block);
    Some(block.header(last.0, last.1))
}

fn originate_response(req: &Originate, one: &Channel, response: &str, reason: &str) -> Block {
    let block = Block::new()
        .header("Event", "OriginateResponse")
        .header("Privilege", "call,all")
        .opt("ActionID", req.action_id.as_deref())
        .header("Response", response)
        .header("Channel", &one.name);
    let block = match &req.application {
        Some(app) => block.header("Application", app).header("Data", &req.data),
        None => block
            .header("Context", &req.context)
            .header("Exten", &req.exten),
    };
    let unknown = |s: &str| {
        if s.is_empty() {
            "<unknown>".to_owned()
        } else {
            s.to_owned()
        }
    };
    block
        .header("Reason", reason)
        .header("Uniqueid", &one.uniqueid)
        .header("CallerIDNum", &unknown(&req.cid_num))
        .header("CallerIDName", &unknown(&req.cid_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_id_forms() {
        assert_eq!(
            parse_caller_id("\"AMI Test\" <1234>"),
            ("1234".into(), "AMI Test".into())
        );
        assert_eq!(parse_caller_id("5551"), ("5551".into(), String::new()));
    }
}
