//! Call control on top of the [`LiveTracker`](super::LiveTracker): originate and
//! await, and a [`Call`] handle whose answer and end come from the tracker's
//! own model.

mod call;
mod originate;
mod watch;

pub use call::{Call, CallEnd, CallError, CallEventItem, CallEvents, DEFAULT_CALL_EVENT_CAPACITY};
pub(crate) use originate::PendingOriginate;
pub use originate::{OriginateError, OriginateReason};
pub(crate) use watch::{CallProgress, CallWatch};
