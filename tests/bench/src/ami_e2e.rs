//! `ami-e2e`: the mock AMI server streams the corpus repeated up to 1,000,000
//! events over loopback; our client, subscribed with `events::<Event>()`, must
//! deliver every one, typed. Mock, client and subscriber run in this process on
//! the same runtime. The mock writes far faster than any Asterisk, so the
//! lossless rows use the `Block` policy (TCP backpressure, mock write timeout
//! off): they measure the pipeline's throughput. A second row subscribes with
//! `events::<Message>()` (no typed decode): the transport's own ceiling. A third
//! runs the default policy (`Lag`, 64 MiB per subscriber, Asterisk's 100 ms
//! write timeout in the mock) and reports what a subscriber slower than the
//! flood loses.

use crate::stats::{Row, Table, fmt_num, median, rate};
use asterisk_sdk::ami::Event;
use asterisk_sdk_mock::ami::MockAmi;
use asterisk_sdk_runtime::ami::{
    AmiClient, EventItem, Frame, FrameDecoder, FromEvent, Message, SlowSubscriberPolicy,
};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET_EVENTS: usize = 1_000_000;
/// Give up on a round after this long (then the missing events count as lost).
const ROUND_LIMIT: Duration = Duration::from_secs(60);

/// For each message of the corpus, whether it is an event.
fn event_flags(corpus: &[u8]) -> Vec<bool> {
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::from(corpus);
    let mut flags = Vec::new();
    while let Some(f) = dec.decode(&mut buf) {
        if let Ok(Frame::Message(m)) = f {
            flags.push(m.event_name().is_some());
        }
    }
    flags
}

/// Messages to replay so that exactly `events` events are written.
fn messages_for(flags: &[bool], events: usize) -> Option<usize> {
    let per_copy = flags.iter().filter(|e| **e).count();
    if per_copy == 0 {
        return None;
    }
    let copies = events / per_copy;
    let mut rest = events % per_copy;
    let mut prefix = 0;
    for e in flags {
        if rest == 0 {
            break;
        }
        prefix += 1;
        rest -= usize::from(*e);
    }
    Some(copies * flags.len() + prefix)
}

struct RoundResult {
    received: usize,
    lagged: usize,
    typed: usize,
    markers: usize,
    elapsed: Duration,
}

/// What a subscriber receives: whether an item came out typed.
trait Received: FromEvent {
    fn typed(&self) -> bool;
}

impl Received for Event {
    fn typed(&self) -> bool {
        !self.is_unknown()
    }
}

impl Received for Message {
    fn typed(&self) -> bool {
        false
    }
}

async fn round<T: Received>(
    corpus: Bytes,
    total_messages: usize,
    policy: SlowSubscriberPolicy,
) -> Result<RoundResult, String> {
    let block = policy == SlowSubscriberPolicy::Block;
    let mock = Arc::new(
        MockAmi::builder()
            .user("bench", "bench")
            .write_timeout(if block {
                None
            } else {
                Some(Duration::from_millis(100))
            })
            .start()
            .await
            .map_err(|e| format!("mock start: {e}"))?,
    );
    let client = AmiClient::builder()
        .host("127.0.0.1")
        .port(mock.addr().port())
        .credentials("bench", "bench")
        .slow_subscriber(policy)
        .connect()
        .await
        .map_err(|e| format!("client connect: {e}"))?;
    let mut events = client.events::<T>();
    let (mut received, mut typed, mut markers, mut lagged) = (0usize, 0usize, 0usize, 0usize);
    let start = Instant::now();
    let replayer = {
        let mock = mock.clone();
        tokio::spawn(async move { mock.replay_repeated(corpus, total_messages).await })
    };
    // One timeout around the whole loop: a timer per event would be the bench's
    // own overhead, paid on the subscriber's thread.
    let receive = async {
        while received + lagged < TARGET_EVENTS {
            match events.next().await {
                Some(EventItem::Event(ev)) => {
                    received += 1;
                    typed += usize::from(ev.typed());
                    black_box(ev);
                }
                Some(EventItem::Lagged(n)) => {
                    markers += 1;
                    lagged += n as usize;
                }
                Some(_) => markers += 1,
                None => break,
            }
        }
    };
    let _ = tokio::time::timeout(ROUND_LIMIT, receive).await;
    let elapsed = start.elapsed();
    let sessions = replayer.await.map_err(|e| format!("replay task: {e}"))?;
    if sessions != 1 {
        return Err(format!("replay reached {sessions} sessions, expected 1"));
    }
    drop(events);
    drop(client);
    Ok(RoundResult {
        received,
        lagged,
        typed,
        markers,
        elapsed,
    })
}

