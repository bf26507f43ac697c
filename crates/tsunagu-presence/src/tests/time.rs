//! Presence scripts about time: late and spurious alarms, deadlines in their order, time in
//! status, a restored snapshot's deadlines, and the policy's JSON defaults.

use super::*;

#[test]
fn late_alarm_applies_each_deadline_at_its_own_time() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=10s disconnect c1
        t=20s call-ended i1
        t=5m timeout
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s call-connected i1
              > available -> on call i1 at 1s
              > interval available 0s..1s
              = on call i1 | tabs 1 | no timeout
            t=10s disconnect c1
              = on call i1 | tabs 0 | no timeout
            t=20s call-ended i1
              > on call i1 -> wrap-up of i1 at 20s
              > interval on call 1s..20s
              = wrap-up of i1 | tabs 0 | timeout 50s
            t=300s timeout
              > wrap-up of i1 -> offline at 50s
              > interval wrap-up 20s..50s
              = offline | tabs 0 | no timeout
        "#]],
    );
}

#[test]
fn wrap_up_ends_before_the_grace_when_the_grace_is_longer() {
    check(
        r#"
        policy {"disconnect_grace": 60000}
        t=0 connect c1
        t=1s call-connected i1
        t=10s disconnect c1
        t=20s call-ended i1
        t=5m timeout
        "#,
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s call-connected i1
              > available -> on call i1 at 1s
              > interval available 0s..1s
              = on call i1 | tabs 1 | no timeout
            t=10s disconnect c1
              = on call i1 | tabs 0 | no timeout
            t=20s call-ended i1
              > on call i1 -> wrap-up of i1 at 20s
              > interval on call 1s..20s
              = wrap-up of i1 | tabs 0 | timeout 50s
            t=300s timeout
              > wrap-up of i1 -> available at 50s
              > interval wrap-up 20s..50s
              > available -> offline at 80s
              > interval available 50s..80s
              = offline | tabs 0 | no timeout
        "#]],
    );
}

#[test]
fn spurious_and_backwards_timeouts_change_nothing() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s timeout
        t=2s timeout
        t=7s ack i1
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=5s offer i1
              > available -> reserved for i1#1 at 5s
              > interval available 0s..5s
              = reserved for i1#1 | tabs 1 | timeout 8s
            t=6s timeout
              = reserved for i1#1 | tabs 1 | timeout 8s
            t=2s timeout
              = reserved for i1#1 | tabs 1 | timeout 8s
            t=7s ack i1
              = reserved for i1#1 | tabs 1 | timeout 20s
        "#]],
    );
}

#[test]
fn time_in_status_sums_to_time_since_creation() {
    check(
        "
        t=10s connect c1
        t=1m set away break
        t=75s set available
        t=80s offer i1
        t=82s call-connected i1
        t=2m totals
        ",
        expect![[r#"
            t=10s connect c1
              > offline -> available at 10s
              > interval offline 0s..10s
              = available, idle since 10s, routable | tabs 1 | no timeout
            t=60s set away break
              > available -> away (break) at 60s
              > interval available 10s..60s
              = away (break) | tabs 1 | no timeout
            t=75s set available
              > away (break) -> available at 75s
              > interval away (break) 60s..75s
              = available, idle since 75s, routable | tabs 1 | no timeout
            t=80s offer i1
              > available -> reserved for i1#1 at 80s
              > interval available 75s..80s
              = reserved for i1#1 | tabs 1 | timeout 83s
            t=82s call-connected i1
              > reserved for i1#1 -> on call i1 at 82s
              > interval reserved 80s..82s
              = on call i1 | tabs 1 | no timeout
            t=120s totals
              totals: offline 10s, available 55s, away (break) 15s, reserved 2s, on call 38s (sum 120s)
              = on call i1 | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn restored_snapshot_keeps_the_ring_and_its_deadlines() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
        t=7s restore
        t=20s timeout
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=5s offer i1
              > available -> reserved for i1#1 at 5s
              > interval available 0s..5s
              = reserved for i1#1 | tabs 1 | timeout 8s
            t=6s ack i1
              = reserved for i1#1 | tabs 1 | timeout 20s
            t=7s restore
              = reserved for i1#1 | tabs 1 | timeout 20s
            t=20s timeout
              > reserved for i1#1 -> away (no_answer) at 20s
              > interval reserved 5s..20s
              > offer lost i1#1: no answer
              = away (no_answer) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn policy_json_fills_missing_fields_with_defaults() {
    let policy: PresencePolicy =
        serde_json::from_str(r#"{"wrap_up": 60000}"#).expect("partial policy parses");
    expect![[r#"
        PresencePolicy {
            status_on_login: Available,
            disconnect_grace: Millis(
                30000,
            ),
            offer_ack_timeout: Millis(
                3000,
            ),
            ring_no_answer: Millis(
                15000,
            ),
            status_after_missed_offer: Away(
                MissedOffer,
            ),
            status_after_no_answer: Away(
                NoAnswer,
            ),
            status_after_decline: Available,
            wrap_up: Millis(
                60000,
            ),
        }
    "#]]
    .assert_debug_eq(&policy);
}
