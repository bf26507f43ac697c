//! The thresholds and calendar a KPI report is computed with.

use serde::{Deserialize, Serialize};
use tsunagu_core::Millis;

/// How KPIs are counted. [`KpiConfig::default`] is the common Japanese contact-center setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiConfig {
    /// "Answered within T" for service level (the 80/20 rule's 20 s).
    pub service_level_threshold: Millis,
    /// Callers who hang up sooner than this never really waited (misdials, changed minds); they
    /// are counted apart and left out of abandonment and service level.
    pub short_abandon_threshold: Millis,
    /// A contact is resolved first time if the same customer does not contact us again (on any
    /// channel) within this many days.
    pub fcr_window_days: u32,
    /// Offset from UTC of the calendar that hour and day buckets follow, in minutes (+540 = JST).
    pub utc_offset_minutes: i32,
}

impl Default for KpiConfig {
    fn default() -> Self {
        Self {
            service_level_threshold: Millis::from_secs(20),
            short_abandon_threshold: Millis::from_secs(5),
            fcr_window_days: 7,
            utc_offset_minutes: 9 * 60,
        }
    }
}

/// Why a configuration was refused (see [`KpiConfig::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KpiConfigError {
    #[error("UTC offset {minutes} min is outside -18:00..=+18:00")]
    UtcOffsetOutOfRange { minutes: i32 },
    #[error("the first-contact-resolution window must be at least one day")]
    EmptyFcrWindow,
}

impl KpiConfig {
    /// Checks a configuration read from storage. [`crate::compute`] accepts any value (it must
    /// never fail), but an offset beyond ±18 h or an empty FCR window is surely a typo.
    pub fn validate(&self) -> Result<(), KpiConfigError> {
        if !(-18 * 60..=18 * 60).contains(&self.utc_offset_minutes) {
            return Err(KpiConfigError::UtcOffsetOutOfRange {
                minutes: self.utc_offset_minutes,
            });
        }
        if self.fcr_window_days == 0 {
            return Err(KpiConfigError::EmptyFcrWindow);
        }
        Ok(())
    }

    pub(crate) fn fcr_window(&self) -> Millis {
        Millis(u64::from(self.fcr_window_days).saturating_mul(86_400_000))
    }
}
