//! [`Bridge`]: publishes a fleet's AMI and ARI events to JetStream and serves
//! action requests, until it is shut down.

use super::actions;
use super::config::BusConfig;
use super::envelope::{self, KIND_AMI, KIND_ARI, KIND_MARKER};
use super::error::BusError;
use super::publisher::{self, Outbox, Outgoing, PublishStats, PublisherSettings};
use super::subject::{self, MARKER_TOKEN, Side};
use crate::ami::{AmiClient, EventItem, Message};
use crate::ari::ws::WsItem;
use crate::fleet::{Fleet, NodeId};
use async_nats::jetstream;
use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Counters of one node's publishing, read with [`Bridge::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeStats {
    /// Messages received from the node and queued (events and markers).
    pub queued: u64,
    /// Publishes acknowledged by JetStream.
    pub acked: u64,
    /// Acknowledgements that said JetStream already had the message (a
    /// republish it dropped by id).
    pub duplicates: u64,
    /// Times the publisher had to start again from its oldest unacknowledged
    /// message (NATS unreachable or an acknowledgement missing).
    pub retries: u64,
    /// Messages NATS refused for good (too large), each published as a
    /// `too_large` marker instead.
    pub refused: u64,
}

impl PublishStats {
    fn snapshot(&self, queued: u64) -> NodeStats {
        NodeStats {
            queued,
            acked: self.acked.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }
}

/// One node's sequence counter and the publisher's counters.
struct NodeOut {
    id: NodeId,
    /// The subject prefix.
    prefix: Arc<str>,
    /// This bridge run's id, part of every message id.
    session: Arc<str>,
    outbox: Outbox,
    seq: AtomicU64,
    stats: Arc<PublishStats>,
}

impl NodeOut {
    async fn push(
        &self,
        side: Side,
        last: &str,
        kind: &str,
        payload: Bytes,
        extra: &[(&str, String)],
    ) -> bool {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let received = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let node = self.id.as_str();
        let id = envelope::message_id(node, &self.session, seq);
        let mut headers = envelope::headers(node, kind, seq, &id, received);
        for (k, v) in extra {
            headers.insert(*k, v.as_str());
        }
        self.outbox
            .push(Outgoing {
                subject: subject::subject(&self.prefix, node, side, last),
                headers,
                payload,
            })
            .await
    }
}

/// A running bridge: one publisher per node, the event pumps and the action
/// service. [`Bridge::shutdown`] stops reading, flushes and returns.
pub struct Bridge {
    fleet: Fleet,
    nodes: Vec<Arc<NodeOut>>,
    stop: watch::Sender<bool>,
    pumps: Vec<JoinHandle<()>>,
    publishers: Vec<JoinHandle<()>>,
    service: Option<JoinHandle<()>>,
    /// Creates the stream once NATS is reachable, when it was not at start.
    stream_task: Option<JoinHandle<()>>,
    flush_timeout: std::time::Duration,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("fleet", &self.fleet)
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// Node ids whose subject tokens collide are refused
    /// ([`FleetError::ConflictingNodes`](crate::fleet::FleetError::ConflictingNodes)).
    /// Create the stream when missing, then start publishing every node's events
    /// and serving actions on `<prefix>.<node>.ami.action` and
    /// `<prefix>.<node>.ari.action`.
    ///
    /// When NATS is unreachable at start (a client made with
    /// `retry_on_initial_connect`), the stream is looked up again in the
    /// background, and events wait in each node's buffer meanwhile.
    pub async fn start(
        fleet: Fleet,
        nats: async_nats::Client,
        config: BusConfig,
    ) -> Result<Bridge, BusError> {
        // A fleet is built with distinct tokens; checked again since requests
        // are routed by token.
        crate::fleet::check_distinct(fleet.nodes()).map_err(BusError::Fleet)?;
        let js = jetstream::ContextBuilder::new()
            .timeout(config.ack_timeout)
            .max_ack_inflight(config.max_in_flight.max(1) * (fleet.nodes().count() + 1))
            .build(nats.clone());
        let mut stream_task = None;
        if let Err(e) = js.get_or_create_stream(config.stream_config()).await {
            if nats.connection_state() == async_nats::connection::State::Connected {
                return Err(BusError::Stream {
                    stream: config.stream.clone(),
                    reason: e.to_string(),
                });
            }
            tracing::warn!(error = %e, "bus: NATS unreachable; events are buffered until it is back");
            stream_task = Some(tokio::spawn(create_stream_later(
                js.clone(),
                config.stream_config(),
            )));
        }
        let session = format!("{:016x}", fastrand::u64(..));
        let (stop, stop_rx) = watch::channel(false);
        let prefix: Arc<str> = Arc::from(config.prefix.as_str());
        let session: Arc<str> = Arc::from(session.as_str());
        let mut nodes = Vec::new();
        let mut publishers = Vec::new();
        for id in fleet.nodes() {
            let stats = Arc::new(PublishStats::default());
            let (outbox, task) = publisher::start(
                js.clone(),
                PublisherSettings {
                    buffer_bytes: config.buffer_bytes,
                    max_in_flight: config.max_in_flight.max(1),
                    flush_timeout: config.flush_timeout,
                },
                Arc::clone(&stats),
                id.to_string(),
            );
            nodes.push(Arc::new(NodeOut {
                id: id.clone(),
                prefix: Arc::clone(&prefix),
                session: Arc::clone(&session),
                outbox,
                seq: AtomicU64::new(0),
                stats,
            }));
            publishers.push(task);
        }
        let mut pumps = Vec::new();
        for out in &nodes {
            let client = fleet.ami(out.id.as_str()).map_err(BusError::Fleet)?.clone();
            pumps.push(tokio::spawn(pump_ami(
                client,
                Arc::clone(out),
                stop_rx.clone(),
            )));
        }
        if let Some(ari) = fleet.take_ari_events() {
            let by_node: HashMap<NodeId, Arc<NodeOut>> = nodes
                .iter()
                .map(|n| (n.id.clone(), Arc::clone(n)))
                .collect();
            // One pump per node: a node whose buffer is full does not hold up
            // the others' ARI events.
            for per_node in ari.into_per_node() {
                pumps.push(tokio::spawn(pump_ari(
                    per_node,
                    by_node.clone(),
                    stop_rx.clone(),
                )));
            }
        }
        let service = actions::serve(fleet.clone(), nats, &config, stop_rx).await?;
        Ok(Bridge {
            fleet,
            nodes,
            stop,
            pumps,
            publishers,
            service: Some(service),
            stream_task,
            flush_timeout: config.flush_timeout,
        })
    }

