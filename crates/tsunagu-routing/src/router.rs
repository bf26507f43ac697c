//! The router of one tenant: directory, availability, load, offers and the queue, all in memory.

mod decide;
mod restore;

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_core::{AgentId, Channel, InteractionId, Millis, Timestamp};

use crate::{
    Availability, Contact, Ladder, NotRoutableReason, Skill, Target,
    agent::{AgentProfile, AgentState, PendingOffer},
    explain::{
        Conclusion, Explanation, NotApplicable, PassGroup, PassReason, SkipGroup, SkipReason,
        StepReport, StepTarget, StepVerdict, Tally, Trigger,
    },
    index::{AgentIndex, Scope},
    queue::{Queue, QueueKey},
};

/// How far into an idle order to look for example names of agents lacking a skill.
const EXAMPLE_SEARCH: usize = 64;

/// Why an operation was refused. A refused operation changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    #[error("agent {0} is not in the directory")]
    UnknownAgent(AgentId),
    #[error("contact {0} is not being routed")]
    UnknownContact(InteractionId),
    #[error("contact {0} is already known to the router")]
    DuplicateContact(InteractionId),
    #[error("the ladder has no steps")]
    EmptyLadder,
    #[error("contact {0} has no pending offer")]
    NotOffered(InteractionId),
    #[error("contact {contact} was already accepted by {agent}; release it instead")]
    AlreadyAccepted {
        contact: InteractionId,
        agent: AgentId,
    },
    #[error("agent {agent} has no room for another {channel} contact")]
    NoRoom { agent: AgentId, channel: Channel },
    #[error("interaction {interaction} is already held by {agent}")]
    AlreadyHeld {
        interaction: InteractionId,
        agent: AgentId,
    },
    #[error("agent {agent} does not hold {interaction}")]
    NotHeld {
        agent: AgentId,
        interaction: InteractionId,
    },
}

/// What to do with a contact now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Ring this agent; report the result with `offer_accepted` or `offer_failed`.
    Offer(Offer),
    /// Nobody can take it now; it waits in its channel's line.
    Queued(Queued),
}

impl Decision {
    pub fn explanation(&self) -> &Explanation {
        match self {
            Decision::Offer(offer) => &offer.explanation,
            Decision::Queued(queued) => &queued.explanation,
        }
    }

    pub fn contact(&self) -> &InteractionId {
        match self {
            Decision::Offer(offer) => &offer.contact,
            Decision::Queued(queued) => &queued.contact,
        }
    }
}

/// Offer `contact` to `agent` for `timeout`. The agent is reserved for it until the offer resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub contact: InteractionId,
    pub agent: AgentId,
    /// The ladder step (zero-based) the agent was chosen by.
    pub step_index: usize,
    pub timeout: Millis,
    pub explanation: Explanation,
}

/// `contact` waits at one-based `position` in the line of its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub contact: InteractionId,
    pub position: usize,
    pub queue_len: usize,
    pub explanation: Explanation,
}

/// Where a contact the router knows stands; exactly one of these until it is abandoned or released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactState {
    Queued { channel: Channel, position: usize },
    Offered { agent: AgentId, step_index: usize },
    Accepted { agent: AgentId },
}

