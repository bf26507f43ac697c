//! The stitcher's output: one `Conversation` per customer contact, with every leg that served it.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_routing::Explanation;

use crate::{CallSid, OfferStep, RecordingSid, RecordingStatus, TransferTarget};

/// Names a conversation: our interaction when the worker announced one, else the root CallSid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationId {
    Interaction(InteractionId),
    Call(CallSid),
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversationId::Interaction(id) => write!(f, "interaction:{id}"),
            ConversationId::Call(sid) => write!(f, "call:{sid}"),
        }
    }
}

/// Who started the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationDirection {
    /// The customer reached us.
    Inbound,
    /// An agent (or a dialer on their behalf) reached out to the customer.
    Outbound,
}

/// One customer contact, from arrival to the last agent's wrap-up.
///
/// Times are as reported (Twilio's are whole seconds). Durations:
/// - `talk_time`: summed over agent legs, the time the agent and the customer were both connected,
///   minus hold. Agent-time: if two agents are on the line with the customer, both count; a
///   consult call between agents (see [`AgentLeg::consult`]) counts for neither.
/// - `hold_time`: summed over agent legs, the hold time inside their connected time.
/// - `wrap_up_time`: summed over agent legs, from the leg's end to its `WrapUpEnded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub interaction: Option<InteractionId>,
    pub root_call_sid: Option<CallSid>,
    pub customer: Option<CustomerId>,
    /// The customer's number: the caller of an inbound call, the callee of an outbound one.
    pub customer_number: Option<String>,
    pub channel: Channel,
    pub direction: ConversationDirection,
    /// When the contact center heard of it (its `ConversationStarted`); Twilio's whole-second
    /// times stand in only when that event is missing.
    pub started_at: Timestamp,
    /// When the customer's side ended; `None` while it lasts (or its end was never reported).
    pub ended_at: Option<Timestamp>,
    /// The queue it first waited in.
    pub queue: Option<String>,
    /// Summed time between `Queued` and `Dequeued` (or the answer, or the end).
    pub queue_time: Millis,
    /// Every agent it was offered to, in the order they were tried.
    pub agent_legs: Vec<AgentLeg>,
    /// Legs to numbers that are not agents: backup numbers (fallback), the customer of an
    /// outbound call, a third party.
    pub external_legs: Vec<ExternalLeg>,
    /// Inbound: the first agent who answered. Outbound: the agent who placed the call, once the
    /// customer answered.
    pub answered_by: Option<AgentId>,
    pub answered_at: Option<Timestamp>,
    /// From `started_at` to `answered_at`: what the customer waited, IVR included.
    pub time_to_answer: Option<Millis>,
    /// The team of the answering leg, else of the last offered one.
    pub team: Option<TeamId>,
    pub talk_time: Millis,
    pub hold_time: Millis,
    pub wrap_up_time: Millis,
    pub transfers: Vec<Transfer>,
    pub recordings: Vec<Recording>,
    /// Every routing decision about it, oldest first: where it was offered or queued and why
    /// (the routing audit; for supervisors and admins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<RoutingDecision>,
    /// The labels of the IVR menu's choices and nodes the caller passed (`請求`, `料金チーム`);
    /// absent when the call ran no menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ivr_path: Option<Vec<String>>,
    pub outcome: ConversationOutcome,
}

/// One routing decision about a conversation, with its whole explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingDecision {
    pub at: Timestamp,
    pub explanation: Explanation,
}

impl Conversation {
    /// Talk + hold + wrap-up: the agent effort this contact cost.
    pub fn handle_time(&self) -> Millis {
        self.talk_time + self.hold_time + self.wrap_up_time
    }
}

/// How a contact ended up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConversationOutcome {
    /// Still going, or its end has not been reported yet.
    InProgress,
    /// Inbound: an agent answered. Outbound: the customer answered.
    Answered,
    /// Inbound: the customer hung up before any agent answered.
    Abandoned {
        /// From `started_at` to the end.
        after: Millis,
    },
    /// Inbound: no agent answered and the call was sent to a number that is not an agent (a
    /// backup phone during migration, a company mobile).
    Fallback { number: String, answered: bool },
    /// Outbound: the customer never answered.
    NotReached,
}

/// One attempt to reach one agent: a ring of their widget, or an offer of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentLeg {
    pub agent: AgentId,
    /// The Twilio leg that rang the agent, if there was one and it was reported.
    pub call_sid: Option<CallSid>,
    pub step: Option<OfferStep>,
    pub team: Option<TeamId>,
    /// A leg of a consult call named by a transfer: the agents talked to each other while the
    /// customer was on hold, so it adds no talk or hold time (the holding agent's leg has it).
    pub consult: bool,
    pub offered_at: Option<Timestamp>,
    pub ringing_at: Option<Timestamp>,
    pub outcome: LegOutcome,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub talk_time: Millis,
    pub hold_time: Millis,
    pub wrap_up: Option<WrapUp>,
}

impl AgentLeg {
    /// Talk + hold + wrap-up of this leg.
    pub fn handle_time(&self) -> Millis {
        self.talk_time + self.hold_time + self.wrap_up.as_ref().map_or(Millis(0), |w| w.duration)
    }
}

/// A leg to a number that is not an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalLeg {
    pub call_sid: CallSid,
    pub number: String,
    pub outcome: LegOutcome,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
}

/// How one leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LegOutcome {
    /// No outcome reported yet (still ringing, or the callback is late).
    Pending,
    Answered,
    NoAnswer,
    Busy,
    /// The agent pressed decline.
    Declined,
    Failed,
    /// Hung up while ringing (the caller left, or another leg answered first).
    Canceled,
    /// The widget never acknowledged the ring.
    Missed,
}

/// After-call work of one agent leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUp {
    pub ended_at: Timestamp,
    pub duration: Millis,
    pub disposition: Option<String>,
    pub notes: Option<String>,
}

/// One hand-over within the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub from_agent: Option<AgentId>,
    pub to: TransferTarget,
    pub at: Timestamp,
}

/// A recording of (part of) the conversation, merged from its status callbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub recording_sid: RecordingSid,
    /// The leg Twilio reported it on (the parent leg of the recorded dial).
    pub call_sid: CallSid,
    pub status: RecordingStatus,
    pub url: Option<String>,
    pub duration: Option<Millis>,
    pub channels: Option<u8>,
}
