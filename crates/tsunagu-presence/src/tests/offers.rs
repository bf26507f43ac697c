//! Presence scripts about offers: reservation until acknowledged, missed and unanswered offers,
//! declines, cancels, and offers that must be refused.

use super::*;

#[test]
fn offer_reserves_available_agent_until_acknowledged() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
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
        "#]],
    );
}

#[test]
fn unacknowledged_offer_sets_missed_offer_after_3s() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=8s timeout
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
            t=8s timeout
              > reserved for i1#1 -> away (missed_offer) at 8s
              > interval reserved 5s..8s
              > offer lost i1#1: not acknowledged
              = away (missed_offer) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn acknowledgement_after_the_deadline_is_too_late_even_before_the_alarm() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=9s ack i1
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
            t=9s ack i1
              > reserved for i1#1 -> away (missed_offer) at 8s
              > interval reserved 5s..8s
              > offer lost i1#1: not acknowledged
              ! cannot acknowledge offer i1#1 while away (missed_offer): that offer is not ringing
              = away (missed_offer) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn acknowledged_offer_unanswered_sets_no_answer_after_15s() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
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
            t=20s timeout
              > reserved for i1#1 -> away (no_answer) at 20s
              > interval reserved 5s..20s
              > offer lost i1#1: no answer
              = away (no_answer) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn offer_reported_unanswered_by_the_phone_is_lost_like_a_ring_timeout() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
        t=10s unanswered i1#2
        t=10s unanswered i1
        t=11s unanswered i1
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
            t=10s unanswered i1#2
              ! cannot report offer i1#2 unanswered while reserved for i1#1: that offer is not ringing
              = reserved for i1#1 | tabs 1 | timeout 20s
            t=10s unanswered i1
              > reserved for i1#1 -> away (no_answer) at 10s
              > interval reserved 5s..10s
              > offer lost i1#1: no answer
              = away (no_answer) | tabs 1 | no timeout
            t=11s unanswered i1
              ! cannot report offer i1#1 unanswered while away (no_answer): that offer is not ringing
              = away (no_answer) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn declined_offer_is_lost_and_agent_is_available_at_the_back_of_the_line() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
        t=7s decline i1
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
            t=7s decline i1
              > reserved for i1#1 -> available at 7s
              > interval reserved 5s..7s
              > offer lost i1#1: declined
              = available, idle since 7s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn policy_can_send_decliners_away() {
    check(
        r#"
        policy {"status_after_decline": {"away": "other"}}
        t=0 connect c1
        t=5s offer i1
        t=7s decline i1
        "#,
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=5s offer i1
              > available -> reserved for i1#1 at 5s
              > interval available 0s..5s
              = reserved for i1#1 | tabs 1 | timeout 8s
            t=7s decline i1
              > reserved for i1#1 -> away (other) at 7s
              > interval reserved 5s..7s
              > offer lost i1#1: declined
              = away (other) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn cancelled_offer_returns_to_available_keeping_idle_time() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s ack i1
        t=9s cancel i1
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
            t=9s cancel i1
              > reserved for i1#1 -> available at 9s
              > interval reserved 5s..9s
              = available, idle since 0s, routable | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn closing_last_tab_while_ringing_loses_the_offer_at_once() {
    check(
        "
        t=0 connect c1
        t=5s offer i1
        t=6s disconnect c1
        t=36s timeout
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
            t=6s disconnect c1
              > reserved for i1#1 -> available at 6s
              > interval reserved 5s..6s
              > offer lost i1#1: agent disconnected
              = available, idle since 0s | tabs 0 | timeout 36s
            t=36s timeout
              > available -> offline at 36s
              > interval available 6s..36s
              = offline | tabs 0 | no timeout
        "#]],
    );
}

#[test]
fn agent_in_grace_period_is_not_offered_work() {
    check(
        "
        t=0 connect c1
        t=1s disconnect c1
        t=2s offer i1
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s disconnect c1
              = available, idle since 0s | tabs 0 | timeout 31s
            t=2s offer i1
              ! cannot offer i1#1: the agent has no open widget to ring
              = available, idle since 0s | tabs 0 | timeout 31s
        "#]],
    );
}

#[test]
fn offer_while_away_or_already_ringing_is_rejected() {
    check(
        "
        t=0 connect c1
        t=1s offer i1
        t=2s offer i2
        t=3s cancel i1
        t=4s set away meeting
        t=5s offer i2
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
            t=2s offer i2
              ! cannot offer i2#1 while reserved for i1#1: only an available agent can be offered work
              = reserved for i1#1 | tabs 1 | timeout 4s
            t=3s cancel i1
              > reserved for i1#1 -> available at 3s
              > interval reserved 1s..3s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=4s set away meeting
              > available -> away (meeting) at 4s
              > interval available 3s..4s
              = away (meeting) | tabs 1 | no timeout
            t=5s offer i2
              ! cannot offer i2#1 while away (meeting): only an available agent can be offered work
              = away (meeting) | tabs 1 | no timeout
        "#]],
    );
}

#[test]
fn answers_about_an_earlier_ring_of_the_same_call_are_rejected() {
    check(
        "
        t=0 connect c1
        t=1s offer i1#2
        t=2s ack i1#1
        t=2s decline i1#1
        t=2s cancel i9#2
        ",
        expect![[r#"
            t=0s connect c1
              > offline -> available at 0s
              > interval offline 0s..0s
              = available, idle since 0s, routable | tabs 1 | no timeout
            t=1s offer i1#2
              > available -> reserved for i1#2 at 1s
              > interval available 0s..1s
              = reserved for i1#2 | tabs 1 | timeout 4s
            t=2s ack i1#1
              ! cannot acknowledge offer i1#1 while reserved for i1#2: that offer is not ringing
              = reserved for i1#2 | tabs 1 | timeout 4s
            t=2s decline i1#1
              ! cannot decline offer i1#1 while reserved for i1#2: that offer is not ringing
              = reserved for i1#2 | tabs 1 | timeout 4s
            t=2s cancel i9#2
              ! cannot cancel offer i9#2 while reserved for i1#2: that offer is not ringing
              = reserved for i1#2 | tabs 1 | timeout 4s
        "#]],
    );
}
