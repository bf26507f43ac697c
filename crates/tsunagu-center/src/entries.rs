//! Incremental persistence: the center as small storage entries, and what changed since the last delta.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use tsunagu_auth::RosterScope;
use tsunagu_core::{AgentId, InteractionId, TeamId, Timestamp};
use tsunagu_presence::{ConnectionId, Presence};
use tsunagu_routing::{Router, StoredAgent, StoredContact};

use crate::{
    Center, CenterConfig, Output, RestoreError, Snapshot,
    journal::{EntryKey, Journal},
    state::{AgentEntry, CallEntry},
};

/// The format of the entries; bumped on any incompatible change.
const ENTRIES_FORMAT: u32 = 1;

const META_KEY: &str = "meta";
const AGENT_PREFIX: &str = "agent/";
const CALL_PREFIX: &str = "call/";
const ROSTER_PREFIX: &str = "roster/";

/// What changed since the previous [`Center::take_delta`] (or since [`Center::new`] or
/// [`Center::restore_entries`]): entries to write and keys to delete. Keys are short ASCII
/// strings (at most 512 bytes: `meta`, `agent/<id>`, `call/<id>`, `roster/<id>`); values are
/// JSON. No key is both written and deleted. A delete may name a key that was never written (a
/// roster mark set and cleared between two deltas); deleting it is harmless.
///
/// The entries, all JSON:
///
/// - `meta`: format, configuration, the latest time, the pending roster deadline and any outputs
///   not drained yet (none when the shell drains before it writes). Small; written after almost
///   every input because the time moves.
/// - `agent/<agent id>`: name, teams, presence machine, open sockets and the router's facts about
///   the agent (availability, pending offer, load).
/// - `call/<interaction id>`: the call (interaction, place, attempts, screen pop, arrival) and the
///   router's record of it while it is routed (ladder, agents tried, phase). Its place in line is
///   rebuilt from its arrival, so no entry lists the queue. Ended calls stay until forgotten
///   (their expiry is rebuilt from `ended_at`), then the entry is deleted.
/// - `roster/<agent id>`: the agent changed since the last roster broadcast (value `true`). The
///   broadcast deletes these; a restored center sends the broadcast it owed, at the same time.
///
/// Every code path that changes an agent, a call, the router's view of either or a roster mark
/// notes its key; [`Center::take_delta`] serialises only those. The work per
/// input is therefore the handful of entries it touched, not the size of the center.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

impl EntryKey {
    fn to_key(&self) -> String {
        match self {
            EntryKey::Agent(id) => format!("{AGENT_PREFIX}{id}"),
            EntryKey::Call(id) => format!("{CALL_PREFIX}{id}"),
            EntryKey::Roster(id) => format!("{ROSTER_PREFIX}{id}"),
        }
    }
}

#[derive(Serialize)]
struct MetaOut<'a> {
    format: u32,
    config: &'a CenterConfig,
    now: Timestamp,
    flush_at: Option<Timestamp>,
    outputs: &'a VecDeque<Output>,
}

#[derive(Deserialize)]
struct MetaIn {
    format: u32,
    config: CenterConfig,
    now: Timestamp,
    flush_at: Option<Timestamp>,
    outputs: VecDeque<Output>,
}

#[derive(Serialize)]
struct AgentOut<'a> {
    name: &'a str,
    teams: &'a BTreeSet<TeamId>,
    presence: &'a Presence,
    conns: &'a BTreeSet<ConnectionId>,
    route: Option<StoredAgent>,
    roster: &'a RosterScope,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    widened: &'a BTreeSet<ConnectionId>,
}

#[derive(Deserialize)]
struct AgentIn {
    name: String,
    teams: BTreeSet<TeamId>,
    presence: Presence,
    conns: BTreeSet<ConnectionId>,
    route: Option<StoredAgent>,
    /// Absent from entries stored before roster scopes: the whole tenant, as then.
    #[serde(default)]
    roster: RosterScope,
    #[serde(default)]
    widened: BTreeSet<ConnectionId>,
}

#[derive(Serialize)]
struct CallOut<'a> {
    call: &'a CallEntry,
    route: Option<StoredContact>,
}

#[derive(Deserialize)]
struct CallIn {
    call: CallEntry,
    route: Option<StoredContact>,
}

