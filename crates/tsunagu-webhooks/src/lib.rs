//! Webhooks to a tenant's CRM backend: what is sent, how it is signed, and when it is retried.
//!
//! [`event`] derives the events (`call.ringing`, `call.answered`, `call.ended`, `call.missed`,
//! `wrap_up.saved`) from what the hub and the call log already know: the center's call events and
//! the stitched conversation. [`signature`] signs a body as
//! `Tsunagu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` and verifies
//! such a header in constant time. [`delivery`] names each delivery (stable per event and
//! subscription, so a redelivery repeats its id) and says when the next attempt is due, or that
//! the delivery is a dead letter. [`lookup`] is the live CRM lookup's wire (the signed question
//! at routing time, the bounded answer, a short cache). Nothing here does I/O, reads a clock or draws random bytes.

pub mod delivery;
pub mod event;
pub mod lookup;
pub mod signature;

pub use delivery::{Attempt, RetryPolicy, delivery_id};
pub use event::{EventType, EventTypes, MissedReason, WebhookEvent};
pub use lookup::{CrmCaller, LookupCache, LookupError, LookupRequest, read_reply};
pub use signature::{SignatureError, sign, signature_header, verify};

#[cfg(test)]
mod tests;
