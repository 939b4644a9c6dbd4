//! A node's ARI events, drained from its WebSocket as they arrive into a
//! bounded queue that drops its oldest items when nobody reads them (counting
//! each one), so that an unread event stream never holds up the socket and the
//! REST responses that share it; the node's ARI health is kept on the way.

use super::ari::RawAriEvent;
use super::health::NodeHealth;
use crate::ari::ws::{AriEventStream, WsItem};
use futures::StreamExt;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, watch};

/// Items a node's ARI queue holds by default before it drops the oldest
/// (see [`FleetBuilder::ari_queue`](super::FleetBuilder::ari_queue)).
pub const DEFAULT_ARI_QUEUE: usize = 8192;

#[derive(Default)]
struct State {
    items: VecDeque<WsItem<RawAriEvent>>,
    /// Items dropped (oldest first) since the last one taken.
    dropped: u64,
    /// The node's stream ended.
    ended: bool,
}

/// One node's queue of ARI items, between its forwarding task and the reader.
pub(crate) struct AriQueue {
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

impl AriQueue {
    pub(crate) fn new(capacity: usize) -> Arc<AriQueue> {
        Arc::new(AriQueue {
            state: Mutex::default(),
            ready: Notify::new(),
            capacity: capacity.max(1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, item: WsItem<RawAriEvent>) {
        {
            let mut s = self.lock();
            if s.items.len() >= self.capacity {
                s.items.pop_front();
                s.dropped += 1;
            }
            s.items.push_back(item);
        }
        self.ready.notify_one();
    }

    fn end(&self) {
        self.lock().ended = true;
        self.ready.notify_one();
    }

    /// The next item, with how many older items were dropped just before it;
    /// `None` once the node's stream ended and the queue is empty. One reader.
    pub(crate) async fn pop(&self) -> Option<(u64, WsItem<RawAriEvent>)> {
        loop {
            {
                let mut s = self.lock();
                if let Some(item) = s.items.pop_front() {
                    let dropped = std::mem::take(&mut s.dropped);
                    return Some((dropped, item));
                }
                if s.ended {
                    return None;
                }
            }
            // `notify_one` keeps a permit when nobody waits: no wake-up is lost.
            self.ready.notified().await;
        }
    }
}

/// Drain `events` into `queue` until the stream ends, updating the node's ARI
/// health from its markers whether or not anyone reads the queue.
pub(crate) async fn forward(
    mut events: AriEventStream<RawAriEvent>,
    queue: Arc<AriQueue>,
    health: Arc<watch::Sender<NodeHealth>>,
) {
    while let Some(item) = events.next().await {
        match &item {
            WsItem::Disconnected { .. } => health.send_modify(|h| h.ari_connected = Some(false)),
            WsItem::Reconnected => health.send_modify(|h| {
                h.ari_connected = Some(true);
                h.ari_reconnects += 1;
            }),
            _ => {}
        }
        queue.push(item);
    }
    queue.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> WsItem<RawAriEvent> {
        use crate::ari::ws::FromAriMessage;
        let json = format!(r#"{{"type":"T","n":{n}}}"#);
        WsItem::Event(RawAriEvent::from_message(json.as_bytes()).unwrap().0)
    }

    fn n(item: &WsItem<RawAriEvent>) -> String {
        match item {
            WsItem::Event(e) => String::from_utf8_lossy(e.json()).into_owned(),
            _ => String::new(),
        }
    }

    #[tokio::test]
    async fn a_full_queue_drops_the_oldest_and_counts_them_exactly() {
        let q = AriQueue::new(3);
        for i in 0..10 {
            q.push(event(i));
        }
        q.end();
        let (dropped, first) = q.pop().await.unwrap();
        assert_eq!(dropped, 7);
        assert!(n(&first).contains("\"n\":7"), "{}", n(&first));
        let (dropped, second) = q.pop().await.unwrap();
        assert_eq!(dropped, 0);
        assert!(n(&second).contains("\"n\":8"));
        assert!(q.pop().await.is_some());
        assert!(q.pop().await.is_none(), "ended and empty");
    }
}
