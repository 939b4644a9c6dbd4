//! [`Changes`]: a tracker's change stream, bounded per subscriber. A subscriber
//! that falls behind never holds the tracker up: it is told how many changes
//! it missed ([`ChangeItem::Lagged`]) and goes on with the newest ones.

use super::change::Change;
use futures::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// How many changes a subscriber may fall behind by default before it lags
/// ([`LiveTrackerBuilder::change_capacity`](super::LiveTrackerBuilder::change_capacity)).
pub const DEFAULT_CHANGE_CAPACITY: usize = 4096;

/// One item of a [`Changes`] stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChangeItem {
    /// A change of the model, in the order the tracker made them.
    Change(Change),
    /// This subscriber fell behind by more than the tracker's change capacity:
    /// this many changes (exact count, the oldest unread ones) were dropped
    /// for it. The stream goes on with the changes still held, the newest
    /// ones. The snapshots ([`LiveTracker::calls`](super::LiveTracker::calls),
    /// [`counts`](super::LiveTracker::counts), …) hold the state those changes
    /// led to.
    Lagged(u64),
}

impl ChangeItem {
    /// The change, if this item is one.
    pub fn change(self) -> Option<Change> {
        match self {
            ChangeItem::Change(c) => Some(c),
            ChangeItem::Lagged(_) => None,
        }
    }
}

/// A wait for the next change that owns the receiver while it waits.
type Waiting = Pin<
    Box<
        dyn Future<Output = (Result<Change, RecvError>, broadcast::Receiver<Change>)> + Send + Sync,
    >,
>;

/// Where a [`Changes`] stream is.
enum State {
    /// Ready to read.
    Idle(broadcast::Receiver<Change>),
    /// Waiting for the tracker's next change.
    Waiting(Waiting),
    /// The tracker stopped and every change was read.
    Done,
}

/// The changes of a [`LiveTracker`](super::LiveTracker), from
/// [`LiveTracker::changes`](super::LiveTracker::changes).
pub struct Changes {
    state: State,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Idle(_) => "idle",
            State::Waiting(_) => "waiting",
            State::Done => "done",
        };
        f.debug_struct("Changes").field("state", &state).finish()
    }
}

impl Changes {
    /// A stream over `rx`, or an ended one.
    pub(crate) fn new(rx: Option<broadcast::Receiver<Change>>) -> Self {
        Changes {
            state: rx.map_or(State::Done, State::Idle),
        }
    }
}

/// The item for what the channel gave; `None` once it is closed and drained.
fn item(result: Result<Change, RecvError>) -> Option<ChangeItem> {
    match result {
        Ok(change) => Some(ChangeItem::Change(change)),
        Err(RecvError::Lagged(n)) => Some(ChangeItem::Lagged(n)),
        Err(RecvError::Closed) => None,
    }
}

impl Stream for Changes {
    type Item = ChangeItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ChangeItem>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Idle(mut rx) => {
                    let got = match rx.try_recv() {
                        Ok(change) => Ok(change),
                        Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                        Err(TryRecvError::Closed) => Err(RecvError::Closed),
                        Err(TryRecvError::Empty) => {
                            // Nothing queued: wait (only then is a future needed).
                            this.state = State::Waiting(Box::pin(async move {
                                let got = rx.recv().await;
                                (got, rx)
                            }));
                            continue;
                        }
                    };
                    let next = item(got);
                    if next.is_some() {
                        this.state = State::Idle(rx);
                    }
                    return Poll::Ready(next);
                }
                State::Waiting(mut wait) => match wait.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Waiting(wait);
                        return Poll::Pending;
                    }
                    Poll::Ready((got, rx)) => {
                        let next = item(got);
                        if next.is_some() {
                            this.state = State::Idle(rx);
                        }
                        return Poll::Ready(next);
                    }
                },
                State::Done => return Poll::Ready(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Origin, ResyncReason};
    use futures::{FutureExt, StreamExt};

    fn bridge(i: usize) -> Change {
        Change::BridgeCreated {
            id: format!("b{i}").as_str().into(),
            origin: Origin::Event,
        }
    }

    #[tokio::test]
    async fn a_subscriber_behind_by_more_than_the_capacity_is_told_the_exact_loss() {
        let (tx, rx) = broadcast::channel(4);
        let mut slow = Changes::new(Some(rx));
        let mut fast = Changes::new(Some(tx.subscribe()));
        for i in 0..10 {
            tx.send(bridge(i)).unwrap();
            assert_eq!(fast.next().await, Some(ChangeItem::Change(bridge(i))));
        }
        assert_eq!(slow.next().await, Some(ChangeItem::Lagged(6)));
        for i in 6..10 {
            assert_eq!(slow.next().await, Some(ChangeItem::Change(bridge(i))));
        }
        assert_eq!(slow.next().now_or_never(), None, "nothing more yet");
        // A waiting stream wakes for the next change, then ends with the sender.
        let resynced = Change::Resynced {
            reason: ResyncReason::Start,
            channels: 0,
            bridges: 10,
        };
        let waiter = tokio::spawn(async move { slow.collect::<Vec<_>>().await });
        tokio::task::yield_now().await;
        tx.send(resynced.clone()).unwrap();
        drop(tx);
        assert_eq!(
            waiter.await.unwrap(),
            [ChangeItem::Change(resynced.clone())]
        );
        assert_eq!(fast.next().await, Some(ChangeItem::Change(resynced)));
        assert_eq!(fast.next().await, None);
    }

    #[tokio::test]
    async fn a_stream_of_a_stopped_tracker_is_over() {
        assert_eq!(Changes::new(None).next().await, None);
    }
}
