//! Opening the byte stream to Asterisk: TCP, optionally wrapped in TLS.

use super::AmiError;
use super::config::Config;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A bidirectional byte stream (TCP or TLS).
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed connection.
pub(crate) type BoxIo = Box<dyn Io>;

/// Open the connection within the connect timeout.
pub(crate) async fn open(cfg: &Config) -> Result<BoxIo, AmiError> {
    let addr = cfg.addr();
    match tokio::time::timeout(cfg.connect_timeout, open_inner(cfg, &addr)).await {
        Ok(r) => r,
        Err(_) => Err(AmiError::ConnectTimeout {
            addr,
            after: cfg.connect_timeout,
        }),
    }
}

async fn open_inner(cfg: &Config, addr: &str) -> Result<BoxIo, AmiError> {
    let tcp = TcpStream::connect((cfg.host.as_str(), cfg.port()))
        .await
        .map_err(|source| AmiError::Connect {
            addr: addr.to_string(),
            source,
        })?;
    // Actions are small; do not let Nagle delay them.
    let _ = tcp.set_nodelay(true);
    #[cfg(feature = "tls")]
    if let Some(tls) = &cfg.tls {
        use tokio_rustls::rustls::pki_types::ServerName;
        let name = cfg
            .tls_server_name
            .clone()
            .unwrap_or_else(|| cfg.host.clone());
        let server_name =
            ServerName::try_from(name.clone()).map_err(|_| AmiError::InvalidServerName(name))?;
        let connector = tokio_rustls::TlsConnector::from(tls.config.clone());
        let stream = connector
            .connect(server_name, tcp)
            .await
            .map_err(|source| AmiError::Tls {
                addr: addr.to_string(),
                source,
            })?;
        return Ok(Box::new(stream));
    }
    Ok(Box::new(tcp))
}
