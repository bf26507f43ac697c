//! Japan's national holidays (国民の祝日), substitute holidays (振替休日) and citizens' holidays
//! (国民の休日), by the Act on National Holidays as in force since 2020.
//!
//! The equinox days are set each February by the Cabinet Office for the next year, from the
//! National Astronomical Observatory's ephemeris; the usual approximation used here agrees with
//! every announced day from 1980 and is the published expectation up to 2099. A tenant corrects a
//! future announcement with a one-off closure if it ever differs.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The first year these rules describe: 天皇誕生日 moved to 2/23 and 体育の日 became スポーツの日
/// in 2020 (and that year and 2021 moved three holidays for the Olympics, which are listed).
pub const FIRST_YEAR: i32 = 2020;
/// The last year the equinox approximation is published for.
pub const LAST_YEAR: i32 = 2099;

/// Which holiday a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayName {
    NewYearsDay,
    ComingOfAgeDay,
    NationalFoundationDay,
    EmperorsBirthday,
    VernalEquinoxDay,
    ShowaDay,
    ConstitutionMemorialDay,
    GreeneryDay,
    ChildrensDay,
    MarineDay,
    MountainDay,
    RespectForTheAgedDay,
    AutumnalEquinoxDay,
    SportsDay,
    CultureDay,
    LaborThanksgivingDay,
    /// 振替休日: a holiday fell on a Sunday; the next day that is not a holiday is off.
    Substitute,
    /// 国民の休日: a day between two national holidays.
    Citizens,
}

impl HolidayName {
    /// The name the Cabinet Office list uses (substitute and citizens' holidays are 「休日」 there).
    pub fn ja(self) -> &'static str {
        match self {
            Self::NewYearsDay => "元日",
            Self::ComingOfAgeDay => "成人の日",
            Self::NationalFoundationDay => "建国記念の日",
            Self::EmperorsBirthday => "天皇誕生日",
            Self::VernalEquinoxDay => "春分の日",
            Self::ShowaDay => "昭和の日",
            Self::ConstitutionMemorialDay => "憲法記念日",
            Self::GreeneryDay => "みどりの日",
            Self::ChildrensDay => "こどもの日",
            Self::MarineDay => "海の日",
            Self::MountainDay => "山の日",
            Self::RespectForTheAgedDay => "敬老の日",
            Self::AutumnalEquinoxDay => "秋分の日",
            Self::SportsDay => "スポーツの日",
            Self::CultureDay => "文化の日",
            Self::LaborThanksgivingDay => "勤労感謝の日",
            Self::Substitute => "振替休日",
            Self::Citizens => "国民の休日",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::NewYearsDay => "New Year's Day",
            Self::ComingOfAgeDay => "Coming of Age Day",
            Self::NationalFoundationDay => "National Foundation Day",
            Self::EmperorsBirthday => "The Emperor's Birthday",
            Self::VernalEquinoxDay => "Vernal Equinox Day",
            Self::ShowaDay => "Showa Day",
            Self::ConstitutionMemorialDay => "Constitution Memorial Day",
            Self::GreeneryDay => "Greenery Day",
            Self::ChildrensDay => "Children's Day",
            Self::MarineDay => "Marine Day",
            Self::MountainDay => "Mountain Day",
            Self::RespectForTheAgedDay => "Respect for the Aged Day",
            Self::AutumnalEquinoxDay => "Autumnal Equinox Day",
            Self::SportsDay => "Sports Day",
            Self::CultureDay => "Culture Day",
            Self::LaborThanksgivingDay => "Labor Thanksgiving Day",
            Self::Substitute => "Substitute holiday",
            Self::Citizens => "Citizens' holiday",
        }
    }
}

/// One day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: HolidayName,
}

/// The year is outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Japanese national holidays are known from {FIRST_YEAR} to {LAST_YEAR}, not for {year}")]
pub struct YearOutOfRange {
    pub year: i32,
}

