//! The stitcher's input: domain events parsed from Twilio callbacks, plus the application's own.
//!
//! The worker turns Twilio's form parameters into these values; nothing here knows about HTTP.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Millis, TeamId, Timestamp};

use tsunagu_routing::Explanation;

use crate::{CallSid, ConversationDirection, RecordingSid};

/// One fact about a customer contact, as delivered (possibly late, possibly twice).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CallEvent {
    /// The delivery's idempotency token when there is one: Twilio's `I-Twilio-Idempotency-Token`
    /// header (shared by the retries of one webhook delivery) or the application's own event id.
    /// Only used for kinds without a natural key; see [`CallEvent::identity`].
    pub dedup_key: Option<DedupKey>,
    pub kind: CallEventKind,
}

/// An opaque de-duplication token (see [`CallEvent::dedup_key`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DedupKey(pub String);

/// What happened. Twilio callbacks first, then events only the application knows about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallEventKind {
    /// Ties the root CallSid (if any) to our interaction and customer. Emitted by the worker when
    /// it first answers the call (or opens a chat).
    ConversationStarted(ConversationStarted),
    /// A Twilio call status callback for one leg.
    LegStatus(LegStatus),
    /// A Twilio `<Dial action>` callback.
    DialResult(DialResult),
    /// A Twilio recording status callback.
    Recording(RecordingUpdate),
    /// Routing offered the contact to an agent (rang their widget).
    Offered(Offered),
    /// The widget or the router closed an offer: accepted, declined, not acknowledged, ...
    AgentResponded(AgentResponded),
    /// The contact entered a waiting queue.
    Queued(Queued),
    /// The contact left the waiting queue (to an agent, or because it was withdrawn).
    Dequeued(Mark),
    /// An agent put the customer on hold.
    Hold(Mark),
    /// An agent took the customer off hold.
    Unhold(Mark),
    /// An agent handed the contact on.
    Transferred(Transferred),
    /// An agent finished the after-call work of this contact.
    WrapUpEnded(WrapUpEnded),
    /// The application closed the contact (a chat ended; a voice call's end usually comes from
    /// Twilio instead and wins).
    Ended(Mark),
    /// Routing decided where the contact goes next (an offer or a place in line), and why: the
    /// routing audit.
    Routed(Routed),
    /// The caller finished the line's IVR menu: the labels of the choices and nodes passed.
    MenuPassed(MenuPassed),
}

/// Which contact an application event is about: our interaction, or a Twilio call of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRef {
    Interaction(InteractionId),
    Call(CallSid),
}

impl fmt::Display for ContactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactRef::Interaction(id) => write!(f, "interaction {id}"),
            ContactRef::Call(sid) => write!(f, "call {sid}"),
        }
    }
}

/// See [`CallEventKind::ConversationStarted`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConversationStarted {
    pub interaction: InteractionId,
    /// The first Twilio leg (no `ParentCallSid`); `None` on channels without Twilio.
    pub root_call_sid: Option<CallSid>,
    /// The CRM customer, once the number was looked up.
    pub customer: Option<CustomerId>,
    /// The customer's E.164 number: the caller of an inbound call, the callee of an outbound one.
    pub customer_number: Option<String>,
    pub channel: Channel,
    pub direction: ConversationDirection,
    pub at: Timestamp,
}

/// See [`CallEventKind::LegStatus`]. Field names follow Twilio's parameters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LegStatus {
    pub call_sid: CallSid,
    /// `ParentCallSid`: absent on the first leg of a call.
    pub parent_call_sid: Option<CallSid>,
    pub direction: LegDirection,
    /// `From`: E.164, or `client:<agent>` for a leg started by the Voice SDK.
    pub from: String,
    /// `To`: E.164, or `client:<agent>` for a leg that rings an agent's widget.
    pub to: String,
    pub status: CallStatus,
    /// `SequenceNumber`: starts at 0 per call; delivery order is not guaranteed.
    pub sequence_number: Option<u32>,
    /// Twilio's `Timestamp` parameter (RFC 2822, whole seconds), or the receive time without it.
    pub at: Timestamp,
    /// `CallDuration` (seconds, converted), sent with terminal statuses only.
    pub call_duration: Option<Millis>,
}

