//! [`NodeHealth`]: where one node stands, kept up to date by a task per node,
//! and [`HealthUpdates`], the stream of its changes across a fleet.

use super::NodeId;
use crate::ami::{AmiClient, ConnectionState, EventItem, Message};
use crate::version::ServerVersion;
use futures::{Stream, StreamExt};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;
use tokio::sync::watch;

/// A snapshot of one node's health.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NodeHealth {
    /// The node.
    pub node: NodeId,
    /// The AMI connection's state.
    pub state: ConnectionState,
    /// The Asterisk version learned at the last login, when known.
    pub version: Option<ServerVersion>,
    /// When the last AMI event arrived.
    pub last_event: Option<SystemTime>,
    /// AMI events received since the fleet connected.
    pub events: u64,
    /// AMI reconnections since the fleet connected.
    pub reconnects: u64,
    /// Events the health tracker itself missed (its queue over budget): the
    /// `events` count is that much short.
    pub lagged: u64,
    /// Whether the node's ARI events WebSocket is up (`None`: no ARI).
    pub ari_connected: Option<bool>,
    /// ARI WebSocket reconnections since the fleet connected (kept whether or
    /// not [`Fleet::take_ari_events`](super::Fleet::take_ari_events) is read).
    pub ari_reconnects: u64,
}

impl NodeHealth {
    pub(crate) fn new(node: NodeId, ami: &AmiClient, has_ari: bool) -> Self {
        NodeHealth {
            node,
            state: ami.state(),
            version: ami.server_version(),
            last_event: None,
            events: 0,
            reconnects: 0,
            lagged: 0,
            ari_connected: has_ari.then_some(true),
            ari_reconnects: 0,
        }
    }
}

/// Keep `health` up to date from the node's events and state, until the client
/// closes.
pub(crate) async fn track(ami: AmiClient, health: Arc<watch::Sender<NodeHealth>>) {
    let mut events = ami.events::<Message>();
    let mut state = ami.state_watch();
    loop {
        tokio::select! {
            item = events.next() => match item {
                Some(EventItem::Event(_)) => {
                    // Silent: a snapshot reader sees it; the update stream is not
                    // woken for every event.
                    health.send_if_modified(|h| {
                        h.last_event = Some(SystemTime::now());
                        h.events += 1;
                        false
                    });
                }
                Some(EventItem::Reconnected) => {
                    let version = ami.server_version();
                    health.send_modify(|h| {
                        h.reconnects += 1;
                        h.version = version;
                    });
                }
                Some(EventItem::Lagged(n)) => health.send_modify(|h| h.lagged += n),
                Some(EventItem::Overflowed { .. }) => {
                    // Cut off by an overflow policy: the count missed what it
                    // dropped (unknown); subscribe again and go on.
                    events = ami.events::<Message>();
                }
                None => break,
            },
            changed = state.changed() => {
                if changed.is_err() {
                    break;
                }
                let now = *state.borrow_and_update();
                let version = ami.server_version();
                health.send_modify(|h| {
                    h.state = now;
                    h.version = version;
                });
            }
        }
    }
    let now = ami.state();
    health.send_modify(|h| h.state = now);
}

type Updates = Pin<Box<dyn Stream<Item = NodeHealth> + Send>>;

/// Health snapshots of a fleet's nodes as they change (see
/// [`Fleet::health_updates`](super::Fleet::health_updates)).
pub struct HealthUpdates {
    inner: futures::stream::SelectAll<Updates>,
}

impl std::fmt::Debug for HealthUpdates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthUpdates").finish_non_exhaustive()
    }
}

impl HealthUpdates {
    pub(crate) fn new(watches: impl Iterator<Item = watch::Receiver<NodeHealth>>) -> Self {
        let streams = watches.map(|mut rx| {
            rx.mark_changed();
            let s: Updates = Box::pin(futures::stream::unfold(rx, |mut rx| async move {
                rx.changed().await.ok()?;
                let h = rx.borrow_and_update().clone();
                Some((h, rx))
            }));
            s
        });
        HealthUpdates {
            inner: futures::stream::select_all(streams),
        }
    }
}

impl Stream for HealthUpdates {
    type Item = NodeHealth;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<NodeHealth>> {
        self.inner.poll_next_unpin(cx)
    }
}
