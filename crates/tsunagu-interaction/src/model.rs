//! The values an interaction is made of: its state, its offers, its transfers and its timeline.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Millis, TeamId, Timestamp};

/// A phone number outside the contact center (a fallback phone, another office), in E.164.
///
/// Only the shape is checked here (`+` and 2 to 15 digits, not starting with 0); the worker
/// validates numbers against the numbering plan with `tsunagu-phone` before they get this far.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalNumber(String);

/// The string given as an [`ExternalNumber`] is not shaped like E.164.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an external number must be `+` and 2 to 15 digits (E.164)")]
pub struct InvalidExternalNumber;

impl ExternalNumber {
    pub fn new(e164: impl Into<String>) -> Result<Self, InvalidExternalNumber> {
        let e164 = e164.into();
        let digits = e164.strip_prefix('+').ok_or(InvalidExternalNumber)?;
        let shaped = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !shaped {
            return Err(InvalidExternalNumber);
        }
        Ok(Self(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalNumber {
    type Error = InvalidExternalNumber;
    fn try_from(e164: String) -> Result<Self, InvalidExternalNumber> {
        Self::new(e164)
    }
}

impl From<ExternalNumber> for String {
    fn from(number: ExternalNumber) -> String {
        number.0
    }
}

impl fmt::Display for ExternalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a transfer should take the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TransferTarget {
    /// One named agent: only they may be offered the transfer.
    Agent(AgentId),
    /// Any agent of a team; routing picks who (membership is routing's business, not ours).
    Team(TeamId),
    /// A phone outside the contact center; the interaction ends when it answers.
    Number(ExternalNumber),
}

impl fmt::Display for TransferTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferTarget::Agent(agent) => write!(f, "agent:{agent}"),
            TransferTarget::Team(team) => write!(f, "team:{team}"),
            TransferTarget::Number(number) => write!(f, "number:{number}"),
        }
    }
}

/// How far an in-call transfer has got while the transferring agent still has the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "leg", rename_all = "snake_case")]
pub enum TransferLeg {
    /// Requested: routing is looking for an agent of the target, or the external number is
    /// being dialled.
    Pending,
    /// The target agent's phone is ringing.
    Offered { agent: AgentId, step: u32 },
    /// The target agent said yes; their media is connecting. When it connects they take over.
    Accepted { agent: AgentId },
}

/// Who ended a completed interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "party", content = "agent", rename_all = "snake_case")]
pub enum EndedBy {
    Customer,
    Agent(AgentId),
}

/// Where an interaction is. Exactly one at a time; the last four are terminal and absorb every
/// further event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting for routing to offer it to an agent.
    Queued,
    /// Ringing one agent. `step` is the routing plan's step that chose them (owner, team,
    /// anyone...), kept so the log can say why the call went where it went.
    Offered { agent: AgentId, step: u32 },
    /// The agent said yes; their media (the softphone leg, the chat window) is connecting.
    Accepted { agent: AgentId },
    /// The agent and the customer are talking (or chatting). `transfer` is an in-call transfer
    /// in progress, if any.
    Connected {
        agent: AgentId,
        transfer: Option<TransferLeg>,
    },
    /// As `Connected`, with the customer on hold.
    Held {
        agent: AgentId,
        transfer: Option<TransferLeg>,
    },
    /// Ended after an agent had connected.
    Completed { by: EndedBy },
    /// The customer left before any agent connected.
    Abandoned,
    /// Sent to a fallback number (no agent answered, or the cloud path failed) while no agent
    /// was connected; the fallback phone takes it from there.
    FellBack { number: ExternalNumber },
    /// Transferred by an agent to an external number, which answered.
    TransferredOut { number: ExternalNumber },
}

/// The coarse phase of an interaction: every state is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Queued,
    /// Offered or accepted: an agent is involved but not yet connected.
    Offered,
    Connected,
    Held,
    Ended,
}

impl State {
    pub fn phase(&self) -> Phase {
        match self {
            State::Queued => Phase::Queued,
            State::Offered { .. } | State::Accepted { .. } => Phase::Offered,
            State::Connected { .. } => Phase::Connected,
            State::Held { .. } => Phase::Held,
            State::Completed { .. }
            | State::Abandoned
            | State::FellBack { .. }
            | State::TransferredOut { .. } => Phase::Ended,
        }
    }

    pub fn is_ended(&self) -> bool {
        self.phase() == Phase::Ended
    }

    /// The agent talking to the customer, if any.
    pub fn connected_agent(&self) -> Option<&AgentId> {
        match self {
            State::Connected { agent, .. } | State::Held { agent, .. } => Some(agent),
            _ => None,
        }
    }

