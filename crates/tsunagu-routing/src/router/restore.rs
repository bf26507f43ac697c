//! The router's stored facts and their restore (see `saved.rs`), and the invariant check the tests run.

use super::*;

impl Router {
    /// The stored facts: every agent's state and every contact's record.
    pub(crate) fn parts(
        &self,
    ) -> (
        impl Iterator<Item = &AgentState>,
        impl Iterator<Item = &ContactRecord>,
    ) {
        (self.agents.values(), self.contacts.values())
    }

    pub(crate) fn agent_state(&self, agent: &AgentId) -> Option<&AgentState> {
        self.agents.get(agent)
    }

    pub(crate) fn contact_record(&self, contact: &InteractionId) -> Option<&ContactRecord> {
        self.contacts.get(contact)
    }

    /// Adds a stored agent with their load, offer and availability, indexing them.
    pub(crate) fn restore_agent(&mut self, state: AgentState) -> Result<(), &'static str> {
        let id = state.profile.id.clone();
        if self.agents.contains_key(&id) {
            return Err("an agent is stored twice");
        }
        if state.load.values().filter(|c| c.is_exclusive()).count() > 1 {
            return Err("an agent holds two exclusive contacts");
        }
        for interaction in state.load.keys() {
            if self
                .holders
                .insert(interaction.clone(), id.clone())
                .is_some()
            {
                return Err("an interaction is held by two agents");
            }
        }
        self.index.insert(&state);
        self.agents.insert(id, state);
        Ok(())
    }

    /// Adds a stored contact, putting it in line if it was queued.
    pub(crate) fn restore_contact(&mut self, record: ContactRecord) -> Result<(), &'static str> {
        if self.contacts.contains_key(&record.contact.id) {
            return Err("a contact is stored twice");
        }
        if matches!(record.phase, Phase::Queued) {
            let key = QueueKey::of(&record.contact);
            self.queue.insert(record.contact.channel, key);
        }
        self.contacts.insert(record.contact.id.clone(), record);
        Ok(())
    }

    /// After a restore: every offer is pending at the agent it names and the other way round,
    /// every accepted contact is held by its agent, and nothing queued or offered is held.
    pub(crate) fn check_restored(&self) -> Result<(), &'static str> {
        for (id, state) in &self.agents {
            if let Some(pending) = &state.pending {
                let offered_here = self.contacts.get(&pending.contact).is_some_and(
                    |r| matches!(&r.phase, Phase::Offered { agent, .. } if agent == id),
                );
                if !offered_here {
                    return Err("an agent is reserved for a contact not offered to them");
                }
            }
        }
        for (id, record) in &self.contacts {
            let consistent = match &record.phase {
                Phase::Queued => !self.holders.contains_key(id),
                Phase::Offered { agent, .. } => {
                    !self.holders.contains_key(id) && self.pending_offer(agent) == Some(id)
                }
                Phase::Accepted { agent } => self.holders.get(id) == Some(agent),
            };
            if !consistent {
                return Err("a stored contact disagrees with the agents' offers and load");
            }
        }
        Ok(())
    }

    /// Checks every internal invariant, rebuilding the index from scratch to compare.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) -> Result<(), String> {
        let mut rebuilt = AgentIndex::default();
        for state in self.agents.values() {
            rebuilt.insert(state);
        }
        if rebuilt != self.index {
            return Err("index differs from one rebuilt from scratch".into());
        }
        for (id, state) in &self.agents {
            if state.load.values().filter(|c| c.is_exclusive()).count() > 1 {
                return Err(format!("{id} holds two exclusive contacts"));
            }
            for channel in Channel::ALL {
                if state.held_on(channel) > usize::from(state.profile.capacity.limit(channel)) {
                    return Err(format!("{id} is over capacity on {channel}"));
                }
            }
            for interaction in state.load.keys() {
                if self.holders.get(interaction) != Some(id) {
                    return Err(format!("{id} holds {interaction} but holders disagree"));
                }
            }
            if let Some(pending) = &state.pending {
                let offered_here = self.contacts.get(&pending.contact).is_some_and(
                    |r| matches!(&r.phase, Phase::Offered { agent, .. } if agent == id),
                );
                if !offered_here {
                    return Err(format!("{id} reserved for {} in vain", pending.contact));
                }
            }
        }
        for (interaction, holder) in &self.holders {
            let held = self
                .agents
                .get(holder)
                .is_some_and(|s| s.load.contains_key(interaction));
            if !held {
                return Err(format!("holders says {holder} holds {interaction}"));
            }
        }
        let mut queued = 0;
        for (id, record) in &self.contacts {
            match &record.phase {
                Phase::Queued => {
                    queued += 1;
                    let key = QueueKey::of(&record.contact);
                    if !self.queue.contains(record.contact.channel, &key) {
                        return Err(format!("{id} is queued but not in line"));
                    }
                }
                Phase::Offered { agent, .. } => {
                    if self.pending_offer(agent) != Some(id) {
                        return Err(format!("{id} offered to {agent} who is not reserved"));
                    }
                }
                Phase::Accepted { agent } => {
                    if self.holders.get(id) != Some(agent) {
                        return Err(format!("{id} accepted by {agent} who does not hold it"));
                    }
                }
            }
        }
        if queued != self.queue.total() {
            return Err(format!(
                "{queued} contacts queued but {} in line",
                self.queue.total()
            ));
        }
        Ok(())
    }
}
