//! The chan_websocket media protocol as one checked model: the facts of
//! `specs/fixes/media.toml` against the generated releases, each field knowing
//! the releases and control formats that carry it.
//!
//! Checks (an error names `specs/fixes/media.toml` and the fact): every fact
//! names releases and each of them is generated; `source` covers exactly those
//! releases; wire names, variants and constant names are unique; a field's
//! releases are its event's, its formats known and sent in one of them; a
//! plain-text form fits the fields (`bare`: none in plain text, `id`: one
//! `correlation_id`, a `rest` field last); a command that is not JSON-only has
//! at most one parameter.
//!
//! [`compare_source`] checks the facts of one release against that release's
//! `channels/chan_websocket.c`.

use crate::Result;
use crate::fixes::media::{
    CommandFix, ConstantFix, EventFix, FieldType, FormatFix, MediaFixes, ParamFix, SourceLines,
    TextForm,
};
use std::collections::BTreeSet;

const FILE: &str = "specs/fixes/media.toml";

/// The checked media protocol.
#[derive(Debug, Clone)]
pub struct MediaModel {
    /// Every generated release, oldest first.
    pub tags: Vec<String>,
    /// Control formats.
    pub formats: Vec<FormatFix>,
    /// Constants.
    pub constants: Vec<ConstantFix>,
    /// Commands.
    pub commands: Vec<CommandModel>,
    /// Events.
    pub events: Vec<EventModel>,
}

/// One command.
#[derive(Debug, Clone)]
pub struct CommandModel {
    /// The fact.
    pub fix: CommandFix,
    /// Its parameters.
    pub params: Vec<ParamFix>,
}

/// One event.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// The fact.
    pub fix: EventFix,
    /// Its fields.
    pub fields: Vec<FieldModel>,
}

/// One event field with where it is sent.
#[derive(Debug, Clone)]
pub struct FieldModel {
    /// Key.
    pub key: String,
    /// Type.
    pub ty: FieldType,
    /// Releases that send it.
    pub releases: Vec<String>,
    /// Formats (wire names) that carry it.
    pub formats: Vec<String>,
    /// Sent in every release and format of its event: not optional.
    pub required: bool,
}

impl FieldModel {
    /// Whether the plain-text form carries it.
    pub fn in_text(&self) -> bool {
        self.formats.iter().any(|f| f == PLAIN_TEXT)
    }
}

/// Wire name of the plain-text format.
pub const PLAIN_TEXT: &str = "plain-text";

fn err(fact: &str, message: impl std::fmt::Display) -> crate::Error {
    crate::input_err(FILE, format!("media fact `{fact}`: {message}"))
}

fn check_releases(
    fact: &str,
    releases: &[String],
    source: &SourceLines,
    tags: &[String],
) -> Result<()> {
    if releases.is_empty() {
        return Err(err(fact, "names no release"));
    }
    if let Some(t) = releases.iter().find(|t| !tags.contains(t)) {
        return Err(err(
            fact,
            format!("release {t} is not generated ({})", tags.join(", ")),
        ));
    }
    let have: BTreeSet<&String> = releases.iter().collect();
    let lines: BTreeSet<&String> = source.keys().collect();
    if have != lines {
        return Err(err(
            fact,
            "`source` must give a line for exactly its releases",
        ));
    }
    Ok(())
}

fn unique<'a>(what: &str, items: impl Iterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (fact, key) in items {
        if !seen.insert(key) {
            return Err(err(fact, format!("duplicate {what} `{key}`")));
        }
    }
    Ok(())
}

