//! A fleet of Asterisk servers: N nodes, each named by a [`NodeId`], each with
//! its AMI connection and optionally its ARI events WebSocket, behind one
//! [`Fleet`].
//!
//! - [`Fleet::events`] merges the AMI events of every node into one stream of
//!   [`NodeEvent`]s, each tagged with its node. Each node's part is that node's
//!   own [`EventStream`](crate::ami::EventStream), so memory stays bounded per
//!   node by the client's budgets, with the same no-loss rules (a subscriber over
//!   its budget sees [`EventItem::Lagged`](crate::ami::EventItem::Lagged) with the
//!   exact count; reconnects show as `Reconnected`).
//! - [`Fleet::take_ari_events`] merges the nodes' ARI events, as received.
//!   Each node's socket is read all the time into a bounded queue (oldest
//!   dropped and counted when full), so an unread stream never holds up REST
//!   over the socket or the node's ARI health.
//! - [`Fleet::send`] routes an action to one node; an unknown node is
//!   [`FleetError::UnknownNode`].
//! - [`Fleet::health`] and [`Fleet::health_updates`]: per-node state, server
//!   version, time of the last event, event and reconnect counts.
//!
//! Needs the `ami` and `ari` features.

mod ari;
mod ari_queue;
mod builder;
mod error;
mod events;
mod health;
mod node;
mod node_id;

pub use ari::{FleetAriEvents, NodeAriItem, RawAriEvent};
pub use ari_queue::DEFAULT_ARI_QUEUE;
pub use builder::{FleetBuilder, NodeSpec};
pub use error::FleetError;
pub use events::{FleetEvents, NodeEvent};
pub use health::{HealthUpdates, NodeHealth};
pub(crate) use node_id::check_distinct;
pub use node_id::{NodeId, name_token};

use crate::ami::{Action, AmiClient, FromEvent};
use crate::ari::ws::WsTransport;
use node::Node;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// N Asterisk servers by node id; cheap to clone (clones share the nodes).
///
/// Built with [`Fleet::builder`]. Dropping the last clone closes every
/// connection.
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<FleetInner>,
}

struct FleetInner {
    nodes: BTreeMap<NodeId, Node>,
    /// The nodes' ARI event streams, until [`Fleet::take_ari_events`] takes them.
    ari_events: Mutex<Option<FleetAriEvents>>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("nodes", &self.inner.nodes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// Start describing a fleet.
    pub fn builder() -> FleetBuilder {
        FleetBuilder::default()
    }

    pub(crate) fn from_nodes(nodes: BTreeMap<NodeId, Node>, ari_events: FleetAriEvents) -> Fleet {
        Fleet {
            inner: Arc::new(FleetInner {
                nodes,
                ari_events: Mutex::new(Some(ari_events)),
            }),
        }
    }

    /// The node ids, in order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeId> + '_ {
        self.inner.nodes.keys()
    }

    fn node(&self, node: &str) -> Result<&Node, FleetError> {
        self.inner
            .nodes
            .get(node)
            .ok_or_else(|| FleetError::UnknownNode(NodeId::from(node)))
    }

    /// The AMI client of `node`.
    pub fn ami(&self, node: &str) -> Result<&AmiClient, FleetError> {
        Ok(&self.node(node)?.ami)
    }

    /// The ARI transport (REST over the events WebSocket) of `node`; `Ok(None)`
    /// when the node has no ARI.
    pub fn ari(&self, node: &str) -> Result<Option<&WsTransport>, FleetError> {
        Ok(self.node(node)?.ari.as_ref())
    }

    /// Send `action` to `node` and wait for its answer (see
    /// [`AmiClient::send`]).
    pub async fn send<A: Action>(&self, node: &str, action: &A) -> Result<A::Response, FleetError> {
        let client = self.ami(node)?;
        client.send(action).await.map_err(|source| FleetError::Ami {
            node: NodeId::from(node),
            source,
        })
    }

    /// Subscribe to the AMI events of type `T` of every node, merged, each
    /// tagged with its node (`Message` for all of them raw).
    pub fn events<T: FromEvent + Send + 'static>(&self) -> FleetEvents<T> {
        FleetEvents::new(
            self.inner
                .nodes
                .iter()
                .map(|(id, node)| (id.clone(), node.ami.events::<T>())),
        )
    }

    /// The ARI events of every node with ARI, merged, as received, with each
    /// node's disconnect and reconnect markers. Taken once: `None` afterwards.
    pub fn take_ari_events(&self) -> Option<FleetAriEvents> {
        self.inner
            .ari_events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The health of `node` now.
    pub fn health(&self, node: &str) -> Result<NodeHealth, FleetError> {
        Ok(self.node(node)?.health())
    }

    /// The health of every node now, in node order.
    pub fn health_all(&self) -> Vec<NodeHealth> {
        self.inner.nodes.values().map(Node::health).collect()
    }

    /// A stream of health snapshots: the current one of every node first, then
    /// one whenever a node's state, version, reconnect or lag count changes (a
    /// new event alone only updates [`Fleet::health`]'s `last_event`).
    pub fn health_updates(&self) -> HealthUpdates {
        HealthUpdates::new(self.inner.nodes.values().map(|n| n.health_watch()))
    }

    /// Log off every node's AMI connection and close the fleet's connections.
    pub async fn disconnect(&self) {
        let all = self.inner.nodes.values().map(|n| n.ami.disconnect());
        for (id, result) in self
            .inner
            .nodes
            .keys()
            .zip(futures::future::join_all(all).await)
        {
            if let Err(e) = result {
                tracing::debug!(node = %id, error = %e, "logoff failed");
            }
        }
    }
}
