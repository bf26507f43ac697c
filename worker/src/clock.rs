//! The shell's clock: the domain takes time as an input, and this is where it comes from.

use tsunagu_core::Timestamp;

/// Milliseconds since 1970 by the Workers clock (it advances only across I/O, by design).
pub(crate) fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

pub(crate) fn now() -> Timestamp {
    Timestamp(now_ms())
}

/// Whole seconds since 1970, the unit of JWT claims.
pub(crate) fn now_unix() -> u64 {
    now_ms() / 1000
}