/// See [`CallEventKind::DialResult`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DialResult {
    /// The `CallSid` of the action request: the leg that executed `<Dial>`.
    pub parent_call_sid: CallSid,
    /// `DialCallSid`: the dialled leg (absent for conferences).
    pub dial_call_sid: Option<CallSid>,
    pub dial_status: DialStatus,
    /// `DialCallDuration` (seconds, converted).
    pub dial_call_duration: Option<Millis>,
    pub at: Timestamp,
}

/// See [`CallEventKind::Recording`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordingUpdate {
    /// Always the parent leg of a two-leg call (Twilio's rule), so it finds the conversation.
    pub call_sid: CallSid,
    pub recording_sid: RecordingSid,
    pub status: RecordingStatus,
    /// `RecordingDuration` (seconds, converted), present when completed.
    pub duration: Option<Millis>,
    /// `RecordingChannels`: 1, or 2 for dual-channel (caller and agent apart).
    pub channels: Option<u8>,
    pub url: Option<String>,
    pub at: Timestamp,
}

/// See [`CallEventKind::Offered`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Offered {
    pub contact: ContactRef,
    /// The CallSid of the leg that rings the agent, when the worker already knows it.
    pub leg_call_sid: Option<CallSid>,
    pub agent: AgentId,
    /// The team routing offered it for, if the step was team-based.
    pub team: Option<TeamId>,
    pub step: OfferStep,
    pub at: Timestamp,
}

/// One routing decision about a contact and its whole explanation (steps tried, who was skipped
/// and why, what was concluded).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Routed {
    pub contact: ContactRef,
    pub at: Timestamp,
    pub explanation: Explanation,
}

/// See [`CallEventKind::MenuPassed`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MenuPassed {
    pub contact: ContactRef,
    pub at: Timestamp,
    /// `請求`, `料金チーム`: what the screen pop shows as `IVR: 請求 → 料金チーム`.
    pub path: Vec<String>,
}

/// Why routing picked an agent: owner first, then the owner's team, then anyone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OfferStep {
    Owner,
    Team,
    Anyone,
    Queue,
    Transfer,
    /// Dialled by name or extension.
    Direct,
    Other(String),
}

/// See [`CallEventKind::AgentResponded`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AgentResponded {
    pub contact: ContactRef,
    pub leg_call_sid: Option<CallSid>,
    pub agent: AgentId,
    pub response: AgentResponse,
    pub at: Timestamp,
}

/// How an offer to an agent closed, as only the application can tell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentResponse {
    /// The agent took it (for voice, Twilio's `in-progress` says the same and wins on time).
    Accepted,
    /// The agent pressed decline.
    Declined,
    /// The widget showed the ring but nobody took it before the timeout.
    NoAnswer,
    /// The widget never acknowledged the ring (a throttled background tab, a closed laptop), so
    /// routing moved on.
    Missed,
}

/// See [`CallEventKind::Queued`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Queued {
    pub contact: ContactRef,
    /// The queue's name, for per-queue KPIs.
    pub queue: Option<String>,
    pub at: Timestamp,
}

/// Something happened to a contact at a time; the variant of [`CallEventKind`] says what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mark {
    pub contact: ContactRef,
    pub at: Timestamp,
}

/// See [`CallEventKind::Transferred`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Transferred {
    pub contact: ContactRef,
    pub from_agent: Option<AgentId>,
    pub to: TransferTarget,
    /// A call the transfer created outside this contact's call tree (for example an agent's
    /// consult call); naming it pulls its legs into this conversation.
    pub new_call_sid: Option<CallSid>,
    pub at: Timestamp,
}

