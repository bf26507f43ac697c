//! Shared value types of the Tsunagu domain: identifiers and time, with no I/O and no clock.

mod attributes;
mod channel;
mod client_identity;
mod id;
mod time;

pub use attributes::{
    ATTRIBUTE_KEY_MAX_CHARS, ATTRIBUTE_VALUE_MAX_CHARS, ATTRIBUTES_MAX, AttributeProblem,
    attribute_key, attribute_value, attributes,
};
pub use channel::Channel;
pub use client_identity::{CLIENT_IDENTITY_MAX, ClientIdentity, ClientIdentityError};
pub use id::{
    AgentId, CallSid, CustomerId, IdError, InteractionId, RecordingSid, TeamId, TenantId,
};
pub use time::{Millis, Timestamp};

#[cfg(test)]
mod tests;
