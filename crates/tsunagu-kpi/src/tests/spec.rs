//! Hand-computed KPI reports over `day_of_calls` (numbers worked out in the comments).

use expect_test::{Expect, expect};

use super::*;
use crate::{GroupBy, KpiConfig, KpiConfigError, compute};

#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as check(group_by, expect![..]) without a `&`"
)]
fn check(group_by: GroupBy, expect: Expect) {
    let report = compute(
        &day_of_calls(),
        &day_of_presence(),
        group_by,
        &KpiConfig::default(),
    );
    expect.assert_eq(&render(&report));
}

#[test]
fn whole_day() {
    // Offered inbound: 1 2 3 4 5 8. Answered 1 2 5; 3 is a short abandon (3 s < 5 s); 4 abandoned;
    // 8 fell back. Abandonment 1 / (6 - 1). ASA (10 + 30 + 5) / 3 = 15 s. Within 20 s: 1 and 5,
    // so SL 2 / (3 + 1) and 2 / 3 of answered. Handled 1 2 5 and outbound 6:
    // (170 + 80 + 40 + 60) / 4 = 87.5 s. Occupancy (400 + 100) / (1000 + 500). FCR: 1 is followed
    // by 5 within 7 days, 2 and 5 are not: 2 / 3. Reach 6 of 6 and 7.
    check(
        GroupBy::All,
        expect![[r#"
            all: offered=6 answered=3 abandoned=1 short=1 fallback=1 within=2 in_progress=1
              abandonment=0.200 asa=15s sl=0.500 sl_of_answered=0.667 aht=87500ms (350s/4)
              occupancy=0.333 (500s/1500s) fcr=0.667 (2/3) reach=0.500 (1/2)
        "#]],
    );
}

#[test]
fn per_agent() {
    // sato: offered 1 4 5, answered 1 and 5 (10 s, 5 s), abandoned on his ring: 4.
    //   Abandonment 1 / 3; SL 2 / (2 + 1); AHT (170 + 40) / 2; FCR 1 of 2 (5);
    //   occupancy 400 / 1000; still ringing on 9.
    // suzuki: offered 2, answered after 30 s; handled 2 and 6: (80 + 60) / 2; placed 6 and 7.
    // takahashi: offered 3 4 8; 3 is a short abandon on his ring, 4 was abandoned on sato's.
    check(
        GroupBy::Agent,
        expect![[r#"
            agent sato: offered=3 answered=2 abandoned=1 short=0 fallback=0 within=2 in_progress=1
              abandonment=0.333 asa=7500ms sl=0.667 sl_of_answered=1.000 aht=105s (210s/2)
              occupancy=0.400 (400s/1000s) fcr=0.500 (1/2) reach=- (0/0)
            agent suzuki: offered=1 answered=1 abandoned=0 short=0 fallback=0 within=0 in_progress=0
              abandonment=0.000 asa=30s sl=0.000 sl_of_answered=0.000 aht=70s (140s/2)
              occupancy=0.200 (100s/500s) fcr=1.000 (1/1) reach=0.500 (1/2)
            agent takahashi: offered=3 answered=0 abandoned=0 short=1 fallback=0 within=0 in_progress=0
              abandonment=0.000 asa=- sl=- sl_of_answered=- aht=- (0s/0)
              occupancy=- (0s/0s) fcr=- (0/0) reach=- (0/0)
        "#]],
    );
}

#[test]
fn per_team() {
    // east: 1 3 4 5 8, and 9 through sato's presence team. west: 2, and 6 and 7 (no team of
    // their own) through suzuki's.
    check(
        GroupBy::Team,
        expect![[r#"
            team east: offered=5 answered=2 abandoned=1 short=1 fallback=1 within=2 in_progress=1
              abandonment=0.250 asa=7500ms sl=0.667 sl_of_answered=1.000 aht=105s (210s/2)
              occupancy=0.400 (400s/1000s) fcr=0.500 (1/2) reach=- (0/0)
            team west: offered=1 answered=1 abandoned=0 short=0 fallback=0 within=0 in_progress=0
              abandonment=0.000 asa=30s sl=0.000 sl_of_answered=0.000 aht=70s (140s/2)
              occupancy=0.200 (100s/500s) fcr=1.000 (1/1) reach=0.500 (1/2)
        "#]],
    );
}

#[test]
fn per_queue() {
    // support: 1 2 3; sales: 4; the rest waited in no queue. Queues have no occupancy.
    check(
        GroupBy::Queue,
        expect![[r#"
            queue sales: offered=1 answered=0 abandoned=1 short=0 fallback=0 within=0 in_progress=0
              abandonment=1.000 asa=- sl=0.000 sl_of_answered=- aht=- (0s/0)
              occupancy=- (0s/0s) fcr=- (0/0) reach=- (0/0)
            queue support: offered=3 answered=2 abandoned=0 short=1 fallback=0 within=1 in_progress=0
              abandonment=0.000 asa=20s sl=0.500 sl_of_answered=0.500 aht=125s (250s/2)
              occupancy=- (0s/0s) fcr=0.500 (1/2) reach=- (0/0)
            unassigned: offered=2 answered=1 abandoned=0 short=0 fallback=1 within=1 in_progress=1
              abandonment=0.000 asa=5s sl=1.000 sl_of_answered=1.000 aht=50s (100s/2)
              occupancy=- (0s/0s) fcr=1.000 (1/1) reach=0.500 (1/2)
        "#]],
    );
}

#[test]
fn per_day_in_japan_time() {
    // 2026-04-01: 1 2 3 4 8 inbound, 6 7 outbound, 9 open. AHT (170 + 80 + 60) / 3.
    // 2026-04-03: call 5 alone; nobody's presence was recorded that day.
    check(
        GroupBy::Day,
        expect![[r#"
            2026-04-01: offered=5 answered=2 abandoned=1 short=1 fallback=1 within=1 in_progress=1
              abandonment=0.250 asa=20s sl=0.333 sl_of_answered=0.500 aht=103333ms (310s/3)
              occupancy=0.333 (500s/1500s) fcr=0.500 (1/2) reach=0.500 (1/2)
            2026-04-03: offered=1 answered=1 abandoned=0 short=0 fallback=0 within=1 in_progress=0
              abandonment=0.000 asa=5s sl=1.000 sl_of_answered=1.000 aht=40s (40s/1)
              occupancy=- (0s/0s) fcr=1.000 (1/1) reach=- (0/0)
        "#]],
    );
}

#[test]
fn per_hour_in_japan_time() {
    // 09:00 holds 1 2 3 and, of presence, sato's call and wrap-up (400 s, all busy) and suzuki's
    // 500 s (100 busy): 500 / 900. sato's 08:50 availability falls in an hour without calls,
    // which has no row.
    check(
        GroupBy::Hour,
        expect![[r#"
            2026-04-01 09:00: offered=3 answered=2 abandoned=0 short=1 fallback=0 within=1 in_progress=0
              abandonment=0.000 asa=20s sl=0.500 sl_of_answered=0.500 aht=125s (250s/2)
              occupancy=0.556 (500s/900s) fcr=0.500 (1/2) reach=- (0/0)
            2026-04-01 10:00: offered=1 answered=0 abandoned=1 short=0 fallback=0 within=0 in_progress=0
              abandonment=1.000 asa=- sl=0.000 sl_of_answered=- aht=- (0s/0)
              occupancy=- (0s/0s) fcr=- (0/0) reach=- (0/0)
            2026-04-01 11:00: offered=0 answered=0 abandoned=0 short=0 fallback=0 within=0 in_progress=0
              abandonment=- asa=- sl=- sl_of_answered=- aht=60s (60s/1)
              occupancy=- (0s/0s) fcr=- (0/0) reach=0.500 (1/2)
            2026-04-01 12:00: offered=1 answered=0 abandoned=0 short=0 fallback=1 within=0 in_progress=0
              abandonment=0.000 asa=- sl=- sl_of_answered=- aht=- (0s/0)
              occupancy=- (0s/0s) fcr=- (0/0) reach=- (0/0)
            2026-04-01 13:00: offered=0 answered=0 abandoned=0 short=0 fallback=0 within=0 in_progress=1
              abandonment=- asa=- sl=- sl_of_answered=- aht=- (0s/0)
              occupancy=- (0s/0s) fcr=- (0/0) reach=- (0/0)
            2026-04-03 10:00: offered=1 answered=1 abandoned=0 short=0 fallback=0 within=1 in_progress=0
              abandonment=0.000 asa=5s sl=1.000 sl_of_answered=1.000 aht=40s (40s/1)
              occupancy=- (0s/0s) fcr=1.000 (1/1) reach=- (0/0)
        "#]],
    );
}

#[test]
fn presence_across_an_hour_boundary_is_split() {
    // Available 09:30-10:30, on a call 10:30-10:45: 1800 s to 09:00; 1800 + 900 s to 10:00.
    let calls = vec![
        inbound("c1", "alice", jst(0, 9, 40, 0))
            .answered("sato", 4, (60, 0, 0))
            .done(),
        inbound("c2", "bob", jst(0, 10, 31, 0))
            .answered("sato", 4, (60, 0, 0))
            .done(),
    ];
    let presence = vec![
        super::presence(
            "sato",
            "east",
            PresenceState::Available,
            jst(0, 9, 30, 0),
            3600,
        ),
        super::presence(
            "sato",
            "east",
            PresenceState::OnCall,
            jst(0, 10, 30, 0),
            900,
        ),
    ];
    let report = compute(&calls, &presence, GroupBy::Hour, &KpiConfig::default());
    let occupancy: Vec<String> = report
        .rows
        .iter()
        .map(|row| format!("{}: {}/{}", row.key, row.busy_time, row.staffed_time))
        .collect();
    expect![[r#"["2026-04-01 09:00: 0s/1800s", "2026-04-01 10:00: 900s/2700s"]"#]]
        .assert_eq(&format!("{occupancy:?}"));
}

#[test]
fn thresholds_come_from_the_config() {
    // With 30 s for service level and 2 s for short abandons, suzuki's answer on call 2 counts
    // as in time and Carol's 3 s hang-up becomes a real abandon: SL 3 / (3 + 2).
    let config = KpiConfig {
        service_level_threshold: Millis::from_secs(30),
        short_abandon_threshold: Millis::from_secs(2),
        fcr_window_days: 1,
        utc_offset_minutes: 0,
    };
    let report = compute(&day_of_calls(), &day_of_presence(), GroupBy::All, &config);
    expect![[r#"
        all: offered=6 answered=3 abandoned=2 short=0 fallback=1 within=3 in_progress=1
          abandonment=0.333 asa=15s sl=0.600 sl_of_answered=1.000 aht=87500ms (350s/4)
          occupancy=0.333 (500s/1500s) fcr=1.000 (3/3) reach=0.500 (1/2)
    "#]]
    .assert_eq(&render(&report));
    // In UTC the first calls (09:00 JST = 00:00 UTC) and the rest still share one day.
    let days = compute(&day_of_calls(), &[], GroupBy::Day, &config);
    let keys: Vec<String> = days.rows.iter().map(|row| row.key.to_string()).collect();
    expect![[r#"["2026-04-01", "2026-04-03"]"#]].assert_eq(&format!("{keys:?}"));
    let late_evening = KpiConfig {
        utc_offset_minutes: -10 * 60,
        ..config
    };
    let days = compute(&day_of_calls(), &[], GroupBy::Day, &late_evening);
    let keys: Vec<String> = days.rows.iter().map(|row| row.key.to_string()).collect();
    expect![[r#"["2026-03-31", "2026-04-02"]"#]].assert_eq(&format!("{keys:?}"));
}

#[test]
fn first_contact_resolution_looks_across_channels() {
    // Alice chats on day 0, then phones on day 3: the chat was not resolved within 7 days, and
    // with a 2-day window it was. The call itself is resolved either way.
    let calls = vec![
        inbound("chat1", "alice", jst(0, 9, 0, 0))
            .channel(Channel::Chat)
            .answered("sato", 60, (300, 0, 0))
            .done(),
        inbound("call1", "alice", jst(3, 9, 0, 0))
            .answered("suzuki", 5, (60, 0, 0))
            .done(),
    ];
    let fcr = |days| {
        let config = KpiConfig {
            fcr_window_days: days,
            ..KpiConfig::default()
        };
        let report = compute(&calls, &[], GroupBy::Agent, &config);
        report
            .rows
            .iter()
            .map(|row| {
                format!(
                    "{} {}/{}",
                    row.key, row.resolved_first_contact, row.fcr_eligible
                )
            })
            .collect::<Vec<_>>()
    };
    expect![[r#"["agent sato 0/1", "agent suzuki 1/1"]"#]].assert_eq(&format!("{:?}", fcr(7)));
    expect![[r#"["agent sato 1/1", "agent suzuki 1/1"]"#]].assert_eq(&format!("{:?}", fcr(2)));
}

#[test]
fn empty_input_gives_an_empty_report() {
    let report = compute(&[], &[], GroupBy::All, &KpiConfig::default());
    assert!(report.rows.is_empty());
}

#[test]
fn config_validation_catches_typos() {
    let results: Vec<Result<(), KpiConfigError>> = [
        KpiConfig::default(),
        KpiConfig {
            utc_offset_minutes: 9 * 60 * 60,
            ..KpiConfig::default()
        },
        KpiConfig {
            fcr_window_days: 0,
            ..KpiConfig::default()
        },
    ]
    .iter()
    .map(KpiConfig::validate)
    .collect();
    expect![[r#"[Ok(()), Err(UtcOffsetOutOfRange { minutes: 32400 }), Err(EmptyFcrWindow)]"#]]
        .assert_eq(&format!("{results:?}"));
}

#[test]
fn reports_serialize_for_the_worker() {
    let report = compute(
        &day_of_calls(),
        &day_of_presence(),
        GroupBy::Agent,
        &KpiConfig::default(),
    );
    let json = serde_json::to_string(&report).expect("serializes");
    let back: KpiReport = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, report);
    assert!(json.contains(r#""key":{"agent":"sato"}"#), "{json}");
}
