//! Tests: the holidays against the Cabinet Office's published list, calendars' openness on fixed
//! moments, and properties over any moment and any year.

use chrono::{Datelike, NaiveDate, TimeZone as _, Weekday as ChronoWeekday};
use expect_test::{Expect, expect};
use proptest::prelude::*;
use tsunagu_core::Timestamp;

use crate::{
    BusinessCalendar, ClockTime, Closure, FIRST_YEAR, HolidayName, LAST_YEAR, OpeningHours,
    Openness, Weekday, holiday_on, national_holidays,
};

/// The Cabinet Office's list (内閣府「国民の祝日について」, syukujitsu.csv) for 2025–2027, as
/// published: substitute and citizens' holidays are 「休日」 there.
const CABINET_OFFICE_2025_2027: &str = "\
2025/1/1,元日
2025/1/13,成人の日
2025/2/11,建国記念の日
2025/2/23,天皇誕生日
2025/2/24,休日
2025/3/20,春分の日
2025/4/29,昭和の日
2025/5/3,憲法記念日
2025/5/4,みどりの日
2025/5/5,こどもの日
2025/5/6,休日
2025/7/21,海の日
2025/8/11,山の日
2025/9/15,敬老の日
2025/9/23,秋分の日
2025/10/13,スポーツの日
2025/11/3,文化の日
2025/11/23,勤労感謝の日
2025/11/24,休日
2026/1/1,元日
2026/1/12,成人の日
2026/2/11,建国記念の日
2026/2/23,天皇誕生日
2026/3/20,春分の日
2026/4/29,昭和の日
2026/5/3,憲法記念日
2026/5/4,みどりの日
2026/5/5,こどもの日
2026/5/6,休日
2026/7/20,海の日
2026/8/11,山の日
2026/9/21,敬老の日
2026/9/22,休日
2026/9/23,秋分の日
2026/10/12,スポーツの日
2026/11/3,文化の日
2026/11/23,勤労感謝の日
2027/1/1,元日
2027/1/11,成人の日
2027/2/11,建国記念の日
2027/2/23,天皇誕生日
2027/3/21,春分の日
2027/3/22,休日
2027/4/29,昭和の日
2027/5/3,憲法記念日
2027/5/4,みどりの日
2027/5/5,こどもの日
2027/7/19,海の日
2027/8/11,山の日
2027/9/20,敬老の日
2027/9/23,秋分の日
2027/10/11,スポーツの日
2027/11/3,文化の日
2027/11/23,勤労感謝の日
";

fn as_cabinet_office_lines(years: std::ops::RangeInclusive<i32>) -> String {
    let mut out = String::new();
    for year in years {
        for holiday in national_holidays(year).expect("supported year") {
            let name = match holiday.name {
                HolidayName::Substitute | HolidayName::Citizens => "休日",
                other => other.ja(),
            };
            let d = holiday.date;
            out.push_str(&format!("{}/{}/{},{name}\n", d.year(), d.month(), d.day()));
        }
    }
    out
}

#[test]
fn holidays_match_the_cabinet_office_list_for_2025_to_2027() {
    assert_eq!(
        as_cabinet_office_lines(2025..=2027),
        CABINET_OFFICE_2025_2027
    );
}

