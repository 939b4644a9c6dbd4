//! [`Call`]: a handle on one call of the tracker: await its answer and its
//! end, read its events, and act on its first channel.

use super::watch::CallProgress;
use crate::ami::actions::{Bridge, Getvar, Hangup, Redirect, Setvar};
use crate::ami::{AmiError, Event, Text};
use crate::domain::HangupCause;
use crate::live::change::EndReason;
use crate::live::shared::Shared;
use asterisk_sdk_runtime::tasks::{RouteEnd, RouteReceiver};
use futures::Stream;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// How many unread events a [`Call::events`] listener holds by default before
/// it overflows ([`LiveTrackerBuilder::call_event_capacity`](crate::live::LiveTrackerBuilder::call_event_capacity)).
pub const DEFAULT_CALL_EVENT_CAPACITY: usize = 1024;

/// How a call ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallEnd {
    /// The `Linkedid` of the call that ended: the handle's own, or, when its
    /// call was merged into another, the call it went on as.
    pub linkedid: Text,
    /// Cause of its first hangup; `None` when no hangup was seen (it ended
    /// while the client was disconnected).
    pub cause: Option<HangupCause>,
    /// Asterisk's text of the cause.
    pub cause_text: Option<Text>,
    /// From start to end.
    pub duration: Duration,
    /// From answer to end; `None` when never answered.
    pub talk_time: Option<Duration>,
    /// Names of the call's channels as its record kept them: the first and the
    /// latest (see [`CallRecord::channels`](crate::live::CallRecord::channels)).
    pub channels: Vec<Text>,
    /// How many channels the call had in all.
    pub channel_count: u64,
    /// How the end was learned.
    pub reason: EndReason,
}

/// Why waiting on a [`Call`] gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The call ended without being answered.
    #[error("the call ended unanswered ({:?})", .0.cause)]
    EndedUnanswered(CallEnd),
    /// The tracker stopped (its client closed) first.
    #[error("the live tracker stopped")]
    TrackerStopped,
}

/// A handle on one call (the channels sharing a `Linkedid`).
///
/// Its answer and end come from the tracker's model, the same
/// [`Change`](crate::live::Change)s its change stream carries. Actions go to
/// its first channel (the originated one) over the tracker's client.
///
/// When Asterisk merges the call into an older one (its channel joins a basic
/// bridge with that call's channels and takes its `Linkedid`, e.g. after
/// [`bridge_with`](Self::bridge_with)), the handle follows: its
/// [`answered`](Self::answered) and [`ended`](Self::ended) are those of the
/// call it went on as, its [`events`](Self::events) go on with that call's,
/// and [`current_linkedid`](Self::current_linkedid) names it.
pub struct Call {
    shared: Arc<Shared>,
    linkedid: Text,
    uniqueid: Text,
    name: Text,
    progress: watch::Receiver<CallProgress>,
    events: Mutex<Option<RouteReceiver<Event>>>,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("linkedid", &self.linkedid)
            .field("channel", &self.name)
            .finish_non_exhaustive()
    }
}

impl Call {
    pub(crate) fn new(
        shared: Arc<Shared>,
        linkedid: Text,
        uniqueid: Text,
        name: Text,
        progress: watch::Receiver<CallProgress>,
        events: Option<RouteReceiver<Event>>,
    ) -> Self {
        Call {
            shared,
            linkedid,
            uniqueid,
            name,
            progress,
            events: Mutex::new(events),
        }
    }

    /// The call's `Linkedid` when the handle was made (see
    /// [`current_linkedid`](Self::current_linkedid) after a merge).
    pub fn linkedid(&self) -> &Text {
        &self.linkedid
    }

    /// The `Linkedid` the call goes on under now: its own, or that of the
    /// call it was merged into (as far as the tracker's history of finished
    /// calls tells).
    pub fn current_linkedid(&self) -> Text {
        self.shared.lock().model.surviving_linkedid(&self.linkedid)
    }

    /// The `Uniqueid` of its first channel.
    pub fn uniqueid(&self) -> &Text {
        &self.uniqueid
    }

