//! Every message of a real Asterisk 23.4.1 events WebSocket capture decodes to a
//! typed `AriEvent` and serializes back to the same JSON.
#![cfg(feature = "ari")]

use asterisk_sdk::ari::models::{ChannelState, PlaybackState};
use asterisk_sdk::ari::{AriEvent, Timestamp};
use serde_json::{Value, json};

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

fn capture() -> Vec<String> {
    let text = String::from_utf8(capture::read("asterisk-23.4.1/ari-events.jsonl"))
        .expect("the events capture is UTF-8");
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 24, "messages in the events capture");
    lines
}

fn decode(line: &str) -> AriEvent {
    AriEvent::from_slice(line.as_bytes()).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn every_message_is_typed_and_round_trips() {
    for line in capture() {
        let event = decode(&line);
        assert!(!event.is_unknown(), "untyped: {line}");
        let input: Value = serde_json::from_str(&line).expect("capture line is JSON");
        assert_eq!(event.event_type(), input["type"]);
        let output = serde_json::to_value(&event).expect("serializes");
        assert_eq!(output, input, "round trip of {}", event.event_type());
        // The lossless and value paths agree with the typed one.
        let (lossless, err) = AriEvent::from_slice_lossless(line.as_bytes()).expect("JSON");
        assert!(err.is_none());
        assert_eq!(lossless, event);
        let (from_text, err) = AriEvent::from_text_lossless(&line).expect("JSON");
        assert!(err.is_none());
        assert_eq!(from_text, event);
        assert_eq!(line.parse::<AriEvent>().expect("typed"), event);
        assert_eq!(AriEvent::from_value(input).expect("typed"), event);
    }
}

#[test]
fn header_accessors() {
    let ts: Timestamp = "2026-11-26T21:17:38.012+0000".parse().expect("timestamp");
    for line in capture() {
        let event = decode(&line);
        assert_eq!(event.application(), Some("test-app"));
        assert_eq!(event.asterisk_id(), Some("02:fc:00:00:00:01"));
        let t = event.timestamp().expect("every event has a timestamp");
        assert!(t.unix_seconds() >= ts.unix_seconds());
    }
}

#[test]
fn typed_values() {
    let lines = capture();
    let events: Vec<AriEvent> = lines.iter().map(|l| decode(l)).collect();

    let start = events
        .iter()
        .find_map(|e| match e {
            AriEvent::StasisStart(s) => Some(s),
            _ => None,
        })
        .expect("a StasisStart");
    assert_eq!(start.channel.id, "1795727858.4");
    assert_eq!(start.args, ["originated"]);
    assert_eq!(start.timestamp.to_string(), "2026-11-26T21:17:38.014+0000");
    assert_eq!(start.channel.state, ChannelState::Up);
    let second = events
        .iter()
        .filter_map(|e| match e {
            AriEvent::StasisStart(s) => Some(s),
            _ => None,
        })
        .nth(1)
        .expect("a second StasisStart");
    assert_eq!(second.channel.id, "1795727858.5");
    assert_eq!(second.args, ["arg1", "arg2"]);

    let finished = events
        .iter()
        .find_map(|e| match e {
            AriEvent::PlaybackFinished(p) => Some(p),
            _ => None,
        })
        .expect("a PlaybackFinished");
    assert_eq!(finished.playback.state, PlaybackState::Done);
    assert_eq!(finished.playback.state.as_str(), "done");
    assert_eq!(finished.playback.id, "pb-hello-1");
    assert_eq!(finished.playback.target_uri, "channel:1795727858.4");

    let destroyed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            AriEvent::ChannelDestroyed(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(destroyed.len(), 2);
    for d in destroyed {
        assert_eq!(d.cause, 16);
        assert_eq!(d.cause_txt, "Normal Clearing");
        assert_eq!(d.tech_cause, None, "not sent in the capture");
    }
}

#[test]
fn stasis_start_args_and_channel() {
    let line = capture()
        .into_iter()
        .find(|l| l.contains("\"StasisStart\""))
        .expect("a StasisStart line");
    let raw: Value = serde_json::from_str(&line).expect("JSON");
    let AriEvent::StasisStart(s) = decode(&line) else {
        panic!("not StasisStart")
    };
    let args: Vec<String> = serde_json::from_value(raw["args"].clone()).expect("args");
    assert_eq!(s.args, args);
    assert_eq!(s.channel.id, raw["channel"]["id"]);
    assert_eq!(s.channel.name, raw["channel"]["name"]);
}

#[test]
fn unknown_type_is_kept() {
    let line = r#"{"type":"SomethingNew","application":"a","timestamp":"2026-11-26T21:17:38.012+0000","x":[1,2]}"#;
    let event = decode(line);
    assert!(event.is_unknown());
    assert_eq!(event.event_type(), "SomethingNew");
    assert_eq!(event.application(), Some("a"));
    assert_eq!(
        event.timestamp().map(|t| t.unix_millis()),
        Some(1_795_727_858_012)
    );
    let back = serde_json::to_value(&event).expect("serializes");
    assert_eq!(back, serde_json::from_str::<Value>(line).expect("JSON"));

    let no_type = decode(r#"{"message":"oops"}"#);
    assert!(no_type.is_unknown());
    assert_eq!(no_type.event_type(), "");
}

#[test]
fn unknown_field_is_kept() {
    let mut raw: Value = serde_json::from_str(
        capture()
            .iter()
            .find(|l| l.contains("\"ChannelDestroyed\""))
            .expect("a ChannelDestroyed line"),
    )
    .expect("JSON");
    raw["brand_new"] = json!({"nested": [true, null]});
    raw["channel"]["also_new"] = json!(7);
    let bytes = serde_json::to_vec(&raw).expect("serializes");
    let event = AriEvent::from_slice(&bytes).expect("typed");
    let AriEvent::ChannelDestroyed(d) = &event else {
        panic!("not ChannelDestroyed")
    };
    assert_eq!(
        d.extra.get("brand_new"),
        Some(&json!({"nested": [true, null]}))
    );
    assert_eq!(d.channel.extra.get("also_new"), Some(&json!(7)));
    assert_eq!(serde_json::to_value(&event).expect("serializes"), raw);
}

#[test]
fn mismatched_known_type_is_not_dropped() {
    // `cause` must be an integer.
    let line = r#"{"type":"ChannelDestroyed","application":"a","timestamp":"2026-11-26T21:17:38.012+0000","cause":"x","cause_txt":"","channel":{}}"#;
    assert!(AriEvent::from_slice(line.as_bytes()).is_err());
    let (event, err) = AriEvent::from_slice_lossless(line.as_bytes()).expect("JSON");
    assert!(err.is_some());
    assert!(event.is_unknown());
    assert_eq!(event.event_type(), "ChannelDestroyed");
    assert!(AriEvent::from_slice_lossless(b"not json").is_err());
    assert!(AriEvent::from_slice_lossless(b"{\"type\":\"\xff\"}").is_err());
    // The text path (WebSocket text messages) behaves the same.
    let (text_event, text_err) = AriEvent::from_text_lossless(line).expect("JSON");
    assert!(text_err.is_some());
    assert_eq!(text_event, event);
    assert!(AriEvent::from_text_lossless("not json").is_err());
}

#[test]
fn open_enums_keep_unknown_values() {
    let s: ChannelState = serde_json::from_value(json!("Quantum")).expect("any string");
    assert_eq!(s, ChannelState::Other("Quantum".into()));
    assert!(!s.is_known());
    assert_eq!(
        serde_json::to_value(&s).expect("serializes"),
        json!("Quantum")
    );
    assert_eq!(
        ChannelState::from("Dialing Offhook"),
        ChannelState::DialingOffhook
    );
    // The documented value `Unknown` is a known variant, not the catch-all.
    assert_eq!(ChannelState::from("Unknown"), ChannelState::Unknown);
    assert!(ChannelState::Unknown.is_known());
    assert_eq!(ChannelState::Unknown.to_string(), "Unknown");
    assert!(ChannelState::KNOWN.iter().any(|v| v.as_str() == "Pre-ring"));
}

#[test]
fn every_type_has_a_variant_and_serde_impl_matches() {
    assert_eq!(AriEvent::TYPES.len(), 46);
    for t in [
        "CallBroadcast",
        "CallClaimed",
        "ChannelToneDetected",
        "RESTResponse",
        "MissingParams",
    ] {
        assert!(AriEvent::TYPES.contains(&t), "{t}");
    }
    let line = &capture()[0];
    let via_serde: AriEvent = serde_json::from_str(line).expect("Deserialize impl");
    assert_eq!(via_serde, decode(line));
}

#[test]
fn wide_events_are_boxed_and_read_like_the_others() {
    use asterisk_sdk::ari::models::{BridgeAttendedTransfer, Dial, StasisStart};
    use std::mem::size_of;
    // The 11-channel transfer event does not set the width of every event.
    assert!(size_of::<AriEvent>() < size_of::<BridgeAttendedTransfer>() / 4);
    assert!(size_of::<AriEvent>() <= size_of::<StasisStart>() + 8);
    let dials: Vec<Box<Dial>> = capture()
        .iter()
        .filter_map(|l| match decode(l) {
            AriEvent::Dial(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(dials.len(), 2);
    assert!(dials.iter().all(|d| !d.peer.name.is_empty()));
    // `From` boxes too.
    let first = *dials[0].clone();
    assert_eq!(AriEvent::from(first), AriEvent::Dial(dials[0].clone()));
}
