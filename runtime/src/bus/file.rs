//! [`BridgeFile`]: the TOML file of the `asterisk-bus` binary, which servers to
//! bridge to which NATS.
//!
//! ```toml
//! [nats]
//! url = "nats://127.0.0.1:4222"
//! # user = "bridge"          # with password; or token = "…"
//! # password = "…"
//!
//! [bus]                      # optional; these are the defaults
//! prefix = "asterisk"
//! stream = "ASTERISK"
//! retention = "limits"       # limits | interest | workqueue
//! storage = "file"           # file | memory
//! max_age_secs = 86400       # 0: no limit
//! max_bytes = -1
//! duplicate_window_secs = 120
//! buffer_bytes = 67108864    # per node, while NATS is unreachable
//! answer_unknown_nodes = true
//!
//! [[node]]
//! id = "pbx-eu-1"
//! ami = { host = "10.0.0.5", port = 5038, username = "bus", secret = "…" }
//! # optional: ARI events WebSocket (and ARI operations over the bus)
//! ari = { url = "http://10.0.0.5:8088", username = "bus", password = "…", app = "bus", subscribe_all = true }
//! ```
//!
//! Secrets (AMI secret, ARI password, NATS password and token) are never shown
//! by `Debug`.

use super::config::BusConfig;
use super::error::BusError;
use crate::ami::AmiClient;
use crate::ari::ws::WsConfig;
use crate::fleet::{FleetBuilder, NodeSpec};
use async_nats::jetstream::stream::{RetentionPolicy, StorageType};
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// A password or token: `Debug` shows `<redacted>`.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A server URL that may carry credentials (`nats://user:pass@host:4222`):
/// `Debug` and `Display` show it with the user information replaced by
/// `<redacted>`; [`Url::expose`] gives it whole, to connect with.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Url(String);

impl Url {
    /// The URL itself, credentials included.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Url {
    fn from(s: &str) -> Self {
        Url(s.to_string())
    }
}

/// `url` without the user information of any of its comma-separated parts.
fn redact(url: &str) -> String {
    url.split(',')
        .map(|part| {
            let rest_at = part.find("://").map_or(0, |i| i + 3);
            let (scheme, rest) = part.split_at(rest_at);
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{scheme}<redacted>@{}", &rest[at + 1..]),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact(&self.0), f)
    }
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BridgeFile {
    /// `[nats]`: the server to publish to.
    pub nats: NatsSection,
    /// `[bus]`: subjects, stream, buffer.
    #[serde(default)]
    pub bus: BusSection,
    /// `[[node]]`: the Asterisk servers.
    #[serde(default, rename = "node")]
    pub nodes: Vec<NodeSection>,
}

/// `[nats]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NatsSection {
    /// `nats://host:port` (several separated by commas); user information in
    /// it is redacted by `Debug` and `Display`.
    pub url: Url,
    /// User name (with `password`).
    pub user: Option<String>,
    /// Password.
    pub password: Option<Secret>,
    /// Token (instead of user and password).
    pub token: Option<Secret>,
}

/// `[bus]`; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BusSection {
    /// Subject prefix.
    pub prefix: Option<String>,
    /// Stream name.
    pub stream: Option<String>,
    /// `limits`, `interest` or `workqueue`.
    pub retention: Option<String>,
    /// `file` or `memory`.
    pub storage: Option<String>,
    /// Oldest message age kept, in seconds (0: no limit).
    pub max_age_secs: Option<u64>,
    /// Bytes kept (-1: no limit).
    pub max_bytes: Option<i64>,
    /// De-duplication window, in seconds.
    pub duplicate_window_secs: Option<u64>,
    /// Per-node buffer while NATS is unreachable, in bytes.
    pub buffer_bytes: Option<usize>,
    /// Answer requests for unknown nodes with an error.
    pub answer_unknown_nodes: Option<bool>,
}

