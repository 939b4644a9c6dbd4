//! [`FleetBuilder`]: the nodes of a fleet and how to reach them.

use super::ari::{FleetAriEvents, RawAriEvent};
use super::node::Node;
use super::{Fleet, FleetError, NodeId};
use crate::ami::AmiClientBuilder;
use crate::ari::ws::{self, AriEventStream, WsConfig};
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
#[derive(Debug, Clone, Default)]
pub struct FleetBuilder {
    nodes: Vec<NodeSpec>,
}

impl FleetBuilder {
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
        let connected = futures::future::join_all(self.nodes.into_iter().map(connect_node)).await;
        let mut nodes = BTreeMap::new();
        let mut ari_streams = Vec::new();
        for result in connected {
            let (node, ari_events) = result?;
            if let Some(events) = ari_events {
                ari_streams.push((node.id.clone(), events, node.health_sender()));
            }
            nodes.insert(node.id.clone(), node);
        }
        Ok(Fleet::from_nodes(nodes, FleetAriEvents::new(ari_streams)))
    }
}

async fn connect_node(
    spec: NodeSpec,
) -> Result<(Node, Option<AriEventStream<RawAriEvent>>), FleetError> {
    let id = spec.id;
    let ami = spec.ami.connect().await.map_err(|source| FleetError::Ami {
        node: id.clone(),
        source,
    })?;
    let (ari, events) = match spec.ari {
        Some(cfg) => {
            let (transport, events) =
                ws::connect::<RawAriEvent>(cfg)
                    .await
                    .map_err(|source| FleetError::Ari {
                        node: id.clone(),
                        source,
                    })?;
            (Some(transport), Some(events))
        }
        None => (None, None),
    };
    Ok((Node::start(id, ami, ari), events))
}
