//! A business calendar: weekly hours in a named time zone, closed on national holidays, at year
//! end and on one-off closures; and why it is closed at a given moment.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Offset, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tsunagu_core::Timestamp;

use crate::{HolidayName, OpeningHours, Weekday, holidays::holiday_on};

/// At most this many one-off closures per calendar (a few years of them).
pub const MAX_CLOSURES: usize = 500;
/// At most this many characters in a closure's reason (shown to agents and in the routing audit).
pub const MAX_REASON_CHARS: usize = 100;

/// When calls are answered, e.g. `{"time_zone": "Asia/Tokyo", "weekly": [{"day": "mon", "open":
/// "09:00", "close": "18:00"}, …], "closed_on_national_holidays": true, "year_end_closure": true,
/// "closures": [{"from": "2026-08-13", "until": "2026-08-16", "reason": "夏季休業"}]}`.
///
/// Without `weekly` the calendar is open at all hours; with an empty `weekly` it is always
/// closed. Holidays and the year-end closure are off unless asked for, so a calendar that says
/// nothing about them behaves the same on every date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessCalendar {
    /// The IANA time zone of the weekly hours and of every date here. Default `Asia/Tokyo`.
    pub time_zone: TimeZoneName,
    /// Open spans of the week in local time; `None` means open at all hours.
    pub weekly: Option<Vec<OpeningHours>>,
    /// Closed on Japan's national holidays, substitute and citizens' holidays included.
    pub closed_on_national_holidays: bool,
    /// 年末年始: closed from 12/29 to 1/3, the usual Japanese year-end closure.
    pub year_end_closure: bool,
    /// One-off closures (a summer break, a move, a system change), dates inclusive.
    pub closures: Vec<Closure>,
}

/// Closed from `from` to `until`, both inclusive, in the calendar's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// What agents and the routing audit are told (夏季休業).
    #[serde(default)]
    pub reason: String,
}

/// An IANA time zone name (`Asia/Tokyo`), known to the bundled time-zone database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(Tz);

impl Default for TimeZoneName {
    fn default() -> Self {
        Self(Tz::Asia__Tokyo)
    }
}

impl TimeZoneName {
    pub fn tz(self) -> Tz {
        self.0
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = CalendarError;
    fn try_from(raw: String) -> Result<Self, CalendarError> {
        raw.parse::<Tz>()
            .map(Self)
            .map_err(|_| CalendarError::UnknownTimeZone)
    }
}

impl From<TimeZoneName> for String {
    fn from(zone: TimeZoneName) -> String {
        zone.0.name().to_owned()
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// Why a calendar cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the time zone is not an IANA time zone name such as Asia/Tokyo")]
    UnknownTimeZone,
    #[error("an opening span must open before it closes")]
    EmptyOpeningHours,
    #[error("a closure must not end before it starts")]
    ClosureEndsBeforeItStarts,
    #[error("a closure's reason is longer than {MAX_REASON_CHARS} characters")]
    ClosureReasonTooLong,
    #[error("a calendar holds at most {MAX_CLOSURES} closures")]
    TooManyClosures,
}

/// Whether a calendar is open at a moment, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Openness {
    Open,
    Closed { because: ClosedBecause },
}

/// The first rule that closes the calendar, most specific first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ClosedBecause {
    /// A one-off closure covers the day.
    Closure {
        reason: String,
    },
    /// 12/29–1/3.
    YearEnd,
    NationalHoliday {
        holiday: HolidayName,
    },
    /// Outside the weekly hours.
    OutsideHours,
}

impl ClosedBecause {
    /// In plain Japanese, for agents and the routing audit.
    pub fn ja(&self) -> String {
        match self {
            Self::Closure { reason } if reason.is_empty() => "臨時休業".to_owned(),
            Self::Closure { reason } => format!("臨時休業（{reason}）"),
            Self::YearEnd => "年末年始休業".to_owned(),
            Self::NationalHoliday { holiday } => format!("祝日（{}）", holiday.ja()),
            Self::OutsideHours => "営業時間外".to_owned(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Self::Closure { reason } if reason.is_empty() => "closed for the day".to_owned(),
            Self::Closure { reason } => format!("closed ({reason})"),
            Self::YearEnd => "year-end closure".to_owned(),
            Self::NationalHoliday { holiday } => format!("national holiday ({})", holiday.en()),
            Self::OutsideHours => "outside business hours".to_owned(),
        }
    }
}

impl BusinessCalendar {
    /// Open at all times, in Japan.
    pub fn always_open() -> Self {
        Self::default()
    }

    pub fn validate(&self) -> Result<(), CalendarError> {
        if self
            .weekly
            .iter()
            .flatten()
            .any(|span| span.open >= span.close)
        {
            return Err(CalendarError::EmptyOpeningHours);
        }
        if self.closures.len() > MAX_CLOSURES {
            return Err(CalendarError::TooManyClosures);
        }
        for closure in &self.closures {
            if closure.until < closure.from {
                return Err(CalendarError::ClosureEndsBeforeItStarts);
            }
            if closure.reason.chars().count() > MAX_REASON_CHARS {
                return Err(CalendarError::ClosureReasonTooLong);
            }
        }
        Ok(())
    }

    /// Whether calls arriving at `at` are answered.
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.openness(at) == Openness::Open
    }

    /// Open, or the first rule that closes the calendar at `at`.
    pub fn openness(&self, at: Timestamp) -> Openness {
        let local = self.local(at);
        let date = local.date_naive();
        let closed = |because| Openness::Closed { because };
        if let Some(closure) = self
            .closures
            .iter()
            .find(|c| c.from <= date && date <= c.until)
        {
            return closed(ClosedBecause::Closure {
                reason: closure.reason.clone(),
            });
        }
        if self.year_end_closure && is_year_end(date) {
            return closed(ClosedBecause::YearEnd);
        }
        if self.closed_on_national_holidays
            && let Some(holiday) = holiday_on(date)
        {
            return closed(ClosedBecause::NationalHoliday { holiday });
        }
        let Some(weekly) = &self.weekly else {
            return Openness::Open;
        };
        let day = Weekday::from_chrono(local.weekday());
        // Minutes since local midnight; a DST gap or fold only shifts which span the moment
        // falls in, as it does on a wall clock.
        let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
        if weekly.iter().any(|span| {
            span.day == day && span.open.minutes() <= minute && minute < span.close.minutes()
        }) {
            Openness::Open
        } else {
            closed(ClosedBecause::OutsideHours)
        }
    }

    /// The local date and time of `at` in the calendar's zone.
    pub fn local(&self, at: Timestamp) -> DateTime<Tz> {
        let millis = i64::try_from(at.0).unwrap_or(i64::MAX);
        let utc = DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::UNIX_EPOCH);
        utc.with_timezone(&self.time_zone.tz())
    }

    /// How far the calendar's zone is ahead of UTC at `at`, in minutes (540 in Japan).
    pub fn utc_offset_minutes(&self, at: Timestamp) -> i32 {
        self.local(at).offset().fix().local_minus_utc() / 60
    }
}

/// 12/29 to 1/3.
fn is_year_end(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}
