//! The routing ladder a tenant configures: whom to offer a contact to, in which order, for how long.

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Millis, TeamId};

/// Steps tried in order; see [`crate::Router::route`] for how they are walked.
///
/// Deserializes from the tenant's settings, e.g.
/// `{"steps": [{"target": "owner", "timeout": 15000}, {"target": {"team": "sales"}, "timeout": 20000}]}`
/// (timeouts in milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    pub steps: Vec<Step>,
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub target: Target,
    /// How long one offer made in this step rings before the caller reports it failed.
    pub timeout: Millis,
}

/// Whom a step offers the contact to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// The contact's owner (skipped when the contact has none).
    Owner,
    /// The contact's owner team (skipped when the contact has none).
    OwnerTeam,
    /// A fixed team.
    Team(TeamId),
    /// A fixed list of agents, longest idle first.
    Agents(Vec<AgentId>),
    /// Every agent of the tenant.
    Anyone,
}

impl Default for Ladder {
    /// The seed story: owner for 15 s, then the owner's team for 20 s, then anyone for 30 s.
    fn default() -> Self {
        Self {
            steps: vec![
                Step {
                    target: Target::Owner,
                    timeout: Millis::from_secs(15),
                },
                Step {
                    target: Target::OwnerTeam,
                    timeout: Millis::from_secs(20),
                },
                Step {
                    target: Target::Anyone,
                    timeout: Millis::from_secs(30),
                },
            ],
        }
    }
}