/// Run `rounds` rounds of each subscriber kind (fresh mock and client each) and
/// add the rows.
pub fn run(table: &mut Table, rt: &tokio::runtime::Runtime, corpus: &[u8], rounds: usize) {
    let flags = event_flags(corpus);
    let Some(total_messages) = messages_for(&flags, TARGET_EVENTS) else {
        eprintln!("the AMI corpus holds no event");
        std::process::exit(2);
    };
    let corpus = Bytes::copy_from_slice(corpus);
    let block = SlowSubscriberPolicy::Block;
    let lag = SlowSubscriberPolicy::Lag;
    run_kind::<Event>(table, rt, &corpus, total_messages, rounds, "Event", block);
    run_kind::<Message>(table, rt, &corpus, total_messages, rounds, "Message", block);
    run_kind::<Event>(table, rt, &corpus, total_messages, rounds, "Event", lag);
}

fn run_kind<T: Received>(
    table: &mut Table,
    rt: &tokio::runtime::Runtime,
    corpus: &Bytes,
    total_messages: usize,
    rounds: usize,
    kind: &str,
    policy: SlowSubscriberPolicy,
) {
    let kind = &format!("{kind}, {policy:?}");
    let mut rates = Vec::new();
    let mut worst_loss = 0usize;
    let mut notes = Vec::new();
    let mut typed_seen = 0;
    let mut markers_seen = 0;
    for r in 0..rounds {
        match rt.block_on(round::<T>(corpus.clone(), total_messages, policy)) {
            Ok(res) => {
                let loss = TARGET_EVENTS - res.received;
                worst_loss = worst_loss.max(loss);
                typed_seen = res.typed;
                markers_seen += res.markers;
                eprintln!(
                    "  ami-e2e ({kind}) round {}: {} events in {:.1} ms, loss {loss} ({} reported as Lagged)",
                    r + 1,
                    res.received,
                    res.elapsed.as_secs_f64() * 1e3,
                    res.lagged,
                );
                rates.push(rate(res.received, res.elapsed));
            }
            Err(e) => notes.push(format!("ami-e2e ({kind}) round {} failed: {e}", r + 1)),
        }
    }
    let m = median(&rates);
    table.push(Row::new(
        "ami-e2e",
        &format!("events/s (mock -> client -> {kind})"),
        fmt_num(m),
        "-".into(),
        "-".into(),
        if kind == "Event, Block" {
            ">= 1,500,000/s"
        } else {
            ""
        },
    ));
    table.push(Row::new(
        "ami-e2e",
        &format!("events lost, worst round ({kind})"),
        if rates.is_empty() {
            "-".into()
        } else {
            worst_loss.to_string()
        },
        "-".into(),
        "-".into(),
        if policy == SlowSubscriberPolicy::Block {
            "0"
        } else {
            "-"
        },
    ));
    table.note(format!(
        "ami-e2e ({kind}): {total_messages} messages replayed ({TARGET_EVENTS} events), {typed_seen} typed in the last round, {markers_seen} Reconnected/Lagged markers; median of {} rounds; mock and client share this process's runtime",
        rates.len()
    ));
    for n in notes {
        table.note(n);
    }
}
