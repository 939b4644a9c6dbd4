//! The subscriber registry and the fan-out of event batches from the socket
//! reader. Every subscriber has its own queue, bounded by a byte budget; the
//! reader hands each batch to every queue and goes on reading. Only a client
//! configured with [`SlowSubscriberPolicy::Block`] ever makes the reader wait.
//! Events that arrive while nobody subscribes are kept for the first subscriber
//! within a time window and a byte budget ([`EarlyEvents`]).

use super::super::message::Message;
use super::config::{Budgets, SlowSubscriberPolicy};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Instant;
use tokio::sync::Notify;

/// Bytes counted for one queued message besides its frame: the `Message` value,
/// its header positions and the queue slot (an estimate, see [`cost`]).
const MESSAGE_OVERHEAD: usize = 64;

/// One entry of a batch.
#[derive(Clone)]
pub(crate) enum Item {
    Msg(Message),
    Reconnected,
}

/// What one item counts against a budget: the frame's bytes plus a fixed
/// overhead; markers count nothing. Messages share the reader's buffers, so this
/// is what the queue holds, not exactly what the allocator does.
fn cost(item: &Item) -> usize {
    match item {
        Item::Msg(m) => m.as_bytes().len() + MESSAGE_OVERHEAD,
        Item::Reconnected => 0,
    }
}

/// A batch of items from one read, shared by every subscriber.
pub(crate) struct Batch {
    pub(crate) items: Vec<Item>,
    bytes: usize,
    received: Instant,
}

impl Batch {
    pub(crate) fn new(items: Vec<Item>) -> Batch {
        let bytes = items.iter().map(cost).sum();
        Batch {
            items,
            bytes,
            received: Instant::now(),
        }
    }
}

/// A batch in a queue, with the number of its leading items already dropped.
struct Segment {
    batch: Arc<Batch>,
    start: usize,
    bytes: usize,
}

impl Segment {
    fn new(batch: Arc<Batch>) -> Segment {
        let bytes = batch.bytes;
        Segment {
            batch,
            start: 0,
            bytes,
        }
    }
}

/// What a queue reports that is not an event.
#[derive(Default)]
struct Dropped {
    /// Events dropped and not yet reported.
    events: u64,
    /// `Reconnected` markers that were inside dropped segments.
    reconnects: u32,
}

impl Dropped {
    /// Drop the oldest items of `queue` until it holds at most `limit` bytes,
    /// counting what went. Returns the bytes freed.
    fn shrink(&mut self, queue: &mut VecDeque<Segment>, held: usize, limit: usize) -> usize {
        let mut freed = 0;
        while held - freed > limit {
            let Some(front) = queue.front_mut() else {
                break;
            };
            let Some(item) = front.batch.items.get(front.start) else {
                queue.pop_front();
                continue;
            };
            match item {
                Item::Msg(_) => self.events += 1,
                Item::Reconnected => self.reconnects += 1,
            }
            let c = cost(item);
            front.start += 1;
            front.bytes -= c;
            freed += c;
            if front.start == front.batch.items.len() {
                queue.pop_front();
            }
        }
        freed
    }
}

/// What ended a queue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum End {
    /// The client closed: the stream ends after its queued items.
    Closed,
    /// [`SlowSubscriberPolicy::Disconnect`]: the budget was exceeded.
    Overflowed { budget: usize },
}

#[derive(Default)]
struct QueueState {
    segments: VecDeque<Segment>,
    bytes: usize,
    dropped: Dropped,
    end: Option<End>,
    waker: Option<Waker>,
}

/// One subscriber's queue, shared by the reader (pushing) and its stream.
pub(crate) struct SubQueue {
    state: Mutex<QueueState>,
    /// Set when the stream is dropped: the reader forgets the queue.
    receiver_gone: AtomicBool,
    /// Wakes a reader waiting for room ([`SlowSubscriberPolicy::Block`]).
    room: Notify,
    /// Bytes queued over all subscribers of the client.
    total: Arc<AtomicUsize>,
}

/// What a stream takes from its queue.
pub(crate) enum Next {
    /// Items of one batch, from `start`.
    Batch(Arc<Batch>, usize),
    /// Events were dropped: this many, then this many `Reconnected` markers.
    Dropped { events: u64, reconnects: u32 },
    /// The queue ended.
    End(End),
    /// Nothing yet; the waker is registered.
    Empty,
}

