//! Persisting a router as JSON: agents, load, offers and contacts are stored; the indexes are rebuilt.

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use tsunagu_core::{AgentId, Channel, InteractionId, Timestamp};

use crate::{
    AgentProfile, Availability, Contact, Ladder,
    agent::{AgentState, PendingOffer},
    router::{ContactRecord, Phase, Router},
};

/// The stored form of a [`Router`]. The shell persists the router with everything else of the
/// tenant, so a restored router must decide exactly as the original would have. Only the facts
/// are stored (directory, availability, pending offers, load, contacts with their ladders and
/// tried agents); the idle index, the queue and the holder map are derived from them on load, and
/// a stored value whose facts contradict each other is refused rather than becoming a router that
/// breaks its own invariants later.
#[derive(Serialize, Deserialize)]
struct SavedRouter {
    agents: Vec<SavedAgent>,
    contacts: Vec<SavedContact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedAgent {
    profile: AgentProfile,
    availability: Availability,
    pending: Option<SavedPending>,
    load: Vec<(InteractionId, Channel)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedPending {
    contact: InteractionId,
    offered_at: Timestamp,
    restore: Option<Availability>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedContact {
    contact: Contact,
    ladder: Ladder,
    tried: BTreeSet<AgentId>,
    phase: SavedPhase,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
enum SavedPhase {
    Queued,
    Offered { agent: AgentId, step_index: usize },
    Accepted { agent: AgentId },
}

impl Serialize for Router {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (agents, contacts) = self.parts();
        let saved = SavedRouter {
            agents: agents.map(saved_agent).collect(),
            contacts: contacts.map(saved_contact).collect(),
        };
        saved.serialize(serializer)
    }
}

fn saved_agent(state: &AgentState) -> SavedAgent {
    SavedAgent {
        profile: state.profile.clone(),
        availability: state.availability.clone(),
        pending: state.pending.as_ref().map(|pending| SavedPending {
            contact: pending.contact.clone(),
            offered_at: pending.offered_at,
            restore: pending.restore.clone(),
        }),
        load: state
            .load
            .iter()
            .map(|(id, channel)| (id.clone(), *channel))
            .collect(),
    }
}

fn saved_contact(record: &ContactRecord) -> SavedContact {
    SavedContact {
        contact: record.contact.clone(),
        ladder: record.ladder.clone(),
        tried: record.tried.clone(),
        phase: match &record.phase {
            Phase::Queued => SavedPhase::Queued,
            Phase::Offered { agent, step_index } => SavedPhase::Offered {
                agent: agent.clone(),
                step_index: *step_index,
            },
            Phase::Accepted { agent } => SavedPhase::Accepted {
                agent: agent.clone(),
            },
        },
    }
}

impl<'de> Deserialize<'de> for Router {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = SavedRouter::deserialize(deserializer)?;
        rebuild(saved).map_err(D::Error::custom)
    }
}

/// One agent's facts as the router stores them (profile, availability, pending offer, load), for
/// a shell that stores each agent on its own instead of the whole router. The JSON is that of one
/// agent in a serialized [`Router`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredAgent(SavedAgent);

impl StoredAgent {
    pub fn agent(&self) -> &AgentId {
        &self.0.profile.id
    }
}

/// One contact's record as the router stores it (contact, ladder, agents tried, phase); its
/// place in line is derived from the contact on restore. The JSON is that of one contact in a
/// serialized [`Router`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredContact(SavedContact);

impl StoredContact {
    pub fn contact(&self) -> &InteractionId {
        &self.0.contact.id
    }
}

/// Stored agents and contacts that contradict each other (fixed text of ours).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored router contradicts itself: {0}")]
pub struct StoredRouterError(&'static str);

impl Router {
    /// The stored facts of one agent, if the router knows them.
    pub fn stored_agent(&self, agent: &AgentId) -> Option<StoredAgent> {
        self.agent_state(agent)
            .map(|state| StoredAgent(saved_agent(state)))
    }

    /// The stored record of one contact, if the router is routing it or it is held as accepted.
    pub fn stored_contact(&self, contact: &InteractionId) -> Option<StoredContact> {
        self.contact_record(contact)
            .map(|record| StoredContact(saved_contact(record)))
    }

    /// The router whose agents and contacts these are, in any order: it decides exactly as the one
    /// they were taken from. Facts that contradict each other are refused.
    pub fn from_stored(
        agents: impl IntoIterator<Item = StoredAgent>,
        contacts: impl IntoIterator<Item = StoredContact>,
    ) -> Result<Router, StoredRouterError> {
        rebuild(SavedRouter {
            agents: agents.into_iter().map(|agent| agent.0).collect(),
            contacts: contacts.into_iter().map(|contact| contact.0).collect(),
        })
        .map_err(StoredRouterError)
    }
}

/// Rebuilds a router from stored facts, checking that they agree with each other.
fn rebuild(saved: SavedRouter) -> Result<Router, &'static str> {
    let mut router = Router::new();
    for agent in saved.agents {
        let mut state = AgentState::new(agent.profile);
        state.availability = agent.availability;
        state.pending = agent.pending.map(|pending| PendingOffer {
            contact: pending.contact,
            offered_at: pending.offered_at,
            restore: pending.restore,
        });
        state.load = agent.load.into_iter().collect();
        router.restore_agent(state)?;
    }
    for saved in saved.contacts {
        let phase = match saved.phase {
            SavedPhase::Queued => Phase::Queued,
            SavedPhase::Offered { agent, step_index } => Phase::Offered { agent, step_index },
            SavedPhase::Accepted { agent } => Phase::Accepted { agent },
        };
        if let Phase::Offered { step_index, .. } = &phase
            && *step_index >= saved.ladder.steps.len()
        {
            return Err("a stored offer names a ladder step that does not exist");
        }
        router.restore_contact(ContactRecord {
            contact: saved.contact,
            ladder: saved.ladder,
            tried: saved.tried,
            phase,
        })?;
    }
    router.check_restored()?;
    Ok(router)
}
