//! [`CallWatch`]: what the tracker keeps for each call someone holds a
//! [`Call`](super::Call) for: its progress and its event listeners.

use super::call::CallEnd;
use crate::ami::{Event, Text};
use crate::live::change::Change;
use asterisk_sdk_runtime::tasks::{KeyedRouter, RouteId, RouteReceiver};
use std::time::SystemTime;
use tokio::sync::watch;

/// A call's progress as its handles see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallProgress {
    pub(crate) answered: Option<SystemTime>,
    pub(crate) ended: Option<CallEnd>,
    /// The tracker stopped before the call ended.
    pub(crate) stopped: bool,
}

/// The tracker's side of one watched call. Its event listeners are routes of
/// the tracker's [`KeyedRouter`] (bounded queues; a full one closes as
/// overflowed); dropping the watch closes them.
#[derive(Debug)]
pub(crate) struct CallWatch {
    progress: watch::Sender<CallProgress>,
    router: KeyedRouter<Event>,
    /// Names this watch's routes (`<linkedid>#<n>`).
    linkedid: Text,
    opened: u64,
    listeners: Vec<RouteId>,
    /// Watches of calls merged into this one: they follow it to its end.
    merged: Vec<CallWatch>,
}

impl CallWatch {
    /// A watch of the call `linkedid` starting at `progress`, with its first
    /// receiver; its listeners are routes of `router`.
    pub(crate) fn new(
        linkedid: Text,
        progress: CallProgress,
        router: KeyedRouter<Event>,
    ) -> (CallWatch, watch::Receiver<CallProgress>) {
        let (tx, rx) = watch::channel(progress);
        (
            CallWatch {
                progress: tx,
                router,
                linkedid,
                opened: 0,
                listeners: Vec::new(),
                merged: Vec::new(),
            },
            rx,
        )
    }

    /// The router this watch's listeners are routes of.
    pub(crate) fn router(&self) -> KeyedRouter<Event> {
        self.router.clone()
    }

    /// Another receiver of the progress.
    pub(crate) fn subscribe(&self) -> watch::Receiver<CallProgress> {
        self.progress.subscribe()
    }

    /// A new listener of the call's events, holding at most `capacity` unread.
    pub(crate) fn listen(&mut self, capacity: usize) -> RouteReceiver<Event> {
        self.opened += 1;
        let key = format!("{}#{}", self.linkedid, self.opened);
        let (id, rx) = self.router.open(key, capacity);
        self.listeners.push(id);
        rx
    }

    /// Queue `event` for every listener of this call and of the calls merged
    /// into it, never waiting. A listener whose queue is full is closed as
    /// overflowed, one that is gone is forgotten; returns how many overflowed.
    pub(crate) fn send_event(&mut self, event: &Event) -> usize {
        let router = &self.router;
        let mut overflowed = 0;
        self.listeners
            .retain(|id| match router.send(*id, event.clone()) {
                Some(d) => {
                    overflowed += d.overflowed.len();
                    d.delivered > 0
                }
                None => false,
            });
        for w in &mut self.merged {
            overflowed += w.send_event(event);
        }
        overflowed
    }

    /// Take the watch of a call merged into this one: its handles now see this
    /// call's answer, events and end.
    pub(crate) fn absorb(&mut self, merged: CallWatch) {
        self.merged.push(merged);
    }

    /// Take a change of this call; `true` when the call ended (drop the watch).
    pub(crate) fn on_change(&mut self, change: &Change) -> bool {
        for w in &mut self.merged {
            w.on_change(change);
        }
        match change {
            Change::CallAnswered { at, .. } => {
                self.progress.send_modify(|p| {
                    p.answered.get_or_insert(*at);
                });
                false
            }
            Change::CallEnded {
                linkedid,
                cause,
                cause_text,
                duration,
                talk_time,
                channels,
                channel_count,
                reason,
                ..
            } => {
                let end = CallEnd {
                    linkedid: linkedid.clone(),
                    cause: cause.clone(),
                    cause_text: cause_text.clone(),
                    duration: *duration,
                    talk_time: *talk_time,
                    channels: channels.clone(),
                    channel_count: *channel_count,
                    reason: *reason,
                };
                self.progress.send_modify(|p| p.ended = Some(end));
                true
            }
            _ => false,
        }
    }

    /// The tracker stopped.
    pub(crate) fn stop(mut self) {
        self.progress.send_modify(|p| p.stopped = true);
        for w in std::mem::take(&mut self.merged) {
            w.stop();
        }
    }
}

impl Drop for CallWatch {
    /// The call ended or nobody waits for it any more: its listeners read what
    /// is queued, then their streams end.
    fn drop(&mut self) {
        for id in self.listeners.drain(..) {
            self.router.close(id);
        }
    }
}
