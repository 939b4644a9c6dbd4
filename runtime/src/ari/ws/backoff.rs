//! Reconnection delays: exponential backoff with jitter.

use std::time::Duration;

/// How the events client reconnects after the socket drops.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// Delay before the first attempt (before jitter).
    pub initial_delay: Duration,
    /// Upper bound of the delay.
    pub max_delay: Duration,
    /// Growth factor between attempts (at least 1).
    pub multiplier: f64,
    /// Fraction of each delay that is random, `0.0..=1.0` (0.5: between half and
    /// the full delay).
    pub jitter: f64,
    /// Give up after this many failed attempts in a row; `None`: never.
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    /// From 250 ms, doubling up to 2 s, with half of each delay random, forever:
    /// after an outage, the client is back within about 2 s of Asterisk's
    /// return (Stasis calls fail while no application is registered).
    fn default() -> Self {
        ReconnectPolicy {
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            multiplier: 2.0,
            jitter: 0.5,
            max_attempts: None,
        }
    }
}

impl ReconnectPolicy {
    /// Exponential backoff from `initial_delay` up to `max_delay`, with the
    /// default multiplier (2), jitter (0.5) and no attempt limit; other fields
    /// can be set afterwards.
    pub fn new(initial_delay: Duration, max_delay: Duration) -> Self {
        ReconnectPolicy {
            initial_delay,
            max_delay,
            ..ReconnectPolicy::default()
        }
    }

    /// Never reconnect: the stream ends after the first disconnection.
    pub fn never() -> Self {
        ReconnectPolicy {
            max_attempts: Some(0),
            ..ReconnectPolicy::default()
        }
    }
}

/// The delays of one reconnection episode.
#[derive(Debug)]
pub(crate) struct Backoff {
    policy: ReconnectPolicy,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(policy: ReconnectPolicy) -> Self {
        Backoff { policy, attempt: 0 }
    }

    /// The delay before the next attempt, or `None` when attempts are used up.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        if self
            .policy
            .max_attempts
            .is_some_and(|max| self.attempt >= max)
        {
            return None;
        }
        let exp = self
            .policy
            .multiplier
            .max(1.0)
            .powi(self.attempt.min(64) as i32);
        self.attempt = self.attempt.saturating_add(1);
        let max = self.policy.max_delay.as_secs_f64();
        let base = (self.policy.initial_delay.as_secs_f64() * exp).min(max);
        let jitter = self.policy.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - jitter * fastrand::f64();
        let secs = (base * factor).clamp(0.0, max.max(0.0));
        Some(Duration::try_from_secs_f64(secs).unwrap_or(self.policy.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_gives_up() {
        let mut b = Backoff::new(ReconnectPolicy {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            multiplier: 2.0,
            jitter: 0.5,
            max_attempts: Some(4),
        });
        let d: Vec<Duration> = std::iter::from_fn(|| b.next_delay()).collect();
        assert_eq!(d.len(), 4);
        assert!(d[0] >= Duration::from_millis(50) && d[0] <= Duration::from_millis(100));
        assert!(d[1] >= Duration::from_millis(100) && d[1] <= Duration::from_millis(200));
        assert!(d[3] >= Duration::from_millis(175) && d[3] <= Duration::from_millis(350));
        assert_eq!(Backoff::new(ReconnectPolicy::never()).next_delay(), None);
    }

    #[test]
    fn the_default_retries_within_two_seconds_forever() {
        let mut b = Backoff::new(ReconnectPolicy::default());
        for _ in 0..1000 {
            let d = b.next_delay().expect("never gives up");
            assert!(d <= Duration::from_secs(2), "{d:?}");
        }
    }
}
