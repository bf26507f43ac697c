//! The [`Center`] itself: its fields, construction and settings, the views, the frame around
//! every input (`begin` applies due timers, `finish` redirects calls whose plan changed) and the
//! outputs it queues.
//!
//! What the center does is in the modules that add to it: `input.rs` (the one `handle_input`),
//! `agents.rs` (widget sockets), `calls.rs` (Twilio), `webcall.rs`, `ivr.rs`, `transfer.rs`,
//! `hold.rs`, `outbound.rs`; under them `agent_status.rs` (presence machines), `offers.rs`
//! (ringing agents), `endings.rs` (how calls end), `call_plans.rs` (what Twilio is told),
//! `timers.rs`, `roster.rs` (broadcasts) and `journaled_router.rs` (every router change, noted
//! for persistence). The stored data is in `state.rs` and `journal.rs`, which import none of them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use tsunagu_core::{AgentId, CallSid, Channel, InteractionId, TeamId, Timestamp};
use tsunagu_presence::{ConnectionId, Status};
use tsunagu_protocol::{AgentPresence, OfferId as WireOfferId, PresenceStatus, ServerMessage};
use tsunagu_routing::Router;
use tsunagu_stitch::{CallEvent, CallEventKind};

use crate::{
    CallPlan, CenterConfig, ConfigError, Output,
    journal::Journal,
    state::{AgentEntry, CallEntry, Place, Served, web_deadline},
    wire,
};

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
    /// The agent whose call back is being placed in this input: between the callback's end
    /// and the outbound call they are free for a moment, and must not be offered a call then.
    pub(crate) dialling_back: Option<AgentId>,
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
            dialling_back: None,
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
            .filter_map(|(id, call)| web_deadline(&config, id, call))
            .collect();
        self.config = config;
        Ok(())
    }

    /// The next thing to do, oldest first.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
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
