//! A contact waiting to be routed: who it is for, what it needs, how urgent it is.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, Timestamp};

use crate::Skill;

/// One customer contact on any channel, as routing needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: InteractionId,
    /// The CRM record of the customer, once the caller looked it up.
    #[serde(default)]
    pub customer: Option<CustomerId>,
    /// The agent assigned to this customer in the CRM, tried first by [`crate::Target::Owner`].
    #[serde(default)]
    pub owner: Option<AgentId>,
    /// The team tried by [`crate::Target::OwnerTeam`]; the caller fills it from the CRM or from
    /// the owner's profile (an owner may belong to several teams, so the router does not guess).
    #[serde(default)]
    pub owner_team: Option<TeamId>,
    pub channel: Channel,
    /// Higher is more urgent; the queue serves higher priorities first, whatever their age.
    #[serde(default)]
    pub priority: u8,
    /// Skills an agent must all have to be offered this contact.
    #[serde(default)]
    pub skills: BTreeSet<Skill>,
    pub arrived_at: Timestamp,
}

impl Contact {
    /// A contact with no customer, owner or skills, at priority 0.
    pub fn new(id: InteractionId, channel: Channel, arrived_at: Timestamp) -> Self {
        Self {
            id,
            customer: None,
            owner: None,
            owner_team: None,
            channel,
            priority: 0,
            skills: BTreeSet::new(),
            arrived_at,
        }
    }
}
