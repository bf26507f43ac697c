//! The KPI computation: classify each conversation once, then tally it into its groups.

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_core::{AgentId, Millis, TeamId, Timestamp};
use tsunagu_stitch::{
    AgentLeg, Conversation, ConversationDirection, ConversationOutcome, LegOutcome,
};

use crate::{
    GroupBy, GroupKey, KpiConfig, KpiReport, KpiRow, PresenceInterval,
    calendar::{day_span, hour_span, local_date, local_hour},
};

/// Computes KPIs per group. Never fails: odd input (intervals that end before they start,
/// answers before arrivals) contributes zero rather than an error.
///
/// Per-agent rows count a conversation toward every agent it was offered to (`offered`, once per
/// conversation), toward the agent who answered first (`answered`, speed of answer, service
/// level, FCR), toward the agent whose ring was last when the caller hung up (`abandoned`), and
/// toward every agent who answered a leg (`handled`, with that agent's own handle time). An
/// outbound conversation counts toward the agent who placed it. Fallbacks count toward no agent.
///
/// Hour and day rows exist for the buckets in which conversations started; their occupancy is
/// the presence inside those buckets.
pub fn compute(
    conversations: &[Conversation],
    presence: &[PresenceInterval],
    group_by: GroupBy,
    config: &KpiConfig,
) -> KpiReport {
    let teams = teams_from_presence(presence);
    let resolved = first_contact_resolution(conversations, config);
    let mut tallies: BTreeMap<GroupKey, Tally> = BTreeMap::new();
    // Hour and day rows with the UTC span each covers, for clipping presence to them.
    let mut buckets: BTreeMap<GroupKey, (u64, u64)> = BTreeMap::new();
    let offset = config.utc_offset_minutes;
    for (conversation, resolved) in conversations.iter().zip(resolved) {
        let class = classify(conversation, config);
        if group_by == GroupBy::Agent {
            tally_agents(&mut tallies, conversation, class, resolved, config);
            continue;
        }
        let key = conversation_key(conversation, group_by, &teams, config);
        match group_by {
            GroupBy::Hour => {
                buckets.insert(key.clone(), hour_span(conversation.started_at, offset));
            }
            GroupBy::Day => {
                buckets.insert(key.clone(), day_span(conversation.started_at, offset));
            }
            _ => {}
        }
        tallies
            .entry(key)
            .or_default()
            .add_conversation(conversation, class, resolved, config);
    }
    tally_presence(&mut tallies, presence, group_by, &teams, &buckets);
    KpiReport {
        group_by,
        config: *config,
        rows: tallies
            .into_iter()
            .map(|(key, tally)| tally.into_row(key))
            .collect(),
    }
}

/// What a conversation counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    InProgress,
    Answered {
        time_to_answer: Millis,
    },
    Abandoned {
        short: bool,
    },
    Fallback,
    Reached,
    NotReached,
    /// Finished, but in no KPI (an outcome this version does not know).
    Uncounted,
}

fn classify(conversation: &Conversation, config: &KpiConfig) -> Class {
    if conversation.ended_at.is_none() {
        return Class::InProgress;
    }
    match (&conversation.outcome, conversation.direction) {
        (ConversationOutcome::Answered, ConversationDirection::Inbound) => Class::Answered {
            time_to_answer: conversation.time_to_answer.unwrap_or_default(),
        },
        (ConversationOutcome::Answered, ConversationDirection::Outbound) => Class::Reached,
        (ConversationOutcome::Abandoned { after }, _) => Class::Abandoned {
            short: *after < config.short_abandon_threshold,
        },
        (ConversationOutcome::Fallback { .. }, _) => Class::Fallback,
        (ConversationOutcome::NotReached, _) => Class::NotReached,
        (ConversationOutcome::InProgress, _) => Class::InProgress,
        _ => Class::Uncounted,
    }
}

#[derive(Debug, Default)]
struct Tally {
    offered: u64,
    answered: u64,
    abandoned: u64,
    short_abandoned: u64,
    fallback: u64,
    answered_within_threshold: u64,
    time_to_answer: Millis,
    handled: u64,
    handle_time: Millis,
    staffed_time: Millis,
    busy_time: Millis,
    fcr_eligible: u64,
    resolved_first_contact: u64,
    outbound_attempted: u64,
    outbound_reached: u64,
    in_progress: u64,
}

