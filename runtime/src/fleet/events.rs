//! [`FleetEvents`]: the AMI events of every node, merged, each tagged with its
//! node.

use super::NodeId;
use crate::ami::{EventItem, EventStream, FromEvent};
use futures::{Stream, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};

/// One item of a node's event stream, with the node it came from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NodeEvent<T> {
    /// The node.
    pub node: NodeId,
    /// The event or marker, exactly as that node's
    /// [`EventStream`] yields it.
    pub item: EventItem<T>,
}

type Tagged<T> = Pin<Box<dyn Stream<Item = NodeEvent<T>> + Send>>;

/// The merged event streams of a fleet's nodes; each node's events stay in
/// their order, nodes are interleaved fairly. Ends when every node's client
/// is closed.
pub struct FleetEvents<T> {
    inner: futures::stream::SelectAll<Tagged<T>>,
}

impl<T> std::fmt::Debug for FleetEvents<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetEvents")
            .field("nodes", &self.inner.len())
            .finish()
    }
}

impl<T: FromEvent + Send + 'static> FleetEvents<T> {
    pub(crate) fn new(streams: impl Iterator<Item = (NodeId, EventStream<T>)>) -> Self {
        let tagged = streams.map(|(node, events)| {
            let s: Tagged<T> = Box::pin(events.map(move |item| NodeEvent {
                node: node.clone(),
                item,
            }));
            s
        });
        FleetEvents {
            inner: futures::stream::select_all(tagged),
        }
    }
}

impl<T> Stream for FleetEvents<T> {
    type Item = NodeEvent<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<NodeEvent<T>>> {
        self.inner.poll_next_unpin(cx)
    }
}
