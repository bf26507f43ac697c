//! A contact waiting to be routed: who it is for, what it needs, how urgent it is.

use std::collections::{BTreeMap, BTreeSet};

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
    /// The lowest level an agent must have in some of `skills`; the others any level (1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skill_levels: BTreeMap<Skill, u8>,
    /// From this time on `skills` are no longer required (skill relaxation): a contact that
    /// waited this long for a skilled agent may go to anyone its ladder targets. `None`: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relax_skills_at: Option<Timestamp>,
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
            skill_levels: BTreeMap::new(),
            relax_skills_at: None,
            arrived_at,
        }
    }

    /// Requires exactly these skills, each at least at its level.
    pub fn require(&mut self, levels: &BTreeMap<Skill, u8>) {
        self.skills = levels.keys().cloned().collect();
        self.skill_levels = levels
            .iter()
            .filter(|(_, level)| **level > 1)
            .map(|(skill, level)| (skill.clone(), *level))
            .collect();
    }

    /// Whether the contact needs skills but no longer requires them at `now`.
    pub fn skills_relaxed(&self, now: Timestamp) -> bool {
        !self.skills.is_empty() && self.relax_skills_at.is_some_and(|at| now >= at)
    }

    /// What an agent must have at `now` (skill → minimum level): nothing once relaxed.
    pub(crate) fn needs(&self, now: Timestamp) -> BTreeMap<Skill, u8> {
        if self.skills_relaxed(now) {
            return BTreeMap::new();
        }
        self.skills
            .iter()
            .map(|skill| {
                let level = self.skill_levels.get(skill).copied().unwrap_or(1);
                (skill.clone(), level)
            })
            .collect()
    }
}