/// What removing an agent did to the work they had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The contact that was being offered to them, routed again.
    pub rerouted: Option<Decision>,
    /// Interactions they held, which the router no longer tracks.
    pub released: Vec<InteractionId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued,
    Offered { agent: AgentId, step_index: usize },
    Accepted { agent: AgentId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContactRecord {
    pub(crate) contact: Contact,
    pub(crate) ladder: Ladder,
    /// Agents who missed or declined this contact; not offered it again until they come back
    /// (see [`Router::set_availability`]).
    pub(crate) tried: BTreeSet<AgentId>,
    pub(crate) phase: Phase,
}

/// The ACD of one tenant. See the crate documentation for the rules it follows.
///
/// `Serialize + Deserialize` (as JSON-friendly lists of agents and contacts): a restored router
/// decides exactly as the original would have; a stored value whose parts contradict each other
/// is refused.
#[derive(Debug, Clone, Default)]
pub struct Router {
    agents: BTreeMap<AgentId, AgentState>,
    index: AgentIndex,
    contacts: BTreeMap<InteractionId, ContactRecord>,
    queue: Queue,
    /// Who holds each interaction (accepted contacts and work assigned by the caller).
    holders: BTreeMap<InteractionId, AgentId>,
}

impl Router {
    pub fn new() -> Self {
        Self::default()
    }

    // ----- Directory -------------------------------------------------------------------------

    /// Adds an agent (initially offline) or replaces the profile of a known one, keeping their
    /// availability and load. Lowering a capacity below the current load evicts nothing; the
    /// agent just gets no more of that channel until they are under it.
    pub fn upsert_agent(&mut self, profile: AgentProfile) {
        let id = profile.id.clone();
        if self.agents.contains_key(&id) {
            self.update_agent(&id, |agent| agent.profile = profile);
        } else {
            let agent = AgentState::new(profile);
            self.index.insert(&agent);
            self.agents.insert(id, agent);
        }
    }

    /// Removes an agent. The contact being offered to them (if any) is routed again at `now`, and
    /// the interactions they held are forgotten, so no contact is lost.
    pub fn remove_agent(
        &mut self,
        agent: &AgentId,
        now: Timestamp,
    ) -> Result<Removal, RoutingError> {
        let state = self
            .agents
            .remove(agent)
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        self.index.remove(&state);
        let released: Vec<InteractionId> = state.load.keys().cloned().collect();
        for interaction in &released {
            self.holders.remove(interaction);
            if self
                .contacts
                .get(interaction)
                .is_some_and(|r| matches!(r.phase, Phase::Accepted { .. }))
            {
                self.contacts.remove(interaction);
            }
        }
        let rerouted = state.pending.and_then(|pending| {
            let record = self.contacts.remove(&pending.contact)?;
            if matches!(&record.phase, Phase::Offered { agent: offered, .. } if offered == agent) {
                let trigger = Trigger::AgentRemoved {
                    contact: pending.contact,
                    agent: agent.clone(),
                };
                Some(self.decide(record, trigger, now))
            } else {
                self.contacts.insert(pending.contact, record);
                None
            }
        });
        Ok(Removal { rerouted, released })
    }

    /// Records what the caller's presence machine says about `agent`. While an offer is pending the
    /// agent stays unavailable for other offers, but when it resolves this availability stands
    /// (rather than the one the router saved when it reserved the agent).
    ///
    /// An agent who *comes back* (routable again after being away, offline, on a call or in
    /// wrap-up; not the end of a reservation) may be offered again the contacts they missed or
    /// declined: a miss sends them away, and coming back says they are ready. Otherwise a caller
    /// whom the only agent's frozen tab missed would wait in the queue while that agent sat
    /// available. Returns those contacts (their stored records changed). Cost: O(c log a) for c
    /// live contacts, on a return only.
    pub fn set_availability(
        &mut self,
        agent: &AgentId,
        availability: Availability,
    ) -> Result<Vec<InteractionId>, RoutingError> {
        let returning = self
            .update_agent(agent, |state| {
                let returning = comes_back(&state.availability, &availability);
                state.availability = availability;
                if let Some(pending) = &mut state.pending {
                    pending.restore = None;
                }
                returning
            })
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        if !returning {
            return Ok(Vec::new());
        }
        Ok(self
            .contacts
            .iter_mut()
            .filter_map(|(id, record)| record.tried.remove(agent).then(|| id.clone()))
            .collect())
    }

    /// Records that `agent` took `interaction` outside routing (an outbound call, a transfer).
    /// Refused if it would break exclusivity or capacity, or if the router is routing it.
    pub fn assign(
        &mut self,
        agent: &AgentId,
        interaction: InteractionId,
        channel: Channel,
    ) -> Result<(), RoutingError> {
        if let Some(holder) = self.holders.get(&interaction) {
            return Err(RoutingError::AlreadyHeld {
                interaction,
                agent: holder.clone(),
            });
        }
        if self.contacts.contains_key(&interaction) {
            return Err(RoutingError::DuplicateContact(interaction));
        }
        let state = self
            .agents
            .get(agent)
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        if !state.can_hold(channel) {
            return Err(RoutingError::NoRoom {
                agent: agent.clone(),
                channel,
            });
        }
        self.update_agent(agent, |state| {
            state.load.insert(interaction.clone(), channel);
        });
        self.holders.insert(interaction, agent.clone());
        Ok(())
    }

    /// Records that `agent` finished `interaction` (an accepted contact or assigned work). The
    /// caller then usually asks [`Router::next_for_agent`] for their next contact.
    pub fn release(
        &mut self,
        agent: &AgentId,
        interaction: &InteractionId,
    ) -> Result<(), RoutingError> {
        let state = self
            .agents
            .get(agent)
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        if !state.load.contains_key(interaction) {
            return Err(RoutingError::NotHeld {
                agent: agent.clone(),
                interaction: interaction.clone(),
            });
        }
        self.update_agent(agent, |state| state.load.remove(interaction));
        self.holders.remove(interaction);
        if self
            .contacts
            .get(interaction)
            .is_some_and(|r| matches!(&r.phase, Phase::Accepted { agent: a } if a == agent))
        {
            self.contacts.remove(interaction);
        }
        Ok(())
    }

    // ----- Contacts --------------------------------------------------------------------------

    /// Decides where a new contact goes: walks `ladder` from its first step and offers the contact
    /// to the longest-idle eligible agent of the first step that has one, or queues it.
    pub fn route(
        &mut self,
        contact: Contact,
        ladder: &Ladder,
        now: Timestamp,
    ) -> Result<Decision, RoutingError> {
        if ladder.steps.is_empty() {
            return Err(RoutingError::EmptyLadder);
        }
        if self.contacts.contains_key(&contact.id) || self.holders.contains_key(&contact.id) {
            return Err(RoutingError::DuplicateContact(contact.id));
        }
        let trigger = Trigger::Arrived {
            contact: contact.id.clone(),
            channel: contact.channel,
            priority: contact.priority,
            skills: contact.skills.iter().cloned().collect(),
            levels: contact.skill_levels.clone(),
        };
        let record = ContactRecord {
            contact,
            ladder: ladder.clone(),
            tried: BTreeSet::new(),
            phase: Phase::Queued,
        };
        Ok(self.decide(record, trigger, now))
    }

    /// The offered agent missed or declined `contact`. They are never offered it again; the ladder
    /// is walked again from its first step (not from the next one), so an earlier, preferred
    /// target who has become free meanwhile is offered it before later steps are reached. A step
    /// is therefore left only when all its agents are unavailable or have already tried.
    pub fn offer_failed(
        &mut self,
        contact: &InteractionId,
        now: Timestamp,
    ) -> Result<Decision, RoutingError> {
        let agent = self.offered_agent(contact)?;
        let Some(mut record) = self.contacts.remove(contact) else {
            return Err(RoutingError::UnknownContact(contact.clone()));
        };
        record.tried.insert(agent.clone());
        self.resolve_offer(&agent, None);
        let trigger = Trigger::OfferFailed {
            contact: contact.clone(),
            agent,
        };
        Ok(self.decide(record, trigger, now))
    }

    /// The offered agent accepted `contact`: it now counts toward their load until
    /// [`Router::release`]. Their availability returns to what it was before the offer (with
    /// `idle_since` moved to the offer time, so the next contact goes to someone idle for longer),
    /// unless the caller has set a newer one. Returns the agent.
    pub fn offer_accepted(&mut self, contact: &InteractionId) -> Result<AgentId, RoutingError> {
        let agent = self.offered_agent(contact)?;
        let channel = self
            .contacts
            .get(contact)
            .map(|r| r.contact.channel)
            .ok_or_else(|| RoutingError::UnknownContact(contact.clone()))?;
        let state = self
            .agents
            .get(&agent)
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        if !state.can_hold(channel) {
            // Work assigned while the offer rang filled the agent up; the caller should fail it.
            return Err(RoutingError::NoRoom { agent, channel });
        }
        self.resolve_offer(&agent, Some((contact.clone(), channel)));
        self.holders.insert(contact.clone(), agent.clone());
        if let Some(record) = self.contacts.get_mut(contact) {
            record.phase = Phase::Accepted {
                agent: agent.clone(),
            };
        }
        Ok(agent)
    }

    /// The customer gave up (hung up, closed the chat): the contact leaves the queue, or its offer
    /// is withdrawn. Returns the agent whose offer was withdrawn, who may now take other work.
    /// An accepted contact cannot be abandoned; release it.
    pub fn abandon(&mut self, contact: &InteractionId) -> Result<Option<AgentId>, RoutingError> {
        let record = self
            .contacts
            .get(contact)
            .ok_or_else(|| RoutingError::UnknownContact(contact.clone()))?;
        if let Phase::Accepted { agent } = &record.phase {
            return Err(RoutingError::AlreadyAccepted {
                contact: contact.clone(),
                agent: agent.clone(),
            });
        }
        let Some(record) = self.contacts.remove(contact) else {
            return Err(RoutingError::UnknownContact(contact.clone()));
        };
        match record.phase {
            Phase::Queued => {
                self.queue
                    .remove(record.contact.channel, &QueueKey::of(&record.contact));
                Ok(None)
            }
            Phase::Offered { agent, .. } => {
                self.resolve_offer(&agent, None);
                Ok(Some(agent))
            }
            Phase::Accepted { .. } => Ok(None),
        }
    }

    /// The queued `contact` waited past its skill relaxation (`Contact::relax_skills_at`): its
    /// ladder is walked again at `now` without requiring its skills, so an agent without them
    /// may be offered it. `Ok(None)` when there is nothing to do: the contact is not queued (a
    /// ring in progress; the next walk relaxes by itself) or its skills are not relaxed at `now`.
    /// Still nobody: it stays queued, in the same place.
    pub fn relax_skills(
        &mut self,
        contact: &InteractionId,
        now: Timestamp,
    ) -> Result<Option<Decision>, RoutingError> {
        let record = self
            .contacts
            .get(contact)
            .ok_or_else(|| RoutingError::UnknownContact(contact.clone()))?;
        if !matches!(record.phase, Phase::Queued) || !record.contact.skills_relaxed(now) {
            return Ok(None);
        }
        let Some(record) = self.contacts.remove(contact) else {
            return Err(RoutingError::UnknownContact(contact.clone()));
        };
        self.queue
            .remove(record.contact.channel, &QueueKey::of(&record.contact));
        let trigger = Trigger::SkillsRelaxed {
            contact: contact.clone(),
            waited: now.saturating_since(record.contact.arrived_at),
        };
        Ok(Some(self.decide(record, trigger, now)))
    }

    /// Hands `agent` the head-most queued contact they can serve (room on its channel, all its
    /// skills, not already tried, and targeted by some step of its ladder, whose index and
    /// timeout the offer carries). `None` if they cannot take work or nothing fits.
    ///
    /// Cost: O(log q + s) per channel with room, where s is the number of queued contacts ahead
    /// of the one chosen that this agent cannot serve.
    pub fn next_for_agent(
        &mut self,
        agent: &AgentId,
        now: Timestamp,
    ) -> Result<Option<Offer>, RoutingError> {
        let state = self
            .agents
            .get(agent)
            .ok_or_else(|| RoutingError::UnknownAgent(agent.clone()))?;
        if state.status().is_err() {
            return Ok(None);
        }
        let mut best: Option<(QueueKey, Channel, usize)> = None;
        let mut passed: Vec<(QueueKey, PassReason)> = Vec::new();
        let mut waiting = 0;
        for channel in Channel::ALL {
            if !state.can_hold(channel) {
                continue;
            }
            waiting += self.queue.len(channel);
            for key in self.queue.line(channel) {
                if best.as_ref().is_some_and(|(best_key, ..)| key > best_key) {
                    break;
                }
                let Some(record) = self.contacts.get(&key.id) else {
                    continue;
                };
                if record.tried.contains(agent) {
                    passed.push((key.clone(), PassReason::AlreadyTried));
                } else if let Some(reason) = state.lacks(&record.contact.needs(now)) {
                    let reason = match reason {
                        SkipReason::SkillTooLow { skill, needed } => {
                            PassReason::SkillTooLow { skill, needed }
                        }
                        SkipReason::MissingSkill(skill) => PassReason::MissingSkill(skill),
                        _ => PassReason::NotTargeted,
                    };
                    passed.push((key.clone(), reason));
                } else if let Some(step_index) = first_step_targeting(state, record) {
                    best = Some((key.clone(), channel, step_index));
                    break;
                } else {
                    passed.push((key.clone(), PassReason::NotTargeted));
                }
            }
        }
        let Some((key, channel, step_index)) = best else {
            return Ok(None);
        };
        passed.retain(|(passed_key, _)| passed_key < &key);
        passed.sort();
        let mut tally = Tally::new();
        for (passed_key, reason) in &passed {
            tally.add(reason.clone(), &passed_key.id);
        }
        let Some(mut record) = self.contacts.remove(&key.id) else {
            return Ok(None);
        };
        self.queue.remove(channel, &key);
        let timeout = record
            .ladder
            .steps
            .get(step_index)
            .map(|step| step.timeout)
            .unwrap_or_default();
        self.reserve(agent, &key.id, now);
        record.phase = Phase::Offered {
            agent: agent.clone(),
            step_index,
        };
        let relaxed = relaxed_skills(&record.contact, now);
        self.contacts.insert(key.id.clone(), record);
        let explanation = Explanation {
            trigger: Trigger::AgentAvailable {
                agent: agent.clone(),
                waiting,
            },
            steps: Vec::new(),
            passed_over: tally
                .into_groups()
                .map(|(reason, count, examples)| PassGroup {
                    reason,
                    count,
                    examples,
                })
                .collect(),
            relaxed,
            conclusion: Conclusion::Offer {
                contact: key.id.clone(),
                agent: agent.clone(),
                step_index,
                timeout,
            },
        };
        Ok(Some(Offer {
            contact: key.id,
            agent: agent.clone(),
            step_index,
            timeout,
            explanation,
        }))
    }

    // ----- Views -----------------------------------------------------------------------------

    /// The agent's availability as the router sees it (the router's own reservations included).
    pub fn availability(&self, agent: &AgentId) -> Option<&Availability> {
        self.agents.get(agent).map(|state| &state.availability)
    }

    /// What the router knows of the agent from the directory (teams, skills, capacity).
    pub fn profile(&self, agent: &AgentId) -> Option<&AgentProfile> {
        self.agents.get(agent).map(|state| &state.profile)
    }

    /// The interactions the agent holds, with their channels.
    pub fn holdings(&self, agent: &AgentId) -> Option<&BTreeMap<InteractionId, Channel>> {
        self.agents.get(agent).map(|state| &state.load)
    }

    /// The contact being offered to the agent, if any.
    pub fn pending_offer(&self, agent: &AgentId) -> Option<&InteractionId> {
        self.agents
            .get(agent)
            .and_then(|state| state.pending.as_ref())
            .map(|pending| &pending.contact)
    }

    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// Where `contact` stands, or `None` once it was abandoned or released (or was never routed).
    pub fn contact_state(&self, contact: &InteractionId) -> Option<ContactState> {
        let record = self.contacts.get(contact)?;
        Some(match &record.phase {
            Phase::Queued => ContactState::Queued {
                channel: record.contact.channel,
                position: self
                    .queue
                    .rank(record.contact.channel, &QueueKey::of(&record.contact)),
            },
            Phase::Offered { agent, step_index } => ContactState::Offered {
                agent: agent.clone(),
                step_index: *step_index,
            },
            Phase::Accepted { agent } => ContactState::Accepted {
                agent: agent.clone(),
            },
        })
    }

    /// One-based position of a queued contact in its channel's line ("you are number N"). O(N).
    pub fn queue_position(&self, contact: &InteractionId) -> Option<usize> {
        match self.contact_state(contact)? {
            ContactState::Queued { position, .. } => Some(position),
            _ => None,
        }
    }

    /// How many contacts wait on `channel`.
    pub fn queue_len(&self, channel: Channel) -> usize {
        self.queue.len(channel)
    }

    /// How many contacts wait on all channels.
    pub fn queued_total(&self) -> usize {
        self.queue.total()
    }

    /// The contacts waiting on `channel`, head first.
    pub fn queued(&self, channel: Channel) -> impl Iterator<Item = &InteractionId> {
        self.queue.line(channel).map(|key| &key.id)
    }

    // ----- Internals -------------------------------------------------------------------------

    /// Applies `change` to a known agent, keeping the index in step.
    fn update_agent<R>(
        &mut self,
        agent: &AgentId,
        change: impl FnOnce(&mut AgentState) -> R,
    ) -> Option<R> {
        let state = self.agents.get_mut(agent)?;
        self.index.remove(state);
        let result = change(state);
        self.index.insert(state);
        Some(result)
    }

    fn offered_agent(&self, contact: &InteractionId) -> Result<AgentId, RoutingError> {
        let record = self
            .contacts
            .get(contact)
            .ok_or_else(|| RoutingError::UnknownContact(contact.clone()))?;
        match &record.phase {
            Phase::Offered { agent, .. } => Ok(agent.clone()),
            Phase::Queued => Err(RoutingError::NotOffered(contact.clone())),
            Phase::Accepted { agent } => Err(RoutingError::AlreadyAccepted {
                contact: contact.clone(),
                agent: agent.clone(),
            }),
        }
    }

    /// Marks `agent` reserved for `contact`, remembering the availability to return to.
    fn reserve(&mut self, agent: &AgentId, contact: &InteractionId, now: Timestamp) {
        self.update_agent(agent, |state| {
            let before = std::mem::replace(
                &mut state.availability,
                Availability::NotRoutable {
                    why: NotRoutableReason::Reserved,
                },
            );
            state.pending = Some(PendingOffer {
                contact: contact.clone(),
                offered_at: now,
                restore: Some(before),
            });
        });
    }

    /// Ends `agent`'s pending offer; `accepted` adds the contact to their load.
    fn resolve_offer(&mut self, agent: &AgentId, accepted: Option<(InteractionId, Channel)>) {
        self.update_agent(agent, |state| {
            if let Some(pending) = state.pending.take()
                && let Some(before) = pending.restore
            {
                state.availability = match before {
                    Availability::Routable { idle_since } if accepted.is_some() => {
                        Availability::Routable {
                            idle_since: idle_since.max(pending.offered_at),
                        }
                    }
                    before => before,
                };
            }
            if let Some((contact, channel)) = accepted {
                state.load.insert(contact, channel);
            }
        });
    }
}

/// Whether going from `before` to `after` is an agent coming back to work: routable after being
/// unroutable for a reason of their own (a reservation ending is the router's business, not theirs).
pub(crate) fn comes_back(before: &Availability, after: &Availability) -> bool {
    matches!(after, Availability::Routable { .. })
        && matches!(before, Availability::NotRoutable { why } if *why != NotRoutableReason::Reserved)
}

/// The skills `contact` needs but no longer requires at `now` (empty unless relaxed).
fn relaxed_skills(contact: &Contact, now: Timestamp) -> Vec<Skill> {
    if contact.skills_relaxed(now) {
        contact.skills.iter().cloned().collect()
    } else {
        Vec::new()
    }
}

/// The first step of `record`'s ladder whose target includes `state`'s agent.
fn first_step_targeting(state: &AgentState, record: &ContactRecord) -> Option<usize> {
    let me = &state.profile.id;
    let contact = &record.contact;
    record
        .ladder
        .steps
        .iter()
        .position(|step| match &step.target {
            Target::Owner => contact.owner.as_ref() == Some(me),
            Target::OwnerTeam => contact
                .owner_team
                .as_ref()
                .is_some_and(|team| state.profile.teams.contains(team)),
            Target::Team(team) => state.profile.teams.contains(team),
            Target::Agents(agents) => agents.contains(me),
            Target::Anyone => true,
        })
}
