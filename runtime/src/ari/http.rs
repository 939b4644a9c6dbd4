//! The HTTP transport of ARI: [`AriHttp`] sends [`AriRequest`]s to
//! `<base>/ari<path>` with reqwest, Basic authentication, a request timeout, a
//! connect timeout and a cap on response size. `https://` needs the `ari-tls`
//! feature (rustls, trust from `tls::TlsConfig`), or a
//! `reqwest::Client` of your own.
//!
//! Credentials travel only in the `Authorization` header, never in the query
//! string (`api_key` ends up in access logs). The password never appears in
//! `Debug` output or logs.

use super::transport::{AriRequest, AriResponse, AriTransport, TransportError, TransportFuture};
use reqwest::Url;
use std::fmt;
use std::time::Duration;

/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default TCP (and TLS) connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default largest response body accepted (stored recordings can be large).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Settings of an [`AriHttp`] transport, built with chained setters.
#[derive(Clone)]
pub struct AriHttpBuilder {
    base: String,
    username: String,
    password: String,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    client: Option<reqwest::Client>,
    #[cfg(feature = "ari-tls")]
    tls: Option<crate::tls::TlsConfig>,
}

impl fmt::Debug for AriHttpBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("AriHttpBuilder");
        f.field("base", &self.base)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("own_client", &self.client.is_some());
        #[cfg(feature = "ari-tls")]
        f.field("tls", &self.tls);
        f.finish()
    }
}

impl AriHttpBuilder {
    /// Whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes (default 64 MiB); a larger one
    /// fails the request with [`TransportError::Connection`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Trust for an `https://` base URL (default: the platform's roots): a
    /// [`TlsConfig`](crate::tls::TlsConfig) or your own rustls `ClientConfig`.
    #[cfg(feature = "ari-tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ari-tls")))]
    pub fn tls(mut self, trust: impl Into<crate::tls::TlsConfig>) -> Self {
        self.tls = Some(trust.into());
        self
    }

