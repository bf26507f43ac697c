//! What the stitcher could not place or had to guess, reported as values instead of failures.

use serde::{Deserialize, Serialize};
use tsunagu_core::AgentId;

use crate::{CallSid, ContactRef, ConversationId, RecordingSid};

/// An event (or a group of them) that did not fit. Most mean "not yet": the event that would
/// explain them (the root leg's callback, the worker's `ConversationStarted`) has not arrived.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, thiserror::Error,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StitchWarning {
    #[error(
        "leg {call_sid} names parent {parent_call_sid}, but no root leg or conversation start leads to it"
    )]
    UnknownParent {
        call_sid: CallSid,
        parent_call_sid: CallSid,
    },
    #[error(
        "recording {recording_sid} is for call {call_sid}, which belongs to no known conversation"
    )]
    RecordingForUnknownCall {
        recording_sid: RecordingSid,
        call_sid: CallSid,
    },
    #[error("dial result of call {parent_call_sid} belongs to no known conversation")]
    DialResultForUnknownCall {
        parent_call_sid: CallSid,
        dial_call_sid: Option<CallSid>,
    },
    #[error("{event} names {contact}, which belongs to no known conversation")]
    UnknownContact { contact: ContactRef, event: String },
    #[error("leg {call_sid} has no status callback, so who it rang is unknown; it was left out")]
    LegWithoutStatus { call_sid: CallSid },
    #[error(
        "leg {call_sid} rings `{identity}`, which is not an agent's client identity; kept as a number"
    )]
    InvalidClientIdentity { call_sid: CallSid, identity: String },
    #[error("leg {call_sid} rings `{identity}`, another tenant's agent; kept as a number")]
    ForeignClientIdentity { call_sid: CallSid, identity: String },
    #[error("{conversation} was also started as {merged}; both are one conversation")]
    MergedInteractions {
        conversation: ConversationId,
        merged: ConversationId,
    },
    #[error("{conversation}: wrap-up of {agent} has no answered leg to follow; it was left out")]
    WrapUpWithoutAnsweredLeg {
        conversation: ConversationId,
        agent: AgentId,
    },
}
