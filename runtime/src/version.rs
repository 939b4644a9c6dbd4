//! Version-aware calls: whether the Asterisk a client talks to has a generated
//! AMI action or ARI operation, so that one its release line lacks fails at once
//! with [`Unsupported`] instead of going on the wire.
//!
//! The generated code says where each item exists with an [`Availability`]: the
//! releases that have it and every release the SDK was generated from. The AMI
//! client learns the server's version after each login (`CoreSettings` →
//! `AsteriskVersion`), the ARI client from `GET /asterisk/info` when asked or on
//! the first call that needs it. A [`VersionGate`] holds that version and whether
//! checking is on; both clients use [`VersionGate::admit`].
//!
//! # Rules
//! Releases are compared by release line (major version): a server `21.3.0`
//! has an item when some generated `21.x.y` release has it. A call is sent
//! unchecked when:
//! - checking is off (`AmiClientBuilder::version_check(false)`,
//!   `AriClient::version_check(false)`);
//! - the item has no [`Availability`]: every generated release has it, or it is
//!   not generated (a `RawAction`);
//! - the server's version is unknown: not learned yet, not readable (an AMI user
//!   without the `system` or `reporting` read class may not run `CoreSettings`),
//!   or without a release line (a `GIT-master-…` build);
//! - the server's line is newer than every generated line: it is trusted;
//! - the server's line lies between generated lines without being one of them;
//! - the server is a later release of a generated line than every generated
//!   release of that line (`22.12.0` when 22.10.1 was generated): it may have
//!   had the item backported, which the SDK cannot know.
//!
//! Otherwise, on a generated line, an item none of that line's releases has is
//! [`Unsupported`]. A server older than every generated line is judged like the
//! oldest generated line: Asterisk adds to its API on new lines and backports to
//! the lines still maintained, so what the oldest generated line lacks, older
//! lines lacked too.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A server's Asterisk version as it reports it (`23.4.1`, `20.7-cert5`,
/// `certified/20.7-cert5`, `GIT-master-1a2b3c`), and its release line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerVersion {
    text: String,
    line: Option<u32>,
}

impl ServerVersion {
    /// Read a version string. Its release line is the number it starts with
    /// (after a `certified/` or `certified-` prefix), when a `.` or the end
    /// follows it; any other text has no line.
    pub fn parse(text: &str) -> ServerVersion {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        let rest = ["certified/", "certified-"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
            .unwrap_or(&lower);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].chars().next();
        let line = match after {
            None | Some('.') => digits.parse().ok(),
            Some(_) => None,
        };
        ServerVersion {
            text: text.to_string(),
            line,
        }
    }

    /// The version as the server reported it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The release line (major version): 23 for `23.4.1`; `None` when the text
    /// names none.
    pub fn line(&self) -> Option<u32> {
        self.line
    }

    /// Major, minor and patch numbers (`20.7-cert5` gives 20, 7, 0): the leading
    /// dot-separated numbers after the line, a missing or non-numeric one read
    /// as 0. `None` when the text names no line.
    fn numbers(&self) -> Option<[u32; 3]> {
        let major = self.line?;
        let lower = self.text.to_ascii_lowercase();
        let rest = ["certified/", "certified-"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
            .unwrap_or(&lower);
        let mut parts = rest.split('.').skip(1).map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        });
        Some([major, parts.next().unwrap_or(0), parts.next().unwrap_or(0)])
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where a generated item exists: the releases that have it, and every release
/// the SDK was generated from (both as tags like `23.4.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// Releases that have the item.
    pub releases: &'static [&'static str],
    /// Every release the SDK was generated from.
    pub generated: &'static [&'static str],
}

impl Availability {
    /// An item in `releases`, out of the `generated` releases.
    pub const fn new(
        releases: &'static [&'static str],
        generated: &'static [&'static str],
    ) -> Availability {
        Availability {
            releases,
            generated,
        }
    }

    /// Whether `server` has the item, by the module's rules; `None` when the
    /// rules trust the server (no check).
    fn judge(&self, server: &ServerVersion) -> Option<bool> {
        let line = server.line()?;
        let lines: Vec<u32> = self.generated.iter().filter_map(|t| tag_line(t)).collect();
        let (oldest, newest) = (lines.iter().min()?, lines.iter().max()?);
        let judged = if line < *oldest {
            *oldest
        } else if line > *newest || !lines.contains(&line) {
            return None;
        } else {
            line
        };
        let newest_of_line = self
            .generated
            .iter()
            .map(|t| ServerVersion::parse(t))
            .filter(|v| v.line() == Some(line))
            .filter_map(|v| v.numbers())
            .max();
        if let (Some(server), Some(newest)) = (server.numbers(), newest_of_line)
            && server > newest
        {
            return None;
        }
        Some(self.releases.iter().any(|t| tag_line(t) == Some(judged)))
    }
}

