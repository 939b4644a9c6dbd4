//! The tracker's task: read the subscription, apply each event, and resync
//! from Asterisk's lists at every gap (reconnect, lost events).

use super::change::ResyncReason;
use super::resync::ServerSnapshot;
use super::shared::Shared;
use crate::ami::actions::{BridgeInfo, BridgeList, CoreShowChannels};
use crate::ami::{AmiClient, AmiError, Event, EventItem, EventStream};
use futures::{FutureExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;

/// How long the tracker waits before retrying a resync that failed.
const RESYNC_RETRY: Duration = Duration::from_secs(1);

/// Events kept while a snapshot is read; past it they are dropped and another
/// resync follows.
const RESYNC_BUFFER: usize = 10_000;

/// The longest wait before a resync that follows one that lost events.
const RESYNC_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Read what exists now: channels, bridges and (when asked) each bridge's members.
pub(crate) async fn fetch_snapshot(
    client: &AmiClient,
    members: bool,
) -> Result<ServerSnapshot, AmiError> {
    let channels = client.list(&CoreShowChannels::new()).await?;
    let bridges = client.list(&BridgeList::new()).await?;
    let mut infos = Vec::with_capacity(bridges.items.len());
    for item in &bridges.items {
        let info = match (members, item.bridge.bridge_uniqueid.as_ref()) {
            (true, Some(id)) => match client.list(&BridgeInfo::new(id.as_str())).await {
                Ok(list) => Some(list.items),
                // Gone since BridgeList: its members come from the channels.
                Err(AmiError::ActionFailed { .. }) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        infos.push(info);
    }
    Ok(ServerSnapshot::from_lists(
        &channels.items,
        bridges.items.iter().zip(infos.iter().map(|i| i.as_deref())),
    ))
}

/// Which of two pending resync reasons to report: a reconnect wins.
fn merge(pending: Option<ResyncReason>, new: ResyncReason) -> ResyncReason {
    match pending {
        Some(ResyncReason::Reconnected) => ResyncReason::Reconnected,
        _ => new,
    }
}

/// What the subscription brought while a snapshot was being read.
#[derive(Default)]
pub(crate) struct Meanwhile {
    /// The events, in order, up to [`RESYNC_BUFFER`].
    pub(crate) events: Vec<Event>,
    /// Another gap to resync for: events lost (the buffer or the
    /// subscription overflowed) or a reconnect.
    pub(crate) gap: Option<ResyncReason>,
    /// The subscription ended (the client closed).
    closed: bool,
}

impl Meanwhile {
    /// Take one item of the subscription.
    fn take(
        &mut self,
        shared: &Shared,
        events: &mut EventStream<Event>,
        item: Option<EventItem<Event>>,
    ) {
        match item {
            None => self.closed = true,
            Some(EventItem::Event(event)) => {
                if self.events.len() < RESYNC_BUFFER {
                    self.events.push(event);
                } else {
                    self.gap = Some(merge(self.gap, ResyncReason::EventsLost));
                }
            }
            Some(EventItem::Reconnected) => self.gap = Some(ResyncReason::Reconnected),
            Some(EventItem::Lagged(_)) => {
                self.gap = Some(merge(self.gap, ResyncReason::EventsLost));
            }
            Some(EventItem::Overflowed { .. }) => {
                *events = shared.client.events::<Event>();
                self.gap = Some(merge(self.gap, ResyncReason::EventsLost));
            }
            Some(_) => {}
        }
    }
}

/// Read a snapshot while draining the subscription into a bounded buffer, so
/// the socket reader never waits on the tracker's queue (with
/// [`SlowSubscriberPolicy::Block`](crate::ami::SlowSubscriberPolicy::Block),
/// the list's answers sit behind it) and the queue does not lag. The events
/// returned arrived before the snapshot was complete, or at about that time.
pub(crate) async fn fetch_draining(
    shared: &Shared,
    events: &mut EventStream<Event>,
    members: bool,
) -> (Result<ServerSnapshot, AmiError>, Meanwhile) {
    let mut meanwhile = Meanwhile::default();
    let fetch = fetch_snapshot(&shared.client, members);
    tokio::pin!(fetch);
    let result = loop {
        tokio::select! {
            biased;
            result = &mut fetch => break result,
            item = events.next(), if !meanwhile.closed => {
                meanwhile.take(shared, events, item);
            }
        }
    };
    // What the reader queued up to the lists' completion is already there.
    while !meanwhile.closed
        && let Some(item) = events.next().now_or_never()
    {
        meanwhile.take(shared, events, item);
    }
    (result, meanwhile)
}

/// How long to wait before the `n`th resync in a row that found its buffer
/// overflowed: doubling from [`RESYNC_RETRY`], at most [`RESYNC_BACKOFF_MAX`].
fn backoff(n: u32) -> Duration {
    RESYNC_RETRY
        .saturating_mul(1 << n.min(16))
        .min(RESYNC_BACKOFF_MAX)
}

/// The tracker's task: apply events, resync after every gap.
/// `pending`: a gap the first snapshot already knows of.
pub(crate) async fn follow(
    shared: Arc<Shared>,
    mut events: EventStream<Event>,
    members: bool,
    pending: Option<ResyncReason>,
) {
    let mut pending = pending;
    // Resyncs in a row that lost events while reading the lists: the first
    // snapshot counts when it lost some, and the next one waits its backoff.
    let mut lossy: u32 = u32::from(pending == Some(ResyncReason::EventsLost));
    let mut retry_at: Option<tokio::time::Instant> =
        (lossy > 0).then(|| tokio::time::Instant::now() + backoff(lossy));
    loop {
        if let Some(reason) = pending
            && retry_at.is_none_or(|t| tokio::time::Instant::now() >= t)
        {
            let (result, meanwhile) = fetch_draining(&shared, &mut events, members).await;
            match result {
                Ok(snapshot) => {
                    let mut inner = shared.lock();
                    let changes = inner.model.resync(&snapshot, reason);
                    inner.publish(changes);
                    for event in meanwhile.events {
                        inner.handle_event_before_snapshot(event);
                    }
                    drop(inner);
                    pending = None;
                    retry_at = None;
                    match meanwhile.gap {
                        Some(gap) => {
                            lossy = lossy.saturating_add(1);
                            tracing::warn!(
                                resyncs = lossy,
                                "live tracker: events lost while resyncing; resyncing again"
                            );
                            pending = Some(gap);
                            if gap == ResyncReason::EventsLost {
                                retry_at = Some(tokio::time::Instant::now() + backoff(lossy));
                            }
                        }
                        None => lossy = 0,
                    }
                }
                Err(e) => {
                    let mut inner = shared.lock();
                    for event in meanwhile.events {
                        inner.handle_event(event);
                    }
                    drop(inner);
                    if let Some(gap) = meanwhile.gap {
                        pending = Some(merge(Some(gap), reason));
                    }
                    tracing::warn!(error = %e, "live tracker: resync failed; retrying");
                    retry_at = Some(tokio::time::Instant::now() + RESYNC_RETRY);
                }
            }
            if meanwhile.closed {
                break;
            }
        }
        let item = match (pending, retry_at) {
            (Some(_), Some(at)) => tokio::select! {
                item = events.next() => item,
                _ = tokio::time::sleep_until(at) => continue,
            },
            _ => events.next().await,
        };
        match item {
            None => break,
            Some(EventItem::Event(event)) => shared.lock().handle_event(event),
            Some(EventItem::Reconnected) => {
                pending = Some(ResyncReason::Reconnected);
                retry_at = None;
            }
            Some(EventItem::Lagged(n)) => {
                tracing::warn!(lost = n, "live tracker: events lost; resyncing");
                pending = Some(merge(pending, ResyncReason::EventsLost));
            }
            Some(EventItem::Overflowed { .. }) => {
                tracing::warn!("live tracker: subscription overflowed; resubscribing");
                events = shared.client.events::<Event>();
                pending = Some(merge(pending, ResyncReason::EventsLost));
            }
            Some(_) => {}
        }
    }
    shared.lock().stop();
}
