//! [`Change`]: what one event (or one resync) changed in the live model.

use crate::ami::Text;
use crate::domain::{ChannelState, HangupCause};
use std::time::{Duration, SystemTime};

/// How the model learned of a channel, bridge or call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// From its events (`Newchannel`, `BridgeCreate`).
    Event,
    /// Found by a resync (`CoreShowChannels`, `BridgeList`): it existed before
    /// the model could see its events.
    Resync,
}

/// Why the model dropped a channel, bridge or call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// Its own events said so (`Hangup`, `BridgeDestroy`).
    Event,
    /// A resync after a reconnect found it gone: it ended while the client was
    /// disconnected, so its cause is unknown.
    WhileDisconnected,
    /// A resync after events were lost (a subscriber that fell behind) found it
    /// gone; its cause is unknown.
    WhileEventsLost,
    /// A call whose channels all moved to another call: Asterisk gave them an
    /// older call's `Linkedid` (it does so for the channels of a basic bridge,
    /// `ast_bridge_channel_update_linkedids()` in main/bridge_channel.c). The
    /// call goes on under that `Linkedid` (`merged_into` of
    /// [`Change::CallEnded`]).
    Merged,
}

/// Why the model resynchronised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResyncReason {
    /// The tracker started.
    Start,
    /// The client reconnected.
    Reconnected,
    /// Events were lost (the subscription lagged or overflowed).
    EventsLost,
}

impl ResyncReason {
    /// What a channel or call found gone by this resync ended with.
    pub fn end_reason(self) -> EndReason {
        match self {
            ResyncReason::Start | ResyncReason::Reconnected => EndReason::WhileDisconnected,
            ResyncReason::EventsLost => EndReason::WhileEventsLost,
        }
    }
}

/// One change of the live model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// A call's first channel appeared.
    CallStarted {
        /// The call's `Linkedid`.
        linkedid: Text,
        /// When it started.
        at: SystemTime,
        /// Seen starting, or found by a resync.
        origin: Origin,
    },
    /// A call's first channel went `Up`.
    CallAnswered {
        /// The call's `Linkedid`.
        linkedid: Text,
        /// When.
        at: SystemTime,
    },
    /// A call's last channel is gone.
    CallEnded {
        /// The call's `Linkedid`.
        linkedid: Text,
        /// Cause of its first hangup; `None` when no hangup was seen.
        cause: Option<HangupCause>,
        /// Asterisk's text of the cause.
        cause_text: Option<Text>,
        /// From start to end.
        duration: Duration,
        /// From answer to end; `None` when never answered.
        talk_time: Option<Duration>,
        /// Names of the channels of the call its record kept (the first and
        /// the latest, see [`CallRecord::channels`](super::CallRecord::channels)).
        channels: Vec<Text>,
        /// How many channels the call had in all.
        channel_count: u64,
        /// How the end was learned.
        reason: EndReason,
        /// For [`EndReason::Merged`]: the `Linkedid` of the call its channels
        /// moved to, which goes on.
        merged_into: Option<Text>,
    },
    /// A channel appeared.
    ChannelCreated {
        /// Its `Uniqueid`.
        uniqueid: Text,
        /// Its name.
        name: Text,
        /// Its call.
        linkedid: Text,
        /// Seen created, or found by a resync.
        origin: Origin,
    },
    /// A channel's state changed.
    ChannelStateChanged {
        /// Its `Uniqueid`.
        uniqueid: Text,
        /// The state before.
        from: ChannelState,
        /// The state now.
        to: ChannelState,
    },
    /// A channel moved to another call (its `Linkedid` changed).
    ChannelMoved {
        /// Its `Uniqueid`.
        uniqueid: Text,
        /// The call it left.
        from: Text,
        /// The call it joined.
        to: Text,
    },
    /// A channel was renamed.
    ChannelRenamed {
        /// Its `Uniqueid`.
        uniqueid: Text,
        /// The new name.
        name: Text,
    },
    /// A channel is gone.
    ChannelGone {
        /// Its `Uniqueid`.
        uniqueid: Text,
        /// Its name.
        name: Text,
        /// Its hangup cause; `None` when its `Hangup` was not seen.
        cause: Option<HangupCause>,
        /// How its end was learned.
        reason: EndReason,
    },
    /// A bridge appeared.
    BridgeCreated {
        /// Its `BridgeUniqueid`.
        id: Text,
        /// Seen created, or found by a resync.
        origin: Origin,
    },
    /// A channel entered a bridge.
    BridgeEntered {
        /// The bridge.
        bridge: Text,
        /// The channel's `Uniqueid`.
        uniqueid: Text,
    },
    /// A channel left a bridge.
    BridgeLeft {
        /// The bridge.
        bridge: Text,
        /// The channel's `Uniqueid`.
        uniqueid: Text,
    },
    /// A bridge is gone.
    BridgeDestroyed {
        /// Its `BridgeUniqueid`.
        id: Text,
        /// How its end was learned.
        reason: EndReason,
    },
    /// The model was rebuilt from Asterisk's lists; the changes it found come
    /// just before this one.
    Resynced {
        /// Why.
        reason: ResyncReason,
        /// Channels now.
        channels: usize,
        /// Bridges now.
        bridges: usize,
    },
}

impl Change {
    /// The `Linkedid` of the call this change is about, when it names one.
    pub fn linkedid(&self) -> Option<&Text> {
        match self {
            Change::CallStarted { linkedid, .. }
            | Change::CallAnswered { linkedid, .. }
            | Change::CallEnded { linkedid, .. }
            | Change::ChannelCreated { linkedid, .. } => Some(linkedid),
            _ => None,
        }
    }
}
