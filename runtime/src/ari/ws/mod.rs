//! The ARI events WebSocket: the client (`GET /ari/events`, reconnecting), REST
//! over that socket ([`WsTransport`]), and the server that accepts Asterisk's
//! outbound WebSockets (Asterisk connects to the app; configured with
//! `websocket_client.conf`, documented since 20.15.0, 21.10.0, 22.5.0).
//!
//! The runtime cannot name the generated event type, so the event stream is
//! generic: [`AriEventStream<T>`] yields [`WsItem<T>`] for any
//! `T: `[`FromAriMessage`]. The generated crate implements [`FromAriMessage`] for
//! its `AriEvent` (lossless decoding); `serde_json::Value` works too.
//!
//! - [`connect`]: connect to `ws://host:port/ari/events?app=…&subscribeAll=…` with
//!   Basic auth in the upgrade request (`wss://` with the `ari-tls` feature);
//!   reconnects with exponential backoff and jitter, yielding
//!   [`WsItem::Disconnected`] then [`WsItem::Reconnected`].
//! - [`WsTransport`]: an [`AriTransport`](super::AriTransport) that sends
//!   `RESTRequest` messages on the socket and matches `RESTResponse`s by
//!   `request_id`. Matched responses never reach the event stream.
//! - [`OutboundServer`]: accepts WebSocket connections from Asterisk (optional
//!   Basic auth check); each one yields an event stream and a [`WsTransport`].

mod backoff;
pub mod basic;
mod client;
pub(crate) mod config;
pub(crate) mod dial;
mod driver;
mod error;
mod item;
mod outbound;
mod pending;
mod rest;
mod stream;
mod transport;
pub(crate) mod upgrade;

pub use backoff::ReconnectPolicy;
pub use client::connect;
pub use config::{Credentials, WsConfig};
pub use error::WsError;
pub use item::{FromAriMessage, WsItem};
pub use outbound::{OutboundConnection, OutboundOptions, OutboundServer, split_app_name};
pub use stream::AriEventStream;
pub use transport::WsTransport;
