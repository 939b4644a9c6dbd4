//! Event subscriptions: [`EventStream`], a `futures::Stream` of [`EventItem`]s.

use super::super::header::FromEvent;
use super::super::message::Message;
use super::hub::{Batch, Item, SubRx};
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
    /// Only with [`SlowSubscriberPolicy::Lossy`](super::SlowSubscriberPolicy::Lossy):
    /// this many events were dropped because this subscriber's buffer was full.
    Lagged(u64),
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

enum Current {
    Empty,
    Owned(std::vec::IntoIter<Item>),
    Shared(Arc<Batch>, usize),
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
        }
    }
}

type Predicate = Box<dyn FnMut(&Message) -> bool + Send>;

/// A subscription to the client's events, yielding [`EventItem<T>`].
///
/// `T` selects events: `Message` for all of them raw, the generated `Event` enum,
/// or one generated event struct (other events are skipped). What a subscriber sees:
/// every event received after it subscribed, in order; the first subscriber of a
/// client also sees the events received before it subscribed (up to the event
/// buffer size), unless disabled with
/// [`keep_early_events`](super::AmiClientBuilder::keep_early_events). Events of a
/// list action in flight go only to that [`list`](super::AmiClient::list) call.
/// The stream ends when the client is closed.
pub struct EventStream<T> {
    sub: SubRx,
    current: Current,
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
    pub(crate) fn new(sub: SubRx) -> Self {
        EventStream {
            sub,
            current: Current::Empty,
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
                    Item::Lagged(n) => return Poll::Ready(Some(EventItem::Lagged(n))),
                }
            }
            match this.sub.rx.poll_recv(cx) {
                Poll::Ready(Some(batch)) => {
                    this.sub.permits.add_permits(batch.permits as usize);
                    this.current = match Arc::try_unwrap(batch) {
                        Ok(b) => Current::Owned(b.items.into_iter()),
                        Err(shared) => Current::Shared(shared, 0),
                    };
                }
                Poll::Ready(None) => {
                    this.current = Current::Empty;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
