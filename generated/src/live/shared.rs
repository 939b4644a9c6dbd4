//! What the tracker's task, its handle and the call handles share: the model
//! behind one lock, and who listens to its changes and events.

use super::change::Change;
use super::control::{CallProgress, CallWatch, PendingOriginate};
use super::model::LiveModel;
use crate::ami::{AmiClient, Event, Text};
use asterisk_sdk_runtime::tasks::KeyedRouter;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::broadcast;

/// State shared by the tracker's task, its handle and the call handles.
pub(crate) struct Shared {
    pub(crate) client: AmiClient,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) next_id: AtomicU64,
    /// Makes this tracker's `ActionID`s and channel ids unique.
    pub(crate) id_prefix: String,
    /// The bounded queues of the per-call event listeners (one route each).
    pub(crate) call_events: KeyedRouter<Event>,
    /// The capacity of each of those queues.
    pub(crate) call_event_capacity: usize,
}

/// Everything behind the tracker's one lock: the model and who listens to it.
pub(crate) struct Inner {
    pub(crate) model: LiveModel,
    /// The change stream's sender (bounded per subscriber); `None` once the
    /// tracker stopped, which ends every stream.
    pub(crate) changes: Option<broadcast::Sender<Change>>,
    /// Per-call listeners, by `Linkedid`.
    pub(crate) watches: HashMap<Text, CallWatch>,
    /// Originates waiting for their `OriginateResponse`, by `ActionID`.
    pub(crate) originates: HashMap<String, PendingOriginate>,
    /// The task has ended (client closed or tracker dropped).
    pub(crate) stopped: bool,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh number for ids.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

impl Inner {
    /// Apply one event: model, per-call listeners, originates, subscribers.
    pub(crate) fn handle_event(&mut self, event: Event) {
        let changes = self.model.apply(&event);
        self.route_event(&event, &changes);
        self.publish(changes);
    }

    /// [`handle_event`](Self::handle_event) for an event that arrived before
    /// the last resync's snapshot was complete
    /// ([`LiveModel::apply_before_snapshot`]).
    pub(crate) fn handle_event_before_snapshot(&mut self, event: Event) {
        let changes = self.model.apply_before_snapshot(&event);
        self.route_event(&event, &changes);
        self.publish(changes);
    }

    /// Hand an event to the originate it answers and to the listeners of its
    /// call: the call it names, and the call a channel left through it (the
    /// event that merges a call reaches that call's listeners too).
    fn route_event(&mut self, event: &Event, changes: &[Change]) {
        match event {
            Event::OriginateResponse(r) => {
                if let Some(id) = r.action_id.as_ref()
                    && let Some(p) = self.originates.remove(id.as_str())
                {
                    p.complete((**r).clone());
                }
            }
            Event::DialEnd(d) => {
                for p in self.originates.values_mut() {
                    p.note_dial_end(d);
                }
            }
            _ => {}
        }
        if self.watches.is_empty() {
            return;
        }
        let linkedid = self.model.linkedid_of(event);
        if let Some(w) = linkedid.as_ref().and_then(|l| self.watches.get_mut(l)) {
            let overflowed = w.send_event(event);
            if overflowed > 0 {
                tracing::warn!(
                    linkedid = linkedid.as_deref().unwrap_or_default(),
                    listeners = overflowed,
                    "live tracker: a call's event listener fell behind; its stream ends as overflowed"
                );
            }
        }
        for change in changes {
            if let Change::ChannelMoved { from, .. } = change
                && Some(from) != linkedid.as_ref()
                && let Some(w) = self.watches.get_mut(from)
            {
                w.send_event(event);
            }
        }
    }

    /// Hand changes to the call listeners and the subscribers.
    pub(crate) fn publish(&mut self, changes: Vec<Change>) {
        for change in changes {
            // Subscribers first: whoever wakes on a call's end finds the change
            // already queued in every change stream. Never waits: a subscriber
            // that is `capacity` changes behind lags instead.
            if let Some(tx) = &self.changes
                && tx.receiver_count() > 0
            {
                let _ = tx.send(change.clone());
            }
            if let Change::CallEnded {
                linkedid,
                merged_into: Some(to),
                ..
            } = &change
            {
                self.follow_merge(linkedid, to);
                continue;
            }
            if let Some(linkedid) = change.linkedid().cloned()
                && let Some(w) = self.watches.get_mut(&linkedid)
                && w.on_change(&change)
            {
                self.watches.remove(&linkedid);
            }
        }
    }

    /// A watched call merged into the call `to`: its watch follows that call
    /// (under that call's watch, made when there is none).
    fn follow_merge(&mut self, from: &Text, to: &Text) {
        let Some(merged) = self.watches.remove(from) else {
            return;
        };
        let answered = self.model.call(to).and_then(|c| c.answered);
        let router = merged.router();
        self.watches
            .entry(to.clone())
            .or_insert_with(|| {
                CallWatch::new(
                    to.clone(),
                    CallProgress {
                        answered,
                        ..CallProgress::default()
                    },
                    router,
                )
                .0
            })
            .absorb(merged);
    }

    /// The tracker ended: every listener learns it.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        for (_, w) in self.watches.drain() {
            w.stop();
        }
        self.originates.clear();
        self.changes = None;
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}
