//! The header types of `specs/fixes/ami_types.toml` checked against real traffic:
//! in every event of the captures, every header the catalog types as a number or a
//! boolean parses as that type when it is present and not empty.

use asterisk_sdk::ami::catalog::EVENTS;
use asterisk_sdk::runtime::ami::{
    EventInfo, Frame, FrameDecoder, FromHeader, Message, SoftHangupFlags,
};
use std::collections::BTreeMap;

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

fn messages(bytes: &[u8]) -> Vec<Message> {
    let mut dec = FrameDecoder::new();
    let mut buf = bytes::BytesMut::from(bytes);
    let mut out = Vec::new();
    while let Some(frame) = dec.decode(&mut buf) {
        if let Ok(Frame::Message(m)) = frame {
            out.push(m);
        }
    }
    out
}

fn parses(ty: &str, value: &str) -> bool {
    match ty {
        "bool" => bool::from_header(value).is_some(),
        "i64" => i64::from_header(value).is_some(),
        "u64" => u64::from_header(value).is_some(),
        "u32" => u32::from_header(value).is_some(),
        "f64" => f64::from_header(value).is_some(),
        "runtime:SoftHangupFlags" => SoftHangupFlags::from_header(value).is_some(),
        _ => true,
    }
}

/// (typed values checked, failures as "Event.Header=value").
fn check(msgs: &[Message]) -> (usize, Vec<String>) {
    let by_wire: BTreeMap<String, &EventInfo> = EVENTS
        .iter()
        .map(|e| (e.wire_name.to_ascii_lowercase(), e))
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for m in msgs {
        let Some(name) = m.event_name() else { continue };
        let Some(info) = by_wire.get(&name.to_ascii_lowercase()) else {
            continue;
        };
        assert_eq!(info.fields.len(), info.types.len(), "{}", info.name);
        for h in m.headers() {
            let Some(pos) = info
                .fields
                .iter()
                .position(|f| f.eq_ignore_ascii_case(h.name))
            else {
                continue;
            };
            let ty = info.types[pos];
            let value = h.value_str().unwrap_or("");
            if value.trim().is_empty() || matches!(ty, "text" | "enum") || ty.starts_with("domain:")
            {
                continue;
            }
            checked += 1;
            if !parses(ty, value) {
                failures.push(format!("{}.{}={value:?} ({ty})", info.name, h.name));
            }
        }
    }
    (checked, failures)
}

#[test]
fn typed_headers_parse_in_the_1000_call_corpus() {
    let msgs = messages(&capture::read("bench/ami-23.4.1-1000calls.bin.gz"));
    assert_eq!(msgs.len(), 35_000);
    let (checked, failures) = check(&msgs);
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(checked >= 20_000, "only {checked} typed values checked");
}

#[test]
fn typed_headers_parse_in_the_session_capture() {
    let msgs = messages(&capture::read("asterisk-23.4.1/ami-session.rx.bin"));
    let (checked, failures) = check(&msgs);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(checked >= 30, "only {checked} typed values checked");
}

#[test]
fn catalog_types_every_field() {
    for e in EVENTS {
        assert_eq!(e.fields.len(), e.types.len(), "{}", e.name);
        for t in e.types {
            assert!(
                matches!(*t, "text" | "bool" | "i64" | "u64" | "u32" | "f64" | "enum")
                    || t.starts_with("domain:")
                    || *t == "runtime:SoftHangupFlags",
                "{}: unknown type {t}",
                e.name
            );
        }
    }
}
