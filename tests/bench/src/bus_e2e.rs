//! `bus-e2e`: mock AMI nodes → `Fleet` → `Bridge` → nats-server (JetStream,
//! file storage, started here on a loopback port) → one typed consumer
//! (`bus::events::<Hangup>`), against a direct subscription to the same fleet
//! (`fleet.events::<Hangup>()`) in the same run, for 1 and 4 nodes.
//!
//! Two measures per side: throughput (every node's mock writes its events as
//! fast as TCP takes them; `Block` policy so nothing is dropped; rate from the
//! first write to the last event received) and latency (a paced 5,000 events/s
//! in total for 2 s; each event carries the time it was written, and the
//! receiver takes the difference). Every event has an id: lost = expected −
//! distinct received.

use crate::stats::{Row, Table, fmt_num, median, rate};
use asterisk_sdk::ami::events::Hangup;
use asterisk_sdk_mock::ami::MockAmi;
use asterisk_sdk_mock::nats::NatsServer;
use asterisk_sdk_runtime::ami::{AmiClient, EventItem, SlowSubscriberPolicy};
use asterisk_sdk_runtime::bus::{self, Bridge, BusConfig, BusItem, EventFilter};
use asterisk_sdk_runtime::fleet::{Fleet, NodeSpec};
use futures::StreamExt;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events of a throughput round, over all nodes.
const THROUGHPUT_EVENTS: usize = 200_000;
/// Paced rate of a latency round (all nodes together) and its length.
const PACED_RATE: usize = 5_000;
const PACED_FOR: Duration = Duration::from_secs(2);
const ROUND_LIMIT: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Direct,
    Bus,
}

/// `count` Hangup events of node `node` numbered from `from`, each stamped with
/// `sent_ns` (nanoseconds since the round's start).
fn hangups(node: usize, from: usize, count: usize, sent_ns: u128) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * 400);
    for i in from..from + count {
        out.extend_from_slice(
            format!(
                "Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/100-{node}-{i:08}\r\nChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: 100\r\nCallerIDName: Alice\r\nConnectedLineNum: 200\r\nConnectedLineName: Bob\r\nLanguage: en\r\nAccountCode: \r\nContext: default\r\nExten: 200\r\nPriority: 1\r\nUniqueid: {node}.{i}\r\nLinkedid: {node}.{i}\r\nCause: 16\r\nCause-txt: Normal Clearing\r\nSentNs: {sent_ns}\r\n\r\n"
            )
            .as_bytes(),
        );
    }
    out
}

struct Round {
    expected: usize,
    /// Events received, repeats included.
    received: usize,
    /// Distinct event ids received.
    distinct: usize,
    elapsed: Duration,
    latencies_us: Vec<f64>,
}

/// Receives typed Hangups, from the fleet directly or from the bus.
enum Receiver {
    Direct(asterisk_sdk_runtime::fleet::FleetEvents<Hangup>),
    Bus(bus::BusEvents<Hangup>),
}

impl Receiver {
    async fn next(&mut self) -> Option<Hangup> {
        loop {
            match self {
                Receiver::Direct(s) => match s.next().await?.item {
                    EventItem::Event(h) => return Some(h),
                    _ => continue,
                },
                Receiver::Bus(c) => match c.next().await? {
                    Ok(BusItem::Event(e)) => return Some(e.event),
                    Ok(_) => continue,
                    Err(e) => {
                        eprintln!("  bus consumer: {e}");
                        continue;
                    }
                },
            }
        }
    }
}

