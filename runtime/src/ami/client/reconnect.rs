//! [`ReconnectPolicy`]: when and how often the client reconnects after losing the
//! connection.

use std::time::Duration;

/// What the client does after the connection is lost.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReconnectPolicy {
    /// Do not reconnect: the client becomes Closed.
    None,
    /// Wait the same delay before every attempt.
    Fixed {
        /// Delay before each attempt.
        delay: Duration,
        /// Give up after this many failed attempts in a row (`None`: never).
        max_retries: Option<u32>,
    },
    /// Double (times `multiplier`) the delay after each failed attempt, up to `max`,
    /// each delay randomised by ± `jitter` (a fraction, 0.0–1.0).
    Exponential {
        /// Delay before the first attempt.
        initial: Duration,
        /// Upper bound of the delay.
        max: Duration,
        /// Growth factor per attempt.
        multiplier: f64,
        /// Random spread as a fraction of the delay.
        jitter: f64,
        /// Give up after this many failed attempts in a row (`None`: never).
        max_retries: Option<u32>,
    },
}

impl Default for ReconnectPolicy {
    /// Exponential from 100 ms to 30 s, factor 2, jitter 0.2, never giving up.
    fn default() -> Self {
        ReconnectPolicy::Exponential {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.2,
            max_retries: None,
        }
    }
}

impl ReconnectPolicy {
    /// A fixed delay, retrying forever.
    pub fn fixed(delay: Duration) -> Self {
        ReconnectPolicy::Fixed {
            delay,
            max_retries: None,
        }
    }

    /// The delay before attempt number `attempt` (1-based), or `None` to give up.
    pub fn delay(&self, attempt: u32) -> Option<Duration> {
        match self {
            ReconnectPolicy::None => None,
            ReconnectPolicy::Fixed { delay, max_retries } => {
                within(attempt, *max_retries).then_some(*delay)
            }
            ReconnectPolicy::Exponential {
                initial,
                max,
                multiplier,
                jitter,
                max_retries,
            } => {
                if !within(attempt, *max_retries) {
                    return None;
                }
                let exp = multiplier
                    .max(1.0)
                    .powi(attempt.saturating_sub(1).min(64) as i32);
                let base = (initial.as_secs_f64() * exp).min(max.as_secs_f64());
                let j = jitter.clamp(0.0, 1.0);
                let factor = 1.0 + j * (fastrand::f64() * 2.0 - 1.0);
                Some(Duration::from_secs_f64(
                    (base * factor).clamp(0.0, max.as_secs_f64()),
                ))
            }
        }
    }
}

fn within(attempt: u32, max_retries: Option<u32>) -> bool {
    max_retries.is_none_or(|m| attempt <= m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_grows_caps_and_gives_up() {
        let p = ReconnectPolicy::Exponential {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            multiplier: 2.0,
            jitter: 0.0,
            max_retries: Some(5),
        };
        assert_eq!(p.delay(1), Some(Duration::from_millis(100)));
        assert_eq!(p.delay(2), Some(Duration::from_millis(200)));
        assert_eq!(p.delay(5), Some(Duration::from_secs(1)));
        assert_eq!(p.delay(6), None);
        assert_eq!(ReconnectPolicy::None.delay(1), None);
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = ReconnectPolicy::default();
        for _ in 0..100 {
            let d = p.delay(1).unwrap();
            assert!(
                d >= Duration::from_millis(80) && d <= Duration::from_millis(120),
                "{d:?}"
            );
        }
    }
}
