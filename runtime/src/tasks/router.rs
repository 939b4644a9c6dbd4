//! [`KeyedRouter`]: items routed by string keys to bounded per-route queues.
//!
//! A route is one consumer (one task) with one queue and any number of keys
//! (e.g. `channel:<id>` and the `bridge:<id>` of a bridge it owns). Delivery
//! never waits: when a route's queue is full, that route is closed as
//! [`RouteEnd::Overflowed`], its consumer reads what was queued and then learns
//! why its input ended. Nothing is dropped silently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// Identifies one route of a [`KeyedRouter`] (never reused by that router).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteId(u64);

/// Why a route's input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteEnd {
    /// Closed by [`KeyedRouter::close`] (or the router was dropped).
    Closed,
    /// Its queue was full when an item arrived: that item and everything after
    /// it were not delivered, and the route was closed.
    Overflowed {
        /// The queue's capacity.
        capacity: usize,
    },
}

/// The consumer side of one route: the queued items in order, then `None`;
/// [`RouteReceiver::end`] then says why.
#[derive(Debug)]
pub struct RouteReceiver<T> {
    id: RouteId,
    rx: mpsc::Receiver<T>,
    end: Arc<OnceLock<RouteEnd>>,
}

impl<T> RouteReceiver<T> {
    /// This route's id.
    pub fn id(&self) -> RouteId {
        self.id
    }

    /// The next item; `None` once the route is closed and drained.
    pub async fn recv(&mut self) -> Option<T> {
        self.rx.recv().await
    }

    /// Poll for the next item (as [`RouteReceiver::recv`]).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Why the input ended: `None` while the route is open.
    pub fn end(&self) -> Option<RouteEnd> {
        match self.end.get() {
            Some(end) => Some(*end),
            None if self.rx.is_closed() => Some(RouteEnd::Closed),
            None => None,
        }
    }
}

/// What [`KeyedRouter::dispatch`] did with one item.
#[derive(Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dispatched {
    /// Routes the item was queued on.
    pub delivered: usize,
    /// Routes that overflowed on this item and are now closed, with their
    /// first key.
    pub overflowed: Vec<(RouteId, String)>,
}

impl Dispatched {
    /// True when no route took the item (no key was routed, or every route
    /// overflowed).
    pub fn is_unrouted(&self) -> bool {
        self.delivered == 0 && self.overflowed.is_empty()
    }
}

#[derive(Debug)]
struct Route<T> {
    tx: mpsc::Sender<T>,
    keys: Vec<String>,
    capacity: usize,
    end: Arc<OnceLock<RouteEnd>>,
}

#[derive(Debug)]
struct Table<T> {
    routes: HashMap<RouteId, Route<T>>,
    keys: HashMap<String, RouteId>,
    next: u64,
}

/// Routes items by key to bounded per-route queues. Cheap to clone: clones
/// share the table (a consumer can add keys to its own route while the reader
/// dispatches).
#[derive(Debug)]
pub struct KeyedRouter<T> {
    table: Arc<Mutex<Table<T>>>,
}

impl<T> Clone for KeyedRouter<T> {
    fn clone(&self) -> Self {
        KeyedRouter {
            table: Arc::clone(&self.table),
        }
    }
}

impl<T> Default for KeyedRouter<T> {
    fn default() -> Self {
        KeyedRouter::new()
    }
}

impl<T> KeyedRouter<T> {
    /// An empty router.
    pub fn new() -> Self {
        KeyedRouter {
            table: Arc::new(Mutex::new(Table {
                routes: HashMap::new(),
                keys: HashMap::new(),
                next: 0,
            })),
        }
    }

    fn table(&self) -> MutexGuard<'_, Table<T>> {
        // Every update leaves the table consistent, so a panic elsewhere while
        // holding the lock cannot corrupt it.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a route for `key` with a queue of `capacity` items (at least 1).
    /// A key already routed elsewhere moves to the new route.
    pub fn open(&self, key: impl Into<String>, capacity: usize) -> (RouteId, RouteReceiver<T>) {
        let capacity = capacity.max(1);
        let key = key.into();
        let (tx, rx) = mpsc::channel(capacity);
        let end = Arc::new(OnceLock::new());
        let mut table = self.table();
        table.next += 1;
        let id = RouteId(table.next);
        if let Some(old) = table.keys.insert(key.clone(), id)
            && let Some(route) = table.routes.get_mut(&old)
        {
            route.keys.retain(|k| *k != key);
        }
        table.routes.insert(
            id,
            Route {
                tx,
                keys: vec![key],
                capacity,
                end: Arc::clone(&end),
            },
        );
        (id, RouteReceiver { id, rx, end })
    }

