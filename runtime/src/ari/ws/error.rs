//! Errors of the events WebSocket client and the outbound server.

/// Why connecting or accepting failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The settings cannot work (no application, bad URL).
    #[error("invalid ARI WebSocket settings: {0}")]
    InvalidConfig(String),
    /// Asterisk refused the credentials (HTTP 401).
    #[error("ARI refused the credentials (HTTP 401)")]
    Unauthorized,
    /// The upgrade was answered with another HTTP status.
    #[error("ARI answered the WebSocket upgrade with HTTP {status}")]
    Http {
        /// The status code.
        status: u16,
    },
    /// No connection within the connect timeout.
    #[error("ARI WebSocket connection timed out")]
    Timeout,
    /// The TLS handshake failed (e.g. a certificate that is not trusted).
    #[error("TLS handshake with ARI at {addr} failed: {source}")]
    Tls {
        /// `host:port`.
        addr: String,
        /// The cause; its inner error is the `rustls::Error`.
        #[source]
        source: std::io::Error,
    },
    /// The TCP connection or the WebSocket handshake failed.
    #[error("ARI WebSocket connection failed: {0}")]
    Connect(String),
    /// The outbound server stopped accepting.
    #[error("the outbound WebSocket server is closed")]
    Closed,
}

impl From<tokio_tungstenite::tungstenite::Error> for WsError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::Error;
        match e {
            Error::Http(response) if response.status().as_u16() == 401 => WsError::Unauthorized,
            Error::Http(response) => WsError::Http {
                status: response.status().as_u16(),
            },
            Error::Url(u) => WsError::InvalidConfig(u.to_string()),
            other => WsError::Connect(other.to_string()),
        }
    }
}
