//! The token bucket: a burst, then the rate; never more than the two allow.

use proptest::prelude::*;

use crate::{RateLimit, TokenBucket};

const LIMIT: RateLimit = RateLimit {
    per_second: 20,
    burst: 40,
};

#[test]
fn a_burst_then_the_rate() {
    let mut bucket = TokenBucket::default();
    let burst = (0..100).filter(|_| bucket.take(LIMIT, 1_000_000)).count();
    let after_half_a_second = (0..100).filter(|_| bucket.take(LIMIT, 1_000_500)).count();
    assert_eq!((burst, after_half_a_second), (40, 10));
}

proptest! {
    /// Over any run, accepted messages never exceed the burst plus what the rate refilled; and a
    /// sender that keeps to the rate is never refused.
    #[test]
    fn accepted_messages_stay_within_burst_plus_rate(gaps in proptest::collection::vec(0..60_u64, 1..400)) {
        let start = 5_000_000;
        let mut bucket = TokenBucket::default();
        let mut now = start;
        let mut accepted = 0_u64;
        for gap in &gaps {
            now += gap;
            if bucket.take(LIMIT, now) {
                accepted += 1;
            }
            let allowed = u64::from(LIMIT.burst) + (now - start) * u64::from(LIMIT.per_second) / 1000;
            prop_assert!(accepted <= allowed, "{} accepted, {} allowed", accepted, allowed);
        }
        let mut polite = TokenBucket::default();
        let mut now = start;
        for gap in gaps {
            now += gap.max(1000 / u64::from(LIMIT.per_second));
            prop_assert!(polite.take(LIMIT, now));
        }
    }
}
