//! The live model over the committed capture of 1,000 real calls (Asterisk
//! 23.4.1): every call starts and finishes, nothing is left behind, and every
//! hangup cause is a typed one.

use asterisk_sdk::domain::HangupCause;
use asterisk_sdk::live::{Change, EndReason, LiveModel, decode_capture};
use asterisk_sdk::runtime::clock::ManualClock;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[path = "../fixtures/capture.rs"]
mod capture;

#[test]
fn the_1000_call_capture_replays_to_1000_finished_calls_and_nothing_left() {
    let bytes = capture::read("bench/ami-23.4.1-1000calls.bin.gz");
    let decoded = decode_capture(&bytes);
    assert!(decoded.errors.is_empty(), "{:?}", decoded.errors.first());
    assert_eq!(decoded.trailing_bytes, 0);
    assert_eq!(decoded.events.len(), 34_000);
    assert_eq!(decoded.responses, 1_000);

    let clock = Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_727_965),
    ));
    let mut model = LiveModel::with_clock(clock.clone()).history(4);
    let mut started = HashSet::new();
    let mut answered = HashSet::new();
    let mut ended = Vec::new();
    for event in &decoded.events {
        clock.advance(Duration::from_millis(1));
        for change in model.apply(event) {
            match change {
                Change::CallStarted { linkedid, .. } => assert!(started.insert(linkedid)),
                Change::CallAnswered { linkedid, .. } => assert!(answered.insert(linkedid)),
                Change::CallEnded {
                    linkedid,
                    cause,
                    cause_text,
                    duration,
                    channels,
                    reason,
                    ..
                } => {
                    assert_eq!(reason, EndReason::Event);
                    let cause = cause.unwrap_or_else(|| panic!("{linkedid}: no cause"));
                    assert!(cause.is_known(), "{linkedid}: cause {cause:?} is not typed");
                    // The capture's dialplan hangs up with Hangup() and no
                    // cause: Asterisk reports 0 (AST_CAUSE_NOTDEFINED), "Unknown".
                    assert_eq!(cause, HangupCause::NotDefined, "{linkedid}");
                    assert_eq!(cause_text.as_deref(), Some("Unknown"));
                    assert!(duration > Duration::ZERO);
                    // Each call of the capture: the originated Local pair.
                    assert_eq!(channels.len(), 2, "{linkedid}: {channels:?}");
                    ended.push((linkedid, cause));
                }
                _ => {}
            }
        }
    }
    let counts = model.counts();
    let summary = format!(
        "summary: {} calls finished, {} active, {} channels, {} bridges",
        counts.finished_calls, counts.active_calls, counts.channels, counts.bridges
    );
    assert_eq!(
        summary,
        "summary: 1000 calls finished, 0 active, 0 channels, 0 bridges"
    );
    assert_eq!(started.len(), 1000);
    assert_eq!(
        answered.len(),
        1000,
        "every call of the capture is answered"
    );
    assert_eq!(ended.len(), 1000);
    let distinct: HashSet<_> = ended.iter().map(|(l, _)| l.clone()).collect();
    assert_eq!(distinct, started, "every started call ended, once");
    // Bounded memory: only the configured history of finished calls is kept.
    assert_eq!(model.recent_calls().count(), 4);
    assert_eq!(model.calls().count(), 0);
}
