//! Business hours: a weekly schedule in the tenant's local time, at a fixed offset from UTC.

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::Timestamp;

use crate::ConfigError;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
/// UTC offsets in use run from -12:00 to +14:00.
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// When calls are answered, e.g. `{"utc_offset_minutes": 540, "weekly": [{"day": "mon", "open":
/// "09:00", "close": "18:00"}, …]}`. A fixed offset, so no daylight saving time (Japan has none).
/// Without `weekly` the center is always open; with an empty `weekly` it is always closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessHours {
    /// Minutes east of UTC of the tenant's local time. Default 540 (Japan Standard Time).
    pub utc_offset_minutes: i32,
    /// Open spans of the week in local time; `None` means always open.
    pub weekly: Option<Vec<OpeningHours>>,
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self {
            utc_offset_minutes: 540,
            weekly: None,
        }
    }
}

/// One open span on one weekday, `open` inclusive, `close` exclusive. A span that crosses
/// midnight is written as two (`mon 22:00–24:00`, `tue 00:00–06:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub day: Weekday,
    pub open: ClockTime,
    pub close: ClockTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
}

/// A time of day in local time, `"HH:MM"` from `"00:00"` to `"24:00"` (the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime {
    minutes: u16,
}

/// The string is not a time of day `"HH:MM"` between `"00:00"` and `"24:00"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a time of day must be written HH:MM, from 00:00 to 24:00")]
pub struct InvalidClockTime;

impl ClockTime {
    /// `hours:minutes`, at most 24:00.
    pub fn new(hours: u16, minutes: u16) -> Result<Self, InvalidClockTime> {
        let total = hours
            .checked_mul(60)
            .and_then(|h| h.checked_add(minutes))
            .filter(|total| minutes < 60 && *total <= 24 * 60)
            .ok_or(InvalidClockTime)?;
        Ok(Self { minutes: total })
    }

    /// Minutes since local midnight.
    pub fn minutes(self) -> u16 {
        self.minutes
    }
}

impl TryFrom<String> for ClockTime {
    type Error = InvalidClockTime;
    fn try_from(raw: String) -> Result<Self, InvalidClockTime> {
        let (hours, minutes) = raw.split_once(':').ok_or(InvalidClockTime)?;
        let number = |digits: &str| {
            if digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse::<u16>().map_err(|_| InvalidClockTime)
            } else {
                Err(InvalidClockTime)
            }
        };
        ClockTime::new(number(hours)?, number(minutes)?)
    }
}

impl From<ClockTime> for String {
    fn from(time: ClockTime) -> String {
        time.to_string()
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl BusinessHours {
    /// Open at all times.
    pub fn always_open() -> Self {
        Self::default()
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.utc_offset_minutes.abs() > MAX_OFFSET_MINUTES {
            return Err(ConfigError::UtcOffsetOutOfRange);
        }
        let spans = self.weekly.iter().flatten();
        if spans.clone().any(|span| span.open >= span.close) {
            return Err(ConfigError::EmptyOpeningHours);
        }
        Ok(())
    }

    /// Whether calls arriving at `at` are answered.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let Some(weekly) = &self.weekly else {
            return true;
        };
        let (day, minute) = self.local(at);
        weekly.iter().any(|span| {
            span.day == day && span.open.minutes <= minute && minute < span.close.minutes
        })
    }

    /// The local weekday and minute of the day of `at`.
    fn local(&self, at: Timestamp) -> (Weekday, u16) {
        let utc = i64::try_from(at.0).unwrap_or(i64::MAX);
        let local = utc.saturating_add(i64::from(self.utc_offset_minutes) * MINUTE_MS);
        let days = local.div_euclid(DAY_MS);
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0);
        let minute = u16::try_from(local.rem_euclid(DAY_MS) / MINUTE_MS).unwrap_or(0);
        (
            Weekday::ALL.get(weekday).copied().unwrap_or(Weekday::Mon),
            minute,
        )
    }
}