    /// Route `key` to `route` too (moving it from another route). False when
    /// `route` is closed.
    pub fn alias(&self, route: RouteId, key: impl Into<String>) -> bool {
        let key = key.into();
        let mut table = self.table();
        if !table.routes.contains_key(&route) {
            return false;
        }
        if let Some(old) = table.keys.insert(key.clone(), route)
            && old != route
            && let Some(r) = table.routes.get_mut(&old)
        {
            r.keys.retain(|k| *k != key);
        }
        if let Some(r) = table.routes.get_mut(&route)
            && !r.keys.contains(&key)
        {
            r.keys.push(key);
        }
        true
    }

    /// Stop routing `key` (its route stays open).
    pub fn remove_key(&self, key: &str) {
        let mut table = self.table();
        if let Some(id) = table.keys.remove(key)
            && let Some(r) = table.routes.get_mut(&id)
        {
            r.keys.retain(|k| k != key);
        }
    }

    /// The route `key` goes to.
    pub fn lookup(&self, key: &str) -> Option<RouteId> {
        self.table().keys.get(key).copied()
    }

    /// Close a route with [`RouteEnd::Closed`]: its keys are forgotten, its
    /// consumer reads what is queued and then the end. False when already closed.
    pub fn close(&self, route: RouteId) -> bool {
        let mut table = self.table();
        remove(&mut table, route, RouteEnd::Closed)
    }

    /// Queue `item` on `route`. `None` when the route is closed; otherwise the
    /// outcome (an overflow closes the route).
    pub fn send(&self, route: RouteId, item: T) -> Option<Dispatched> {
        let mut table = self.table();
        table.routes.contains_key(&route).then(|| {
            let mut out = Dispatched::default();
            offer(&mut table, route, item, &mut out);
            out
        })
    }

    /// Queue `item` on every distinct route that one of `keys` leads to
    /// (cloning it for all but the last). Keys without a route are skipped.
    pub fn dispatch<'k>(&self, keys: impl IntoIterator<Item = &'k str>, item: T) -> Dispatched
    where
        T: Clone,
    {
        let mut table = self.table();
        let mut targets: Vec<RouteId> = Vec::new();
        for key in keys {
            if let Some(id) = table.keys.get(key)
                && !targets.contains(id)
            {
                targets.push(*id);
            }
        }
        let mut out = Dispatched::default();
        let Some(last) = targets.pop() else {
            return out;
        };
        for id in targets {
            offer(&mut table, id, item.clone(), &mut out);
        }
        offer(&mut table, last, item, &mut out);
        out
    }

    /// Queue a clone of `item` on every open route (e.g. a connection marker).
    pub fn broadcast(&self, item: T) -> Dispatched
    where
        T: Clone,
    {
        let mut table = self.table();
        let ids: Vec<RouteId> = table.routes.keys().copied().collect();
        let mut out = Dispatched::default();
        for id in ids {
            offer(&mut table, id, item.clone(), &mut out);
        }
        out
    }

    /// The open routes and their first keys.
    pub fn routes(&self) -> Vec<(RouteId, String)> {
        self.table()
            .routes
            .iter()
            .map(|(id, r)| (*id, r.keys.first().cloned().unwrap_or_default()))
            .collect()
    }

    /// How many routes are open.
    pub fn route_count(&self) -> usize {
        self.table().routes.len()
    }

    /// How many keys are routed.
    pub fn key_count(&self) -> usize {
        self.table().keys.len()
    }
}

/// Try to queue on one route: delivered, or the route overflowed (closed), or
/// its consumer is gone (closed quietly: nobody is left to tell).
fn offer<T>(table: &mut Table<T>, id: RouteId, item: T, out: &mut Dispatched) {
    let Some(route) = table.routes.get(&id) else {
        return;
    };
    match route.tx.try_send(item) {
        Ok(()) => out.delivered += 1,
        Err(TrySendError::Full(_)) => {
            let capacity = route.capacity;
            let key = route.keys.first().cloned().unwrap_or_default();
            remove(table, id, RouteEnd::Overflowed { capacity });
            out.overflowed.push((id, key));
        }
        Err(TrySendError::Closed(_)) => {
            remove(table, id, RouteEnd::Closed);
        }
    }
}