    /// Send the requests with this reqwest client, as it is configured: its TLS,
    /// proxies and timeouts (build it with [`crate::ari::reqwest`], the version
    /// used here). The builder's timeouts and TLS trust are then not used; its
    /// response size cap is. With your own client, `https://` works without the
    /// `ari-tls` feature when the client has TLS.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Build the transport. Fails when the base URL is not an `http`/`https` URL
    /// or holds credentials or a query, when it is `https` without the `ari-tls`
    /// feature (and without a client of your own), or when the TLS trust cannot be
    /// built.
    pub fn build(self) -> Result<AriHttp, TransportError> {
        let (base, scheme) = ari_root(&self.base)?;
        let client = match &self.client {
            Some(client) => client.clone(),
            None => self.new_client(scheme)?,
        };
        Ok(AriHttp {
            client,
            base,
            username: self.username,
            password: self.password,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

impl AriHttpBuilder {
    /// A reqwest client with the builder's timeouts; for `https`, with TLS.
    fn new_client(&self, scheme: Scheme) -> Result<reqwest::Client, TransportError> {
        let builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout);
        #[cfg(feature = "ari-tls")]
        let builder = builder.tls_backend_preconfigured(self.rustls_config(scheme)?);
        #[cfg(not(feature = "ari-tls"))]
        if scheme == Scheme::Https {
            return Err(TransportError::InvalidRequest(format!(
                "ARI base URL {:?} is https: enable the `ari-tls` feature of asterisk-sdk \
                 (or pass a reqwest client with TLS)",
                self.base
            )));
        }
        builder
            .build()
            .map_err(|e| TransportError::InvalidRequest(format!("HTTP client: {e}")))
    }

    /// The rustls configuration handed to reqwest, whose TLS backend must always
    /// get one (it would otherwise look for a process-wide provider). Plain `http`
    /// never handshakes, so it gets one without roots rather than loading the
    /// platform's store.
    #[cfg(feature = "ari-tls")]
    fn rustls_config(
        &self,
        scheme: Scheme,
    ) -> Result<crate::tls::rustls::ClientConfig, TransportError> {
        use crate::tls::{TlsConfig, TlsError, rustls::RootCertStore, with_roots};
        let tls_error = |e: TlsError| TransportError::InvalidRequest(format!("TLS settings: {e}"));
        let trust = match (&self.tls, scheme) {
            (Some(trust), _) => trust.clone(),
            (None, Scheme::Https) => TlsConfig::default(),
            (None, Scheme::Http) => return with_roots(RootCertStore::empty()).map_err(tls_error),
        };
        Ok((*trust.client_config().map_err(tls_error)?).clone())
    }
}

/// ARI over HTTP. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct AriHttp {
    client: reqwest::Client,
    /// `…/ari`, without a trailing slash.
    base: String,
    username: String,
    password: String,
    max_response_bytes: usize,
}

impl fmt::Debug for AriHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AriHttp")
            .field("base", &self.base)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl AriHttp {
    /// Settings for Asterisk's HTTP server at `base` (e.g. `http://127.0.0.1:8088`;
    /// `/ari` is added unless the URL already ends with it) and an `ari.conf` user.
    pub fn builder(
        base: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> AriHttpBuilder {
        AriHttpBuilder {
            base: base.into(),
            username: username.into(),
            password: password.into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            client: None,
            #[cfg(feature = "ari-tls")]
            tls: None,
        }
    }

    /// A transport with the default timeouts; see [`AriHttp::builder`].
    pub fn new(
        base: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self, TransportError> {
        Self::builder(base, username, password).build()
    }

    /// The ARI root every request path is appended to (`…/ari`).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, request: &AriRequest) -> Result<Url, TransportError> {
        if !request.path.starts_with('/') || request.path.contains(['?', '#']) {
            return Err(TransportError::InvalidRequest(format!(
                "ARI path must start with '/' and hold no query: {:?}",
                request.path
            )));
        }
        let mut url = Url::parse(&format!("{}{}", self.base, request.path))
            .map_err(|e| TransportError::InvalidRequest(format!("URL: {e}")))?;
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    async fn execute(&self, request: AriRequest) -> Result<AriResponse, TransportError> {
        let url = self.url(&request)?;
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| TransportError::InvalidRequest(format!("method {:?}", request.method)))?;
        tracing::debug!(method = request.method, path = %request.path, "ARI request");
        let mut builder = self
            .client
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json")
            .basic_auth(&self.username, Some(&self.password));
        if let Some(body) = &request.body {
            let bytes = serde_json::to_vec(body)
                .map_err(|e| TransportError::InvalidRequest(format!("body: {e}")))?;
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes);
        }
        let mut response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if response
            .content_length()
            .is_some_and(|n| n > self.max_response_bytes as u64)
        {
            return Err(too_large(self.max_response_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(too_large(self.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(status, bytes = body.len(), "ARI response");
        Ok(AriResponse {
            status,
            content_type,
            body,
        })
    }
}

impl AriTransport for AriHttp {
    fn send(&self, request: AriRequest) -> TransportFuture<'_> {
        Box::pin(self.execute(request))
    }
}

fn too_large(limit: usize) -> TransportError {
    TransportError::Connection(format!("ARI response larger than {limit} bytes"))
}

/// The error of a failed request, with its causes (reqwest's own message alone
/// says little, e.g. "error sending request"). A refused TLS handshake is
/// [`TransportError::Tls`].
fn transport_error(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        return TransportError::Timeout;
    }
    let e = e.without_url();
    let mut message = e.to_string();
    let mut cause = std::error::Error::source(&e);
    let mut tls = false;
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        tls = tls || is_tls_error(c);
        cause = c.source();
    }
    if tls {
        TransportError::Tls(message)
    } else {
        TransportError::Connection(message)
    }
}

/// Whether this cause is rustls refusing the handshake, itself or inside the
/// `io::Error`s that carry it (hyper wraps it twice, and an `io::Error`'s
/// `source` skips the error it wraps).
#[cfg(feature = "ari-tls")]
fn is_tls_error(mut cause: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if cause.is::<crate::tls::rustls::Error>() {
            return true;
        }
        match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => cause = inner,
            None => return false,
        }
    }
}

/// Without `ari-tls` there is no TLS to fail.
#[cfg(not(feature = "ari-tls"))]
fn is_tls_error(_cause: &(dyn std::error::Error + 'static)) -> bool {
    false
}

/// The scheme of the base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Http,
    Https,
}

/// `<base>/ari` without a trailing slash, checked, and its scheme.
fn ari_root(base: &str) -> Result<(String, Scheme), TransportError> {
    let bad = |why: &str| TransportError::InvalidRequest(format!("ARI base URL {base:?}: {why}"));
    let url = Url::parse(base).map_err(|e| bad(&e.to_string()))?;
    let scheme = match url.scheme() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return Err(bad("scheme must be http or https")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("pass credentials separately, not in the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("no query or fragment allowed"));
    }
    let mut root = url.as_str().trim_end_matches('/').to_string();
    if !root.ends_with("/ari") {
        root.push_str("/ari");
    }
    Ok((root, scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_gets_ari_root_once() {
        let root = |base| ari_root(base).ok().map(|(root, _)| root);
        assert_eq!(
            root("http://127.0.0.1:8088").as_deref(),
            Some("http://127.0.0.1:8088/ari")
        );
        assert_eq!(
            root("https://pbx.example:8089/ari/").as_deref(),
            Some("https://pbx.example:8089/ari")
        );
        assert!(ari_root("http://u:p@127.0.0.1:8088").is_err());
        assert!(ari_root("ftp://127.0.0.1").is_err());
        assert!(ari_root("http://127.0.0.1:8088/?api_key=a:b").is_err());
    }

    #[test]
    fn urls_keep_encoded_segments_and_encode_queries() {
        let http = AriHttp::new("http://127.0.0.1:8088", "asterisk", "secret").expect("builds");
        let req = AriRequest::new("GET", "/channels/a%2Fb%3B1/variable")
            .query("variable", "CHANNEL(name)")
            .query("callerId", "ARI Test <5555>");
        let url = http.url(&req).expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8088/ari/channels/a%2Fb%3B1/variable?variable=CHANNEL%28name%29&callerId=ARI+Test+%3C5555%3E"
        );
        assert!(http.url(&AriRequest::new("GET", "/x?api_key=1")).is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let b = AriHttp::builder("http://127.0.0.1:8088", "asterisk", "s3cr3t-pw");
        assert!(!format!("{b:?}").contains("s3cr3t-pw"));
        let http = b.build().expect("builds");
        let shown = format!("{http:?}");
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        assert!(shown.contains("asterisk"));
    }

    #[cfg(not(feature = "ari-tls"))]
    #[test]
    fn https_without_the_feature_names_it() {
        let err = AriHttp::new("https://127.0.0.1:8089", "asterisk", "secret")
            .expect_err("no TLS compiled in");
        assert!(err.to_string().contains("`ari-tls`"), "{err}");
        // A client of the user's own decides about TLS itself.
        let own = AriHttp::builder("https://127.0.0.1:8089", "asterisk", "secret")
            .http_client(reqwest::Client::new())
            .build();
        assert!(own.is_ok());
    }
}
