//! Why a contact went where it went: structured explanations, and English text for supervisors.
//!
//! The data is structured (reasons are enums, names are ids, times are `Timestamp`s) so a UI can
//! render it in any language; `Display` is the English rendering used in logs and tests. Times are
//! shown as UTC time of day.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

use tsunagu_core::{AgentId, Channel, InteractionId, Millis, TeamId, Timestamp};

use crate::{NotRoutableReason, Skill};

/// At most this many names are kept per group of skipped agents or passed-over contacts; larger
/// groups are summarised by their count, so an "anyone" step over 10,000 agents stays short.
pub const MAX_EXAMPLES: usize = 3;

/// The full story of one decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Explanation {
    pub trigger: Trigger,
    /// The ladder steps examined, in order, up to the one that chose an agent (empty when a freed
    /// agent picked a contact from the queue).
    pub steps: Vec<StepReport>,
    /// For a queue pick-up: queued contacts ahead in line that the agent could not serve.
    pub passed_over: Vec<PassGroup>,
    /// Skills the contact needs but no longer requires: it waited past its skill relaxation, so
    /// this decision also considered agents without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relaxed: Vec<Skill>,
    pub conclusion: Conclusion,
}

/// What caused the router to decide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Trigger {
    /// A new contact arrived.
    Arrived {
        contact: InteractionId,
        channel: Channel,
        priority: u8,
        skills: Vec<Skill>,
        /// The lowest level required of some of `skills` (the others: any level).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        levels: BTreeMap<Skill, u8>,
    },
    /// The agent offered the contact missed or declined it; the ladder is walked again.
    OfferFailed {
        contact: InteractionId,
        agent: AgentId,
    },
    /// The agent offered the contact was removed from the directory; the ladder is walked again.
    AgentRemoved {
        contact: InteractionId,
        agent: AgentId,
    },
    /// An agent can take work; `waiting` contacts are queued on channels they have room for.
    AgentAvailable { agent: AgentId, waiting: usize },
    /// The queued contact waited `waited` without a skilled agent: its skills are no longer
    /// required, and the ladder is walked again.
    SkillsRelaxed {
        contact: InteractionId,
        waited: Millis,
    },
}

/// What one ladder step found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StepReport {
    /// Zero-based; displayed one-based.
    pub step_index: usize,
    pub target: StepTarget,
    /// How many agents the step targets (before any were skipped).
    pub pool_size: usize,
    pub verdict: StepVerdict,
    /// Targeted agents that could not be offered the contact, grouped by reason (in reason order).
    pub skipped: Vec<SkipGroup>,
}

/// A ladder target resolved for this contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepTarget {
    Owner(Option<AgentId>),
    OwnerTeam(Option<TeamId>),
    Team(TeamId),
    Agents(Vec<AgentId>),
    Anyone,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepVerdict {
    /// The step does not apply to this contact and was passed.
    NotApplicable(NotApplicable),
    /// Every targeted agent was skipped.
    NobodyAvailable,
    /// `agent` was the longest idle of the eligible agents. `others_available` more agents had
    /// room, idle for less long. In team and anyone steps these are counted from the index (among
    /// the agents with the contact's rarest needed skill, if it needs any) and not checked
    /// further for other skills or earlier refusals: the walk stops at the first eligible agent.
    Chose {
        agent: AgentId,
        idle_since: Timestamp,
        others_available: usize,
    },
}

/// Why a step does not apply to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotApplicable {
    NoOwner,
    NoOwnerTeam,
}

/// Agents skipped for one reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SkipGroup {
    pub reason: SkipReason,
    pub count: usize,
    /// The first few, by idle order for agents examined one by one, else by id.
    pub examples: Vec<AgentId>,
}

/// Why an agent was not offered a contact. Checked in this order; the first that applies is given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The ladder names an agent the directory does not know.
    NotInDirectory,
    /// The caller said the agent is not routable.
    NotRoutable(NotRoutableReason),
    /// The agent is routable per the caller but is being offered another contact.
    OfferPending,
    /// The agent holds an exclusive (voice) contact on this channel.
    Busy(Channel),
    /// The agent holds as many contacts of this channel as their capacity allows (or serves none).
    AtCapacity(Channel),
    /// The agent already missed or declined this contact.
    AlreadyTried,
    /// The agent lacks this skill, which the contact needs.
    MissingSkill(Skill),
    /// The agent has this skill, but below the level the contact needs.
    SkillTooLow { skill: Skill, needed: u8 },
}

