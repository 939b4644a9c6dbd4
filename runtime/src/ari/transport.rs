//! The contract between generated ARI operations and the transports that carry
//! them: an operation becomes an [`AriRequest`]; a transport (HTTP, or REST over
//! the events WebSocket) answers with an [`AriResponse`].

use std::future::Future;
use std::pin::Pin;

/// One ARI REST request, transport-neutral.
#[derive(Debug, Clone, PartialEq)]
pub struct AriRequest {
    /// HTTP method, upper case (`GET`, `POST`, `PUT`, `DELETE`).
    pub method: &'static str,
    /// Path below the ARI root, already percent-encoded, starting with `/`
    /// (e.g. `/channels/1795727861.9/play`), without `/ari`.
    pub path: String,
    /// Query parameters in order (values not yet encoded; the transport encodes).
    pub query: Vec<(String, String)>,
    /// JSON body (`variables` and other `body` parameters), if any.
    pub body: Option<serde_json::Value>,
}

impl AriRequest {
    /// A request without query or body.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        AriRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Add a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }
}

/// One ARI REST response, transport-neutral.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AriResponse {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type`, when known.
    pub content_type: Option<String>,
    /// The body bytes (JSON for most operations; raw audio for a stored recording's file).
    pub body: Vec<u8>,
}

impl AriResponse {
    /// A response with this status, `Content-Type` (when known) and body: what a
    /// custom [`AriTransport`] returns.
    pub fn new(status: u16, content_type: Option<String>, body: impl Into<Vec<u8>>) -> Self {
        AriResponse {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// A boxed future returned by [`AriTransport::send`].
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AriResponse, TransportError>> + Send + 'a>>;

/// Something that carries ARI requests: the HTTP client, or REST over the events
/// WebSocket. Generated operations are written against this trait only.
pub trait AriTransport: Send + Sync {
    /// Send one request and wait for its response.
    fn send(&self, request: AriRequest) -> TransportFuture<'_>;
}

/// A request that did not get a response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Connecting or talking to Asterisk failed.
    #[error("ARI connection failed: {0}")]
    Connection(String),
    /// The TLS handshake failed (e.g. a certificate that is not trusted).
    #[error("ARI TLS handshake failed: {0}")]
    Tls(String),
    /// No response within the configured timeout.
    #[error("ARI request timed out")]
    Timeout,
    /// The WebSocket carrying REST requests is closed.
    #[error("ARI WebSocket is disconnected")]
    Disconnected,
    /// The request could not be built (e.g. a body that does not serialize).
    #[error("invalid ARI request: {0}")]
    InvalidRequest(String),
}
