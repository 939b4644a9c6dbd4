//! Opening one client WebSocket to Asterisk's HTTP server: TCP, TLS for
//! `wss://` (feature `ari-tls`), then the upgrade (with Basic auth when
//! given), all within the connect timeout. The events
//! WebSocket and the media WebSocket (`crate::media`) both open theirs here.

use super::config::WsConfig;
use super::error::WsError;
use crate::io::BoxIo;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Uri};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A connected client WebSocket.
pub(crate) type Socket = WebSocketStream<BoxIo>;

/// Everything needed to open the socket again, checked once. No `Debug`: it
/// holds the credentials.
pub(crate) struct Dialer {
    url: String,
    authorization: Option<HeaderValue>,
    host: String,
    port: u16,
    timeout: Duration,
    /// Limits of the socket (tungstenite's defaults when `None`).
    limits: Option<WebSocketConfig>,
    #[cfg(feature = "ari-tls")]
    tls: Option<Tls>,
}

/// The rustls configuration and the name verified for a `wss://` URL.
#[cfg(feature = "ari-tls")]
struct Tls {
    client: std::sync::Arc<crate::tls::rustls::ClientConfig>,
    name: crate::tls::rustls::pki_types::ServerName<'static>,
}

impl Dialer {
    /// Check the settings; for `wss://`, build the rustls configuration.
    pub(crate) fn new(config: &WsConfig) -> Result<Self, WsError> {
        let url = config.events_url()?;
        let mut authorization = HeaderValue::from_str(&config.credentials.basic_header())
            .map_err(|_| WsError::InvalidConfig("credentials are not a valid header".into()))?;
        authorization.set_sensitive(true);
        Dialer::for_url(
            url,
            Some(authorization),
            config.connect_timeout,
            #[cfg(feature = "ari-tls")]
            &config.tls_config(),
        )
    }

    /// A dialer for any `ws://` or `wss://` URL.
    pub(crate) fn for_url(
        url: String,
        authorization: Option<HeaderValue>,
        timeout: Duration,
        #[cfg(feature = "ari-tls")] tls_config: &crate::tls::TlsConfig,
    ) -> Result<Self, WsError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| WsError::InvalidConfig(format!("URL {url:?}: {e}")))?;
        let secure = uri.scheme_str() == Some("wss");
        let host = uri
            .host()
            .ok_or_else(|| WsError::InvalidConfig(format!("URL without host: {url:?}")))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_string();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        #[cfg(feature = "ari-tls")]
        let tls = match secure {
            true => Some(Tls {
                client: tls_config
                    .client_config()
                    .map_err(|e| WsError::InvalidConfig(e.to_string()))?,
                name: crate::tls::server_name(&host).ok_or_else(|| {
                    WsError::InvalidConfig(format!("invalid TLS server name {host:?}"))
                })?,
            }),
            false => None,
        };
        #[cfg(not(feature = "ari-tls"))]
        if secure {
            return Err(WsError::InvalidConfig(format!(
                "URL {url:?} uses TLS: enable the `ari-tls` feature of asterisk-sdk"
            )));
        }
        Ok(Dialer {
            url,
            authorization,
            host,
            port,
            timeout,
            limits: None,
            #[cfg(feature = "ari-tls")]
            tls,
        })
    }

    /// Open the socket with these limits (message and frame sizes).
    pub(crate) fn with_limits(mut self, limits: WebSocketConfig) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Open the socket within the connect timeout.
    pub(crate) async fn dial(&self) -> Result<Socket, WsError> {
        match tokio::time::timeout(self.timeout, self.open()).await {
            Ok(result) => result,
            Err(_) => Err(WsError::Timeout),
        }
    }

    fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    async fn open(&self) -> Result<Socket, WsError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| WsError::Connect(format!("{}: {e}", self.addr())))?;
        let _ = tcp.set_nodelay(true);
        let stream: BoxIo = match self.secure(tcp).await? {
            Ok(tls) => tls,
            Err(tcp) => Box::new(tcp),
        };
        let mut request = self.url.as_str().into_client_request()?;
        if let Some(authorization) = &self.authorization {
            request
                .headers_mut()
                .insert(AUTHORIZATION, authorization.clone());
        }

        let (socket, _response) =
            tokio_tungstenite::client_async_with_config(request, stream, self.limits).await?;
        Ok(socket)
    }

    /// The TLS stream over `tcp` for `wss://`; `tcp` back otherwise.
    #[cfg(feature = "ari-tls")]
    async fn secure(&self, tcp: TcpStream) -> Result<Result<BoxIo, TcpStream>, WsError> {
        let Some(tls) = &self.tls else {
            return Ok(Err(tcp));
        };
        let connector = tokio_rustls::TlsConnector::from(tls.client.clone());
        match connector.connect(tls.name.clone(), tcp).await {
            Ok(stream) => Ok(Ok(Box::new(stream))),
            Err(source) => Err(WsError::Tls {
                addr: self.addr(),
                source,
            }),
        }
    }

    /// Without `ari-tls`, [`Dialer::new`] refused `wss://`.
    #[cfg(not(feature = "ari-tls"))]
    async fn secure(&self, tcp: TcpStream) -> Result<Result<BoxIo, TcpStream>, WsError> {
        Ok(Err(tcp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "ari-tls"))]
    #[test]
    fn tls_urls_without_the_feature_name_it() {
        for base in ["wss://pbx.example:8089", "https://pbx.example:8089"] {
            let config = WsConfig::new(base, "asterisk", "secret").app("a");
            let Err(err) = Dialer::new(&config) else {
                panic!("{base}: accepted without TLS compiled in");
            };
            assert!(matches!(err, WsError::InvalidConfig(_)), "{err:?}");
            assert!(err.to_string().contains("`ari-tls`"), "{err}");
        }
    }

    #[test]
    fn the_port_defaults_by_scheme_and_ipv6_hosts_lose_brackets() {
        let Ok(plain) = Dialer::new(&WsConfig::new("http://[::1]", "u", "p").app("a")) else {
            panic!("plain URL refused");
        };
        assert_eq!((plain.host.as_str(), plain.port), ("::1", 80));
        let explicit = Dialer::new(&WsConfig::new("ws://pbx:8088", "u", "p").app("a"));
        assert_eq!(explicit.ok().map(|d| d.port), Some(8088));
    }
}
