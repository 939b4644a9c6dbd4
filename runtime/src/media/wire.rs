//! The control messages' two syntaxes, as the generated command and event types
//! use them: plain text (`NAME`, `NAME id`, `NAME key:value key:value`) and JSON
//! (`{"event": …}` from Asterisk, `{"command": …}` to it), with typed errors.

use serde_json::{Map, Value};

/// The format of control messages (TEXT frames) on one media connection,
/// chosen by Asterisk (dial option `f(json)` or `chan_websocket.conf`
/// `control_message_format`); the session reads it from `MEDIA_START`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ControlFormat {
    /// `plain-text` (the default, and the only one of the oldest drivers).
    PlainText,
    /// `json`.
    Json,
}

impl ControlFormat {
    /// The format a received control message is written in: JSON when it starts
    /// with `{`.
    pub fn of_message(text: &str) -> ControlFormat {
        if text.trim_start().starts_with('{') {
            ControlFormat::Json
        } else {
            ControlFormat::PlainText
        }
    }

    /// The name Asterisk's configuration uses (`plain-text`, `json`).
    pub fn as_str(self) -> &'static str {
        match self {
            ControlFormat::PlainText => "plain-text",
            ControlFormat::Json => "json",
        }
    }
}

/// Why a control message from Asterisk could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaDecodeError {
    /// The message is empty (or only white space).
    #[error("empty control message")]
    Empty,
    /// It starts like JSON but does not parse as a JSON object.
    #[error("control message is not a JSON object: {0}")]
    Json(String),
    /// A JSON message without a string `event`.
    #[error("JSON control message without an \"event\" name")]
    MissingName,
    /// A field the event always carries is missing.
    #[error("{event}: missing field `{field}`")]
    MissingField {
        /// The event name.
        event: String,
        /// The field key.
        field: &'static str,
    },
    /// A field has a value of the wrong type.
    #[error("{event}: field `{field}` has an invalid value {value:?} (expected {expected})")]
    InvalidField {
        /// The event name.
        event: String,
        /// The field key.
        field: &'static str,
        /// The value received (JSON text for JSON messages).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// Why a command could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaEncodeError {
    /// Asterisk accepts this command only in the JSON format.
    #[error("{command} is only accepted in the JSON control format")]
    JsonOnly {
        /// The command name.
        command: &'static str,
    },
    /// Asterisk ignores TEXT messages longer than its limit.
    #[error("{command} would be {len} bytes; Asterisk ignores control messages over {max} bytes")]
    TooLong {
        /// The command name.
        command: &'static str,
        /// Its encoded length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A parameter cannot be carried in plain text: empty, a line break, or
    /// leading or trailing whitespace (Asterisk strips the message and splits
    /// it at the first space, so such a value would come back changed).
    #[error(
        "{command}: parameter `{param}` cannot be sent in plain text (empty, a line break, or leading/trailing whitespace)"
    )]
    InvalidParameter {
        /// The command name.
        command: &'static str,
        /// The parameter key.
        param: &'static str,
    },
}

/// An event this SDK does not know, kept as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMediaEvent {
    /// Its name (`event` in JSON, the first word in plain text).
    pub name: String,
    /// The whole message.
    pub text: String,
}

/// A received control message split into its name and body.
#[derive(Debug, Clone, PartialEq)]
pub enum Received<'a> {
    /// Plain text: the first word and the rest after one space (may be empty).
    Text {
        /// The event name.
        name: &'a str,
        /// What follows it.
        rest: &'a str,
    },
    /// JSON: the `event` name and the whole object.
    Json {
        /// The event name.
        name: String,
        /// The object.
        object: Map<String, Value>,
    },
}

impl<'a> Received<'a> {
    /// Split a control message (either format).
    pub fn parse(text: &'a str) -> Result<Received<'a>, MediaDecodeError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MediaDecodeError::Empty);
        }
        if ControlFormat::of_message(trimmed) == ControlFormat::Json {
            let (name, object) = json_named(trimmed, "event")?;
            return Ok(Received::Json { name, object });
        }
        let (name, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        Ok(Received::Text {
            name,
            rest: rest.trim_start(),
        })
    }
}

/// A JSON object and its string `key` (`event` or `command`).
fn json_named(text: &str, key: &str) -> Result<(String, Map<String, Value>), MediaDecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| MediaDecodeError::Json(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(MediaDecodeError::Json("not an object".into()));
    };
    let name = object
        .get(key)
        .and_then(Value::as_str)
        .ok_or(MediaDecodeError::MissingName)?
        .to_string();
    Ok((name, object))
}

/// The `key:value` items of a plain-text event body, in order. When `rest_key`
/// is given, the item with that key takes everything after `key:` to the end.
pub fn text_pairs<'a>(body: &'a str, rest_key: Option<&str>) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        if let Some(key) = rest_key
            && let Some(value) = rest.strip_prefix(key).and_then(|r| r.strip_prefix(':'))
        {
            out.push((&rest[..key.len()], value));
            break;
        }
        let (item, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        if let Some((k, v)) = item.split_once(':') {
            out.push((k, v));
        }
        rest = tail.trim_start();
    }
    out
}