/// The release line of a generated tag like `23.4.1`.
fn tag_line(tag: &str) -> Option<u32> {
    ServerVersion::parse(tag).line()
}

/// A call the server's release line lacks, refused before it was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{name} is not available on Asterisk {server_version}: of the releases this SDK was generated from, only {} have it (turn off version_check to send it anyway)",
    available_in.join(", ")
)]
#[non_exhaustive]
pub struct Unsupported {
    /// The action (`PJSIPShowMaintenance`) or operation (`events.claimChannel`).
    pub name: String,
    /// The server's version as it reported it.
    pub server_version: String,
    /// The generated releases that have it, oldest first.
    pub available_in: Vec<String>,
}

/// Decide whether `name` may be sent to `server`: `Err` when the rules of the
/// module say its release line lacks the item.
pub fn check(
    name: &str,
    server: &ServerVersion,
    availability: &Availability,
) -> Result<(), Unsupported> {
    match availability.judge(server) {
        Some(false) => Err(Unsupported {
            name: name.to_string(),
            server_version: server.as_str().to_string(),
            available_in: availability
                .releases
                .iter()
                .map(|t| t.to_string())
                .collect(),
        }),
        Some(true) | None => Ok(()),
    }
}

/// One client's version check: on or off, and the server version it learned.
/// Shared by the client's clones.
#[derive(Debug)]
pub struct VersionGate {
    enabled: AtomicBool,
    /// `None`: not learned yet (or forgotten); `Some` with a `None` version:
    /// asked, but the server did not say.
    learned: Mutex<Option<Learned>>,
}

/// What a gate learned, and when.
#[derive(Debug, Clone)]
struct Learned {
    version: Option<ServerVersion>,
    at: Instant,
}

impl Default for VersionGate {
    fn default() -> Self {
        VersionGate::new(true)
    }
}

impl VersionGate {
    /// A gate that checks when `enabled`, with no version learned yet.
    pub fn new(enabled: bool) -> VersionGate {
        VersionGate {
            enabled: AtomicBool::new(enabled),
            learned: Mutex::new(None),
        }
    }

    /// Whether calls are checked.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turn checking on or off.
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// The server version learned, if any.
    pub fn server_version(&self) -> Option<ServerVersion> {
        self.lock().as_ref().and_then(|l| l.version.clone())
    }

    /// Whether the version was asked for (whatever the answer) and not forgotten.
    pub fn is_learned(&self) -> bool {
        self.lock().is_some()
    }

    /// Whether the version was asked for (whatever the answer) less than
    /// `max_age` ago.
    pub fn learned_within(&self, max_age: Duration) -> bool {
        self.lock()
            .as_ref()
            .is_some_and(|l| l.at.elapsed() < max_age)
    }

    /// Record what the server said its version is (`None`: it did not say).
    pub fn learn(&self, version: Option<ServerVersion>) {
        *self.lock() = Some(Learned {
            version,
            at: Instant::now(),
        });
    }

    /// Forget the version learned: the server may have been restarted or
    /// upgraded, so the next checked call asks again.
    pub fn forget(&self) {
        *self.lock() = None;
    }

    /// Whether a call of an item with this availability could be refused, so
    /// that knowing the server's version matters.
    pub fn matters(&self, availability: Option<&Availability>) -> bool {
        self.enabled() && availability.is_some()
    }

