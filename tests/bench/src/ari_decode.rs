//! `ari-decode`: type 100,000 ARI events made by repeating the lines of a real
//! Stasis call capture. Each side runs what its WebSocket reader does with a
//! text message: ours `AriEvent::from_text_lossless`, theirs
//! `serde_json::from_str::<AriMessage>`. A further row shows ours from bytes
//! (`AriEvent::from_slice`, which checks UTF-8 first).

use crate::stats::{Row, Table, fmt_num, fmt_paired_ratio, median, rate};
use asterisk_rs_ari::{AriEvent as TheirEvent, AriMessage};
use asterisk_sdk::ari::AriEvent;
use std::hint::black_box;
use std::time::{Duration, Instant};

const EVENTS: usize = 100_000;

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct Pass {
    typed: usize,
    unknown: usize,
    errors: usize,
}

/// Which of our entry points to time.
#[derive(Clone, Copy)]
enum Entry {
    /// `from_text_lossless`: a WebSocket text message (already UTF-8).
    Text,
    /// `from_slice`: bytes, checked for UTF-8 first.
    Bytes,
}

fn ours(lines: &[&str], entry: Entry) -> (Pass, Duration) {
    let mut p = Pass::default();
    let start = Instant::now();
    for l in lines {
        let decoded = match entry {
            Entry::Text => AriEvent::from_text_lossless(l).map(|(ev, _)| ev),
            Entry::Bytes => AriEvent::from_slice(l.as_bytes()),
        };
        match decoded {
            Ok(ev) => {
                if matches!(ev, AriEvent::Unknown(_)) {
                    p.unknown += 1;
                } else {
                    p.typed += 1;
                }
                black_box(ev);
            }
            Err(e) => {
                p.errors += 1;
                black_box(e);
            }
        }
    }
    (p, start.elapsed())
}

fn theirs(lines: &[&str]) -> (Pass, Duration) {
    let mut p = Pass::default();
    let start = Instant::now();
    for l in lines {
        match serde_json::from_str::<AriMessage>(l) {
            Ok(m) => {
                if matches!(m.event, TheirEvent::Unknown) {
                    p.unknown += 1;
                } else {
                    p.typed += 1;
                }
                black_box(m);
            }
            Err(e) => {
                p.errors += 1;
                black_box(e);
            }
        }
    }
    (p, start.elapsed())
}

/// Profiling aid: only our side, `times` passes.
pub fn profile_ours(jsonl: &[u8], times: usize) {
    let text = String::from_utf8_lossy(jsonl);
    let base: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let lines: Vec<&str> = base.iter().copied().cycle().take(EVENTS).collect();
    for _ in 0..times {
        black_box(ours(&lines, Entry::Text));
    }
}

/// Run `rounds` interleaved rounds and add the rows.
pub fn run(table: &mut Table, jsonl: &[u8], rounds: usize) {
    let Ok(text) = std::str::from_utf8(jsonl) else {
        eprintln!("ari-events.jsonl is not UTF-8");
        std::process::exit(2);
    };
    let base: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let lines: Vec<&str> = base.iter().copied().cycle().take(EVENTS).collect();
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    let (o0, _) = ours(&lines, Entry::Text);
    let (t0, _) = theirs(&lines);
    let (b0, _) = ours(&lines, Entry::Bytes);
    let (mut o_rates, mut t_rates, mut b_rates) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let (o, od) = ours(&lines, Entry::Text);
        let (t, td) = theirs(&lines);
        let (b, bd) = ours(&lines, Entry::Bytes);
        assert_eq!((o, t, b), (o0, t0, b0));
        eprintln!(
            "  ari-decode round {}: ours {:.1} ms (from bytes {:.1} ms), theirs {:.1} ms",
            r + 1,
            od.as_secs_f64() * 1e3,
            bd.as_secs_f64() * 1e3,
            td.as_secs_f64() * 1e3
        );
        o_rates.push(rate(EVENTS, od));
        t_rates.push(rate(EVENTS, td));
        b_rates.push(rate(EVENTS, bd));
    }
    let (om, tm, bm) = (median(&o_rates), median(&t_rates), median(&b_rates));
    table.push(Row::new(
        "ari-decode",
        "events/s (text message)",
        fmt_num(om),
        fmt_num(tm),
        fmt_paired_ratio(&o_rates, &t_rates),
        ">= 3x",
    ));
    table.push(Row::new(
        "ari-decode",
        "events/s, ours from bytes",
        fmt_num(bm),
        fmt_num(tm),
        fmt_paired_ratio(&b_rates, &t_rates),
        "",
    ));
    let mb = bytes as f64 / 1e6;
    table.push(Row::new(
        "ari-decode",
        "MB/s",
        format!("{:.1}", mb * om / EVENTS as f64),
        format!("{:.1}", mb * tm / EVENTS as f64),
        fmt_paired_ratio(&o_rates, &t_rates),
        "",
    ));
    table.push(Row::new(
        "ari-decode",
        "typed / unknown / errors",
        format!("{} / {} / {}", o0.typed, o0.unknown, o0.errors),
        format!("{} / {} / {}", t0.typed, t0.unknown, t0.errors),
        String::new(),
        "",
    ));
    table.note(format!(
        "ari-decode: {} capture lines repeated to {EVENTS} events ({bytes} bytes), medians of {rounds} rounds, ratio = median of the per-round ratios",
        base.len()
    ));
}
