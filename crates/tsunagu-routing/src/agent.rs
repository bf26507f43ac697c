//! Agents as the router sees them: profile (teams, skills, capacity), routability and current load.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, InteractionId, TeamId, Timestamp};

use crate::{Skill, explain::SkipReason};

/// What the directory knows about an agent: who they are, where they belong, what they can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub id: AgentId,
    #[serde(default)]
    pub teams: BTreeSet<TeamId>,
    #[serde(default)]
    pub skills: BTreeSet<Skill>,
    /// The level of each of `skills` (1 = can take it … 5 = expert, as the directory grades
    /// them); a skill not listed here is at level 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skill_levels: BTreeMap<Skill, u8>,
    #[serde(default)]
    pub capacity: Capacity,
}

impl AgentProfile {
    /// A profile with no teams, no skills and the default capacity.
    pub fn new(id: AgentId) -> Self {
        Self {
            id,
            teams: BTreeSet::new(),
            skills: BTreeSet::new(),
            skill_levels: BTreeMap::new(),
            capacity: Capacity::default(),
        }
    }

    /// Gives the agent exactly these skills at these levels (as the directory lists them).
    pub fn set_skills(&mut self, levels: &BTreeMap<Skill, u8>) {
        self.skills = levels.keys().cloned().collect();
        self.skill_levels = levels
            .iter()
            .filter(|(_, level)| **level != 1)
            .map(|(skill, level)| (skill.clone(), *level))
            .collect();
    }

    /// The agent's level in `skill`, or `None` without it.
    pub fn level(&self, skill: &Skill) -> Option<u8> {
        self.skills
            .contains(skill)
            .then(|| self.skill_levels.get(skill).copied().unwrap_or(1))
    }
}

/// How many contacts an agent may hold at once, per channel. Channels not mentioned use
/// [`Capacity::default_limit`]; a limit of 0 means the agent does not serve that channel.
///
/// Exclusive channels ([`Channel::is_exclusive`]) are special whatever the limits say: an agent
/// holding a voice or web call is offered nothing else, so they never hold two at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Capacity {
    overrides: BTreeMap<Channel, u16>,
}

impl Capacity {
    /// The limit when a tenant configured none: one call at a time, a few text conversations,
    /// more emails (they are asynchronous).
    pub fn default_limit(channel: Channel) -> u16 {
        match channel {
            Channel::Voice | Channel::WebCall => 1,
            Channel::Chat | Channel::Sms | Channel::Line => 3,
            Channel::Email => 5,
            // A channel added later is treated like a call until a tenant says otherwise.
            _ => 1,
        }
    }

    /// The most `channel` contacts the agent may hold at once.
    pub fn limit(&self, channel: Channel) -> u16 {
        self.overrides
            .get(&channel)
            .copied()
            .unwrap_or_else(|| Self::default_limit(channel))
    }

    /// This capacity with `channel` limited to `limit`.
    #[must_use]
    pub fn with_limit(mut self, channel: Channel, limit: u16) -> Self {
        self.overrides.insert(channel, limit);
        self
    }
}

/// Whether the agent may be offered work, as the caller's presence machine says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Availability {
    /// Ready for work; `idle_since` orders agents so the longest idle is offered first.
    Routable { idle_since: Timestamp },
    /// Not to be offered anything.
    NotRoutable { why: NotRoutableReason },
}

/// Why an agent may not be offered work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotRoutableReason {
    /// Signed out, or the widget is gone.
    Offline,
    /// Signed in but stepped away; `label` is the tenant's away reason (`break`, `lunch`).
    Away { label: Option<String> },
    /// Held for an offer (the router sets this itself when it offers a contact).
    Reserved,
    /// On a call the presence machine knows about.
    OnCall,
    /// Finishing the notes of a previous contact.
    WrapUp,
}

impl fmt::Display for NotRoutableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotRoutableReason::Offline => f.write_str("offline"),
            NotRoutableReason::Away { label: None } => f.write_str("away"),
            NotRoutableReason::Away { label: Some(label) } => write!(f, "away: {label}"),
            NotRoutableReason::Reserved => f.write_str("reserved"),
            NotRoutableReason::OnCall => f.write_str("on call"),
            NotRoutableReason::WrapUp => f.write_str("in wrap-up"),
        }
    }
}

/// An offer the router made to this agent and that is not resolved yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingOffer {
    pub(crate) contact: InteractionId,
    pub(crate) offered_at: Timestamp,
    /// The availability to return to when the offer resolves, as long as the caller has not set a
    /// newer one meanwhile (the caller's word always wins over the router's reservation).
    pub(crate) restore: Option<Availability>,
}

/// Everything the router tracks about one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AgentState {
    pub(crate) profile: AgentProfile,
    pub(crate) availability: Availability,
    pub(crate) pending: Option<PendingOffer>,
    /// Interactions the agent holds now (accepted offers and work assigned by the caller).
    pub(crate) load: BTreeMap<InteractionId, Channel>,
}

impl AgentState {
    pub(crate) fn new(profile: AgentProfile) -> Self {
        Self {
            profile,
            availability: Availability::NotRoutable {
                why: NotRoutableReason::Offline,
            },
            pending: None,
            load: BTreeMap::new(),
        }
    }

    /// Whether the agent could take new work of some channel, independent of any contact: `Ok`
    /// with their idle time, or the reason they are skipped for every contact.
    pub(crate) fn status(&self) -> Result<Timestamp, SkipReason> {
        let idle_since = match &self.availability {
            Availability::Routable { idle_since } => *idle_since,
            Availability::NotRoutable { why } => return Err(SkipReason::NotRoutable(why.clone())),
        };
        if self.pending.is_some() {
            return Err(SkipReason::OfferPending);
        }
        if let Some(channel) = self.exclusive_held() {
            return Err(SkipReason::Busy(channel));
        }
        Ok(idle_since)
    }

    /// The exclusive channel of a contact the agent holds, if any.
    pub(crate) fn exclusive_held(&self) -> Option<Channel> {
        self.load.values().copied().find(|c| c.is_exclusive())
    }

    pub(crate) fn held_on(&self, channel: Channel) -> usize {
        self.load.values().filter(|c| **c == channel).count()
    }

    /// Whether holding one more `channel` contact keeps the agent within capacity and exclusivity.
    pub(crate) fn can_hold(&self, channel: Channel) -> bool {
        self.exclusive_held().is_none()
            && self.held_on(channel) < usize::from(self.profile.capacity.limit(channel))
    }

    /// Why the agent cannot serve a contact needing `needs` (skill → minimum level): the first
    /// needed skill they lack, or have below its level.
    pub(crate) fn lacks(&self, needs: &BTreeMap<Skill, u8>) -> Option<SkipReason> {
        needs
            .iter()
            .find_map(|(skill, needed)| match self.profile.level(skill) {
                None => Some(SkipReason::MissingSkill(skill.clone())),
                Some(level) if level < *needed => Some(SkipReason::SkillTooLow {
                    skill: skill.clone(),
                    needed: *needed,
                }),
                Some(_) => None,
            })
    }
}
