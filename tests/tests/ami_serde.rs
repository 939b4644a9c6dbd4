//! AMI events and responses serialize (feature `serde`) as
//! `{name, headers: [[name, value], …], typed fields…}`: a captured 23.4.1 event
//! keeps its name, every header in wire order, and its typed fields.

use asterisk_sdk::ami::{Event, Message};
use asterisk_sdk::runtime::ami::Response;
use serde_json::{Value, json};

#[path = "../fixtures/capture.rs"]
mod capture;

/// The first captured message whose `Event:` is `name`.
fn captured(name: &str) -> Message {
    let data = capture::read("asterisk-23.4.1/ami-session.rx.bin");
    let text = String::from_utf8_lossy(&data).replace("\r\n", "\n");
    text.split("\n\n")
        .map(|frame| Message::parse(frame.to_string().into()))
        .find(|m| m.event_name() == Some(name))
        .unwrap_or_else(|| panic!("no {name} event in the capture"))
}

fn headers_of(m: &Message) -> Vec<Value> {
    m.headers()
        .map(|h| json!([h.name, h.value_str().expect("UTF-8 capture")]))
        .collect()
}

#[test]
fn captured_hangup_serializes_name_headers_and_typed_fields() {
    let raw = captured("Hangup");
    let ev = Event::from_message(raw.clone());
    let Event::Hangup(_) = &ev else {
        panic!("not decoded as Hangup: {ev:?}");
    };
    let v = serde_json::to_value(&ev).expect("serializes");
    assert_eq!(v["name"], "Hangup");
    assert_eq!(v["headers"], Value::Array(headers_of(&raw)));
    // Typed fields: the channel snapshot block, the domain enum as wire text.
    assert_eq!(v["channel"]["channel"], json!(raw.get("Channel")));
    assert_eq!(
        v["channel"]["channel_state"],
        json!(raw.get("ChannelState"))
    );
    assert_eq!(
        v["channel"]["priority"],
        json!(raw.get("Priority").and_then(|p| p.parse::<i64>().ok()))
    );
    assert_eq!(v["channel"]["uniqueid"], json!(raw.get("Uniqueid")));
    assert_eq!(v["cause"], json!(raw.get("Cause")));
}

#[test]
fn unknown_event_and_response_serialize_as_their_message() {
    let raw = Message::from_pairs([("Event", "FutureThing"), ("Answer", "42"), ("Answer", "43")]);
    let v = serde_json::to_value(Event::from_message(raw)).expect("serializes");
    assert_eq!(
        v,
        json!({"name": "FutureThing", "headers": [["Event", "FutureThing"], ["Answer", "42"], ["Answer", "43"]]})
    );
    let r = Response::from_message(Message::from_pairs([
        ("Response", "Error"),
        ("Message", "No such channel"),
    ]));
    let v = serde_json::to_value(&r).expect("serializes");
    assert_eq!(v["name"], "Error");
    assert_eq!(
        v["headers"],
        json!([["Response", "Error"], ["Message", "No such channel"]])
    );
}
