//! [`CallWatch`]: what the tracker keeps for each call someone holds a
//! [`Call`](super::Call) for: its progress and its event listeners.

use super::call::CallEnd;
use crate::ami::Event;
use crate::live::change::Change;
use std::time::SystemTime;
use tokio::sync::{mpsc, watch};

/// A call's progress as its handles see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallProgress {
    pub(crate) answered: Option<SystemTime>,
    pub(crate) ended: Option<CallEnd>,
    /// The tracker stopped before the call ended.
    pub(crate) stopped: bool,
}

/// The tracker's side of one watched call.
#[derive(Debug)]
pub(crate) struct CallWatch {
    progress: watch::Sender<CallProgress>,
    events: Vec<mpsc::UnboundedSender<Event>>,
    /// Watches of calls merged into this one: they follow it to its end.
    merged: Vec<CallWatch>,
}

impl CallWatch {
    /// A watch starting at `progress`, with its first receiver.
    pub(crate) fn new(progress: CallProgress) -> (CallWatch, watch::Receiver<CallProgress>) {
        let (tx, rx) = watch::channel(progress);
        (
            CallWatch {
                progress: tx,
                events: Vec::new(),
                merged: Vec::new(),
            },
            rx,
        )
    }

    /// Another receiver of the progress.
    pub(crate) fn subscribe(&self) -> watch::Receiver<CallProgress> {
        self.progress.subscribe()
    }

    /// A new listener of the call's events.
    pub(crate) fn listen(&mut self) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.events.push(tx);
        rx
    }

    pub(crate) fn send_event(&mut self, event: &Event) {
        self.events.retain(|tx| tx.send(event.clone()).is_ok());
        for w in &mut self.merged {
            w.send_event(event);
        }
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
    pub(crate) fn stop(self) {
        self.progress.send_modify(|p| p.stopped = true);
        for w in self.merged {
            w.stop();
        }
    }
}
