//! Presence scripts about sockets: signing in by opening a tab, more tabs, the disconnect grace,
//! reloads, and connections opened twice or closed unknown.

use super::*;

#[test]
fn first_connection_logs_agent_in_as_available() {
    check(
        "t=0 connect c1",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn policy_can_log_agents_in_on_break() {
    check(
        r#"
        policy {"status_on_login": {"away": "break"}}
        t=1s connect c1
        "#,
        expect![[r#"
            t=1s connect c1
              > offline -> away (break) at 1s
              > interval offline 0s..1s
              = away (break) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn second_tab_changes_nothing() {
    check(
        "
        t=0 connect c1
        t=2s connect c2
        t=3s disconnect c1
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=2s connect c2
              = available, idle since 0s, routable | tabs 2 | no timeout
            t=3s disconnect c1
              = available, idle since 0s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn closing_last_tab_goes_offline_after_30s_grace() {
    check(
        "
        t=0 connect c1
        t=10s disconnect c1
        t=39s timeout
        t=40s timeout
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=10s disconnect c1
              = available, idle since 0s | tabs 0 | timeout 40s
            t=39s timeout
              = available, idle since 0s | tabs 0 | timeout 40s
            t=40s timeout
              > available -> offline at 40s
              > interval available 0s..40s
              = offline | tabs 0 | no timeout
        "#]],
    );
}

#[test]
fn reload_within_grace_keeps_agent_available() {
    check(
        "
        t=0 connect c1
        t=10s disconnect c1
        t=12s connect c2
        t=60s timeout
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=10s disconnect c1
              = available, idle since 0s | tabs 0 | timeout 40s
            t=12s connect c2
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=60s timeout
              = available, idle since 0s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn away_agent_keeps_reason_across_reload() {
    check(
        "
        t=0 connect c1
        t=1s set away lunch
        t=2s disconnect c1
        t=4s connect c2
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s set away lunch
              > available -> away (lunch) at 1s
              > interval available 0s..1s
              = away (lunch) | tabs 1 | no timeout
            t=2s disconnect c1
              = away (lunch) | tabs 0 | timeout 32s
            t=4s connect c2
              = away (lunch) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn agent_who_signed_off_stays_offline_when_opening_another_tab() {
    check(
        "
        t=0 connect c1
        t=1s set offline
        t=2s connect c2
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s set offline
              > available -> offline at 1s
              > interval available 0s..1s
              = offline | tabs 1 | no timeout
            t=2s connect c2
              = offline | tabs 2 | no timeout
        "#]],
    );
}

#[test]
fn connections_opened_twice_or_closed_unknown_are_rejected() {
    check(
        "
        t=0 connect c1
        t=1s connect c1
        t=2s disconnect c7
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s connect c1
              ! connection 1 is already open
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=2s disconnect c7
              ! connection 7 is not open
              = available, idle since 0s, routable | tabs 1 | no timeout
        "#]],
    );
}