fn remove<T>(table: &mut Table<T>, id: RouteId, end: RouteEnd) -> bool {
    let Some(route) = table.routes.remove(&id) else {
        return false;
    };
    for key in &route.keys {
        if table.keys.get(key) == Some(&id) {
            table.keys.remove(key);
        }
    }
    let _ = route.end.set(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn routes_by_key_and_alias_only_to_their_consumer() {
        let router = KeyedRouter::<u32>::new();
        let (a, mut rx_a) = router.open("channel:a", 8);
        let (_b, mut rx_b) = router.open("channel:b", 8);
        assert!(router.alias(a, "bridge:x"));
        assert_eq!(router.dispatch(["channel:a"], 1).delivered, 1);
        assert_eq!(router.dispatch(["channel:b"], 2).delivered, 1);
        assert_eq!(router.dispatch(["bridge:x"], 3).delivered, 1);
        // Two keys of one route: delivered once.
        assert_eq!(router.dispatch(["channel:a", "bridge:x"], 4).delivered, 1);
        // Two routes: delivered to both.
        assert_eq!(router.dispatch(["channel:a", "channel:b"], 5).delivered, 2);
        assert!(router.dispatch(["channel:zzz"], 6).is_unrouted());
        router.close(a);
        assert_eq!(
            router.key_count(),
            1,
            "both keys of the closed route are gone"
        );
        let mut got_a = Vec::new();
        while let Some(v) = rx_a.recv().await {
            got_a.push(v);
        }
        assert_eq!(got_a, [1, 3, 4, 5]);
        assert_eq!(rx_a.end(), Some(RouteEnd::Closed));
        assert_eq!(rx_b.recv().await, Some(2));
        assert_eq!(rx_b.recv().await, Some(5));
        assert_eq!(rx_b.end(), None, "still open");
    }

    #[tokio::test]
    async fn a_full_queue_closes_only_that_route_as_overflowed() {
        let router = KeyedRouter::<u32>::new();
        let (slow, mut rx_slow) = router.open("slow", 2);
        let (_fast, mut rx_fast) = router.open("fast", 2);
        for i in 0..2 {
            assert_eq!(router.dispatch(["slow"], i).delivered, 1);
        }
        let d = router.dispatch(["slow", "fast"], 9);
        assert_eq!(d.delivered, 1);
        assert_eq!(d.overflowed, [(slow, "slow".to_string())]);
        assert_eq!(router.lookup("slow"), None);
        assert!(router.dispatch(["slow"], 10).is_unrouted());
        assert_eq!(rx_slow.recv().await, Some(0));
        assert_eq!(rx_slow.recv().await, Some(1));
        assert_eq!(rx_slow.recv().await, None);
        assert_eq!(rx_slow.end(), Some(RouteEnd::Overflowed { capacity: 2 }));
        assert_eq!(rx_fast.recv().await, Some(9));
    }

    #[tokio::test]
    async fn broadcast_reaches_every_route_and_a_gone_consumer_is_forgotten() {
        let router = KeyedRouter::<&'static str>::new();
        let (_a, mut rx_a) = router.open("a", 4);
        let (_b, rx_b) = router.open("b", 4);
        drop(rx_b);
        let d = router.broadcast("reconnected");
        assert_eq!(d.delivered, 1);
        assert_eq!(router.route_count(), 1);
        assert_eq!(router.key_count(), 1);
        assert_eq!(rx_a.recv().await, Some("reconnected"));
    }

    #[test]
    fn a_reopened_key_moves_to_the_new_route() {
        let router = KeyedRouter::<u8>::new();
        let (old, _rx_old) = router.open("k", 1);
        let (new, _rx_new) = router.open("k", 1);
        assert_eq!(router.lookup("k"), Some(new));
        router.close(old);
        assert_eq!(
            router.lookup("k"),
            Some(new),
            "closing the old route keeps the key"
        );
        assert!(!router.alias(old, "x"), "a closed route takes no key");
        assert_eq!(router.send(old, 1), None);
    }
}
