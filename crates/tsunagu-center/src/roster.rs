//! Presence fan-out by scope: each widget socket hears the agents of its roster scope (its teams,
//! or the whole tenant), and a change costs the sockets that watch it, not the tenant.
//!
//! `watchers` groups the open sockets by the scope they hear now (an agent's scope from the
//! session, or the whole tenant while the socket has widened it with `watch_roster`). A flush
//! builds one `Roster` per group that has a changed agent in scope and sends it to that group's
//! sockets in one [`Output::Multicast`], so the shell serialises it once. The index is derived
//! from the agents and rebuilt on restore; only each agent's scope and widened sockets are stored.

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_auth::RosterScope;
use tsunagu_core::AgentId;
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{AgentPresence, ServerMessage};

use crate::{Center, Output};

impl Center {
    /// The scope `conn` (a socket of `agent`) hears now.
    pub(crate) fn scope_of(&self, agent: &AgentId, conn: ConnectionId) -> RosterScope {
        match self.agents.get(agent) {
            Some(entry) if !entry.widened.contains(&conn) => entry.roster.clone(),
            _ => RosterScope::Tenant,
        }
    }

    /// Files `conn` under the scope it hears now (after a connect, a widen or a narrow).
    pub(crate) fn watch(&mut self, agent: &AgentId, conn: ConnectionId) {
        self.unwatch(conn);
        let scope = self.scope_of(agent, conn);
        self.watchers.entry(scope).or_default().insert(conn);
    }

    /// Takes `conn` out of the index (a closed socket, or before it is filed again).
    pub(crate) fn unwatch(&mut self, conn: ConnectionId) {
        self.watchers.retain(|_, conns| {
            conns.remove(&conn);
            !conns.is_empty()
        });
    }

    /// Every agent in `scope`, for a welcome or a full roster.
    pub(crate) fn roster_in(&self, scope: &RosterScope) -> Vec<AgentPresence> {
        self.agents
            .iter()
            .filter(|(_, entry)| scope.covers(&entry.teams))
            .filter_map(|(id, _)| self.agent_presence(id))
            .collect()
    }

    /// `watch_roster`: the socket hears the whole tenant (`everyone`) or its own scope again,
    /// starting with the full roster of what it hears now.
    pub(crate) fn watch_roster(&mut self, conn: ConnectionId, agent: &AgentId, everyone: bool) {
        if let Some(entry) = self.agents.get_mut(agent) {
            let changed = if everyone {
                entry.widened.insert(conn)
            } else {
                entry.widened.remove(&conn)
            };
            if changed {
                self.journal.agent(agent);
            }
        }
        self.watch(agent, conn);
        let agents = self.roster_in(&self.scope_of(agent, conn));
        self.outputs.push_back(Output::Send {
            conn,
            message: ServerMessage::Roster { agents, full: true },
        });
    }

    /// The coalesced broadcast: the changed agents, to each group of sockets whose scope has one.
    pub(crate) fn flush_roster(&mut self) {
        self.flush_at = None;
        let dirty = std::mem::take(&mut self.dirty);
        for agent in &dirty {
            self.journal.roster(agent);
        }
        let changed: Vec<(AgentPresence, &BTreeSet<tsunagu_core::TeamId>)> = dirty
            .iter()
            .filter_map(|id| Some((self.agent_presence(id)?, &self.agents.get(id)?.teams)))
            .collect();
        // Groups that see the same changes (the tenant and a supervisor of every changed team)
        // share one message: keyed by which of the changed agents they see.
        let mut sends: BTreeMap<Vec<usize>, Vec<ConnectionId>> = BTreeMap::new();
        for (scope, conns) in &self.watchers {
            let seen: Vec<usize> = changed
                .iter()
                .enumerate()
                .filter(|(_, (_, teams))| scope.covers(teams))
                .map(|(index, _)| index)
                .collect();
            if !seen.is_empty() {
                sends.entry(seen).or_default().extend(conns.iter().copied());
            }
        }
        let multicasts: Vec<Output> = sends
            .into_iter()
            .map(|(seen, mut conns)| {
                conns.sort_unstable();
                let agents = seen.iter().map(|&i| changed[i].0.clone()).collect();
                Output::Multicast {
                    conns,
                    message: ServerMessage::Roster {
                        agents,
                        full: false,
                    },
                }
            })
            .collect();
        self.outputs.extend(multicasts);
    }

    /// Rebuilds `watchers` from the agents (after a restore).
    pub(crate) fn rebuild_watchers(&mut self) {
        self.watchers.clear();
        let conns: Vec<(AgentId, ConnectionId)> = self
            .agents
            .iter()
            .flat_map(|(id, entry)| entry.conns.iter().map(move |conn| (id.clone(), *conn)))
            .collect();
        for (agent, conn) in conns {
            self.watch(&agent, conn);
        }
    }
}