/// `[[node]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NodeSection {
    /// The node id (its subject token is sanitised).
    pub id: String,
    /// Its AMI.
    pub ami: AmiSection,
    /// Its ARI, if any.
    pub ari: Option<AriSection>,
}

/// `ami = { … }` of a node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AmiSection {
    /// Host name or address.
    pub host: String,
    /// Port (default 5038).
    pub port: Option<u16>,
    /// Manager user (`manager.conf`).
    pub username: String,
    /// Its secret.
    pub secret: Secret,
}

/// `ari = { … }` of a node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AriSection {
    /// `http://host:8088` (or `ws://…`); user information in it is redacted
    /// by `Debug` and `Display`.
    pub url: Url,
    /// ARI user (`ari.conf`).
    pub username: String,
    /// Its password.
    pub password: Secret,
    /// Stasis application to register.
    pub app: String,
    /// Receive every event of the system (default true).
    pub subscribe_all: Option<bool>,
}

impl BridgeFile {
    /// Parse the TOML text; checks that there is at least one node and that
    /// the bus settings are known words.
    pub fn parse(text: &str) -> Result<BridgeFile, BusError> {
        let file: BridgeFile = toml::from_str(text).map_err(|e| BusError::Config(e.to_string()))?;
        if file.nodes.is_empty() {
            return Err(BusError::Config("no [[node]]".into()));
        }
        file.bus_config()?;
        Ok(file)
    }