/// A field value as plain text and JSON carry it.
pub trait FieldValue: Sized {
    /// What a valid value looks like, for errors.
    const EXPECTED: &'static str;
    /// From its plain-text form.
    fn from_text(text: &str) -> Option<Self>;
    /// From its JSON form.
    fn from_json(value: &Value) -> Option<Self>;
    /// Its plain-text form.
    fn to_text(&self) -> String;
    /// Its JSON form.
    fn to_json(&self) -> Value;
}

impl FieldValue for String {
    const EXPECTED: &'static str = "text";
    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_string())
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_string)
    }
    fn to_text(&self) -> String {
        self.clone()
    }
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl FieldValue for u32 {
    const EXPECTED: &'static str = "a non-negative integer";
    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_u64().and_then(|n| u32::try_from(n).ok())
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FieldValue for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_text(text: &str) -> Option<Self> {
        match text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_bool()
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FieldValue for char {
    const EXPECTED: &'static str = "one character";
    fn from_text(text: &str) -> Option<Self> {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().and_then(Self::from_text)
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn to_json(&self) -> Value {
        Value::from(self.to_string())
    }
}

impl FieldValue for Map<String, Value> {
    const EXPECTED: &'static str = "a JSON object";
    fn from_text(_text: &str) -> Option<Self> {
        None
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_object().cloned()
    }
    fn to_text(&self) -> String {
        Value::Object(self.clone()).to_string()
    }
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}

/// Field `key` of a plain-text event, if present and valid.
pub fn text_field<T: FieldValue>(
    pairs: &[(&str, &str)],
    event: &str,
    key: &'static str,
) -> Result<Option<T>, MediaDecodeError> {
    match pairs.iter().find(|(k, _)| *k == key) {
        None => Ok(None),
        Some((_, v)) => T::from_text(v)
            .map(Some)
            .ok_or_else(|| invalid::<T>(event, key, v.to_string())),
    }
}

/// Field `key` of a JSON event, if present (and not null) and valid.
pub fn json_field<T: FieldValue>(
    object: &Map<String, Value>,
    event: &str,
    key: &'static str,
) -> Result<Option<T>, MediaDecodeError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::from_json(v)
            .map(Some)
            .ok_or_else(|| invalid::<T>(event, key, v.to_string())),
    }
}

/// A field the event always carries.
pub fn required<T>(
    value: Option<T>,
    event: &str,
    key: &'static str,
) -> Result<T, MediaDecodeError> {
    value.ok_or_else(|| MediaDecodeError::MissingField {
        event: event.to_string(),
        field: key,
    })
}

/// A correlation id: an empty one (JSON sends `""` when none was given) is none.
pub fn correlation_id(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn invalid<T: FieldValue>(event: &str, key: &'static str, value: String) -> MediaDecodeError {
    MediaDecodeError::InvalidField {
        event: event.to_string(),
        field: key,
        value,
        expected: T::EXPECTED,
    }
}

/// A command in plain text: its name, then the parameter after a space.
pub fn text_command(
    command: &'static str,
    param: Option<(&'static str, &str)>,
    max: usize,
) -> Result<String, MediaEncodeError> {
    let text = match param {
        Some((key, value)) => {
            if value.is_empty() || value.contains(['\n', '\r']) || value.trim() != value {
                return Err(MediaEncodeError::InvalidParameter {
                    command,
                    param: key,
                });
            }
            format!("{command} {value}")
        }
        None => command.to_string(),
    };
    within(command, text, max)
}

/// A command in JSON: `{"command": NAME, …params}`.
pub fn json_command(
    command: &'static str,
    params: &[(&'static str, Value)],
    max: usize,
) -> Result<String, MediaEncodeError> {
    let mut object = Map::new();
    object.insert("command".into(), Value::from(command));
    for (k, v) in params {
        object.insert((*k).into(), v.clone());
    }
    within(command, Value::Object(object).to_string(), max)
}

/// An event in plain text: the name, then `key:value` items (the mock's side).
#[doc(hidden)]
pub fn text_event(name: &str, pairs: &[(&str, String)]) -> String {
    let mut out = name.to_string();
    for (k, v) in pairs {
        out.push(' ');
        out.push_str(k);
        out.push(':');
        out.push_str(v);
    }
    out
}

/// An event in JSON: `{"event": NAME, …fields}` (the mock's side).
#[doc(hidden)]
pub fn json_event(name: &str, fields: Vec<(&str, Value)>) -> String {
    let mut object = Map::new();
    object.insert("event".into(), Value::from(name));
    for (k, v) in fields {
        object.insert(k.into(), v);
    }
    Value::Object(object).to_string()
}

/// A received command split into its name and parameters (the mock's side):
/// plain text `NAME data`, JSON `{"command": NAME, …}`.
#[doc(hidden)]
pub fn split_command(text: &str) -> Result<(String, CommandBody), MediaDecodeError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(MediaDecodeError::Empty);
    }
    if ControlFormat::of_message(trimmed) == ControlFormat::Json {
        let (name, object) = json_named(trimmed, "command")?;
        return Ok((name, CommandBody::Json(object)));
    }
    let (name, data) = match trimmed.split_once(' ') {
        Some((name, data)) => (name, Some(data.to_string())),
        None => (trimmed, None),
    };
    Ok((name.to_string(), CommandBody::Text(data)))
}

/// The parameters of a received command.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandBody {
    /// Plain text: what follows the name and a space, if anything.
    Text(Option<String>),
    /// JSON: the whole object.
    Json(Map<String, Value>),
}

fn within(command: &'static str, text: String, max: usize) -> Result<String, MediaEncodeError> {
    if text.len() > max {
        return Err(MediaEncodeError::TooLong {
            command,
            len: text.len(),
            max,
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_plain_text_and_json() {
        assert_eq!(
            Received::parse("MEDIA_XOFF"),
            Ok(Received::Text {
                name: "MEDIA_XOFF",
                rest: ""
            })
        );
        assert_eq!(
            Received::parse("MEDIA_MARK_PROCESSED  m 1 "),
            Ok(Received::Text {
                name: "MEDIA_MARK_PROCESSED",
                rest: "m 1"
            })
        );
        let Ok(Received::Json { name, object }) =
            Received::parse(r#"{"event":"MEDIA_XON","channel_id":"1.2"}"#)
        else {
            panic!("JSON not split");
        };
        assert_eq!(name, "MEDIA_XON");
        assert_eq!(object.get("channel_id"), Some(&Value::from("1.2")));
        assert_eq!(Received::parse("  "), Err(MediaDecodeError::Empty));
        assert_eq!(
            Received::parse(r#"{"x":1}"#),
            Err(MediaDecodeError::MissingName)
        );
        assert!(matches!(
            Received::parse("{oops"),
            Err(MediaDecodeError::Json(_))
        ));
        assert!(matches!(Received::parse("[1]"), Ok(Received::Text { .. })));
    }

    #[test]
    fn pairs_keep_a_rest_field_whole() {
        let p = text_pairs(
            "channel_id:1.2 error_text:MARK_MEDIA not supported: x",
            Some("error_text"),
        );
        assert_eq!(
            p,
            vec![
                ("channel_id", "1.2"),
                ("error_text", "MARK_MEDIA not supported: x")
            ]
        );
        let p = text_pairs("digit:5 channel_id:9.1 junk", None);
        assert_eq!(p, vec![("digit", "5"), ("channel_id", "9.1")]);
    }

    #[test]
    fn fields_are_typed() {
        let pairs = [("n", "12"), ("b", "maybe")];
        assert_eq!(text_field::<u32>(&pairs, "E", "n"), Ok(Some(12)));
        assert!(matches!(
            text_field::<bool>(&pairs, "E", "b"),
            Err(MediaDecodeError::InvalidField { field: "b", .. })
        ));
        assert_eq!(text_field::<u32>(&pairs, "E", "x"), Ok(None));
        assert!(matches!(
            required::<u32>(None, "E", "x"),
            Err(MediaDecodeError::MissingField { field: "x", .. })
        ));
        let mut object = Map::new();
        object.insert("n".into(), Value::from(-1));
        assert!(json_field::<u32>(&object, "E", "n").is_err());
    }

    #[test]
    fn commands_respect_the_limit_and_lines() {
        assert_eq!(
            text_command("MARK_MEDIA", Some(("correlation_id", "a b")), 128).as_deref(),
            Ok("MARK_MEDIA a b")
        );
        assert!(matches!(
            text_command("MARK_MEDIA", Some(("correlation_id", "a\nb")), 128),
            Err(MediaEncodeError::InvalidParameter { .. })
        ));
        for bad in ["", " a", "a ", "a\t", "\ta"] {
            assert!(
                matches!(
                    text_command("MARK_MEDIA", Some(("correlation_id", bad)), 128),
                    Err(MediaEncodeError::InvalidParameter { .. })
                ),
                "{bad:?} was accepted"
            );
        }
        let long = "x".repeat(200);
        assert!(matches!(
            text_command("MARK_MEDIA", Some(("correlation_id", &long)), 128),
            Err(MediaEncodeError::TooLong { len: 211, .. })
        ));
        assert_eq!(
            json_command(
                "SET_MEDIA_DIRECTION",
                &[("direction", Value::from("in"))],
                128
            )
            .as_deref(),
            Ok(r#"{"command":"SET_MEDIA_DIRECTION","direction":"in"}"#)
        );
    }
}
