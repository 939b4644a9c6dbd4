//! The subscriber registry and the fan-out of event batches from the socket
//! reader to every subscriber, with the Block/Lossy policies and the buffer kept
//! for the first subscriber.

use super::super::message::Message;
use super::config::SlowSubscriberPolicy;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore, mpsc};

/// One entry of a subscriber's queue.
#[derive(Clone)]
pub(crate) enum Item {
    Msg(Message),
    Reconnected,
    Lagged(u64),
}

/// A batch of items sent to subscribers; `permits` is the number of buffer slots
/// it holds (one per message; markers hold none).
pub(crate) struct Batch {
    pub(crate) items: Vec<Item>,
    pub(crate) permits: u32,
}

/// The reader's end of one subscriber.
#[derive(Clone)]
pub(crate) struct SubTx {
    id: u64,
    tx: mpsc::UnboundedSender<Arc<Batch>>,
    permits: Arc<Semaphore>,
    lag: Arc<AtomicU64>,
}

/// The subscriber's end: batches, and the slots to give back once taken.
pub(crate) struct SubRx {
    pub(crate) rx: mpsc::UnboundedReceiver<Arc<Batch>>,
    pub(crate) permits: Arc<Semaphore>,
}

impl Drop for SubRx {
    fn drop(&mut self) {
        // Wakes a reader blocked on this subscriber's buffer: it drops it.
        self.permits.close();
    }
}

struct Inner {
    subs: Vec<SubTx>,
    /// Events kept for the first subscriber; `None` once it subscribed (or when
    /// early events are not kept).
    early: Option<Vec<Item>>,
    early_msgs: usize,
    next_id: u64,
    closed: bool,
}

/// Registry shared by the client (subscribing) and the reader (dispatching).
pub(crate) struct Hub {
    inner: Mutex<Inner>,
    generation: AtomicU64,
    subscribed: Notify,
    policy: SlowSubscriberPolicy,
    capacity: usize,
}

