//! [`deadline_after`]: a deadline `Duration` from now that never overflows.

use std::time::Duration;
use tokio::time::Instant;

/// About 30 years: how far a deadline goes when `Instant::now() + after`
/// cannot be represented (e.g. `Duration::MAX` given as "never").
const FAR: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 30);

/// The instant `after` from now. A duration too large for an [`Instant`]
/// (such as [`Duration::MAX`]) saturates to a deadline decades away instead
/// of panicking as `Instant::now() + after` would.
pub fn deadline_after(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .or_else(|| now.checked_add(FAR))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_duration_saturates_to_a_far_deadline() {
        let before = Instant::now();
        let at = deadline_after(Duration::MAX);
        assert!(at >= before + FAR, "decades away, not now");
        let soon = deadline_after(Duration::from_secs(1));
        assert!(soon >= before + Duration::from_secs(1) && soon < at);
    }
}
