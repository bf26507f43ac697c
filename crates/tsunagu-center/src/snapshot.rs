//! Persisting the center: a serde snapshot of everything it knows, and a checked restore.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_presence::{ConnectionId, Status};
use tsunagu_routing::{ContactState, Router};

use crate::{
    Center, CenterConfig, Output, RestoreError,
    config::ENDED_RETENTION,
    journal::Journal,
    state::{AgentEntry, CallEntry, Place, Told, web_deadline},
};

/// The format of [`Snapshot`]; bumped on any incompatible change.
const FORMAT: u32 = 1;

/// Everything a [`Center`] knows, for the Durable Object to store (as JSON) after each batch of
/// inputs: configuration, agents with their presence machines, open sockets, calls with their
/// interactions, the router (queue order, pending offers), the pending roster broadcast and any
/// outputs not drained yet. Indexes are not stored; [`Center::restore`] rebuilds them.
///
/// Size: about 0.75 KB per agent and 1.5 KB per ringing call as JSON (printed by the `center`
/// benchmark: 2,000 agents and 1,000 calls make 3 MB), all rewritten after every batch; a shell
/// should store [`Center::take_delta`] instead, which writes only what the batch changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    format: u32,
    config: CenterConfig,
    now: Timestamp,
    agents: BTreeMap<AgentId, AgentEntry>,
    connections: BTreeMap<ConnectionId, AgentId>,
    calls: BTreeMap<InteractionId, CallEntry>,
    router: Router,
    dirty: BTreeSet<AgentId>,
    flush_at: Option<Timestamp>,
    outputs: VecDeque<Output>,
}

/// The agents, open sockets and calls of a [`Snapshot`].
pub(crate) type Directory = (
    BTreeMap<AgentId, AgentEntry>,
    BTreeMap<ConnectionId, AgentId>,
    BTreeMap<InteractionId, CallEntry>,
);

impl Snapshot {
    /// A snapshot of stored parts (read back from entries); [`Center::restore`] checks them.
    pub(crate) fn from_parts(
        config: CenterConfig,
        now: Timestamp,
        (agents, connections, calls): Directory,
        router: Router,
        (dirty, flush_at): (BTreeSet<AgentId>, Option<Timestamp>),
        outputs: VecDeque<Output>,
    ) -> Self {
        Self {
            format: FORMAT,
            config,
            now,
            agents,
            connections,
            calls,
            router,
            dirty,
            flush_at,
            outputs,
        }
    }
}

