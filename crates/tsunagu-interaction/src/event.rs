//! What can happen to an interaction (events in), what came of it (changes out), and refusals.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CustomerId, Millis};

use crate::{ExternalNumber, OfferOutcome, TransferOutcome, TransferTarget};

/// Something that happened to the contact, as the shell learned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// Routing rings `agent`, chosen by step `step` of its plan. While a transfer is pending,
    /// this is the transfer's offer.
    Offer {
        agent: AgentId,
        step: u32,
    },
    /// The offered agent said yes.
    Accept {
        agent: AgentId,
    },
    /// The offered agent said no.
    Decline {
        agent: AgentId,
    },
    /// The ring timed out.
    NoAnswer {
        agent: AgentId,
    },
    /// The agent's widget did not acknowledge the ring in time.
    NotAcknowledged {
        agent: AgentId,
    },
    /// Routing withdrew the offer (the agent went offline, a better match appeared).
    WithdrawOffer {
        agent: AgentId,
    },
    /// The accepted agent's media never connected (their leg failed or was dropped).
    ConnectFailed {
        agent: AgentId,
    },
    /// The agent's media connected: they are now with the customer. From `Offered` this also
    /// counts as the accept (a softphone answer is both).
    Connected {
        agent: AgentId,
    },
    Hold {
        agent: AgentId,
    },
    Resume {
        agent: AgentId,
    },
    /// The connected agent asks to hand the customer to `to`.
    RequestTransfer {
        by: AgentId,
        to: TransferTarget,
    },
    /// The pending transfer is called off (by the agent, or by the shell when nobody in the
    /// target answered); any ringing transfer offer is cancelled.
    CancelTransfer,
    /// The external number of a pending transfer answered.
    ExternalAnswered,
    /// The connected agent hung up (or closed the conversation). With a transfer pending this is
    /// a blind transfer: the customer waits for the target.
    AgentHungUp {
        agent: AgentId,
    },
    /// The customer hung up (or left the chat).
    CustomerHungUp,
    /// The shell sent the contact to a fallback number (nobody answered, the cloud path failed).
    FallBack {
        number: ExternalNumber,
    },
    /// The CRM lookup (or the agent) identified the customer.
    IdentifyCustomer {
        customer: CustomerId,
    },
}

impl Event {
    /// The event's name, as used in logs and rejections.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Offer { .. } => "offer",
            Event::Accept { .. } => "accept",
            Event::Decline { .. } => "decline",
            Event::NoAnswer { .. } => "no_answer",
            Event::NotAcknowledged { .. } => "not_acknowledged",
            Event::WithdrawOffer { .. } => "withdraw_offer",
            Event::ConnectFailed { .. } => "connect_failed",
            Event::Connected { .. } => "connected",
            Event::Hold { .. } => "hold",
            Event::Resume { .. } => "resume",
            Event::RequestTransfer { .. } => "request_transfer",
            Event::CancelTransfer => "cancel_transfer",
            Event::ExternalAnswered => "external_answered",
            Event::AgentHungUp { .. } => "agent_hung_up",
            Event::CustomerHungUp => "customer_hung_up",
            Event::FallBack { .. } => "fall_back",
            Event::IdentifyCustomer { .. } => "identify_customer",
        }
    }
}

/// What an accepted event changed, for the shell to act on, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// An offer was recorded: ring the agent.
    OfferOpened {
        agent: AgentId,
        step: u32,
    },
    /// An offer was decided. `Cancelled` means the agent's phone must stop ringing.
    OfferClosed {
        agent: AgentId,
        outcome: OfferOutcome,
    },
    /// The agent is now with the customer (presence: busy on this channel).
    AgentJoined {
        agent: AgentId,
    },
    /// The agent is no longer with the customer (presence: wrap-up, then free).
    AgentLeft {
        agent: AgentId,
    },
    HoldStarted,
    /// A hold ended after `held`.
    HoldEnded {
        held: Millis,
    },
    TransferRequested {
        from: AgentId,
        to: TransferTarget,
    },
    TransferClosed {
        outcome: TransferOutcome,
    },
    /// Nobody is offered or connecting: routing must offer the next agent, of `transfer_to` when
    /// a transfer to an agent or team is pending.
    NeedsAgent {
        transfer_to: Option<TransferTarget>,
    },
    CustomerIdentified {
        customer: CustomerId,
    },
    /// The interaction reached a terminal state; write the final log record.
    Ended,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::OfferOpened { agent, step } => write!(f, "ring {agent} step={step}"),
            Change::OfferClosed { agent, outcome } => write!(f, "offer {agent} {outcome}"),
            Change::AgentJoined { agent } => write!(f, "{agent} joined"),
            Change::AgentLeft { agent } => write!(f, "{agent} left"),
            Change::HoldStarted => f.write_str("hold started"),
            Change::HoldEnded { held } => write!(f, "hold ended after {held}"),
            Change::TransferRequested { from, to } => write!(f, "transfer {from} -> {to}"),
            Change::TransferClosed { outcome } => write!(f, "transfer {outcome}"),
            Change::NeedsAgent { transfer_to: None } => f.write_str("needs agent"),
            Change::NeedsAgent {
                transfer_to: Some(target),
            } => write!(f, "needs agent of {target}"),
            Change::CustomerIdentified { customer } => write!(f, "customer {customer}"),
            Change::Ended => f.write_str("ended"),
        }
    }
}

/// Why an event makes no sense in the interaction's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RejectReason {
    #[error("the interaction has already ended")]
    AlreadyEnded,
    #[error("an offer to {agent} is still open")]
    OfferOpen { agent: AgentId },
    #[error("{agent} is already connected")]
    AlreadyConnected { agent: AgentId },
    #[error("{agent} has no open offer")]
    NotOffered { agent: AgentId },
    #[error("{agent} has not accepted an offer")]
    NotAccepted { agent: AgentId },
    #[error("{agent} is not the connected agent")]
    NotConnectedAgent { agent: AgentId },
    #[error("no agent is connected")]
    NoAgentConnected,
    #[error("the customer is already on hold")]
    AlreadyHeld,
    #[error("the customer is not on hold")]
    NotHeld,
    #[error("a transfer is already in progress")]
    TransferInProgress,
    #[error("no transfer is in progress")]
    NoTransfer,
    #[error("an agent cannot transfer to themselves")]
    TransferToSelf,
    #[error("the transfer in progress is addressed to {target}")]
    TransferTargetMismatch { target: TransferTarget },
    #[error("an agent is already connected; transfer to a number instead")]
    FallBackAfterConnect,
}

/// An event refused by [`Interaction::handle`](crate::Interaction::handle); the interaction is
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} rejected while {state}: {reason}")]
pub struct Rejected {
    /// [`Event::name`] of the refused event.
    pub event: &'static str,
    /// [`State::name`](crate::State::name) of the state that refused it.
    pub state: &'static str,
    pub reason: RejectReason,
}
