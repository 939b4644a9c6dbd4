//! [`LiveTracker`]: a [`LiveModel`] kept in sync with a running Asterisk over
//! an [`AmiClient`], with its changes as a stream and cheap snapshots.

use super::bridge::Bridge;
use super::call::CallRecord;
use super::change::{Change, ResyncReason};
use super::channel::Channel;
use super::control::{CallWatch, PendingOriginate};
use super::model::{Counts, DEFAULT_HISTORY, LiveModel};
use super::resync::ServerSnapshot;
use crate::ami::actions::{BridgeInfo, BridgeList, CoreShowChannels};
use crate::ami::{AmiClient, AmiError, Event, EventItem, EventStream, Text};
use asterisk_sdk_runtime::clock::{Clock, SystemClock};
use futures::{Stream, StreamExt};
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long the tracker waits before retrying a resync that failed.
const RESYNC_RETRY: Duration = Duration::from_secs(1);

/// State shared by the tracker's task, its handle and the call handles.
pub(crate) struct Shared {
    pub(crate) client: AmiClient,
    inner: Mutex<Inner>,
    next_id: AtomicU64,
    /// Makes this tracker's `ActionID`s and channel ids unique.
    pub(crate) id_prefix: String,
}

/// Everything behind the tracker's one lock: the model and who listens to it.
pub(crate) struct Inner {
    pub(crate) model: LiveModel,
    subscribers: Vec<mpsc::UnboundedSender<Change>>,
    /// Per-call listeners, by `Linkedid`.
    pub(crate) watches: HashMap<Text, CallWatch>,
    /// Originates waiting for their `OriginateResponse`, by `ActionID`.
    pub(crate) originates: HashMap<String, PendingOriginate>,
    /// The task has ended (client closed or tracker dropped).
    pub(crate) stopped: bool,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh number for ids.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

impl Inner {
    /// Apply one event: model, per-call listeners, originates, subscribers.
    fn handle_event(&mut self, event: Event) {
        let changes = self.model.apply(&event);
        self.route_event(&event);
        self.publish(changes);
    }

    fn route_event(&mut self, event: &Event) {
        match event {
            Event::OriginateResponse(r) => {
                if let Some(id) = r.action_id.as_ref()
                    && let Some(p) = self.originates.remove(id.as_str())
                {
                    p.complete((**r).clone());
                }
            }
            Event::DialEnd(d) => {
                for p in self.originates.values_mut() {
                    p.note_dial_end(d);
                }
            }
            _ => {}
        }
        if self.watches.is_empty() {
            return;
        }
        if let Some(linkedid) = self.model.linkedid_of(event)
            && let Some(w) = self.watches.get_mut(&linkedid)
        {
            w.send_event(event);
        }
    }

    /// Hand changes to the call listeners and the subscribers.
    pub(crate) fn publish(&mut self, changes: Vec<Change>) {
        for change in changes {
            // Subscribers first: whoever wakes on a call's end finds the change
            // already queued in every change stream.
            self.subscribers.retain(|s| s.send(change.clone()).is_ok());
            if let Some(linkedid) = change.linkedid().cloned()
                && let Some(w) = self.watches.get_mut(&linkedid)
                && w.on_change(&change)
            {
                self.watches.remove(&linkedid);
            }
        }
    }

    /// The tracker ended: every listener learns it.
    fn stop(&mut self) {
        self.stopped = true;
        for (_, w) in self.watches.drain() {
            w.stop();
        }
        self.originates.clear();
        self.subscribers.clear();
    }
}

/// Settings of a [`LiveTracker`]; see [`LiveTracker::builder`].
#[derive(Debug)]
pub struct LiveTrackerBuilder {
    client: AmiClient,
    history: usize,
    clock: Arc<dyn Clock>,
    bridge_members: bool,
}

impl LiveTrackerBuilder {
    /// Keep the last `calls` finished calls (default [`DEFAULT_HISTORY`]).
    pub fn history(mut self, calls: usize) -> Self {
        self.history = calls;
        self
    }

    /// Read "now" from `clock` for events without a `Timestamp` (default: the
    /// system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Ask `BridgeInfo` for each bridge's members at a resync (default on);
    /// off, members come from the channels' `BridgeId`.
    pub fn bridge_members(mut self, on: bool) -> Self {
        self.bridge_members = on;
        self
    }

