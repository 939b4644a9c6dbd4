//! [`AmiClientBuilder`]: connection settings, credentials, timeouts, reconnect and
//! subscriber policies, and the session settings re-applied after every login.

use super::reconnect::ReconnectPolicy;
use super::{AmiClient, AmiError};
use std::fmt;
use std::time::Duration;

/// How the client logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthMode {
    /// `Challenge` with `AuthType: MD5`, then `Login` with `Key`; when Asterisk
    /// refuses the challenge, a plaintext `Secret` login.
    #[default]
    Md5WithFallback,
    /// MD5 only; a refused challenge is an [`AmiError::Auth`].
    Md5,
    /// Plaintext `Secret` only.
    Plaintext,
}

/// What happens when a subscriber's queue goes over its byte budget (see
/// [`AmiClientBuilder::subscriber_budget`] and
/// [`AmiClientBuilder::client_budget`]). Inside the budget nothing is lost and
/// nothing waits, whatever the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SlowSubscriberPolicy {
    /// Drop the subscriber's oldest queued events, then give it
    /// [`EventItem::Lagged`](super::EventItem::Lagged) with the exact number
    /// dropped. The socket reader never waits, so actions are always answered
    /// promptly and Asterisk never sees a stalled session.
    #[default]
    Lag,
    /// Close the subscriber: its stream yields
    /// [`EventItem::Overflowed`](super::EventItem::Overflowed) and ends. Other
    /// subscribers go on.
    Disconnect,
    /// The socket reader waits until the subscriber has room, and TCP pushes
    /// back to Asterisk. Nothing is dropped by the client, but answers to actions
    /// wait behind the unread events, and Asterisk closes a manager session whose
    /// socket stays unwritable for its write timeout (`writetimeout` in
    /// manager.conf, 100 ms by default): the events in flight are then lost
    /// across the reconnect. Use only when the subscriber is known to catch up.
    Block,
}

/// The memory bounds of the event queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budgets {
    /// Bytes one subscriber may have queued.
    pub(crate) per_subscriber: usize,
    /// Bytes all subscribers (and the early events) of a client may have queued.
    pub(crate) per_client: usize,
    /// How long events received while nobody subscribes are kept.
    pub(crate) early_window: Duration,
    /// Bytes of events kept while nobody subscribes.
    pub(crate) early_bytes: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            per_subscriber: 64 << 20,
            per_client: 256 << 20,
            early_window: Duration::from_secs(10),
            early_bytes: 16 << 20,
        }
    }
}

/// The secret, never shown by `Debug`.
#[derive(Clone, Default)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Everything the client needs to (re)connect. Built by [`AmiClientBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    pub(crate) username: String,
    pub(crate) secret: Secret,
    pub(crate) auth: AuthMode,
    pub(crate) connect_timeout: Duration,
    pub(crate) action_timeout: Duration,
    pub(crate) reconnect: ReconnectPolicy,
    pub(crate) budgets: Budgets,
    pub(crate) slow_subscriber: SlowSubscriberPolicy,
    pub(crate) keep_early_events: bool,
    pub(crate) events_mask: Option<String>,
    pub(crate) filters: Vec<String>,
    pub(crate) max_message: usize,
    pub(crate) keepalive: Option<Duration>,
    /// Ask the server's version after login and refuse actions its release line
    /// lacks (see [`crate::version`]).
    pub(crate) version_check: bool,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<TlsSettings>,
    /// The TLS server name to verify (default: the host), whatever the order in
    /// which the builder's `tls` and `tls_server_name` were called.
    #[cfg(feature = "tls")]
    pub(crate) tls_server_name: Option<String>,
}

/// TLS settings of a connecting client: the rustls configuration, built once
/// from the builder's [`TlsConfig`](crate::tls::TlsConfig) by
/// [`AmiClientBuilder::connect`].
#[cfg(feature = "tls")]
#[derive(Clone)]
pub(crate) struct TlsSettings {
    pub(crate) client: std::sync::Arc<crate::tls::rustls::ClientConfig>,
}

