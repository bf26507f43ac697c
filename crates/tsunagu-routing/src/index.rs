//! Indexes over the agents so a routing step costs O(log n), not a scan of the directory.
//!
//! For every scope (everyone, and each team) the index keeps the agents who could be offered a
//! contact right now, ordered longest idle first, and, by reason, the agents who could not
//! (offline, away, busy, at capacity for a channel…). A step reads the head of an ordered set and
//! explains the rest by counting sets, never by visiting every agent. The same idle order is kept
//! per skill (overall and within each team), so a step for a contact that needs a rare skill walks
//! the few agents who have it rather than the many who do not.
//!
//! An agent with room on every channel (the usual case: nothing in hand) has one entry per scope;
//! only an agent with room on some channels has an entry per channel. A channel's candidates are
//! the merge of both, still in idle order. Every change to an agent removes its entries, applies
//! the change and inserts them again: O((1 + teams) · (1 + skills) · log n) for an agent with
//! nothing in hand, times the number of channels for one holding text contacts.

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_core::{AgentId, Channel, TeamId, Timestamp};

use crate::{Skill, agent::AgentState, explain::SkipReason};

/// A set of agents the index orders. Steps target `Everyone` and `Team`s; the skilled sets only
/// narrow the walks of those steps (they keep no sizes or skip reasons).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    Everyone,
    Team(TeamId),
    Skill(Skill),
    TeamSkill(TeamId, Skill),
}

impl Scope {
    /// The agents of this scope who have `skill`, if the index keeps them apart.
    pub(crate) fn with_skill(&self, skill: &Skill) -> Option<Scope> {
        match self {
            Scope::Everyone => Some(Scope::Skill(skill.clone())),
            Scope::Team(team) => Some(Scope::TeamSkill(team.clone(), skill.clone())),
            Scope::Skill(_) | Scope::TeamSkill(..) => None,
        }
    }
}

/// Agents ordered for offering: earliest `idle_since` first, ties broken by id.
pub(crate) type IdleOrder = BTreeSet<(Timestamp, AgentId)>;

