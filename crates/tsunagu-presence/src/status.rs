//! The vocabulary of presence: statuses, away reasons, offers and widget connections.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::InteractionId;

/// One open widget connection (a browser tab's WebSocket) of the agent. The shell numbers them;
/// the only requirement is that two connections open at the same time never share a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One ring of one interaction at one agent. Routing may ring several agents in turn for the same
/// interaction, and may come back to the same agent later, so the interaction alone is not enough:
/// `attempt` tells a late acknowledgement of an old ring apart from the current one. Carrying the
/// interaction lets `CallConnected(interaction)` be matched against the offer that is ringing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OfferId {
    pub interaction: InteractionId,
    /// Numbered by routing, unique per interaction (1 for the first ring of the interaction).
    pub attempt: u32,
}

impl fmt::Display for OfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.interaction, self.attempt)
    }
}

/// Why an agent is away. Closed on purpose: KPIs and time tracking group by it, so a tenant cannot
/// invent free-text reasons; new ones are added here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AwayReason {
    Break,
    Meeting,
    Lunch,
    Training,
    /// Set by the machine: an offer was not acknowledged by any widget in time (background tab,
    /// dead socket). The agent must come back explicitly, so routing stops losing calls on them.
    MissedOffer,
    /// Set by the machine: an offer rang until the ring timeout without being answered.
    NoAnswer,
    Other,
}

impl AwayReason {
    /// Every reason, in declaration order (for pickers and exhaustive tests).
    pub const ALL: [AwayReason; 7] = [
        AwayReason::Break,
        AwayReason::Meeting,
        AwayReason::Lunch,
        AwayReason::Training,
        AwayReason::MissedOffer,
        AwayReason::NoAnswer,
        AwayReason::Other,
    ];

    /// The reason's stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            AwayReason::Break => "break",
            AwayReason::Meeting => "meeting",
            AwayReason::Lunch => "lunch",
            AwayReason::Training => "training",
            AwayReason::MissedOffer => "missed_offer",
            AwayReason::NoAnswer => "no_answer",
            AwayReason::Other => "other",
        }
    }
}

impl fmt::Display for AwayReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an agent is doing, as supervisors and routing see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Not working: no widget open (after the grace period), or signed off.
    Offline,
    /// Waiting for work; the only status in which an offer is accepted.
    Available,
    /// Working but not taking contacts.
    Away { reason: AwayReason },
    /// An offer is ringing at this agent; nothing else may be offered until it resolves.
    Reserved { offer: OfferId },
    /// Talking to a customer.
    OnCall { interaction: InteractionId },
    /// After-call work (notes, CRM updates) for the interaction that just ended.
    WrapUp { interaction: InteractionId },
}

impl Status {
    /// The status without its identifiers: what time tracking and KPIs group by.
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Offline => StatusKind::Offline,
            Status::Available => StatusKind::Available,
            Status::Away { reason } => StatusKind::Away(*reason),
            Status::Reserved { .. } => StatusKind::Reserved,
            Status::OnCall { .. } => StatusKind::OnCall,
            Status::WrapUp { .. } => StatusKind::WrapUp,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Offline => f.write_str("offline"),
            Status::Available => f.write_str("available"),
            Status::Away { reason } => write!(f, "away ({reason})"),
            Status::Reserved { offer } => write!(f, "reserved for {offer}"),
            Status::OnCall { interaction } => write!(f, "on call {interaction}"),
            Status::WrapUp { interaction } => write!(f, "wrap-up of {interaction}"),
        }
    }
}

/// A [`Status`] without identifiers, but with the away reason kept: break time and missed-offer
/// time are different KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Offline,
    Available,
    Away(AwayReason),
    Reserved,
    OnCall,
    WrapUp,
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKind::Offline => f.write_str("offline"),
            StatusKind::Available => f.write_str("available"),
            StatusKind::Away(reason) => write!(f, "away ({reason})"),
            StatusKind::Reserved => f.write_str("reserved"),
            StatusKind::OnCall => f.write_str("on call"),
            StatusKind::WrapUp => f.write_str("wrap-up"),
        }
    }
}

/// A status an agent (or a tenant's policy) may choose; the others are entered only through
/// offers and calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedStatus {
    Available,
    Away(AwayReason),
    Offline,
}

impl From<RequestedStatus> for Status {
    fn from(requested: RequestedStatus) -> Status {
        match requested {
            RequestedStatus::Available => Status::Available,
            RequestedStatus::Away(reason) => Status::Away { reason },
            RequestedStatus::Offline => Status::Offline,
        }
    }
}

impl fmt::Display for RequestedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Status::from(*self).fmt(f)
    }
}