impl Center {
    /// A copy of everything the center knows. Restoring it gives a center that behaves exactly
    /// as this one from here on.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: FORMAT,
            config: self.config.clone(),
            now: self.now,
            agents: self.agents.clone(),
            connections: self.connections.clone(),
            calls: self.calls.clone(),
            router: self.router.clone(),
            dirty: self.dirty.clone(),
            flush_at: self.flush_at,
            outputs: self.outputs.clone(),
        }
    }

    /// The center a snapshot was taken of. Its sockets are the ones open when it was taken: call
    /// [`Input::AgentDisconnected`](crate::Input::AgentDisconnected) for those the runtime no longer has.
    /// A snapshot whose parts contradict each other is refused. Its first
    /// [`take_delta`](Self::take_delta) holds every entry, to move a stored snapshot to entries.
    pub fn restore(snapshot: Snapshot) -> Result<Center, RestoreError> {
        if snapshot.format != FORMAT {
            return Err(RestoreError::UnsupportedVersion {
                found: snapshot.format,
                expected: FORMAT,
            });
        }
        snapshot.config.validate()?;
        let mut center = Center::from_parts(
            snapshot.config,
            snapshot.now,
            snapshot.agents,
            snapshot.connections,
            snapshot.calls,
            snapshot.router,
        );
        center.dirty = snapshot.dirty;
        center.flush_at = snapshot.flush_at;
        center.outputs = snapshot.outputs;
        center.journal = Journal::everything();
        center.rebuild()?;
        Ok(center)
    }

    /// Rebuilds the indexes from the stored facts, checking that the facts agree.
    fn rebuild(&mut self) -> Result<(), RestoreError> {
        let inconsistent = RestoreError::Inconsistent;
        for (conn, agent) in &self.connections {
            let entry = self
                .agents
                .get_mut(agent)
                .ok_or(inconsistent("a socket belongs to an unknown agent"))?;
            entry.conns.insert(*conn);
        }
        for entry in self.agents.values_mut() {
            let open = &entry.conns;
            entry.widened.retain(|conn| open.contains(conn));
        }
        self.rebuild_watchers();
        for (id, entry) in &self.agents {
            if entry.presence.connection_count() != entry.conns.len() {
                return Err(inconsistent(
                    "an agent's sockets disagree with their presence",
                ));
            }
            if self.router.availability(id).is_none() {
                return Err(inconsistent("an agent is missing from the router"));
            }
            if let Status::Reserved { offer } = entry.presence.status() {
                let rings = self.calls.get(&offer.interaction).is_some_and(|call| {
                    matches!(&call.place, Place::Ringing { agent, attempt, .. }
                        if agent == id && *attempt == offer.attempt)
                });
                if !rings {
                    return Err(inconsistent(
                        "an agent is reserved for a call not ringing them",
                    ));
                }
            }
        }
        if self.router.agent_count() != self.agents.len() {
            return Err(inconsistent("the router knows agents the center does not"));
        }
        for (id, call) in &self.calls {
            if call.id() != id {
                return Err(inconsistent("a call is stored under another id"));
            }
            match (&call.call_sid, &call.web) {
                (Some(call_sid), None) => {
                    if self
                        .by_call_sid
                        .insert(call_sid.clone(), id.clone())
                        .is_some()
                    {
                        return Err(inconsistent("two calls share a CallSid"));
                    }
                }
                (None, Some(web)) => {
                    if web.socket_open {
                        if web.told == Told::Ended {
                            return Err(inconsistent("an ended web call keeps its socket"));
                        }
                        if self.connections.contains_key(&web.conn)
                            || self.callers.insert(web.conn, id.clone()).is_some()
                        {
                            return Err(inconsistent("a customer socket is used twice"));
                        }
                    }
                    if web.agent_lost_at.is_some() && web.agent_conn.is_some() {
                        return Err(inconsistent("a web call waits for a widget it has"));
                    }
                    self.web_waits.extend(web_deadline(&self.config, id, call));
                }
                _ => {
                    return Err(inconsistent(
                        "a call is neither a phone call nor a web call",
                    ));
                }
            }
            let routed = self.router.contact_state(id);
            let consistent = match &call.place {
                Place::Ringing { agent, attempt, .. } => {
                    let reserved = self.agents.get(agent).is_some_and(|entry| {
                        matches!(entry.presence.status(), Status::Reserved { offer }
                            if offer.interaction == *id && offer.attempt == *attempt)
                    });
                    reserved
                        && matches!(routed, Some(ContactState::Offered { agent: offered, .. })
                            if offered == *agent)
                }
                Place::Queued => matches!(routed, Some(ContactState::Queued { .. })),
                // Routed only once the menu ends; a call in it is always asked something.
                Place::InMenu => {
                    routed.is_none()
                        && call
                            .menu
                            .as_ref()
                            .is_some_and(|menu| menu.asked().is_some())
                }
                Place::Connected { agent, .. } => {
                    let on_call = self.agents.get(agent).is_some_and(|entry| {
                        matches!(entry.presence.status(), Status::OnCall { interaction }
                            if interaction == *id)
                    });
                    // An outbound call is work routing holds without having routed it.
                    let held = call.outbound.is_some()
                        && self
                            .router
                            .holdings(agent)
                            .is_some_and(|holdings| holdings.contains_key(id));
                    on_call
                        && (held
                            || matches!(routed, Some(ContactState::Accepted { agent: holder })
                                if holder == *agent))
                }
                Place::Ended { .. } => routed.is_none() && call.ended_at.is_some(),
            };
            if !consistent {
                return Err(inconsistent(
                    "a call's place disagrees with presence or routing",
                ));
            }
            if let Some(ended_at) = call.ended_at {
                self.expiries
                    .insert((ended_at + ENDED_RETENTION, id.clone()));
            }
            // Relaxations due by the stored time already happened.
            if let Some(relax_at) = call.relax_skills_at()
                && relax_at > self.now
                && call.ended_at.is_none()
            {
                self.relax_waits.insert((relax_at, id.clone()));
            }
        }
        let agents: Vec<AgentId> = self.agents.keys().cloned().collect();
        for agent in &agents {
            self.sync_timer(agent);
        }
        Ok(())
    }

    /// Re-arms `agent`'s presence deadline in the timer index.
    fn sync_timer(&mut self, agent: &AgentId) {
        if let Some(deadline) = self
            .agents
            .get(agent)
            .and_then(|entry| entry.presence.poll_timeout())
        {
            self.deadlines.insert(agent.clone(), deadline);
            self.timers.insert((deadline, agent.clone()));
        }
    }
}
