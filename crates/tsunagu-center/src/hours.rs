//! Business hours: the tenant's business calendar, from `tsunagu-calendar` (weekly hours in a named
//! time zone, national holidays, the year-end closure, one-off closures).

pub use tsunagu_calendar::{
    BusinessCalendar, CalendarError, ClockTime, ClosedBecause, Closure, HolidayName,
    InvalidClockTime, OpeningHours, Openness, TimeZoneName, Weekday,
};