#[test]
fn the_olympic_years_moved_three_holidays() {
    let moved = |year| {
        national_holidays(year)
            .expect("supported")
            .into_iter()
            .filter(|h| {
                matches!(
                    h.name,
                    HolidayName::MarineDay | HolidayName::SportsDay | HolidayName::MountainDay
                ) || h.name == HolidayName::Substitute && h.date.month() == 8
            })
            .map(|h| format!("{} {}", h.date, h.name.en()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    expect!["2020-07-23 Marine Day, 2020-07-24 Sports Day, 2020-08-10 Mountain Day"]
        .assert_eq(&moved(2020));
    expect!["2021-07-22 Marine Day, 2021-07-23 Sports Day, 2021-08-08 Mountain Day, 2021-08-09 Substitute holiday"]
        .assert_eq(&moved(2021));
}

#[test]
fn years_outside_the_rules_are_refused_not_guessed() {
    expect!["Japanese national holidays are known from 2020 to 2099, not for 2019"]
        .assert_eq(&national_holidays(2019).expect_err("too early").to_string());
    expect!["Japanese national holidays are known from 2020 to 2099, not for 2100"]
        .assert_eq(&national_holidays(2100).expect_err("too late").to_string());
    assert_eq!(holiday_on(date(2100, 1, 1)), None);
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// The moment `hh:mm` on `date` in Japan.
fn tokyo(date: NaiveDate, hour: u32, minute: u32) -> Timestamp {
    let local = date.and_hms_opt(hour, minute, 0).expect("valid time");
    let at = chrono_tz::Asia::Tokyo
        .from_local_datetime(&local)
        .single()
        .expect("Japan has no DST");
    Timestamp(u64::try_from(at.timestamp_millis()).expect("after 1970"))
}

fn weekdays_nine_to_six() -> Vec<OpeningHours> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
    .into_iter()
    .map(|day| OpeningHours {
        day,
        open: ClockTime::new(9, 0).expect("valid"),
        close: ClockTime::new(18, 0).expect("valid"),
    })
    .collect()
}

/// A typical Japanese office: weekdays 9–18, closed on holidays and at year end, a summer break.
fn office() -> BusinessCalendar {
    BusinessCalendar {
        weekly: Some(weekdays_nine_to_six()),
        closed_on_national_holidays: true,
        year_end_closure: true,
        closures: vec![Closure {
            from: date(2026, 8, 13),
            until: date(2026, 8, 14),
            reason: "夏季休業".to_owned(),
        }],
        ..BusinessCalendar::default()
    }
}

fn check(calendar: &BusinessCalendar, moments: &[(NaiveDate, u32, u32)], expect: &Expect) {
    let mut out = String::new();
    for &(day, hour, minute) in moments {
        let verdict = match calendar.openness(tokyo(day, hour, minute)) {
            Openness::Open => "open".to_owned(),
            Openness::Closed { because } => format!("closed: {} / {}", because.ja(), because.en()),
        };
        out.push_str(&format!("{day} {hour:02}:{minute:02} {verdict}\n"));
    }
    expect.assert_eq(&out);
}

#[test]
fn an_office_calendar_says_why_it_is_closed() {
    check(
        &office(),
        &[
            (date(2026, 9, 18), 8, 59),  // Friday, before opening
            (date(2026, 9, 18), 9, 0),   // opening minute
            (date(2026, 9, 18), 17, 59), // last minute
            (date(2026, 9, 18), 18, 0),  // closing minute
            (date(2026, 9, 21), 10, 0),  // 敬老の日
            (date(2026, 9, 22), 10, 0),  // 国民の休日
            (date(2026, 9, 24), 10, 0),  // Thursday
            (date(2026, 8, 13), 10, 0),  // summer break
            (date(2026, 12, 28), 10, 0), // last working day
            (date(2026, 12, 29), 10, 0),
            (date(2027, 1, 4), 10, 0),  // 仕事始め
            (date(2027, 3, 22), 10, 0), // 振替休日 of 春分の日
            (date(2026, 12, 5), 10, 0), // Saturday
        ],
        &expect![[r#"
            2026-09-18 08:59 closed: 営業時間外 / outside business hours
            2026-09-18 09:00 open
            2026-09-18 17:59 open
            2026-09-18 18:00 closed: 営業時間外 / outside business hours
            2026-09-21 10:00 closed: 祝日（敬老の日） / national holiday (Respect for the Aged Day)
            2026-09-22 10:00 closed: 祝日（国民の休日） / national holiday (Citizens' holiday)
            2026-09-24 10:00 open
            2026-08-13 10:00 closed: 臨時休業（夏季休業） / closed (夏季休業)
            2026-12-28 10:00 open
            2026-12-29 10:00 closed: 年末年始休業 / year-end closure
            2027-01-04 10:00 open
            2027-03-22 10:00 closed: 祝日（振替休日） / national holiday (Substitute holiday)
            2026-12-05 10:00 closed: 営業時間外 / outside business hours
        "#]],
    );
}

#[test]
fn hours_follow_the_named_zone_with_its_daylight_saving() {
    // New York weekdays 9–17: 9:00 EST is 14:00 UTC in January, 9:00 EDT is 13:00 UTC in July.
    let calendar: BusinessCalendar = serde_json::from_str(
        r#"{"time_zone": "America/New_York", "weekly": [{"day": "wed", "open": "09:00", "close": "17:00"}]}"#,
    )
    .expect("parses");
    let utc = |y, m, d, h| {
        Timestamp(
            u64::try_from(
                chrono::Utc
                    .with_ymd_and_hms(y, m, d, h, 0, 0)
                    .unwrap()
                    .timestamp_millis(),
            )
            .expect("after 1970"),
        )
    };
    assert!(!calendar.is_open(utc(2026, 1, 14, 13)));
    assert!(calendar.is_open(utc(2026, 1, 14, 14)));
    assert!(calendar.is_open(utc(2026, 7, 15, 13)));
}

#[test]
fn calendars_read_and_write_json_and_refuse_what_is_wrong() {
    let json = serde_json::to_string(&office()).expect("serializes");
    expect![[r#"{"time_zone":"Asia/Tokyo","weekly":[{"day":"mon","open":"09:00","close":"18:00"},{"day":"tue","open":"09:00","close":"18:00"},{"day":"wed","open":"09:00","close":"18:00"},{"day":"thu","open":"09:00","close":"18:00"},{"day":"fri","open":"09:00","close":"18:00"}],"closed_on_national_holidays":true,"year_end_closure":true,"closures":[{"from":"2026-08-13","until":"2026-08-14","reason":"夏季休業"}]}"#]]
        .assert_eq(&json);
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).expect("reads back"),
        office()
    );
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>("{}").expect("empty"),
        BusinessCalendar::always_open()
    );

    let refused = |json: &str| match serde_json::from_str::<BusinessCalendar>(json) {
        Ok(calendar) => match calendar.validate() {
            Ok(()) => "valid".to_owned(),
            Err(e) => format!("invalid: {e}"),
        },
        Err(e) => format!("unreadable: {e}"),
    };
    expect!["unreadable: the time zone is not an IANA time zone name such as Asia/Tokyo at line 1 column 22"]
        .assert_eq(&refused(r#"{"time_zone": "JST+9"}"#));
    expect!["unreadable: unknown field `utc_offset_minutes`, expected one of `time_zone`, `weekly`, `closed_on_national_holidays`, `year_end_closure`, `closures` at line 1 column 21"]
        .assert_eq(&refused(r#"{"utc_offset_minutes": 540}"#));
    expect!["invalid: a closure must not end before it starts"].assert_eq(&refused(
        r#"{"closures": [{"from": "2026-08-14", "until": "2026-08-13"}]}"#,
    ));
    expect!["invalid: an opening span must open before it closes"].assert_eq(&refused(
        r#"{"weekly": [{"day": "mon", "open": "18:00", "close": "09:00"}]}"#,
    ));
    expect!["invalid: a closure's reason is longer than 100 characters"].assert_eq(&refused(
        &format!(
            r#"{{"closures": [{{"from": "2026-08-13", "until": "2026-08-13", "reason": "{}"}}]}}"#,
            "休".repeat(101)
        ),
    ));
}

proptest! {
    /// Every supported year: holidays are in date order, distinct, in the year; substitute days
    /// are never Sundays and follow a Sunday holiday; a citizens' holiday sits between two
    /// statutory ones; there are 16 statutory days and one substitute per Sunday among them.
    #[test]
    fn every_year_keeps_the_rules(year in FIRST_YEAR..=LAST_YEAR) {
        let days = national_holidays(year).expect("supported");
        prop_assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        prop_assert!(days.iter().all(|h| h.date.year() == year));
        let statutory = days.iter().filter(|h| !matches!(h.name, HolidayName::Substitute | HolidayName::Citizens)).count();
        prop_assert_eq!(statutory, 16);
        let on_sunday = days.iter().filter(|h| !matches!(h.name, HolidayName::Substitute | HolidayName::Citizens) && h.date.weekday() == ChronoWeekday::Sun).count();
        let substitutes = days.iter().filter(|h| h.name == HolidayName::Substitute).count();
        prop_assert_eq!(substitutes, on_sunday, "one substitute per holiday on a Sunday");
        for h in &days {
            match h.name {
                HolidayName::Substitute => prop_assert_ne!(h.date.weekday(), ChronoWeekday::Sun),
                HolidayName::Citizens => {
                    let before = h.date.pred_opt().and_then(holiday_on);
                    let after = h.date.succ_opt().and_then(holiday_on);
                    prop_assert!(before.is_some() && after.is_some());
                }
                _ => {}
            }
        }
    }

    /// Any moment: an always-open calendar is open; the office calendar never panics and is
    /// closed on every Sunday and every national holiday.
    #[test]
    fn openness_is_total_and_holidays_close(millis in 0u64..4_102_444_800_000) {
        let at = Timestamp(millis);
        prop_assert!(BusinessCalendar::always_open().is_open(at));
        let calendar = office();
        let local = calendar.local(at).date_naive();
        if local.weekday() == ChronoWeekday::Sun || holiday_on(local).is_some() {
            prop_assert!(!calendar.is_open(at));
        }
    }
}