impl Tally {
    fn add_conversation(
        &mut self,
        conversation: &Conversation,
        class: Class,
        resolved: Option<bool>,
        config: &KpiConfig,
    ) {
        match class {
            Class::InProgress => self.in_progress += 1,
            Class::Answered { time_to_answer } => {
                self.add_answer(time_to_answer, resolved, config);
                self.add_handled(conversation.handle_time());
            }
            Class::Abandoned { short } => self.add_abandon(short),
            Class::Fallback => {
                self.offered += 1;
                self.fallback += 1;
            }
            Class::Reached | Class::NotReached => self.add_outbound(class, conversation),
            Class::Uncounted => {}
        }
    }

    fn add_answer(&mut self, time_to_answer: Millis, resolved: Option<bool>, config: &KpiConfig) {
        self.offered += 1;
        self.answered += 1;
        self.time_to_answer = self.time_to_answer + time_to_answer;
        if time_to_answer <= config.service_level_threshold {
            self.answered_within_threshold += 1;
        }
        if let Some(resolved) = resolved {
            self.fcr_eligible += 1;
            self.resolved_first_contact += u64::from(resolved);
        }
    }

    fn add_abandon(&mut self, short: bool) {
        self.offered += 1;
        if short {
            self.short_abandoned += 1;
        } else {
            self.abandoned += 1;
        }
    }

    fn add_handled(&mut self, handle_time: Millis) {
        self.handled += 1;
        self.handle_time = self.handle_time + handle_time;
    }

    fn add_outbound(&mut self, class: Class, conversation: &Conversation) {
        self.outbound_attempted += 1;
        if class == Class::Reached {
            self.outbound_reached += 1;
            self.add_handled(conversation.handle_time());
        }
    }

    fn into_row(self, key: GroupKey) -> KpiRow {
        let counted_offers = self.offered.saturating_sub(self.short_abandoned);
        KpiRow {
            key,
            offered: self.offered,
            answered: self.answered,
            abandoned: self.abandoned,
            short_abandoned: self.short_abandoned,
            fallback: self.fallback,
            answered_within_threshold: self.answered_within_threshold,
            abandonment_rate: ratio(self.abandoned, counted_offers),
            average_speed_of_answer: average(self.time_to_answer, self.answered),
            service_level: ratio(
                self.answered_within_threshold,
                self.answered.saturating_add(self.abandoned),
            ),
            service_level_of_answered: ratio(self.answered_within_threshold, self.answered),
            handled: self.handled,
            handle_time: self.handle_time,
            average_handle_time: average(self.handle_time, self.handled),
            staffed_time: self.staffed_time,
            busy_time: self.busy_time,
            occupancy: ratio(self.busy_time.0, self.staffed_time.0),
            fcr_eligible: self.fcr_eligible,
            resolved_first_contact: self.resolved_first_contact,
            first_contact_resolution: ratio(self.resolved_first_contact, self.fcr_eligible),
            outbound_attempted: self.outbound_attempted,
            outbound_reached: self.outbound_reached,
            reach_rate: ratio(self.outbound_reached, self.outbound_attempted),
            in_progress: self.in_progress,
        }
    }
}

/// `part / whole` in `0.0..=1.0`, or `None` for an empty whole. Every caller passes a part that
/// is a subset of the whole; the clamp only keeps that promise if a count ever saturates.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64).clamp(0.0, 1.0))
}

fn average(total: Millis, count: u64) -> Option<Millis> {
    (count > 0).then(|| Millis(total.0 / count))
}

// ---------------------------------------------------------------------------------------------
// Grouping.

/// Each agent's team by presence: the team of their latest interval that names one.
fn teams_from_presence(presence: &[PresenceInterval]) -> BTreeMap<&AgentId, &TeamId> {
    let mut latest: BTreeMap<&AgentId, (Timestamp, &TeamId)> = BTreeMap::new();
    for interval in presence {
        if let Some(team) = &interval.team {
            let entry = latest
                .entry(&interval.agent)
                .or_insert((interval.start, team));
            if (interval.start, team) > *entry {
                *entry = (interval.start, team);
            }
        }
    }
    latest
        .into_iter()
        .map(|(agent, (_, team))| (agent, team))
        .collect()
}