    /// The fleet being bridged.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// The publishing counters of every node, in node order.
    pub fn stats(&self) -> Vec<(NodeId, NodeStats)> {
        self.nodes
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.stats.snapshot(n.seq.load(Ordering::Relaxed)),
                )
            })
            .collect()
    }

    /// Stop reading events (taking those already received) and serving
    /// actions, publish what is buffered (waiting at most the configured flush
    /// timeout; every step is bounded by it, even with NATS down), log off
    /// every node, and return the final counters.
    pub async fn shutdown(mut self) -> Vec<(NodeId, NodeStats)> {
        let _ = self.stop.send(true);
        for mut pump in self.pumps.drain(..) {
            // A pump waiting for room in a full buffer (NATS down) is cut off.
            if tokio::time::timeout(self.flush_timeout, &mut pump)
                .await
                .is_err()
            {
                pump.abort();
            }
        }
        if let Some(mut service) = self.service.take()
            && tokio::time::timeout(self.flush_timeout, &mut service)
                .await
                .is_err()
        {
            service.abort();
        }
        let counters: Vec<_> = self
            .nodes
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.seq.load(Ordering::Relaxed),
                    Arc::clone(&n.stats),
                )
            })
            .collect();
        // The pumps held the other outbox clones: dropping ours closes the
        // buffers, and each publisher ends once its buffer is acknowledged.
        self.nodes.clear();
        // Each publisher gives up after the flush timeout, but a publish call
        // can itself wait on a NATS that is down: bound the wait here too.
        let deadline = tokio::time::Instant::now() + self.flush_timeout * 2;
        for mut publisher in self.publishers.drain(..) {
            if tokio::time::timeout_at(deadline, &mut publisher)
                .await
                .is_err()
            {
                tracing::warn!("bus: a publisher did not finish in time; its buffer is dropped");
                publisher.abort();
            }
        }
        if let Some(task) = self.stream_task.take() {
            task.abort();
        }
        self.fleet.disconnect().await;
        counters
            .into_iter()
            .map(|(id, queued, stats)| (id, stats.snapshot(queued)))
            .collect()
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        for task in self
            .pumps
            .iter()
            .chain(&self.publishers)
            .chain(&self.service)
            .chain(&self.stream_task)
        {
            task.abort();
        }
    }
}