/// Queued contacts a freed agent was not given, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PassGroup {
    pub reason: PassReason,
    pub count: usize,
    pub examples: Vec<InteractionId>,
}

/// Why a queued contact was not given to a freed agent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PassReason {
    /// No step of the contact's ladder targets this agent.
    NotTargeted,
    /// This agent already missed or declined it.
    AlreadyTried,
    /// The contact needs a skill the agent lacks.
    MissingSkill(Skill),
    /// The contact needs a skill at a level the agent does not reach.
    SkillTooLow { skill: Skill, needed: u8 },
}

/// What was decided.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Conclusion {
    Offer {
        contact: InteractionId,
        agent: AgentId,
        step_index: usize,
        timeout: Millis,
    },
    Queued {
        contact: InteractionId,
        channel: Channel,
        position: usize,
        queue_len: usize,
    },
}

/// Collects named items into groups by reason, keeping counts exact and names capped.
#[derive(Debug)]
pub(crate) struct Tally<R, N> {
    groups: BTreeMap<R, (usize, Vec<N>)>,
}

impl<R: Ord, N: Clone> Tally<R, N> {
    pub(crate) fn new() -> Self {
        Self {
            groups: BTreeMap::new(),
        }
    }

    pub(crate) fn add(&mut self, reason: R, name: &N) {
        let (count, examples) = self.groups.entry(reason).or_default();
        *count += 1;
        if examples.len() < MAX_EXAMPLES {
            examples.push(name.clone());
        }
    }

    /// Adds a whole group at once: `count` items of which `names` yields at least the first few.
    pub(crate) fn add_many<'a>(
        &mut self,
        reason: R,
        count: usize,
        names: impl Iterator<Item = &'a N>,
    ) where
        N: 'a,
    {
        if count == 0 {
            return;
        }
        let (total, examples) = self.groups.entry(reason).or_default();
        *total += count;
        let room = MAX_EXAMPLES.saturating_sub(examples.len());
        examples.extend(names.take(room).cloned());
    }

    pub(crate) fn into_groups(self) -> impl Iterator<Item = (R, usize, Vec<N>)> {
        self.groups
            .into_iter()
            .map(|(reason, (count, examples))| (reason, count, examples))
    }
}

/// `09:02:10`: the UTC time of day of `at`.
pub(crate) struct Clock(pub(crate) Timestamp);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.0 / 1000;
        let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        write!(f, "{h:02}:{m:02}:{s:02}")
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `takahashi, tanaka (on call)` when every member is named, else
/// `5000 agents (offline), e.g. a1, a2, a3`.
fn group<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    noun: (&str, &str),
    count: usize,
    examples: &[T],
    reason: &dyn fmt::Display,
) -> fmt::Result {
    if count <= examples.len() {
        write!(f, "{} ({reason})", join(examples))
    } else if examples.is_empty() {
        write!(f, "{} ({reason})", plural(count, noun.0, noun.1))
    } else {
        write!(
            f,
            "{} ({reason}), e.g. {}",
            plural(count, noun.0, noun.1),
            join(examples)
        )
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotInDirectory => f.write_str("not in the directory"),
            SkipReason::NotRoutable(why) => write!(f, "{why}"),
            SkipReason::OfferPending => f.write_str("being offered another contact"),
            SkipReason::Busy(channel) => write!(f, "busy on {channel}"),
            SkipReason::AtCapacity(channel) => write!(f, "at capacity for {channel}"),
            SkipReason::AlreadyTried => f.write_str("already missed or declined it"),
            SkipReason::MissingSkill(skill) => write!(f, "missing skill {skill}"),
            SkipReason::SkillTooLow { skill, needed } => {
                write!(f, "skill {skill} below level {needed}")
            }
        }
    }
}

