//! [`Clock`]: where state machines fed by events read "now" when an event
//! carries no time of its own, so a test or a replay can inject its own time.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The time now.
    fn now(&self) -> SystemTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to: deterministic tests and replays.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Set the clock to `to` (it may go backwards).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Default for ManualClock {
    /// A clock at the Unix epoch.
    fn default() -> Self {
        ManualClock::new(SystemTime::UNIX_EPOCH)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The time of an epoch timestamp in seconds (AMI's `Timestamp` header, e.g.
/// `1795727965.123456`); `None` when it is negative, not finite or out of range.
pub fn from_epoch_seconds(seconds: f64) -> Option<SystemTime> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let since = Duration::try_from_secs_f64(seconds).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::default();
        assert_eq!(clock.now(), SystemTime::UNIX_EPOCH);
        clock.advance(Duration::from_secs(3));
        assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(3));
        clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(1));
        assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(1));
    }

    #[test]
    fn epoch_seconds_are_read_to_the_microsecond() {
        let t = from_epoch_seconds(1_795_727_965.25).unwrap();
        let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(d.as_secs(), 1_795_727_965);
        assert_eq!(d.subsec_millis(), 250);
        assert_eq!(from_epoch_seconds(-1.0), None);
        assert_eq!(from_epoch_seconds(f64::NAN), None);
        assert_eq!(from_epoch_seconds(f64::INFINITY), None);
    }
}
