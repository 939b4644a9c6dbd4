//! What the event stream yields: [`WsItem`], and the [`FromAriMessage`] trait that
//! turns one WebSocket text message into the user's event type.

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// Decoding of one events-socket message into a typed value.
///
/// The generated `AriEvent` implements it with its lossless decoder, so a message
/// that does not fit its typed variant still arrives (as `Unknown`, raw JSON kept).
pub trait FromAriMessage: Sized {
    /// Decode one message. `Ok((value, None))` when it decoded cleanly;
    /// `Ok((value, Some(error)))` when only a lossless fallback was possible (the
    /// value keeps the raw JSON); `Err` when the bytes are not JSON at all.
    fn from_message(bytes: &[u8]) -> Result<(Self, Option<serde_json::Error>), serde_json::Error>;

    /// [`FromAriMessage::from_message`] for a text message, already checked to be
    /// UTF-8 by the WebSocket layer (implementations can skip checking again).
    fn from_text_message(
        text: &str,
    ) -> Result<(Self, Option<serde_json::Error>), serde_json::Error> {
        Self::from_message(text.as_bytes())
    }
}

impl FromAriMessage for serde_json::Value {
    fn from_message(bytes: &[u8]) -> Result<(Self, Option<serde_json::Error>), serde_json::Error> {
        serde_json::from_slice(bytes).map(|v| (v, None))
    }
}

/// One item of an [`AriEventStream`](super::AriEventStream).
#[derive(Debug)]
#[non_exhaustive]
pub enum WsItem<T> {
    /// A message, decoded cleanly.
    Event(T),
    /// A message whose typed decoding failed: `event` is the lossless fallback
    /// (for `AriEvent`, `Unknown` with the raw JSON); `error` says why.
    Undecoded {
        /// The message as the fallback value.
        event: T,
        /// Why the typed decoding failed.
        error: serde_json::Error,
    },
    /// A message that is not JSON; its exact bytes are kept.
    Invalid {
        /// The message as received.
        bytes: Bytes,
        /// The JSON error.
        error: serde_json::Error,
    },
    /// The socket dropped. Events Asterisk sent while disconnected are lost;
    /// REST requests in flight failed with `Disconnected`. A reconnecting client
    /// follows with [`WsItem::Reconnected`]; otherwise the stream ends.
    Disconnected {
        /// Why the connection ended.
        reason: String,
    },
    /// The client connected again after [`WsItem::Disconnected`]; the same
    /// applications are subscribed again.
    Reconnected,
}

impl<T> WsItem<T> {
    /// The message, decoded or as its lossless fallback; `None` for markers and
    /// non-JSON messages.
    pub fn into_event(self) -> Option<T> {
        match self {
            WsItem::Event(event) | WsItem::Undecoded { event, .. } => Some(event),
            _ => None,
        }
    }

    /// A reference to the message, as [`WsItem::into_event`].
    pub fn event(&self) -> Option<&T> {
        match self {
            WsItem::Event(event) | WsItem::Undecoded { event, .. } => Some(event),
            _ => None,
        }
    }

    pub(crate) fn decode(bytes: Bytes) -> Self
    where
        T: FromAriMessage,
    {
        match T::from_message(&bytes) {
            Ok((event, None)) => WsItem::Event(event),
            Ok((event, Some(error))) => WsItem::Undecoded { event, error },
            Err(error) => WsItem::Invalid { bytes, error },
        }
    }

    /// [`WsItem::decode`] for a text message.
    pub(crate) fn decode_text(text: Utf8Bytes) -> Self
    where
        T: FromAriMessage,
    {
        match T::from_text_message(text.as_str()) {
            Ok((event, None)) => WsItem::Event(event),
            Ok((event, Some(error))) => WsItem::Undecoded { event, error },
            Err(error) => WsItem::Invalid {
                bytes: Bytes::from(text),
                error,
            },
        }
    }
}

/// What a connection driver hands to the stream, before decoding.
#[derive(Debug)]
pub(crate) enum RawItem {
    /// A text message (UTF-8, checked by the WebSocket layer).
    Text(Utf8Bytes),
    /// A binary message (Asterisk sends none; decoded like text when it is JSON).
    Binary(Bytes),
    Disconnected(String),
    Reconnected,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_value_and_keeps_invalid_bytes() {
        let item = WsItem::<serde_json::Value>::decode(Bytes::from_static(b"{\"type\":\"X\"}"));
        assert_eq!(item.event().and_then(|v| v["type"].as_str()), Some("X"));
        match WsItem::<serde_json::Value>::decode(Bytes::from_static(b"not json")) {
            WsItem::Invalid { bytes, .. } => assert_eq!(&bytes[..], b"not json"),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn text_messages_decode_alike() {
        let item =
            WsItem::<serde_json::Value>::decode_text(Utf8Bytes::from_static("{\"type\":\"X\"}"));
        assert_eq!(item.event().and_then(|v| v["type"].as_str()), Some("X"));
        match WsItem::<serde_json::Value>::decode_text(Utf8Bytes::from_static("not json")) {
            WsItem::Invalid { bytes, .. } => assert_eq!(&bytes[..], b"not json"),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
