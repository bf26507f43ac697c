//! Presence scripts about statuses the agent chooses: away and back, a status chosen on a call
//! or during wrap-up, and one refused while ringing.

use super::*;

#[test]
fn agent_sets_away_and_back_to_available() {
    check(
        "
        t=0 connect c1
        t=1m set away training
        t=2m set away training
        t=3m set available
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=60s set away training
              > available -> away (training) at 60s
              > interval available 0s..60s
              = away (training) | tabs 1 | no timeout
            t=120s set away training
              = away (training) | tabs 1 | no timeout
            t=180s set available
              > away (training) -> available at 180s
              > interval away (training) 60s..180s
              = available, idle since 180s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn status_chosen_on_call_is_taken_after_wrap_up() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=5s set away lunch
        t=10s call-ended i1
        t=12s wrap-up-finished
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
            t=5s set away lunch
              = on call i1, next away (lunch) | tabs 1 | no timeout
            t=10s call-ended i1
              > on call i1 -> wrap-up of i1 at 10s
              > interval on call 1s..10s
              = wrap-up of i1, next away (lunch) | tabs 1 | timeout 40s
            t=12s wrap-up-finished
              > wrap-up of i1 -> away (lunch) at 12s
              > interval wrap-up 10s..12s
              = away (lunch) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn setting_a_status_during_wrap_up_ends_it() {
    check(
        "
        t=0 connect c1
        t=1s call-connected i1
        t=10s call-ended i1
        t=12s set away break
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
            t=12s set away break
              > wrap-up of i1 -> away (break) at 12s
              > interval wrap-up 10s..12s
              = away (break) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn setting_a_status_while_ringing_is_rejected() {
    check(
        "
        t=0 connect c1
        t=1s offer i1
        t=2s set away break
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
            t=2s set away break
              ! cannot set status away (break) while reserved for i1#1: answer or decline the offer first
              = reserved for i1#1 | tabs 1 | timeout 4s
        "#]],
    );
}
