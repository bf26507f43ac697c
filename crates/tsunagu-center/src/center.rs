//! The center's state and machinery: clock, timers, presence reactions, offers, outputs.

// The public inputs are in `agents.rs` (sockets) and `calls.rs` (Twilio); both end up here.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CallSid, Channel, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_interaction::{Event, ExternalNumber, Interaction, TransferTarget};
use tsunagu_presence::{
    self as presence, ConnectionId, OfferLostReason, Presence, Rejected, Status,
};
use tsunagu_protocol::{
    AgentPresence, CustomerCard, NeededSkill, OfferId as WireOfferId, PresenceStatus,
    RecentContact, ScreenPop, ServerMessage, WithdrawReason,
};
use tsunagu_routing::{Availability, Contact, Decision, NotRoutableReason, Offer, Router, Target};
use tsunagu_stitch::{
    AgentResponded, AgentResponse, CallEvent, CallEventKind, ContactRef, Mark, OfferStep, Offered,
    Queued, WrapUpEnded,
};

use crate::{
    CallPlan, CallRequirements, CenterConfig, ConfigError, FallbackReason, Openness, Output,
    entries::Journal, webcall::WebCaller, wire,
};

/// How long an ended call is remembered, so that Twilio's retries and late callbacks about it
/// are recognised (and answered with its last plan) instead of starting a new call.
pub(crate) const ENDED_RETENTION: Millis = Millis::from_secs(600);

/// One tenant's contact center as a sans-IO state machine: every agent's presence, the router
/// (owner → owner's team → anyone, then the queue), every call's interaction, and the broadcasts.
///
/// The shell (the tenant's Durable Object) drives it like the other machines of the domain:
///
/// 1. Feed what happened, with the time, as one [`Input`](crate::Input) through
///    [`handle_input`](Self::handle_input): widget sockets (`AgentConnected`,
///    `AgentDisconnected`, `ClientMessage`), customer sockets of web calls (`WebCallStarted`,
///    `CallerMessage`, `CallerDisconnected`), Twilio's calls (`Call(CallInput)`) and the alarm
///    (`Timeout`). Call inputs that Twilio waits on reply with the [`CallPlan`] to answer with;
///    a refused input returns a [`crate::CenterError`] and changes nothing.
/// 2. Drain [`poll_output`](Self::poll_output) and act on every [`Output`].
/// 3. Arm the alarm at [`poll_timeout`](Self::poll_timeout); when it fires, hand in
///    [`Input::Timeout`](crate::Input::Timeout). Timers that are due are also applied before any
///    input, each at its own time, so a late alarm never changes the outcome.
/// 4. Persist [`take_delta`](Self::take_delta) after each batch (a few small entries);
///    [`Center::restore_entries`] continues exactly where the last delta was taken.
///    ([`snapshot`](Self::snapshot) and [`Center::restore`] do the same with one value holding
///    everything.)
///
/// Time never goes backwards inside: a `now` earlier than one already seen counts as the latest.
#[derive(Debug, Clone)]
pub struct Center {
    pub(crate) config: CenterConfig,
    /// The latest time seen.
    pub(crate) now: Timestamp,
    pub(crate) agents: BTreeMap<AgentId, AgentEntry>,
    /// Open widget sockets and whose they are.
    pub(crate) connections: BTreeMap<ConnectionId, AgentId>,
    /// Open customer sockets of web calls not over yet, and their calls (derived from the calls).
    pub(crate) callers: BTreeMap<ConnectionId, InteractionId>,
    pub(crate) calls: BTreeMap<InteractionId, CallEntry>,
    pub(crate) router: Router,
    /// Agents whose presence changed since the last roster broadcast.
    pub(crate) dirty: BTreeSet<AgentId>,
    /// Open widget sockets by the roster scope they hear now (derived; see `roster.rs`).
    pub(crate) watchers: BTreeMap<tsunagu_auth::RosterScope, BTreeSet<ConnectionId>>,
    /// Each team's agents (derived from the agents), so a team's roster costs the team.
    pub(crate) members: BTreeMap<TeamId, BTreeSet<AgentId>>,
    pub(crate) flush_at: Option<Timestamp>,
    pub(crate) outputs: VecDeque<Output>,
    // Derived from the above; rebuilt by `restore`.
    pub(crate) by_call_sid: BTreeMap<CallSid, InteractionId>,
    /// Each agent's next presence deadline, and the same ordered by time.
    pub(crate) deadlines: BTreeMap<AgentId, Timestamp>,
    pub(crate) timers: BTreeSet<(Timestamp, AgentId)>,
    /// When each ended call is forgotten.
    pub(crate) expiries: BTreeSet<(Timestamp, InteractionId)>,
    /// When each web call whose widget socket dropped ends, unless a widget takes it back
    /// (derived from the calls' `agent_lost_at`; an entry whose call moved on is skipped).
    pub(crate) web_waits: BTreeSet<(Timestamp, InteractionId)>,
    /// When each call needing skills may go to anyone (derived from the calls' arrival and
    /// requirements; an entry whose call is no longer queued does nothing).
    pub(crate) relax_waits: BTreeSet<(Timestamp, InteractionId)>,
    // Bookkeeping of the input being handled; empty between inputs.
    /// Calls whose plan may have changed during this input.
    pub(crate) changed: BTreeSet<InteractionId>,
    /// A socket that is not welcomed yet: it gets its first status in the welcome.
    pub(crate) welcoming: Option<ConnectionId>,
    /// The stored entries changed since the last [`take_delta`](Self::take_delta).
    pub(crate) journal: Journal,
    /// The disposition and notes of the wrap-up the agent is ending in this input.
    pub(crate) wrap_up_note: Option<(Option<String>, Option<String>)>,
}

/// One agent of the directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentEntry {
    pub(crate) name: String,
    pub(crate) teams: BTreeSet<TeamId>,
    pub(crate) presence: Presence,
    /// The agent's open sockets (derived from `Center::connections`).
    #[serde(skip)]
    pub(crate) conns: BTreeSet<ConnectionId>,
    /// Whose presence the agent's sockets hear (from the session at the latest sign-in).
    #[serde(default)]
    pub(crate) roster: tsunagu_auth::RosterScope,
    /// Sockets that hear the whole tenant for now (`watch_roster`, e.g. the transfer list).
    #[serde(default)]
    pub(crate) widened: BTreeSet<ConnectionId>,
}

