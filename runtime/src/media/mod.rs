//! Media over WebSocket with chan_websocket (ARI `externalMedia` with
//! `transport=websocket`, or `Dial(WebSocket/…)`): BINARY frames carry audio
//! in the channel's codec, TEXT frames carry control messages.
//!
//! - [`wire`]: the control messages' two syntaxes (plain text, JSON), used by
//!   the generated `MediaCommand` / `MediaEvent`;
//! - [`ProtocolCommand`] / [`ProtocolEvent`]: what the session needs from those
//!   types (marks, flush, hang-up; start, XOFF/XON, mark processed);
//! - [`MediaSession`]: one connection after its `MEDIA_START`: audio in any
//!   length re-framed to the optimal frame size, XOFF/XON respected (waits;
//!   frames already in flight at an XOFF are not covered, see its docs),
//!   marks, flush, events, typed end;
//! - [`connect`] (Asterisk as server: `ws[s]://host:port/media/<connection id>`)
//!   and [`MediaServer`] (Asterisk as client, from `websocket_client.conf`).

mod client;
mod error;
mod protocol;
mod reframe;
mod server;
mod session;
pub mod wire;

pub use client::{connect, media_url};
pub use error::{EndReason, MalformedMessage, MediaError};
pub use protocol::{MediaFormat, ProtocolCommand, ProtocolEvent, Signal, StartInfo};
pub use server::{Accepted, MediaServer, MediaServerOptions};
pub use session::{
    AudioStream, MAX_SEND_QUEUE, MediaEvents, MediaItem, MediaOptions, MediaSession, MediaStats,
    PendingMark,
};
