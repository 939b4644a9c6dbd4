//! JSON written in Asterisk's key order (the capture's): an ordered object
//! builder, the models the mock returns, and the event envelope.

use asterisk_sdk_runtime::ari::Timestamp;
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// The entity id the mock reports (the one of the real capture).
pub const ASTERISK_ID: &str = "02:fc:00:00:00:01";

/// A JSON object whose keys stay in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Obj {
    out: String,
}

impl Obj {
    pub(crate) fn new() -> Self {
        Obj {
            out: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        self.out.push_str(&serde_json::Value::from(key).to_string());
        self.out.push(':');
    }

    /// Add a serializable value.
    pub(crate) fn field(mut self, key: &str, value: impl Serialize) -> Self {
        self.key(key);
        self.out
            .push_str(&serde_json::to_string(&value).unwrap_or_else(|_| "null".into()));
        self
    }

    /// Add JSON text as is (already valid JSON).
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Now, as Asterisk writes it: `2026-11-26T21:17:38.012+0000`.
pub(crate) fn now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let ms = d.subsec_millis();
    Timestamp::from_unix(d.as_secs() as i64, ms * 1_000_000, 0)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// An event message: `type`, `timestamp`, the event's own fields, then
/// `asterisk_id` and `application`.
pub(crate) fn event(kind: &str, application: &str, fields: &[(&str, String)]) -> String {
    let mut o = Obj::new().field("type", kind).field("timestamp", now());
    for (k, raw) in fields {
        o = o.raw(k, raw);
    }
    o.field("asterisk_id", ASTERISK_ID)
        .field("application", application)
        .finish()
}

/// `{"message":"…"}`, Asterisk's error body.
pub(crate) fn message(text: &str) -> String {
    Obj::new().field("message", text).finish()
}