/// The agent a conversation is "about" when it has no team of its own: who answered, else the
/// last one offered.
fn main_agent(conversation: &Conversation) -> Option<&AgentId> {
    conversation
        .answered_by
        .as_ref()
        .or_else(|| offered_legs(conversation).last().map(|leg| &leg.agent))
}

fn offered_legs(conversation: &Conversation) -> Vec<&AgentLeg> {
    conversation
        .agent_legs
        .iter()
        .filter(|leg| !leg.consult)
        .collect()
}

fn conversation_key(
    conversation: &Conversation,
    group_by: GroupBy,
    teams: &BTreeMap<&AgentId, &TeamId>,
    config: &KpiConfig,
) -> GroupKey {
    let offset = config.utc_offset_minutes;
    match group_by {
        GroupBy::All => GroupKey::All,
        GroupBy::Team => conversation
            .team
            .clone()
            .or_else(|| {
                main_agent(conversation)
                    .and_then(|agent| teams.get(agent))
                    .map(|team| (*team).clone())
            })
            .map_or(GroupKey::Unassigned, GroupKey::Team),
        GroupBy::Queue => conversation
            .queue
            .clone()
            .map_or(GroupKey::Unassigned, GroupKey::Queue),
        GroupBy::Hour => GroupKey::Hour(local_hour(conversation.started_at, offset)),
        GroupBy::Day => GroupKey::Day(local_date(conversation.started_at, offset)),
        // `compute` tallies agents with `tally_agents`; this is only the main agent's row.
        GroupBy::Agent => main_agent(conversation)
            .map_or(GroupKey::Unassigned, |agent| GroupKey::Agent(agent.clone())),
    }
}

fn agent_row<'m>(tallies: &'m mut BTreeMap<GroupKey, Tally>, agent: &AgentId) -> &'m mut Tally {
    tallies.entry(GroupKey::Agent(agent.clone())).or_default()
}

fn tally_agents(
    tallies: &mut BTreeMap<GroupKey, Tally>,
    conversation: &Conversation,
    class: Class,
    resolved: Option<bool>,
    config: &KpiConfig,
) {
    let legs = offered_legs(conversation);
    let offered: BTreeSet<&AgentId> = legs.iter().map(|leg| &leg.agent).collect();
    match class {
        Class::InProgress => {
            let involved: BTreeSet<&AgentId> = conversation
                .agent_legs
                .iter()
                .map(|leg| &leg.agent)
                .collect();
            for agent in involved {
                agent_row(tallies, agent).in_progress += 1;
            }
        }
        Class::Answered { time_to_answer } => {
            for agent in &offered {
                let row = agent_row(tallies, agent);
                if conversation.answered_by.as_ref() == Some(*agent) {
                    row.add_answer(time_to_answer, resolved, config);
                } else {
                    row.offered += 1;
                }
            }
            tally_handlers(tallies, conversation);
        }
        Class::Abandoned { short } => {
            let last = legs.last().map(|leg| &leg.agent);
            for agent in &offered {
                let row = agent_row(tallies, agent);
                if last == Some(*agent) {
                    row.add_abandon(short);
                } else {
                    row.offered += 1;
                }
            }
        }
        Class::Fallback => {
            for agent in &offered {
                agent_row(tallies, agent).offered += 1;
            }
        }
        Class::Reached | Class::NotReached => {
            let placed_by = conversation
                .answered_by
                .as_ref()
                .or(conversation.agent_legs.first().map(|leg| &leg.agent));
            if let Some(agent) = placed_by {
                let row = agent_row(tallies, agent);
                row.outbound_attempted += 1;
                row.outbound_reached += u64::from(class == Class::Reached);
            }
            if class == Class::Reached {
                tally_handlers(tallies, conversation);
            }
        }
        Class::Uncounted => {}
    }
}

/// Every agent who answered a leg handled the conversation, with their own legs' time.
fn tally_handlers(tallies: &mut BTreeMap<GroupKey, Tally>, conversation: &Conversation) {
    let mut handle_times: BTreeMap<&AgentId, Millis> = BTreeMap::new();
    for leg in &conversation.agent_legs {
        if leg.outcome == LegOutcome::Answered {
            let total = handle_times.entry(&leg.agent).or_default();
            *total = *total + leg.handle_time();
        }
    }
    for (agent, handle_time) in handle_times {
        agent_row(tallies, agent).add_handled(handle_time);
    }
}

