//! Event subscriptions: [`EventStream`], a `futures::Stream` of [`EventItem`]s.

use super::super::header::FromEvent;
use super::super::message::Message;
use super::hub::{Batch, End, Item, Next, SubQueue};
use futures::Stream;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// One item of an event stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventItem<T> {
    /// An event.
    Event(T),
    /// The connection was lost and re-established (logged in again, session
    /// settings re-applied). Asterisk does not replay events: anything that
    /// happened in between is unknown, so state built from events should be
    /// refreshed (e.g. with a list action).
    Reconnected,
    /// This many events were dropped, oldest first, because this subscriber's
    /// queue was over its byte budget ([`SlowSubscriberPolicy::Lag`](super::SlowSubscriberPolicy::Lag)),
    /// or, for the first subscriber, because they arrived before it subscribed
    /// and fell out of the early-events window. The count is exact; it comes
    /// before the events that were kept.
    Lagged(u64),
    /// Only with [`SlowSubscriberPolicy::Disconnect`](super::SlowSubscriberPolicy::Disconnect):
    /// this subscriber's queue went over its budget of `budget` bytes, so it was
    /// closed. This is the stream's last item.
    Overflowed {
        /// The per-subscriber budget in bytes.
        budget: usize,
    },
}

impl<T> EventItem<T> {
    /// The event, if this item is one.
    pub fn event(self) -> Option<T> {
        match self {
            EventItem::Event(t) => Some(t),
            _ => None,
        }
    }
}

/// The batch being read, or markers still to report.
enum Current {
    Empty,
    Owned(std::iter::Skip<std::vec::IntoIter<Item>>),
    Shared(Arc<Batch>, usize),
    Reconnects(u32),
}

impl Current {
    fn next(&mut self) -> Option<Item> {
        match self {
            Current::Empty => None,
            Current::Owned(it) => it.next(),
            Current::Shared(b, i) => {
                let item = b.items.get(*i).cloned();
                *i += 1;
                item
            }
            Current::Reconnects(0) => None,
            Current::Reconnects(n) => {
                *n -= 1;
                Some(Item::Reconnected)
            }
        }
    }
}

type Predicate = Box<dyn FnMut(&Message) -> bool + Send>;

/// A subscription to the client's events, yielding [`EventItem<T>`].
///
/// `T` selects events: `Message` for all of them raw, the generated `Event` enum,
/// or one generated event struct (other events are skipped). What a subscriber sees:
/// every event received after it subscribed, in order; the first subscriber of a
/// client also sees the events received before it subscribed that are still
/// inside the early-events window (see
/// [`early_events`](super::AmiClientBuilder::early_events)). Events of a list
/// action in flight go only to that [`list`](super::AmiClient::list) call.
///
/// Each stream has its own queue, bounded by the client's
/// [`subscriber_budget`](super::AmiClientBuilder::subscriber_budget): the socket
/// reader never waits for a stream (unless the policy is
/// [`Block`](super::SlowSubscriberPolicy::Block)), so answers to actions are never
/// held up by a slow subscriber. The stream ends when the client is closed, after
/// its queued items. Dropping it frees its queue.
pub struct EventStream<T> {
    sub: Arc<SubQueue>,
    current: Current,
    ended: bool,
    filter: Option<Predicate>,
    _type: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("filtered", &self.filter.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: FromEvent> EventStream<T> {
    pub(crate) fn new(sub: Arc<SubQueue>) -> Self {
        EventStream {
            sub,
            current: Current::Empty,
            ended: false,
            filter: None,
            _type: PhantomData,
        }
    }

    /// Keep only the events for which `predicate` returns true (markers always
    /// pass). Replaces a previous predicate.
    pub fn with_filter(mut self, predicate: impl FnMut(&Message) -> bool + Send + 'static) -> Self {
        self.filter = Some(Box::new(predicate));
        self
    }

    fn take(&mut self, msg: Message) -> Option<T> {
        if let Some(f) = self.filter.as_mut()
            && !f(&msg)
        {
            return None;
        }
        if !T::matches(msg.event_name().unwrap_or("")) {
            return None;
        }
        match T::from_message(msg) {
            Ok(t) => Some(t),
            Err(msg) => {
                tracing::debug!(
                    event = msg.event_name(),
                    "event matched but did not decode; skipped"
                );
                None
            }
        }
    }
}

impl<T: FromEvent> Stream for EventStream<T> {
    type Item = EventItem<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            while let Some(item) = this.current.next() {
                match item {
                    Item::Msg(m) => {
                        if let Some(t) = this.take(m) {
                            return Poll::Ready(Some(EventItem::Event(t)));
                        }
                    }
                    Item::Reconnected => return Poll::Ready(Some(EventItem::Reconnected)),
                }
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match this.sub.take(cx.waker()) {
                Next::Batch(batch, start) => {
                    this.current = match Arc::try_unwrap(batch) {
                        Ok(b) => Current::Owned(b.items.into_iter().skip(start)),
                        Err(shared) => Current::Shared(shared, start),
                    };
                }
                Next::Dropped { events, reconnects } => {
                    this.current = Current::Reconnects(reconnects);
                    if events > 0 {
                        return Poll::Ready(Some(EventItem::Lagged(events)));
                    }
                }
                Next::End(End::Closed) => {
                    this.ended = true;
                    return Poll::Ready(None);
                }
                Next::End(End::Overflowed { budget }) => {
                    this.ended = true;
                    return Poll::Ready(Some(EventItem::Overflowed { budget }));
                }
                Next::Empty => return Poll::Pending,
            }
        }
    }
}

impl<T> Drop for EventStream<T> {
    fn drop(&mut self) {
        self.sub.release();
    }
}
