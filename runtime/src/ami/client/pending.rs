//! Correlation: actions in flight by `ActionID`, and routing of their answers
//! (and of list events) back to the waiting call.

use super::super::message::Message;
use super::AmiError;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Who waits for messages carrying one `ActionID`.
pub(crate) enum Waiter {
    /// A single answer.
    Single(oneshot::Sender<Message>),
    /// The answer, then every event of the list up to its completion event.
    List {
        tx: mpsc::UnboundedSender<Message>,
        /// Wire name of the list's completion event (empty: only
        /// `EventList: Complete` ends it).
        complete: Box<str>,
        /// For a list whose items arrive without an `ActionID`
        /// ([`ListAction::unkeyed_items`](super::super::ListAction::unkeyed_items)):
        /// which event names are its items.
        unkeyed: Option<fn(&str) -> bool>,
    },
}

/// A waiter and the number of its registration (an `ActionID` can be reused once
/// its action is done: only the registration that put an entry there removes it).
struct Entry {
    token: u64,
    waiter: Waiter,
    /// The list's acknowledgement was delivered (its unkeyed items may follow).
    started: bool,
}

/// Abandoned lists remembered per connection; beyond this, the oldest is
/// forgotten (its late events then reach the event streams).
const ABANDONED_CAP: usize = 256;

/// What is kept of an abandoned list.
struct AbandonedList {
    /// Wire name of its completion event.
    complete: Box<str>,
    /// Its item names, when its items arrive without `ActionID`.
    unkeyed: Option<fn(&str) -> bool>,
}

/// List actions whose call gave up (timeout, dropped future) before the list
/// completed: their late events are dropped until the completion arrives.
#[derive(Default)]
struct Abandoned {
    /// ActionID → the list.
    ids: HashMap<Box<str>, AbandonedList>,
    order: VecDeque<Box<str>>,
    /// Entries of `ids` whose items arrive without `ActionID`.
    unkeyed: usize,
}

impl Abandoned {
    fn insert(&mut self, id: Box<str>, list: AbandonedList) {
        if self.ids.contains_key(&id) {
            return;
        }
        if self.order.len() >= ABANDONED_CAP
            && let Some(oldest) = self.order.pop_front()
        {
            tracing::debug!(
                action_id = &*oldest,
                "AMI abandoned list forgotten (too many)"
            );
            self.forget(&oldest);
        }
        self.unkeyed += usize::from(list.unkeyed.is_some());
        self.ids.insert(id.clone(), list);
        self.order.push_back(id);
    }

    /// Drop `id` from the map (not from `order`); whether it was there.
    fn forget(&mut self, id: &str) -> bool {
        match self.ids.remove(id) {
            Some(list) => {
                self.unkeyed -= usize::from(list.unkeyed.is_some());
                true
            }
            None => false,
        }
    }

    fn remove(&mut self, id: &str) -> bool {
        if self.forget(id) {
            self.order.retain(|o| &**o != id);
            true
        } else {
            false
        }
    }

