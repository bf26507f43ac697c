//! Stitches Twilio's per-leg call events into one conversation per customer contact.
//!
//! Twilio logs every leg of a call on its own (the caller's leg, each agent's ring, a fallback
//! number), and its callbacks arrive out of order, retried or not at all. The worker turns each
//! callback into a [`CallEvent`] and adds the application's own facts (offers, holds, transfers,
//! wrap-up); [`stitch`] (or the incremental [`Stitcher`]) folds any set of them into
//! [`Conversation`]s. The fold is pure: the same set of events, in any order and with any
//! duplicates, gives the same [`Stitched`] value. What cannot be placed becomes a
//! [`StitchWarning`], never a failure.
//!
//! How legs are tied together:
//! - a leg's `ParentCallSid`, a `<Dial>` action's `DialCallSid` and a recording's `CallSid` link
//!   calls into one tree;
//! - `ConversationStarted` ties the root CallSid to our interaction, and application events name
//!   either the interaction or a call (and may pull in another call, e.g. a transfer's);
//! - an agent's leg is one whose `To` (or, for a call the widget placed, `From`) is
//!   `client:<agent>`; offers are paired with those legs per agent in time order.

mod conversation;
mod event;
mod fold;
mod hash;
mod interval;
mod sid;
mod stitcher;
mod twilio;
mod warning;

pub use conversation::{
    AgentLeg, Conversation, ConversationDirection, ConversationId, ConversationOutcome,
    ExternalLeg, LegOutcome, Recording, RoutingDecision, Transfer, WrapUp,
};
pub use event::{
    AgentResponded, AgentResponse, CallEvent, CallEventKind, CallStatus, ContactRef,
    ConversationStarted, DedupKey, DialResult, DialStatus, EventIdentity, LegDirection, LegStatus,
    Mark, MenuPassed, OfferStep, Offered, Queued, RecordingStatus, RecordingUpdate, Routed,
    TransferTarget, Transferred, WrapUpEnded,
};
pub use sid::{CallSid, RecordingSid};
pub use stitcher::{IngestOutcome, Stitched, Stitcher, stitch};
pub use twilio::{FromTwilioError, dial_result, leg_status, recording_update};
pub use warning::StitchWarning;

#[cfg(test)]
mod tests;
