//! The publisher of one node: a bounded, ordered local buffer, drained into
//! JetStream with acknowledged publishes, republishing (same message id) what
//! was not acknowledged.

use super::envelope;
use super::subject::MARKER_TOKEN;
use async_nats::HeaderMap;
use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::context::{Context, PublishAckFuture, PublishError, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;

/// One message waiting to be published and acknowledged.
pub(crate) struct Outgoing {
    pub(crate) subject: String,
    pub(crate) headers: HeaderMap,
    pub(crate) payload: Bytes,
}

struct Queued {
    msg: Outgoing,
    /// Its bytes in the buffer budget, given back once acknowledged.
    _permit: OwnedSemaphorePermit,
}

/// Counters of one node's publisher.
#[derive(Debug, Default)]
pub(crate) struct PublishStats {
    pub(crate) acked: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) retries: AtomicU64,
    /// Messages that NATS refused for good (too large), replaced by a
    /// `too_large` marker.
    pub(crate) refused: AtomicU64,
}

/// The sending side: puts messages into the node's buffer, waiting while the
/// buffer is over its byte budget.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Queued>,
    budget: Arc<Semaphore>,
    max_permits: usize,
}

impl Outbox {
    /// Queue `msg`; waits for room. `false` when the publisher is gone.
    pub(crate) async fn push(&self, msg: Outgoing) -> bool {
        let size = (msg.subject.len() + msg.payload.len() + 128).min(self.max_permits);
        let Ok(n) = u32::try_from(size) else {
            return false;
        };
        let Ok(permit) = Arc::clone(&self.budget).acquire_many_owned(n).await else {
            return false;
        };
        self.tx
            .send(Queued {
                msg,
                _permit: permit,
            })
            .is_ok()
    }
}

/// Settings of one publisher.
pub(crate) struct PublisherSettings {
    pub(crate) buffer_bytes: usize,
    pub(crate) max_in_flight: usize,
    pub(crate) flush_timeout: Duration,
}

/// Start a publisher: the outbox to fill, and the task, which ends once every
/// outbox clone is dropped and the buffer is acknowledged (or the flush timeout
/// passed; what is left is then logged as lost).
pub(crate) fn start(
    js: Context,
    settings: PublisherSettings,
    stats: Arc<PublishStats>,
    node: String,
) -> (Outbox, tokio::task::JoinHandle<()>) {
    let max_permits = settings.buffer_bytes.clamp(1, u32::MAX as usize);
    let budget = Arc::new(Semaphore::new(max_permits));
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(js, rx, settings, stats, node));
    (
        Outbox {
            tx,
            budget,
            max_permits,
        },
        task,
    )
}

type AckFuture = futures::future::BoxFuture<
    'static,
    Result<
        async_nats::jetstream::publish::PublishAck,
        async_nats::jetstream::context::PublishError,
    >,
>;

fn ack_future(f: PublishAckFuture) -> AckFuture {
    Box::pin(f.into_future())
}

/// Whether publishing this message again can never succeed: NATS or the stream
/// refuses it for its size. Anything else (timeouts, no connection, no stream
/// yet, full inflight window) is worth retrying.
fn is_permanent(e: &PublishError) -> bool {
    match e.kind() {
        PublishErrorKind::MaxPayloadExceeded => true,
        PublishErrorKind::Other => std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<async_nats::jetstream::Error>())
            .is_some_and(|js| {
                matches!(
                    js.error_code(),
                    ErrorCode::STREAM_MESSAGE_EXCEEDS_MAXIMUM
                        | ErrorCode::STREAM_HEADER_EXCEEDS_MAXIMUM
                )
            }),
        _ => false,
    }
}

/// Replace a message refused for good by a `too_large` marker on the same
/// side's marker subject, keeping its sequence number and message id, and
/// saying how large it was.
fn into_too_large_marker(msg: &mut Outgoing) {
    let size = msg.payload.len();
    let base = msg
        .subject
        .rsplit_once('.')
        .map_or(msg.subject.as_str(), |(base, _)| base);
    msg.subject = format!("{base}.{MARKER_TOKEN}");
    msg.headers.insert(envelope::KIND, envelope::KIND_MARKER);
    msg.headers
        .insert(envelope::MARKER, envelope::MARKER_TOO_LARGE);
    msg.headers
        .insert(envelope::SIZE, size.to_string().as_str());
    msg.payload = Bytes::new();
}

