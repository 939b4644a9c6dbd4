//! Build a release's `supplement.json` from its C sources and the XML
//! documentation `extract` assembled: action privileges, list actions,
//! undocumented events, extra headers of documented events, wire-name fixes and
//! the AGI result lines.

use super::emits::{self, Kind, Message};
use super::scan::{CFile, Tok};
use super::tree::Tree;
use crate::manifest::{Ami, CHANNEL_SNAPSHOT_FIELDS};
use crate::upstream::supplement::{
    ALL_BROADCAST_KEY, CHANNEL_SNAPSHOT_KEY, ListAction, Supplement, UndocumentedEvent,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Calls that register an AMI action: name, flags and handler are their first three arguments.
const REGISTRATIONS: [&str; 4] = [
    "ast_manager_register_xml",
    "ast_manager_register_xml_core",
    "ast_manager_register2",
    "ast_manager_register",
];

/// One registered action.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The action name.
    pub name: String,
    /// `EVENT_FLAG_*` names of its privilege argument (empty for 0).
    pub flags: Vec<String>,
    /// The handler function's name.
    pub handler: String,
    /// The registering file.
    pub file: String,
}

/// One event name over all its emit sites.
#[derive(Debug, Clone)]
struct EventUnion {
    kind: Kind,
    flags: Vec<String>,
    fields: Vec<String>,
    /// Fields seen in replies to one session (not broadcasts).
    reply_fields: Vec<String>,
    sources: BTreeSet<String>,
}

/// Build the supplement of release `tag` from the scanned tree and the XML's AMI part.
pub fn build(tree: &Tree, xml: &Ami, tag: &str) -> Supplement {
    let perms = perms_table(tree);
    let regs = registrations(tree);
    let relevant = emits::relevant(tree);

    let mut s = Supplement {
        tag: tag.to_string(),
        ..Supplement::default()
    };
    for r in &regs {
        s.action_privileges
            .entry(r.name.clone())
            .or_insert_with(|| privileges(&perms, &r.flags));
    }
    let documented_actions: HashSet<&str> = xml.actions.iter().map(|a| a.name.as_str()).collect();
    for r in &regs {
        if !documented_actions.contains(r.name.as_str()) {
            s.undocumented_actions
                .entry(r.name.clone())
                .or_insert_with(|| serde_json::json!({ "source": r.file, "handler": r.handler }));
        }
    }

    // Every message of every function that can emit.
    let mut events: BTreeMap<String, EventUnion> = BTreeMap::new();
    for file in tree.files.values() {
        for idx in 0..file.functions.len() {
            if !relevant.contains(&(file.path.clone(), idx)) {
                continue;
            }
            for m in emits::walk(tree, &relevant, file, idx).messages {
                add_message(&mut events, m);
            }
        }
    }

    // List actions, from each registered handler's walk.
    for r in &regs {
        if s.list_actions.contains_key(&r.name) {
            continue;
        }
        let Some(reg_file) = tree.files.get(&r.file) else {
            continue;
        };
        let Some((hf, hi)) = tree.resolve(reg_file, &r.handler) else {
            continue;
        };
        let walked = emits::walk(tree, &relevant, hf, hi);
        if let Some((list, named)) = list_action(&walked, xml, &r.name) {
            s.list_actions.insert(r.name.clone(), list);
            for m in named {
                add_message(&mut events, m);
            }
        }
    }
    let completes: HashSet<String> = s
        .list_actions
        .values()
        .filter_map(|l| l.complete_event.clone())
        .collect();

    // Documented names, exact case.
    let documented: HashSet<&str> = xml.events.iter().map(|e| e.name.as_str()).collect();
    for (name, u) in &events {
        if documented.contains(name.as_str()) {
            continue;
        }
        let kind = if u.kind == Kind::Broadcast {
            "broadcast"
        } else if u.kind == Kind::Complete || completes.contains(name) {
            "list-complete"
        } else {
            // Appended to one session's reply: a list item (or a one-off reply event).
            "list-item"
        };
        let class = (u.kind == Kind::Broadcast)
            .then(|| u.flags.first().and_then(|f| label(&perms, f)))
            .flatten();
        s.undocumented_events.insert(
            name.clone(),
            UndocumentedEvent {
                kind: Some(kind.to_string()),
                class,
                fields: u.fields.clone(),
                variable_fields: false,
                source: Some(u.sources.iter().cloned().collect::<Vec<_>>().join("; ")),
            },
        );
    }

    let all_broadcast: Vec<String> = buffer_fields(
        tree,
        &relevant,
        "main/manager.c",
        "__manager_event_sessions_va",
    )
    .unwrap_or_default()
    .into_iter()
    .filter(|f| f != "Event")
    .collect();
    // Extra headers of documented events, and case-only spellings.
    for ev in &xml.events {
        let Some(u) = events.get(&ev.name) else {
            continue;
        };
        let mut doc: Vec<String> = ev.fields.iter().map(|p| p.name.clone()).collect();
        for sn in &ev.snapshots {
            doc.push(format!("<{}_snapshot prefix='{}'>", sn.kind, sn.prefix));
            doc.extend(sn.expanded_fields());
        }
        let mut extra = Vec::new();
        for f in &u.fields {
            if doc.contains(f) {
                continue;
            }
            // Headers every broadcast carries are listed once, under ALL_BROADCAST_KEY,
            // unless a reply form of the event writes them itself.
            if all_broadcast.contains(f) && !u.reply_fields.contains(f) {
                continue;
            }
            extra.push(f.clone());
            if let Some(d) = doc.iter().find(|d| d.eq_ignore_ascii_case(f)) {
                s.wire_name_fixes
                    .insert(format!("{}.{}", ev.name, d), f.clone());
            }
        }
        if !extra.is_empty() {
            s.documented_event_extra_headers
                .insert(ev.name.clone(), extra);
        }
    }
    // Documented event names sent only in another case.
    for ev in &xml.events {
        if events.contains_key(&ev.name) {
            continue;
        }
        if let Some(wire) = events
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&ev.name) && !documented.contains(k.as_str()))
        {
            s.wire_name_fixes.insert(ev.name.clone(), wire.clone());
        }
    }

    if !all_broadcast.is_empty() {
        s.documented_event_extra_headers
            .insert(ALL_BROADCAST_KEY.to_string(), all_broadcast);
    }
    if let Some(h) = tree
        .files
        .iter()
        .find(|(_, f)| {
            f.function("ast_manager_build_channel_state_string_prefix")
                .is_some()
        })
        .and_then(|(p, _)| {
            buffer_fields(
                tree,
                &relevant,
                p,
                "ast_manager_build_channel_state_string_prefix",
            )
        })
    {
        let h: Vec<String> = h
            .into_iter()
            .filter(|f| !CHANNEL_SNAPSHOT_FIELDS.contains(&f.as_str()) && !f.starts_with('<'))
            .map(|f| format!("<prefix>{f}"))
            .collect();
        if !h.is_empty() {
            s.documented_event_extra_headers
                .insert(CHANNEL_SNAPSHOT_KEY.to_string(), h);
        }
    }

    let (agi, dead_safe) = super::agi::results(tree);
    s.agi_results = agi;
    if !dead_safe.is_empty() {
        s.agi_special_lines.push(format!(
            "'511 Command Not Permitted on a dead channel or intercept routine' when the channel \
             has hung up (or runs an intercept routine) and the command is not dead-safe. \
             Dead-safe: {}.",
            dead_safe.join(", ")
        ));
    }
    s
}

