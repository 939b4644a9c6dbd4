//! Live call state over AMI: a model of channels, bridges and calls built from
//! the typed events, a tracker that keeps it in sync with a running Asterisk,
//! and call control on top.
//!
//! - [`LiveModel`] is a pure state machine: [`LiveModel::apply`] takes one
//!   typed [`Event`](crate::ami::Event) and returns the [`Change`]s it made, so a
//!   capture ([`decode_capture`]) replays through the same code as a live client.
//!   [`LiveModel::resync`] aligns it with Asterisk's lists after a gap.
//! - [`LiveTracker`] runs a model over an [`AmiClient`](crate::ami::AmiClient):
//!   it subscribes to the events, rebuilds from `CoreShowChannels` and
//!   `BridgeList` (and `BridgeInfo` when asked) at start, after every reconnect
//!   and after any lost event, publishes the changes as a stream (bounded per
//!   subscriber: one that falls behind gets [`ChangeItem::Lagged`] with the
//!   exact count it missed) and answers snapshots.
//! - [`LiveTracker::originate`] places a call and returns a [`Call`] handle:
//!   await its answer and end, read its events, act on it.
//!
//! ```no_run
//! use asterisk_sdk::ami::{AmiClient, actions::Originate};
//! use asterisk_sdk::live::{Change, ChangeItem, LiveTracker};
//! use futures::StreamExt;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = AmiClient::builder()
//!     .host("127.0.0.1")
//!     .credentials("admin", "amp111")
//!     .connect()
//!     .await?;
//! let tracker = LiveTracker::start(client).await?;
//! let mut changes = tracker.changes();
//!
//! let call = tracker
//!     .originate(Originate::new("PJSIP/100").application("Playback").data("hello-world"))
//!     .await?;
//! call.answered().await?;
//! let end = call.ended().await?;
//! println!("{} ended: {:?} after {:?}", call.linkedid(), end.cause, end.duration);
//!
//! while let Some(item) = changes.next().await {
//!     match item {
//!         ChangeItem::Change(Change::CallEnded { linkedid, cause, duration, .. }) => {
//!             println!("{linkedid}: {cause:?} after {duration:?}");
//!         }
//!         // Fell behind: `n` changes were missed; the snapshots are current.
//!         ChangeItem::Lagged(n) => println!("missed {n}; {:?}", tracker.counts()),
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`Call`] and [`CallError`] here are calls placed and tracked over AMI.
#![cfg_attr(
    feature = "ari",
    doc = "A call of a Stasis application over ARI is [`ari_app::Call`](crate::ari_app::Call) \
           (with [`ari_app::CallError`](crate::ari_app::CallError))."
)]
#![cfg_attr(
    not(feature = "ari"),
    doc = "A call of a Stasis application over ARI is `ari_app::Call` (feature `ari`)."
)]

mod bridge;
mod call;
mod change;
mod changes;
mod channel;
mod control;
mod fields;
mod follow;
mod model;
mod replay;
mod resync;
mod shared;
mod tracker;

pub use bridge::Bridge;
pub use call::{CallChannel, CallRecord};
pub use change::{Change, EndReason, Origin, ResyncReason};
pub use changes::{ChangeItem, Changes, DEFAULT_CHANGE_CAPACITY};
pub use channel::Channel;
pub use control::{
    Call, CallEnd, CallError, CallEventItem, CallEvents, DEFAULT_CALL_EVENT_CAPACITY,
    OriginateError, OriginateReason,
};
pub use model::{
    Counts, DEFAULT_CALL_CHANNELS, DEFAULT_CHANNEL_VARIABLES, DEFAULT_HISTORY, LiveModel,
};
pub use replay::{Capture, decode_capture};
pub use resync::{ServerSnapshot, SnapshotBridge, SnapshotChannel};
pub use tracker::{LiveTracker, LiveTrackerBuilder};
