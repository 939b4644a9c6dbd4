//! [`Call`]: what one handler task gets: the channel, the `StasisStart` that
//! brought it, and the stream of this channel's events only.

use super::router::bridge_key;
use crate::ari::models::StasisStart;
use crate::ari::{AriClient, AriError, AriEvent, ChannelHandle};
use asterisk_sdk_runtime::tasks::{KeyedRouter, RouteEnd, RouteId, RouteReceiver};
use futures::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::time::Instant;

/// One item of a call's stream.
#[derive(Debug, Clone)]
#[non_exhaustive]
// Unboxed like `AriEvent` itself: matching on the event stays direct.
#[allow(clippy::large_enum_variant)]
pub enum CallItem {
    /// An event about this call: its channel, a playback or recording on it, a
    /// bridge it is in or created. `StasisEnd` is the last one.
    Event(AriEvent),
    /// The events WebSocket dropped; events of the gap are lost (the call
    /// itself goes on in Asterisk).
    Disconnected {
        /// Why the connection ended.
        reason: String,
    },
    /// The events WebSocket is back; events flow again. The framework then
    /// checks that the call's channel still exists and is still in this
    /// application; if not, [`CallItem::ChannelGone`] follows.
    Reconnected,
    /// The channel is no longer in this application: it ended, or left the
    /// application (continued in the dialplan, moved to another application),
    /// while the events WebSocket was down, so its `StasisEnd` was lost. The
    /// stream ends after this item.
    ChannelGone,
    /// Items set aside by the helpers ([`Call::play`] … [`Playing::await_finished`](super::Playing::await_finished),
    /// [`Call::collect_dtmf`]) for a later [`Call::next_event`] were more than
    /// the queue's capacity: the oldest `missed` of them were dropped to make
    /// room. Only items the handler did not wait for are dropped this way,
    /// and the call goes on (a handler that only uses helpers never reads
    /// them); the items after this marker are the newest ones set aside.
    Lagged {
        /// How many set-aside items were dropped since the last such marker.
        missed: usize,
    },
    /// The call's queue was full (its handler did not keep up): events after
    /// that point were not delivered, and the stream ends after this item.
    Overflowed {
        /// The queue's capacity ([`App::queue_capacity`](super::App::queue_capacity)).
        capacity: usize,
    },
}

/// Why a call's helper failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// An ARI request failed.
    #[error(transparent)]
    Ari(#[from] AriError),
    /// The call's events stopped because its queue overflowed (see
    /// [`CallItem::Overflowed`]); what it waited for may have been lost.
    #[error("the call's event queue overflowed ({capacity} events); its events stopped")]
    Overflowed {
        /// The queue's capacity.
        capacity: usize,
    },
}

/// What a wait inside a helper found.
pub(crate) enum Waited<R> {
    /// The awaited item.
    Found(R),
    /// The events WebSocket came back ([`CallItem::Reconnected`], kept for
    /// [`Call::next_event`]): what was awaited may have been lost in the gap.
    Reconnected,
    /// The call's events ended first (`StasisEnd`, or the app shut down).
    Ended,
    /// The deadline passed first.
    TimedOut,
}

/// One call in a Stasis application: handed to the handler of
/// [`App::run`](super::App::run) for each `StasisStart`.
///
/// Read its events with [`Call::next_event`] (or as a [`Stream`]): only events
/// about this call arrive, in the order Asterisk sent them, ending with
/// `StasisEnd`. The helpers ([`Call::play`], [`Call::collect_dtmf`]) read the
/// same stream; items they do not wait for are set aside, in order, for the
/// next [`Call::next_event`]. That store holds at most the queue's capacity
/// ([`App::queue_capacity`](super::App::queue_capacity)): beyond it the oldest
/// set-aside items are dropped and [`Call::next_event`] first returns
/// [`CallItem::Lagged`] with their exact number. So a handler that only uses
/// helpers never overflows because of events it did not ask for; only its
/// queue of unread items can overflow ([`CallItem::Overflowed`], reported as
/// [`AppReport::CallOverflowed`](super::AppReport::CallOverflowed)).
///
/// This is a call of a Stasis application, over ARI.
#[cfg_attr(
    feature = "ami",
    doc = "For calls placed and tracked over AMI see [`live::Call`](crate::live::Call)."
)]
#[derive(Debug)]
pub struct Call {
    channel: ChannelHandle,
    start: StasisStart,
    events: RouteReceiver<CallItem>,
    router: KeyedRouter<CallItem>,
    /// Items the helpers set aside, oldest first, at most `capacity`.
    kept: VecDeque<CallItem>,
    /// Set-aside items dropped (oldest first) since the last `Lagged`.
    lagged: usize,
    capacity: usize,
    input_done: bool,
    saw_end: bool,
    overflow_told: bool,
    pub(crate) bridges: Arc<Mutex<Vec<String>>>,
}

impl Call {
    pub(crate) fn new(
        client: &AriClient,
        start: StasisStart,
        events: RouteReceiver<CallItem>,
        router: KeyedRouter<CallItem>,
        capacity: usize,
        bridges: Arc<Mutex<Vec<String>>>,
    ) -> Call {
        Call {
            channel: start.channel.handle(client),
            start,
            events,
            router,
            kept: VecDeque::new(),
            lagged: 0,
            capacity,
            input_done: false,
            saw_end: false,
            overflow_told: false,
            bridges,
        }
    }

