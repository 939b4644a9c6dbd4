//! `ami-decode`: frame and type the 35,000-message AMI corpus, fed in 64 KiB chunks.
//!
//! Both sides get the same bytes (the corpus behind a banner line, which
//! asterisk-rs's codec requires) and convert every message: ours with
//! `FrameDecoder` + `Event::from_message`, theirs with `AmiCodec` +
//! `AmiEvent::from_raw`.

use crate::stats::{Row, Table, fmt_num, fmt_paired_ratio, median, rate};
use asterisk_rs_ami::AmiEvent;
use asterisk_rs_ami::codec::AmiCodec;
use asterisk_sdk::ami::Event;
use asterisk_sdk_runtime::ami::{Frame, FrameDecoder};
use bytes::BytesMut;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tokio_util::codec::Decoder;

const CHUNK: usize = 64 * 1024;
const BANNER: &[u8] = b"Asterisk Call Manager/12.0.0\r\n";

/// What one pass saw.
#[derive(Debug, Default, Clone, PartialEq)]
struct Pass {
    messages: usize,
    events: usize,
    typed: usize,
    errors: usize,
    elapsed: Duration,
}

fn ours(input: &[u8]) -> Pass {
    let mut p = Pass::default();
    let start = Instant::now();
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::with_capacity(2 * CHUNK);
    for chunk in input.chunks(CHUNK) {
        buf.extend_from_slice(chunk);
        while let Some(frame) = dec.decode(&mut buf) {
            match frame {
                Ok(Frame::Message(m)) => {
                    p.messages += 1;
                    let ev = Event::from_message(m);
                    if ev.raw().event_name().is_some() {
                        p.events += 1;
                        p.typed += usize::from(!ev.is_unknown());
                    }
                    black_box(ev);
                }
                Ok(Frame::Banner(b)) => {
                    black_box(b);
                }
                Err(_) => p.errors += 1,
            }
        }
    }
    p.elapsed = start.elapsed();
    p
}

fn theirs(input: &[u8]) -> Pass {
    let mut p = Pass::default();
    let start = Instant::now();
    let mut codec = AmiCodec::new();
    let mut buf = BytesMut::with_capacity(2 * CHUNK);
    'feed: for chunk in input.chunks(CHUNK) {
        buf.extend_from_slice(chunk);
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(raw)) => {
                    p.messages += 1;
                    if let Some(ev) = AmiEvent::from_raw(&raw) {
                        p.events += 1;
                        let typed =
                            !matches!(ev, AmiEvent::Malformed { .. } | AmiEvent::Unknown { .. });
                        p.typed += usize::from(typed);
                        black_box(ev);
                    }
                    black_box(raw);
                }
                Ok(None) => break,
                Err(_) => {
                    // The codec gives up on the stream after an error.
                    p.errors += 1;
                    break 'feed;
                }
            }
        }
    }
    p.elapsed = start.elapsed();
    p
}

/// Event names each side does not type, with counts (outside any timed pass).
fn untyped(input: &[u8]) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let mut o = BTreeMap::new();
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from(input);
    while let Some(frame) = dec.decode(&mut buf) {
        if let Ok(Frame::Message(m)) = frame {
            let ev = Event::from_message(m);
            if let (Some(name), true) = (ev.raw().event_name(), ev.is_unknown()) {
                *o.entry(format!("{name} (unknown)")).or_insert(0) += 1;
            }
        }
    }
    let mut t = BTreeMap::new();
    let mut codec = AmiCodec::new();
    let mut buf = BytesMut::from(input);
    while let Ok(Some(raw)) = codec.decode(&mut buf) {
        match AmiEvent::from_raw(&raw) {
            Some(AmiEvent::Malformed {
                event_name, field, ..
            }) => {
                *t.entry(format!("{event_name} (malformed: {field})"))
                    .or_insert(0) += 1;
            }
            Some(AmiEvent::Unknown { event_name, .. }) => {
                *t.entry(format!("{event_name} (unknown)")).or_insert(0) += 1;
            }
            _ => {}
        }
    }
    (o, t)
}

fn list(m: &BTreeMap<String, usize>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Profiling aid: only our side, `times` passes.
pub fn profile_ours(corpus: &[u8], times: usize) {
    let mut input = BANNER.to_vec();
    input.extend_from_slice(corpus);
    for _ in 0..times {
        black_box(ours(&input));
    }
}

/// Run `rounds` interleaved rounds and add the rows.
pub fn run(table: &mut Table, corpus: &[u8], rounds: usize) {
    let mut input = Vec::with_capacity(BANNER.len() + corpus.len());
    input.extend_from_slice(BANNER);
    input.extend_from_slice(corpus);
    let mb = input.len() as f64 / 1e6;
    // Warm-up (page faults, allocator) for both, not measured.
    let o0 = ours(&input);
    let t0 = theirs(&input);
    let (mut o_rates, mut t_rates) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        let o = ours(&input);
        let t = theirs(&input);
        assert_eq!(
            (o.messages, o.events, o.typed),
            (o0.messages, o0.events, o0.typed)
        );
        assert_eq!(
            (t.messages, t.events, t.typed),
            (t0.messages, t0.events, t0.typed)
        );
        eprintln!(
            "  ami-decode round {}: ours {:.1} ms, theirs {:.1} ms",
            r + 1,
            o.elapsed.as_secs_f64() * 1e3,
            t.elapsed.as_secs_f64() * 1e3
        );
        o_rates.push(rate(o.messages, o.elapsed));
        t_rates.push(rate(t.messages, t.elapsed));
    }
    let (om, tm) = (median(&o_rates), median(&t_rates));
    let secs_o = o0.messages as f64 / om;
    let secs_t = t0.messages as f64 / tm;
    table.push(Row::new(
        "ami-decode",
        "messages/s",
        fmt_num(om),
        fmt_num(tm),
        fmt_paired_ratio(&o_rates, &t_rates),
        ">= 5x",
    ));
    table.push(Row::new(
        "ami-decode",
        "MB/s",
        format!("{:.1}", mb / secs_o),
        format!("{:.1}", mb / secs_t),
        fmt_paired_ratio(&o_rates, &t_rates),
        "",
    ));
    table.push(Row::new(
        "ami-decode",
        "messages / events seen",
        format!("{} / {}", o0.messages, o0.events),
        format!("{} / {}", t0.messages, t0.events),
        String::new(),
        "35000 / 34000",
    ));
    table.push(Row::new(
        "ami-decode",
        "events typed",
        format!(
            "{} ({:.1}%)",
            o0.typed,
            100.0 * o0.typed as f64 / o0.events.max(1) as f64
        ),
        format!(
            "{} ({:.1}%)",
            t0.typed,
            100.0 * t0.typed as f64 / t0.events.max(1) as f64
        ),
        String::new(),
        "",
    ));
    table.push(Row::new(
        "ami-decode",
        "decode errors",
        o0.errors.to_string(),
        t0.errors.to_string(),
        String::new(),
        "0",
    ));
    let (uo, ut) = untyped(&input);
    table.note(format!("ami-decode: input {} bytes (corpus + 30-byte banner), {CHUNK}-byte chunks, medians of {rounds} rounds, ratio = median of the per-round ratios", input.len()));
    table.note(format!("ami-decode untyped, ours: {}", list(&uo)));
    table.note(format!("ami-decode untyped, asterisk-rs: {}", list(&ut)));
}
