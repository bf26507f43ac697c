//! The ACD of one tenant: owner, then the owner's team, then anyone, with every decision explained.
//!
//! # Model
//!
//! The [`Router`] is pure and in memory; a Durable Object owns it, feeds it what presence knows
//! ([`Router::set_availability`]) and what agents hold ([`Router::assign`], [`Router::release`]),
//! and acts on its [`Decision`]s. Time is always an argument.
//!
//! - **Eligibility.** An agent may be offered a contact when the caller says they are
//!   [`Availability::Routable`], no other offer is pending for them, they hold no exclusive
//!   (voice) contact, they are under their [`Capacity`] for the contact's channel, they have every
//!   skill it needs at its level (unless the contact waited past its `relax_skills_at`: then its
//!   skills are no longer required, and [`Router::relax_skills`] walks a queued contact's ladder
//!   again), and they have not missed or declined it before. A voice contact may be offered
//!   to an agent holding only text contacts (voice comes first); nothing is offered to an agent on
//!   a voice contact.
//! - **Ladder.** [`Router::route`] walks the [`Ladder`] from its first step. A step that does not
//!   apply (no owner, no owner team) or whose targets are all ineligible is passed; the first step
//!   with an eligible agent offers the contact to the longest idle of them (earliest
//!   `idle_since`, ties by id) for that step's timeout. Nobody anywhere: the contact is queued.
//! - **Offers.** The offered agent is reserved (`NotRoutable(Reserved)`) until the offer resolves:
//!   [`Router::offer_accepted`], [`Router::offer_failed`] (missed or declined: the ladder is walked
//!   again from the top without that agent, so a preferred target who freed up meanwhile comes
//!   first again), or [`Router::abandon`]. An agent who missed or declined a contact is not
//!   offered it again until they come back (routable again after being away, on a call…); a
//!   contact every reachable agent refused waits in the queue for the first who comes back, and
//!   the caller decides when waiting has lasted long enough (overflow to backup numbers).
//! - **Queue.** One line per channel, ordered by priority (highest first), arrival, id. When an
//!   agent frees up the caller asks [`Router::next_for_agent`], which offers them the head-most
//!   queued contact they can serve and that some step of its ladder targets them for (the offer
//!   carries that step's index and timeout). A queued contact goes to whoever frees up first
//!   among its ladder's targets; the ladder's order only matters while agents are free.
//!
//! # Cost
//!
//! Agents are indexed per scope (everyone, each team, each skill) and channel, longest idle first
//! (see `index.rs`). A team or anyone step costs O(log n) plus the agents with room walked past
//! in idle order because they already tried the contact or lack a needed skill; the walk follows
//! the scope's agents with the contact's rarest needed skill, so only agents who have that one
//! but lack another are walked past. An agents-list step
//! costs O(k log k) for its k names. Explanations count skipped agents from the index and name at
//! most [`explain::MAX_EXAMPLES`] per reason, so they stay small for 10,000 agents. Queue
//! positions cost O(position); a pick-up costs O(log q) plus the queued contacts ahead that the
//! agent cannot serve. `benches/routing.rs` measures all of this with 10,000 agents.
//!
//! Everything iterates `BTreeMap`s/`BTreeSet`s, so equal inputs give equal decisions.

mod agent;
mod contact;
pub mod explain;
mod explain_ja;
mod index;
mod ladder;
mod queue;
mod router;
mod saved;
mod skill;

pub use agent::{AgentProfile, Availability, Capacity, NotRoutableReason};
pub use contact::Contact;
pub use explain::Explanation;
pub use ladder::{Ladder, Step, Target};
pub use router::{ContactState, Decision, Offer, Queued, Removal, Router, RoutingError};
pub use saved::{StoredAgent, StoredContact, StoredRouterError};
pub use skill::{Skill, SkillError};

#[cfg(test)]
mod tests;
