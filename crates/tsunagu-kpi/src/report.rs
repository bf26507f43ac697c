//! What a KPI report contains: one row of counts, averages and rates per group.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Millis, TeamId};

use crate::{KpiConfig, LocalDate, LocalHour};

/// How conversations are split into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One row for everything.
    All,
    /// Per agent; see [`crate::compute`] for how a conversation counts toward each agent.
    Agent,
    /// Per team: the conversation's team, else the team of its answering (or last offered)
    /// agent according to presence.
    Team,
    /// Per queue the conversation first waited in.
    Queue,
    /// Per local hour of `started_at`.
    Hour,
    /// Per local day of `started_at`.
    Day,
}

/// Names one row of a report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKey {
    All,
    Agent(AgentId),
    Team(TeamId),
    Queue(String),
    Hour(LocalHour),
    Day(LocalDate),
    /// Conversations that have no key of the requested kind (no queue, no team, no agent).
    Unassigned,
}

impl fmt::Display for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupKey::All => f.write_str("all"),
            GroupKey::Agent(agent) => write!(f, "agent {agent}"),
            GroupKey::Team(team) => write!(f, "team {team}"),
            GroupKey::Queue(queue) => write!(f, "queue {queue}"),
            GroupKey::Hour(hour) => write!(f, "{hour}"),
            GroupKey::Day(date) => write!(f, "{date}"),
            GroupKey::Unassigned => f.write_str("unassigned"),
        }
    }
}

/// The KPIs of one group. Counts cover finished conversations (`ended_at` known) only; rates are
/// in `0.0..=1.0`, and `None` when their denominator is zero (never NaN).
///
/// Formulas (inbound unless said otherwise):
/// - `offered = answered + abandoned + short_abandoned + fallback` (not per agent: see
///   [`crate::compute`]).
/// - `abandonment_rate = abandoned / (offered - short_abandoned)`.
/// - `average_speed_of_answer = Σ time_to_answer / answered` (from arrival, IVR included).
/// - `service_level = answered_within_threshold / (answered + abandoned)`: calls abandoned
///   before the threshold count against it, short abandons and fallbacks do not.
/// - `service_level_of_answered = answered_within_threshold / answered`.
/// - `average_handle_time = Σ (talk + hold + wrap-up) / handled`, where handled = answered
///   inbound + reached outbound conversations.
/// - `occupancy = (on-call + wrap-up) / (available + reserved + on-call + wrap-up)` time.
/// - `first_contact_resolution = resolved_first_contact / fcr_eligible`: eligible are answered
///   inbound conversations with a known customer; resolved when that customer starts no other
///   inbound conversation, on any channel, within the window.
/// - `reach_rate = outbound_reached / outbound_attempted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRow {
    pub key: GroupKey,
    pub offered: u64,
    pub answered: u64,
    /// Abandoned after at least the short-abandon threshold.
    pub abandoned: u64,
    pub short_abandoned: u64,
    /// Nobody answered and the call went to a backup number.
    pub fallback: u64,
    pub answered_within_threshold: u64,
    pub abandonment_rate: Option<f64>,
    pub average_speed_of_answer: Option<Millis>,
    pub service_level: Option<f64>,
    pub service_level_of_answered: Option<f64>,
    pub handled: u64,
    pub handle_time: Millis,
    pub average_handle_time: Option<Millis>,
    /// Available + reserved + on-call + wrap-up time.
    pub staffed_time: Millis,
    /// On-call + wrap-up time.
    pub busy_time: Millis,
    pub occupancy: Option<f64>,
    pub fcr_eligible: u64,
    pub resolved_first_contact: u64,
    pub first_contact_resolution: Option<f64>,
    pub outbound_attempted: u64,
    pub outbound_reached: u64,
    pub reach_rate: Option<f64>,
    /// Conversations not finished yet: left out of every other number.
    pub in_progress: u64,
}

/// A computed report: the rows in key order, and the settings they were computed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    pub group_by: GroupBy,
    pub config: KpiConfig,
    pub rows: Vec<KpiRow>,
}
