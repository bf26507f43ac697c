//! Business calendars for a contact center in Japan: national holidays (with substitute and
//! citizens' holidays), the year-end closure, one-off closures and weekly hours in a named time
//! zone. Pure: the moment to judge is always an argument.

mod calendar;
mod holidays;
mod hours;

pub use calendar::{
    BusinessCalendar, CalendarError, ClosedBecause, Closure, MAX_CLOSURES, MAX_REASON_CHARS,
    Openness, TimeZoneName,
};
pub use holidays::{
    FIRST_YEAR, Holiday, HolidayName, LAST_YEAR, YearOutOfRange, holiday_on, national_holidays,
};
pub use hours::{ClockTime, InvalidClockTime, OpeningHours, Weekday};

#[cfg(test)]
mod tests;
