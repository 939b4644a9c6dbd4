//! One node of a fleet: its clients and the task that keeps its health.

use super::NodeId;
use super::ari::RawAriEvent;
use super::ari_queue::{self, AriQueue};
use super::health::{NodeHealth, track};
use crate::ami::AmiClient;
use crate::ari::ws::{AriEventStream, WsTransport};
use std::sync::Arc;
use tokio::sync::watch;

/// A connected node.
pub(crate) struct Node {
    pub(crate) id: NodeId,
    pub(crate) ami: AmiClient,
    pub(crate) ari: Option<WsTransport>,
    health: Arc<watch::Sender<NodeHealth>>,
    tracker: tokio::task::JoinHandle<()>,
    /// The task draining the ARI socket into `ari_queue`.
    ari_forward: Option<tokio::task::JoinHandle<()>>,
    pub(crate) ari_queue: Option<Arc<AriQueue>>,
}

impl Node {
    /// Wrap connected clients, start tracking the node's health and, with
    /// ARI, draining its events into a queue of `ari_queue` items.
    pub(crate) fn start(
        id: NodeId,
        ami: AmiClient,
        ari: Option<(WsTransport, AriEventStream<RawAriEvent>)>,
        ari_queue: usize,
    ) -> Node {
        let initial = NodeHealth::new(id.clone(), &ami, ari.is_some());
        let health = Arc::new(watch::channel(initial).0);
        let tracker = tokio::spawn(track(ami.clone(), Arc::clone(&health)));
        let (ari, ari_forward, ari_queue) = match ari {
            Some((transport, events)) => {
                let queue = AriQueue::new(ari_queue);
                let task = tokio::spawn(ari_queue::forward(
                    events,
                    Arc::clone(&queue),
                    Arc::clone(&health),
                ));
                (Some(transport), Some(task), Some(queue))
            }
            None => (None, None, None),
        };
        Node {
            id,
            ami,
            ari,
            health,
            tracker,
            ari_forward,
            ari_queue,
        }
    }

    pub(crate) fn health(&self) -> NodeHealth {
        self.health.borrow().clone()
    }

    pub(crate) fn health_watch(&self) -> watch::Receiver<NodeHealth> {
        self.health.subscribe()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.tracker.abort();
        if let Some(task) = &self.ari_forward {
            task.abort();
        }
    }
}