/// Add a message to the union of its name: fields merged in emit order.
fn add_message(events: &mut BTreeMap<String, EventUnion>, m: Message) {
    if m.name == emits::UNRESOLVED {
        return;
    }
    let e = events.entry(m.name.clone()).or_insert_with(|| EventUnion {
        kind: m.kind,
        flags: m.flags.clone(),
        fields: Vec::new(),
        reply_fields: Vec::new(),
        sources: BTreeSet::new(),
    });
    if m.kind == Kind::Broadcast && e.kind != Kind::Broadcast {
        e.kind = Kind::Broadcast;
        e.flags = m.flags.clone();
    } else if m.kind == Kind::Complete && e.kind == Kind::Item {
        e.kind = Kind::Complete;
    }
    if e.flags.is_empty() {
        e.flags = m.flags.clone();
    }
    merge_fields(&mut e.fields, &m.fields);
    if m.kind != Kind::Broadcast {
        merge_fields(&mut e.reply_fields, &m.fields);
    }
    e.sources.insert(m.file);
}

/// Merge `new` into `into`, keeping both orders: a field `into` lacks goes just
/// before the next field of `new` that `into` has (so the variants of one event,
/// e.g. ListDialplan's extension/include/switch forms, interleave as sent).
pub fn merge_fields(into: &mut Vec<String>, new: &[String]) {
    for (k, f) in new.iter().enumerate() {
        if into.contains(f) {
            continue;
        }
        // Before the next field of `new` that `into` already has, else at the end.
        let at = new[k + 1..]
            .iter()
            .find_map(|next| into.iter().position(|x| x == next))
            .unwrap_or(into.len());
        into.insert(at, f.clone());
    }
}

