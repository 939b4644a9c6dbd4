//! [`LiveTracker`]: a [`LiveModel`] kept in sync with a running Asterisk over
//! an [`AmiClient`], with its changes as a stream and cheap snapshots.

use super::bridge::Bridge;
use super::call::CallRecord;
use super::change::ResyncReason;
use super::changes::{Changes, DEFAULT_CHANGE_CAPACITY};
use super::channel::Channel;
use super::control::DEFAULT_CALL_EVENT_CAPACITY;
use super::follow::{fetch_draining, follow};
use super::model::{
    Counts, DEFAULT_CALL_CHANNELS, DEFAULT_CHANNEL_VARIABLES, DEFAULT_HISTORY, LiveModel,
};
use super::shared::{Inner, Shared};
use crate::ami::{AmiClient, AmiError, Event};
use asterisk_sdk_runtime::clock::{Clock, SystemClock};
use asterisk_sdk_runtime::tasks::KeyedRouter;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// Settings of a [`LiveTracker`]; see [`LiveTracker::builder`].
#[derive(Debug)]
pub struct LiveTrackerBuilder {
    client: AmiClient,
    history: usize,
    call_channels: usize,
    channel_variables: usize,
    clock: Arc<dyn Clock>,
    bridge_members: bool,
    change_capacity: usize,
    call_event_capacity: usize,
}

impl LiveTrackerBuilder {
    /// Keep the last `calls` finished calls (default [`DEFAULT_HISTORY`]).
    pub fn history(mut self, calls: usize) -> Self {
        self.history = calls;
        self
    }

    /// Channels kept in each call's list ([`LiveModel::call_channels`]).
    pub fn call_channels(mut self, channels: usize) -> Self {
        self.call_channels = channels;
        self
    }

    /// Variable names kept per channel ([`LiveModel::channel_variables`]).
    pub fn channel_variables(mut self, names: usize) -> Self {
        self.channel_variables = names;
        self
    }

    /// Read "now" from `clock` for events without a `Timestamp` (default: the
    /// system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Ask `BridgeInfo` for each bridge's members at a resync (default off:
    /// members come from the `BridgeId` every `CoreShowChannel` carries, which
    /// says the same without one more list per bridge).
    pub fn bridge_members(mut self, on: bool) -> Self {
        self.bridge_members = on;
        self
    }

    /// How many changes a [`LiveTracker::changes`] subscriber may fall behind
    /// before it lags (default [`DEFAULT_CHANGE_CAPACITY`]; at least 1, rounded
    /// up to a power of two). The subscribers share one buffer of this many
    /// changes, so memory stays bounded however many there are and however
    /// slowly they read.
    pub fn change_capacity(mut self, changes: usize) -> Self {
        self.change_capacity = changes;
        self
    }

    /// How many unread events each [`Call::events`](super::Call::events)
    /// listener holds before it overflows (default
    /// [`DEFAULT_CALL_EVENT_CAPACITY`]; at least 1).
    pub fn call_event_capacity(mut self, events: usize) -> Self {
        self.call_event_capacity = events;
        self
    }

    /// Subscribe, take the first snapshot (`CoreShowChannels`, `BridgeList`,
    /// and `BridgeInfo` when asked), and start following the events. Fails
    /// when the first snapshot cannot be read.
    pub async fn start(self) -> Result<LiveTracker, AmiError> {
        let mut events = self.client.events::<Event>();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let (changes, _) = broadcast::channel(self.change_capacity.max(1));
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            inner: Mutex::new(Inner {
                model: LiveModel::with_clock(self.clock)
                    .history(self.history)
                    .call_channels(self.call_channels)
                    .channel_variables(self.channel_variables),
                changes: Some(changes),
                watches: HashMap::new(),
                originates: HashMap::new(),
                stopped: false,
            }),
            next_id: AtomicU64::new(1),
            id_prefix: format!("{:x}{:05x}", stamp.as_secs(), stamp.subsec_micros()),
            call_events: KeyedRouter::new(),
            call_event_capacity: self.call_event_capacity.max(1),
        });
        let (snapshot, meanwhile) = fetch_draining(&shared, &mut events, self.bridge_members).await;
        let snapshot = snapshot?;
        {
            let mut inner = shared.lock();
            let changes = inner.model.resync(&snapshot, ResyncReason::Start);
            inner.publish(changes);
            for event in meanwhile.events {
                inner.handle_event_before_snapshot(event);
            }
        }
        let task = tokio::spawn(follow(
            shared.clone(),
            events,
            self.bridge_members,
            meanwhile.gap,
        ));
        Ok(LiveTracker { shared, task })
    }
}

/// A live model of one Asterisk, kept in sync over AMI.
///
/// It reads the client's events through its own subscription (the socket
/// reader never waits for it). When that subscription reports a reconnect
/// ([`EventItem::Reconnected`](crate::ami::EventItem::Reconnected)) or lost events ([`EventItem::Lagged`](crate::ami::EventItem::Lagged), or
/// [`EventItem::Overflowed`](crate::ami::EventItem::Overflowed) with [`SlowSubscriberPolicy::Disconnect`](crate::ami::SlowSubscriberPolicy::Disconnect)),
/// the tracker rebuilds from Asterisk's lists and reports what changed in the
/// gap ([`EndReason::WhileDisconnected`](super::EndReason::WhileDisconnected),
/// no cause invented). Dropping the tracker stops it.
#[derive(Debug)]
pub struct LiveTracker {
    pub(crate) shared: Arc<Shared>,
    task: JoinHandle<()>,
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
            call_channels: DEFAULT_CALL_CHANNELS,
            channel_variables: DEFAULT_CHANNEL_VARIABLES,
            clock: Arc::new(SystemClock),
            bridge_members: false,
            change_capacity: DEFAULT_CHANGE_CAPACITY,
            call_event_capacity: DEFAULT_CALL_EVENT_CAPACITY,
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

    /// Every change from now on, as [`ChangeItem::Change`](super::ChangeItem::Change)s;
    /// the stream ends when the tracker stops.
    ///
    /// It is bounded and never holds the tracker up: a subscriber may fall
    /// behind by up to [`change_capacity`](LiveTrackerBuilder::change_capacity)
    /// changes (default [`DEFAULT_CHANGE_CAPACITY`]). Past that, its oldest
    /// unread changes are dropped for it, and it reads
    /// [`ChangeItem::Lagged(n)`](super::ChangeItem::Lagged) with the exact
    /// number `n` it missed, then the newest changes. Nothing is lost without
    /// that marker; after it, read the snapshots ([`calls`](Self::calls),
    /// [`channels`](Self::channels), [`bridges`](Self::bridges),
    /// [`counts`](Self::counts)) to catch up. Other subscribers are not
    /// affected.
    pub fn changes(&self) -> Changes {
        let inner = self.shared.lock();
        Changes::new(inner.changes.as_ref().map(broadcast::Sender::subscribe))
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
