//! [`LiveTracker::originate`]: an asynchronous `Originate` whose
//! `OriginateResponse` (matched by `ActionID`) yields a [`Call`], or a typed
//! failure.

use super::call::Call;
use super::watch::{CallProgress, CallWatch};
use crate::ami::actions::Originate;
use crate::ami::enums::OriginateResponseResponse;
use crate::ami::events::{DialEnd, OriginateResponse};
use crate::ami::{Action, AmiError, Text};
use crate::domain::DialStatus;
use crate::live::LiveTracker;
use crate::live::shared::Shared;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long Asterisk rings an originated channel when `Timeout` is not set
/// (`action_originate()` in main/manager.c: 30 s).
const ASTERISK_ORIGINATE_TIMEOUT: Duration = Duration::from_secs(30);

/// Added to the ringing time to wait for the `OriginateResponse`.
const RESPONSE_MARGIN: Duration = Duration::from_secs(5);

/// `Reason` of an `OriginateResponse`: the control frame that ended the dial
/// (`pbx_dial_reason()` in main/pbx.c).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginateReason {
    /// `0`: the call failed (no such endpoint, unavailable, unallocated…).
    Failed,
    /// `1`: the caller side hung up first. Dial reports this only for a
    /// calling channel (`AST_DIAL_RESULT_HANGUP`, main/dial.c); an Originate
    /// has none, so it does not occur there.
    HungUp,
    /// `3`: it rang but was not answered.
    NoAnswer,
    /// `4`: answered.
    Answered,
    /// `5`: busy.
    Busy,
    /// `8`: congestion (rejected, out of order, temporary failure…).
    Congestion,
    /// Another value, as received.
    Other(String),
}

impl OriginateReason {
    /// Read the `Reason` header.
    pub fn from_wire(value: &str) -> Self {
        match value.trim() {
            "0" => OriginateReason::Failed,
            "1" => OriginateReason::HungUp,
            "3" => OriginateReason::NoAnswer,
            "4" => OriginateReason::Answered,
            "5" => OriginateReason::Busy,
            "8" => OriginateReason::Congestion,
            other => OriginateReason::Other(other.to_owned()),
        }
    }

    /// The `DialStatus` Dial would report for this outcome.
    pub fn dial_status(&self) -> Option<DialStatus> {
        Some(match self {
            OriginateReason::Failed => DialStatus::ChanUnavail,
            OriginateReason::HungUp => DialStatus::Cancel,
            OriginateReason::NoAnswer => DialStatus::NoAnswer,
            OriginateReason::Answered => DialStatus::Answer,
            OriginateReason::Busy => DialStatus::Busy,
            OriginateReason::Congestion => DialStatus::Congestion,
            OriginateReason::Other(_) => return None,
        })
    }
}

/// Why [`LiveTracker::originate`] returned no call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OriginateError {
    /// Asterisk refused the action (e.g. an invalid channel).
    #[error("Originate refused: {message}")]
    Rejected {
        /// Asterisk's `Message`.
        message: String,
    },
    /// The call was placed and failed.
    #[error(
        "Originate of {channel} failed: {reason:?} (dial status {})",
        shown(dial_status)
    )]
    Failed {
        /// The channel asked for.
        channel: String,
        /// The `Reason` of the `OriginateResponse`.
        reason: OriginateReason,
        /// The `DialStatus` of the channel's `DialEnd` when one was seen, else
        /// the status that `reason` stands for (`None` for an unknown
        /// reason). Asterisk may publish the `DialEnd` after the
        /// `OriginateResponse`, so the value read from the reason is common; it
        /// is coarser (a plain failure reads as `CHANUNAVAIL`).
        dial_status: Option<DialStatus>,
    },
    /// No `OriginateResponse` arrived in time. Asterisk may still place the
    /// call later, with no [`Call`] handle: its first channel carries
    /// `channel_id` as `Uniqueid` (drivers that honour `ChannelId` do), so
    /// `Hangup::new(channel_id)` ends it should it appear.
    #[error("no OriginateResponse for {channel} ({channel_id}) within {after:?}")]
    Timeout {
        /// The channel asked for.
        channel: String,
        /// The `ChannelId` the originate asked for (the call's `Linkedid` if it
        /// comes up).
        channel_id: String,
        /// How long it waited.
        after: Duration,
    },
    /// The action could not be sent or was not answered.
    #[error("Originate: {0}")]
    Ami(#[from] AmiError),
    /// The tracker stopped (its client closed) before the response arrived.
    #[error("the live tracker stopped")]
    TrackerStopped,
}

