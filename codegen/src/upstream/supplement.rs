//! `supplement.json`: facts from Asterisk's C sources that the XML lacks.
//!
//! The supplement gives action privileges, the shape of every list action, the
//! undocumented events with their wire headers, extra wire headers of documented
//! events and wire-name fixes. [`apply`] merges them into a manifest read from the
//! XML. The AGI result formats and framing facts are loaded but not merged: they
//! are prose for the documentation, not manifest facts.

use crate::manifest::{AmiEvent, AmiList, AmiParam, Manifest, Snapshot, WireFix};
use crate::{Result, input_err};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The special `documented_event_extra_headers` key for headers of every broadcast event.
pub const ALL_BROADCAST_KEY: &str = "*all_broadcast_events*";
/// The special `documented_event_extra_headers` key for headers of every channel snapshot.
pub const CHANNEL_SNAPSHOT_KEY: &str = "*channel_snapshot*";

/// One release's supplement, as stored in `supplement.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Supplement {
    /// The release tag.
    #[serde(default)]
    pub tag: String,
    /// Privilege classes per action (`[]` = any logged-in user).
    #[serde(default)]
    pub action_privileges: BTreeMap<String, Vec<String>>,
    /// Registered actions without documentation (name → free-form facts).
    #[serde(default)]
    pub undocumented_actions: BTreeMap<String, serde_json::Value>,
    /// List actions: item events, completion event and acknowledgement form.
    #[serde(default)]
    pub list_actions: BTreeMap<String, ListAction>,
    /// Events Asterisk sends that the XML does not document.
    #[serde(default)]
    pub undocumented_events: BTreeMap<String, UndocumentedEvent>,
    /// Wire headers of documented events that their documentation lacks; two
    /// special keys ([`ALL_BROADCAST_KEY`], [`CHANNEL_SNAPSHOT_KEY`]).
    #[serde(default)]
    pub documented_event_extra_headers: BTreeMap<String, Vec<String>>,
    /// `Event` → wire name, or `Event.Header` → wire header name.
    #[serde(default)]
    pub wire_name_fixes: BTreeMap<String, String>,
    /// AGI result formats per command.
    #[serde(default)]
    pub agi_results: BTreeMap<String, AgiResult>,
    /// AGI lines that are not command results (environment, errors, …).
    #[serde(default)]
    pub agi_special_lines: Vec<String>,
    /// Facts about AMI framing on the wire.
    #[serde(default)]
    pub ami_framing_facts: Vec<String>,
}

/// The shape of one list action's response.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListAction {
    /// Item events in emit order.
    #[serde(default)]
    pub item_events: Vec<String>,
    /// The completion event, if any.
    #[serde(default)]
    pub complete_event: Option<String>,
    /// `EventList: start` or `other: …`.
    #[serde(default)]
    pub ack: Option<String>,
}

/// One undocumented event.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UndocumentedEvent {
    /// `broadcast`, `list-item` or `list-complete`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Lower-case class of the send site; `None` for list responses.
    #[serde(default)]
    pub class: Option<String>,
    /// Wire headers in emit order; snapshot blocks as `<channel_snapshot prefix='X'>`.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Whether the header set varies beyond the listed fields.
    #[serde(default)]
    pub variable_fields: bool,
    /// The C file(s) of the emit site.
    #[serde(default)]
    pub source: Option<String>,
}

/// What one AGI command's result line means.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgiResult {
    /// Meaning of `result=N`.
    #[serde(default)]
    pub result: String,
    /// What can appear in parentheses.
    #[serde(default)]
    pub data: String,
    /// Further `key=value` tokens.
    #[serde(default)]
    pub extra: Vec<String>,
}

impl Supplement {
    /// The file text: pretty JSON, keys in schema order, maps sorted, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Load a supplement file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::read_to_string(path)?;
        serde_json::from_str(&text).map_err(|e| input_err(path.display(), e.to_string()))
    }
}

/// A snapshot placeholder string (`<channel_snapshot prefix='X'>`) as a [`Snapshot`].
pub fn parse_snapshot_placeholder(s: &str) -> Option<Snapshot> {
    let s = s.trim();
    let (kind, rest) = if let Some(rest) = s.strip_prefix("<channel_snapshot") {
        ("channel", rest)
    } else if let Some(rest) = s.strip_prefix("<bridge_snapshot") {
        ("bridge", rest)
    } else {
        return None;
    };
    let rest = rest.trim_end_matches('>').trim_end_matches('/').trim();
    let prefix = match rest.strip_prefix("prefix=") {
        Some(v) => v.trim().trim_matches(|c| c == '\'' || c == '"').to_string(),
        None if rest.is_empty() => String::new(),
        None => return None,
    };
    Some(Snapshot {
        kind: kind.to_string(),
        prefix,
    })
}

