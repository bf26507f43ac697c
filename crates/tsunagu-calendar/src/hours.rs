//! Weekly opening hours: spans of a weekday in local time.

use std::fmt;

use serde::{Deserialize, Serialize};

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
    pub const ALL: [Weekday; 7] = [
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

impl Weekday {
    pub(crate) fn from_chrono(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Self::Mon,
            chrono::Weekday::Tue => Self::Tue,
            chrono::Weekday::Wed => Self::Wed,
            chrono::Weekday::Thu => Self::Thu,
            chrono::Weekday::Fri => Self::Fri,
            chrono::Weekday::Sat => Self::Sat,
            chrono::Weekday::Sun => Self::Sun,
        }
    }
}
