//! Shared value types of the Tsunagu domain: identifiers and time, with no I/O and no clock.

mod id;
mod time;

pub use id::{AgentId, IdError, TeamId, TenantId};
pub use time::{Millis, Timestamp};

#[cfg(test)]
mod tests;
