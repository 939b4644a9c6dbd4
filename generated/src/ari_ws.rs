//! The ARI events WebSocket with typed events: [`connect`] yields
//! [`WsItem<AriEvent>`] items and a [`WsTransport`] for REST over the socket;
//! [`OutboundServer`] accepts Asterisk's outbound WebSockets.
//!
//! Written by hand (not generated): it only ties the runtime's generic
//! WebSocket client to the generated [`AriEvent`].

use crate::ari::AriEvent;
pub use asterisk_sdk_runtime::ari::ws::{
    Credentials, FromAriMessage, OutboundConnection, OutboundOptions, OutboundServer,
    ReconnectPolicy, WsConfig, WsError, WsItem, WsTransport, split_app_name,
};

/// The typed event stream of one events WebSocket session.
pub type EventStream = asterisk_sdk_runtime::ari::ws::AriEventStream<AriEvent>;

/// One item of an [`EventStream`].
pub type Item = WsItem<AriEvent>;

impl FromAriMessage for AriEvent {
    fn from_message(bytes: &[u8]) -> Result<(Self, Option<serde_json::Error>), serde_json::Error> {
        AriEvent::from_slice_lossless(bytes)
    }

    fn from_text_message(
        text: &str,
    ) -> Result<(Self, Option<serde_json::Error>), serde_json::Error> {
        AriEvent::from_text_lossless(text)
    }
}

/// Connect to `GET /ari/events` with typed events (see
/// [`asterisk_sdk_runtime::ari::ws::connect`]).
pub async fn connect(config: WsConfig) -> Result<(WsTransport, EventStream), WsError> {
    asterisk_sdk_runtime::ari::ws::connect(config).await
}