/// One call the center handles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CallEntry {
    pub(crate) interaction: Interaction,
    /// The caller's Twilio call; `None` for a web call.
    #[serde(default)]
    pub(crate) call_sid: Option<CallSid>,
    pub(crate) caller_number: Option<String>,
    pub(crate) customer: Option<CustomerCard>,
    pub(crate) recent: Vec<RecentContact>,
    pub(crate) owner_team: Option<TeamId>,
    pub(crate) arrived_at: Timestamp,
    /// Offers made so far; the latest one's number is the current attempt.
    pub(crate) attempts: u32,
    pub(crate) place: Place,
    pub(crate) served: Served,
    /// The current agent leg's CallSid, once a status callback named it.
    pub(crate) leg_call_sid: Option<CallSid>,
    pub(crate) ended_at: Option<Timestamp>,
    /// The caller's leg has ended (Twilio said so).
    pub(crate) hung_up: bool,
    /// Set once an agent transferred the call: it is then routed along a ladder whose first
    /// step is this target, followed by the tenant's ladder.
    #[serde(default)]
    pub(crate) transfer: Option<TransferTarget>,
    /// An agent placed this call to this number (click-to-call).
    #[serde(default)]
    pub(crate) outbound: Option<ExternalNumber>,
    /// The agent who placed it: their calls within the dial policy's window count against its
    /// per-agent cap (ended calls are kept longer than the longest window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) placed_by: Option<AgentId>,
    /// The connected agent's leg dropped while their widget was gone (a page reload): since when.
    /// The caller holds, and the agent is rung again when their widget is back.
    #[serde(default)]
    pub(crate) dropped_at: Option<Timestamp>,
    /// The agent put the caller on hold (since when); their phone leg is gone meanwhile.
    #[serde(default)]
    pub(crate) held_since: Option<Timestamp>,
    /// When Twilio last told the center anything about this call (a callback or a hook); the
    /// call watchdog counts from it (from `arrived_at` when unset, as in older entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_heard: Option<Timestamp>,
    /// Set for a web call: the customer's socket and what it was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) web: Option<WebCaller>,
    /// Skills and priority the call is routed by (from its line, and its IVR menu's outcome).
    #[serde(default, skip_serializing_if = "CallRequirements::is_empty")]
    pub(crate) requirements: CallRequirements,
    /// The line's IVR menu and where the caller is in it, while the call is
    /// [`Place::InMenu`] (dropped once the menu ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) menu: Option<crate::ivr::CallMenu>,
    /// The labels the caller passed in the menu, once it ended (for the screen pop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ivr_path: Option<Vec<String>>,
}

/// Where a call is. Exactly one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub(crate) enum Place {
    /// Offered to `agent`: their widget shows it and Twilio dials them (or is about to, after a
    /// redirect).
    Ringing {
        agent: AgentId,
        attempt: u32,
        timeout: Millis,
    },
    /// Waiting in the router's line.
    Queued,
    /// In the line's IVR menu: not routed yet (the router does not know it).
    InMenu,
    /// The agent answered.
    Connected {
        agent: AgentId,
        attempt: u32,
        timeout: Millis,
    },
    /// The center is done with it.
    Ended { ending: Ending },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ending", rename_all = "snake_case")]
pub(crate) enum Ending {
    Completed,
    Abandoned,
    FellBack {
        reason: FallbackReason,
        numbers: Vec<ExternalNumber>,
    },
    /// An agent transferred the caller to a number outside the center.
    TransferredOut {
        number: ExternalNumber,
    },
    Closed,
    /// The IVR menu ended the call itself (voicemail, a hang-up node, the caller hung up in it).
    Menu {
        outcome: tsunagu_ivr::Outcome,
    },
}

/// What Twilio is executing for the call, as far as the center knows: the plan it last answered
/// with, or a redirect on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "served", rename_all = "snake_case")]
pub(crate) enum Served {
    Nothing,
    Dial {
        attempt: u32,
    },
    Queue,
    /// Holding for the connected agent to come back (`HoldForAgent`).
    Hold,
    /// Asking an IVR question (`Ask`): only its own answer moves the call on.
    Menu,
    Redirect,
    Done,
}

impl CallEntry {
    pub(crate) fn id(&self) -> &InteractionId {
        self.interaction.id()
    }

    pub(crate) fn channel(&self) -> Channel {
        if self.web.is_some() {
            Channel::WebCall
        } else {
            Channel::Voice
        }
    }

    /// The call as the router routes it: customer, owner and team, and the call's requirements
    /// (priority, and skills until `relax_after` has passed). A call an agent transferred keeps
    /// its priority but needs no skill: the agent chose where it goes.
    pub(crate) fn contact(&self, owner_team: Option<TeamId>) -> Contact {
        let mut contact = Contact::new(self.id().clone(), self.channel(), self.arrived_at);
        contact.customer = self.customer.as_ref().map(|card| card.id.clone());
        contact.owner = self.customer.as_ref().and_then(|card| card.owner.clone());
        contact.owner_team = owner_team;
        contact.priority = self.requirements.priority;
        if self.transfer.is_none() {
            contact.require(&self.requirements.skills);
            contact.relax_skills_at = self.relax_skills_at();
        }
        contact
    }

    /// When the call's skills stop being required, if it needs any and they ever do.
    pub(crate) fn relax_skills_at(&self) -> Option<Timestamp> {
        if self.requirements.skills.is_empty() || self.transfer.is_some() {
            return None;
        }
        Some(self.arrived_at + self.requirements.relax_after?)
    }

