//! Delivery ids and the retry schedule.
//!
//! A delivery is one event for one subscription. Its id is derived from both, so redelivering a
//! dead letter (or the outbox retrying after a crash) repeats it and a receiver that keeps the ids
//! it processed never acts twice. Failed attempts back off exponentially (doubling from `base`,
//! capped at `cap`) until `give_up_after` has passed since the first attempt; the last retry is
//! placed exactly at that deadline, and a failure then makes the delivery a dead letter.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::event::hex;

/// `dlv_` and 32 hex digits, the same for the same subscription and event, always.
pub fn delivery_id(subscription_id: &str, event_id: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(subscription_id);
    hash.update([0]);
    hash.update(event_id);
    format!("dlv_{}", hex(&hash.finalize()[..16]))
}

/// When failed attempts are retried, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetryPolicy {
    /// The wait after the first failure (ms); doubled after each further failure.
    pub base_ms: u64,
    /// The longest wait between attempts (ms).
    pub cap_ms: u64,
    /// How long after the first attempt retries stop (ms).
    pub give_up_after_ms: u64,
}

impl RetryPolicy {
    /// 10 s, doubling, at most 1 h apart, for 24 h: about 30 attempts.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        base_ms: 10_000,
        cap_ms: 3_600_000,
        give_up_after_ms: 24 * 3_600_000,
    };

    /// The wait after `failures` failed attempts (`failures >= 1`; 0 is treated as 1).
    pub fn delay_ms(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(1).min(63);
        self.base_ms
            .saturating_mul(1u64 << doublings)
            .min(self.cap_ms)
            .max(1)
    }

    /// What follows the `failures`-th failed attempt at `now_ms`, for a delivery first tried at
    /// `first_attempt_ms`.
    pub fn after_failure(&self, failures: u32, first_attempt_ms: u64, now_ms: u64) -> Attempt {
        let deadline = first_attempt_ms.saturating_add(self.give_up_after_ms);
        if now_ms >= deadline {
            return Attempt::DeadLetter;
        }
        Attempt::RetryAt(now_ms.saturating_add(self.delay_ms(failures)).min(deadline))
    }
}

/// The next step of a delivery that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attempt {
    /// Try again at this time (epoch ms).
    RetryAt(u64),
    /// Stop: kept for an admin to read and redeliver.
    DeadLetter,
}
