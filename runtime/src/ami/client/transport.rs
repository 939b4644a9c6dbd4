//! Opening the byte stream to Asterisk: TCP, optionally wrapped in TLS.

use super::AmiError;
use super::config::Config;
pub(crate) use crate::io::BoxIo;
use tokio::net::TcpStream;

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
        let name = cfg.tls_server_name.as_deref().unwrap_or(&cfg.host);
        let server_name = crate::tls::server_name(name)
            .ok_or_else(|| AmiError::InvalidServerName(name.to_string()))?;
        let connector = tokio_rustls::TlsConnector::from(tls.client.clone());
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