/// Where a transfer sends the contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransferTarget {
    Agent(AgentId),
    Team(TeamId),
    Queue(String),
    /// An external E.164 number.
    Number(String),
}

impl fmt::Display for TransferTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferTarget::Agent(agent) => write!(f, "agent {agent}"),
            TransferTarget::Team(team) => write!(f, "team {team}"),
            TransferTarget::Queue(queue) => write!(f, "queue {queue}"),
            TransferTarget::Number(number) => write!(f, "number {number}"),
        }
    }
}

/// See [`CallEventKind::WrapUpEnded`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WrapUpEnded {
    pub contact: ContactRef,
    pub agent: AgentId,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    pub at: Timestamp,
}

/// Twilio's `Direction` of a leg.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegDirection {
    Inbound,
    OutboundApi,
    OutboundDial,
    /// Anything else (`trunking-originating`, ...), kept verbatim.
    Other(String),
}

impl LegDirection {
    /// Parses Twilio's spelling (`inbound`, `outbound-api`, `outbound-dial`).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "inbound" => Self::Inbound,
            "outbound-api" => Self::OutboundApi,
            "outbound-dial" => Self::OutboundDial,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// Twilio's `CallStatus`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    /// Answered (Twilio reports the `answered` event as `in-progress`).
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
    /// A value this code does not know, kept verbatim.
    Unknown(String),
}

impl CallStatus {
    /// Parses Twilio's spelling (`queued`, `in-progress`, `no-answer`, ...).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "queued" => Self::Queued,
            "initiated" => Self::Initiated,
            "ringing" => Self::Ringing,
            "in-progress" => Self::InProgress,
            "completed" => Self::Completed,
            "busy" => Self::Busy,
            "failed" => Self::Failed,
            "no-answer" => Self::NoAnswer,
            "canceled" => Self::Canceled,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The leg is over (Twilio's `completed` event covers all of these).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer | Self::Canceled
        )
    }
}

/// Twilio's `DialCallStatus`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialStatus {
    Completed,
    /// Conferences only.
    Answered,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
    Unknown(String),
}

impl DialStatus {
    /// Parses Twilio's spelling (`completed`, `no-answer`, ...).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "completed" => Self::Completed,
            "answered" => Self::Answered,
            "busy" => Self::Busy,
            "no-answer" => Self::NoAnswer,
            "failed" => Self::Failed,
            "canceled" => Self::Canceled,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// Twilio's `RecordingStatus`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    InProgress,
    Completed,
    /// Nothing was recorded (for example the call was never answered).
    Absent,
    Unknown(String),
}

impl RecordingStatus {
    /// Parses Twilio's spelling (`in-progress`, `completed`, `absent`).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "in-progress" => Self::InProgress,
            "completed" => Self::Completed,
            "absent" => Self::Absent,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// How final a status is: a later callback may only move a recording forward.
    pub(crate) fn finality(&self) -> u8 {
        match self {
            Self::Unknown(_) => 0,
            Self::InProgress => 1,
            Self::Absent => 2,
            Self::Completed => 3,
        }
    }
}

/// What makes two deliveries "the same event". Chosen in this order:
///
/// 1. A natural key Twilio guarantees unique, independent of how the event reached us:
///    status callbacks by `(CallSid, CallStatus, SequenceNumber)` (Twilio's documented key),
///    recording callbacks by `(RecordingSid, RecordingStatus)`, dial action callbacks by
///    `(CallSid, DialCallSid)` (one action request per `<Dial>`).
/// 2. Otherwise the [`CallEvent::dedup_key`] (a retried webhook repeats its idempotency token; the
///    application gives its own events an id).
/// 3. Otherwise the whole event: only exact repeats are duplicates.
///
/// Among deliveries with the same identity the stitcher keeps the canonically first one (earliest
/// `at`, then the derived order), so which copy arrived first never matters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventIdentity {
    LegStatus {
        call_sid: CallSid,
        status: CallStatus,
        sequence_number: Option<u32>,
    },
    Recording {
        recording_sid: RecordingSid,
        status: RecordingStatus,
    },
    DialResult {
        parent_call_sid: CallSid,
        dial_call_sid: CallSid,
    },
    Token(DedupKey),
    Content(CallEventKind),
}

