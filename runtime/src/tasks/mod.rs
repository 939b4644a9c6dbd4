//! Generic machinery to run one task per key (a call, a session) fed from one
//! shared reader: [`KeyedRouter`] routes items by key to bounded per-route
//! queues without ever making the reader wait, and [`Supervisor`] runs the
//! tasks with a concurrency limit, panic isolation, a bounded grace once a
//! task's input has ended, and cancellation for shutdown.
//!
//! Nothing here knows a protocol: the caller says which keys an item concerns
//! and what a task does. The ARI application framework of the `asterisk-sdk`
//! crate (`ari_app`) is built on it.

mod deadline;
mod router;
mod supervisor;

pub use deadline::deadline_after;

pub use router::{Dispatched, KeyedRouter, RouteEnd, RouteId, RouteReceiver};
pub use supervisor::{CancelReason, Finished, Permit, Supervisor, TaskOutcome};
