//! Serialization of received AMI messages (feature `serde`): a message becomes
//! `{"name": <event or response name>, "headers": [[name, value], …]}`, every
//! header in wire order, repeats kept.

use super::message::Message;
use super::response::Response;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// The headers of a message as a sequence of `[name, value]` pairs in wire order.
///
/// Values that are not UTF-8 are written with U+FFFD in place of the bad bytes;
/// everything else is written exactly as received. Generated event types use it
/// for their `headers` key.
#[derive(Debug, Clone, Copy)]
pub struct WireHeaders<'a>(pub &'a Message);

impl Serialize for WireHeaders<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for h in self.0.headers() {
            seq.serialize_element(&(h.name, self.0.value_text(h.index).as_str()))?;
        }
        seq.end()
    }
}

/// The `Event:` value of an event, else the `Response:` value, else none.
fn message_name(m: &Message) -> Option<&str> {
    m.event_name().or_else(|| m.response())
}

impl Serialize for Message {
    /// `{"name": <Event or Response value, or null>, "headers": [[name, value], …]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("name", &message_name(self))?;
        map.serialize_entry("headers", &WireHeaders(self))?;
        map.end()
    }
}

impl Serialize for Response {
    /// The response's message, as for [`Message`] (`name` is the `Response:` value).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_serializes_name_and_every_header_in_order() {
        let m = Message::from_pairs([
            ("Event", "VarSet"),
            ("Variable", "A"),
            ("Value", "1"),
            ("Variable", "B"),
        ]);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "name": "VarSet",
                "headers": [["Event", "VarSet"], ["Variable", "A"], ["Value", "1"], ["Variable", "B"]]
            })
        );
    }

    #[test]
    fn response_serializes_its_message() {
        let r = Response::from_message(Message::from_pairs([
            ("Response", "Success"),
            ("ActionID", "7"),
            ("Message", "Pong"),
        ]));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["name"], "Success");
        assert_eq!(json["headers"][1], serde_json::json!(["ActionID", "7"]));
        assert_eq!(json["headers"].as_array().map(Vec::len), Some(3));
    }
}
