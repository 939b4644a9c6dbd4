//! Decoding of an ARI message into the variant its `type` selects: the generic
//! half of the generated `AriEvent` (which supplies only the per-`type` match).
//!
//! One set of rules for every way in: from bytes, from UTF-8 text, from a parsed
//! [`serde_json::Value`] and through serde's `Deserialize`. The `type` is read
//! first (from the leading bytes when Asterisk writes it first, else with
//! [`message_type`]), then the body is decoded straight into the selected struct;
//! an unknown or absent `type` keeps the message as a JSON value read as
//! [`UniqueKeys`]. Everything here is generic over [`ByType`], so each call is
//! monomorphised for the generated enum: no dynamic dispatch, no extra copy.

use super::de::{UniqueKeys, leading_type, message_type, value_type};
use super::timestamp::Timestamp;
use serde::Deserializer;
use serde_json::{Error, Value};

/// A message enum with one typed variant per known `type` and a catch-all that
/// keeps any other message as JSON: what the generated `AriEvent` implements.
pub trait ByType: Sized {
    /// Decode `text` as the variant `kind` names; a `kind` without a variant
    /// gives [`unknown_from_text`] (the catch-all).
    fn decode_text(kind: &str, text: &str) -> Result<Self, Error>;

    /// Decode an already parsed `value` as the variant `kind` names; a `kind`
    /// without a variant gives [`ByType::unknown`] of the value.
    fn decode_value(kind: &str, value: Value) -> Result<Self, Error>;

    /// The catch-all variant holding a message as sent.
    fn unknown(raw: Value) -> Self;
}

/// Decode one message from bytes: UTF-8 checked first, then as [`from_text`].
///
/// Errors, whatever the `type`: input that is not one JSON object, a `type` that
/// is not a string, a repeated key in any object, and a known `type` whose body
/// does not match its struct (see [`from_slice_lossless`] for a decoding that
/// keeps such a message).
pub fn from_slice<T: ByType>(bytes: &[u8]) -> Result<T, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => from_text(text),
        // Not UTF-8, so not JSON: report where a JSON reader stops.
        Err(_) => Err(serde_json::from_slice::<Value>(bytes)
            .err()
            .unwrap_or_else(|| <Error as serde::de::Error>::custom("message is not UTF-8"))),
    }
}

/// [`from_slice`] on text already known to be UTF-8.
pub fn from_text<T: ByType>(text: &str) -> Result<T, Error> {
    // Asterisk writes `type` first: read it straight from the prefix.
    match leading_type(text.as_bytes()) {
        Some(kind) => T::decode_text(kind, text),
        None => {
            let kind = message_type(text)?;
            T::decode_text(kind.as_deref().unwrap_or(""), text)
        }
    }
}

/// The catch-all for `text` whose `type` has no variant: the whole message read
/// as [`UniqueKeys`] (so a repeated key is still an error).
pub fn unknown_from_text<T: ByType>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map(|UniqueKeys(raw)| T::unknown(raw))
}

/// Decode without losing a message: a known `type` whose body does not match
/// its struct becomes the catch-all with the raw JSON, and the decoding error is
/// returned beside it. Fails only when the bytes are not JSON.
pub fn from_slice_lossless<T: ByType>(bytes: &[u8]) -> Result<(T, Option<Error>), Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => from_text_lossless(text),
        // Not UTF-8, so not JSON: `from_slice` reports it.
        Err(_) => from_slice(bytes).map(|message| (message, None)),
    }
}

/// [`from_slice_lossless`] on text already known to be UTF-8 (a WebSocket text
/// message).
pub fn from_text_lossless<T: ByType>(text: &str) -> Result<(T, Option<Error>), Error> {
    match from_text(text) {
        Ok(message) => Ok((message, None)),
        Err(typed) => {
            let raw: Value = serde_json::from_str(text)?;
            Ok((T::unknown(raw), Some(typed)))
        }
    }
}

/// Decode an already parsed JSON value, selected by its `type`: the same rules as
/// [`from_slice`] (the value must be an object whose `type`, when present, is a
/// string).
pub fn from_value<T: ByType>(value: Value) -> Result<T, Error> {
    let kind = value_type(&value)?.to_owned();
    T::decode_value(&kind, value)
}

/// serde's way in, for any format: the input read as [`UniqueKeys`], then
/// [`from_value`].
pub fn deserialize<'de, D: Deserializer<'de>, T: ByType>(deserializer: D) -> Result<T, D::Error> {
    let UniqueKeys(value) = serde::Deserialize::deserialize(deserializer)?;
    from_value(value).map_err(<D::Error as serde::de::Error>::custom)
}

/// The string under `key` of a catch-all message; `None` when absent or not a
/// string.
pub fn raw_str<'a>(raw: &'a Value, key: &str) -> Option<&'a str> {
    raw.get(key).and_then(Value::as_str)
}

