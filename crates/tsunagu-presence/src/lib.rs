//! Agent presence as a sans-IO state machine: one [`Presence`] per agent, driven by the shell.
//!
//! Presence is decided here, from what the server sees (widget connections, offers, calls), never
//! asserted by the browser; the Durable Object that owns it only feeds inputs, arms the alarm at
//! [`Presence::poll_timeout`] and broadcasts the outputs. See [`Presence`] for the contract.
//!
//! ```text
//!   Offline ──first tab opens──▶ Available ◀──SetStatus──▶ Away{reason}
//!      ▲      (status_on_login)    │  ▲                        ▲
//!      │                     Offer │  │ cancelled, declined,   │ not acknowledged in 3 s, or not
//!      │                           ▼  │ last tab closed        │ answered in 15 s (+ OfferLost)
//!      │                     Reserved{offer} ──────────────────┘
//!      │                           │
//!      │                           │ CallConnected
//!      │                           ▼
//!      │                   OnCall{interaction} ──CallEnded──▶ WrapUp{interaction}
//!      │                                                           │ 30 s elapsed or
//!      │                  Available (or the queued next status) ◀──┘ WrapUpFinished
//!      │
//!      └── no tab open for 30 s (disconnect_grace), from any status but OnCall
//! ```
//!
//! Durations and the statuses after a missed, unanswered or declined offer are the defaults of
//! [`PresencePolicy`]. Not drawn: `SetStatus` also applies from Offline and WrapUp (ending the
//! wrap-up), outbound calls enter OnCall from Available, Away, Offline or WrapUp, and
//! `OfferUnanswered` (the phone rang out first) ends a ring like the 15 s timer.
//!
//! Decisions worth knowing:
//! - Several tabs may be open; only when the last one closes does the grace period start, and any
//!   connection opening within it cancels it, so a page reload changes nothing. Without a
//!   connection an available agent is not routable ([`Presence::is_routable`]), so no work is
//!   offered to a tab that is gone.
//! - An agent is never dropped mid-call: the grace is suspended while on a call (the call may
//!   survive a tab reload) and starts over when the call ends, so an agent who does not come back
//!   goes offline `disconnect_grace` after the call ends, wrap-up or not.
//! - A status chosen while on a call is queued and taken when the wrap-up ends. While an offer
//!   rings, choosing a status is refused: the agent answers or declines first.
//! - After an outbound call the agent returns to the status they had (e.g. away on a break).

mod event;
mod policy;
mod presence;
mod status;

pub use event::{Input, OfferLostReason, Output, PresenceInterval, Rejected};
pub use policy::PresencePolicy;
pub use presence::Presence;
pub use status::{AwayReason, ConnectionId, OfferId, RequestedStatus, Status, StatusKind};

#[cfg(test)]
mod tests;
