//! The life of one customer contact (voice first; chat, SMS, LINE and email alike) as a sans-IO state machine.
//!
//! An [`Interaction`] is created when a contact [arrives](Interaction::arrive) and is driven by
//! [`Interaction::handle`]`(now, event)`: the shell (the interaction's Durable Object) turns
//! Twilio callbacks, widget clicks and routing decisions into [`Event`]s, persists the
//! interaction after every accepted event, and acts on the returned [`Change`]s (ring or stop
//! ringing an agent, update presence, ask routing for the next agent, write the call log).
//! Time is always an input; the machine never reads a clock, never does I/O and never panics.
//!
//! # Contract of `handle`
//!
//! * `Ok(changes)`: the event was applied; `changes` lists, in order, what happened.
//! * `Err(Rejected)`: the event makes no sense in the current state (hold while queued, an
//!   accept by an agent who was not offered, anything after the end). The interaction is left
//!   exactly as it was, so a duplicated or late webhook is harmless.
//! * `now` earlier than the last accepted event (clocks of different machines disagree) is
//!   treated as the time of the last event, so recorded timestamps never run backwards.
//!
//! # Transfers
//!
//! A transfer keeps the same interaction going with a new agent. While the transferring agent
//! (A) still has the customer, the transfer's progress is a [`TransferLeg`] inside A's state:
//! `Connected { A, transfer: Some(Pending) }` → routing offers B → `Connected { A, transfer:
//! Some(Offered { B }) }` → B accepts (`Some(Accepted { B })`) → B's media connects: at that
//! instant A leaves and the state is `Connected { B, transfer: None }`. So A may hold, resume
//! or cancel the transfer throughout, and there is never more than one agent connected to the
//! customer; an attended transfer's consultation between A and B is a separate call, not part
//! of this one.
//! If A hangs up while the transfer is still pending, it becomes a blind transfer: the customer
//! waits in `Queued`/`Offered`/`Accepted` for the target exactly as a new contact would, and
//! the transfer completes when the target connects. A transfer to an external number ends the
//! interaction as [`State::TransferredOut`] when that number answers. Every transfer is recorded
//! as a [`TransferRecord`], and the offers it made are [`OfferRecord`]s marked `via_transfer`.

mod event;
mod interaction;
mod model;

pub use event::{Change, Event, RejectReason, Rejected};
pub use interaction::Interaction;
pub use model::{
    EndedBy, ExternalNumber, InvalidExternalNumber, OfferOutcome, OfferRecord, Phase, State,
    Timeline, TransferLeg, TransferOutcome, TransferRecord, TransferTarget,
};

#[cfg(test)]
mod tests;
