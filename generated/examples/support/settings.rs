//! Settings of the examples from the environment (the README's `ASTERISK_*`
//! variables): the built-in mock by default, a real Asterisk when its address is given.

use std::net::SocketAddr;

/// Where the examples connect and what they dial (no `Debug`: it holds secrets).
#[derive(Clone)]
pub struct Settings {
    /// `ASTERISK_AMI` (`host:port`); `None` = start the mock.
    pub ami: Option<String>,
    /// `ASTERISK_AMI_USER`.
    pub ami_user: String,
    /// `ASTERISK_AMI_SECRET` (never printed).
    pub ami_secret: String,
    /// `ASTERISK_DIAL`: an endpoint that answers.
    pub dial: String,
    /// `ASTERISK_AGI_BIND`: where a FastAGI server of the examples listens.
    pub agi_bind: String,
    /// Whether `ASTERISK_AGI_BIND` was given explicitly.
    pub agi_bind_explicit: bool,
    /// `ASTERISK_ARI` base URL; `None` = start the mock ARI server.
    pub ari: Option<String>,
    /// `ASTERISK_ARI_USER`.
    pub ari_user: String,
    /// `ASTERISK_ARI_PASSWORD` (never printed).
    pub ari_password: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Read the environment.
    pub fn from_env() -> Self {
        let agi_bind = var("ASTERISK_AGI_BIND");
        Settings {
            ami: var("ASTERISK_AMI"),
            ami_user: var("ASTERISK_AMI_USER").unwrap_or_else(|| "admin".into()),
            ami_secret: var("ASTERISK_AMI_SECRET").unwrap_or_else(|| "amp111".into()),
            dial: var("ASTERISK_DIAL").unwrap_or_else(|| "Local/100@default".into()),
            agi_bind_explicit: agi_bind.is_some(),
            agi_bind: agi_bind.unwrap_or_else(|| "127.0.0.1:4573".into()),
            ari: var("ASTERISK_ARI"),
            ari_user: var("ASTERISK_ARI_USER").unwrap_or_else(|| "asterisk".into()),
            ari_password: var("ASTERISK_ARI_PASSWORD").unwrap_or_else(|| "asterisk".into()),
        }
    }

    /// Whether a real Asterisk is used for AMI and AGI.
    pub fn real(&self) -> bool {
        self.ami.is_some()
    }

    /// One line saying what the examples talk to (no secrets).
    pub fn describe(&self) -> String {
        let ami = match &self.ami {
            Some(a) => format!("AMI {a} as {}", self.ami_user),
            None => "AMI: built-in mock".into(),
        };
        let ari = match &self.ari {
            Some(a) => format!("ARI {a} as {}", self.ari_user),
            None => "ARI: built-in mock".into(),
        };
        format!("{ami}; {ari}; dial {}", self.dial)
    }
}

/// Split `host:port`.
pub fn host_port(addr: &str, default_port: u16) -> (String, u16) {
    if let Ok(sa) = addr.parse::<SocketAddr>() {
        return (sa.ip().to_string(), sa.port());
    }
    match addr.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(default_port)),
        None => (addr.to_string(), default_port),
    }
}