/// JSON of our own types: string map keys only, so encoding cannot fail; if it ever did, `null`
/// is stored and the restore refuses it rather than continuing without the entry.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn read<T: for<'de> Deserialize<'de>>(value: &str, kind: &'static str) -> Result<T, RestoreError> {
    serde_json::from_str(value).map_err(|_| RestoreError::UnreadableEntry { kind })
}

impl Center {
    /// What changed since the previous call (or since [`new`](Self::new) or
    /// [`restore_entries`](Self::restore_entries)): the entries to write and the keys to delete,
    /// for the shell to store after each batch of inputs, after draining the outputs. After
    /// [`restore`](Self::restore) from a [`Snapshot`] the first delta holds every entry. Writing
    /// every delta in order, and restoring with `restore_entries`, gives a center that behaves
    /// exactly as this one.
    ///
    /// Cost: the entries touched since the last delta, each a few hundred bytes to a few KB (an
    /// agent, a call), plus `meta`; not the number of agents or calls.
    pub fn take_delta(&mut self) -> Delta {
        let mut delta = Delta::default();
        if std::mem::take(&mut self.journal.everything) {
            self.journal.changed.clear();
            delta.puts = self.entries();
            self.journal.meta_written = delta
                .puts
                .iter()
                .find(|(key, _)| key == META_KEY)
                .map(|(_, value)| value.clone());
            return delta;
        }
        let meta = self.meta_entry();
        if self.journal.meta_written.as_ref() != Some(&meta) {
            delta.puts.push((META_KEY.to_owned(), meta.clone()));
            self.journal.meta_written = Some(meta);
        }
        for key in std::mem::take(&mut self.journal.changed) {
            match self.entry(&key) {
                Some(value) => delta.puts.push((key.to_key(), value)),
                None => delta.deletes.push(key.to_key()),
            }
        }
        delta
    }