/// [`EventIdentity`], borrowed: equal exactly when the owned identities are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum IdentityRef<'a> {
    LegStatus(&'a CallSid, &'a CallStatus, Option<u32>),
    Recording(&'a RecordingSid, &'a RecordingStatus),
    DialResult(&'a CallSid, &'a CallSid),
    Token(&'a DedupKey),
    Content(&'a CallEventKind),
}

impl CallEvent {
    /// An event without a token (its identity is its natural key or its content).
    pub fn new(kind: CallEventKind) -> Self {
        Self {
            dedup_key: None,
            kind,
        }
    }

    /// This event's de-duplication identity; see [`EventIdentity`].
    pub fn identity(&self) -> EventIdentity {
        match self.identity_ref() {
            IdentityRef::LegStatus(call_sid, status, sequence_number) => EventIdentity::LegStatus {
                call_sid: call_sid.clone(),
                status: status.clone(),
                sequence_number,
            },
            IdentityRef::Recording(recording_sid, status) => EventIdentity::Recording {
                recording_sid: recording_sid.clone(),
                status: status.clone(),
            },
            IdentityRef::DialResult(parent_call_sid, dial_call_sid) => EventIdentity::DialResult {
                parent_call_sid: parent_call_sid.clone(),
                dial_call_sid: dial_call_sid.clone(),
            },
            IdentityRef::Token(key) => EventIdentity::Token(key.clone()),
            IdentityRef::Content(kind) => EventIdentity::Content(kind.clone()),
        }
    }

    /// [`CallEvent::identity`] without copying: the batch path de-duplicates with it.
    pub(crate) fn identity_ref(&self) -> IdentityRef<'_> {
        match &self.kind {
            CallEventKind::LegStatus(leg) => {
                IdentityRef::LegStatus(&leg.call_sid, &leg.status, leg.sequence_number)
            }
            CallEventKind::Recording(rec) => {
                IdentityRef::Recording(&rec.recording_sid, &rec.status)
            }
            CallEventKind::DialResult(DialResult {
                parent_call_sid,
                dial_call_sid: Some(dial_call_sid),
                ..
            }) => IdentityRef::DialResult(parent_call_sid, dial_call_sid),
            kind => match &self.dedup_key {
                Some(key) => IdentityRef::Token(key),
                None => IdentityRef::Content(kind),
            },
        }
    }

    /// When it happened (by the clock of whoever reported it).
    pub fn at(&self) -> Timestamp {
        match &self.kind {
            CallEventKind::ConversationStarted(e) => e.at,
            CallEventKind::LegStatus(e) => e.at,
            CallEventKind::DialResult(e) => e.at,
            CallEventKind::Recording(e) => e.at,
            CallEventKind::Offered(e) => e.at,
            CallEventKind::AgentResponded(e) => e.at,
            CallEventKind::Queued(e) => e.at,
            CallEventKind::Transferred(e) => e.at,
            CallEventKind::WrapUpEnded(e) => e.at,
            CallEventKind::Dequeued(e)
            | CallEventKind::Hold(e)
            | CallEventKind::Unhold(e)
            | CallEventKind::Ended(e) => e.at,
            CallEventKind::Routed(e) => e.at,
            CallEventKind::MenuPassed(e) => e.at,
        }
    }

    /// The canonical order every computation walks events in: by time, then by content. Total,
    /// so the stitcher's output cannot depend on arrival order.
    pub fn canonical_cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at(), self).cmp(&(other.at(), other))
    }
}

impl From<CallEventKind> for CallEvent {
    fn from(kind: CallEventKind) -> Self {
        Self::new(kind)
    }
}
