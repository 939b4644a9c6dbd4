//! The ARI side of a fleet: [`RawAriEvent`], one events-socket message kept
//! exactly as received, and [`FleetAriEvents`], every node's ARI events merged.

use super::NodeId;
use super::ari_queue::AriQueue;
use crate::ari::ws::{FromAriMessage, WsItem};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// One ARI event, its JSON exactly as Asterisk sent it, with its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAriEvent {
    json: Bytes,
    event_type: String,
}

impl RawAriEvent {
    /// The JSON as received.
    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// The event's `type` (empty when the object has none or it is not a string).
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}

/// Just the `type` of an event object; every other member is skipped.
#[derive(serde::Deserialize)]
struct TypeOnly {
    #[serde(rename = "type", default)]
    event_type: Option<serde_json::Value>,
}

impl FromAriMessage for RawAriEvent {
    fn from_message(bytes: &[u8]) -> Result<(Self, Option<serde_json::Error>), serde_json::Error> {
        let head: TypeOnly = serde_json::from_slice(bytes)?;
        let event_type = match head.event_type {
            Some(serde_json::Value::String(s)) => s,
            _ => String::new(),
        };
        Ok((
            RawAriEvent {
                json: Bytes::copy_from_slice(bytes),
                event_type,
            },
            None,
        ))
    }
}

/// One item of a node's ARI event stream, with the node it came from.
#[derive(Debug)]
#[non_exhaustive]
pub struct NodeAriItem {
    /// The node.
    pub node: NodeId,
    /// How many of this node's items were dropped just before this one, oldest
    /// first, because its queue was full (nobody read the stream fast enough;
    /// see [`FleetBuilder::ari_queue`](super::FleetBuilder::ari_queue)). `0`
    /// when none were.
    pub lagged: u64,
    /// The event or marker as the node's
    /// [`AriEventStream`](crate::ari::ws::AriEventStream) yields it.
    pub item: WsItem<RawAriEvent>,
}

type Tagged = Pin<Box<dyn Stream<Item = NodeAriItem> + Send>>;

/// The ARI event streams of a fleet's nodes, merged (see
/// [`Fleet::take_ari_events`](super::Fleet::take_ari_events)).
///
/// Each node's socket is read all the time into a bounded queue, whether or
/// not this stream is read, so REST over the socket and the node's ARI health
/// never wait for a reader; a full queue drops its oldest item and the next
/// item says how many went ([`NodeAriItem::lagged`]).
pub struct FleetAriEvents {
    queues: Vec<(NodeId, Arc<AriQueue>)>,
    inner: futures::stream::SelectAll<Tagged>,
}

impl std::fmt::Debug for FleetAriEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetAriEvents")
            .field("nodes", &self.inner.len())
            .finish()
    }
}

impl FleetAriEvents {
    pub(crate) fn new(queues: Vec<(NodeId, Arc<AriQueue>)>) -> Self {
        let tagged = queues.clone().into_iter().map(|(node, queue)| {
            let s: Tagged = Box::pin(futures::stream::unfold(
                (node, queue),
                |(node, queue)| async move {
                    let (lagged, item) = queue.pop().await?;
                    let tagged = NodeAriItem {
                        node: node.clone(),
                        lagged,
                        item,
                    };
                    Some((tagged, (node, queue)))
                },
            ));
            s
        });
        FleetAriEvents {
            queues,
            inner: futures::stream::select_all(tagged),
        }
    }

    /// One stream per node, each read on its own: a reader held up on one
    /// node does not hold up the others. Nothing is lost in the split.
    pub fn into_per_node(self) -> Vec<FleetAriEvents> {
        self.queues
            .into_iter()
            .map(|q| FleetAriEvents::new(vec![q]))
            .collect()
    }
}

impl Stream for FleetAriEvents {
    type Item = NodeAriItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<NodeAriItem>> {
        self.inner.poll_next_unpin(cx)
    }
}