/// Merge the supplement's facts into a manifest.
pub fn apply(s: &Supplement, m: &mut Manifest) {
    if let Some(dead_safe) = dead_safe_commands(&s.agi_special_lines) {
        for c in &mut m.agi.commands {
            c.dead_safe = Some(dead_safe.iter().any(|d| d.eq_ignore_ascii_case(&c.name)));
        }
    }
    let ami = &mut m.ami;
    for action in &mut ami.actions {
        if let Some(p) = s.action_privileges.get(&action.name) {
            action.privileges = Some(p.clone());
        }
        if let Some(l) = s.list_actions.get(&action.name) {
            match &mut action.list {
                Some(list) => {
                    if list.ack.is_none() {
                        list.ack.clone_from(&l.ack);
                    }
                }
                None => {
                    action.list = Some(AmiList {
                        items: l.item_events.clone(),
                        complete: l.complete_event.clone(),
                        ack: l.ack.clone(),
                        source: "supplement".to_string(),
                    });
                }
            }
        }
    }

    // Wire-name fixes first, so an undocumented event spelled like a documented
    // event's wire name is recognised as that event.
    for (key, wire) in &s.wire_name_fixes {
        match key.split_once('.') {
            None => {
                if let Some(ev) = ami.events.iter_mut().find(|e| &e.name == key)
                    && ev.name != *wire
                {
                    ev.wire_name = Some(wire.clone());
                }
            }
            Some((event, header)) => {
                if let Some(ev) = ami.events.iter_mut().find(|e| e.name == event) {
                    let fix = WireFix {
                        documented: header.to_string(),
                        wire: wire.clone(),
                    };
                    if !ev.wire_fixes.contains(&fix) {
                        ev.wire_fixes.push(fix);
                        ev.wire_fixes.sort();
                    }
                }
            }
        }
    }

    for (name, u) in &s.undocumented_events {
        let known = ami
            .events
            .iter()
            .any(|e| &e.name == name || e.wire() == name.as_str());
        if known {
            continue;
        }
        let mut ev = AmiEvent {
            name: name.clone(),
            origin: "supplement".to_string(),
            kind: u.kind.clone(),
            ..AmiEvent::default()
        };
        if let Some(class) = u.class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            ev.classes.push(class.to_ascii_lowercase());
        }
        for f in &u.fields {
            if let Some(snap) = parse_snapshot_placeholder(f) {
                if !ev.snapshots.contains(&snap) {
                    ev.snapshots.push(snap);
                }
            } else if !ev.fields.iter().any(|p| &p.name == f) {
                ev.fields.push(AmiParam {
                    name: f.clone(),
                    ..AmiParam::default()
                });
            }
        }
        ami.events.push(ev);
    }
    ami.events.sort_by(|a, b| a.name.cmp(&b.name));

    for (key, headers) in &s.documented_event_extra_headers {
        match key.as_str() {
            ALL_BROADCAST_KEY => {
                for h in headers {
                    push_unique(&mut ami.broadcast_headers, h.clone());
                }
            }
            CHANNEL_SNAPSHOT_KEY => {
                for h in headers {
                    let h = h.replace("<prefix>", "");
                    push_unique(&mut ami.channel_snapshot_extra_headers, h);
                }
            }
            _ => {
                let Some(ev) = ami
                    .events
                    .iter_mut()
                    .find(|e| &e.name == key || e.wire() == key.as_str())
                else {
                    continue;
                };
                for h in headers {
                    if let Some(snap) = parse_snapshot_placeholder(h) {
                        if !ev.extra_snapshots.contains(&snap) {
                            ev.extra_snapshots.push(snap);
                        }
                    } else {
                        push_unique(&mut ev.extra_headers, h.clone());
                    }
                }
            }
        }
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_placeholders() {
        assert_eq!(
            parse_snapshot_placeholder("<channel_snapshot prefix='Retriever'>"),
            Some(Snapshot {
                kind: "channel".into(),
                prefix: "Retriever".into()
            })
        );
        assert_eq!(
            parse_snapshot_placeholder("<bridge_snapshot prefix=''>"),
            Some(Snapshot {
                kind: "bridge".into(),
                prefix: String::new()
            })
        );
        assert_eq!(parse_snapshot_placeholder("ChanVariable(<channel>)"), None);
    }
}

/// The dead-safe AGI commands named in the special line about `511`
/// (`… Dead-safe: asyncagi break, database del, …, verbose.`).
fn dead_safe_commands(lines: &[String]) -> Option<Vec<String>> {
    let line = lines
        .iter()
        .find(|l| l.trim_start_matches('\'').starts_with("511"))?;
    let list = line.split_once("Dead-safe:")?.1;
    let names: Vec<String> = list
        .trim()
        .trim_end_matches('.')
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod dead_safe_tests {
    use super::dead_safe_commands;

    #[test]
    fn reads_the_dead_safe_list() {
        let lines = vec![
            "'510 Invalid or unknown command' for an unknown command.".to_string(),
            "'511 Command Not Permitted on a dead channel' when … Dead-safe: asyncagi break, exec, verbose.".to_string(),
        ];
        assert_eq!(
            dead_safe_commands(&lines).unwrap(),
            ["asyncagi break", "exec", "verbose"]
        );
        assert!(dead_safe_commands(&lines[..1]).is_none());
    }
}