    /// `Err` when checking is on, the version is known and the module's rules say
    /// the server's line lacks the item; `Ok` otherwise.
    pub fn admit(
        &self,
        name: &str,
        availability: Option<&Availability>,
    ) -> Result<(), Unsupported> {
        if !self.enabled() {
            return Ok(());
        }
        match (availability, self.server_version()) {
            (Some(a), Some(v)) => check(name, &v, a),
            _ => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Learned>> {
        self.learned.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &[&str] = &["20.20.1", "21.12.3", "22.10.1", "23.4.1"];
    /// Like `POST /events/claim`: backported to 20 and 22, never in 21.
    const NOT_21: Availability = Availability::new(&["20.20.1", "22.10.1", "23.4.1"], GENERATED);
    /// Like `Monitor`: only in 20.
    const ONLY_20: Availability = Availability::new(&["20.20.1"], GENERATED);
    /// Added on line 22.
    const FROM_22: Availability = Availability::new(&["22.10.1", "23.4.1"], GENERATED);

    fn on(version: &str, a: &Availability) -> Result<(), Unsupported> {
        check("X", &ServerVersion::parse(version), a)
    }

    #[test]
    fn a_gate_learns_forgets_and_ages() {
        let gate = VersionGate::default();
        assert!(!gate.is_learned());
        gate.learn(Some(ServerVersion::parse("22.10.1")));
        assert!(gate.learned_within(Duration::from_secs(60)));
        assert!(
            !gate.learned_within(Duration::ZERO),
            "older than no time at all"
        );
        assert_eq!(gate.server_version().and_then(|v| v.line()), Some(22));
        gate.forget();
        assert!(!gate.is_learned());
        assert_eq!(gate.server_version(), None);
    }

    #[test]
    fn parses_release_lines() {
        assert_eq!(ServerVersion::parse("23.4.1").line(), Some(23));
        assert_eq!(ServerVersion::parse(" 22.0.0-rc1 ").line(), Some(22));
        assert_eq!(
            ServerVersion::parse("certified/20.7-cert5").line(),
            Some(20)
        );
        assert_eq!(
            ServerVersion::parse("certified-18.9-cert11").line(),
            Some(18)
        );
        assert_eq!(ServerVersion::parse("GIT-master-1a2b3c").line(), None);
        assert_eq!(ServerVersion::parse("20abc").line(), None);
        assert_eq!(ServerVersion::parse("").line(), None);
        assert_eq!(ServerVersion::parse(" 23.4.1 ").as_str(), "23.4.1");
    }

    #[test]
    fn a_generated_line_lacking_the_item_refuses_it() {
        let e = on("21.3.0", &NOT_21).expect_err("21 lacks it");
        assert_eq!(e.name, "X");
        assert_eq!(e.server_version, "21.3.0");
        assert_eq!(e.available_in, ["20.20.1", "22.10.1", "23.4.1"]);
        assert!(
            e.to_string()
                .contains("only 20.20.1, 22.10.1, 23.4.1 have it")
        );
        assert!(on("23.4.1", &ONLY_20).is_err());
    }

    #[test]
    fn a_generated_line_having_the_item_sends_it() {
        // Any release of the line counts, older or newer than the generated one.
        assert!(on("20.1.0", &NOT_21).is_ok());
        assert!(on("22.99.0", &FROM_22).is_ok());
        assert!(on("certified/20.7-cert5", &ONLY_20).is_ok());
    }

    #[test]
    fn a_later_release_of_a_generated_line_is_trusted() {
        // 21.12.3 was generated: up to it the line lacks the item, after it a
        // backport may have brought it.
        assert!(on("21.12.3", &NOT_21).is_err());
        assert!(on("21.12.2", &NOT_21).is_err());
        assert!(on("21.13.0", &NOT_21).is_ok());
        assert!(on("21.12.4-rc1", &NOT_21).is_ok());
        assert!(on("certified/21.7-cert2", &NOT_21).is_err());
        assert_eq!(
            ServerVersion::parse("certified/20.7-cert5").numbers(),
            Some([20, 7, 0])
        );
        assert_eq!(ServerVersion::parse("GIT-master-1").numbers(), None);
    }

    #[test]
    fn a_newer_line_is_trusted() {
        assert!(on("24.0.0", &ONLY_20).is_ok());
        assert!(on("30.1.2", &NOT_21).is_ok());
    }

    #[test]
    fn an_older_line_is_judged_like_the_oldest_generated_line() {
        assert!(on("18.20.0", &FROM_22).is_err());
        assert!(on("18.20.0", &NOT_21).is_ok());
        assert!(on("16.0.0", &ONLY_20).is_ok());
    }

    #[test]
    fn a_missing_middle_line_or_unknown_version_is_not_checked() {
        let gapped = Availability::new(&["20.20.1"], &["20.20.1", "22.10.1"]);
        assert!(on("21.0.0", &gapped).is_ok());
        assert!(on("22.10.1", &gapped).is_err());
        assert!(on("GIT-master-abc", &ONLY_20).is_ok());
    }

    #[test]
    fn gate_checks_only_when_on_and_known() {
        let gate = VersionGate::default();
        assert!(gate.admit("X", Some(&ONLY_20)).is_ok(), "not learned yet");
        assert!(!gate.is_learned());
        gate.learn(None);
        assert!(gate.is_learned());
        assert!(
            gate.admit("X", Some(&ONLY_20)).is_ok(),
            "server did not say"
        );
        gate.learn(Some(ServerVersion::parse("23.4.1")));
        assert_eq!(gate.server_version().map(|v| v.line()), Some(Some(23)));
        assert!(gate.admit("X", Some(&ONLY_20)).is_err());
        assert!(
            gate.admit("X", None).is_ok(),
            "no availability: in every release"
        );
        assert!(gate.matters(Some(&ONLY_20)) && !gate.matters(None));
        gate.set_enabled(false);
        assert!(gate.admit("X", Some(&ONLY_20)).is_ok());
        assert!(!gate.matters(Some(&ONLY_20)));
    }
}