async fn run(
    js: Context,
    mut rx: mpsc::UnboundedReceiver<Queued>,
    settings: PublisherSettings,
    stats: Arc<PublishStats>,
    node: String,
) {
    // Every message not yet acknowledged, in order; the first `in_flight.len()`
    // of them are published and awaiting their acknowledgement.
    let mut pending: VecDeque<Queued> = VecDeque::new();
    let mut in_flight: FuturesOrdered<AckFuture> = FuturesOrdered::new();
    let mut resume_at: Option<Instant> = None;
    let mut backoff = Duration::from_millis(50);
    let mut closed_at: Option<Instant> = None;
    loop {
        if closed_at.is_some() && pending.is_empty() {
            return;
        }
        if let Some(at) = closed_at
            && at.elapsed() > settings.flush_timeout
        {
            tracing::warn!(
                node,
                unpublished = pending.len(),
                "bus: flush timeout; unacknowledged messages dropped"
            );
            return;
        }
        if resume_at.is_none_or(|t| Instant::now() >= t) {
            resume_at = None;
            while in_flight.len() < settings.max_in_flight && in_flight.len() < pending.len() {
                let m = &pending[in_flight.len()].msg;
                let publish = PublishMessage::build()
                    .payload(m.payload.clone())
                    .headers(m.headers.clone());
                match js.send_publish(m.subject.clone(), publish).await {
                    Ok(ack) => in_flight.push_back(ack_future(ack)),
                    Err(e) if is_permanent(&e) => {
                        let i = in_flight.len();
                        refuse(&mut pending[i].msg, &e, &node, &stats);
                    }
                    Err(e) => {
                        tracing::debug!(node, error = %e, "bus: publish failed; will retry");
                        in_flight = FuturesOrdered::new();
                        resume_at = Some(Instant::now() + backoff);
                        backoff = (backoff * 2).min(Duration::from_secs(2));
                        stats.retries.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        let wake = resume_at.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            Some(result) = in_flight.next(), if !in_flight.is_empty() => match result {
                Ok(ack) => {
                    pending.pop_front();
                    backoff = Duration::from_millis(50);
                    stats.acked.fetch_add(1, Ordering::Relaxed);
                    if ack.duplicate {
                        stats.duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(e) if is_permanent(&e) => {
                    // The oldest message was refused for good: its marker
                    // takes its place, and what followed is sent again.
                    if let Some(q) = pending.front_mut() {
                        refuse(&mut q.msg, &e, &node, &stats);
                    }
                    in_flight = FuturesOrdered::new();
                }
                Err(e) => {
                    // Republish from the oldest unacknowledged message, in
                    // order; copies JetStream already stored are dropped by id.
                    tracing::debug!(node, error = %e, "bus: publish not acknowledged; will retry");
                    in_flight = FuturesOrdered::new();
                    resume_at = Some(Instant::now() + backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                }
            },
            queued = rx.recv(), if closed_at.is_none() => match queued {
                Some(q) => pending.push_back(q),
                None => closed_at = Some(Instant::now()),
            },
            _ = tokio::time::sleep_until(wake), if resume_at.is_some() => {}
            _ = tokio::time::sleep(Duration::from_millis(100)), if closed_at.is_some() => {}
        }
    }
}

/// Log and count a message refused for good, and turn it into its marker.
fn refuse(msg: &mut Outgoing, e: &PublishError, node: &str, stats: &PublishStats) {
    tracing::warn!(
        node,
        subject = %msg.subject,
        size = msg.payload.len(),
        error = %e,
        "bus: message refused by NATS for good; a too_large marker is published instead"
    );
    stats.refused.fetch_add(1, Ordering::Relaxed);
    into_too_large_marker(msg);
}