async fn round(side: Side, nodes: usize, paced: bool) -> Result<Round, String> {
    let mut mocks = Vec::new();
    let mut fleet = Fleet::builder();
    for i in 0..nodes {
        let mock = MockAmi::builder()
            .user("bench", "bench")
            .write_timeout(None)
            .start()
            .await
            .map_err(|e| format!("mock start: {e}"))?;
        let ami = AmiClient::builder()
            .host("127.0.0.1")
            .port(mock.addr().port())
            .credentials("bench", "bench")
            .slow_subscriber(SlowSubscriberPolicy::Block);
        fleet = fleet.node(NodeSpec::new(format!("pbx-{i}"), ami));
        mocks.push(Arc::new(mock));
    }
    let fleet = fleet.connect().await.map_err(|e| e.to_string())?;
    let mut _nats = None;
    let mut _bridge = None;
    let mut receiver = match side {
        Side::Direct => Receiver::Direct(fleet.events::<Hangup>()),
        Side::Bus => {
            let server = NatsServer::start().map_err(|e| format!("nats-server: {e}"))?;
            let client = bus::async_nats::connect(server.url())
                .await
                .map_err(|e| e.to_string())?;
            let bridge = Bridge::start(fleet.clone(), client.clone(), BusConfig::default())
                .await
                .map_err(|e| e.to_string())?;
            let consumer =
                bus::events::<Hangup>(&client, EventFilter::group("bench").auto_ack(true))
                    .await
                    .map_err(|e| e.to_string())?;
            _nats = Some(server);
            _bridge = Some(bridge);
            Receiver::Bus(consumer)
        }
    };
    let start = Instant::now();
    let expected;
    let writer = if paced {
        let per_tick = (PACED_RATE / 100 / nodes).max(1);
        let ticks = (PACED_FOR.as_millis() / 10) as usize;
        expected = per_tick * ticks * nodes;
        let mocks = mocks.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            for t in 0..ticks {
                tick.tick().await;
                for (n, m) in mocks.iter().enumerate() {
                    let sent = start.elapsed().as_nanos();
                    m.replay(hangups(n, t * per_tick, per_tick, sent)).await;
                }
            }
        })
    } else {
        let per_node = THROUGHPUT_EVENTS / nodes;
        expected = per_node * nodes;
        let mocks = mocks.clone();
        tokio::spawn(async move {
            let writes = mocks.iter().enumerate().map(|(n, m)| {
                let m = Arc::clone(m);
                async move { m.replay(hangups(n, 0, per_node, 0)).await }
            });
            futures::future::join_all(writes).await;
        })
    };
    let mut seen = HashSet::with_capacity(expected);
    let mut latencies_us = Vec::with_capacity(expected);
    let mut received = 0;
    let receive = async {
        while seen.len() < expected {
            let Some(h) = receiver.next().await else {
                break;
            };
            received += 1;
            if paced && let Some(sent) = h.raw.get("SentNs").and_then(|s| s.parse::<u128>().ok()) {
                let now = start.elapsed().as_nanos();
                latencies_us.push(now.saturating_sub(sent) as f64 / 1e3);
            }
            seen.insert(
                h.channel
                    .uniqueid
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
            );
        }
    };
    let _ = tokio::time::timeout(ROUND_LIMIT, receive).await;
    let elapsed = start.elapsed();
    let _ = writer.await;
    if let Some(bridge) = _bridge.take() {
        bridge.shutdown().await;
    }
    Ok(Round {
        expected,
        received,
        distinct: seen.len(),
        elapsed,
        latencies_us,
    })
}

fn p99(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len()) - 1]
}

pub fn run(table: &mut Table, rt: &tokio::runtime::Runtime, rounds: usize) {
    if asterisk_sdk_mock::nats::program().is_none() {
        eprintln!("bus-e2e needs nats-server (apt-get install nats-server)");
        std::process::exit(2);
    }
    for nodes in [1usize, 4] {
        let mut rates = [Vec::new(), Vec::new()];
        let mut p99s = [Vec::new(), Vec::new()];
        let mut lost = [0usize, 0usize];
        for r in 0..rounds {
            for (k, side) in [Side::Direct, Side::Bus].into_iter().enumerate() {
                let name = if side == Side::Bus { "bus" } else { "direct" };
                match rt.block_on(round(side, nodes, false)) {
                    Ok(res) => {
                        lost[k] = lost[k].max(res.expected - res.distinct);
                        eprintln!(
                            "  bus-e2e {nodes} node(s) {name} round {}: {} distinct events ({} received) in {:.1} ms",
                            r + 1,
                            res.distinct,
                            res.received,
                            res.elapsed.as_secs_f64() * 1e3
                        );
                        rates[k].push(rate(res.distinct, res.elapsed));
                    }
                    Err(e) => table.note(format!("bus-e2e {name} {nodes} node(s): {e}")),
                }
                match rt.block_on(round(side, nodes, true)) {
                    Ok(res) => {
                        lost[k] = lost[k].max(res.expected - res.distinct);
                        let p = p99(res.latencies_us);
                        eprintln!(
                            "  bus-e2e {nodes} node(s) {name} paced round {}: p99 {p:.0} µs, {} events",
                            r + 1,
                            res.distinct
                        );
                        p99s[k].push(p);
                    }
                    Err(e) => table.note(format!("bus-e2e {name} {nodes} node(s) paced: {e}")),
                }
            }
        }
        let (direct, via_bus) = (median(&rates[0]), median(&rates[1]));
        table.push(Row::new(
            "bus-e2e",
            &format!("events/s, {nodes} node(s): bus | direct subscription"),
            fmt_num(via_bus),
            fmt_num(direct),
            format!("{:.3}x", via_bus / direct),
            "",
        ));
        let (dp, bp) = (median(&p99s[0]), median(&p99s[1]));
        table.push(Row::new(
            "bus-e2e",
            &format!("p99 latency µs at {PACED_RATE}/s, {nodes} node(s): bus | direct"),
            format!("{bp:.0}"),
            format!("{dp:.0}"),
            format!("{:.1}x", bp / dp),
            "",
        ));
        table.push(Row::new(
            "bus-e2e",
            &format!("events lost, worst round, {nodes} node(s): bus | direct"),
            lost[1].to_string(),
            lost[0].to_string(),
            "-".into(),
            "0",
        ));
    }
    table.note(format!(
        "bus-e2e: the 'asterisk-rs' column holds the direct subscription (fleet.events::<Hangup>()) of the same run; throughput: {THROUGHPUT_EVENTS} Hangups over the nodes, Block policy; latency: {PACED_RATE} events/s for {PACED_FOR:?}, written time to typed event received; bus = Bridge -> nats-server 2.9 (JetStream, file storage, loopback) -> one pull consumer acking each event; median of {rounds} rounds"
    ));
}
