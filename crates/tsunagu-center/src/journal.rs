//! What changed since the last delta: the keys of the entries (`agent/…`, `call/…`,
//! `roster/…`) every code path notes when it changes an agent, a call, the router's view of
//! either or a roster mark. `entries.rs` turns them into a [`Delta`](crate::Delta).

use std::collections::BTreeSet;

use tsunagu_core::{AgentId, InteractionId};

/// An entry other than `meta`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EntryKey {
    Agent(AgentId),
    Call(InteractionId),
    Roster(AgentId),
}

/// The entries changed since the last delta.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    pub(crate) changed: BTreeSet<EntryKey>,
    /// Every entry must be written (a center restored from a [`Snapshot`]).
    pub(crate) everything: bool,
    /// The `meta` entry as last handed out, so an unchanged one is not written again.
    pub(crate) meta_written: Option<String>,
}

impl Journal {
    pub(crate) fn everything() -> Self {
        Self {
            everything: true,
            ..Self::default()
        }
    }

    pub(crate) fn agent(&mut self, agent: &AgentId) {
        self.note(EntryKey::Agent(agent.clone()));
    }

    pub(crate) fn call(&mut self, call: &InteractionId) {
        self.note(EntryKey::Call(call.clone()));
    }

    pub(crate) fn roster(&mut self, agent: &AgentId) {
        self.note(EntryKey::Roster(agent.clone()));
    }

    fn note(&mut self, key: EntryKey) {
        if !self.everything {
            self.changed.insert(key);
        }
    }
}
