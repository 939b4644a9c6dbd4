//! Settings of the events WebSocket client: where, who, which applications.

use super::backoff::ReconnectPolicy;
use super::error::WsError;
use crate::percent::encode_component;
use std::fmt;
use std::time::Duration;

/// An ARI user name and password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The ARI user (`ari.conf`).
    pub username: String,
    /// Its password.
    pub password: String,
}

impl Credentials {
    /// Credentials from a user name and password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The `Authorization` header value (`Basic …`).
    pub fn basic_header(&self) -> String {
        super::basic::header_value(&self.username, &self.password)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Default keepalive interval of ARI WebSockets: a ping after this long without
/// a frame from Asterisk.
pub(crate) const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(20);

/// Settings of [`connect`](super::connect).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WsConfig {
    /// `http://`, `https://`, `ws://` or `wss://` URL of the server; when it has no
    /// path, `/ari` is appended (`http://127.0.0.1:8088` → `ws://127.0.0.1:8088/ari`).
    pub base_url: String,
    /// Sent as Basic auth in the upgrade request (never as `api_key`).
    pub credentials: Credentials,
    /// Stasis applications to register (`app=a,b`); at least one.
    pub apps: Vec<String>,
    /// `subscribeAll=true`: receive every event of the system.
    pub subscribe_all: bool,
    /// Timeout of a REST request sent over the socket.
    pub request_timeout: Duration,
    /// Timeout of one connection attempt (TCP + upgrade).
    pub connect_timeout: Duration,
    /// Reconnection after the socket drops.
    pub reconnect: ReconnectPolicy,
    /// Messages buffered for a slow consumer. When full, reading pauses (TCP
    /// backpressure): nothing is dropped, but REST responses also wait, so do not
    /// await REST calls while letting this many events pile up unread.
    pub event_buffer: usize,
    /// Ping Asterisk after this long without a frame from it; when it stays
    /// silent as long again, the connection counts as lost (a half-open socket
    /// or a hung Asterisk) and is reconnected. Default 20 s; `None`: never.
    pub keepalive: Option<Duration>,
    /// Trust for `wss://`; set with [`WsConfig::tls`].
    #[cfg(feature = "ari-tls")]
    tls: Option<crate::tls::TlsConfig>,
}

impl WsConfig {
    /// Settings with defaults: no application yet, `subscribeAll` off, 10 s
    /// request and connect timeouts, default reconnect policy, 8192 buffered
    /// events, a ping after 20 s of silence.
    pub fn new(
        base_url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        WsConfig {
            base_url: base_url.into(),
            credentials: Credentials::new(username, password),
            apps: Vec::new(),
            subscribe_all: false,
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reconnect: ReconnectPolicy::default(),
            event_buffer: 8192,
            keepalive: Some(DEFAULT_KEEPALIVE),
            #[cfg(feature = "ari-tls")]
            tls: None,
        }
    }

    /// Add a Stasis application.
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.apps.push(app.into());
        self
    }

    /// Set `subscribeAll`.
    pub fn subscribe_all(mut self, on: bool) -> Self {
        self.subscribe_all = on;
        self
    }

    /// Set the REST-over-WebSocket request timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Set the keepalive interval (`None`: no pings).
    pub fn keepalive(mut self, interval: Option<Duration>) -> Self {
        self.keepalive = interval;
        self
    }

    /// Set the reconnect policy.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// Trust for a `wss://` (or `https://`) URL (default: the platform's roots):
    /// a [`TlsConfig`](crate::tls::TlsConfig) or your own rustls `ClientConfig`.
    #[cfg(feature = "ari-tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ari-tls")))]
    pub fn tls(mut self, trust: impl Into<crate::tls::TlsConfig>) -> Self {
        self.tls = Some(trust.into());
        self
    }

    /// The trust for `wss://`: the one set, else the platform's roots.
    #[cfg(feature = "ari-tls")]
    pub(crate) fn tls_config(&self) -> crate::tls::TlsConfig {
        self.tls.clone().unwrap_or_default()
    }

    /// The WebSocket URL of `GET /events` for these settings.
    pub fn events_url(&self) -> Result<String, WsError> {
        if self.apps.is_empty() {
            return Err(WsError::InvalidConfig(
                "at least one application is required".into(),
            ));
        }
        let root = ws_root(&self.base_url)?;
        let apps: Vec<String> = self.apps.iter().map(|a| encode_component(a)).collect();
        Ok(format!(
            "{root}/events?app={}&subscribeAll={}",
            apps.join(","),
            self.subscribe_all
        ))
    }
}

/// The WebSocket scheme (`ws`, `wss`) for an `http`, `https`, `ws` or `wss`
/// URL, and what follows `://`.
pub(crate) fn ws_scheme(url: &str) -> Result<(&'static str, &str), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("URL without scheme: {url:?}"))?;
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => Ok(("ws", rest)),
        "https" | "wss" => Ok(("wss", rest)),
        other => Err(format!("unsupported URL scheme {other:?}")),
    }
}

/// `ws[s]://host[:port]/path` of the ARI root, from any accepted base URL.
fn ws_root(base: &str) -> Result<String, WsError> {
    let base = base.trim();
    let (scheme, rest) = ws_scheme(base).map_err(WsError::InvalidConfig)?;
    let rest = rest.trim_end_matches('/');
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/ari"),
    };
    if authority.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(WsError::InvalidConfig(format!("invalid ARI URL: {base:?}")));
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_events_url() {
        let c = WsConfig::new("http://127.0.0.1:8088", "asterisk", "secret")
            .app("test-app")
            .app("b c");
        assert_eq!(
            c.events_url().ok().as_deref(),
            Some("ws://127.0.0.1:8088/ari/events?app=test-app,b%20c&subscribeAll=false")
        );
        let c = WsConfig::new("wss://pbx/custom/ari/", "u", "p")
            .app("a")
            .subscribe_all(true);
        assert_eq!(
            c.events_url().ok().as_deref(),
            Some("wss://pbx/custom/ari/events?app=a&subscribeAll=true")
        );
        assert!(
            WsConfig::new("ftp://x", "u", "p")
                .app("a")
                .events_url()
                .is_err()
        );
        assert!(WsConfig::new("http://x", "u", "p").events_url().is_err());
        assert!(!format!("{c:?}").contains("\"p\""));
    }
}
