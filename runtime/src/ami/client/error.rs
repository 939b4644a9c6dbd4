//! [`AmiError`]: everything that can go wrong on the client.

use super::super::action::InvalidHeader;
use super::super::response::Response;
use std::time::Duration;

/// An error of the AMI client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AmiError {
    /// The TCP connection could not be opened.
    #[error("cannot connect to AMI at {addr}: {source}")]
    Connect {
        /// `host:port`.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Opening the connection (TCP, and TLS when enabled) took too long.
    #[error("connecting to AMI at {addr} timed out after {after:?}")]
    ConnectTimeout {
        /// `host:port`.
        addr: String,
        /// The configured connect timeout.
        after: Duration,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {addr} failed: {source}")]
    Tls {
        /// `host:port`.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The TLS trust settings could not be turned into a rustls configuration.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[error(transparent)]
    TlsConfig(crate::tls::TlsError),
    /// The host is not a valid TLS server name.
    #[error("invalid TLS server name {0:?}")]
    InvalidServerName(String),
    /// Asterisk rejected the credentials (or MD5 was required and refused).
    #[error("AMI authentication failed: {message}")]
    Auth {
        /// Asterisk's `Message:` (e.g. `Authentication failed`).
        message: String,
    },
    /// A session setting (`Filter`) applied after login was rejected.
    #[error("AMI session setup failed: {0}")]
    Setup(String),
    /// The action was not sent: the connection was lost before the action was
    /// handed to the socket, or the client is between connections (reconnecting).
    /// A retry cannot duplicate it.
    #[error("the AMI connection is lost")]
    Disconnected,
    /// The connection was lost after the action was handed to the socket and
    /// before its answer (or the end of its list) arrived: Asterisk may or may not
    /// have run it, so a retry may duplicate it (e.g. place a second call).
    #[error("the AMI connection was lost after action {action} was sent; its outcome is unknown")]
    OutcomeUnknown {
        /// The action name.
        action: String,
    },
    /// The client was closed ([`AmiClient::disconnect`](super::AmiClient::disconnect),
    /// or the reconnect policy gave up).
    #[error("the AMI client is closed")]
    Closed,
    /// No answer within the per-action timeout.
    #[error("no answer to AMI action {action} within {after:?}")]
    Timeout {
        /// The action name.
        action: String,
        /// The configured timeout.
        after: Duration,
    },
    /// A header would break the framing.
    #[error(transparent)]
    InvalidHeader(#[from] InvalidHeader),
    /// The action's own `ActionID` is already used by an action in flight.
    #[error("ActionID {0:?} is already used by an action in flight")]
    DuplicateActionId(String),
    /// Asterisk answered `Response: Error` where a result was needed (list actions,
    /// [`Response::into_result`](super::super::Response::into_result)).
    #[error("AMI action {action} failed: {message}")]
    ActionFailed {
        /// The action name (`(unknown)` for a response decoded by hand without
        /// [`Response::with_action`](super::super::Response::with_action)).
        action: String,
        /// Asterisk's `Message:` (empty when absent).
        message: String,
        /// The whole answer.
        response: Box<Response>,
    },
    /// Asterisk answers this action without any `Response:` (see
    /// [`Action::no_response`](super::super::Action::no_response)), so there is
    /// nothing to wait for; it was not sent.
    #[error("AMI action {action} gets no response from Asterisk: {reason}")]
    NoResponse {
        /// The action name.
        action: String,
        /// Why, and what to use instead.
        reason: &'static str,
    },
    /// A list whose completion event announced another number of items
    /// (`ListItems`) than arrived, from
    /// [`ListResponse::into_checked`](super::ListResponse::into_checked).
    #[error("AMI list {action}: the completion announced {announced} items, {received} arrived")]
    ListCountMismatch {
        /// The action name.
        action: String,
        /// `ListItems` of the completion event.
        announced: u64,
        /// Events of the list that arrived before its completion.
        received: u64,
    },
    /// An I/O error on an established connection.
    #[error("AMI I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server's release line lacks the action: refused before it was sent
    /// (see [`AmiClientBuilder::version_check`](super::AmiClientBuilder::version_check)).
    #[error(transparent)]
    Unsupported(#[from] crate::version::Unsupported),
}

impl Response {
    /// `Ok(self)` when successful, [`AmiError::ActionFailed`] for `Response: Error`
    /// (or any status other than Success/Follows/Goodbye). The error names the
    /// action when the response knows it ([`Response::action`]: every response
    /// the client returns does).
    pub fn into_result(self) -> Result<Response, AmiError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.into_failure())
        }
    }

    /// This response as an [`AmiError::ActionFailed`].
    pub(crate) fn into_failure(self) -> AmiError {
        AmiError::ActionFailed {
            action: self.action().unwrap_or("(unknown)").to_string(),
            message: self.message.as_deref().unwrap_or("").to_string(),
            response: Box::new(self),
        }
    }
}