    /// The state's name, as used in logs and rejections.
    pub fn name(&self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Offered { .. } => "offered",
            State::Accepted { .. } => "accepted",
            State::Connected { .. } => "connected",
            State::Held { .. } => "held",
            State::Completed { .. } => "completed",
            State::Abandoned => "abandoned",
            State::FellBack { .. } => "fell_back",
            State::TransferredOut { .. } => "transferred_out",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (agent, transfer) = match self {
            State::Queued | State::Abandoned => return f.write_str(self.name()),
            State::Offered { agent, step } => return write!(f, "offered {agent} step={step}"),
            State::Accepted { agent } => return write!(f, "accepted {agent}"),
            State::Completed {
                by: EndedBy::Customer,
            } => {
                return f.write_str("completed by customer");
            }
            State::Completed {
                by: EndedBy::Agent(agent),
            } => return write!(f, "completed by {agent}"),
            State::FellBack { number } => return write!(f, "fell back to {number}"),
            State::TransferredOut { number } => return write!(f, "transferred out to {number}"),
            State::Connected { agent, transfer } | State::Held { agent, transfer } => {
                (agent, transfer)
            }
        };
        write!(f, "{} {agent}", self.name())?;
        match transfer {
            None => Ok(()),
            Some(TransferLeg::Pending) => f.write_str(" (transfer pending)"),
            Some(TransferLeg::Offered { agent, step }) => {
                write!(f, " (transfer offered {agent} step={step})")
            }
            Some(TransferLeg::Accepted { agent }) => write!(f, " (transfer accepted {agent})"),
        }
    }
}

/// How an offer to an agent ended. `Pending` until decided; decided exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferOutcome {
    /// Still ringing.
    Pending,
    Accepted,
    /// The agent pressed decline.
    Declined,
    /// Rang until the ring timeout.
    NoAnswer,
    /// The agent's widget never confirmed it was ringing (a throttled background tab, a closed
    /// laptop), so routing moved on rather than let the call ring into the void.
    NotAcknowledged,
    /// Withdrawn by us: the customer hung up, routing withdrew it, or a transfer was cancelled.
    Cancelled,
}

impl OfferOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferOutcome::Pending => "pending",
            OfferOutcome::Accepted => "accepted",
            OfferOutcome::Declined => "declined",
            OfferOutcome::NoAnswer => "no-answer",
            OfferOutcome::NotAcknowledged => "not-acknowledged",
            OfferOutcome::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for OfferOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One offer of the interaction to one agent, kept for the call log and for "why did the call
/// go where it went".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRecord {
    pub agent: AgentId,
    /// The routing plan's step that chose this agent.
    pub step: u32,
    /// The offer was part of a transfer (the agent would take over from a colleague).
    pub via_transfer: bool,
    pub offered_at: Timestamp,
    pub outcome: OfferOutcome,
    /// When the outcome was decided; `None` while pending.
    pub decided_at: Option<Timestamp>,
    /// When this agent's media connected. An accepted offer that never connected is a lost
    /// leg (the softphone failed after saying yes).
    pub connected_at: Option<Timestamp>,
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferOutcome {
    Pending,
    /// The target took the customer over.
    Completed,
    /// Cancelled by the agent or the shell (nobody in the target answered), or superseded by a
    /// fallback.
    Cancelled,
    /// The customer hung up before the target took over.
    CustomerLeft,
}

impl fmt::Display for TransferOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransferOutcome::Pending => "pending",
            TransferOutcome::Completed => "completed",
            TransferOutcome::Cancelled => "cancelled",
            TransferOutcome::CustomerLeft => "customer-left",
        })
    }
}

/// One in-call transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRecord {
    /// The agent who asked for the transfer.
    pub from: AgentId,
    pub to: TransferTarget,
    pub requested_at: Timestamp,
    pub outcome: TransferOutcome,
    pub decided_at: Option<Timestamp>,
    /// The agent who took over, when the target was an agent or a team and it completed.
    pub handed_to: Option<AgentId>,
}

/// The moments the KPIs are computed from (ASA, hold time, handle time, abandonment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub arrived_at: Timestamp,
    pub first_offered_at: Option<Timestamp>,
    /// When the first agent connected: the answer time.
    pub connected_at: Option<Timestamp>,
    /// Hold time of finished holds.
    pub hold_total: Millis,
    /// Start of the current hold, while held.
    pub held_since: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// The (clamped) time of the last accepted event; later events never record earlier times.
    pub last_event_at: Timestamp,
}

impl Timeline {
    /// Total hold time including a hold still in progress at `now`.
    pub fn hold_total_at(&self, now: Timestamp) -> Millis {
        let current = self
            .held_since
            .map_or(Millis(0), |since| now.saturating_since(since));
        self.hold_total + current
    }
}