/// A dial status for a message.
fn shown(status: &Option<DialStatus>) -> String {
    status
        .as_ref()
        .map_or_else(|| "unknown".to_owned(), DialStatus::to_string)
}

/// An originate waiting for its `OriginateResponse`.
#[derive(Debug)]
pub(crate) struct PendingOriginate {
    channel_id: String,
    dial_status: Option<DialStatus>,
    tx: oneshot::Sender<(OriginateResponse, Option<DialStatus>)>,
}

impl PendingOriginate {
    /// Keep the `DialStatus` of a `DialEnd` of the originated channel.
    pub(crate) fn note_dial_end(&mut self, d: &DialEnd) {
        let ours = [&d.dest.uniqueid, &d.channel.uniqueid]
            .iter()
            .any(|u| u.as_ref().is_some_and(|u| u == self.channel_id.as_str()));
        if ours && d.dial_status.is_some() {
            self.dial_status = d.dial_status.clone();
        }
    }

    /// Hand over the response.
    pub(crate) fn complete(self, response: OriginateResponse) {
        let _ = self.tx.send((response, self.dial_status));
    }
}

/// Removes an originate's pending entry and watch when dropped: every way out
/// of [`LiveTracker::originate_within`] but a returned [`Call`].
struct Forget<'a> {
    shared: &'a Shared,
    action_id: &'a str,
    linkedid: &'a Text,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.originates.remove(self.action_id);
        inner.watches.remove(self.linkedid);
    }
}

/// The least `Timeout` (ms) in the action, as a duration.
fn ringing_time(originate: &Originate) -> Duration {
    originate
        .headers()
        .get("Timeout")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(ASTERISK_ORIGINATE_TIMEOUT)
}

impl LiveTracker {
    /// Place a call: send `originate` asynchronously (`Async: true`, with an
    /// `ActionID` and, unless set, a `ChannelId` and `OtherChannelId` chosen
    /// here so its events are known from the first one) and wait for its
    /// `OriginateResponse`: its ringing time (`Timeout`, else Asterisk's 30 s)
    /// plus 5 s.
    ///
    /// Dropping the future (e.g. losing a `select!`) withdraws the tracker's
    /// interest (nothing is left behind), but not the call: once sent,
    /// Asterisk places it anyway.
    pub async fn originate(&self, originate: Originate) -> Result<Call, OriginateError> {
        let wait = ringing_time(&originate) + RESPONSE_MARGIN;
        self.originate_within(originate, wait).await
    }