/// Create the stream once NATS is reachable (the publishers retry meanwhile).
async fn create_stream_later(js: jetstream::Context, config: jetstream::stream::Config) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        match js.get_or_create_stream(config.clone()).await {
            Ok(_) => return,
            Err(e) => tracing::debug!(error = %e, "bus: stream not created yet"),
        }
    }
}

/// Queue every AMI message of one node, with markers, until stopped.
async fn pump_ami(client: AmiClient, out: Arc<NodeOut>, mut stop: watch::Receiver<bool>) {
    let mut events = client.events::<Message>();
    let mut stopping = false;
    loop {
        let item = if stopping {
            // Stopping: take what was already received, then end.
            match events.next().now_or_never() {
                Some(item) => item,
                None => return,
            }
        } else {
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => {
                    stopping = true;
                    continue;
                }
                item = events.next() => item,
            }
        };
        let queued = match item {
            Some(EventItem::Event(m)) => {
                let name = m.event_name().unwrap_or("").to_string();
                let payload = m.as_bytes().clone();
                out.push(Side::Ami, &name, KIND_AMI, payload, &[]).await
            }
            Some(EventItem::Reconnected) => {
                marker(&out, Side::Ami, envelope::MARKER_RECONNECTED, None).await
            }
            Some(EventItem::Lagged(n)) => {
                marker(&out, Side::Ami, envelope::MARKER_LAGGED, Some(n)).await
            }
            Some(EventItem::Overflowed { budget }) => {
                // Cut off by the Disconnect policy: say so, and read on from a
                // new subscription.
                tracing::warn!(node = %out.id, budget, "bus: the node's subscription overflowed; subscribed again");
                events = client.events::<Message>();
                marker(&out, Side::Ami, envelope::MARKER_OVERFLOWED, None).await
            }
            None => return,
        };
        if !queued {
            return;
        }
    }
}

async fn marker(out: &NodeOut, side: Side, which: &str, lost: Option<u64>) -> bool {
    let mut extra = vec![(envelope::MARKER, which.to_string())];
    if let Some(n) = lost {
        extra.push((envelope::LOST, n.to_string()));
    }
    out.push(side, MARKER_TOKEN, KIND_MARKER, Bytes::new(), &extra)
        .await
}

/// Queue every ARI event of the nodes of `events`, with markers, until stopped.
async fn pump_ari(
    mut events: crate::fleet::FleetAriEvents,
    nodes: HashMap<NodeId, Arc<NodeOut>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let item = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return,
            item = events.next() => item,
        };
        let Some(item) = item else { return };
        let Some(out) = nodes.get(&item.node) else {
            continue;
        };
        if item.lagged > 0 {
            marker(out, Side::Ari, envelope::MARKER_LAGGED, Some(item.lagged)).await;
        }
        match item.item {
            WsItem::Event(e) | WsItem::Undecoded { event: e, .. } => {
                let kind = e.event_type().to_string();
                out.push(Side::Ari, &kind, KIND_ARI, e.json().clone(), &[])
                    .await;
            }
            WsItem::Invalid { bytes, error } => {
                tracing::warn!(node = %item.node, %error, len = bytes.len(), "bus: ARI message is not JSON; not published");
                let extra = [
                    (envelope::MARKER, envelope::MARKER_INVALID.to_string()),
                    (envelope::SIZE, bytes.len().to_string()),
                ];
                out.push(Side::Ari, MARKER_TOKEN, KIND_MARKER, Bytes::new(), &extra)
                    .await;
            }
            WsItem::Disconnected { .. } => {
                marker(out, Side::Ari, envelope::MARKER_DISCONNECTED, None).await;
            }
            WsItem::Reconnected => {
                marker(out, Side::Ari, envelope::MARKER_RECONNECTED, None).await;
            }
        }
    }
}
