//! A token bucket: how many messages a socket may send, as a rate with a burst, time as an input.

use serde::{Deserialize, Serialize};

/// A rate limit: `per_second` messages on average, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

/// The widget and customer sockets' limit: far above what a person clicking or a WebRTC
/// negotiation sends (a few messages a second, a burst of ICE candidates), far below a flood.
pub const SOCKET_RATE_LIMIT: RateLimit = RateLimit {
    per_second: 20,
    burst: 40,
};

/// What a CRM backend may push to one agent (screen pops, calls on their behalf): thirty at once
/// and two a second after that, more than a person can read, so a runaway integration cannot bury
/// an agent's widget in cards (each agent's bucket is the hub's).
pub const PUSH_RATE_LIMIT: RateLimit = RateLimit {
    per_second: 2,
    burst: 30,
};

/// What a bucket holds between messages: small and `Copy`, so a hibernating socket's
/// attachment can carry it. The default is a bucket last seen at the epoch, hence full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucket {
    /// Thousandths of a message.
    milli: u64,
    /// When `milli` was last brought up to date (ms since the epoch).
    at_ms: u64,
}

impl TokenBucket {
    /// Takes one message's token at `now_ms`; `false` when the sender is over the limit (nothing
    /// is taken then). A clock that goes backwards refills nothing.
    pub fn take(&mut self, limit: RateLimit, now_ms: u64) -> bool {
        let capacity = u64::from(limit.burst).saturating_mul(1000);
        let elapsed = now_ms.saturating_sub(self.at_ms);
        let refill = elapsed.saturating_mul(u64::from(limit.per_second));
        self.milli = self.milli.saturating_add(refill).min(capacity);
        self.at_ms = self.at_ms.max(now_ms);
        if self.milli >= 1000 {
            self.milli -= 1000;
            true
        } else {
            false
        }
    }
}
