//! Errors of media sessions and why a session ended.

use super::wire::{MediaDecodeError, MediaEncodeError};
use crate::ari::ws::WsError;

/// Why a media session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// Asterisk closed the WebSocket: the channel was hung up (by the call, by
    /// ARI, or after our `HANGUP` command). `code` is the close code Asterisk
    /// sent (its hang-up's technology cause, 1000 when none).
    Hangup {
        /// The WebSocket close code, if the close frame had one.
        code: Option<u16>,
        /// The close reason text.
        reason: String,
    },
    /// We closed the WebSocket ([`MediaSession::close`](super::MediaSession::close)
    /// or dropping the session); Asterisk hangs the channel up.
    Closed,
    /// The connection broke without a close frame.
    Lost(String),
    /// A write to the socket did not finish within
    /// [`MediaOptions::write_timeout`](super::MediaOptions::write_timeout):
    /// the peer keeps the connection open but stopped reading. The session
    /// dropped the connection.
    WriteTimeout(std::time::Duration),
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndReason::Hangup {
                code: Some(code),
                reason,
            } if !reason.is_empty() => {
                write!(f, "hung up by Asterisk (close code {code}: {reason})")
            }
            EndReason::Hangup {
                code: Some(code), ..
            } => {
                write!(f, "hung up by Asterisk (close code {code})")
            }
            EndReason::Hangup { code: None, .. } => f.write_str("hung up by Asterisk"),
            EndReason::Closed => f.write_str("closed by the application"),
            EndReason::Lost(why) => write!(f, "connection lost: {why}"),
            EndReason::WriteTimeout(after) => {
                write!(
                    f,
                    "connection lost: a write did not finish within {after:?}"
                )
            }
        }
    }
}

/// What can go wrong with a media session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The settings cannot work (a bad URL).
    #[error("invalid media settings: {0}")]
    InvalidConfig(String),
    /// Connecting to the media URL failed.
    #[error("media WebSocket {url}: {source}")]
    Connect {
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: WsError,
    },
    /// The connection did not start with a valid `MEDIA_START`.
    #[error("media connection did not start: {0}")]
    Handshake(String),
    /// A command could not be encoded (e.g. JSON-only in plain text, too long).
    #[error(transparent)]
    Encode(#[from] MediaEncodeError),
    /// The server's release line lacks the command (see
    /// [`MediaOptions::server_version`](super::MediaOptions::server_version));
    /// it was not sent.
    #[error(transparent)]
    Unsupported(#[from] crate::version::Unsupported),
    /// The session ended.
    #[error("media session ended: {0}")]
    Ended(EndReason),
    /// The command cannot work on this connection: in passthrough mode
    /// (refused here, not sent), or Asterisk answered it with an `ERROR`
    /// event (e.g. `MARK_MEDIA` while the media direction is `in`).
    #[error("{command} refused: {reason}")]
    Refused {
        /// The command name.
        command: String,
        /// Why (Asterisk's error text, or "not supported in passthrough mode").
        reason: String,
    },
    /// A `flush` discarded this audio or mark before Asterisk played it.
    #[error("discarded by a flush")]
    Flushed,
    /// The server stopped accepting.
    #[error("the media server is closed")]
    ServerClosed,
}

/// A control message from Asterisk that could not be read; the session goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed control message {text:?}: {error}")]
pub struct MalformedMessage {
    /// The message as received.
    pub text: String,
    /// What is wrong with it.
    pub error: MediaDecodeError,
}
