//! AMI actions and events, and AGI commands, from Asterisk's merged XML documentation.
//!
//! The reader parses `core-en_US.xml`, resolves every `xi:include`
//! ([`super::xinclude`]), then collects:
//! - actions from `/docs/manager`, duplicate names merged;
//! - events from `/docs/managerEvent` plus the events defined only inline in an
//!   action's `<responses>`, duplicate names and all instances merged;
//! - AGI commands from `/docs/agi`.
//!
//! Snapshot blocks stay placeholders ([`Snapshot`]); no descriptive text is kept.

use super::xinclude;
use super::xmldom::{self, Element};
use crate::manifest::{Agi, AgiCommand, Ami, AmiAction, AmiEvent, AmiList, AmiParam, Snapshot};
use crate::{Result, input_err};
use std::collections::BTreeMap;
use std::path::Path;

/// Read `core-en_US.xml`: resolve includes, keep snapshots as placeholders, merge duplicates.
pub fn read(path: &Path) -> Result<(Ami, Agi)> {
    let origin = path.display().to_string();
    let mut root = xmldom::parse_file(path)?;
    read_tree(&mut root, &origin)
}

/// Read an already parsed document (its root element); `origin` names it in errors.
pub fn read_tree(root: &mut Element, origin: &str) -> Result<(Ami, Agi)> {
    if root.name != "docs" {
        return Err(input_err(
            origin,
            format!("root element is <{}>, expected <docs>", root.name),
        ));
    }
    xinclude::resolve(root, origin)?;
    let ami = read_ami(root, origin)?;
    let agi = read_agi(root, origin)?;
    Ok((ami, agi))
}

fn read_ami(root: &Element, origin: &str) -> Result<Ami> {
    let mut actions: BTreeMap<String, AmiAction> = BTreeMap::new();
    let mut events: BTreeMap<String, AmiEvent> = BTreeMap::new();
    let mut inline: BTreeMap<String, AmiEvent> = BTreeMap::new();

    for el in root.elements_named("managerEvent") {
        merge_event(&mut events, el, "top", origin)?;
    }
    for el in root.elements_named("manager") {
        let name = required_name(el, origin)?;
        let action = actions.entry(name.clone()).or_insert_with(|| AmiAction {
            name: name.clone(),
            ..AmiAction::default()
        });
        push_module(&mut action.modules, el);
        push_since(&mut action.since, el);
        if let Some(syntax) = el.first_named("syntax") {
            for p in syntax.elements_named("parameter") {
                let param = read_param(p, origin)?;
                if !action.params.iter().any(|q| q.name == param.name) {
                    action.params.push(param);
                }
            }
        }
        if let Some(responses) = el.first_named("responses") {
            let mut items = Vec::new();
            let mut complete = None;
            for child in responses.elements() {
                match child.name.as_str() {
                    "list-elements" => {
                        for ev in child.elements_named("managerEvent") {
                            let ev_name = required_name(ev, origin)?;
                            if !items.contains(&ev_name) {
                                items.push(ev_name);
                            }
                            merge_event(&mut inline, ev, "inline", origin)?;
                        }
                    }
                    "managerEvent" => {
                        let ev_name = required_name(child, origin)?;
                        if complete.is_none() {
                            complete = Some(ev_name);
                        }
                        merge_event(&mut inline, child, "inline", origin)?;
                    }
                    _ => {}
                }
            }
            if action.list.is_none() && (!items.is_empty() || complete.is_some()) {
                action.list = Some(AmiList {
                    items,
                    complete,
                    ack: None,
                    source: "xml".to_string(),
                });
            }
        }
    }
    for (name, ev) in inline {
        events.entry(name).or_insert(ev);
    }
    for a in actions.values_mut() {
        a.modules.sort();
        a.modules.dedup();
    }
    for e in events.values_mut() {
        e.modules.sort();
        e.modules.dedup();
        e.classes.sort();
        e.classes.dedup();
    }
    Ok(Ami {
        actions: actions.into_values().collect(),
        events: events.into_values().collect(),
        broadcast_headers: Vec::new(),
        channel_snapshot_extra_headers: Vec::new(),
    })
}

