//! What goes into the presence machine (inputs), what comes out (outputs), and refusals.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{InteractionId, Timestamp};

use crate::{ConnectionId, OfferId, RequestedStatus, Status, StatusKind};

/// Something that happened to the agent, reported by the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// A widget connection (tab) opened. The first one logs an offline agent in.
    Connected(ConnectionId),
    /// A widget connection closed. When none is left, the disconnect grace period starts.
    Disconnected(ConnectionId),
    /// The agent picked a status.
    SetStatus(RequestedStatus),
    /// Routing rings this agent.
    Offer(OfferId),
    /// Routing rings this agent with a web call: like `Offer`, except that its ring running out
    /// unanswered leaves the agent available. Anyone on the internet can place a web call (a bot
    /// holding a line among them), so an unanswered one says nothing about the agent. A missed
    /// one (the widget never acknowledged) still follows the policy: that is the widget's fault.
    WebOffer(OfferId),
    /// The widget shows the ringing offer to the agent.
    OfferAcknowledged(OfferId),
    /// The agent refused the offer.
    OfferDeclined(OfferId),
    /// The offer was withdrawn through no fault of the agent (the caller hung up, another agent
    /// took it).
    OfferCancelled(OfferId),
    /// The phone side reported that the offer rang out before `ring_no_answer` elapsed (Twilio's
    /// `<Dial>` timed out on a routing step shorter than the policy's ring time, or the agent's
    /// leg failed). Treated exactly like the ring timer firing: lost as not answered.
    OfferUnanswered(OfferId),
    /// A call is connected to the agent: the answered offer, or an outbound call they placed.
    CallConnected(InteractionId),
    /// The agent's call ended.
    CallEnded(InteractionId),
    /// The agent finished after-call work before the wrap-up time ran out.
    WrapUpFinished,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Connected(connection) => write!(f, "open connection {connection}"),
            Input::Disconnected(connection) => write!(f, "close connection {connection}"),
            Input::SetStatus(status) => write!(f, "set status {status}"),
            Input::Offer(offer) => write!(f, "offer {offer}"),
            Input::WebOffer(offer) => write!(f, "offer web call {offer}"),
            Input::OfferAcknowledged(offer) => write!(f, "acknowledge offer {offer}"),
            Input::OfferDeclined(offer) => write!(f, "decline offer {offer}"),
            Input::OfferCancelled(offer) => write!(f, "cancel offer {offer}"),
            Input::OfferUnanswered(offer) => write!(f, "report offer {offer} unanswered"),
            Input::CallConnected(interaction) => write!(f, "connect call {interaction}"),
            Input::CallEnded(interaction) => write!(f, "end call {interaction}"),
            Input::WrapUpFinished => f.write_str("finish wrap-up"),
        }
    }
}

/// Something the shell must act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Output {
    /// The agent's status changed at `at`; broadcast it to supervisors and the agent's widgets.
    StatusChanged {
        from: Status,
        to: Status,
        at: Timestamp,
    },
    /// The status `from` of the previous output is over: a closed record for time tracking and
    /// KPIs. Emitted right after every `StatusChanged`.
    IntervalClosed(PresenceInterval),
    /// The offer no longer rings at this agent and nobody took it: routing must move on.
    /// (A cancelled offer produces no `OfferLost`: routing already knows.)
    OfferLost {
        offer: OfferId,
        reason: OfferLostReason,
    },
}

/// Why an offer was lost at this agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OfferLostReason {
    /// No widget acknowledged it within `offer_ack_timeout`.
    NotAcknowledged,
    /// It rang for `ring_no_answer` without being answered.
    NoAnswer,
    /// The agent declined it.
    Declined,
    /// The agent's last widget connection closed while it rang: the browser that was ringing is
    /// gone, so waiting for the timeouts would only keep the caller waiting.
    AgentDisconnected,
}

impl fmt::Display for OfferLostReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OfferLostReason::NotAcknowledged => "not acknowledged",
            OfferLostReason::NoAnswer => "no answer",
            OfferLostReason::Declined => "declined",
            OfferLostReason::AgentDisconnected => "agent disconnected",
        })
    }
}

/// A closed span of time the agent spent in one status: `start` inclusive, `end` exclusive.
/// Consecutive intervals of one agent are contiguous (each starts where the previous ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PresenceInterval {
    pub status_kind: StatusKind,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// An input that does not apply to the agent's current status. The state is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    #[error("connection {connection} is already open")]
    AlreadyConnected { connection: ConnectionId },
    #[error("connection {connection} is not open")]
    UnknownConnection { connection: ConnectionId },
    #[error("cannot offer {offer} while {from}: only an available agent can be offered work")]
    OfferWhileUnavailable { from: Status, offer: OfferId },
    #[error("cannot offer {offer}: the agent has no open widget to ring")]
    OfferWithoutConnection { offer: OfferId },
    #[error("cannot {input} while {from}: that offer is not ringing")]
    UnknownOffer { from: Status, input: Input },
    #[error("cannot connect call {interaction} while {from}")]
    CallWhileBusy {
        from: Status,
        interaction: InteractionId,
    },
    #[error("cannot end call {interaction} while {from}: not on that call")]
    UnknownCall {
        from: Status,
        interaction: InteractionId,
    },
    #[error("cannot finish wrap-up while {from}")]
    NotInWrapUp { from: Status },
    #[error("cannot set status {requested} while {from}: answer or decline the offer first")]
    StatusWhileReserved {
        from: Status,
        requested: RequestedStatus,
    },
}
