//! Correlation: actions in flight by `ActionID`, and routing of their answers
//! (and of list events) back to the waiting call.

use super::super::message::Message;
use super::AmiError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{mpsc, oneshot};

/// Who waits for messages carrying one `ActionID`.
pub(crate) enum Waiter {
    /// A single answer.
    Single(oneshot::Sender<Message>),
    /// The answer, then every event of the list up to its completion event.
    List {
        tx: mpsc::UnboundedSender<Message>,
        /// Wire name of the list's completion event.
        complete: &'static str,
    },
}

#[derive(Default)]
struct Inner {
    map: HashMap<Box<str>, Waiter>,
    closed: bool,
}

/// The actions in flight on one connection.
#[derive(Default)]
pub(crate) struct Pending {
    inner: Mutex<Inner>,
    /// Number of list waiters (lets the reader skip the lock for events when 0).
    lists: AtomicUsize,
}

fn is_list_end(msg: &Message, complete: &str) -> bool {
    msg.event_name()
        .is_some_and(|n| n.eq_ignore_ascii_case(complete))
        || msg
            .get("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case("Complete"))
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register a waiter; fails when the connection is gone or the id is taken.
    pub(crate) fn register(&self, id: &str, waiter: Waiter) -> Result<(), AmiError> {
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
        g.map.insert(id.into(), waiter);
        Ok(())
    }

    fn remove_locked(&self, g: &mut Inner, id: &str) {
        if let Some(Waiter::List { .. }) = g.map.remove(id) {
            self.lists.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Forget a waiter (timeout, cancelled call).
    pub(crate) fn remove(&self, id: &str) {
        let mut g = self.lock();
        self.remove_locked(&mut g, id);
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
        match g.map.get(&key) {
            Some(Waiter::Single(_)) => {
                if let Some(Waiter::Single(tx)) = g.map.remove(&key) {
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
        let Some(Waiter::List { tx, complete }) = g.map.get(id) else {
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
/// carries `EventList: Complete`).
pub(crate) fn ends_list(msg: &Message, complete: &str) -> bool {
    is_list_end(msg, complete)
}
