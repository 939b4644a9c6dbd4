//! [`MockAmiBuilder`]: how a mock AMI server is configured before it starts.

use super::MockAmi;
use super::catalog::{self, Catalog};
use asterisk_sdk_runtime::ami::ActionInfo;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// Asterisk's default manager write timeout: `session_do()` in main/manager.c
/// sets `session->writetimeout = 100` (ms); a user's `writetimeout` in
/// manager.conf overrides it.
const ASTERISK_WRITE_TIMEOUT: Duration = Duration::from_millis(100);

/// Immutable settings of a running mock.
pub(crate) struct Config {
    /// User name → secret.
    pub(crate) users: HashMap<String, String>,
    /// The banner line, without its line ending.
    pub(crate) banner: String,
    /// Release emulated (e.g. `23.4.1`).
    pub(crate) release: String,
    /// AMI protocol version (`12.0.0`), as in the banner.
    pub(crate) ami_version: String,
    /// Version reported by `CoreSettings` and `core show version`.
    pub(crate) asterisk_version: String,
    /// Actions answered.
    pub(crate) catalog: Catalog,
    /// Factor applied to every simulated delay (0.01 = a hundred times faster).
    pub(crate) time_scale: f64,
    /// Delay before answering a failed login (Asterisk waits 1 s).
    pub(crate) auth_failure_delay: Duration,
    /// How long a simulated call lasts when its application is not `Wait`.
    pub(crate) call_duration: Duration,
    /// CLI command → output lines.
    pub(crate) command_outputs: HashMap<String, Vec<String>>,
    /// Depth of each session's queue of pushed events.
    pub(crate) queue_depth: usize,
    /// Largest action accepted, in bytes.
    pub(crate) max_message: usize,
    /// How long one write to a session may stay blocked before the session is
    /// dropped (`None`: forever).
    pub(crate) write_timeout: Option<Duration>,
}

impl Config {
    /// `d` scaled by the time scale.
    pub(crate) fn scaled(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale)
    }
}

/// Builder of a [`MockAmi`]; see [`MockAmi::builder`].
pub struct MockAmiBuilder {
    users: Vec<(String, String)>,
    ami_version: String,
    release: Option<String>,
    asterisk_version: Option<String>,
    actions: &'static [ActionInfo],
    time_scale: f64,
    auth_failure_delay: Duration,
    call_duration: Duration,
    command_outputs: HashMap<String, Vec<String>>,
    queue_depth: usize,
    max_message: usize,
    write_timeout: Option<Duration>,
    bind: SocketAddr,
}

impl fmt::Debug for MockAmiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets are never printed.
        f.debug_struct("MockAmiBuilder")
            .field(
                "users",
                &self
                    .users
                    .iter()
                    .map(|(u, _)| u.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("ami_version", &self.ami_version)
            .field("release", &self.release)
            .field("asterisk_version", &self.asterisk_version)
            .field("bind", &self.bind)
            .finish_non_exhaustive()
    }
}

impl Default for MockAmiBuilder {
    fn default() -> Self {
        MockAmiBuilder {
            users: Vec::new(),
            ami_version: "12.0.0".into(),
            release: None,
            asterisk_version: None,
            actions: catalog::default_actions(),
            time_scale: 1.0,
            auth_failure_delay: Duration::ZERO,
            call_duration: Duration::from_secs(2),
            command_outputs: HashMap::new(),
            queue_depth: 1024,
            max_message: 64 * 1024,
            write_timeout: Some(ASTERISK_WRITE_TIMEOUT),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl MockAmiBuilder {
    /// Accept user `name` with `secret` (plaintext and MD5 login). Without any
    /// user, the mock accepts `admin` / `amp111`, as in the project's captures.
    pub fn user(mut self, name: impl Into<String>, secret: impl Into<String>) -> Self {
        self.users.push((name.into(), secret.into()));
        self
    }

    /// AMI protocol version in the banner (default `12.0.0`, what every supported
    /// Asterisk sends: `Asterisk Call Manager/12.0.0`).
    pub fn ami_version(mut self, version: impl Into<String>) -> Self {
        self.ami_version = version.into();
        self
    }

    /// Asterisk release to emulate, e.g. `"22.10.1"`: only its actions are known
    /// (default: the newest release of the catalog).
    pub fn release(mut self, tag: impl Into<String>) -> Self {
        self.release = Some(tag.into());
        self
    }

    /// The Asterisk version the mock reports (`CoreSettings` → `AsteriskVersion`,
    /// `core show version`), e.g. `"24.0.0"` for a server newer than every
    /// generated release; default: the emulated [`release`](Self::release).
    /// The actions answered stay those of the release.
    pub fn asterisk_version(mut self, version: impl Into<String>) -> Self {
        self.asterisk_version = Some(version.into());
        self
    }

    /// Use another action catalog than `asterisk_sdk::ami::catalog::ACTIONS`.
    pub fn catalog(mut self, actions: &'static [ActionInfo]) -> Self {
        self.actions = actions;
        self
    }

    /// Multiply every simulated delay (call durations, AsyncAGI steps) by
    /// `factor`; `0.01` runs calls a hundred times faster. Default 1.
    pub fn time_scale(mut self, factor: f64) -> Self {
        self.time_scale = if factor.is_finite() && factor >= 0.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Wait this long before answering a failed login (a real Asterisk waits one
    /// second; the default here is no wait).
    pub fn auth_failure_delay(mut self, delay: Duration) -> Self {
        self.auth_failure_delay = delay;
        self
    }

    /// How long a call started by Originate lasts when its application is not
    /// `Wait(<seconds>)` (default 2 s, before the time scale).
    pub fn call_duration(mut self, duration: Duration) -> Self {
        self.call_duration = duration;
        self
    }

    /// Output lines of the CLI `command` run through `Action: Command`.
    pub fn command_output<I, S>(mut self, command: impl Into<String>, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.command_outputs
            .insert(command.into(), lines.into_iter().map(Into::into).collect());
        self
    }

    /// Pushed events queued per session before `push_event` waits (default 1024).
    pub fn queue_depth(mut self, depth: usize) -> Self {
        self.queue_depth = depth.max(1);
        self
    }

    /// Largest action accepted from a client, in bytes (default 64 KiB); a longer
    /// one is answered with an error and skipped.
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes;
        self
    }

    /// Drop a session whose socket stays unwritable for this long, as Asterisk
    /// does with a manager session that stops reading (`writetimeout` in
    /// manager.conf; default here as there: 100 ms). `None` waits forever,
    /// which Asterisk never does.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Bind the listener and start serving.
    pub async fn start(self) -> std::io::Result<MockAmi> {
        let release = self
            .release
            .or_else(|| catalog::newest_release(self.actions).map(str::to_owned))
            .unwrap_or_else(|| "23.4.1".into());
        let mut users: HashMap<String, String> = self.users.into_iter().collect();
        if users.is_empty() {
            users.insert("admin".into(), "amp111".into());
        }
        let config = Config {
            users,
            banner: format!("Asterisk Call Manager/{}", self.ami_version),
            catalog: Catalog::new(self.actions, Some(&release)),
            asterisk_version: self.asterisk_version.unwrap_or_else(|| release.clone()),
            ami_version: self.ami_version,
            release,
            time_scale: self.time_scale,
            auth_failure_delay: self.auth_failure_delay,
            call_duration: self.call_duration,
            command_outputs: self.command_outputs,
            queue_depth: self.queue_depth,
            max_message: self.max_message,
            write_timeout: self.write_timeout,
        };
        MockAmi::start(config, self.bind).await
    }
}