impl MediaModel {
    /// Check `fixes` against the generated releases `tags` and build the model.
    pub fn new(fixes: &MediaFixes, tags: &[String]) -> Result<MediaModel> {
        for f in &fixes.format {
            check_releases(&f.name, &f.releases, &f.source, tags)?;
        }
        if !fixes.format.iter().any(|f| f.wire == PLAIN_TEXT) {
            return Err(crate::input_err(FILE, "no `plain-text` format"));
        }
        for c in &fixes.constant {
            check_releases(&c.name, &c.releases, &c.source, tags)?;
        }
        unique(
            "format",
            fixes
                .format
                .iter()
                .map(|f| (f.name.as_str(), f.wire.as_str())),
        )?;
        unique(
            "constant",
            fixes
                .constant
                .iter()
                .map(|c| (c.name.as_str(), c.rust.as_str())),
        )?;
        unique(
            "command",
            fixes
                .command
                .iter()
                .map(|c| (c.name.as_str(), c.wire.as_str())),
        )?;
        unique(
            "command variant",
            fixes
                .command
                .iter()
                .map(|c| (c.name.as_str(), c.variant.as_str())),
        )?;
        unique(
            "event",
            fixes
                .event
                .iter()
                .map(|e| (e.name.as_str(), e.wire.as_str())),
        )?;
        unique(
            "event variant",
            fixes
                .event
                .iter()
                .map(|e| (e.name.as_str(), e.variant.as_str())),
        )?;
        let formats_in = |release: &str| -> Vec<String> {
            fixes
                .format
                .iter()
                .filter(|f| f.releases.iter().any(|r| r == release))
                .map(|f| f.wire.clone())
                .collect()
        };
        let mut commands = Vec::new();
        for c in &fixes.command {
            check_releases(&c.name, &c.releases, &c.source, tags)?;
            if !c.json_only && c.param.len() > 1 {
                return Err(err(&c.name, "plain text carries at most one parameter"));
            }
            if c.json_only
                && !c
                    .releases
                    .iter()
                    .any(|r| formats_in(r).iter().any(|f| f == "json"))
            {
                return Err(err(&c.name, "JSON-only, but none of its releases has JSON"));
            }
            unique(
                "parameter",
                c.param.iter().map(|p| (c.name.as_str(), p.key.as_str())),
            )?;
            commands.push(CommandModel {
                fix: c.clone(),
                params: c.param.clone(),
            });
        }
        let mut events = Vec::new();
        for e in &fixes.event {
            check_releases(&e.name, &e.releases, &e.source, tags)?;
            unique(
                "field",
                e.field.iter().map(|f| (e.name.as_str(), f.key.as_str())),
            )?;
            let mut fields = Vec::new();
            for f in &e.field {
                let releases = f.releases.clone().unwrap_or_else(|| e.releases.clone());
                if let Some(r) = releases.iter().find(|r| !e.releases.contains(r)) {
                    return Err(err(
                        &e.name,
                        format!("field `{}` names release {r}, which the event lacks", f.key),
                    ));
                }
                let possible: BTreeSet<String> =
                    releases.iter().flat_map(|r| formats_in(r)).collect();
                let formats = match &f.formats {
                    Some(list) => {
                        if let Some(x) = list.iter().find(|x| !possible.contains(*x)) {
                            return Err(err(
                                &e.name,
                                format!("field `{}`: format `{x}` is not in its releases", f.key),
                            ));
                        }
                        list.clone()
                    }
                    None => possible.iter().cloned().collect(),
                };
                let required = e.text != TextForm::Id
                    && releases.len() == e.releases.len()
                    && e.releases
                        .iter()
                        .all(|r| formats_in(r).iter().all(|x| formats.contains(x)));
                fields.push(FieldModel {
                    key: f.key.clone(),
                    ty: f.ty,
                    releases,
                    formats,
                    required,
                });
            }
            let text_fields: Vec<&FieldModel> = fields.iter().filter(|f| f.in_text()).collect();
            match e.text {
                TextForm::Bare if !text_fields.is_empty() => {
                    return Err(err(
                        &e.name,
                        "a bare plain-text event carries no field in plain text",
                    ));
                }
                TextForm::Id
                    if text_fields.len() != 1 || text_fields[0].key != "correlation_id" =>
                {
                    return Err(err(
                        &e.name,
                        "an `id` plain-text event carries exactly `correlation_id`",
                    ));
                }
                _ => {}
            }
            if let Some(pos) = fields.iter().position(|f| f.ty == FieldType::Rest)
                && pos + 1 != fields.len()
            {
                return Err(err(&e.name, "a `rest` field must be the last"));
            }
            events.push(EventModel {
                fix: e.clone(),
                fields,
            });
        }
        Ok(MediaModel {
            tags: tags.to_vec(),
            formats: fixes.format.clone(),
            constants: fixes.constant.clone(),
            commands,
            events,
        })
    }
}

