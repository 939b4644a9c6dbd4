//! The byte stream under a client connection: plain TCP or TLS, boxed.

use tokio::io::{AsyncRead, AsyncWrite};

/// A bidirectional byte stream (TCP or TLS).
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed connection.
pub(crate) type BoxIo = Box<dyn Io>;