/// The `timestamp` of a catch-all message; `None` when absent or not an ARI
/// timestamp.
pub fn raw_timestamp(raw: &Value) -> Option<Timestamp> {
    raw_str(raw, "timestamp").and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A two-variant message set standing in for the generated `AriEvent`.
    #[derive(Debug, PartialEq)]
    enum Msg {
        Ping(Ping),
        Unknown(Value),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Ping {
        #[serde(rename = "type")]
        kind: String,
        n: u32,
    }

    impl ByType for Msg {
        fn decode_text(kind: &str, text: &str) -> Result<Self, Error> {
            match kind {
                "Ping" => serde_json::from_str(text).map(Msg::Ping),
                _ => unknown_from_text(text),
            }
        }
        fn decode_value(kind: &str, value: Value) -> Result<Self, Error> {
            match kind {
                "Ping" => serde_json::from_value(value).map(Msg::Ping),
                _ => Ok(Msg::unknown(value)),
            }
        }
        fn unknown(raw: Value) -> Self {
            Msg::Unknown(raw)
        }
    }

    fn ping(n: u32) -> Msg {
        Msg::Ping(Ping {
            kind: "Ping".into(),
            n,
        })
    }

    #[test]
    fn the_type_selects_the_variant_wherever_it_stands() {
        assert_eq!(
            from_slice::<Msg>(br#"{"type":"Ping","n":1}"#).unwrap(),
            ping(1)
        );
        assert_eq!(
            from_text::<Msg>(r#"{"n":2,"type":"Ping"}"#).unwrap(),
            ping(2)
        );
        assert_eq!(
            from_text::<Msg>(r#"{"type":"Pi\u006eg","n":3}"#).unwrap(),
            ping(3)
        );
        let v = serde_json::json!({"n": 4, "type": "Ping"});
        assert_eq!(from_value::<Msg>(v).unwrap(), ping(4));
    }

    #[test]
    fn an_unknown_or_absent_type_keeps_the_message() {
        let m: Msg = from_text(r#"{"type":"Pong","x":[1]}"#).unwrap();
        assert_eq!(
            m,
            Msg::Unknown(serde_json::json!({"type": "Pong", "x": [1]}))
        );
        let m: Msg = from_text(r#"{"x":1}"#).unwrap();
        assert_eq!(m, Msg::Unknown(serde_json::json!({"x": 1})));
        let m: Msg = from_value(serde_json::json!({"x": 2})).unwrap();
        assert_eq!(m, Msg::Unknown(serde_json::json!({"x": 2})));
    }

    #[test]
    fn bad_input_is_an_error_on_every_way_in() {
        for bad in [
            &br#"[1]"#[..],
            br#"{"type":1}"#,
            br#"{"type":"Pong","a":1,"a":2}"#,
            br#"{"type":"Ping","n":"x"}"#,
            b"{\"type\":\"Ping\",\"n\":1\xff}",
        ] {
            assert!(
                from_slice::<Msg>(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(from_value::<Msg>(serde_json::json!([1])).is_err());
        assert!(from_value::<Msg>(serde_json::json!({"type": 1})).is_err());
        let mut de = serde_json::Deserializer::from_str(r#"{"type":"Pong","a":{"b":1,"b":2}}"#);
        assert!(deserialize::<_, Msg>(&mut de).is_err());
        let mut de = serde_json::Deserializer::from_str(r#"{"type":"Ping","n":5}"#);
        assert_eq!(deserialize::<_, Msg>(&mut de).unwrap(), ping(5));
    }

    #[test]
    fn lossless_keeps_a_known_type_with_a_bad_body_and_reports_why() {
        let (m, err) = from_text_lossless::<Msg>(r#"{"type":"Ping","n":"x"}"#).unwrap();
        assert_eq!(
            m,
            Msg::Unknown(serde_json::json!({"type": "Ping", "n": "x"}))
        );
        assert!(err.is_some());
        let (m, err) = from_slice_lossless::<Msg>(br#"{"type":"Ping","n":6}"#).unwrap();
        assert_eq!((m, err.is_none()), (ping(6), true));
        assert!(from_slice_lossless::<Msg>(b"not json").is_err());
        assert!(from_slice_lossless::<Msg>(b"\xff").is_err());
    }

    #[test]
    fn catch_all_fields_are_read_when_they_have_the_right_shape() {
        let raw = serde_json::json!({
            "application": "app",
            "asterisk_id": 7,
            "timestamp": "2024-01-02T03:04:05.678+0000"
        });
        assert_eq!(raw_str(&raw, "application"), Some("app"));
        assert_eq!(raw_str(&raw, "asterisk_id"), None);
        assert_eq!(raw_str(&raw, "type"), None);
        assert!(raw_timestamp(&raw).is_some());
        assert_eq!(
            raw_timestamp(&serde_json::json!({"timestamp": "noon"})),
            None
        );
    }
}