#[cfg(feature = "tls")]
impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings").finish_non_exhaustive()
    }
}

impl Config {
    /// The port: the configured one, else 5039 with TLS, else 5038.
    pub(crate) fn port(&self) -> u16 {
        #[cfg(feature = "tls")]
        if self.port.is_none() && self.tls.is_some() {
            return 5039;
        }
        self.port.unwrap_or(5038)
    }

    /// `host:port` for messages.
    pub(crate) fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port())
    }
}

/// Builder of an [`AmiClient`]; start with [`AmiClient::builder`].
#[derive(Debug, Clone)]
pub struct AmiClientBuilder {
    cfg: Config,
    /// The trust asked for with [`AmiClientBuilder::tls`], built at connect.
    #[cfg(feature = "tls")]
    tls: Option<crate::tls::TlsConfig>,
}

impl Default for AmiClientBuilder {
    fn default() -> Self {
        AmiClientBuilder {
            cfg: Config {
                host: "127.0.0.1".into(),
                port: None,
                username: String::new(),
                secret: Secret::default(),
                auth: AuthMode::default(),
                connect_timeout: Duration::from_secs(10),
                action_timeout: Duration::from_secs(30),
                reconnect: ReconnectPolicy::default(),
                budgets: Budgets::default(),
                slow_subscriber: SlowSubscriberPolicy::default(),
                keep_early_events: true,
                events_mask: None,
                filters: Vec::new(),
                max_message: super::super::codec::DEFAULT_MAX_MESSAGE,
                keepalive: Some(Duration::from_secs(20)),
                version_check: true,
                #[cfg(feature = "tls")]
                tls: None,
                #[cfg(feature = "tls")]
                tls_server_name: None,
            },
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl AmiClientBuilder {
    /// Host name or address (default `127.0.0.1`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.cfg.host = host.into();
        self
    }

    /// Port (default 5038, or 5039 with TLS).
    pub fn port(mut self, port: u16) -> Self {
        self.cfg.port = Some(port);
        self
    }

    /// Username and secret (the secret is never logged nor shown by `Debug`).
    pub fn credentials(mut self, username: impl Into<String>, secret: impl Into<String>) -> Self {
        self.cfg.username = username.into();
        self.cfg.secret = Secret(secret.into());
        self
    }

    /// How to log in (default [`AuthMode::Md5WithFallback`]).
    pub fn auth_mode(mut self, mode: AuthMode) -> Self {
        self.cfg.auth = mode;
        self
    }

    /// Timeout for opening the connection (TCP and TLS; default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.connect_timeout = timeout;
        self
    }

    /// Timeout for the answer to one action (default 30 s). For list actions it
    /// bounds the wait for each next message of the list.
    pub fn action_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.action_timeout = timeout;
        self
    }

