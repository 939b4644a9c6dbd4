//! [`ConnectionState`]: where the client's connection stands, and
//! [`CloseReason`], why a closed client closed.

/// The state of the client's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Opening the first connection.
    Connecting,
    /// Logged in; actions can be sent.
    Connected,
    /// The connection was lost; reconnect attempt number `attempt` (from 1) is
    /// pending or running.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
    },
    /// Closed for good.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

impl ConnectionState {
    /// Whether the client is closed for good (whatever the reason).
    pub fn is_closed(&self) -> bool {
        matches!(self, ConnectionState::Closed { .. })
    }
}

/// Why a client closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// [`AmiClient::disconnect`](super::AmiClient::disconnect) was called.
    DisconnectCalled,
    /// The connection was lost and the [`ReconnectPolicy`](super::ReconnectPolicy)
    /// gave up (or does not reconnect).
    ReconnectGaveUp,
    /// Asterisk refused the login when reconnecting (credentials changed).
    AuthFailedOnReconnect,
    /// Every [`AmiClient`](super::AmiClient) handle was dropped.
    AllHandlesDropped,
}