    /// Read and parse a file.
    pub fn load(path: &std::path::Path) -> Result<BridgeFile, BusError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BusError::Config(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// The bus settings, defaults where the file says nothing.
    pub fn bus_config(&self) -> Result<BusConfig, BusError> {
        let b = &self.bus;
        let mut c = BusConfig::default();
        if let Some(p) = &b.prefix {
            c.prefix = p.clone();
        }
        if let Some(s) = &b.stream {
            c.stream = s.clone();
        }
        if let Some(r) = &b.retention {
            c.retention = match r.as_str() {
                "limits" => RetentionPolicy::Limits,
                "interest" => RetentionPolicy::Interest,
                "workqueue" => RetentionPolicy::WorkQueue,
                other => return Err(BusError::Config(format!("unknown retention {other:?}"))),
            };
        }
        if let Some(s) = &b.storage {
            c.storage = match s.as_str() {
                "file" => StorageType::File,
                "memory" => StorageType::Memory,
                other => return Err(BusError::Config(format!("unknown storage {other:?}"))),
            };
        }
        if let Some(s) = b.max_age_secs {
            c.max_age = Duration::from_secs(s);
        }
        if let Some(n) = b.max_bytes {
            c.max_bytes = n;
        }
        if let Some(s) = b.duplicate_window_secs {
            c.duplicate_window = Duration::from_secs(s);
        }
        if let Some(n) = b.buffer_bytes {
            c.buffer_bytes = n;
        }
        if let Some(on) = b.answer_unknown_nodes {
            c.answer_unknown_nodes = on;
        }
        Ok(c)
    }

    /// The fleet the file describes.
    pub fn fleet_builder(&self) -> FleetBuilder {
        self.nodes.iter().fold(FleetBuilder::default(), |fleet, n| {
            let mut ami = AmiClient::builder()
                .host(n.ami.host.clone())
                .credentials(n.ami.username.clone(), n.ami.secret.expose());
            if let Some(port) = n.ami.port {
                ami = ami.port(port);
            }
            let mut spec = NodeSpec::new(n.id.as_str(), ami);
            if let Some(a) = &n.ari {
                let ws = WsConfig::new(a.url.expose(), a.username.clone(), a.password.expose())
                    .app(a.app.clone())
                    .subscribe_all(a.subscribe_all.unwrap_or(true));
                spec = spec.with_ari(ws);
            }
            fleet.node(spec)
        })
    }

    /// NATS connection options: credentials, and retrying the first connection
    /// (the bridge starts, and buffers, while NATS is still down).
    pub fn connect_options(&self) -> async_nats::ConnectOptions {
        let mut o = async_nats::ConnectOptions::new()
            .name("asterisk-bus")
            .retry_on_initial_connect();
        if let (Some(user), Some(pass)) = (&self.nats.user, &self.nats.password) {
            o = o.user_and_password(user.clone(), pass.expose().to_string());
        }
        if let Some(token) = &self.nats.token {
            o = o.token(token.expose().to_string());
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_never_show_their_credentials() {
        let url = Url::from("nats://bus:s3cret@10.0.0.1:4222,tls://tok3n@10.0.0.2:4222/x@y");
        for shown in [format!("{url}"), format!("{url:?}")] {
            assert!(
                !shown.contains("s3cret") && !shown.contains("tok3n"),
                "{shown}"
            );
            assert!(shown.contains("nats://<redacted>@10.0.0.1:4222"), "{shown}");
            assert!(
                shown.contains("tls://<redacted>@10.0.0.2:4222/x@y"),
                "{shown}"
            );
        }
        assert_eq!(
            url.expose(),
            "nats://bus:s3cret@10.0.0.1:4222,tls://tok3n@10.0.0.2:4222/x@y"
        );
        assert_eq!(
            Url::from("nats://127.0.0.1:4222").to_string(),
            "nats://127.0.0.1:4222"
        );
        let file = BridgeFile::parse(
            "[nats]\nurl = \"nats://u:pw1@h:4222\"\n[[node]]\nid = \"a\"\nami = { host = \"h\", port = 5038, username = \"u\", secret = \"s\" }\nari = { url = \"http://u:pw2@h:8088\", username = \"u\", password = \"p\", app = \"x\" }\n",
        )
        .unwrap();
        let shown = format!("{file:?}");
        assert!(!shown.contains("pw1") && !shown.contains("pw2"), "{shown}");
    }

    const FILE: &str = r#"
[nats]
url = "nats://127.0.0.1:4222"
user = "bridge"
password = "natspass"

[bus]
stream = "PBX"
retention = "workqueue"
max_age_secs = 60

[[node]]
id = "pbx.eu 1"
ami = { host = "10.0.0.5", username = "bus", secret = "amisecret" }
ari = { url = "http://10.0.0.5:8088", username = "bus", password = "aripass", app = "bus" }

[[node]]
id = "pbx-us"
ami = { host = "10.0.0.6", port = 5039, username = "bus", secret = "other" }
"#;

    #[test]
    fn parses_nodes_and_bus_settings_without_showing_secrets() {
        let f = BridgeFile::parse(FILE).unwrap();
        assert_eq!(f.nodes.len(), 2);
        assert_eq!(f.nodes[0].id, "pbx.eu 1");
        assert_eq!(f.nodes[1].ami.port, Some(5039));
        let c = f.bus_config().unwrap();
        assert_eq!(c.stream, "PBX");
        assert_eq!(c.retention, RetentionPolicy::WorkQueue);
        assert_eq!(c.max_age, Duration::from_secs(60));
        assert_eq!(c.prefix, "asterisk");
        let shown = format!("{f:?} {:?}", f.fleet_builder());
        for secret in ["natspass", "amisecret", "aripass", "other"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert!(shown.contains("pbx-us"));
    }

    #[test]
    fn refuses_unknown_keys_words_and_an_empty_fleet() {
        let bad_word = FILE.replace("workqueue", "forever");
        assert!(
            matches!(BridgeFile::parse(&bad_word), Err(BusError::Config(m)) if m.contains("forever"))
        );
        let typo = FILE.replace("max_age_secs", "max_age_sec");
        assert!(BridgeFile::parse(&typo).is_err());
        assert!(BridgeFile::parse("[nats]\nurl = \"nats://x\"\n").is_err());
    }
}