impl SubQueue {
    fn new(total: Arc<AtomicUsize>) -> SubQueue {
        SubQueue {
            state: Mutex::new(QueueState::default()),
            receiver_gone: AtomicBool::new(false),
            room: Notify::new(),
            total,
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Nothing panics while holding it; a poisoned queue is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the next thing for the stream (see [`Next`]).
    pub(crate) fn take(&self, waker: &Waker) -> Next {
        let mut st = self.lock();
        if st.dropped.events > 0 || st.dropped.reconnects > 0 {
            let d = std::mem::take(&mut st.dropped);
            return Next::Dropped {
                events: d.events,
                reconnects: d.reconnects,
            };
        }
        if let Some(seg) = st.segments.pop_front() {
            st.bytes -= seg.bytes;
            drop(st);
            self.total.fetch_sub(seg.bytes, Ordering::Relaxed);
            self.room.notify_one();
            return Next::Batch(seg.batch, seg.start);
        }
        if let Some(end) = st.end {
            return Next::End(end);
        }
        match &st.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => st.waker = Some(waker.clone()),
        }
        Next::Empty
    }

    /// The stream is gone.
    pub(crate) fn release(&self) {
        self.receiver_gone.store(true, Ordering::Relaxed);
        let mut st = self.lock();
        let held = std::mem::take(&mut st.bytes);
        st.segments.clear();
        drop(st);
        self.total.fetch_sub(held, Ordering::Relaxed);
        self.room.notify_one();
    }

    fn end(&self, end: End) {
        let mut st = self.lock();
        st.end.get_or_insert(end);
        let waker = st.waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Events kept while nobody subscribes, for the first subscriber: at most
/// `window` old and `bytes` in size; older and excess events are dropped, and the
/// first subscriber is told how many with a `Lagged` count.
struct EarlyEvents {
    segments: VecDeque<Segment>,
    bytes: usize,
    dropped: Dropped,
}

impl EarlyEvents {
    fn new() -> EarlyEvents {
        EarlyEvents {
            segments: VecDeque::new(),
            bytes: 0,
            dropped: Dropped::default(),
        }
    }

    /// Drop what is older than the window or over the byte budget.
    fn trim(&mut self, budgets: &Budgets, now: Instant) {
        while let Some(seg) = self.segments.front() {
            if now.duration_since(seg.batch.received) <= budgets.early_window {
                break;
            }
            for item in &seg.batch.items[seg.start..] {
                match item {
                    Item::Msg(_) => self.dropped.events += 1,
                    Item::Reconnected => self.dropped.reconnects += 1,
                }
            }
            self.bytes -= seg.bytes;
            self.segments.pop_front();
        }
        let freed = self
            .dropped
            .shrink(&mut self.segments, self.bytes, budgets.early_bytes);
        self.bytes -= freed;
    }
}

struct Inner {
    subs: Vec<Arc<SubQueue>>,
    /// `None` once the first subscriber took it (or when early events are off).
    early: Option<EarlyEvents>,
    closed: bool,
}

/// Registry shared by the client (subscribing) and the reader (dispatching).
pub(crate) struct Hub {
    inner: Mutex<Inner>,
    generation: AtomicU64,
    policy: SlowSubscriberPolicy,
    budgets: Budgets,
    total: Arc<AtomicUsize>,
}

/// Largest batch the reader dispatches at once.
pub(crate) const MAX_BATCH: usize = 512;

impl Hub {
    pub(crate) fn new(policy: SlowSubscriberPolicy, budgets: Budgets, keep_early: bool) -> Hub {
        Hub {
            inner: Mutex::new(Inner {
                subs: Vec::new(),
                early: keep_early.then(EarlyEvents::new),
                closed: false,
            }),
            generation: AtomicU64::new(0),
            policy,
            budgets,
            total: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Add a subscriber. The first one ever also receives the events kept since
    /// connect (those still inside the early window).
    pub(crate) fn subscribe(&self) -> Arc<SubQueue> {
        let queue = Arc::new(SubQueue::new(self.total.clone()));
        let mut g = self.lock();
        if let Some(mut early) = g.early.take() {
            early.trim(&self.budgets, Instant::now());
            let mut st = queue.lock();
            st.dropped = early.dropped;
            st.bytes = early.bytes;
            st.segments = early.segments;
            // The early bytes move from the early buffer to this queue: the
            // client total already counts them.
        }
        if g.closed {
            queue.end(End::Closed);
        } else {
            g.subs.push(queue.clone());
            self.generation.fetch_add(1, Ordering::Release);
        }
        queue
    }

    /// The client is closed: every stream ends after its queued items.
    pub(crate) fn close(&self) {
        let mut g = self.lock();
        g.closed = true;
        let subs = std::mem::take(&mut g.subs);
        if let Some(early) = g.early.take() {
            self.total.fetch_sub(early.bytes, Ordering::Relaxed);
        }
        self.generation.fetch_add(1, Ordering::Release);
        drop(g);
        for s in subs {
            s.end(End::Closed);
        }
    }

    fn remove(&self, dead: &[Arc<SubQueue>]) {
        let mut g = self.lock();
        g.subs.retain(|s| !dead.iter().any(|d| Arc::ptr_eq(s, d)));
        self.generation.fetch_add(1, Ordering::Release);
    }
}

/// The reader's cached view of the subscribers.
pub(crate) struct Dispatcher {
    hub: Arc<Hub>,
    generation: u64,
    subs: Vec<Arc<SubQueue>>,
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

    /// Keep a batch for the first subscriber. Returns it back when a subscriber
    /// appeared meanwhile.
    fn keep_early(&self, batch: Arc<Batch>) -> Option<Arc<Batch>> {
        let mut g = self.hub.lock();
        if !g.subs.is_empty() {
            return Some(batch);
        }
        let Some(early) = g.early.as_mut() else {
            // Nobody listens and nothing is kept: dropped.
            return None;
        };
        let before = early.bytes;
        early.bytes += batch.bytes;
        let received = batch.received;
        early.segments.push_back(Segment::new(batch));
        early.trim(&self.hub.budgets, received);
        let after = early.bytes;
        if after >= before {
            self.hub.total.fetch_add(after - before, Ordering::Relaxed);
        } else {
            self.hub.total.fetch_sub(before - after, Ordering::Relaxed);
        }
        None
    }

    /// Deliver a batch of items to every subscriber, applying the policy to those
    /// over budget. Waits only under [`SlowSubscriberPolicy::Block`].
    pub(crate) async fn dispatch(&mut self, items: Vec<Item>) {
        let batch = Arc::new(Batch::new(items));
        self.refresh();
        let batch = if self.subs.is_empty() {
            match self.keep_early(batch) {
                Some(b) => {
                    self.refresh();
                    b
                }
                None => return,
            }
        } else {
            batch
        };
        let mut dead = Vec::new();
        let budgets = self.hub.budgets;
        for sub in &self.subs {
            if sub.receiver_gone.load(Ordering::Relaxed) {
                dead.push(sub.clone());
                continue;
            }
            if self.hub.policy == SlowSubscriberPolicy::Block {
                wait_for_room(sub, &budgets).await;
            }
            if !push(sub, &batch, self.hub.policy, &budgets) {
                dead.push(sub.clone());
            }
        }
        if !dead.is_empty() {
            self.subs
                .retain(|s| !dead.iter().any(|d| Arc::ptr_eq(s, d)));
            self.hub.remove(&dead);
        }
    }

    /// Put a `Reconnected` marker into every stream (and into the events kept
    /// for the first subscriber).
    pub(crate) fn announce_reconnected(&mut self) {
        let marker = Arc::new(Batch::new(vec![Item::Reconnected]));
        self.refresh();
        if self.subs.is_empty() {
            match self.keep_early(marker.clone()) {
                Some(_) => self.refresh(),
                None => return,
            }
        }
        let budgets = self.hub.budgets;
        for sub in &self.subs {
            push(sub, &marker, SlowSubscriberPolicy::Lag, &budgets);
        }
    }
}

/// Wait until `sub` has room for more (or is gone). Only its own budget
/// counts: waiting on the client's total could wait for bytes another stream
/// holds while this one has nothing left to read.
async fn wait_for_room(sub: &SubQueue, budgets: &Budgets) {
    loop {
        let room = sub.room.notified();
        tokio::pin!(room);
        room.as_mut().enable();
        let full = sub.lock().bytes >= budgets.per_subscriber;
        if !full || sub.receiver_gone.load(Ordering::Relaxed) {
            return;
        }
        room.await;
    }
}

/// Queue `batch` for `sub`, then apply `policy` when over budget. Returns false
/// when the subscriber is to be forgotten.
fn push(
    sub: &SubQueue,
    batch: &Arc<Batch>,
    policy: SlowSubscriberPolicy,
    budgets: &Budgets,
) -> bool {
    let mut st = sub.lock();
    // Checked under the lock: a stream released meanwhile has already given
    // back its bytes, and must not take new ones.
    if st.end.is_some() || sub.receiver_gone.load(Ordering::Relaxed) {
        return false;
    }
    st.segments.push_back(Segment::new(batch.clone()));
    st.bytes += batch.bytes;
    let total = sub.total.fetch_add(batch.bytes, Ordering::Relaxed) + batch.bytes;
    let over_client = total.saturating_sub(budgets.per_client);
    let limit = budgets
        .per_subscriber
        .min(st.bytes.saturating_sub(over_client));
    let mut alive = true;
    if st.bytes > limit && policy != SlowSubscriberPolicy::Block {
        match policy {
            SlowSubscriberPolicy::Disconnect => {
                let held = std::mem::take(&mut st.bytes);
                st.segments.clear();
                st.end = Some(End::Overflowed {
                    budget: budgets.per_subscriber,
                });
                sub.total.fetch_sub(held, Ordering::Relaxed);
                alive = false;
            }
            _ => {
                let QueueState {
                    segments,
                    bytes,
                    dropped,
                    ..
                } = &mut *st;
                let freed = dropped.shrink(segments, *bytes, limit);
                *bytes -= freed;
                sub.total.fetch_sub(freed, Ordering::Relaxed);
            }
        }
    }
    let waker = st.waker.take();
    drop(st);
    if let Some(w) = waker {
        w.wake();
    }
    alive
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::{Context, Poll};
    use std::time::Duration;

    fn msg(n: usize) -> Item {
        Item::Msg(Message::from_pairs([
            ("Event", "Tick"),
            ("N", &n.to_string()),
        ]))
    }

    fn budgets(per_subscriber: usize) -> Budgets {
        Budgets {
            per_subscriber,
            per_client: usize::MAX,
            early_window: Duration::from_secs(60),
            early_bytes: usize::MAX,
        }
    }

    /// Everything a queue yields now, as text: `N` values, `lag:n`, `rc`.
    fn drain(q: &SubQueue) -> Vec<String> {
        let waker = futures::task::noop_waker();
        let mut out = Vec::new();
        loop {
            match q.take(&waker) {
                Next::Batch(b, start) => {
                    for item in &b.items[start..] {
                        out.push(match item {
                            Item::Msg(m) => m.get("N").unwrap_or("?").to_string(),
                            Item::Reconnected => "rc".into(),
                        });
                    }
                }
                Next::Dropped { events, reconnects } => {
                    out.push(format!("lag:{events}"));
                    out.extend((0..reconnects).map(|_| "rc".to_string()));
                }
                Next::End(End::Closed) => {
                    out.push("end".into());
                    return out;
                }
                Next::End(End::Overflowed { .. }) => {
                    out.push("overflow".into());
                    return out;
                }
                Next::Empty => return out,
            }
        }
    }

    fn one_cost() -> usize {
        cost(&msg(0))
    }

    #[test]
    fn inside_the_budget_nothing_is_lost() {
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, budgets(1 << 20), false));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(async {
            d.dispatch((0..3).map(msg).collect()).await;
            d.dispatch((3..5).map(msg).collect()).await;
        });
        assert_eq!(drain(&q), ["0", "1", "2", "3", "4"]);
        assert_eq!(hub.total.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn lag_drops_the_oldest_and_counts_them_exactly() {
        let hub = Arc::new(Hub::new(
            SlowSubscriberPolicy::Lag,
            budgets(one_cost() * 4),
            false,
        ));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(async {
            d.dispatch((0..3).map(msg).collect()).await;
            d.dispatch((3..10).map(msg).collect()).await;
        });
        // 10 sent, room for 4 (frame sizes differ by the digits: all one digit).
        assert_eq!(drain(&q), ["lag:6", "6", "7", "8", "9"]);
        assert_eq!(hub.total.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_dropped_reconnect_marker_is_still_delivered() {
        let hub = Arc::new(Hub::new(
            SlowSubscriberPolicy::Lag,
            budgets(one_cost() * 2),
            false,
        ));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(async {
            d.dispatch(vec![msg(0)]).await;
            d.announce_reconnected();
            d.dispatch((1..4).map(msg).collect()).await;
        });
        assert_eq!(drain(&q), ["lag:2", "rc", "2", "3"]);
    }

    #[test]
    fn disconnect_policy_ends_the_stream_with_overflow() {
        let hub = Arc::new(Hub::new(
            SlowSubscriberPolicy::Disconnect,
            budgets(one_cost() * 2),
            false,
        ));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        let other = hub.subscribe();
        futures::executor::block_on(async {
            d.dispatch(vec![msg(0)]).await;
            d.dispatch(vec![msg(1)]).await;
        });
        assert_eq!(drain(&other), ["0", "1"]);
        futures::executor::block_on(d.dispatch(vec![msg(2)]));
        // The full subscriber is closed; the one that kept up goes on.
        assert_eq!(drain(&q), ["overflow"]);
        assert_eq!(drain(&other), ["2"]);
        assert_eq!(hub.lock().subs.len(), 1);
    }

    #[test]
    fn client_budget_bounds_the_sum_of_queues() {
        let mut b = budgets(usize::MAX);
        b.per_client = one_cost() * 3;
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, b, false));
        let mut d = Dispatcher::new(hub.clone());
        let q1 = hub.subscribe();
        let q2 = hub.subscribe();
        futures::executor::block_on(d.dispatch((0..4).map(msg).collect()));
        assert!(hub.total.load(Ordering::Relaxed) <= one_cost() * 3);
        let (a, b) = (drain(&q1), drain(&q2));
        // Every event is either delivered or counted, in each stream.
        for got in [a, b] {
            let lag: u64 = got
                .iter()
                .filter_map(|s| s.strip_prefix("lag:"))
                .map(|n| n.parse::<u64>().unwrap())
                .sum();
            let delivered = got.iter().filter(|s| !s.starts_with("lag:")).count() as u64;
            assert_eq!(lag + delivered, 4, "{got:?}");
        }
    }

    #[test]
    fn early_events_are_bounded_in_bytes_and_reported() {
        let mut b = budgets(usize::MAX);
        b.early_bytes = one_cost() * 3;
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, b, true));
        let mut d = Dispatcher::new(hub.clone());
        futures::executor::block_on(async {
            for n in 0..5 {
                d.dispatch(vec![msg(n)]).await;
            }
        });
        let q = hub.subscribe();
        assert_eq!(drain(&q), ["lag:2", "2", "3", "4"]);
        assert_eq!(hub.total.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn early_events_expire_after_the_window() {
        let mut b = budgets(usize::MAX);
        b.early_window = Duration::ZERO;
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, b, true));
        let mut d = Dispatcher::new(hub.clone());
        futures::executor::block_on(d.dispatch((0..3).map(msg).collect()));
        std::thread::sleep(Duration::from_millis(2));
        let q = hub.subscribe();
        assert_eq!(drain(&q), ["lag:3"]);
    }

    #[test]
    fn block_waits_for_room_and_loses_nothing() {
        let hub = Arc::new(Hub::new(
            SlowSubscriberPolicy::Block,
            budgets(one_cost() * 2),
            false,
        ));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(d.dispatch((0..2).map(msg).collect()));
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut next = Box::pin(d.dispatch(vec![msg(2)]));
        assert!(
            next.as_mut().poll(&mut cx).is_pending(),
            "full: the reader waits"
        );
        assert_eq!(drain(&q), ["0", "1"]);
        assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(()));
        assert_eq!(drain(&q), ["2"]);
    }

    #[test]
    fn a_released_stream_gives_back_its_bytes_and_takes_no_more() {
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, budgets(1 << 20), false));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(d.dispatch(vec![msg(0)]));
        q.release();
        assert_eq!(hub.total.load(Ordering::Relaxed), 0);
        // The reader's cached view still holds it: the push is refused.
        assert!(!push(
            &q,
            &Arc::new(Batch::new(vec![msg(1)])),
            SlowSubscriberPolicy::Lag,
            &budgets(1 << 20)
        ));
        assert_eq!(hub.total.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn closing_ends_streams_after_their_queue() {
        let hub = Arc::new(Hub::new(SlowSubscriberPolicy::Lag, budgets(1 << 20), false));
        let mut d = Dispatcher::new(hub.clone());
        let q = hub.subscribe();
        futures::executor::block_on(d.dispatch(vec![msg(0)]));
        hub.close();
        assert_eq!(drain(&q), ["0", "end"]);
        assert_eq!(drain(&hub.subscribe()), ["end"]);
    }
}
