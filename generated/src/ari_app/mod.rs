//! A per-call framework for Stasis applications over ARI (REST and the events
//! WebSocket): [`App::run`] starts one
//! handler task per `StasisStart`, each with a [`Call`] that sees only its own
//! channel's events, with a concurrency limit, panic isolation, bounded queues
//! and graceful shutdown; [`Call`] has helpers for playbacks
//! ([`Call::play`] … [`Playing::await_finished`]), DTMF
//! ([`Call::collect_dtmf`]) and bridges ([`Call::create_bridge`]).
//!
//! Written by hand (not generated): it names the generated events
//! (`StasisStart`, `PlaybackFinished`, …) on top of the runtime's generic
//! routing and supervision (`asterisk_sdk_runtime::tasks`). See [`App`] for
//! how calls, panics, slow handlers, reconnection and shutdown behave.
//!
//! Its [`Call`] and [`CallError`] are a call of a Stasis application over ARI.
#![cfg_attr(
    feature = "ami",
    doc = "Calls placed and tracked over AMI are [`live::Call`](crate::live::Call) \
           (with [`live::CallError`](crate::live::CallError))."
)]
#![cfg_attr(
    not(feature = "ami"),
    doc = "Calls placed and tracked over AMI are `live::Call` (feature `ami`)."
)]

mod app;
mod bridge;
mod call;
mod dispatch;
mod dtmf;
mod playback;
mod report;
mod router;

pub use app::{AfterHandler, App, AppError, OverLimit, RunningApp};
pub use bridge::CallBridge;
pub use call::{Call, CallError, CallItem};
pub use dtmf::{Digits, DigitsEnd};
pub use playback::{Play, PlaybackOutcome, Playing};
pub use report::{AppReport, AppStats, CallOutcome, RejectReason};