    /// Subscribe, take the first snapshot (`CoreShowChannels`, `BridgeList`,
    /// `BridgeInfo`), and start following the events. Fails when the first
    /// snapshot cannot be read.
    pub async fn start(self) -> Result<LiveTracker, AmiError> {
        let events = self.client.events::<Event>();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            inner: Mutex::new(Inner {
                model: LiveModel::with_clock(self.clock).history(self.history),
                subscribers: Vec::new(),
                watches: HashMap::new(),
                originates: HashMap::new(),
                stopped: false,
            }),
            next_id: AtomicU64::new(1),
            id_prefix: format!("{:x}{:05x}", stamp.as_secs(), stamp.subsec_micros()),
        });
        let snapshot = fetch_snapshot(&self.client, self.bridge_members).await?;
        {
            let mut inner = shared.lock();
            let changes = inner.model.resync(&snapshot, ResyncReason::Start);
            inner.publish(changes);
        }
        let task = tokio::spawn(follow(shared.clone(), events, self.bridge_members));
        Ok(LiveTracker { shared, task })
    }
}

/// A live model of one Asterisk, kept in sync over AMI.
///
/// It reads the client's events through its own subscription (the socket
/// reader never waits for it). When that subscription reports a reconnect
/// ([`EventItem::Reconnected`]) or lost events ([`EventItem::Lagged`], or
/// [`EventItem::Overflowed`] with [`SlowSubscriberPolicy::Disconnect`](crate::ami::SlowSubscriberPolicy::Disconnect)),
/// the tracker rebuilds from Asterisk's lists and reports what changed in the
/// gap ([`EndReason::WhileDisconnected`](super::EndReason::WhileDisconnected),
/// no cause invented). Dropping the tracker stops it.
#[derive(Debug)]
pub struct LiveTracker {
    pub(crate) shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Drop for LiveTracker {
    fn drop(&mut self) {
        self.task.abort();
        self.shared.lock().stop();
    }
}

impl LiveTracker {
    /// Configure a tracker over `client`.
    pub fn builder(client: AmiClient) -> LiveTrackerBuilder {
        LiveTrackerBuilder {
            client,
            history: DEFAULT_HISTORY,
            clock: Arc::new(SystemClock),
            bridge_members: true,
        }
    }

    /// A tracker over `client` with the defaults.
    pub async fn start(client: AmiClient) -> Result<LiveTracker, AmiError> {
        LiveTracker::builder(client).start().await
    }

    /// The client it follows.
    pub fn client(&self) -> &AmiClient {
        &self.shared.client
    }

    /// Every change from now on. The stream never drops a change and never
    /// holds the tracker up (its queue grows while unread); it ends when the
    /// tracker stops.
    pub fn changes(&self) -> Changes {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inner = self.shared.lock();
        if !inner.stopped {
            inner.subscribers.push(tx);
        }
        Changes { rx }
    }

    /// Read the model under the tracker's lock (keep `f` short).
    pub fn with_model<R>(&self, f: impl FnOnce(&LiveModel) -> R) -> R {
        f(&self.shared.lock().model)
    }

    /// The calls up now.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.with_model(|m| m.calls().cloned().collect())
    }

    /// The last finished calls, oldest first.
    pub fn recent_calls(&self) -> Vec<CallRecord> {
        self.with_model(|m| m.recent_calls().cloned().collect())
    }

    /// A call up now or recently finished, by `Linkedid`.
    pub fn call_record(&self, linkedid: &str) -> Option<CallRecord> {
        self.with_model(|m| m.call(linkedid).cloned())
    }

    /// A channel by `Uniqueid`.
    pub fn channel(&self, uniqueid: &str) -> Option<Channel> {
        self.with_model(|m| m.channel(uniqueid).cloned())
    }

    /// The channels up now.
    pub fn channels(&self) -> Vec<Channel> {
        self.with_model(|m| m.channels().cloned().collect())
    }

    /// The bridges now.
    pub fn bridges(&self) -> Vec<Bridge> {
        self.with_model(|m| m.bridges().cloned().collect())
    }

    /// How many calls, channels and bridges.
    pub fn counts(&self) -> Counts {
        self.with_model(LiveModel::counts)
    }

    /// Whether the tracker has stopped (its client closed).
    pub fn is_stopped(&self) -> bool {
        self.shared.lock().stopped
    }
}

/// The changes of a [`LiveTracker`], from [`LiveTracker::changes`].
#[derive(Debug)]
pub struct Changes {
    rx: mpsc::UnboundedReceiver<Change>,
}

impl Stream for Changes {
    type Item = Change;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Change>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

/// Read what exists now: channels, bridges and (when asked) each bridge's members.
async fn fetch_snapshot(client: &AmiClient, members: bool) -> Result<ServerSnapshot, AmiError> {
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
async fn follow(shared: Arc<Shared>, mut events: EventStream<Event>, members: bool) {
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