/// Compare the facts of release `tag` with its `channels/chan_websocket.c`
/// (`source`): every fact's line names its wire name or value, every field key
/// shows from 2 lines before to 40 lines after its event's line, and the commands and events
/// the source defines are exactly the facts of that release. Returns the
/// differences (empty: they agree).
pub fn compare_source(model: &MediaModel, tag: &str, source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let line = |n: u32| {
        lines
            .get((n as usize).wrapping_sub(1))
            .copied()
            .unwrap_or("")
    };
    let mut problems = Vec::new();
    let mismatch = |fact: &str, source: &SourceLines, needle: &str| -> Option<String> {
        let n = *source.get(tag)?;
        (!line(n).contains(needle)).then(|| {
            format!(
                "{fact}: line {n} does not name `{needle}`: {:?}",
                line(n).trim()
            )
        })
    };
    for f in model
        .formats
        .iter()
        .filter(|f| f.releases.iter().any(|r| r == tag))
    {
        let needle = if tag_has_json_source(source) {
            f.wire.as_str()
        } else {
            "process_text_message"
        };
        problems.extend(mismatch(&f.name, &f.source, needle));
    }
    for c in model
        .constants
        .iter()
        .filter(|c| c.releases.iter().any(|r| r == tag))
    {
        let value = match &c.value {
            crate::fixes::media::ConstantValue::Integer(n) => n.to_string(),
            crate::fixes::media::ConstantValue::Text(t) => t.clone(),
        };
        problems.extend(mismatch(&c.name, &c.source, &value));
    }
    let defines = string_defines(source);
    let resolve = |ident: &str| {
        defines
            .iter()
            .find(|(i, _)| i == ident)
            .map(|(_, v)| v.clone())
    };
    for c in model
        .commands
        .iter()
        .filter(|c| c.fix.releases.iter().any(|r| r == tag))
    {
        let ident = defines
            .iter()
            .find(|(_, v)| *v == c.fix.wire)
            .map(|(i, _)| i.clone());
        problems.extend(mismatch(
            &c.fix.name,
            &c.fix.source,
            ident.as_deref().unwrap_or(&c.fix.wire),
        ));
    }
    for e in model
        .events
        .iter()
        .filter(|e| e.fix.releases.iter().any(|r| r == tag))
    {
        let ident = defines
            .iter()
            .find(|(_, v)| *v == e.fix.wire)
            .map(|(i, _)| i.clone());
        let by_function = format!("_create_event_{}", e.fix.wire);
        let needle = if source.contains(&by_function) {
            by_function
        } else {
            ident.unwrap_or_else(|| e.fix.wire.clone())
        };
        problems.extend(mismatch(&e.fix.name, &e.fix.source, &needle));
        if let Some(&n) = e.fix.source.get(tag) {
            let window: String = lines
                .iter()
                .skip((n as usize).saturating_sub(3))
                .take(43)
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            let json = tag_has_json_source(source);
            // A key is written when JSON carries it, or as `key:` in plain text.
            let named = |f: &&FieldModel| {
                (json && f.formats.iter().any(|x| x == "json"))
                    || (e.fix.text == TextForm::Pairs && f.in_text())
            };
            for f in e
                .fields
                .iter()
                .filter(|f| f.releases.iter().any(|r| r == tag))
                .filter(named)
            {
                if !window.contains(&format!("\"{}\"", f.key))
                    && !window.contains(&format!("{}:", f.key))
                {
                    problems.push(format!(
                        "{}: field `{}` not found after line {n}",
                        e.fix.name, f.key
                    ));
                }
            }
        }
    }
    // Commands: the defines compared with the received command.
    let mut in_source: BTreeSet<String> = BTreeSet::new();
    for l in &lines {
        for call in ["ast_strings_equal(command, ", "ast_begins_with(command, "] {
            if let Some(i) = l.find(call) {
                let ident: String = l[i + call.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(v) = resolve(&ident) {
                    in_source.insert(v);
                }
            }
        }
    }
    let facts: BTreeSet<String> = model
        .commands
        .iter()
        .filter(|c| c.fix.releases.iter().any(|r| r == tag))
        .map(|c| c.fix.wire.clone())
        .collect();
    for missing in in_source.difference(&facts) {
        problems.push(format!("command {missing} is in the source, not in {FILE}"));
    }
    for extra in facts.difference(&in_source) {
        problems.push(format!("command {extra} is in {FILE}, not in the source"));
    }
    // Events: `_create_event_<NAME>` builders, or (older drivers) the string
    // defines that are neither commands nor constants.
    let mut events: BTreeSet<String> = BTreeSet::new();
    for l in &lines {
        let mut rest = *l;
        while let Some(i) = rest.find("_create_event_") {
            let name: String = rest[i + 14..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != "_" {
                events.insert(name.trim_end_matches('_').to_string());
            }
            rest = &rest[i + 14..];
        }
    }
    if events.is_empty() {
        let constants: BTreeSet<String> = model
            .constants
            .iter()
            .filter_map(|c| match &c.value {
                crate::fixes::media::ConstantValue::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        events = defines
            .iter()
            .map(|(_, v)| v.clone())
            .filter(|v| !in_source.contains(v) && !constants.contains(v))
            .collect();
    }
    let facts: BTreeSet<String> = model
        .events
        .iter()
        .filter(|e| e.fix.releases.iter().any(|r| r == tag))
        .map(|e| e.fix.wire.clone())
        .collect();
    for missing in events.difference(&facts) {
        problems.push(format!("event {missing} is in the source, not in {FILE}"));
    }
    for extra in facts.difference(&events) {
        problems.push(format!("event {extra} is in {FILE}, not in the source"));
    }
    problems
}

/// Whether the driver has the JSON control format.
fn tag_has_json_source(source: &str) -> bool {
    source.contains("WEBCHAN_CONTROL_MSG_FORMAT_JSON")
}

/// `#define NAME "VALUE"` lines with an upper-case value: (NAME, VALUE).
fn string_defines(source: &str) -> Vec<(String, String)> {
    source
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("#define ")?;
            let (ident, value) = rest.split_once(char::is_whitespace)?;
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_')
                .then(|| (ident.to_string(), value.to_string()))
        })
        .collect()
}
