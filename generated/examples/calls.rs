//! Live calls over AMI: a [`LiveTracker`] keeps a model of channels, bridges
//! and calls, places calls with `originate(..).await`, and prints one line per
//! finished call (linkedid, channels, duration, cause) and the live count.
//!
//! By default the built-in mock Asterisk runs the calls (five that answer and
//! hang up after 1 to 3 s, and one to a busy endpoint); with `ASTERISK_AMI`
//! set, a real Asterisk is asked to call `ASTERISK_DIAL` twice. With
//! `--replay FILE` (raw AMI bytes as received, `.gz` accepted), a capture goes
//! through the same model instead. The last line is always the summary. Exits
//! non-zero when a call that should finish does not. Were this reader to fall
//! behind the tracker, it would print how many changes it missed
//! (`ChangeItem::Lagged`) and go on from the snapshot's counts.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example calls                   # against the built-in mock
//! cargo run -p asterisk-sdk --example calls -- --replay tests/fixtures/bench/ami-23.4.1-1000calls.bin.gz
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_DIAL=PJSIP/100 cargo run -p asterisk-sdk --example calls
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk::live::{
    Change, ChangeItem, Counts, EndReason, LiveModel, LiveTracker, decode_capture,
};
use futures::{FutureExt, StreamExt};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

/// What a run ends with: the model's counts (zero when it never started) and
/// whether everything expected happened.
type Outcome = (Counts, support::Result);

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (counts, result) = match args.as_slice() {
        [] => live().await,
        [flag, file] if flag == "--replay" => replay(file),
        _ => (
            Counts::default(),
            Err("usage: calls [--replay FILE]".into()),
        ),
    };
    if let Err(e) = &result {
        println!("error: {e}");
    }
    // The last line, whatever happened.
    println!("{}", summary(counts));
    support::exit(result)
}

/// The line printed for a change, if it is one worth a line.
fn describe(change: &Change) -> Option<String> {
    let Change::CallEnded {
        linkedid,
        cause,
        cause_text,
        duration,
        channels,
        reason,
        ..
    } = change
    else {
        return None;
    };
    let channels: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
    let cause = match (cause, reason) {
        (Some(c), _) => format!(
            "cause {} {}",
            c.code().map_or_else(|| c.to_string(), |n| n.to_string()),
            cause_text.as_deref().unwrap_or("")
        ),
        (None, EndReason::WhileDisconnected) => "cause unknown (ended while disconnected)".into(),
        (None, EndReason::Merged) => "merged into another call".into(),
        (None, _) => "cause unknown (events lost)".into(),
    };
    Some(format!(
        "call {linkedid} [{}] {:.3}s {}",
        channels.join(", "),
        duration.as_secs_f64(),
        cause.trim_end()
    ))
}

fn summary(counts: Counts) -> String {
    format!(
        "summary: {} calls finished, {} active, {} channels, {} bridges",
        counts.finished_calls, counts.active_calls, counts.channels, counts.bridges
    )
}

/// The bytes of `file`, gunzipped when its name ends in `.gz`.
fn read_capture(file: &str) -> support::Result<Vec<u8>> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    if !file.ends_with(".gz") {
        return Ok(bytes);
    }
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut raw)
        .map_err(|e| format!("{file}: not gzip: {e}"))?;
    Ok(raw)
}

/// Feed a capture through the model.
fn replay(file: &str) -> Outcome {
    let bytes = match read_capture(file) {
        Ok(b) => b,
        Err(e) => return (Counts::default(), Err(e)),
    };
    let capture = decode_capture(&bytes);
    if let Some(e) = capture.errors.first() {
        eprintln!(
            "{} frames did not decode (first: {e})",
            capture.errors.len()
        );
    }
    let mut model = LiveModel::new();
    for event in &capture.events {
        for change in model.apply(event) {
            if let Some(line) = describe(&change) {
                println!("{line}");
            }
        }
    }
    println!(
        "replayed {} events; {} unknown to this SDK",
        capture.events.len(),
        capture.events.iter().filter(|e| e.is_unknown()).count()
    );
    (model.counts(), Ok(()))
}