    /// The channel's id.
    pub fn id(&self) -> &str {
        self.channel.id()
    }

    /// The channel, to act on it (`call.channel().answer().await`).
    pub fn channel(&self) -> &ChannelHandle {
        &self.channel
    }

    /// The client the framework sends with.
    pub fn client(&self) -> &AriClient {
        self.channel.client()
    }

    /// The arguments of `Stasis(app, args…)`.
    pub fn args(&self) -> &[String] {
        &self.start.args
    }

    /// The `StasisStart` event that started the call (channel snapshot,
    /// `replace_channel`, …).
    pub fn start(&self) -> &StasisStart {
        &self.start
    }

    /// Whether this call's `StasisEnd` (or [`CallItem::ChannelGone`]) has been
    /// read, from the stream or by a helper.
    pub fn has_ended(&self) -> bool {
        self.saw_end
    }

    /// The next item about this call; `None` once the stream is over (after
    /// `StasisEnd`, [`CallItem::ChannelGone`] or [`CallItem::Overflowed`], or
    /// when the app stops).
    pub async fn next_event(&mut self) -> Option<CallItem> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<CallItem>> {
        if self.lagged > 0 {
            let missed = std::mem::take(&mut self.lagged);
            return Poll::Ready(Some(CallItem::Lagged { missed }));
        }
        if let Some(item) = self.kept.pop_front() {
            return Poll::Ready(Some(item));
        }
        if !self.input_done {
            match self.events.poll_recv(cx) {
                Poll::Ready(Some(item)) => {
                    self.note(&item);
                    return Poll::Ready(Some(item));
                }
                Poll::Ready(None) => self.input_done = true,
                Poll::Pending => return Poll::Pending,
            }
        }
        match self.overflow() {
            Some(capacity) if !self.overflow_told => {
                self.overflow_told = true;
                Poll::Ready(Some(CallItem::Overflowed { capacity }))
            }
            _ => Poll::Ready(None),
        }
    }

    fn note(&mut self, item: &CallItem) {
        match item {
            CallItem::Event(AriEvent::StasisEnd(e)) if e.channel.id == self.channel.id() => {
                self.saw_end = true
            }
            CallItem::ChannelGone => self.saw_end = true,
            _ => {}
        }
    }

    /// The capacity of the queue that overflowed, if the input ended that way.
    fn overflow(&self) -> Option<usize> {
        match self.events.end() {
            Some(RouteEnd::Overflowed { capacity }) => Some(capacity),
            _ => None,
        }
    }

    /// Read items until `pick` takes one, keeping the others (in order) for
    /// [`Call::next_event`]. Items kept earlier are looked at first. With
    /// `until_reconnected`, a newly read [`CallItem::Reconnected`] is kept and
    /// ends the wait ([`Waited::Reconnected`]).
    pub(crate) async fn wait_for<R>(
        &mut self,
        deadline: Option<Instant>,
        until_reconnected: bool,
        mut pick: impl FnMut(&CallItem) -> Option<R>,
    ) -> Result<Waited<R>, CallError> {
        let found = self
            .kept
            .iter()
            .enumerate()
            .find_map(|(i, item)| pick(item).map(|r| (i, r)));
        if let Some((i, r)) = found {
            self.kept.remove(i);
            return Ok(Waited::Found(r));
        }
        loop {
            if self.input_done {
                return match self.overflow() {
                    Some(capacity) => Err(CallError::Overflowed { capacity }),
                    None => Ok(Waited::Ended),
                };
            }
            let next = match deadline {
                Some(at) => match tokio::time::timeout_at(at, self.events.recv()).await {
                    Ok(next) => next,
                    Err(_) => return Ok(Waited::TimedOut),
                },
                None => self.events.recv().await,
            };
            let Some(item) = next else {
                self.input_done = true;
                continue;
            };
            self.note(&item);
            if let Some(r) = pick(&item) {
                return Ok(Waited::Found(r));
            }
            let reconnected = until_reconnected && matches!(item, CallItem::Reconnected);
            self.keep(item);
            if reconnected {
                return Ok(Waited::Reconnected);
            }
        }
    }

    /// Set aside an item a helper did not want. At most `capacity` items are
    /// kept: the oldest is dropped (and counted for [`CallItem::Lagged`]) to
    /// make room. The call's route stays open: set-aside items never make it
    /// overflow.
    fn keep(&mut self, item: CallItem) {
        self.kept.push_back(item);
        while self.kept.len() > self.capacity {
            self.kept.pop_front();
            self.lagged += 1;
        }
    }

    /// Route events of bridge `id` to this call (the bridge's own events, and
    /// playbacks on it).
    pub(crate) fn own_bridge(&self, id: &str) {
        self.router.alias(self.route(), bridge_key(id));
        self.bridges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(id.to_string());
    }

    /// Stop routing bridge `id` to this call (destroyed).
    pub(crate) fn disown_bridge(
        router: &KeyedRouter<CallItem>,
        bridges: &Mutex<Vec<String>>,
        id: &str,
    ) {
        router.remove_key(&bridge_key(id));
        bridges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|b| b != id);
    }

    pub(crate) fn route(&self) -> RouteId {
        self.events.id()
    }

    pub(crate) fn router(&self) -> &KeyedRouter<CallItem> {
        &self.router
    }
}

impl Stream for Call {
    type Item = CallItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<CallItem>> {
        self.get_mut().poll_item(cx)
    }
}
