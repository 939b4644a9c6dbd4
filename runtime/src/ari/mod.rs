//! ARI support types used by the generated ARI models and events.
//!
//! - [`AriTransport`]: what generated operations are written against (HTTP or
//!   REST over the WebSocket).
//! - [`AriHttp`]: the HTTP transport (reqwest, Basic auth; rustls with the
//!   `ari-tls` feature).
//! - [`AriError`]: why an operation failed (transport, typed error status, decoding);
//!   [`call`] and [`encode`] hold the helpers generated operations use; [`de`]
//!   the map decoding of the generated models; [`by_type`] the decoding of the
//!   generated `AriEvent` by its `type`.
//! - [`Timestamp`]: the `Date` type of the ARI models, kept with its offset.
//! - [`OperationInfo`] and [`ParamInfo`]: the types of the generated route catalog.

pub mod by_type;
pub mod call;
pub mod catalog;
pub mod de;
pub mod encode;
pub mod error;
pub mod http;
pub mod timestamp;
pub mod transport;
pub mod ws;

pub use catalog::{OperationInfo, ParamInfo};
pub use error::{ApiError, AriError, ErrorKind};
pub use http::{AriHttp, AriHttpBuilder};
pub use timestamp::{Timestamp, TimestampError};
pub use transport::{AriRequest, AriResponse, AriTransport, TransportError, TransportFuture};

/// The reqwest crate [`AriHttp`] uses; build a client with it to pass one of
/// your own to [`AriHttpBuilder::http_client`].
pub use reqwest;