/// Where agents with room sit: `None` for room on every channel, else the one channel.
type RoomKey = (Scope, Option<Channel>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AgentIndex {
    with_room: BTreeMap<RoomKey, IdleOrder>,
    skipped: BTreeMap<Scope, BTreeMap<SkipReason, BTreeSet<AgentId>>>,
    sizes: BTreeMap<Scope, usize>,
}

/// The entries one agent has in the index, in its current state.
struct Entries {
    /// The scopes the agent counts in (everyone and their teams).
    counted: Vec<Scope>,
    /// The idle orders the agent is in, with their idle time.
    room: Vec<RoomKey>,
    idle_since: Timestamp,
    /// Why the agent cannot take work (everything, or some channels), per counted scope.
    skipped: Vec<(Scope, SkipReason)>,
}

impl Entries {
    fn of(agent: &AgentState) -> Self {
        let counted: Vec<Scope> = std::iter::once(Scope::Everyone)
            .chain(agent.profile.teams.iter().cloned().map(Scope::Team))
            .collect();
        let idle_since = match agent.status() {
            Ok(idle_since) => idle_since,
            Err(reason) => {
                let skipped = counted
                    .iter()
                    .map(|s| (s.clone(), reason.clone()))
                    .collect();
                return Self {
                    counted,
                    room: Vec::new(),
                    idle_since: Timestamp(0),
                    skipped,
                };
            }
        };
        let (open, full): (Vec<Channel>, Vec<Channel>) =
            Channel::ALL.into_iter().partition(|c| agent.can_hold(*c));
        let room_on: Vec<Option<Channel>> = if full.is_empty() {
            vec![None]
        } else {
            open.into_iter().map(Some).collect()
        };
        let skilled = counted.iter().flat_map(|scope| {
            agent
                .profile
                .skills
                .iter()
                .filter_map(|skill| scope.with_skill(skill))
        });
        let room = counted
            .iter()
            .cloned()
            .chain(skilled)
            .flat_map(|scope| room_on.iter().map(move |channel| (scope.clone(), *channel)))
            .collect();
        let skipped = counted
            .iter()
            .flat_map(|scope| {
                full.iter()
                    .map(|c| (scope.clone(), SkipReason::AtCapacity(*c)))
            })
            .collect();
        Self {
            counted,
            room,
            idle_since,
            skipped,
        }
    }
}

impl AgentIndex {
    pub(crate) fn insert(&mut self, agent: &AgentState) {
        let id = &agent.profile.id;
        let entries = Entries::of(agent);
        for scope in entries.counted {
            *self.sizes.entry(scope).or_default() += 1;
        }
        for key in entries.room {
            self.with_room
                .entry(key)
                .or_default()
                .insert((entries.idle_since, id.clone()));
        }
        for (scope, reason) in entries.skipped {
            self.skipped
                .entry(scope)
                .or_default()
                .entry(reason)
                .or_default()
                .insert(id.clone());
        }
    }

    /// Undoes [`AgentIndex::insert`] for the same state; empty sets are dropped so free-form
    /// reasons (away labels) cannot grow the index forever.
    pub(crate) fn remove(&mut self, agent: &AgentState) {
        let id = &agent.profile.id;
        let entries = Entries::of(agent);
        for scope in entries.counted {
            if let Some(size) = self.sizes.get_mut(&scope) {
                *size = size.saturating_sub(1);
                if *size == 0 {
                    self.sizes.remove(&scope);
                }
            }
        }
        let idle_key = (entries.idle_since, id.clone());
        for key in entries.room {
            if let Some(set) = self.with_room.get_mut(&key) {
                set.remove(&idle_key);
                if set.is_empty() {
                    self.with_room.remove(&key);
                }
            }
        }
        for (scope, reason) in entries.skipped {
            let Some(by_reason) = self.skipped.get_mut(&scope) else {
                continue;
            };
            if let Some(set) = by_reason.get_mut(&reason) {
                set.remove(id);
                if set.is_empty() {
                    by_reason.remove(&reason);
                }
            }
            if by_reason.is_empty() {
                self.skipped.remove(&scope);
            }
        }
    }

    /// Agents in `scope` who could take a `channel` contact now, longest idle first.
    pub(crate) fn with_room(&self, scope: &Scope, channel: Channel) -> Room<'_> {
        Room {
            everywhere: self.with_room.get(&(scope.clone(), None)),
            on_channel: self.with_room.get(&(scope.clone(), Some(channel))),
        }
    }

    /// Agents in `scope` who cannot take new work, by reason; `AtCapacity` for every channel.
    pub(crate) fn skipped(
        &self,
        scope: &Scope,
    ) -> impl Iterator<Item = (&SkipReason, &BTreeSet<AgentId>)> {
        self.skipped.get(scope).into_iter().flatten()
    }

    /// How many agents `scope` has.
    pub(crate) fn size(&self, scope: &Scope) -> usize {
        self.sizes.get(scope).copied().unwrap_or(0)
    }
}

/// The agents with room for one channel: those with room everywhere merged with those with room
/// on this channel only, in idle order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Room<'a> {
    everywhere: Option<&'a IdleOrder>,
    on_channel: Option<&'a IdleOrder>,
}

impl<'a> Room<'a> {
    pub(crate) fn len(&self) -> usize {
        self.everywhere.map_or(0, BTreeSet::len) + self.on_channel.map_or(0, BTreeSet::len)
    }

    /// Longest idle first. The two sets never share an agent, so a plain merge is exact.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a (Timestamp, AgentId)> + use<'a> {
        let mut everywhere = self.everywhere.into_iter().flatten().peekable();
        let mut on_channel = self.on_channel.into_iter().flatten().peekable();
        std::iter::from_fn(move || match (everywhere.peek(), on_channel.peek()) {
            (Some(a), Some(b)) if b < a => on_channel.next(),
            (Some(_), _) => everywhere.next(),
            (None, _) => on_channel.next(),
        })
    }
}