/// Merge one `<managerEvent>` element into `events`, creating the entry with `origin_kind`.
fn merge_event(
    events: &mut BTreeMap<String, AmiEvent>,
    el: &Element,
    origin_kind: &str,
    origin: &str,
) -> Result<()> {
    let name = required_name(el, origin)?;
    let ev = events.entry(name.clone()).or_insert_with(|| AmiEvent {
        name: name.clone(),
        origin: origin_kind.to_string(),
        ..AmiEvent::default()
    });
    push_module(&mut ev.modules, el);
    for inst in el.elements_named("managerEventInstance") {
        push_module(&mut ev.modules, inst);
        if let Some(class) = inst.attr("class") {
            let c = class.trim();
            let c = c
                .strip_prefix("EVENT_FLAG_")
                .unwrap_or(c)
                .to_ascii_lowercase();
            if !c.is_empty() {
                ev.classes.push(c);
            }
        }
        push_since(&mut ev.since, inst);
        let Some(syntax) = inst.first_named("syntax") else {
            continue;
        };
        for child in syntax.elements() {
            let kind = match child.name.as_str() {
                "channel_snapshot" => "channel",
                "bridge_snapshot" => "bridge",
                "parameter" => {
                    let param = read_param(child, origin)?;
                    if !ev.fields.iter().any(|f| f.name == param.name) {
                        ev.fields.push(param);
                    }
                    continue;
                }
                _ => continue,
            };
            let snap = Snapshot {
                kind: kind.to_string(),
                prefix: child.attr("prefix").unwrap_or_default().to_string(),
            };
            if !ev.snapshots.contains(&snap) {
                ev.snapshots.push(snap);
            }
        }
    }
    Ok(())
}

fn read_agi(root: &Element, origin: &str) -> Result<Agi> {
    let mut commands: BTreeMap<String, AgiCommand> = BTreeMap::new();
    for el in root.elements_named("agi") {
        let name = required_name(el, origin)?;
        let cmd = commands.entry(name.clone()).or_insert_with(|| AgiCommand {
            name: name.clone(),
            ..AgiCommand::default()
        });
        push_since(&mut cmd.since, el);
        if let Some(syntax) = el.first_named("syntax") {
            for p in syntax.elements_named("parameter") {
                let param = read_param(p, origin)?;
                if !cmd.params.iter().any(|q| q.name == param.name) {
                    cmd.params.push(param);
                }
            }
        }
    }
    Ok(Agi {
        commands: commands.into_values().collect(),
    })
}

/// One `<parameter>`: name, requiredness, default, direct enum list, repeatability.
fn read_param(p: &Element, origin: &str) -> Result<AmiParam> {
    let name = p
        .attr("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| input_err(origin, "<parameter> without a name"))?
        .to_string();
    let mut enum_values = Vec::new();
    for list in p.elements_named("enumlist") {
        for e in list.elements_named("enum") {
            if let Some(v) = e.attr("name") {
                let v = v.to_string();
                if !enum_values.contains(&v) {
                    enum_values.push(v);
                }
            }
        }
    }
    Ok(AmiParam {
        name,
        required: is_true(p.attr("required")),
        default: p.attr("default").map(str::to_string),
        enum_values,
        multiple: is_true(p.attr("multiple")),
    })
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes")
    })
}

fn required_name(el: &Element, origin: &str) -> Result<String> {
    el.attr("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .ok_or_else(|| input_err(origin, format!("<{}> without a name", el.name)))
}

fn push_module(modules: &mut Vec<String>, el: &Element) {
    if let Some(m) = el.attr("module").map(str::trim).filter(|m| !m.is_empty()) {
        modules.push(m.to_string());
    }
}

/// Append the `<since><version>` values of `el`, skipping ones already present.
fn push_since(since: &mut Vec<String>, el: &Element) {
    for s in el.elements_named("since") {
        for v in s.elements_named("version") {
            let v = v.text().trim().to_string();
            if !v.is_empty() && !since.contains(&v) {
                since.push(v);
            }
        }
    }
}