/// Follow a live Asterisk (or the mock) while calls are placed and finish.
async fn live() -> Outcome {
    let settings = support::Settings::from_env();
    let ami = match support::ami::server(&settings).await {
        Ok(a) => a,
        Err(e) => return (Counts::default(), Err(e)),
    };
    println!("AMI: {}", ami.describe());
    let started = async {
        let client = ami.connect().await?;
        let tracker = LiveTracker::start(client.clone()).await?;
        support::Result::Ok((client, tracker))
    };
    let (client, tracker) = match started.await {
        Ok(t) => t,
        Err(e) => return (Counts::default(), Err(e)),
    };
    let result = follow(&settings, &ami, &tracker).await;
    let counts = tracker.counts();
    drop(tracker);
    let closed = tokio::time::timeout(Duration::from_secs(5), client.disconnect()).await;
    let result = result.and_then(|()| Ok(closed??));
    (counts, result)
}

/// Place the calls and print the changes until they have all finished.
async fn follow(
    settings: &support::Settings,
    ami: &support::ami::AmiServer,
    tracker: &LiveTracker,
) -> support::Result {
    // Subscribe first: every change from here on comes through the stream.
    let mut changes = tracker.changes();
    let live = || {
        let counts = tracker.counts();
        format!(
            "live: {} calls, {} channels",
            counts.active_calls, counts.channels
        )
    };
    println!("{} up at start", live());

    // What to call: the mock answers every endpoint except the busy one.
    let mut plan: Vec<(String, u32)> = Vec::new();
    match &ami.mock {
        Some(mock) => {
            mock.fail_originates("PJSIP/busy", 17);
            for (i, secs) in [1, 2, 3, 1, 2].into_iter().enumerate() {
                plan.push((format!("Local/{}@default", 100 + i), secs));
            }
            plan.push(("PJSIP/busy".into(), 1));
        }
        None => {
            plan.push((settings.dial.clone(), 2));
            plan.push((settings.dial.clone(), 3));
        }
    }

    let driver = async {
        let placed = futures::future::join_all(plan.iter().map(|(endpoint, secs)| {
            let originate = Originate::new(endpoint.as_str())
                .application("Wait")
                .data(secs.to_string())
                .caller_id("\"asterisk-sdk\" <100>");
            tracker.originate(originate)
        }))
        .await;
        let mut calls = Vec::new();
        for ((endpoint, _), result) in plan.iter().zip(placed) {
            match result {
                Ok(call) => {
                    println!("placed {endpoint}: call {}", call.linkedid());
                    calls.push(call);
                }
                Err(e) => println!("not placed: {e}"),
            }
        }
        for call in &calls {
            support::within(60, "call end", call.ended()).await??;
        }
        support::Result::Ok(calls.len())
    };
    tokio::pin!(driver);

    let print = |item: ChangeItem| match item {
        ChangeItem::Change(change) => {
            if let Some(line) = describe(&change) {
                // The count is the tracker's snapshot now (it may be ahead).
                println!("{line}; {}", live());
            }
        }
        // This subscriber fell behind the tracker: `n` changes were dropped
        // for it (their calls get no line). The snapshot is current.
        ChangeItem::Lagged(n) => println!("lagged: {n} changes missed; {}", live()),
        other => println!("an item this example does not know: {other:?}"),
    };
    let placed = loop {
        tokio::select! {
            Some(item) = changes.next() => print(item),
            done = &mut driver => break done?,
        }
    };
    // The changes published before the last call's end are all queued.
    while let Some(Some(item)) = changes.next().now_or_never() {
        print(item);
    }
    let finished = tracker.counts().finished_calls;
    if ami.mock.is_some() && (placed != 5 || finished != 6) {
        return Err(
            format!("expected 5 calls placed and 6 finished, got {placed} and {finished}").into(),
        );
    }
    Ok(())
}