    /// Whether an abandoned list whose items arrive without `ActionID` takes
    /// events named `name`.
    fn takes_unkeyed(&self, name: &str) -> bool {
        self.unkeyed > 0
            && self
                .ids
                .values()
                .any(|l| l.unkeyed.is_some_and(|takes| takes(name)))
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

#[derive(Default)]
struct Inner {
    map: HashMap<Box<str>, Entry>,
    next_token: u64,
    /// List waiters in `map`.
    list_waiters: usize,
    /// List waiters in `map` whose items arrive without an `ActionID`.
    unkeyed_waiters: usize,
    abandoned: Abandoned,
    closed: bool,
}

/// The actions in flight on one connection.
#[derive(Default)]
pub(crate) struct Pending {
    inner: Mutex<Inner>,
    /// List waiters plus abandoned lists (lets the reader skip the lock for
    /// events when 0).
    list_ids: AtomicUsize,
    /// List waiters whose items arrive without an `ActionID` (lets the reader
    /// skip the lock for events without one when 0).
    unkeyed_ids: AtomicUsize,
}

/// One registered action; dropping it (answer received, timeout, or the call's
/// future dropped) frees its `ActionID`.
pub(crate) struct Registration {
    pending: Arc<Pending>,
    id: Box<str>,
    token: u64,
    /// Set by the writer when it hands the action to the socket.
    written: Arc<AtomicBool>,
}

impl Registration {
    /// The flag the writer sets once the action is handed to the socket.
    pub(crate) fn written_flag(&self) -> Arc<AtomicBool> {
        self.written.clone()
    }

    /// The error for a connection lost before the answer: `Disconnected` when the
    /// action never reached the socket, `OutcomeUnknown` when it may have.
    pub(crate) fn lost(&self, action: &str) -> AmiError {
        if self.written.load(Ordering::Acquire) {
            AmiError::OutcomeUnknown {
                action: action.to_string(),
            }
        } else {
            AmiError::Disconnected
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.pending.remove(&self.id, self.token);
    }
}

fn is_list_end(msg: &Message, complete: &str) -> bool {
    (!complete.is_empty()
        && msg
            .event_name()
            .is_some_and(|n| n.eq_ignore_ascii_case(complete)))
        || msg
            .get("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case("Complete"))
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publish the number of list ids after a change under the lock.
    fn sync(&self, g: &Inner) {
        self.list_ids
            .store(g.list_waiters + g.abandoned.len(), Ordering::Relaxed);
        self.unkeyed_ids
            .store(g.unkeyed_waiters + g.abandoned.unkeyed, Ordering::Relaxed);
    }

    /// Register a waiter under `id`; fails when the connection is gone or the id
    /// is taken. The entry lives until the answer (or list) is complete or the
    /// returned registration is dropped.
    pub(crate) fn register(
        self: &Arc<Self>,
        id: &str,
        waiter: Waiter,
    ) -> Result<Registration, AmiError> {
        let mut g = self.lock();
        if g.closed {
            return Err(AmiError::Disconnected);
        }
        if g.map.contains_key(id) {
            return Err(AmiError::DuplicateActionId(id.to_string()));
        }
        if let Waiter::List { unkeyed, .. } = &waiter {
            g.list_waiters += 1;
            if unkeyed.is_some() {
                g.unkeyed_waiters += 1;
            }
        }
        // A new action with the id of an abandoned list takes its messages.
        g.abandoned.remove(id);
        g.next_token += 1;
        let token = g.next_token;
        let id: Box<str> = id.into();
        g.map.insert(
            id.clone(),
            Entry {
                token,
                waiter,
                started: false,
            },
        );
        self.sync(&g);
        Ok(Registration {
            pending: self.clone(),
            id,
            token,
            written: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Remove the entry of `id`; returns what an abandoned list keeps of it when
    /// it was a list waiter.
    fn remove_locked(&self, g: &mut Inner, id: &str) -> Option<AbandonedList> {
        let complete = match g.map.remove(id) {
            Some(Entry {
                waiter: Waiter::List {
                    complete, unkeyed, ..
                },
                ..
            }) => {
                g.list_waiters -= 1;
                if unkeyed.is_some() {
                    g.unkeyed_waiters -= 1;
                }
                Some(AbandonedList { complete, unkeyed })
            }
            _ => None,
        };
        self.sync(g);
        complete
    }

    /// Forget the waiter of registration `token`, if it is still there. A list
    /// still there was abandoned before its completion: its late events are
    /// dropped from now on.
    fn remove(&self, id: &str, token: u64) {
        let mut g = self.lock();
        if g.map.get(id).is_some_and(|e| e.token == token)
            && let Some(list) = self.remove_locked(&mut g, id)
        {
            g.abandoned.insert(id.into(), list);
            self.sync(&g);
        }
    }

    /// The connection is gone: every waiter is dropped (its call sees
    /// `Disconnected`) and no new one is accepted.
    pub(crate) fn close(&self) {
        let mut g = self.lock();
        g.closed = true;
        g.map.clear();
        g.list_waiters = 0;
        g.unkeyed_waiters = 0;
        g.abandoned = Abandoned::default();
        self.sync(&g);
    }

    /// Whether any list action is in flight or abandoned before its completion.
    pub(crate) fn has_lists(&self) -> bool {
        self.list_ids.load(Ordering::Relaxed) > 0
    }

    /// Whether a list whose items arrive without an `ActionID` is in flight.
    pub(crate) fn has_unkeyed_lists(&self) -> bool {
        self.unkeyed_ids.load(Ordering::Relaxed) > 0
    }

    /// Deliver an event without `ActionID` to the oldest started list in flight
    /// whose items arrive without one and that takes this event name; gives it
    /// back when there is none. Asterisk answers the actions of one session one
    /// after another, so the items between a list's acknowledgement and its
    /// completion are that list's.
    pub(crate) fn route_unkeyed(&self, msg: Message) -> Result<(), Message> {
        let Some(name) = msg.event_name() else {
            return Err(msg);
        };
        let g = self.lock();
        let target = g
            .map
            .values()
            .filter(|e| e.started)
            .filter_map(|e| match &e.waiter {
                Waiter::List {
                    tx,
                    unkeyed: Some(takes),
                    ..
                } if takes(name) => Some((e.token, tx)),
                _ => None,
            })
            .min_by_key(|(token, _)| *token);
        match target {
            Some((_, tx)) => {
                // A closed receiver means the call is gone; its entry goes with
                // its registration.
                let _ = tx.send(msg);
                Ok(())
            }
            None if g.abandoned.takes_unkeyed(name) => {
                tracing::debug!(
                    event = name,
                    "AMI item of an abandoned list (sent without ActionID) dropped"
                );
                Ok(())
            }
            None => Err(msg),
        }
    }

    /// Deliver a response; gives it back when nobody waits for its ActionID.
    pub(crate) fn route_response(&self, msg: Message) -> Result<(), Message> {
        let Some(key) = msg.action_id().map(Box::<str>::from) else {
            return Err(msg);
        };
        let error = msg
            .response()
            .is_some_and(|r| r.eq_ignore_ascii_case("Error"));
        let mut g = self.lock();
        match g.map.get(&key).map(|e| &e.waiter) {
            Some(Waiter::Single(_)) => {
                if let Some(Entry {
                    waiter: Waiter::Single(tx),
                    ..
                }) = g.map.remove(&key)
                {
                    let _ = tx.send(msg);
                }
                Ok(())
            }
            Some(Waiter::List { tx, .. }) => {
                let delivered = tx.send(msg).is_ok();
                if error || !delivered {
                    self.remove_locked(&mut g, &key);
                } else if let Some(entry) = g.map.get_mut(&key) {
                    entry.started = true;
                }
                Ok(())
            }
            None => {
                // A late error ends an abandoned list: no completion will follow.
                if error && g.abandoned.remove(&key) {
                    self.sync(&g);
                }
                Err(msg)
            }
        }
    }

    /// Deliver an event to the list call waiting for its ActionID, or drop it when
    /// it belongs to an abandoned list; gives it back when it belongs to no list.
    pub(crate) fn route_event(&self, msg: Message) -> Result<(), Message> {
        let Some(id) = msg.action_id() else {
            return Err(msg);
        };
        let mut g = self.lock();
        let Some(Entry {
            waiter: Waiter::List { tx, complete, .. },
            ..
        }) = g.map.get(id)
        else {
            if let Some(complete) = g.abandoned.ids.get(id).map(|l| &l.complete) {
                tracing::debug!(
                    action_id = id,
                    event = msg.event_name(),
                    "AMI event of an abandoned list dropped"
                );
                if is_list_end(&msg, complete) {
                    g.abandoned.remove(id);
                    self.sync(&g);
                }
                return Ok(());
            }
            return Err(msg);
        };
        let end = is_list_end(&msg, complete);
        let key: Box<str> = id.into();
        let delivered = tx.send(msg).is_ok();
        if end || !delivered {
            self.remove_locked(&mut g, &key);
        }
        Ok(())
    }
}
/// Whether `msg` ends a list whose completion event is named `complete` (or
/// carries `EventList: Complete`; an empty `complete` means only that).
pub(crate) fn ends_list(msg: &Message, complete: &str) -> bool {
    is_list_end(msg, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer_entry(name: &str) -> bool {
        name.eq_ignore_ascii_case("PeerEntry")
    }

    fn event(name: &str, id: Option<&str>) -> Message {
        let mut pairs = vec![("Event", name)];
        if let Some(id) = id {
            pairs.push(("ActionID", id));
        }
        Message::from_pairs(pairs)
    }

    #[test]
    fn unkeyed_items_go_to_the_started_list_that_takes_them() {
        let pending = Arc::new(Pending::default());
        let (tx, mut rx) = mpsc::unbounded_channel();
        let reg = pending
            .register(
                "l-1",
                Waiter::List {
                    tx,
                    complete: "PeerlistComplete".into(),
                    unkeyed: Some(peer_entry),
                },
            )
            .unwrap();
        assert!(pending.has_unkeyed_lists());
        // Before its acknowledgement the list takes nothing without ActionID.
        assert!(pending.route_unkeyed(event("PeerEntry", None)).is_err());
        let ack = Message::from_pairs([("Response", "Success"), ("ActionID", "l-1")]);
        assert!(pending.route_response(ack).is_ok());
        assert!(rx.try_recv().is_ok());
        // Its items now; other events stay with the event streams.
        assert!(pending.route_unkeyed(event("PeerEntry", None)).is_ok());
        assert!(pending.route_unkeyed(event("Newchannel", None)).is_err());
        assert_eq!(rx.try_recv().unwrap().event_name(), Some("PeerEntry"));
        // The completion (with its ActionID) ends the list.
        assert!(
            pending
                .route_event(event("PeerlistComplete", Some("l-1")))
                .is_ok()
        );
        assert!(!pending.has_unkeyed_lists());
        assert!(pending.route_unkeyed(event("PeerEntry", None)).is_err());
        drop(reg);
    }

    #[test]
    fn unkeyed_items_of_an_abandoned_list_are_dropped_until_its_completion() {
        let pending = Arc::new(Pending::default());
        let (tx, _rx) = mpsc::unbounded_channel();
        let waiter = Waiter::List {
            tx,
            complete: "PeerlistComplete".into(),
            unkeyed: Some(peer_entry),
        };
        let reg = pending.register("l-2", waiter).unwrap();
        let ack = Message::from_pairs([("Response", "Success"), ("ActionID", "l-2")]);
        assert!(pending.route_response(ack).is_ok());
        drop(reg); // the call gave up (timeout)
        assert!(pending.has_unkeyed_lists());
        assert!(pending.route_unkeyed(event("PeerEntry", None)).is_ok());
        assert!(pending.route_unkeyed(event("Newchannel", None)).is_err());
        assert!(
            pending
                .route_event(event("PeerlistComplete", Some("l-2")))
                .is_ok()
        );
        assert!(!pending.has_unkeyed_lists());
        assert!(pending.route_unkeyed(event("PeerEntry", None)).is_err());
    }

    #[test]
    fn abandoned_lists_are_bounded_oldest_first() {
        let mut a = Abandoned::default();
        for i in 0..=ABANDONED_CAP {
            let list = AbandonedList {
                complete: "Done".into(),
                unkeyed: None,
            };
            a.insert(format!("l-{i}").into(), list);
        }
        assert_eq!(a.len(), ABANDONED_CAP);
        assert!(!a.ids.contains_key("l-0"));
        assert!(a.ids.contains_key("l-1") && a.ids.contains_key(&*format!("l-{ABANDONED_CAP}")));
        assert!(a.remove("l-1") && !a.remove("l-1"));
        assert_eq!(a.len(), ABANDONED_CAP - 1);
    }
}
