//! Local calendar dates and hours for bucketing, from a fixed UTC offset (no time-zone database).

use std::fmt;

use serde::{Deserialize, Serialize};
use tsunagu_core::Timestamp;

const MS_PER_HOUR: i128 = 3_600_000;
const MS_PER_DAY: i128 = 24 * MS_PER_HOUR;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDate {
    pub year: i64,
    pub month: u8,
    pub day: u8,
}

/// One hour of a local day (`hour` 0..=23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalHour {
    pub date: LocalDate,
    pub hour: u8,
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for LocalHour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:02}:00", self.date, self.hour)
    }
}

/// Milliseconds since the Unix epoch on the local wall clock.
fn local_ms(at: Timestamp, utc_offset_minutes: i32) -> i128 {
    i128::from(at.0) + i128::from(utc_offset_minutes) * 60_000
}

/// Days since 1970-01-01 to a date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> LocalDate {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    LocalDate {
        year,
        // In range by construction: day 1..=31, month 1..=12.
        month: u8::try_from(month).unwrap_or(1),
        day: u8::try_from(day).unwrap_or(1),
    }
}

fn day_number(at: Timestamp, utc_offset_minutes: i32) -> i64 {
    // |local ms| < 2^65, so the day number fits an i64 with room to spare.
    i64::try_from(local_ms(at, utc_offset_minutes).div_euclid(MS_PER_DAY)).unwrap_or(0)
}

pub(crate) fn local_date(at: Timestamp, utc_offset_minutes: i32) -> LocalDate {
    civil_from_days(day_number(at, utc_offset_minutes))
}

pub(crate) fn local_hour(at: Timestamp, utc_offset_minutes: i32) -> LocalHour {
    let ms = local_ms(at, utc_offset_minutes);
    LocalHour {
        date: civil_from_days(day_number(at, utc_offset_minutes)),
        hour: u8::try_from(ms.rem_euclid(MS_PER_DAY) / MS_PER_HOUR).unwrap_or(0),
    }
}

fn to_timestamp(local: i128, utc_offset_minutes: i32) -> u64 {
    let utc = local - i128::from(utc_offset_minutes) * 60_000;
    u64::try_from(utc.clamp(0, i128::from(u64::MAX))).unwrap_or(u64::MAX)
}

/// The UTC span `[start, end)` (ms) of the local day or hour that contains `at`.
pub(crate) fn day_span(at: Timestamp, utc_offset_minutes: i32) -> (u64, u64) {
    let start = local_ms(at, utc_offset_minutes).div_euclid(MS_PER_DAY) * MS_PER_DAY;
    (
        to_timestamp(start, utc_offset_minutes),
        to_timestamp(start + MS_PER_DAY, utc_offset_minutes),
    )
}

pub(crate) fn hour_span(at: Timestamp, utc_offset_minutes: i32) -> (u64, u64) {
    let start = local_ms(at, utc_offset_minutes).div_euclid(MS_PER_HOUR) * MS_PER_HOUR;
    (
        to_timestamp(start, utc_offset_minutes),
        to_timestamp(start + MS_PER_HOUR, utc_offset_minutes),
    )
}
