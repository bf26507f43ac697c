//! Contact-center KPIs computed from stitched conversations and agent presence intervals.
//!
//! [`compute`] turns the stitcher's [`tsunagu_stitch::Conversation`]s and a list of
//! [`PresenceInterval`]s into a [`KpiReport`]: one [`KpiRow`] per agent, team, queue, hour or
//! day ([`GroupBy`]) with offered/answered/abandoned counts, abandonment rate, AHT, ASA, both
//! service-level variants, occupancy, first-contact resolution and outbound reach rate. The
//! exact formulas are on [`KpiRow`]. Pure: no clock; hour and day buckets follow the fixed UTC
//! offset in [`KpiConfig`] (JST by default).

mod calendar;
mod compute;
mod config;
mod presence;
mod report;

pub use calendar::{LocalDate, LocalHour};
pub use compute::compute;
pub use config::{KpiConfig, KpiConfigError};
pub use presence::{PresenceInterval, PresenceState};
pub use report::{GroupBy, GroupKey, KpiReport, KpiRow};

#[cfg(test)]
mod tests;
