//! [`FleetError`]: what can go wrong building a fleet or routing to a node.

use super::NodeId;
use crate::ami::AmiError;
use crate::ari::ws::WsError;

/// An error of a [`Fleet`](super::Fleet) operation, naming the node.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// No node has this id.
    #[error("unknown node {0:?}")]
    UnknownNode(NodeId),
    /// Two nodes were given the same id.
    #[error("node {0:?} is listed twice")]
    DuplicateNode(NodeId),
    /// Two node ids differ but have the same [`NodeId::token`] (`pbx.1` and
    /// `pbx_1`): on the bus they would share subjects.
    #[error("nodes {first:?} and {second:?} have the same name token {token:?}")]
    ConflictingNodes {
        /// The node listed first.
        first: NodeId,
        /// The node listed later.
        second: NodeId,
        /// The token both become.
        token: String,
    },
    /// The fleet has no node.
    #[error("a fleet needs at least one node")]
    Empty,
    /// The node's AMI client failed (connecting, or an action).
    #[error("node {node}: {source}")]
    Ami {
        /// The node.
        node: NodeId,
        /// The client's error.
        source: AmiError,
    },
    /// The node's ARI events WebSocket could not connect.
    #[error("node {node}: ARI: {source}")]
    Ari {
        /// The node.
        node: NodeId,
        /// The WebSocket client's error.
        source: WsError,
    },
}
