//! Agent presence as intervals: the input for occupancy.

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Millis, TeamId, Timestamp};

/// What an agent was doing. Defined here (not taken from the presence crate) so reports depend
/// only on what they measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    /// Logged in and waiting for work.
    Available,
    /// A contact is ringing them.
    Reserved,
    OnCall,
    /// After-call work.
    WrapUp,
    /// Logged in but not taking work (break, meeting).
    Away,
    Offline,
}

impl PresenceState {
    /// Counts toward the time the agent was staffed (occupancy's denominator).
    pub fn is_staffed(self) -> bool {
        matches!(
            self,
            Self::Available | Self::Reserved | Self::OnCall | Self::WrapUp
        )
    }

    /// Counts toward the time the agent was busy with contacts (occupancy's numerator).
    pub fn is_busy(self) -> bool {
        matches!(self, Self::OnCall | Self::WrapUp)
    }
}

/// One agent in one state from `start` to `end` (end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceInterval {
    pub agent: AgentId,
    pub team: Option<TeamId>,
    pub state: PresenceState,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl PresenceInterval {
    /// The length, or zero if `end` is not after `start`.
    pub fn duration(&self) -> Millis {
        self.end.saturating_since(self.start)
    }
}
