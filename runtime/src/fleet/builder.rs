//! [`FleetBuilder`]: the nodes of a fleet and how to reach them.

use super::ari::{FleetAriEvents, RawAriEvent};
use super::ari_queue::DEFAULT_ARI_QUEUE;
use super::node::Node;
use super::{Fleet, FleetError, NodeId};
use crate::ami::AmiClientBuilder;
use crate::ari::ws::{self, WsConfig};
use std::collections::BTreeMap;

/// One node of a fleet: its id, its AMI client settings and optionally its ARI
/// events WebSocket settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NodeSpec {
    /// The node's id.
    pub id: NodeId,
    /// How to reach its AMI (credentials are never shown by `Debug`).
    pub ami: AmiClientBuilder,
    /// How to reach its ARI events WebSocket, if the node has ARI.
    pub ari: Option<WsConfig>,
}

impl NodeSpec {
    /// A node reached over AMI only.
    pub fn new(id: impl Into<NodeId>, ami: AmiClientBuilder) -> Self {
        NodeSpec {
            id: id.into(),
            ami,
            ari: None,
        }
    }

    /// Also connect to the node's ARI events WebSocket.
    pub fn with_ari(mut self, ari: WsConfig) -> Self {
        self.ari = Some(ari);
        self
    }
}

/// Builder of a [`Fleet`]; start with [`Fleet::builder`].
#[derive(Debug, Clone)]
pub struct FleetBuilder {
    nodes: Vec<NodeSpec>,
    ari_queue: usize,
}

impl Default for FleetBuilder {
    fn default() -> Self {
        FleetBuilder {
            nodes: Vec::new(),
            ari_queue: DEFAULT_ARI_QUEUE,
        }
    }
}

impl FleetBuilder {
    /// How many ARI items each node keeps for
    /// [`Fleet::take_ari_events`](super::Fleet::take_ari_events) (default
    /// 8192). Each node's socket is read all the time; past this many unread
    /// items the oldest is dropped and counted
    /// ([`NodeAriItem::lagged`](super::NodeAriItem::lagged)), so an unread or
    /// slow stream never holds up the node's REST responses or health.
    pub fn ari_queue(mut self, items: usize) -> Self {
        self.ari_queue = items.max(1);
        self
    }

    /// Add a node.
    pub fn node(mut self, spec: NodeSpec) -> Self {
        self.nodes.push(spec);
        self
    }

    /// Connect to every node at once. Node ids must be distinct, also as name
    /// tokens ([`FleetError::ConflictingNodes`]). Every node must connect (and log in):
    /// the first failure is returned with its node, and the connections already
    /// made are closed.
    pub async fn connect(self) -> Result<Fleet, FleetError> {
        if self.nodes.is_empty() {
            return Err(FleetError::Empty);
        }
        super::check_distinct(self.nodes.iter().map(|spec| &spec.id))?;
        let queue = self.ari_queue;
        let connected =
            futures::future::join_all(self.nodes.into_iter().map(|spec| connect_node(spec, queue)))
                .await;
        let mut nodes = BTreeMap::new();
        let mut ari_queues = Vec::new();
        for result in connected {
            let node = result?;
            if let Some(q) = &node.ari_queue {
                ari_queues.push((node.id.clone(), std::sync::Arc::clone(q)));
            }
            nodes.insert(node.id.clone(), node);
        }
        Ok(Fleet::from_nodes(nodes, FleetAriEvents::new(ari_queues)))
    }
}

async fn connect_node(spec: NodeSpec, ari_queue: usize) -> Result<Node, FleetError> {
    let id = spec.id;
    let ami = spec.ami.connect().await.map_err(|source| FleetError::Ami {
        node: id.clone(),
        source,
    })?;
    let ari = match spec.ari {
        Some(cfg) => {
            Some(
                ws::connect::<RawAriEvent>(cfg)
                    .await
                    .map_err(|source| FleetError::Ari {
                        node: id.clone(),
                        source,
                    })?,
            )
        }
        None => None,
    };
    Ok(Node::start(id, ami, ari, ari_queue))
}
