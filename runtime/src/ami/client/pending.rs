//! Correlation: actions in flight by `ActionID`, and routing of their answers
//! (and of list events) back to the waiting call.

use super::super::message::Message;
use super::AmiError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    },
}

/// A waiter and the number of its registration (an `ActionID` can be reused once
/// its action is done: only the registration that put an entry there removes it).
struct Entry {
    token: u64,
    waiter: Waiter,
}

#[derive(Default)]
struct Inner {
    map: HashMap<Box<str>, Entry>,
    next_token: u64,
    closed: bool,
}

/// The actions in flight on one connection.
#[derive(Default)]
pub(crate) struct Pending {
    inner: Mutex<Inner>,
    /// Number of list waiters (lets the reader skip the lock for events when 0).
    lists: AtomicUsize,
}

/// One registered action; dropping it (answer received, timeout, or the call's
/// future dropped) frees its `ActionID`.
pub(crate) struct Registration {
    pending: Arc<Pending>,
    id: Box<str>,
    token: u64,
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
        if matches!(waiter, Waiter::List { .. }) {
            self.lists.fetch_add(1, Ordering::Relaxed);
        }
        g.next_token += 1;
        let token = g.next_token;
        let id: Box<str> = id.into();
        g.map.insert(id.clone(), Entry { token, waiter });
        Ok(Registration {
            pending: self.clone(),
            id,
            token,
        })
    }

    fn remove_locked(&self, g: &mut Inner, id: &str) {
        if let Some(Entry {
            waiter: Waiter::List { .. },
            ..
        }) = g.map.remove(id)
        {
            self.lists.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Forget the waiter of registration `token`, if it is still there.
    fn remove(&self, id: &str, token: u64) {
        let mut g = self.lock();
        if g.map.get(id).is_some_and(|e| e.token == token) {
            self.remove_locked(&mut g, id);
        }
    }

    /// The connection is gone: every waiter is dropped (its call sees
    /// `Disconnected`) and no new one is accepted.
    pub(crate) fn close(&self) {
        let mut g = self.lock();
        g.closed = true;
        g.map.clear();
        self.lists.store(0, Ordering::Relaxed);
    }

    /// Whether any list action is in flight.
    pub(crate) fn has_lists(&self) -> bool {
        self.lists.load(Ordering::Relaxed) > 0
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
                }
                Ok(())
            }
            None => Err(msg),
        }
    }

    /// Deliver an event to the list call waiting for its ActionID; gives it back
    /// when it belongs to no list in flight.
    pub(crate) fn route_event(&self, msg: Message) -> Result<(), Message> {
        let Some(id) = msg.action_id() else {
            return Err(msg);
        };
        let mut g = self.lock();
        let Some(Entry {
            waiter: Waiter::List { tx, complete },
            ..
        }) = g.map.get(id)
        else {
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