    pub(crate) fn screen_pop(&self) -> ScreenPop {
        ScreenPop {
            caller_number: self.caller_number.clone(),
            caller_display: self.caller_number.as_deref().and_then(caller_display),
            caller_name: self.web.as_ref().and_then(|web| web.name.clone()),
            customer: self.customer.clone(),
            recent: self.recent.clone(),
            // What the line asked for, even once relaxed: the agent learns what the caller needs.
            skills: self
                .requirements
                .skills
                .iter()
                .map(|(skill, level)| NeededSkill {
                    skill: skill.to_string(),
                    level: *level,
                })
                .collect(),
            ivr_path: self.ivr_path.clone(),
        }
    }

    pub(crate) fn contact_ref(&self) -> ContactRef {
        ContactRef::Interaction(self.id().clone())
    }

    pub(crate) fn ringing(&self, agent: &AgentId) -> Option<u32> {
        match &self.place {
            Place::Ringing {
                agent: ringing,
                attempt,
                ..
            } if ringing == agent => Some(*attempt),
            _ => None,
        }
    }

    fn offer_id(&self, attempt: u32) -> presence::OfferId {
        presence::OfferId {
            interaction: self.id().clone(),
            attempt,
        }
    }

    /// Whether Twilio must be redirected to learn the current plan.
    fn needs_redirect(&self) -> bool {
        match (&self.served, &self.place) {
            (Served::Nothing | Served::Redirect | Served::Done | Served::Menu, _)
            | (
                _,
                Place::Ended {
                    ending: Ending::Completed | Ending::Abandoned | Ending::Closed,
                },
            )
            | (_, Place::InMenu) => false,
            (Served::Dial { attempt: served }, Place::Ringing { attempt, .. })
            | (Served::Dial { attempt: served }, Place::Connected { attempt, .. }) => {
                served != attempt || self.dropped_at.is_some() || self.held_since.is_some()
            }
            // The hold polls the route hook by itself; a redirect only makes the re-ring prompt.
            (Served::Hold, Place::Connected { .. }) => {
                self.dropped_at.is_none() && self.held_since.is_none()
            }
            (Served::Hold, _) => true,
            (Served::Dial { .. }, Place::Queued | Place::Ended { .. }) => true,
            // A fallback decided while queued is announced by the next waitUrl poll (`<Leave>`).
            (Served::Queue, Place::Ringing { .. }) => true,
            (Served::Queue, _) => false,
        }
    }
}

