//! Twilio resource identifiers, re-exported from core where every crate shares them.

pub use tsunagu_core::{CallSid, RecordingSid};