impl Hub {
    pub(crate) fn new(policy: SlowSubscriberPolicy, capacity: usize, keep_early: bool) -> Hub {
        Hub {
            inner: Mutex::new(Inner {
                subs: Vec::new(),
                early: keep_early.then(Vec::new),
                early_msgs: 0,
                next_id: 0,
                closed: false,
            }),
            generation: AtomicU64::new(0),
            subscribed: Notify::new(),
            policy,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Largest batch the reader may send (it must fit in one subscriber buffer).
    pub(crate) fn max_batch(&self) -> usize {
        self.capacity.min(512)
    }

    /// Add a subscriber. The first one ever also receives the events kept since
    /// connect.
    pub(crate) fn subscribe(&self) -> SubRx {
        let (tx, rx) = mpsc::unbounded_channel();
        let permits = Arc::new(Semaphore::new(self.capacity));
        let mut g = self.lock();
        if let Some(early) = g.early.take() {
            let n = g.early_msgs as u32;
            g.early_msgs = 0;
            if !early.is_empty() {
                if let Ok(p) = permits.try_acquire_many(n) {
                    p.forget();
                }
                let _ = tx.send(Arc::new(Batch {
                    items: early,
                    permits: n,
                }));
            }
        }
        if !g.closed {
            let id = g.next_id;
            g.next_id += 1;
            g.subs.push(SubTx {
                id,
                tx,
                permits: permits.clone(),
                lag: Arc::new(AtomicU64::new(0)),
            });
            self.generation.fetch_add(1, Ordering::Release);
        }
        drop(g);
        self.subscribed.notify_waiters();
        SubRx { rx, permits }
    }

    /// The client is closed: every stream ends after its queued items.
    pub(crate) fn close(&self) {
        let mut g = self.lock();
        g.closed = true;
        g.subs.clear();
        g.early = None;
        self.generation.fetch_add(1, Ordering::Release);
        drop(g);
        self.subscribed.notify_waiters();
    }

    fn remove(&self, ids: &[u64]) {
        let mut g = self.lock();
        g.subs.retain(|s| !ids.contains(&s.id));
        self.generation.fetch_add(1, Ordering::Release);
    }
}

/// The reader's cached view of the subscribers.
pub(crate) struct Dispatcher {
    hub: Arc<Hub>,
    generation: u64,
    subs: Vec<SubTx>,
}

impl Dispatcher {
    pub(crate) fn new(hub: Arc<Hub>) -> Dispatcher {
        Dispatcher {
            hub,
            generation: u64::MAX,
            subs: Vec::new(),
        }
    }

    fn refresh(&mut self) {
        let generation = self.hub.generation.load(Ordering::Acquire);
        if generation != self.generation {
            let g = self.hub.lock();
            self.subs = g.subs.clone();
            self.generation = self.hub.generation.load(Ordering::Acquire);
        }
    }

    /// Keep `items` for the first subscriber, or wait for room (Block). Returns
    /// the items back when a subscriber appeared meanwhile.
    async fn keep_early(&mut self, mut items: Vec<Item>, msgs: usize) -> Option<Vec<Item>> {
        loop {
            let notified = self.hub.subscribed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut g = self.hub.lock();
                if !g.subs.is_empty() {
                    return Some(items);
                }
                let capacity = self.hub.capacity;
                let used = g.early_msgs;
                let Some(early) = g.early.as_mut() else {
                    // Nobody listens and nothing is kept: dropped.
                    return None;
                };
                if used + msgs <= capacity {
                    early.append(&mut items);
                    g.early_msgs += msgs;
                    return None;
                }
                if self.hub.policy == SlowSubscriberPolicy::Lossy {
                    early.push(Item::Lagged(msgs as u64));
                    return None;
                }
            }
            notified.await;
        }
    }

    /// Deliver a batch of items (at most [`Hub::max_batch`] messages) to every
    /// subscriber, applying the slow-subscriber policy.
    pub(crate) async fn dispatch(&mut self, items: Vec<Item>) {
        let msgs = items.iter().filter(|i| matches!(i, Item::Msg(_))).count();
        self.refresh();
        let items = if self.subs.is_empty() {
            match self.keep_early(items, msgs).await {
                Some(items) => {
                    self.refresh();
                    items
                }
                None => return,
            }
        } else {
            items
        };
        let n = msgs as u32;
        let batch = Arc::new(Batch { items, permits: n });
        let mut dead = Vec::new();
        let count = self.subs.len();
        let mut batch = Some(batch);
        for (i, sub) in self.subs.iter().enumerate() {
            let b = if i + 1 == count {
                batch.take()
            } else {
                batch.clone()
            };
            let Some(b) = b else { break };
            let alive = match self.hub.policy {
                SlowSubscriberPolicy::Block => match sub.permits.acquire_many(n).await {
                    Ok(p) => {
                        p.forget();
                        sub.tx.send(b).is_ok()
                    }
                    Err(_) => false,
                },
                SlowSubscriberPolicy::Lossy => match sub.permits.try_acquire_many(n) {
                    Ok(p) => {
                        p.forget();
                        let lag = sub.lag.swap(0, Ordering::Relaxed);
                        let marker_ok = lag == 0
                            || sub
                                .tx
                                .send(Arc::new(Batch {
                                    items: vec![Item::Lagged(lag)],
                                    permits: 0,
                                }))
                                .is_ok();
                        marker_ok && sub.tx.send(b).is_ok()
                    }
                    Err(tokio::sync::TryAcquireError::NoPermits) => {
                        sub.lag.fetch_add(n as u64, Ordering::Relaxed);
                        true
                    }
                    Err(tokio::sync::TryAcquireError::Closed) => false,
                },
            };
            if !alive {
                dead.push(sub.id);
            }
        }
        if !dead.is_empty() {
            self.subs.retain(|s| !dead.contains(&s.id));
            self.hub.remove(&dead);
        }
    }

    /// Put a `Reconnected` marker into every stream (and into the buffer kept for
    /// the first subscriber).
    pub(crate) fn announce_reconnected(&mut self) {
        self.refresh();
        if self.subs.is_empty() {
            let mut g = self.hub.lock();
            if g.subs.is_empty() {
                if let Some(early) = g.early.as_mut() {
                    early.push(Item::Reconnected);
                }
                return;
            }
            drop(g);
            self.refresh();
        }
        for sub in &self.subs {
            let _ = sub.tx.send(Arc::new(Batch {
                items: vec![Item::Reconnected],
                permits: 0,
            }));
        }
    }
}