/// Adds staffed and busy time to the rows it belongs to.
fn tally_presence(
    tallies: &mut BTreeMap<GroupKey, Tally>,
    presence: &[PresenceInterval],
    group_by: GroupBy,
    teams: &BTreeMap<&AgentId, &TeamId>,
    buckets: &BTreeMap<GroupKey, (u64, u64)>,
) {
    // Hour and day keys sort chronologically, so these spans are disjoint and in time order.
    let buckets: Vec<(u64, u64, &GroupKey)> = buckets
        .iter()
        .map(|(key, (start, end))| (*start, *end, key))
        .collect();
    for interval in presence {
        if !interval.state.is_staffed() || interval.end <= interval.start {
            continue;
        }
        let mut add = |key: GroupKey, length: u64| {
            let tally = tallies.entry(key).or_default();
            tally.staffed_time = tally.staffed_time + Millis(length);
            if interval.state.is_busy() {
                tally.busy_time = tally.busy_time + Millis(length);
            }
        };
        let length = interval.duration().0;
        match group_by {
            GroupBy::All => add(GroupKey::All, length),
            GroupBy::Agent => add(GroupKey::Agent(interval.agent.clone()), length),
            GroupBy::Team => add(
                interval
                    .team
                    .as_ref()
                    .or_else(|| teams.get(&interval.agent).copied())
                    .map_or(GroupKey::Unassigned, |team| GroupKey::Team(team.clone())),
                length,
            ),
            GroupBy::Queue => {}
            GroupBy::Hour | GroupBy::Day => {
                let (start, end) = (interval.start.0, interval.end.0);
                let first = buckets.partition_point(|(_, bucket_end, _)| *bucket_end <= start);
                for (bucket_start, bucket_end, key) in buckets.iter().skip(first) {
                    if *bucket_start >= end {
                        break;
                    }
                    let overlap = end
                        .min(*bucket_end)
                        .saturating_sub(start.max(*bucket_start));
                    add((*key).clone(), overlap);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// First-contact resolution.

/// Who a customer is for FCR: the CRM record when known, else the phone number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum CustomerKey<'a> {
    Record(&'a str),
    Number(&'a str),
}

fn customer_key(conversation: &Conversation) -> Option<CustomerKey<'_>> {
    conversation
        .customer
        .as_ref()
        .map(|id| CustomerKey::Record(id.as_str()))
        .or_else(|| {
            conversation
                .customer_number
                .as_deref()
                .map(CustomerKey::Number)
        })
}

/// For each conversation (by index): `Some(resolved)` if it is eligible for FCR (answered inbound,
/// finished, customer known), else `None`.
fn first_contact_resolution(
    conversations: &[Conversation],
    config: &KpiConfig,
) -> Vec<Option<bool>> {
    // Every inbound contact of each customer, in time order; ties broken by input position so
    // two contacts at one instant still count as one following the other.
    let mut contacts: BTreeMap<CustomerKey<'_>, Vec<(Timestamp, usize)>> = BTreeMap::new();
    for (index, conversation) in conversations.iter().enumerate() {
        if conversation.direction == ConversationDirection::Inbound
            && let Some(key) = customer_key(conversation)
        {
            contacts
                .entry(key)
                .or_default()
                .push((conversation.started_at, index));
        }
    }
    let mut resolved = vec![None; conversations.len()];
    let window = config.fcr_window();
    for list in contacts.values_mut() {
        list.sort_unstable();
        for (position, (started_at, index)) in list.iter().enumerate() {
            let Some(conversation) = conversations.get(*index) else {
                continue;
            };
            let eligible = conversation.ended_at.is_some()
                && conversation.outcome == ConversationOutcome::Answered;
            if !eligible {
                continue;
            }
            let contacted_again = list
                .get(position + 1)
                .is_some_and(|(next, _)| next.saturating_since(*started_at) <= window);
            if let Some(slot) = resolved.get_mut(*index) {
                *slot = Some(!contacted_again);
            }
        }
    }
    resolved
}