    /// Every entry of the center as it is now (what writing every delta so far has stored): for
    /// moving a center stored as one [`Snapshot`] to entries, and for checks.
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut entries = vec![(META_KEY.to_owned(), self.meta_entry())];
        let keys = (self.agents.keys().cloned().map(EntryKey::Agent))
            .chain(self.calls.keys().cloned().map(EntryKey::Call))
            .chain(self.dirty.iter().cloned().map(EntryKey::Roster));
        for key in keys {
            if let Some(value) = self.entry(&key) {
                entries.push((key.to_key(), value));
            }
        }
        entries
    }

    /// Whether `key` names an entry of the center (for a shell that keeps other keys next to
    /// them).
    pub fn is_entry_key(key: &str) -> bool {
        key == META_KEY
            || [AGENT_PREFIX, CALL_PREFIX, ROSTER_PREFIX]
                .iter()
                .any(|prefix| key.starts_with(prefix))
    }

    /// Whether one stored entry can be read on its own (a known key, JSON of its kind); the
    /// error says why not. What [`Center::recover_entries`] quarantines.
    pub(crate) fn screen_entry(key: &str, value: &str) -> Result<(), RestoreError> {
        if key == META_KEY {
            read::<MetaIn>(value, "meta").map(drop)
        } else if let Some(id) = key.strip_prefix(AGENT_PREFIX) {
            AgentId::new(id).map_err(|_| RestoreError::UnknownKey)?;
            read::<AgentIn>(value, "agent").map(drop)
        } else if let Some(id) = key.strip_prefix(CALL_PREFIX) {
            InteractionId::new(id).map_err(|_| RestoreError::UnknownKey)?;
            read::<CallIn>(value, "call").map(drop)
        } else if let Some(id) = key.strip_prefix(ROSTER_PREFIX) {
            AgentId::new(id).map_err(|_| RestoreError::UnknownKey)?;
            match read::<bool>(value, "roster")? {
                true => Ok(()),
                false => Err(RestoreError::UnreadableEntry { kind: "roster" }),
            }
        } else {
            Err(RestoreError::UnknownKey)
        }
    }

    /// The configuration a stored `meta` entry carries, if it can be read.
    pub(crate) fn config_of_meta(entries: &[(String, String)]) -> Option<CenterConfig> {
        let (_, value) = entries.iter().find(|(key, _)| key == META_KEY)?;
        read::<MetaIn>(value, "meta").ok().map(|meta| meta.config)
    }

    /// The center whose entries these are: every entry written by the deltas so far (puts
    /// applied, deletes removed), in any order. As with [`restore`](Self::restore), its sockets
    /// are the ones open when the entries were written, and entries that contradict each other
    /// are refused.
    pub fn restore_entries(
        entries: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Center, RestoreError> {
        let inconsistent = RestoreError::Inconsistent;
        let mut meta: Option<MetaIn> = None;
        let mut agents = BTreeMap::new();
        let mut connections = BTreeMap::new();
        let mut calls = BTreeMap::new();
        let mut dirty = BTreeSet::new();
        let mut routed_agents = Vec::new();
        let mut routed_contacts = Vec::new();
        for (key, value) in entries {
            if key == META_KEY {
                if meta.replace(read(&value, "meta")?).is_some() {
                    return Err(inconsistent("an entry is given twice"));
                }
            } else if let Some(id) = key.strip_prefix(AGENT_PREFIX) {
                let id = AgentId::new(id).map_err(|_| RestoreError::UnknownKey)?;
                let agent: AgentIn = read(&value, "agent")?;
                for conn in &agent.conns {
                    if connections.insert(*conn, id.clone()).is_some() {
                        return Err(inconsistent("a socket belongs to two agents"));
                    }
                }
                if let Some(route) = agent.route {
                    if route.agent() != &id {
                        return Err(inconsistent("an agent is stored under another id"));
                    }
                    routed_agents.push(route);
                }
                let entry = AgentEntry {
                    name: agent.name,
                    teams: agent.teams,
                    presence: agent.presence,
                    // Rebuilt from the connections by the restore.
                    conns: BTreeSet::new(),
                    roster: agent.roster,
                    // A widened socket that is no longer open is dropped by the restore.
                    widened: agent.widened,
                };
                if agents.insert(id, entry).is_some() {
                    return Err(inconsistent("an entry is given twice"));
                }
            } else if let Some(id) = key.strip_prefix(CALL_PREFIX) {
                let id = InteractionId::new(id).map_err(|_| RestoreError::UnknownKey)?;
                let call: CallIn = read(&value, "call")?;
                if let Some(route) = call.route {
                    if route.contact() != &id {
                        return Err(inconsistent("a call is stored under another id"));
                    }
                    routed_contacts.push(route);
                }
                if calls.insert(id, call.call).is_some() {
                    return Err(inconsistent("an entry is given twice"));
                }
            } else if let Some(id) = key.strip_prefix(ROSTER_PREFIX) {
                let id = AgentId::new(id).map_err(|_| RestoreError::UnknownKey)?;
                if !read::<bool>(&value, "roster")? {
                    return Err(RestoreError::UnreadableEntry { kind: "roster" });
                }
                dirty.insert(id);
            } else {
                return Err(RestoreError::UnknownKey);
            }
        }
        let meta = meta.ok_or(RestoreError::MissingMeta)?;
        if meta.format != ENTRIES_FORMAT {
            return Err(RestoreError::UnsupportedVersion {
                found: meta.format,
                expected: ENTRIES_FORMAT,
            });
        }
        let router = Router::from_stored(routed_agents, routed_contacts)?;
        let mut center = Center::restore(Snapshot::from_parts(
            meta.config,
            meta.now,
            (agents, connections, calls),
            router,
            (dirty, meta.flush_at),
            meta.outputs,
        ))?;
        center.journal = Journal::default();
        Ok(center)
    }

    fn meta_entry(&self) -> String {
        json(&MetaOut {
            format: ENTRIES_FORMAT,
            config: &self.config,
            now: self.now,
            flush_at: self.flush_at,
            outputs: &self.outputs,
        })
    }

    /// The value of an entry, or `None` if it no longer exists.
    fn entry(&self, key: &EntryKey) -> Option<String> {
        match key {
            EntryKey::Agent(id) => self.agents.get(id).map(|entry| {
                json(&AgentOut {
                    name: &entry.name,
                    teams: &entry.teams,
                    presence: &entry.presence,
                    conns: &entry.conns,
                    route: self.router.stored_agent(id),
                    roster: &entry.roster,
                    widened: &entry.widened,
                })
            }),
            EntryKey::Call(id) => self.calls.get(id).map(|call| {
                json(&CallOut {
                    call,
                    route: self.router.stored_contact(id),
                })
            }),
            EntryKey::Roster(id) => self.dirty.contains(id).then(|| "true".to_owned()),
        }
    }
}
