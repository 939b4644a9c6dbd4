//! [`CallRecord`]: one call of the live model, the channels sharing a
//! `Linkedid`, from its first channel to its last hangup.

use super::change::{EndReason, Origin};
use crate::ami::Text;
use crate::domain::HangupCause;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

/// A channel that took part in a call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallChannel {
    /// `Uniqueid`.
    pub uniqueid: Text,
    /// Channel name (the last one seen).
    pub name: Text,
}

/// One call: the channels sharing a `Linkedid`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallRecord {
    /// The `Linkedid` shared by the call's channels (the `Uniqueid` of its first
    /// channel).
    pub linkedid: Text,
    /// Channels the call had, in the order they appeared: its first channel
    /// and the latest ones, at most [`LiveModel::call_channels`](super::LiveModel::call_channels)
    /// of them (a queue call ringing agents for an hour has thousands);
    /// [`channel_count`](Self::channel_count) counts them all.
    pub channels: Vec<CallChannel>,
    /// How many channels the call had, those no longer in
    /// [`channels`](Self::channels) included.
    pub channel_count: u64,
    /// `Uniqueid`s of the channels still up (empty once ended).
    pub active: BTreeSet<Text>,
    /// When its first channel was created.
    pub started: SystemTime,
    /// When its first channel went `Up`.
    pub answered: Option<SystemTime>,
    /// When its last channel hung up (or was found gone).
    pub ended: Option<SystemTime>,
    /// Cause of the first `Hangup` of the call: who ended it and why. `None` for
    /// a call whose hangups were not seen (ended while disconnected).
    pub cause: Option<HangupCause>,
    /// Asterisk's text for [`cause`](Self::cause) (`Cause-txt`).
    pub cause_text: Option<Text>,
    /// How the model learned that the call ended.
    pub end_reason: Option<EndReason>,
    /// How the model learned of the call.
    pub origin: Origin,
    /// For a call that ended [`Merged`](EndReason::Merged): the `Linkedid` of
    /// the call its channels moved to.
    pub merged_into: Option<Text>,
}

impl CallRecord {
    pub(crate) fn new(linkedid: Text, started: SystemTime, origin: Origin) -> Self {
        CallRecord {
            linkedid,
            channels: Vec::new(),
            channel_count: 0,
            active: BTreeSet::new(),
            started,
            answered: None,
            ended: None,
            cause: None,
            cause_text: None,
            end_reason: None,
            origin,
            merged_into: None,
        }
    }

    /// Add a channel (once while it is kept), keeping at most `cap` in
    /// [`channels`](Self::channels): the first and the latest.
    pub(crate) fn join(&mut self, uniqueid: &Text, name: &Text, cap: usize) {
        if !self.channels.iter().any(|c| &c.uniqueid == uniqueid) {
            self.channel_count += 1;
            self.channels.push(CallChannel {
                uniqueid: uniqueid.clone(),
                name: name.clone(),
            });
            if self.channels.len() > cap.max(1) {
                // Keep the first channel (the call's origin); drop the oldest
                // of the others.
                self.channels.remove(1);
            }
        }
        self.active.insert(uniqueid.clone());
    }

    /// Follow a channel's new name.
    pub(crate) fn rename(&mut self, uniqueid: &Text, name: &Text) {
        if let Some(c) = self.channels.iter_mut().find(|c| &c.uniqueid == uniqueid) {
            c.name = name.clone();
        }
    }

    /// Whether the call has ended.
    pub fn is_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// From start to end (to `now` while it is up).
    pub fn duration(&self, now: SystemTime) -> Duration {
        let end = self.ended.unwrap_or(now);
        end.duration_since(self.started).unwrap_or_default()
    }

    /// From answer to end (to `now` while it is up); zero when never answered.
    pub fn talk_time(&self, now: SystemTime) -> Duration {
        let end = self.ended.unwrap_or(now);
        self.answered
            .and_then(|a| end.duration_since(a).ok())
            .unwrap_or_default()
    }

    /// The channel names, in the order they appeared.
    pub fn channel_names(&self) -> Vec<Text> {
        self.channels.iter().map(|c| c.name.clone()).collect()
    }
}