impl Center {
    /// An empty center for one tenant: no agents, no calls.
    pub fn new(config: CenterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self::from_parts(
            config,
            Timestamp(0),
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
            Router::new(),
        ))
    }

    pub(crate) fn from_parts(
        config: CenterConfig,
        now: Timestamp,
        agents: BTreeMap<AgentId, AgentEntry>,
        connections: BTreeMap<ConnectionId, AgentId>,
        calls: BTreeMap<InteractionId, CallEntry>,
        router: Router,
    ) -> Self {
        Self {
            config,
            now,
            agents,
            connections,
            callers: BTreeMap::new(),
            calls,
            router,
            dirty: BTreeSet::new(),
            watchers: BTreeMap::new(),
            members: BTreeMap::new(),
            flush_at: None,
            outputs: VecDeque::new(),
            by_call_sid: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            timers: BTreeSet::new(),
            expiries: BTreeSet::new(),
            web_waits: BTreeSet::new(),
            relax_waits: BTreeSet::new(),
            changed: BTreeSet::new(),
            welcoming: None,
            journal: Journal::default(),
            wrap_up_note: None,
        }
    }

    pub fn config(&self) -> &CenterConfig {
        &self.config
    }

    /// Replaces the tenant's settings. Calls already routed keep their ladder; presence timers
    /// already running keep their deadlines. A web call waiting for its widget waits the new
    /// `disconnect_grace` from when it lost it (as a restore would count it).
    pub fn set_config(&mut self, config: CenterConfig) -> Result<(), ConfigError> {
        config.validate()?;
        for (id, agent) in &mut self.agents {
            agent.presence.set_policy(config.presence.clone());
            self.journal.agent(id);
        }
        self.web_waits = self
            .calls
            .iter()
            .filter_map(|(id, call)| crate::webcall::web_deadline(&config, id, call))
            .collect();
        self.config = config;
        Ok(())
    }

    /// The next thing to do, oldest first.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Input::Timeout`](crate::Input::Timeout) is due next, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let timer = self.timers.first().map(|(at, _)| *at);
        let web_wait = self.web_waits.first().map(|(at, _)| *at);
        let relax = self.relax_waits.first().map(|(at, _)| *at);
        let watchdog = self
            .calls
            .values()
            .filter_map(|call| self.watchdog_at(call))
            .min();
        [timer, self.flush_at, web_wait, relax, watchdog]
            .into_iter()
            .flatten()
            .min()
    }

    /// Applies every timer due by `now`, each at its own time: presence deadlines (offer
    /// acknowledgement and ring, wrap-up, disconnect grace), web calls waiting for their widget
    /// and the roster broadcast.
    pub(crate) fn handle_timeout(&mut self, now: Timestamp) {
        self.begin(now);
        self.finish();
    }

    // ----- Views -----------------------------------------------------------------------------

    /// The first of an agent's teams (the one KPIs group them under), if they have one.
    pub fn agent_team(&self, agent: &AgentId) -> Option<TeamId> {
        self.agents.get(agent)?.teams.first().cloned()
    }

    /// The agent's status as the widgets see it.
    pub fn agent_status(&self, agent: &AgentId) -> Option<PresenceStatus> {
        self.agents
            .get(agent)
            .map(|entry| wire::status(&entry.presence.status()))
    }

    /// The plan Twilio would get for this call now, without changing anything.
    pub fn call_plan(&self, interaction: &InteractionId) -> Option<CallPlan> {
        self.calls.get(interaction).map(|call| self.plan_of(call))
    }

    /// The open sockets, as the center knows them (after a restore, close the ones the runtime no
    /// longer has with [`Input::AgentDisconnected`](crate::Input::AgentDisconnected)).
    pub fn connections(&self) -> impl Iterator<Item = ConnectionId> + '_ {
        self.connections.keys().copied()
    }

    /// How many phone calls wait in the queue.
    pub fn queue_len(&self) -> usize {
        self.router.queue_len(Channel::Voice)
    }

    /// The open customer sockets of web calls, as the center knows them (after a restore, close
    /// the ones the runtime no longer has with [`Input::CallerDisconnected`](crate::Input::CallerDisconnected)).
    pub fn callers(&self) -> impl Iterator<Item = ConnectionId> + '_ {
        self.callers.keys().copied()
    }

    // ----- One input ---------------------------------------------------------------------------

    /// Starts handling an input at `now`: applies due timers, ends calls the watchdog gave up on
    /// and forgets expired calls.
    pub(crate) fn begin(&mut self, now: Timestamp) -> Timestamp {
        self.now = self.now.max(now);
        let now = self.now;
        self.run_due(now);
        self.end_silent_calls(now);
        while let Some((at, id)) = self.expiries.first().cloned() {
            if at > now {
                break;
            }
            self.expiries.pop_first();
            if let Some(call) = self.calls.remove(&id) {
                if let Some(call_sid) = &call.call_sid {
                    self.by_call_sid.remove(call_sid);
                }
                if let Some(web) = &call.web
                    && self.callers.get(&web.conn) == Some(&id)
                {
                    self.callers.remove(&web.conn);
                }
                self.journal.call(&id);
            }
        }
        now
    }

    /// Ends an input: redirects calls whose plan changed while Twilio executes an older one. (A
    /// call whose request is being answered already has its new plan in `served`.)
    pub(crate) fn finish(&mut self) {
        let changed = std::mem::take(&mut self.changed);
        if !changed.is_empty() {
            self.tell_callers(&changed);
        }
        for id in changed {
            if let Some(call) = self.calls.get_mut(&id)
                && call.needs_redirect()
                && let Some(call_sid) = call.call_sid.clone()
            {
                call.served = Served::Redirect;
                self.journal.call(&id);
                self.outputs.push_back(Output::RedirectCall {
                    call_sid,
                    interaction: id,
                });
            }
        }
        self.welcoming = None;
    }

    /// When the watchdog gives up on `call`: a connected phone call, `call_watchdog` after
    /// Twilio last said anything about it. (A scan of the calls, not a timer set: a few thousand
    /// calls cost microseconds, and no stored or derived state can disagree with it.)
    pub(crate) fn watchdog_at(&self, call: &CallEntry) -> Option<Timestamp> {
        let phone_connected = matches!(call.place, Place::Connected { .. })
            && call.call_sid.is_some()
            && call.web.is_none()
            && !call.hung_up;
        phone_connected
            .then(|| call.last_heard.unwrap_or(call.arrived_at) + self.config.call_watchdog)
    }

    /// Ends, as if the caller had hung up, every connected call the watchdog gave up on: its
    /// hang-up callback was lost, and its agent must not stay on a call for ever.
    fn end_silent_calls(&mut self, now: Timestamp) {
        let silent: Vec<InteractionId> = self
            .calls
            .iter()
            .filter(|(_, call)| self.watchdog_at(call).is_some_and(|at| at <= now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in silent {
            self.outputs.push_back(Output::CallWatchdog {
                interaction: id.clone(),
            });
            self.caller_left(now, &id);
        }
    }

    /// Twilio said something about call `id` at `now` (the watchdog counts from here). Only a
    /// connected call is watched, so only its entry is rewritten (a queued call's polls would
    /// otherwise cost a storage write each).
    pub(crate) fn heard(&mut self, now: Timestamp, id: &InteractionId) {
        if let Some(call) = self.calls.get_mut(id)
            && matches!(call.place, Place::Connected { .. })
            && call.last_heard != Some(now)
        {
            call.last_heard = Some(now);
            self.journal.call(id);
        }
    }

    fn run_due(&mut self, now: Timestamp) {
        // Presence deadlines always move forward when applied; the bound only guarantees that a
        // broken invariant could never hang the shell.
        let mut budget = self
            .agents
            .len()
            .saturating_add(self.web_waits.len())
            .saturating_add(self.relax_waits.len())
            .saturating_mul(8)
            .saturating_add(64);
        while budget > 0 {
            budget -= 1;
            let timer = self.timers.first().cloned();
            let web_wait = self.web_waits.first().cloned();
            let first_timer = timer.as_ref().map(|(at, _)| *at);
            // A call's skill relaxation, like a web call's wait, at its own time.
            if let Some((at, id)) = self.relax_waits.first().cloned()
                && at <= now
                && first_timer.is_none_or(|timer_at| at < timer_at)
                && self.flush_at.is_none_or(|flush_at| at <= flush_at)
                && web_wait.as_ref().is_none_or(|(web_at, _)| at <= *web_at)
            {
                self.relax_waits.remove(&(at, id.clone()));
                self.relax_wait_over(at, &id);
                continue;
            }
            match (web_wait, self.flush_at) {
                // A web call's wait ends at its own time: before a later presence deadline or
                // broadcast, and after an earlier or equal one.
                (Some((at, id)), flush)
                    if at <= now
                        && first_timer.is_none_or(|timer_at| at < timer_at)
                        && flush.is_none_or(|flush_at| at <= flush_at) =>
                {
                    self.web_waits.remove(&(at, id.clone()));
                    self.web_wait_over(at, &id);
                    continue;
                }
                _ => {}
            }
            match (timer, self.flush_at) {
                (Some((at, agent)), flush)
                    if at <= now && flush.is_none_or(|flush_at| at <= flush_at) =>
                {
                    self.timers.remove(&(at, agent.clone()));
                    self.deadlines.remove(&agent);
                    if let Some(entry) = self.agents.get_mut(&agent) {
                        entry.presence.handle_timeout(at);
                    }
                    self.drain_presence(&agent);
                }
                (_, Some(flush_at)) if flush_at <= now => self.flush_roster(),
                _ => break,
            }
        }
    }

    // ----- Presence ----------------------------------------------------------------------------

    /// Feeds one input to an agent's presence machine and reacts to what it says.
    pub(crate) fn presence_input(
        &mut self,
        at: Timestamp,
        agent: &AgentId,
        input: presence::Input,
    ) -> Result<(), Rejected> {
        let result = match self.agents.get_mut(agent) {
            Some(entry) => entry.presence.handle_input(at, input),
            None => return Ok(()),
        };
        self.drain_presence(agent);
        result
    }

    /// Reacts to every output of `agent`'s presence machine, then brings the router's view of
    /// the agent and the timer index up to date and, if they are free, hands them queued work.
    pub(crate) fn drain_presence(&mut self, agent: &AgentId) {
        // Presence changed (or may have: its outputs are drained here).
        self.journal.agent(agent);
        while let Some(output) = self
            .agents
            .get_mut(agent)
            .and_then(|entry| entry.presence.poll_output())
        {
            self.on_presence_output(agent, output);
        }
        self.sync_agent(agent);
        self.offer_queued_work(agent);
    }

    fn on_presence_output(&mut self, agent: &AgentId, output: presence::Output) {
        match output {
            presence::Output::StatusChanged { from, to, at } => {
                self.mark_dirty(at, agent);
                self.send_to_agent(
                    agent,
                    &ServerMessage::Status {
                        status: wire::status(&to),
                        since: at,
                    },
                );
                if let Status::WrapUp { interaction } = from {
                    let (disposition, notes) = self.wrap_up_note.take().unwrap_or_default();
                    self.record(CallEventKind::WrapUpEnded(WrapUpEnded {
                        contact: ContactRef::Interaction(interaction),
                        agent: agent.clone(),
                        disposition,
                        notes,
                        at,
                    }));
                }
            }
            // Zero-length spans (two changes at one instant) carry no time.
            presence::Output::IntervalClosed(interval) if interval.end > interval.start => {
                self.outputs.push_back(Output::PresenceInterval {
                    agent: agent.clone(),
                    interval,
                });
            }
            presence::Output::OfferLost { offer, reason } => {
                let at = self
                    .agents
                    .get(agent)
                    .map_or(self.now, |entry| entry.presence.status_since());
                let ringing = self
                    .calls
                    .get(&offer.interaction)
                    .and_then(|call| call.ringing(agent));
                if ringing != Some(offer.attempt) {
                    return;
                }
                let who = agent.clone();
                let (event, response, withdrawn) = match reason {
                    OfferLostReason::NotAcknowledged => (
                        Event::NotAcknowledged { agent: who },
                        Some(AgentResponse::Missed),
                        Some(WithdrawReason::NotAcknowledged),
                    ),
                    OfferLostReason::Declined => (
                        Event::Decline { agent: who },
                        Some(AgentResponse::Declined),
                        Some(WithdrawReason::Declined),
                    ),
                    OfferLostReason::AgentDisconnected => {
                        (Event::WithdrawOffer { agent: who }, None, None)
                    }
                    _ => (
                        Event::NoAnswer { agent: who },
                        Some(AgentResponse::NoAnswer),
                        Some(WithdrawReason::NoAnswer),
                    ),
                };
                self.ring_failed(at, &offer.interaction, agent, event, response, withdrawn);
            }
            // Empty intervals, and outputs added to presence later that the center does not know.
            _ => {}
        }
    }

    /// Tells the router what presence says about `agent`, and re-arms their timer.
    pub(crate) fn sync_agent(&mut self, agent: &AgentId) {
        let Some(entry) = self.agents.get(agent) else {
            return;
        };
        let presence = &entry.presence;
        let availability = match presence.status() {
            Status::Available if presence.is_routable() => Availability::Routable {
                idle_since: presence.idle_since().unwrap_or(presence.status_since()),
            },
            Status::Available | Status::Offline => Availability::NotRoutable {
                why: NotRoutableReason::Offline,
            },
            Status::Away { reason } => Availability::NotRoutable {
                why: NotRoutableReason::Away {
                    label: Some(reason.as_str().to_owned()),
                },
            },
            Status::Reserved { .. } => Availability::NotRoutable {
                why: NotRoutableReason::Reserved,
            },
            Status::OnCall { .. } => Availability::NotRoutable {
                why: NotRoutableReason::OnCall,
            },
            Status::WrapUp { .. } => Availability::NotRoutable {
                why: NotRoutableReason::WrapUp,
            },
        };
        let deadline = presence.poll_timeout();
        if self.router.availability(agent) != Some(&availability) {
            self.router_set_availability(agent, availability);
        }
        if let Some(old) = self.deadlines.remove(agent) {
            self.timers.remove(&(old, agent.clone()));
        }
        if let Some(deadline) = deadline {
            self.deadlines.insert(agent.clone(), deadline);
            self.timers.insert((deadline, agent.clone()));
        }
    }

    /// A free agent takes the head-most queued call they may serve.
    fn offer_queued_work(&mut self, agent: &AgentId) {
        let routable = self
            .agents
            .get(agent)
            .is_some_and(|entry| entry.presence.is_routable());
        if !routable
            || self.router.queued_total() == 0
            || self.router.pending_offer(agent).is_some()
        {
            return;
        }
        if let Ok(Some(offer)) = self.router_next_for_agent(agent, self.now) {
            self.make_offer(&offer, (OfferStep::Queue, None), true);
        }
    }

    // ----- Routing -----------------------------------------------------------------------------

    /// Carries out the router's decision about a call.
    pub(crate) fn act(&mut self, at: Timestamp, decision: Decision) {
        match decision {
            Decision::Offer(offer) => {
                let step = self.step_of(&offer);
                self.make_offer(&offer, step, false);
            }
            Decision::Queued(queued) => {
                let Some(call) = self.calls.get_mut(&queued.contact) else {
                    return;
                };
                call.place = Place::Queued;
                self.journal.call(&queued.contact);
                let contact = call.contact_ref();
                let queue = call.channel().as_str().to_owned();
                self.changed.insert(queued.contact);
                self.record(CallEventKind::Queued(Queued {
                    contact,
                    queue: Some(queue),
                    at,
                }));
            }
        }
    }

    /// Carries out a decision about a call that was waiting in the queue: an offer takes it out
    /// (recorded as dequeued, like a freed agent's pick-up).
    pub(crate) fn act_on_queued(&mut self, at: Timestamp, decision: Decision) {
        match decision {
            Decision::Offer(offer) => {
                let step = self.step_of(&offer);
                self.make_offer(&offer, step, true);
            }
            queued @ Decision::Queued(_) => self.act(at, queued),
        }
    }

    fn step_of(&self, offer: &Offer) -> (OfferStep, Option<TeamId>) {
        let call = self.calls.get(&offer.contact);
        // A transferred call's ladder is the transfer's target, then the tenant's ladder.
        let step_index = match call.and_then(|call| call.transfer.as_ref()) {
            None => offer.step_index,
            Some(TransferTarget::Team(team)) if offer.step_index == 0 => {
                return (OfferStep::Transfer, Some(team.clone()));
            }
            Some(_) if offer.step_index == 0 => return (OfferStep::Transfer, None),
            Some(_) => offer.step_index - 1,
        };
        let target = self
            .config
            .ladder
            .steps
            .get(step_index)
            .map(|step| &step.target);
        match target {
            Some(Target::Owner) => (OfferStep::Owner, None),
            Some(Target::OwnerTeam) => {
                let team = self
                    .calls
                    .get(&offer.contact)
                    .and_then(|call| call.owner_team.clone());
                (OfferStep::Team, team)
            }
            Some(Target::Team(team)) => (OfferStep::Team, Some(team.clone())),
            Some(Target::Anyone) => (OfferStep::Anyone, None),
            Some(Target::Agents(_)) => (OfferStep::Direct, None),
            _ => (OfferStep::Other("unknown".to_owned()), None),
        }
    }

    /// Rings `offer.agent`: reserves their presence, shows the offer on their widgets, records it.
    /// `from_queue`: the router took the call out of the queue for this agent.
    ///
    /// An offer is made now, even when a deadline that passed while the alarm was late led to
    /// it: the widget gets the offer now, so its acknowledgement time starts now.
    fn make_offer(
        &mut self,
        offer: &Offer,
        (step, team): (OfferStep, Option<TeamId>),
        from_queue: bool,
    ) {
        let at = self.now;
        let ring_cap = self.config.presence.ring_no_answer;
        let ack_timeout = self.config.presence.offer_ack_timeout;
        let Some(call) = self.calls.get_mut(&offer.contact) else {
            // The router routes only calls the center holds; drop a stranger rather than ring.
            self.router_abandon(&offer.contact);
            return;
        };
        self.journal.call(&offer.contact);
        call.attempts = call.attempts.saturating_add(1);
        let attempt = call.attempts;
        // A web call has no phone ring to time out: presence's own ring deadline ends it.
        let timeout = if call.web.is_some() {
            ring_cap
        } else {
            offer.timeout.min(ring_cap)
        };
        call.place = Place::Ringing {
            agent: offer.agent.clone(),
            attempt,
            timeout,
        };
        call.leg_call_sid = None;
        let offer_id = call.offer_id(attempt);
        let ring = if call.web.is_some() {
            presence::Input::WebOffer(offer_id.clone())
        } else {
            presence::Input::Offer(offer_id.clone())
        };
        let id = offer.contact.clone();
        self.changed.insert(id.clone());
        if self.presence_input(at, &offer.agent, ring).is_err() {
            // Presence and router disagree about this agent: never ring them for it.
            self.reroute_after_failure(at, &id);
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let step_number = u32::try_from(offer.step_index).unwrap_or(u32::MAX);
        let _ = call.interaction.handle(
            at,
            Event::Offer {
                agent: offer.agent.clone(),
                step: step_number,
            },
        );
        let contact = call.contact_ref();
        let screen_pop = call.screen_pop();
        let channel = call.channel();
        if from_queue {
            self.record(CallEventKind::Dequeued(Mark {
                contact: contact.clone(),
                at,
            }));
        }
        self.record(CallEventKind::Offered(Offered {
            contact,
            leg_call_sid: None,
            agent: offer.agent.clone(),
            team,
            step,
            at,
        }));
        self.send_to_agent(
            &offer.agent,
            &ServerMessage::Offer {
                offer: wire::offer_id(&offer_id),
                conversation: id,
                screen_pop,
                ring_timeout_ms: timeout.0,
                ack_timeout_ms: ack_timeout.0,
                channel,
            },
        );
    }

    /// The ring at `agent` is over without an answer: records why, then rings the next agent,
    /// queues the call, or (past the tenant's maximum wait) sends it to the fallback numbers.
    pub(crate) fn ring_failed(
        &mut self,
        at: Timestamp,
        id: &InteractionId,
        agent: &AgentId,
        event: Event,
        response: Option<AgentResponse>,
        withdrawn: Option<WithdrawReason>,
    ) {
        let max_wait = self.config.max_wait;
        let has_fallback = !self.config.fallback_numbers.is_empty();
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Some(attempt) = call.ringing(agent) else {
            return;
        };
        self.journal.call(id);
        let _ = call.interaction.handle(at, event);
        if matches!(call.transfer, Some(TransferTarget::Agent(_)))
            && call.interaction.pending_transfer().is_some()
        {
            // The colleague named by the transfer did not take it: the caller goes on to the
            // tenant's usual routing.
            let _ = call.interaction.handle(at, Event::CancelTransfer);
        }
        let contact = call.contact_ref();
        let leg_call_sid = call.leg_call_sid.take();
        let offer = wire::offer_id(&call.offer_id(attempt));
        let waited = at.saturating_since(call.arrived_at);
        // A web call cannot be sent to a phone number: it keeps waiting for an agent.
        let has_fallback = has_fallback && call.web.is_none();
        self.changed.insert(id.clone());
        if let Some(response) = response {
            self.record(CallEventKind::AgentResponded(AgentResponded {
                contact,
                leg_call_sid,
                agent: agent.clone(),
                response,
                at,
            }));
        }
        if let Some(reason) = withdrawn {
            self.send_to_agent(agent, &ServerMessage::OfferWithdrawn { offer, reason });
        }
        if has_fallback && waited >= max_wait {
            self.router_abandon(id);
            self.fall_back(at, id, FallbackReason::NoAnswerWithinLimit);
        } else {
            self.reroute_after_failure(at, id);
        }
        self.sync_agent(agent);
        self.offer_queued_work(agent);
    }

    /// Asks the router for the next agent after a failed ring, recovering if it lost track.
    fn reroute_after_failure(&mut self, at: Timestamp, id: &InteractionId) {
        // Routed now (see `make_offer`); `at` dates what is recorded about the failure.
        let now = self.now;
        match self.router_offer_failed(id, now) {
            Ok(decision) => self.act(at, decision),
            Err(_) => {
                // The router does not hold the call as offered: route it again from scratch.
                self.router_abandon(id);
                let Some(call) = self.calls.get(id) else {
                    return;
                };
                let contact = call.contact(call.owner_team.clone());
                match self.router_route(contact, now) {
                    Ok(decision) => self.act(at, decision),
                    Err(_) => self.lose(at, id),
                }
            }
        }
    }

    /// Ends a call the center can no longer route: to the fallback numbers, or hung up.
    pub(crate) fn lose(&mut self, at: Timestamp, id: &InteractionId) {
        let web = self.calls.get(id).is_some_and(|call| call.web.is_some());
        if self.config.fallback_numbers.is_empty() || web {
            if let Some(call) = self.calls.get_mut(id) {
                let _ = call.interaction.handle(at, Event::CustomerHungUp);
                self.journal.call(id);
            }
            self.end(at, id, Ending::Abandoned);
        } else {
            self.fall_back(at, id, FallbackReason::Unavailable);
        }
    }

    /// Sends the call to the backup numbers; the router must no longer hold it.
    pub(crate) fn fall_back(&mut self, at: Timestamp, id: &InteractionId, reason: FallbackReason) {
        let numbers = self.config.fallback_numbers.clone();
        if let (Some(call), Some(first)) = (self.calls.get_mut(id), numbers.first()) {
            self.journal.call(id);
            let _ = call.interaction.handle(
                at,
                Event::FallBack {
                    number: first.clone(),
                },
            );
        }
        self.end(at, id, Ending::FellBack { reason, numbers });
    }

    pub(crate) fn end(&mut self, at: Timestamp, id: &InteractionId, ending: Ending) {
        if let Some(call) = self.calls.get_mut(id) {
            self.journal.call(id);
            call.place = Place::Ended { ending };
            let first_end = call.ended_at.is_none();
            if first_end {
                call.ended_at = Some(at);
                self.expiries.insert((at + ENDED_RETENTION, id.clone()));
            }
            let web = call.web.is_some();
            if let Some(web) = call.web.as_mut() {
                // Over, so no longer waiting for its widget (its `web_waits` entry is skipped).
                web.agent_lost_at = None;
            }
            self.changed.insert(id.clone());
            // Twilio reports a phone call's end; a web call's end is only known here.
            if web && first_end {
                self.record(CallEventKind::Ended(Mark {
                    contact: ContactRef::Interaction(id.clone()),
                    at,
                }));
            }
        }
    }

    /// The agent answered: the call connects and the agent goes on the call.
    pub(crate) fn connect(&mut self, at: Timestamp, id: &InteractionId, agent: &AgentId) -> bool {
        let Some((attempt, timeout)) = self.calls.get(id).and_then(|call| match &call.place {
            Place::Ringing {
                agent: ringing,
                attempt,
                timeout,
            } if ringing == agent => Some((*attempt, *timeout)),
            _ => None,
        }) else {
            return false;
        };
        if self
            .presence_input(at, agent, presence::Input::CallConnected(id.clone()))
            .is_err()
        {
            return false;
        }
        self.router_offer_accepted(id);
        let Some(call) = self.calls.get_mut(id) else {
            return false;
        };
        self.journal.call(id);
        let _ = call.interaction.handle(
            at,
            Event::Connected {
                agent: agent.clone(),
            },
        );
        call.place = Place::Connected {
            agent: agent.clone(),
            attempt,
            timeout,
        };
        let event = AgentResponded {
            contact: call.contact_ref(),
            leg_call_sid: call.leg_call_sid.clone(),
            agent: agent.clone(),
            response: AgentResponse::Accepted,
            at,
        };
        self.changed.insert(id.clone());
        self.record(CallEventKind::AgentResponded(event));
        true
    }

    /// The connected agent's leg ended: the call is complete and the agent goes to wrap-up.
    /// Unless their widget is gone and the caller still there: a page reload dropped the leg, so
    /// the caller holds for the agent to come back (see `rejoin`).
    pub(crate) fn end_leg(&mut self, at: Timestamp, id: &InteractionId, by_customer: bool) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Place::Connected { agent, .. } = &call.place else {
            return;
        };
        let agent = agent.clone();
        let widget_gone = self
            .agents
            .get(&agent)
            .is_some_and(|entry| entry.conns.is_empty());
        if !by_customer && call.held_since.is_some() {
            // The hold itself ended the agent's leg (the caller was redirected to the music).
            return;
        }
        // Only a phone call can be rung through again; a web call's audio was the page itself.
        let phone = call.outbound.is_none() && call.web.is_none();
        if !by_customer && !call.hung_up && phone && widget_gone {
            if call.dropped_at.is_none() {
                call.dropped_at = Some(at);
                self.journal.call(id);
                self.changed.insert(id.clone());
            }
            return;
        }
        call.dropped_at = None;
        call.held_since = None;
        self.journal.call(id);
        let event = if by_customer {
            Event::CustomerHungUp
        } else {
            Event::AgentHungUp {
                agent: agent.clone(),
            }
        };
        let _ = call.interaction.handle(at, event);
        // Released before presence moves on, so an agent without wrap-up can take the next call.
        self.router_release(&agent, id);
        self.end(at, id, Ending::Completed);
        let _ = self.presence_input(at, &agent, presence::Input::CallEnded(id.clone()));
    }

    // ----- Plans -------------------------------------------------------------------------------

    pub(crate) fn plan_of(&self, call: &CallEntry) -> CallPlan {
        let interaction = call.id().clone();
        match &call.place {
            Place::Connected { .. } if call.held_since.is_some() => {
                CallPlan::OnHold { interaction }
            }
            Place::Connected { agent, .. } if call.dropped_at.is_some() => CallPlan::HoldForAgent {
                interaction,
                agent: agent.clone(),
            },
            Place::Ringing {
                agent,
                attempt,
                timeout,
            }
            | Place::Connected {
                agent,
                attempt,
                timeout,
            } => match &call.outbound {
                Some(number) => CallPlan::DialOut {
                    interaction,
                    number: number.clone(),
                },
                None => CallPlan::Ring {
                    interaction,
                    agent: agent.clone(),
                    attempt: *attempt,
                    timeout: *timeout,
                },
            },
            Place::Queued => CallPlan::Enqueue {
                position: self.router.queue_position(&interaction).unwrap_or(1),
                interaction,
            },
            Place::InMenu => match call.menu.as_ref().and_then(|menu| menu.asked()) {
                Some(prompt) => CallPlan::Ask {
                    interaction,
                    prompt: prompt.clone(),
                },
                // Not reachable: a call in the menu is always asked something.
                None => CallPlan::Hangup { interaction },
            },
            Place::Ended { ending } => match ending {
                Ending::Completed | Ending::Abandoned => CallPlan::Hangup { interaction },
                Ending::FellBack { reason, numbers } => CallPlan::Fallback {
                    interaction,
                    numbers: numbers.clone(),
                    reason: *reason,
                },
                Ending::Closed => CallPlan::Closed {
                    interaction,
                    // The calendar is a pure function of the arrival time: no need to store it.
                    because: match self.config.hours.openness(call.arrived_at) {
                        Openness::Closed { because } => Some(because),
                        Openness::Open => None,
                    },
                },
                Ending::TransferredOut { number } => CallPlan::TransferOut {
                    interaction,
                    number: number.clone(),
                },
                Ending::Menu { outcome } => CallPlan::MenuEnd {
                    interaction,
                    outcome: outcome.clone(),
                },
            },
        }
    }

    /// Answers Twilio with `plan` for the call, remembering what Twilio now executes.
    pub(crate) fn serve(&mut self, plan: CallPlan) -> CallPlan {
        let served = match &plan {
            CallPlan::Ring { attempt, .. } => Served::Dial { attempt: *attempt },
            CallPlan::DialOut { .. } => Served::Dial { attempt: 0 },
            CallPlan::HoldForAgent { .. } | CallPlan::OnHold { .. } => Served::Hold,
            CallPlan::Enqueue { .. } | CallPlan::Hold { .. } | CallPlan::LeaveQueue { .. } => {
                Served::Queue
            }
            CallPlan::Ask { .. } => Served::Menu,
            CallPlan::Fallback { .. }
            | CallPlan::TransferOut { .. }
            | CallPlan::Closed { .. }
            | CallPlan::MenuEnd { .. }
            | CallPlan::Hangup { .. } => Served::Done,
            CallPlan::AnnounceNewNumber { .. } => return plan,
        };
        if let Some(call) = plan
            .interaction()
            .and_then(|interaction| self.calls.get_mut(interaction))
            && call.served != served
        {
            call.served = served;
            self.journal.call(call.interaction.id());
        }
        plan
    }

    /// The plan for a call the center does not know (forgotten, or state lost).
    pub(crate) fn unknown_call_plan(&self, interaction: InteractionId) -> CallPlan {
        if self.config.fallback_numbers.is_empty() {
            CallPlan::Hangup { interaction }
        } else {
            CallPlan::Fallback {
                interaction,
                numbers: self.config.fallback_numbers.clone(),
                reason: FallbackReason::Unavailable,
            }
        }
    }

    // ----- Outputs -----------------------------------------------------------------------------

    pub(crate) fn record(&mut self, kind: CallEventKind) {
        self.outputs.push_back(Output::Record(CallEvent::new(kind)));
    }

    pub(crate) fn send_to_agent(&mut self, agent: &AgentId, message: &ServerMessage) {
        let Some(entry) = self.agents.get(agent) else {
            return;
        };
        for conn in &entry.conns {
            if self.welcoming != Some(*conn) {
                self.outputs.push_back(Output::Send {
                    conn: *conn,
                    message: message.clone(),
                });
            }
        }
    }

    pub(crate) fn mark_dirty(&mut self, at: Timestamp, agent: &AgentId) {
        if self.dirty.insert(agent.clone()) {
            self.journal.roster(agent);
        }
        if self.flush_at.is_none() {
            self.flush_at = Some(at + self.config.broadcast_interval);
        }
    }

    pub(crate) fn agent_presence(&self, agent: &AgentId) -> Option<AgentPresence> {
        let entry = self.agents.get(agent)?;
        Some(AgentPresence {
            agent: agent.clone(),
            name: entry.name.clone(),
            status: wire::status(&entry.presence.status()),
            since: entry.presence.status_since(),
        })
    }

    /// The offer ringing at `agent`, if a call rings them, for a widget that opens meanwhile.
    pub(crate) fn current_offer(&self, agent: &AgentId) -> Option<ServerMessage> {
        let entry = self.agents.get(agent)?;
        let Status::Reserved { offer } = entry.presence.status() else {
            return None;
        };
        let call = self.calls.get(&offer.interaction)?;
        let Place::Ringing {
            agent: ringing,
            attempt,
            timeout,
        } = &call.place
        else {
            return None;
        };
        if ringing != agent || *attempt != offer.attempt {
            return None;
        }
        Some(ServerMessage::Offer {
            offer: WireOfferId {
                interaction: offer.interaction.clone(),
                attempt: *attempt,
            },
            conversation: offer.interaction.clone(),
            screen_pop: call.screen_pop(),
            ring_timeout_ms: timeout.0,
            ack_timeout_ms: self.config.presence.offer_ack_timeout.0,
            channel: call.channel(),
        })
    }
}

/// A caller's E.164 number as the agent reads it: the national form for a Japanese number
/// (`03-5555-0101`, what a Japanese agent says back to the caller), the international form for
/// any other country; nothing for a number the plan does not know.
pub(crate) fn caller_display(e164: &str) -> Option<String> {
    let number = tsunagu_phone::PhoneNumber::from_e164(e164).ok()?;
    Some(
        if number.country_code() == tsunagu_phone::Region::Jp.calling_code() {
            number.national_display().to_owned()
        } else {
            number.international_display().to_owned()
        },
    )
}
