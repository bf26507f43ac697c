//! One tenant's contact center as a sans-IO state machine: presence, routing, calls, broadcasts.
//!
//! The tenant's Durable Object is a thin shell around one [`Center`]: it feeds it what happens
//! (widget sockets, Twilio webhooks and callbacks) as one [`Input`] with the time through
//! [`Center::handle_input`] (the contract of `tsunagu-presence`), drains its [`Output`]s, turns
//! [`Center::poll_timeout`] into an alarm and stores [`Center::take_delta`] after each batch: the
//! few small entries (`meta`, `agent/…`, `call/…`, `roster/…`) the batch changed, so a write
//! costs the same with 2 agents or 2,000 and 1,000 queued calls; [`Center::restore_entries`]
//! reads them back. (One [`Snapshot`] of everything also works, but grows with the tenant.) The
//! center composes the domain: a [`tsunagu_presence::Presence`] per agent, the
//! [`tsunagu_routing::Router`], a [`tsunagu_interaction::Interaction`] per call, and it emits
//! [`tsunagu_stitch::CallEvent`]s for the call log. It never produces TwiML: the worker turns
//! each [`CallPlan`] into it.
//!
//! # A call
//!
//! ```text
//! CallArrived  ──▶ Ring(agent, attempt) ──ack + leg answered──▶ connected ──hang-up──▶ Hangup
//!      │                │ no answer / busy / declined / not acknowledged        (agent: wrap-up)
//!      │                ▼
//!      │           next ladder step ─▶ Ring … ─▶ nobody free ─▶ Enqueue ─▶ Hold(position) …
//!      │                                                          │ agent frees up: Offer +
//!      │                                                          │ RedirectCall ─▶ Ring
//!      ├─ after hours ─▶ Fallback(after_hours) or Closed          │ max_wait reached:
//!      └─ legacy line ─▶ AnnounceNewNumber                        └─▶ LeaveQueue ─▶ Fallback
//! ```
//!
//! - **Offers.** When routing picks an agent, the call's plan is `Ring` and the agent's widgets
//!   get an `Offer` with the screen pop. The widget must acknowledge it within the presence
//!   policy's `offer_ack_timeout`; a widget that does not (a frozen background tab) costs the
//!   agent their availability (`away: missed_offer` by default) and the call moves on at once.
//!   Twilio, still ringing the old agent, is told with [`Output::RedirectCall`]; it then asks
//!   with [`CallInput::CallRedirected`], answered with the plan decided meanwhile.
//! - **Attempts.** Every ring has a number; a Dial result about an older ring changes nothing.
//! - **Ring time.** A ring lasts the ladder step's timeout, capped by the policy's
//!   `ring_no_answer`, so the widget and Twilio give up together.
//! - **Waiting.** `max_wait` counts from arrival. Past it, a failed ring or a queue poll sends the
//!   call to the fallback numbers; without fallback numbers the caller keeps waiting.
//! - **Broadcasts.** Presence changes mark agents; per `broadcast_interval`, however many changed,
//!   each group of sockets that hears the same roster scope (an agent's teams, a supervisor's, the
//!   whole tenant) gets one `Roster` with the changed agents in that scope, as one
//!   [`Output::Multicast`]: a change costs the sockets that watch it (`roster.rs`).
//! - **Ended calls** are remembered for ten minutes so that retries and late callbacks about them
//!   get their last plan instead of starting anew.
//! - **Web calls.** A customer's browser calls in through its own socket
//!   ([`Input::WebCallStarted`]); the call is routed like a phone call, rings with presence's
//!   own deadlines, connects when the widget accepts, and the hub relays WebRTC signalling
//!   between the customer socket and the accepting widget socket only (see `webcall.rs`). A blip
//!   of that socket (closed without `leaving`) unbinds the call, which waits `disconnect_grace`
//!   for a widget of the agent to take it back (`rejoin`) before it ends. Web calls are off
//!   unless the tenant turns them on; the hub lets a customer socket in only through
//!   [`CenterConfig::admit_caller_socket`] (lines, and a few per network address); a call not
//!   answered within `max_web_queue_wait` ends; an unanswered web ring leaves the agent available.
//! - **CRM pushes.** A CRM backend (the server API) asks one agent's widget to call a number
//!   ([`AgentPush::Dial`]: under the dial policy, shown with Call / Cancel unless the tenant
//!   allows direct dialing) or to show a record ([`AgentPush::ShowRecord`]); refused when no
//!   widget of the agent is open or the agent is busy (`push.rs`).
//! - **Storage.** An agent's entry holds their presence, sockets and the router's facts about
//!   them; a call's entry holds the call and the router's record of it. Queue order is rebuilt
//!   from each call's arrival, timers from the presence machines, forgetting from `ended_at`.

mod agent_status;
mod agents;
mod call;
mod call_plans;
mod callback;
mod calls;
mod center;
mod config;
mod directory;
mod dry_run;
mod endings;
mod entries;
mod error;
mod hold;
mod hours;
mod input;
mod ivr;
mod journal;
mod journaled_router;
mod offers;
mod outbound;
mod output;
mod push;
mod queue_calls;
mod queue_id;
mod queues;
mod recover;
mod roster;
mod snapshot;
mod state;
mod timers;
mod transfer;
mod webcall;
mod webcall_gate;
mod wire;

pub use call::{
    AgentCard, AgentLegStatus, CallArrival, CallPlan, CallRequirements, DialOutcome,
    FallbackReason, Line, QueueResult,
};
pub use calls::interaction_of;
pub use center::Center;
pub use config::CenterConfig;
pub use directory::{
    DirectoryCustomer, customer_attributes, ends_the_call, recent_contact, skill_levels,
};
pub use dry_run::DryRun;
pub use entries::Delta;
pub use error::{CenterError, ConfigError, QueueProblem, RestoreError};
pub use hours::{
    BusinessCalendar, CalendarError, ClockTime, ClosedBecause, Closure, HolidayName,
    InvalidClockTime, OpeningHours, Openness, TimeZoneName, Weekday,
};
pub use input::{CallInput, Input, MenuAnswer, Reply};
pub use outbound::OutboundCall;
pub use output::Output;
pub use push::{AgentPush, PushRefusal, Pushed, RecordProblem, crm_record, customer_record};
pub use queue_id::{MAX_QUEUE_ID_CHARS, QueueId};
pub use queues::{
    AfterHours, CallQueue, DEFAULT_AFTER_HOURS_VOICEMAIL_PROMPT, DEFAULT_VOICEMAIL_PROMPT,
    MAX_HOLD_MUSIC_URL_CHARS, MAX_QUEUE_TEXT_CHARS, MAX_QUEUE_WAIT, MAX_QUEUES, Overflow,
    VoicemailRule, hold_music_url_ok,
};
pub use recover::{Quarantined, Recovered};
pub use snapshot::Snapshot;
pub use webcall::WebCallStart;
pub use webcall_gate::{AddressKey, CallerAdmission, CallerRefusal, OpenCallerSocket};

#[cfg(test)]
mod tests;