    /// The name of its first channel now (it follows `Rename`).
    pub fn channel(&self) -> Text {
        self.shared
            .lock()
            .model
            .channel(&self.uniqueid)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| self.name.clone())
    }

    async fn wait(&self, done: impl Fn(&CallProgress) -> bool) -> CallProgress {
        let mut rx = self.progress.clone();
        let result = rx
            .wait_for(|p| done(p) || p.ended.is_some() || p.stopped)
            .await
            .map(|p| p.clone());
        match result {
            Ok(p) => p,
            // The watch was dropped: its last value says how far it got.
            Err(_) => {
                let mut last = self.progress.borrow().clone();
                if !done(&last) && last.ended.is_none() {
                    last.stopped = true;
                }
                last
            }
        }
    }

    /// When it was answered: when any of its channels first went `Up` (for an
    /// originate into an application, the originated channel; for a dial, the
    /// first side to answer); an error when it ended first or the tracker
    /// stopped.
    pub async fn answered(&self) -> Result<SystemTime, CallError> {
        let p = self.wait(|p| p.answered.is_some()).await;
        match (p.answered, p.ended) {
            (Some(at), _) => Ok(at),
            (None, Some(end)) => Err(CallError::EndedUnanswered(end)),
            (None, None) => Err(CallError::TrackerStopped),
        }
    }

    /// How it ended: cause, duration, channels. For a call merged into
    /// another, the end of the call it went on as.
    pub async fn ended(&self) -> Result<CallEnd, CallError> {
        self.wait(|p| p.ended.is_some())
            .await
            .ended
            .ok_or(CallError::TrackerStopped)
    }

    /// The call's typed events (any event naming its `Linkedid` or one of its
    /// channels). For a call from [`originate`](crate::live::LiveTracker::originate),
    /// the first call returns every event since the originate; a later one,
    /// and every one on a handle from [`call`](crate::live::LiveTracker::call),
    /// the events from then on. Ends when the call ends; a merge into another
    /// call does not end it (the events of that call follow).
    ///
    /// Each listener is bounded: it holds at most
    /// [`call_event_capacity`](crate::live::LiveTrackerBuilder::call_event_capacity)
    /// unread events (default [`DEFAULT_CALL_EVENT_CAPACITY`]), and the
    /// tracker never waits for it. One that falls that far behind gets the
    /// events it holds, then [`CallEventItem::Overflowed`], then the end; the
    /// events after that point are not delivered to it. Other listeners and
    /// other calls are unaffected, and [`answered`](Self::answered) and
    /// [`ended`](Self::ended) keep working. The listener of an originate is
    /// open from the start, so it overflows too when its events are not read.
    pub fn events(&self) -> CallEvents {
        let first = self.events.lock().unwrap_or_else(|e| e.into_inner()).take();
        let rx = first.or_else(|| {
            let mut inner = self.shared.lock();
            // `None` when the call already ended: an empty, finished stream.
            let linkedid = inner.model.surviving_linkedid(&self.linkedid);
            inner
                .watches
                .get_mut(&linkedid)
                .map(|w| w.listen(self.shared.call_event_capacity))
        });
        CallEvents { rx }
    }

    /// Hang the call's first channel up, with `cause` (else Asterisk's default).
    pub async fn hangup(&self, cause: Option<HangupCause>) -> Result<(), AmiError> {
        let mut action = Hangup::new(self.channel().as_str());
        if let Some(code) = cause.as_ref().and_then(HangupCause::code) {
            action = action.cause(code.to_string());
        }
        self.shared.client.send(&action).await?.into_result()?;
        Ok(())
    }

    /// Send the first channel to `context`, `exten`, `priority`.
    pub async fn redirect(
        &self,
        context: &str,
        exten: &str,
        priority: u32,
    ) -> Result<(), AmiError> {
        let action = Redirect::new(
            self.channel().as_str(),
            exten,
            context,
            priority.to_string(),
        );
        self.shared.client.send(&action).await?.into_result()?;
        Ok(())
    }

    /// Set a channel variable on the first channel.
    pub async fn set_var(&self, name: &str, value: &str) -> Result<(), AmiError> {
        let action = Setvar::new(name, value).channel(self.channel().as_str());
        self.shared.client.send(&action).await?.into_result()?;
        Ok(())
    }

    /// Read a channel variable (or function, e.g. `CALLERID(num)`) of the first
    /// channel; `None` when Asterisk returns no value.
    pub async fn get_var(&self, name: &str) -> Result<Option<Text>, AmiError> {
        let action = Getvar::new(name).channel(self.channel().as_str());
        let response = self.shared.client.send(&action).await?.into_result()?;
        Ok(response.value)
    }

    /// Bridge this call's first channel with `other`'s (`Action: Bridge`).
    pub async fn bridge_with(&self, other: &Call) -> Result<(), AmiError> {
        let action = Bridge::new(self.channel().as_str(), other.channel().as_str());
        self.shared.client.send(&action).await?.into_result()?;
        Ok(())
    }

    /// Play `file` on the first channel through AsyncAGI (`STREAM FILE`); the
    /// channel must be running `AGI(agi:async)`. Returns the escape digit
    /// outcome of the playback.
    #[cfg(feature = "agi")]
    pub async fn play(
        &self,
        file: &str,
    ) -> Result<crate::agi::StreamOutcome, crate::agi::AgiError> {
        use crate::agi::{AgiChannel, AgiCommands, AmiAgiLink, AsyncAgi};
        let name = self.channel().to_string();
        let link = AmiAgiLink::new(self.shared.client.clone(), name.clone());
        let mut channel = AgiChannel::new(AsyncAgi::new(link, name));
        channel.stream_file(file, "", None).await
    }
}

/// One item of a [`CallEvents`] stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallEventItem {
    /// An event of the call, in the order Asterisk sent it.
    Event(Event),
    /// This listener's queue was full (it did not keep up): the events after
    /// that point were not delivered to it, and the stream ends after this
    /// item. [`Call::answered`] and [`Call::ended`] still work.
    Overflowed {
        /// The queue's capacity.
        capacity: usize,
    },
}

impl CallEventItem {
    /// The event, if this item is one.
    pub fn event(self) -> Option<Event> {
        match self {
            CallEventItem::Event(e) => Some(e),
            CallEventItem::Overflowed { .. } => None,
        }
    }
}

/// The events of one call, from [`Call::events`]: its events, then the end
/// (`None`) when the call ends or the tracker stops, or
/// [`CallEventItem::Overflowed`] and the end when this listener fell behind.
#[derive(Debug)]
pub struct CallEvents {
    /// `None` once the stream is over.
    rx: Option<RouteReceiver<Event>>,
}

impl Stream for CallEvents {
    type Item = CallEventItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<CallEventItem>> {
        let this = self.get_mut();
        let Some(rx) = this.rx.as_mut() else {
            return Poll::Ready(None);
        };
        match rx.poll_recv(cx) {
            Poll::Ready(Some(event)) => Poll::Ready(Some(CallEventItem::Event(event))),
            Poll::Ready(None) => {
                let end = rx.end();
                this.rx = None;
                Poll::Ready(match end {
                    Some(RouteEnd::Overflowed { capacity }) => {
                        Some(CallEventItem::Overflowed { capacity })
                    }
                    _ => None,
                })
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