    /// [`originate`](Self::originate), waiting at most `wait` for the
    /// `OriginateResponse`.
    pub async fn originate_within(
        &self,
        originate: Originate,
        wait: Duration,
    ) -> Result<Call, OriginateError> {
        let shared = &self.shared;
        let n = shared.next_id();
        let headers = originate.headers();
        let channel = headers.get("Channel").unwrap_or("").to_owned();
        let action_id = headers
            .get("ActionID")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("live-{}-{n}", shared.id_prefix));
        let channel_id = headers
            .get("ChannelId")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("sdk{}.{n}", shared.id_prefix));
        let mut action = originate
            .async_(true)
            .action_id(&action_id)
            .channel_id(&channel_id);
        if action.headers().get("OtherChannelId").is_none() {
            action = action.other_channel_id(format!("{channel_id}.2"));
        }
        let linkedid = Text::from(channel_id.as_str());
        let (tx, rx) = oneshot::channel();
        let (progress, events) = {
            let mut inner = shared.lock();
            if inner.stopped {
                return Err(OriginateError::TrackerStopped);
            }
            inner.originates.insert(
                action_id.clone(),
                PendingOriginate {
                    channel_id: channel_id.clone(),
                    dial_status: None,
                    tx,
                },
            );
            let (mut watch, progress) = CallWatch::new(
                linkedid.clone(),
                CallProgress::default(),
                shared.call_events.clone(),
            );
            let events = watch.listen(shared.call_event_capacity);
            inner.watches.insert(linkedid.clone(), watch);
            (progress, events)
        };
        // Until a Call takes them over, the pending originate and the watch go
        // on every way out, a dropped future included.
        let guard = Forget {
            shared,
            action_id: &action_id,
            linkedid: &linkedid,
        };
        match shared.client.send(&action).await {
            Ok(r) if r.is_success() => {}
            Ok(r) => {
                return Err(OriginateError::Rejected {
                    message: r.get("Message").unwrap_or("").to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let (response, dial_status) = match tokio::time::timeout(wait, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => return Err(OriginateError::TrackerStopped),
            Err(_) => {
                return Err(OriginateError::Timeout {
                    channel,
                    channel_id,
                    after: wait,
                });
            }
        };
        let reason = OriginateReason::from_wire(response.reason.as_deref().unwrap_or(""));
        if response.response != Some(OriginateResponseResponse::Success) {
            return Err(OriginateError::Failed {
                channel,
                dial_status: dial_status.or_else(|| reason.dial_status()),
                reason,
            });
        }
        let name = response
            .channel
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| Text::from(channel.as_str()));
        let uniqueid = response
            .uniqueid
            .clone()
            .filter(|u| !u.is_empty() && u.as_str() != "<unknown>")
            .unwrap_or_else(|| linkedid.clone());
        std::mem::forget(guard);
        let linkedid = self.follow_linkedid(linkedid.clone(), &uniqueid);
        Ok(Call::new(
            shared.clone(),
            linkedid,
            uniqueid,
            name,
            progress,
            Some(events),
        ))
    }

    /// The call's `Linkedid` as the model knows it: when the channel driver did
    /// not take `ChannelId` as the `Uniqueid`, the watch moves to the call of the
    /// channel Asterisk reported.
    fn follow_linkedid(&self, expected: Text, uniqueid: &Text) -> Text {
        let mut inner = self.shared.lock();
        let actual = match inner.model.channel(uniqueid) {
            Some(ch) if ch.linkedid != expected => ch.linkedid.clone(),
            _ => return expected,
        };
        if let Some(w) = inner.watches.remove(&expected) {
            inner.watches.entry(actual.clone()).or_insert(w);
        }
        actual
    }

    /// How many calls the tracker keeps listeners for: those with a [`Call`]
    /// handle (until they end) and originates awaiting their response.
    pub fn watched_calls(&self) -> usize {
        self.shared.lock().watches.len()
    }

    /// A handle on a call up now, by `Linkedid`; `None` when there is none.
    /// Its event stream starts now. Its actions go to the call's first channel
    /// (the one whose `Uniqueid` is the `Linkedid`), or when that one is gone,
    /// to the first channel still up.
    pub fn call(&self, linkedid: &str) -> Option<Call> {
        let shared = &self.shared;
        let mut inner = shared.lock();
        let record = inner.model.calls.get(linkedid)?;
        let first = record
            .channels
            .iter()
            .find(|c| c.uniqueid == record.linkedid && record.active.contains(&c.uniqueid))
            .or_else(|| {
                record
                    .channels
                    .iter()
                    .find(|c| record.active.contains(&c.uniqueid))
            })
            .or_else(|| record.channels.first())?
            .clone();
        let record = record.clone();
        let key = record.linkedid.clone();
        let progress = match inner.watches.get(&key) {
            Some(w) => w.subscribe(),
            None => {
                let (w, rx) = CallWatch::new(
                    key.clone(),
                    CallProgress {
                        answered: record.answered,
                        ..CallProgress::default()
                    },
                    shared.call_events.clone(),
                );
                inner.watches.insert(key.clone(), w);
                rx
            }
        };
        drop(inner);
        Some(Call::new(
            shared.clone(),
            key,
            first.uniqueid,
            first.name,
            progress,
            None,
        ))
    }
}