/// Every holiday of `year`, in date order.
pub fn national_holidays(year: i32) -> Result<Vec<Holiday>, YearOutOfRange> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(YearOutOfRange { year });
    }
    let statutory = statutory_holidays(year);
    let is_statutory = |date: NaiveDate| statutory.iter().any(|h| h.date == date);
    let mut days = statutory.clone();
    // 振替休日: 「国民の祝日」が日曜日に当たるときは、その日後においてその日に最も近い
    // 「国民の祝日」でない日を休日とする (art. 3-2).
    for holiday in statutory
        .iter()
        .filter(|h| h.date.weekday() == Weekday::Sun)
    {
        let mut day = next_day(holiday.date);
        while is_statutory(day) {
            day = next_day(day);
        }
        days.push(Holiday {
            date: day,
            name: HolidayName::Substitute,
        });
    }
    // 国民の休日: その前日及び翌日が「国民の祝日」である日（「国民の祝日」でない日に限る）
    // (art. 3-3).
    for holiday in &statutory {
        let between = next_day(holiday.date);
        if !is_statutory(between)
            && is_statutory(next_day(between))
            && !days.iter().any(|h| h.date == between)
        {
            days.push(Holiday {
                date: between,
                name: HolidayName::Citizens,
            });
        }
    }
    days.sort();
    days.dedup_by_key(|h| h.date);
    Ok(days)
}

/// The holiday on `date`, if any (`None` outside the known years too).
pub fn holiday_on(date: NaiveDate) -> Option<HolidayName> {
    national_holidays(date.year())
        .ok()?
        .into_iter()
        .find(|h| h.date == date)
        .map(|h| h.name)
}

/// The sixteen holidays the Act names, on their dates for `year` (within the supported range).
fn statutory_holidays(year: i32) -> Vec<Holiday> {
    use HolidayName::*;
    // The 2020 and 2021 Olympic special measures moved these three.
    let (marine, mountain, sports) = match year {
        2020 => (day(year, 7, 23), day(year, 8, 10), day(year, 7, 24)),
        2021 => (day(year, 7, 22), day(year, 8, 8), day(year, 7, 23)),
        _ => (
            nth_monday(year, 7, 3),
            day(year, 8, 11),
            nth_monday(year, 10, 2),
        ),
    };
    let mut list = vec![
        (day(year, 1, 1), NewYearsDay),
        (nth_monday(year, 1, 2), ComingOfAgeDay),
        (day(year, 2, 11), NationalFoundationDay),
        (day(year, 2, 23), EmperorsBirthday),
        (day(year, 3, vernal_equinox_day(year)), VernalEquinoxDay),
        (day(year, 4, 29), ShowaDay),
        (day(year, 5, 3), ConstitutionMemorialDay),
        (day(year, 5, 4), GreeneryDay),
        (day(year, 5, 5), ChildrensDay),
        (marine, MarineDay),
        (mountain, MountainDay),
        (nth_monday(year, 9, 3), RespectForTheAgedDay),
        (day(year, 9, autumnal_equinox_day(year)), AutumnalEquinoxDay),
        (sports, SportsDay),
        (day(year, 11, 3), CultureDay),
        (day(year, 11, 23), LaborThanksgivingDay),
    ];
    list.sort();
    list.into_iter()
        .map(|(date, name)| Holiday { date, name })
        .collect()
}

/// The day of March: ⌊20.8431 + 0.242194 (y − 1980) − ⌊(y − 1980) / 4⌋⌋, in integers (micro-days)
/// so no float rounding can move a day.
fn vernal_equinox_day(year: i32) -> u32 {
    equinox_day(20_843_100, year)
}

/// The day of September: ⌊23.2488 + 0.242194 (y − 1980) − ⌊(y − 1980) / 4⌋⌋.
fn autumnal_equinox_day(year: i32) -> u32 {
    equinox_day(23_248_800, year)
}

fn equinox_day(base_micro_days: i64, year: i32) -> u32 {
    let n = i64::from(year - 1980);
    let micro = base_micro_days + 242_194 * n - 1_000_000 * n.div_euclid(4);
    u32::try_from(micro.div_euclid(1_000_000)).unwrap_or(20)
}

/// A date the rules above always make valid (month and day are constants or computed in range).
fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// The `n`th Monday of `month`.
fn nth_monday(year: i32, month: u32, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n).unwrap_or(NaiveDate::MIN)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}
