//! Every enum-typed header value in every committed AMI capture is a value its
//! type knows (the catalog's `EventInfo::enum_values`, checked on the raw header
//! so this does not depend on variant names), apart from a short allowlist of
//! headers whose values are really open.
#![cfg(feature = "ami")]

use asterisk_sdk::ami::catalog::EVENTS;
use asterisk_sdk::ami::{Event, Message};
use asterisk_sdk::runtime::ami::{EventInfo, Frame, FrameDecoder, SoftHangupFlags};
use bytes::BytesMut;
use std::collections::BTreeMap;

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

/// Headers whose values are open by nature, with why: a value outside the
/// known list there is not a typing mistake.
const OPEN: &[(&str, &str, &str)] = &[];

/// The AMI captures under `tests/fixtures`: raw byte streams, and `.txt`
/// transcripts (only what Asterisk sent is read).
const STREAMS: &[&str] = &[
    "asterisk-23.4.1/ami-session.rx.bin",
    "bench/ami-23.4.1-1000calls.bin.gz",
];
const TRANSCRIPTS: &[&str] = &[
    "asterisk-23.4.1/ami-session.txt",
    "asterisk-23.4.1/ami-md5-login.txt",
    "asterisk-23.4.1/asyncagi-session.txt",
];

fn frames(bytes: &[u8]) -> Vec<Message> {
    let mut buf = BytesMut::from(bytes);
    let mut decoder = FrameDecoder::new();
    let mut out = Vec::new();
    while let Some(frame) = decoder.decode(&mut buf) {
        match frame {
            Ok(Frame::Message(m)) => out.push(m),
            Ok(Frame::Banner(_)) => {}
            Err(e) => panic!("capture does not frame: {e}"),
        }
    }
    out
}

fn info(event: &str) -> Option<&'static EventInfo> {
    EVENTS
        .iter()
        .find(|e| e.wire_name.eq_ignore_ascii_case(event))
}

/// Every `(event, header, value)` of an enum-typed header whose value its type
/// does not know (allowlist aside); counts the values checked into `checked`.
fn unknown_values(msgs: &[Message], checked: &mut usize) -> Vec<(String, String, String)> {
    let mut bad = Vec::new();
    for m in msgs {
        let Some(name) = m.event_name() else { continue };
        let Some(info) = info(name) else { continue };
        for (header, known) in info.enum_values {
            let Some(value) = m.get(header) else { continue };
            if value.is_empty() {
                continue;
            }
            *checked += 1;
            let open = OPEN
                .iter()
                .any(|(e, h, _)| e.eq_ignore_ascii_case(name) && h.eq_ignore_ascii_case(header));
            if !open && !known.contains(&value) {
                bad.push((name.to_string(), header.to_string(), value.to_string()));
            }
        }
    }
    bad
}

#[test]
fn every_enum_value_in_every_capture_is_known() {
    let mut all = BTreeMap::new();
    for rel in STREAMS {
        all.insert(*rel, frames(&capture::read(rel)));
    }
    for rel in TRANSCRIPTS {
        all.insert(*rel, frames(&capture::server_bytes(rel)));
    }
    let mut checked = 0;
    let mut bad = Vec::new();
    for (rel, msgs) in &all {
        assert!(!msgs.is_empty(), "{rel}: no messages");
        for b in unknown_values(msgs, &mut checked) {
            bad.push((rel.to_string(), b));
        }
    }
    // The corpus alone has 2000 Hangup causes and 4000 device states.
    assert!(checked > 10_000, "only {checked} enum values checked");
    assert!(bad.is_empty(), "unknown enum values: {bad:#?}");
}

#[test]
fn every_ami_capture_is_covered() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut found = Vec::new();
    for sub in ["asterisk-23.4.1", "bench"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let ami = (name.starts_with("ami-") || name.starts_with("asyncagi-"))
                && !name.starts_with("ami-http")
                && !name.ends_with(".tx.bin");
            if ami {
                found.push(format!("{sub}/{name}"));
            }
        }
    }
    found.sort();
    let mut listed: Vec<String> = STREAMS
        .iter()
        .chain(TRANSCRIPTS)
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(found, listed, "an AMI capture is not checked");
}

#[test]
fn an_unknown_value_is_reported() {
    let msgs = [
        Message::from_pairs([("Event", "DialEnd"), ("DialStatus", "ANSWER")]),
        Message::from_pairs([("Event", "DialState"), ("DialStatus", "ANSWER")]),
        Message::from_pairs([("Event", "Hangup"), ("Cause", "16")]),
    ];
    let mut checked = 0;
    let bad = unknown_values(&msgs, &mut checked);
    assert_eq!(checked, 3);
    assert_eq!(
        bad,
        [("DialState".into(), "DialStatus".into(), "ANSWER".into())]
    );
}

#[test]
fn soft_hangup_causes_are_flags_not_q850() {
    let msgs = frames(&capture::read("bench/ami-23.4.1-1000calls.bin.gz"));
    let mut n = 0;
    for m in msgs
        .iter()
        .filter(|m| m.event_name() == Some("SoftHangupRequest"))
    {
        let Event::SoftHangupRequest(e) = Event::from_message(m.clone()) else {
            panic!("not typed: {m:?}")
        };
        let cause = e.cause.expect("a Cause");
        // __ast_pbx_run (main/pbx.c) ends each dialplan run with
        // ast_softhangup(c, AST_SOFTHANGUP_APPUNLOAD): 16 is that flag, not Q.850 16.
        assert_eq!(cause, SoftHangupFlags::APPUNLOAD, "{m:?}");
        assert_eq!(cause.unknown_bits(), 0);
        n += 1;
    }
    assert_eq!(n, 1000);
}
