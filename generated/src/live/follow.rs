//! The tracker's task: read the subscription, apply each event, and resync
//! from Asterisk's lists at every gap (reconnect, lost events).

use super::change::ResyncReason;
use super::resync::ServerSnapshot;
use super::shared::Shared;
use crate::ami::actions::{BridgeInfo, BridgeList, CoreShowChannels};
use crate::ami::{AmiClient, AmiError, Event, EventItem, EventStream};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// How long the tracker waits before retrying a resync that failed.
const RESYNC_RETRY: Duration = Duration::from_secs(1);

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

/// The tracker's task: apply events, resync after every gap.
pub(crate) async fn follow(shared: Arc<Shared>, mut events: EventStream<Event>, members: bool) {
    let mut pending: Option<ResyncReason> = None;
    let mut retry_at: Option<tokio::time::Instant> = None;
    loop {
        if let Some(reason) = pending
            && retry_at.is_none_or(|t| tokio::time::Instant::now() >= t)
        {
            // Events arriving meanwhile wait in the subscription's queue and
            // are applied after the snapshot.
            match fetch_snapshot(&shared.client, members).await {
                Ok(snapshot) => {
                    let mut inner = shared.lock();
                    let changes = inner.model.resync(&snapshot, reason);
                    inner.publish(changes);
                    pending = None;
                    retry_at = None;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live tracker: resync failed; retrying");
                    retry_at = Some(tokio::time::Instant::now() + RESYNC_RETRY);
                }
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
