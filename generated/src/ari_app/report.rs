//! What an [`App`](super::App) tells about its calls: [`AppReport`] (passed to
//! [`App::on_report`](super::App::on_report) and logged with `tracing`) and
//! the counters of [`AppStats`].

use std::sync::atomic::{AtomicUsize, Ordering};

/// How a call's handler ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// It returned `Ok`.
    Completed,
    /// It returned this error.
    Failed(String),
    /// It panicked with this message; only this call was affected.
    Panicked(String),
    /// It had not returned when its grace after `StasisEnd` (or an overflow)
    /// ran out, and was cancelled.
    GraceExpired,
    /// It had not returned by the shutdown deadline, and was cancelled.
    ShutDown,
}

/// Why a `StasisStart` got no handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// The app ran `max_calls` calls (and, with [`OverLimit::Wait`](super::OverLimit::Wait),
    /// the waiting line was full).
    OverLimit,
    /// The app was shutting down.
    ShuttingDown,
}

/// Something that happened to the app or one of its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppReport {
    /// A handler started for this channel.
    CallStarted {
        /// The channel id.
        channel_id: String,
    },
    /// The call waits for a free slot ([`OverLimit::Wait`](super::OverLimit::Wait));
    /// its events are kept meanwhile.
    CallWaiting {
        /// The channel id.
        channel_id: String,
    },
    /// The call got no handler and was hung up (reason `congestion`).
    CallRejected {
        /// The channel id.
        channel_id: String,
        /// Why.
        reason: RejectReason,
    },
    /// A waiting call ended (`StasisEnd`) before it got a slot.
    CallAbandoned {
        /// The channel id.
        channel_id: String,
    },
    /// The call's queue overflowed: its handler gets [`CallItem::Overflowed`](super::CallItem::Overflowed)
    /// and is given the end grace.
    CallOverflowed {
        /// The channel id.
        channel_id: String,
        /// The queue's capacity.
        capacity: usize,
    },
    /// A handler ended; its call's resources are being released.
    CallFinished {
        /// The channel id.
        channel_id: String,
        /// How it ended.
        outcome: CallOutcome,
    },
    /// Releasing a call's resources failed (hanging up its channel, destroying
    /// one of its bridges).
    CleanupFailed {
        /// The channel id.
        channel_id: String,
        /// What failed.
        error: String,
    },
    /// The events WebSocket dropped (running calls go on).
    Disconnected {
        /// Why.
        reason: String,
    },
    /// The events WebSocket is back.
    Reconnected,
    /// After a reconnection, this call's channel turned out to be gone (it
    /// ended during the gap); its stream ends with [`CallItem::ChannelGone`](super::CallItem::ChannelGone)
    /// and its handler gets the end grace.
    ChannelGone {
        /// The channel id.
        channel_id: String,
    },
    /// A message on the events WebSocket was not JSON (it concerns no call).
    InvalidMessage {
        /// The JSON error.
        error: String,
    },
}

/// Counters of an app (a snapshot: [`RunningApp::stats`](super::RunningApp::stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppStats {
    /// Handlers running now.
    pub running: usize,
    /// Calls waiting for a slot now.
    pub waiting: usize,
    /// Open event routes (one per running or waiting call); 0 when idle.
    pub routes: usize,
    /// Routing keys (a call's channel, bridges it owns); 0 when idle.
    pub route_keys: usize,
    /// Handlers started so far.
    pub started: usize,
    /// Handlers that returned `Ok`.
    pub completed: usize,
    /// Handlers that returned an error.
    pub failed: usize,
    /// Handlers that panicked.
    pub panicked: usize,
    /// Handlers cancelled (grace expired, or shutdown deadline).
    pub cancelled: usize,
    /// Calls rejected (over the limit, or during shutdown).
    pub rejected: usize,
    /// Calls whose queue overflowed.
    pub overflowed: usize,
}

/// The counters, updated by the dispatcher and read by anyone.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) running: AtomicUsize,
    pub(crate) waiting: AtomicUsize,
    pub(crate) started: AtomicUsize,
    pub(crate) completed: AtomicUsize,
    pub(crate) failed: AtomicUsize,
    pub(crate) panicked: AtomicUsize,
    pub(crate) cancelled: AtomicUsize,
    pub(crate) rejected: AtomicUsize,
    pub(crate) overflowed: AtomicUsize,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set(counter: &AtomicUsize, value: usize) {
        counter.store(value, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self, routes: usize, route_keys: usize) -> AppStats {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        AppStats {
            running: get(&self.running),
            waiting: get(&self.waiting),
            routes,
            route_keys,
            started: get(&self.started),
            completed: get(&self.completed),
            failed: get(&self.failed),
            panicked: get(&self.panicked),
            cancelled: get(&self.cancelled),
            rejected: get(&self.rejected),
            overflowed: get(&self.overflowed),
        }
    }
}