/// The list shape a handler's walk shows, if it is a list action, and the reply
/// messages whose name only the XML gives: when the handler sends items whose
/// `Event:` value is computed (`blob->manager_event`) and the action documents
/// exactly one item event, those messages are that event.
fn list_action(w: &emits::Walked, xml: &Ami, action: &str) -> Option<(ListAction, Vec<Message>)> {
    let replies: Vec<&Message> = w
        .messages
        .iter()
        .filter(|m| m.kind != Kind::Broadcast)
        .collect();
    let complete = replies
        .iter()
        .find(|m| m.kind == Kind::Complete)
        .or_else(|| replies.iter().find(|m| m.name.ends_with("Complete")))
        .map(|m| m.name.clone());
    if w.acks.is_empty() && complete.is_none() {
        return None;
    }
    let mut items: Vec<String> = Vec::new();
    for m in &replies {
        if Some(&m.name) != complete.as_ref()
            && m.kind == Kind::Item
            && m.name != emits::UNRESOLVED
            && !items.contains(&m.name)
        {
            items.push(m.name.clone());
        }
    }
    let documented = xml
        .actions
        .iter()
        .find(|a| a.name == action)
        .and_then(|a| a.list.as_ref());
    let mut named = Vec::new();
    if let Some([only]) = documented.map(|d| d.items.as_slice()) {
        for m in replies.iter().filter(|m| m.name == emits::UNRESOLVED) {
            let mut m = (*m).clone();
            m.name = only.clone();
            named.push(m);
        }
    }
    // Items built outside the walk's reach (e.g. from stasis messages or PJSIP
    // formatters): take the documented `<responses>` ones.
    if let Some(doc) = documented {
        for it in &doc.items {
            if !items.contains(it) {
                items.push(it.clone());
            }
        }
    }
    let complete = complete.or_else(|| documented.and_then(|d| d.complete.clone()));
    let ack = match w.acks.first().map(String::as_str) {
        Some("start") => "EventList: start".to_string(),
        Some(other) => format!("other: EventList: {other}"),
        None => "other: no EventList acknowledgement".to_string(),
    };
    Some((
        ListAction {
            item_events: items,
            complete_event: complete,
            ack: Some(ack),
        },
        named,
    ))
}

/// Header names written to the buffers of one function (walked as a root).
fn buffer_fields(
    tree: &Tree,
    relevant: &HashSet<(String, usize)>,
    path: &str,
    function: &str,
) -> Option<Vec<String>> {
    let file = tree.files.get(path)?;
    let idx = file.function_index(function)?;
    let w = emits::walk(tree, relevant, file, idx);
    Some(w.buffer_fields)
}

/// main/manager.c's `perms[]` table: (`EVENT_FLAG_*` or other constant, label), in order.
fn perms_table(tree: &Tree) -> Vec<(String, String)> {
    let Some(file) = tree.files.get("main/manager.c") else {
        return Vec::new();
    };
    let t = &file.tokens;
    let mut out = Vec::new();
    for i in 0..t.len() {
        if file.ident(i) == Some("perms")
            && file.is_punct(i + 1, '[')
            && file.is_punct(i + 2, ']')
            && file.is_punct(i + 3, '=')
            && file.is_punct(i + 4, '{')
        {
            let end = file.pair[i + 4].unwrap_or(t.len());
            let mut k = i + 5;
            while k < end {
                if file.is_punct(k, '{')
                    && let (Some(Tok::Str(label)), Some(close)) =
                        (t.get(k + 3).map(|x| &x.tok), file.pair[k])
                {
                    let num = match &t[k + 1].tok {
                        Tok::Ident(n) => n.clone(),
                        _ => "0".to_string(),
                    };
                    out.push((num, label.clone()));
                    k = close + 1;
                    continue;
                }
                k += 1;
            }
            break;
        }
    }
    out
}

/// The label of one flag in the perms table.
fn label(perms: &[(String, String)], flag: &str) -> Option<String> {
    perms
        .iter()
        .find(|(n, _)| n == flag)
        .map(|(_, l)| l.clone())
}

/// Privilege labels as `authority_to_str` prints them: every entry but the last
/// (`none`) whose value is set; a non-flag value (`INT_MAX`, "all") matches any
/// non-zero authority. Zero gives `[]`.
fn privileges(perms: &[(String, String)], flags: &[String]) -> Vec<String> {
    if flags.is_empty() {
        return Vec::new();
    }
    let body = &perms[..perms.len().saturating_sub(1)];
    body.iter()
        .filter(|(n, _)| {
            if n.starts_with("EVENT_FLAG_") {
                flags.contains(n)
            } else {
                n != "0"
            }
        })
        .map(|(_, l)| l.clone())
        .collect()
}

/// Every action registration of the tree, in file order.
pub fn registrations(tree: &Tree) -> Vec<Registration> {
    let mut out = Vec::new();
    for file in tree.files.values() {
        for i in 0..file.tokens.len() {
            let Some(name) = file.ident(i) else { continue };
            if !REGISTRATIONS.contains(&name) {
                continue;
            }
            // The definition of the registration function itself is no registration.
            if file.function_at(i).is_none() {
                continue;
            }
            let Some(call) = file.call_at(i) else {
                continue;
            };
            if call.args.len() < 3 {
                continue;
            }
            let Some(action) = action_name(tree, file, call.args[0]) else {
                continue;
            };
            let flags = file
                .idents(call.args[1])
                .into_iter()
                .filter(|s| s.starts_with("EVENT_FLAG_"))
                .map(str::to_string)
                .collect();
            let Some(handler) = file.idents(call.args[2]).last().map(|s| s.to_string()) else {
                continue;
            };
            out.push(Registration {
                name: action,
                flags,
                handler,
                file: file.path.clone(),
            });
        }
    }
    out
}

fn action_name(tree: &Tree, file: &CFile, r: (usize, usize)) -> Option<String> {
    if let Some(s) = file.literal(r) {
        return Some(s.to_string());
    }
    match file.idents(r).as_slice() {
        [one] => tree.constant(file, one),
        _ => None,
    }
}
