//! `ari-decode`: type 100,000 ARI events made by repeating the lines of a real
//! Stasis call capture. Ours: `AriEvent::from_slice`; theirs:
//! `serde_json::from_str::<AriMessage>` (what their WebSocket reader does).

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

fn ours(lines: &[&str]) -> (Pass, Duration) {
    let mut p = Pass::default();
    let start = Instant::now();
    for l in lines {
        match AriEvent::from_slice(l.as_bytes()) {
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
        black_box(ours(&lines));
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
    let (o0, _) = ours(&lines);
    let (t0, _) = theirs(&lines);
    let (mut o_rates, mut t_rates) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        let (o, od) = ours(&lines);
        let (t, td) = theirs(&lines);
        assert_eq!((o, t), (o0, t0));
        eprintln!(
            "  ari-decode round {}: ours {:.1} ms, theirs {:.1} ms",
            r + 1,
            od.as_secs_f64() * 1e3,
            td.as_secs_f64() * 1e3
        );
        o_rates.push(rate(EVENTS, od));
        t_rates.push(rate(EVENTS, td));
    }
    let (om, tm) = (median(&o_rates), median(&t_rates));
    table.push(Row::new(
        "ari-decode",
        "events/s",
        fmt_num(om),
        fmt_num(tm),
        fmt_paired_ratio(&o_rates, &t_rates),
        ">= 3x",
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
