//! The media protocol of chan_websocket (`specs/fixes/media.toml`): control
//! formats, constants, the commands the application sends and the events
//! Asterisk sends, each with the releases that have it and its source line.
//!
//! The facts come from `channels/chan_websocket.c`, which the raw spec folders
//! do not hold, so they are fixes rather than manifest content. They are checked
//! against the generated releases when the model is built
//! ([`crate::model::media`]) and, on demand, against C source trees
//! ([`crate::model::media::compare_source`]).

use crate::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Every media fact.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFixes {
    /// Control-message formats.
    #[serde(default)]
    pub format: Vec<FormatFix>,
    /// Numbers and names the driver works with.
    #[serde(default)]
    pub constant: Vec<ConstantFix>,
    /// Commands the application sends.
    #[serde(default)]
    pub command: Vec<CommandFix>,
    /// Events Asterisk sends.
    #[serde(default)]
    pub event: Vec<EventFix>,
}

/// Line numbers in `channels/chan_websocket.c`, by release tag.
pub type SourceLines = BTreeMap<String, u32>;

/// One control-message format.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatFix {
    /// Fix name.
    pub name: String,
    /// One-line reason (the C function).
    pub reason: String,
    /// The name Asterisk's configuration uses (`plain-text`, `json`).
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Its line per release.
    pub source: SourceLines,
}

/// A constant's value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ConstantValue {
    /// A number.
    Integer(u64),
    /// A text.
    Text(String),
}

/// One constant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstantFix {
    /// Fix name.
    pub name: String,
    /// One-line reason (the C function).
    pub reason: String,
    /// Rust constant name.
    pub rust: String,
    /// Its value.
    pub value: ConstantValue,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Its line per release.
    pub source: SourceLines,
}

/// Type of a command parameter or event field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Text.
    String,
    /// A non-negative number.
    Integer,
    /// `true` / `false`.
    Boolean,
    /// One character.
    Digit,
    /// A JSON object.
    Object,
    /// Text to the end of the line (plain text), a string (JSON).
    Rest,
}

/// One command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandFix {
    /// Fix name.
    pub name: String,
    /// One-line reason (the C function).
    pub reason: String,
    /// The command as sent.
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Only accepted in the JSON format.
    #[serde(default)]
    pub json_only: bool,
    /// Refused on a passthrough connection (an `ERROR` in the releases that
    /// have it, ignored in the older driver): the reason names the guard.
    #[serde(default)]
    pub refused_in_passthrough: bool,
    /// Its line per release.
    pub source: SourceLines,
    /// Parameters (plain text: at most one, after a space).
    #[serde(default)]
    pub param: Vec<ParamFix>,
}

/// One command parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFix {
    /// JSON key.
    pub key: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether the command needs it.
    pub required: bool,
}

/// How an event looks in plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextForm {
    /// The name alone.
    Bare,
    /// The name, then a space and the correlation id when there is one.
    Id,
    /// The name, then `key:value` items separated by spaces.
    Pairs,
}

/// One event.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFix {
    /// Fix name.
    pub name: String,
    /// One-line reason (the C function).
    pub reason: String,
    /// The event name as sent.
    pub wire: String,
    /// Rust variant (and struct) name.
    pub variant: String,
    /// Its plain-text form.
    pub text: TextForm,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Its line per release.
    pub source: SourceLines,
    /// Fields, in the order Asterisk writes them.
    #[serde(default)]
    pub field: Vec<FieldFix>,
}

/// One event field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldFix {
    /// Key (JSON key, and `key:` in plain text).
    pub key: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Releases that send it (default: the event's).
    #[serde(default)]
    pub releases: Option<Vec<String>>,
    /// Formats that carry it, by wire name (default: every format).
    #[serde(default)]
    pub formats: Option<Vec<String>>,
}

/// Drop `left_out` from a fact's releases and source lines; false when none
/// is left.
fn narrow(releases: &mut Vec<String>, source: &mut SourceLines, left_out: &[String]) -> bool {
    releases.retain(|r| !left_out.contains(r));
    source.retain(|r, _| !left_out.contains(r));
    !releases.is_empty()
}

impl MediaFixes {
    /// The facts as if the releases `left_out` did not exist (`generate
    /// --without`): those releases are dropped from every fact and field, and a
    /// fact only they had is left out.
    pub fn without(&self, left_out: &[String]) -> MediaFixes {
        let mut m = self.clone();
        if left_out.is_empty() {
            return m;
        }
        m.format
            .retain_mut(|f| narrow(&mut f.releases, &mut f.source, left_out));
        m.constant
            .retain_mut(|c| narrow(&mut c.releases, &mut c.source, left_out));
        m.command
            .retain_mut(|c| narrow(&mut c.releases, &mut c.source, left_out));
        m.event
            .retain_mut(|e| narrow(&mut e.releases, &mut e.source, left_out));
        for e in &mut m.event {
            e.field.retain_mut(|f| match &mut f.releases {
                Some(list) => {
                    list.retain(|r| !left_out.contains(r));
                    !list.is_empty()
                }
                None => true,
            });
        }
        m
    }

    /// Load `media.toml`; every entry needs a name and a reason.
    pub fn load(path: &Path) -> Result<Self> {
        let m: MediaFixes = super::load_toml(path)?;
        let named = m
            .format
            .iter()
            .map(|f| (&f.name, &f.reason))
            .chain(m.constant.iter().map(|c| (&c.name, &c.reason)))
            .chain(m.command.iter().map(|c| (&c.name, &c.reason)))
            .chain(m.event.iter().map(|e| (&e.name, &e.reason)));
        for (name, reason) in named {
            if name.trim().is_empty() || reason.trim().is_empty() {
                return Err(crate::input_err(
                    path.display(),
                    format!("media fact `{name}` needs a name and a reason"),
                ));
            }
        }
        Ok(m)
    }
}