    /// What to do when the connection is lost (default: exponential backoff with
    /// jitter, forever).
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.cfg.reconnect = policy;
        self
    }

    /// Bytes of events one subscriber may have queued before the
    /// [`slow_subscriber`](Self::slow_subscriber) policy applies (default 64 MiB;
    /// counted as the received frames plus a small fixed overhead per event).
    pub fn subscriber_budget(mut self, bytes: usize) -> Self {
        self.cfg.budgets.per_subscriber = bytes;
        self
    }

    /// Bytes of events all subscribers of this client together may have queued
    /// (default 256 MiB); past it, the policy applies to the subscriber being
    /// served. Under [`SlowSubscriberPolicy::Block`] only each subscriber's own
    /// budget makes the reader wait.
    pub fn client_budget(mut self, bytes: usize) -> Self {
        self.cfg.budgets.per_client = bytes;
        self
    }

    /// What to do with a subscriber over its budget (default
    /// [`SlowSubscriberPolicy::Lag`]).
    pub fn slow_subscriber(mut self, policy: SlowSubscriberPolicy) -> Self {
        self.cfg.slow_subscriber = policy;
        self
    }

    /// Events that arrive while nobody subscribes are kept for the first
    /// subscriber for at most `window` and `bytes` (default 10 s and 16 MiB);
    /// older and excess events are dropped and the first subscriber receives
    /// [`EventItem::Lagged`](super::EventItem::Lagged) with their number. The
    /// socket reader never waits for a subscriber to appear, so a client that
    /// only sends actions never stalls.
    pub fn early_events(mut self, window: Duration, bytes: usize) -> Self {
        self.cfg.budgets.early_window = window;
        self.cfg.budgets.early_bytes = bytes;
        self
    }

    /// Keep the events that arrive before the first subscriber for it, within
    /// the bounds of [`early_events`](Self::early_events) (default true). With
    /// `false`, events that arrive while nobody subscribes are dropped at once,
    /// which suits programs that only send actions. An `Events: off` mask (see
    /// [`events`](Self::events)) keeps nothing either.
    pub fn keep_early_events(mut self, keep: bool) -> Self {
        self.cfg.keep_early_events = keep;
        self
    }

    /// Event mask sent as `Events:` with every login (`on`, `off`, or classes like
    /// `call,system`). Default: not sent (Asterisk's default for the user).
    pub fn events(mut self, mask: impl Into<String>) -> Self {
        self.cfg.events_mask = Some(mask.into());
        self
    }

    /// Add a session event filter, applied with the `Filter` action after every
    /// login (e.g. `Event: Newchannel`, or `!Event: VarSet`).
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.cfg.filters.push(expression.into());
        self
    }

    /// Send `Ping` after this long without a byte from Asterisk, and treat the
    /// connection as lost (reconnect, per the policy) when that `Ping` is not
    /// answered within the same time: a hung Asterisk or a half-open TCP
    /// connection is noticed even by a client that only listens. Default 20 s;
    /// `None`: never.
    pub fn keepalive(mut self, interval: Option<Duration>) -> Self {
        self.cfg.keepalive = interval;
        self
    }

    /// Check actions against the server's release line (default true): after
    /// every login the client sends `CoreSettings` to learn the version
    /// ([`AmiClient::server_version`]), and an action the catalog says that line
    /// lacks fails at once with [`AmiError::Unsupported`], never sent. The rules
    /// (newer servers trusted, older ones judged like the oldest generated line)
    /// are in [`crate::version`]. `false`: no `CoreSettings`, no check.
    pub fn version_check(mut self, on: bool) -> Self {
        self.cfg.version_check = on;
        self
    }

    /// Cap on one received message (default 1 MiB); longer ones are skipped and
    /// logged.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.cfg.max_message = bytes;
        self
    }

    /// Use TLS (the default port becomes 5039), trusting what `trust` says: a
    /// [`TlsConfig`](crate::tls::TlsConfig) (platform roots, added CA
    /// certificates) or your own rustls `ClientConfig` (`Arc` or not). The
    /// server name verified is the host unless set with
    /// [`AmiClientBuilder::tls_server_name`].
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls(mut self, trust: impl Into<crate::tls::TlsConfig>) -> Self {
        self.tls = Some(trust.into());
        self
    }

    /// The TLS server name to verify, when it differs from the host (may be
    /// called before or after [`AmiClientBuilder::tls`]).
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.cfg.tls_server_name = Some(name.into());
        self
    }

    /// Connect and log in. The first connection is not retried: its failure is
    /// returned; the reconnect policy applies to connections lost later. With
    /// TLS, the rustls configuration is built here, once for every reconnection.
    pub async fn connect(self) -> Result<AmiClient, AmiError> {
        #[cfg(feature = "tls")]
        let cfg = Config {
            tls: match &self.tls {
                Some(trust) => Some(TlsSettings {
                    client: trust.client_config().map_err(AmiError::TlsConfig)?,
                }),
                None => None,
            },
            ..self.cfg
        };
        #[cfg(not(feature = "tls"))]
        let cfg = self.cfg;
        AmiClient::start(cfg).await
    }
}
