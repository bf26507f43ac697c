//! Presence scripts about calls: on the call, wrap-up and its end, tabs closing or reopening
//! during a call, and outbound calls from a break.

use super::*;

#[test]
fn answered_offer_goes_on_call_then_wrap_up_then_available_after_30s() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
        t=9s call-connected i1
        t=2m call-ended i1
        t=150s timeout
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
            t=9s call-connected i1
              > reserved for i1#1 -> on call i1 at 9s
              > interval reserved 5s..9s
              = on call i1 | tabs 1 | no timeout
            t=120s call-ended i1
              > on call i1 -> wrap-up of i1 at 120s
              > interval on call 9s..120s
              = wrap-up of i1 | tabs 1 | timeout 150s
            t=150s timeout
              > wrap-up of i1 -> available at 150s
              > interval wrap-up 120s..150s
              = available, idle since 150s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn wrap_up_finished_ends_wrap_up_early() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=10s call-ended i1
        t=15s wrap-up-finished
        t=16s wrap-up-finished
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
            t=10s call-ended i1
              > on call i1 -> wrap-up of i1 at 10s
              > interval on call 1s..10s
              = wrap-up of i1 | tabs 1 | timeout 40s
            t=15s wrap-up-finished
              > wrap-up of i1 -> available at 15s
              > interval wrap-up 10s..15s
              = available, idle since 15s, routable | tabs 1 | no timeout
            t=16s wrap-up-finished
              ! cannot finish wrap-up while available
              = available, idle since 15s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn zero_wrap_up_goes_straight_to_available() {
    check(
        r#"
        policy {"wrap_up": 0}
        t=0 connect c1
        t=1s call-connected i1
        t=10s call-ended i1
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
            t=10s call-ended i1
              > on call i1 -> available at 10s
              > interval on call 1s..10s
              = available, idle since 10s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn call_events_for_another_interaction_are_rejected() {
    check(
        "
        t=0 connect c1
        t=1s offer i1
        t=2s call-connected i2
        t=3s call-connected i1
        t=4s call-connected i2
        t=5s call-ended i2
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s offer i1
              > available -> reserved for i1#1 at 1s
              > interval available 0s..1s
              = reserved for i1#1 | tabs 1 | timeout 4s
            t=2s call-connected i2
              ! cannot connect call i2 while reserved for i1#1
              = reserved for i1#1 | tabs 1 | timeout 4s
            t=3s call-connected i1
              > reserved for i1#1 -> on call i1 at 3s
              > interval reserved 1s..3s
              = on call i1 | tabs 1 | no timeout
            t=4s call-connected i2
              ! cannot connect call i2 while on call i1
              = on call i1 | tabs 1 | no timeout
            t=5s call-ended i2
              ! cannot end call i2 while on call i1: not on that call
              = on call i1 | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn agent_on_call_is_not_dropped_when_tabs_close_and_goes_offline_after_the_call() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=10s disconnect c1
        t=5m timeout
        t=6m call-ended i1
        t=390s timeout
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
            t=300s timeout
              = on call i1 | tabs 0 | no timeout
            t=360s call-ended i1
              > on call i1 -> wrap-up of i1 at 360s
              > interval on call 1s..360s
              = wrap-up of i1 | tabs 0 | timeout 390s
            t=390s timeout
              > wrap-up of i1 -> offline at 390s
              > interval wrap-up 360s..390s
              = offline | tabs 0 | no timeout
        "#]],
    );
}

#[test]
fn reconnecting_during_a_call_keeps_the_agent_after_it() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=10s disconnect c1
        t=12s connect c2
        t=20s call-ended i1
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
            t=12s connect c2
              = on call i1 | tabs 1 | no timeout
            t=20s call-ended i1
              > on call i1 -> wrap-up of i1 at 20s
              > interval on call 1s..20s
              = wrap-up of i1 | tabs 1 | timeout 50s
        "#]],
    );
}

#[test]
fn outbound_call_from_a_break_returns_to_the_break() {
    check(
        "
        t=0 connect c1
        t=1s set away break
        t=2s call-connected i1
        t=10s call-ended i1
        t=40s timeout
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s set away break
              > available -> away (break) at 1s
              > interval available 0s..1s
              = away (break) | tabs 1 | no timeout
            t=2s call-connected i1
              > away (break) -> on call i1 at 2s
              > interval away (break) 1s..2s
              = on call i1, next away (break) | tabs 1 | no timeout
            t=10s call-ended i1
              > on call i1 -> wrap-up of i1 at 10s
              > interval on call 2s..10s
              = wrap-up of i1, next away (break) | tabs 1 | timeout 40s
            t=40s timeout
              > wrap-up of i1 -> away (break) at 40s
              > interval wrap-up 10s..40s
              = away (break) | tabs 1 | no timeout
        "#]],
    );
}
