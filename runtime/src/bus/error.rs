//! [`BusError`]: what can go wrong on the bus, for the bridge and its users.

use crate::fleet::{FleetError, NodeId};

/// An error of the bus: the bridge, an action request, or a consumer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// The JetStream stream could not be created or looked up.
    #[error("JetStream stream {stream}: {reason}")]
    Stream {
        /// The stream name.
        stream: String,
        /// NATS's answer.
        reason: String,
    },
    /// The consumer could not be created or read.
    #[error("JetStream consumer {consumer}: {reason}")]
    Consumer {
        /// The durable consumer (group) name.
        consumer: String,
        /// NATS's answer.
        reason: String,
    },
    /// A NATS operation failed (subscribe, publish, request).
    #[error("NATS: {0}")]
    Nats(String),
    /// A message on an event subject is not what the bridge publishes; the
    /// consumer acknowledged it (it will not come back) and goes on.
    #[error("malformed message on {subject} (stream sequence {stream_sequence}): {reason}")]
    Malformed {
        /// Its subject.
        subject: String,
        /// Its sequence number in the stream.
        stream_sequence: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The bridge has no node of this id.
    #[error("unknown node {0:?}")]
    UnknownNode(NodeId),
    /// The bridge refused the request as malformed.
    #[error("bad action request: {0}")]
    BadRequest(String),
    /// The node's AMI or ARI connection failed to carry the request (no answer:
    /// disconnected, timeout, ...).
    #[error("node {node}: {message}")]
    Node {
        /// The node.
        node: NodeId,
        /// The client's error, as text.
        message: String,
    },
    /// No bridge answered the request in time.
    #[error("no answer from a bridge for node {node:?} within {timeout:?}")]
    NoAnswer {
        /// The node.
        node: NodeId,
        /// How long the requester waited.
        timeout: std::time::Duration,
    },
    /// A reply that is not what the bridge sends.
    #[error("malformed reply: {0}")]
    BadReply(String),
    /// The fleet refused (e.g. an unknown node).
    #[error(transparent)]
    Fleet(FleetError),
    /// The bridge's TOML file is not valid.
    #[error("bridge configuration: {0}")]
    Config(String),
}
