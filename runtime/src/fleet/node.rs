//! One node of a fleet: its clients and the task that keeps its health.

use super::NodeId;
use super::health::{NodeHealth, track};
use crate::ami::AmiClient;
use crate::ari::ws::WsTransport;
use std::sync::Arc;
use tokio::sync::watch;

/// A connected node.
pub(crate) struct Node {
    pub(crate) id: NodeId,
    pub(crate) ami: AmiClient,
    pub(crate) ari: Option<WsTransport>,
    health: Arc<watch::Sender<NodeHealth>>,
    tracker: tokio::task::JoinHandle<()>,
}

impl Node {
    /// Wrap connected clients and start tracking the node's health.
    pub(crate) fn start(id: NodeId, ami: AmiClient, ari: Option<WsTransport>) -> Node {
        let initial = NodeHealth::new(id.clone(), &ami, ari.is_some());
        let health = Arc::new(watch::channel(initial).0);
        let tracker = tokio::spawn(track(ami.clone(), Arc::clone(&health)));
        Node {
            id,
            ami,
            ari,
            health,
            tracker,
        }
    }

    pub(crate) fn health(&self) -> NodeHealth {
        self.health.borrow().clone()
    }

    pub(crate) fn health_watch(&self) -> watch::Receiver<NodeHealth> {
        self.health.subscribe()
    }

    pub(crate) fn health_sender(&self) -> Arc<watch::Sender<NodeHealth>> {
        Arc::clone(&self.health)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.tracker.abort();
    }
}