impl fmt::Display for PassReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassReason::NotTargeted => f.write_str("its ladder does not target this agent"),
            PassReason::AlreadyTried => f.write_str("this agent already missed or declined it"),
            PassReason::MissingSkill(skill) => write!(f, "needs skill {skill}"),
            PassReason::SkillTooLow { skill, needed } => {
                write!(f, "needs skill {skill} at level {needed}")
            }
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Arrived {
                contact,
                channel,
                priority,
                skills,
                levels,
            } => {
                write!(f, "{contact} arrived on {channel}, priority {priority}")?;
                if !skills.is_empty() {
                    let needs: Vec<String> = skills
                        .iter()
                        .map(|skill| match levels.get(skill) {
                            Some(level) => format!("{skill} (level {level}+)"),
                            None => skill.to_string(),
                        })
                        .collect();
                    write!(f, ", needs {}", needs.join(", "))?;
                }
                Ok(())
            }
            Trigger::OfferFailed { contact, agent } => write!(
                f,
                "{contact}: {agent} missed or declined the offer; routing again"
            ),
            Trigger::AgentRemoved { contact, agent } => write!(
                f,
                "{contact}: {agent} left the directory during the offer; routing again"
            ),
            Trigger::AgentAvailable { agent, waiting } => write!(
                f,
                "{agent} can take work; {} queued on channels with room",
                plural(*waiting, "contact", "contacts")
            ),
            Trigger::SkillsRelaxed { contact, waited } => write!(
                f,
                "{contact} waited {waited} for a skilled agent; routing again without requiring skills"
            ),
        }
    }
}

impl fmt::Display for StepTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepTarget::Owner(Some(agent)) => write!(f, "owner {agent}"),
            StepTarget::Owner(None) => f.write_str("owner"),
            StepTarget::OwnerTeam(Some(team)) => write!(f, "owner's team {team}"),
            StepTarget::OwnerTeam(None) => f.write_str("owner's team"),
            StepTarget::Team(team) => write!(f, "team {team}"),
            StepTarget::Agents(agents) if agents.len() <= MAX_EXAMPLES => {
                write!(f, "agents {}", join(agents))
            }
            StepTarget::Agents(agents) => write!(
                f,
                "agents {} and {} more",
                join(agents.get(..MAX_EXAMPLES).unwrap_or_default()),
                agents.len().saturating_sub(MAX_EXAMPLES)
            ),
            StepTarget::Anyone => f.write_str("anyone"),
        }
    }
}

impl fmt::Display for StepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Step {} ({}", self.step_index + 1, self.target)?;
        match self.target {
            StepTarget::Owner(_) | StepTarget::Agents(_) => {}
            StepTarget::OwnerTeam(None) => {}
            _ => write!(f, ", {}", plural(self.pool_size, "agent", "agents"))?,
        }
        f.write_str("): ")?;
        match &self.verdict {
            StepVerdict::NotApplicable(NotApplicable::NoOwner) => {
                return f.write_str("not applicable, the contact has no owner");
            }
            StepVerdict::NotApplicable(NotApplicable::NoOwnerTeam) => {
                return f.write_str("not applicable, the contact has no owner team");
            }
            StepVerdict::NobodyAvailable if self.pool_size == 0 => {
                return f.write_str("nobody available, no agents");
            }
            StepVerdict::NobodyAvailable => f.write_str("nobody available")?,
            StepVerdict::Chose {
                agent,
                idle_since,
                others_available,
            } => {
                write!(f, "chose {agent}, idle since {}", Clock(*idle_since))?;
                if *others_available > 0 {
                    write!(
                        f,
                        " (longest idle; {} behind in idle order)",
                        plural(*others_available, "more", "more")
                    )?;
                }
            }
        }
        if self.skipped.is_empty() {
            return Ok(());
        }
        f.write_str(" — skipped ")?;
        for (i, skipped) in self.skipped.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            group(
                f,
                ("agent", "agents"),
                skipped.count,
                &skipped.examples,
                &skipped.reason,
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Conclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conclusion::Offer {
                contact,
                agent,
                step_index,
                timeout,
            } => write!(
                f,
                "→ offer {contact} to {agent} for {timeout} (step {})",
                step_index + 1
            ),
            Conclusion::Queued {
                contact,
                channel,
                position,
                queue_len,
            } => write!(
                f,
                "→ {contact} queued on {channel}: number {position} of {queue_len}"
            ),
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.trigger)?;
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        if !self.passed_over.is_empty() {
            f.write_str("passed over ")?;
            for (i, passed) in self.passed_over.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                group(
                    f,
                    ("contact", "contacts"),
                    passed.count,
                    &passed.examples,
                    &passed.reason,
                )?;
            }
            writeln!(f)?;
        }
        if !self.relaxed.is_empty() {
            writeln!(
                f,
                "skills relaxed after the wait: {} (agents without them were considered)",
                join(&self.relaxed)
            )?;
        }
        write!(f, "{}", self.conclusion)
    }
}
