//! Replays real Asterisk 23.4.1 traffic through the generated event types: every
//! event decodes to its typed variant, typed fields parse, and every header on the
//! wire stays reachable through `raw`.
#![cfg(feature = "ami")]

use asterisk_sdk::ami::{Event, EventHeaders, Message};
use asterisk_sdk::runtime::ami::Text;
use std::collections::BTreeMap;

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

/// Split a stream into frames on blank lines.
fn frames(data: &[u8]) -> Vec<Message> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n");
        let (frame, next) = match end {
            Some(e) => (&rest[..e], &rest[e + 4..]),
            None => (rest, &rest[rest.len()..]),
        };
        if !frame.is_empty() {
            out.push(Message::parse(frame.to_vec().into()));
        }
        rest = next;
    }
    out
}

/// Check one typed event: reachability of every header and parse of typed fields.
fn check(ev: &Event) {
    let raw = ev.raw();
    for h in raw.headers() {
        assert!(raw.get_bytes(h.name).is_some(), "{} unreachable", h.name);
    }
    // Typed (non-text) fields: present and non-empty on the wire => Some.
    let dbg = format!("{ev:?}");
    assert!(
        !dbg.contains("Other("),
        "a typed value fell back to the catch-all `Other`: {dbg}"
    );
    if let Event::Hangup(h) = ev {
        assert!(
            h.cause.is_some() && h.channel.channel_state.is_some() && h.channel.priority.is_some()
        );
        assert!(h.channel.uniqueid.is_some());
    }
    if let Event::Cdr(c) = ev {
        assert!(c.duration.is_some() && c.billable_seconds.is_some() && c.disposition.is_some());
    }
    if let Event::DialEnd(d) = ev {
        assert!(
            d.dial_status.is_some() && d.dest.channel.is_some() && d.dest.channel_state.is_some()
        );
    }
    if let Event::LocalBridge(l) = ev {
        assert_eq!(l.local_optimization, Some(true));
        assert!(l.local_one.channel.is_some() && l.local_two.channel.is_some());
    }
    if let Event::DeviceStateChange(d) = ev {
        assert!(d.state.is_some());
    }
}

fn count(msgs: &[Message]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in msgs.iter().filter(|m| m.event_name().is_some()) {
        let ev = Event::from_message(m.clone());
        assert!(!ev.is_unknown(), "unknown event {:?}", m.event_name());
        check(&ev);
        assert_eq!(ev.raw(), m);
        *counts.entry(ev.name().to_string()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn session_events_decode_typed() {
    let data = capture::read("asterisk-23.4.1/ami-session.rx.bin");
    let banner = data.iter().position(|b| *b == b'\n').expect("banner line") + 1;
    let msgs = frames(&data[banner..]);
    let counts = count(&msgs);
    assert!(
        counts.contains_key("CoreShowChannel") && counts.contains_key("UserEvent"),
        "{counts:?}"
    );
    let ping = msgs
        .iter()
        .find(|m| m.action_id() == Some("ping-1"))
        .expect("ping response");
    assert_eq!(ping.get("Ping"), Some("Pong"));
}

#[test]
fn corpus_events_decode_typed_with_counts() {
    let msgs = frames(&capture::read("bench/ami-23.4.1-1000calls.bin.gz"));
    assert_eq!(msgs.len(), 35_000);
    let counts = count(&msgs);
    let expected: BTreeMap<String, usize> = [
        ("CEL", 8000),
        ("DeviceStateChange", 4000),
        ("VarSet", 2000),
        ("Newstate", 2000),
        ("Newexten", 2000),
        ("Newchannel", 2000),
        ("NewConnectedLine", 2000),
        ("NewCallerid", 2000),
        ("Hangup", 2000),
        ("Cdr", 2000),
        ("SoftHangupRequest", 1000),
        ("OriginateResponse", 1000),
        ("LocalBridge", 1000),
        ("HangupRequest", 1000),
        ("DialEnd", 1000),
        ("DialBegin", 1000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, expected);
    let first = msgs
        .iter()
        .find(|m| m.event_name() == Some("Newexten"))
        .unwrap();
    match Event::from_message(first.clone()) {
        Event::NewExten(e) => {
            assert!(e.extension.is_some() && e.channel.channel.is_some());
            assert_eq!(e.privilege(), Some("dialplan,all"));
        }
        other => panic!("Newexten decoded as {}", other.name()),
    }
}

#[test]
fn channel_variables_and_case_variants_decode() {
    let m = Message::from_pairs([
        ("Event", "AsyncAGIExec"),
        ("Channel", "PJSIP/1-0001"),
        ("ChanVariable", "FOO=bar"),
        ("ChanVariable(BAZ)", "qux"),
        ("CommandId", "42"),
    ]);
    let Event::AsyncAgiExec(e) = Event::from_message(m) else {
        panic!("not typed")
    };
    assert_eq!(e.command_id.as_deref(), Some("42"));
    let vars: Vec<(Text, Text)> = e.channel.variables.clone();
    assert_eq!(vars.len(), 2);
    assert_eq!((vars[0].0.as_str(), vars[0].1.as_str()), ("FOO", "bar"));
    assert_eq!((vars[1].0.as_str(), vars[1].1.as_str()), ("BAZ", "qux"));
}
