//! Business hours: weekdays and times in the tenant's time zone, and what is refused.

use expect_test::expect;
use tsunagu_core::Timestamp;

use super::T0;
use crate::{BusinessCalendar, ClockTime, OpeningHours, Weekday};

fn weekdays_nine_to_six() -> BusinessCalendar {
    let span = |day| OpeningHours {
        day,
        open: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
        close: ClockTime::new(18, 0).unwrap_or_else(|e| panic!("{e}")),
    };
    BusinessCalendar {
        weekly: Some(
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .map(span)
            .to_vec(),
        ),
        ..Default::default()
    }
}

/// `T0` (Monday 10:00 in Japan) plus `hours`.
fn jst(hours: f64) -> Timestamp {
    Timestamp(T0.0.wrapping_add_signed((hours * 3_600_000.0) as i64))
}

#[test]
fn open_on_weekdays_from_nine_to_six_japan_time() {
    let hours = weekdays_nine_to_six();
    let probes = [
        ("Mon 10:00", 0.0),
        ("Mon 08:59", -1.0 - 1.0 / 60.0),
        ("Mon 09:00", -1.0),
        ("Mon 17:59", 7.0 + 59.0 / 60.0),
        ("Mon 18:00", 8.0),
        ("Sat 10:00", 5.0 * 24.0),
        ("Sun 10:00", 6.0 * 24.0),
        ("Fri 17:00", 4.0 * 24.0 + 7.0),
        ("Tue 00:30 (Mon 15:30 UTC)", 14.5),
    ];
    let table: Vec<String> = probes
        .iter()
        .map(|(label, offset)| format!("{label}: {}", hours.is_open(jst(*offset))))
        .collect();
    expect![[r#"
        [
            "Mon 10:00: true",
            "Mon 08:59: false",
            "Mon 09:00: true",
            "Mon 17:59: true",
            "Mon 18:00: false",
            "Sat 10:00: false",
            "Sun 10:00: false",
            "Fri 17:00: true",
            "Tue 00:30 (Mon 15:30 UTC): false",
        ]
    "#]]
    .assert_debug_eq(&table);
}

#[test]
fn the_default_is_always_open_and_an_empty_week_always_closed() {
    assert!(BusinessCalendar::default().is_open(T0));
    assert!(BusinessCalendar::always_open().is_open(Timestamp(0)));
    let closed = BusinessCalendar {
        weekly: Some(Vec::new()),
        ..Default::default()
    };
    assert!(!closed.is_open(T0));
}

#[test]
fn hours_read_from_tenant_json() {
    let hours: BusinessCalendar = serde_json::from_str(
        r#"{"time_zone": "Asia/Tokyo", "weekly": [{"day": "sat", "open": "10:00", "close": "24:00"}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(hours.is_open(jst(5.0 * 24.0)));
    assert!(hours.is_open(jst(5.0 * 24.0 + 13.99)));
    assert!(!hours.is_open(jst(5.0 * 24.0 + 14.0)));
    expect![[
        r#"{"time_zone":"Asia/Tokyo","weekly":[{"day":"sat","open":"10:00","close":"24:00"}],"closed_on_national_holidays":false,"year_end_closure":false,"closures":[]}"#
    ]]
    .assert_eq(&serde_json::to_string(&hours).unwrap_or_default());
}

#[test]
fn bad_times_and_spans_are_refused() {
    let errors: Vec<String> = ["9:00", "24:01", "12:60", "ab:cd", "", "99:99", "+1:00"]
        .iter()
        .map(
            |raw| match serde_json::from_value::<ClockTime>(serde_json::json!(raw)) {
                Ok(time) => format!("{raw} accepted as {time}"),
                Err(e) => format!("{raw}: {e}"),
            },
        )
        .collect();
    expect![[r#"
        [
            "9:00: a time of day must be written HH:MM, from 00:00 to 24:00",
            "24:01: a time of day must be written HH:MM, from 00:00 to 24:00",
            "12:60: a time of day must be written HH:MM, from 00:00 to 24:00",
            "ab:cd: a time of day must be written HH:MM, from 00:00 to 24:00",
            ": a time of day must be written HH:MM, from 00:00 to 24:00",
            "99:99: a time of day must be written HH:MM, from 00:00 to 24:00",
            "+1:00: a time of day must be written HH:MM, from 00:00 to 24:00",
        ]
    "#]]
    .assert_debug_eq(&errors);
    assert!(ClockTime::new(u16::MAX, 0).is_err());

    let mut config = super::config();
    config.hours.weekly = Some(vec![OpeningHours {
        day: Weekday::Mon,
        open: ClockTime::new(18, 0).unwrap_or_else(|e| panic!("{e}")),
        close: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
    }]);
    expect!["business hours: an opening span must open before it closes"].assert_eq(
        &config
            .validate()
            .map_or_else(|e| e.to_string(), |()| "ok".into()),
    );
    config.hours = serde_json::from_str(
        r#"{"closures": [{"from": "2026-08-14", "until": "2026-08-13", "reason": "夏季休業"}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    expect!["business hours: a closure must not end before it starts"].assert_eq(
        &config
            .validate()
            .map_or_else(|e| e.to_string(), |()| "ok".into()),
    );
    // The time zone is a name, not an offset: a tenant's old `utc_offset_minutes` is refused
    // rather than silently read as Tokyo.
    let offset = serde_json::from_str::<BusinessCalendar>(r#"{"utc_offset_minutes": 540}"#);
    assert!(offset.is_err());
}

#[test]
fn far_times_never_panic() {
    let hours = BusinessCalendar {
        weekly: weekdays_nine_to_six().weekly,
        ..Default::default()
    };
    for at in [0, 1, u64::MAX, u64::MAX / 2, i64::MAX as u64 + 1] {
        let _ = hours.is_open(Timestamp(at));
    }
}

#[test]
fn a_call_on_a_holiday_hears_which_holiday_closed_the_line() {
    use crate::{CallInput, CallPlan, Center, ClosedBecause, HolidayName, Input, Reply};
    let mut config = super::config();
    config.hours = BusinessCalendar {
        closed_on_national_holidays: true,
        ..weekdays_nine_to_six()
    };
    let mut center = Center::new(config).unwrap_or_else(|e| panic!("{e}"));
    // T0 is Monday 2024-04-01 10:00 in Japan; four weeks later is 昭和の日, a Monday.
    let showa_day = jst(28.0 * 24.0);
    let reply = center.handle_input(
        showa_day,
        Input::Call(CallInput::CallArrived {
            arrival: super::arrival("CA1", None, None),
        }),
    );
    let Ok(Reply::Plan(CallPlan::Closed { because, .. })) = reply else {
        panic!("closed was expected, not {reply:?}");
    };
    assert_eq!(
        because,
        Some(ClosedBecause::NationalHoliday {
            holiday: HolidayName::ShowaDay
        })
    );
    // Two Mondays later (05-13; 05-06 is a substitute holiday) is an ordinary working day.
    let reply = center.handle_input(
        jst(42.0 * 24.0),
        Input::Call(CallInput::CallArrived {
            arrival: super::arrival("CA2", None, None),
        }),
    );
    assert!(
        !matches!(reply, Ok(Reply::Plan(CallPlan::Closed { .. }))),
        "{reply:?}"
    );
}
