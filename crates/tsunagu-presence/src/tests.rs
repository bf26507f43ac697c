//! Presence rules as a readable spec: each test is a script of timed inputs and the trace it produces.
//!
//! Script lines are `t=<time> <command>`, times as `0`, `5s`, `1500ms` or `2m`. Commands:
//! `connect c1`, `disconnect c1`, `set available|offline|away <reason>`, `offer i1` (attempt 1) or
//! `offer i1#2`, `ack i1`, `decline i1`, `cancel i1`, `unanswered i1`, `call-connected i1`,
//! `call-ended i1`, `wrap-up-finished`, `timeout`, plus `totals` (time in each status so far) and
//! `restore` (persist as JSON and continue with the restored value). A first line `policy {..}`
//! sets the tenant policy from JSON. Each step prints its outputs (`>`), refusals (`!`) and the
//! state (`=`).

mod proptests;

use std::fmt::Write as _;

use expect_test::{Expect, expect};
use tsunagu_core::{InteractionId, Millis, Timestamp};

use crate::{
    AwayReason, ConnectionId, Input, OfferId, Output, Presence, PresencePolicy, RequestedStatus,
};

fn interaction(name: &str) -> InteractionId {
    InteractionId::new(name).expect("script interaction ids are valid")
}

fn parse_time(raw: &str) -> Timestamp {
    let number = |digits: &str| digits.parse::<u64>().expect("script time is a number");
    Timestamp(if let Some(ms) = raw.strip_suffix("ms") {
        number(ms)
    } else if let Some(secs) = raw.strip_suffix('s') {
        number(secs) * 1000
    } else if let Some(mins) = raw.strip_suffix('m') {
        number(mins) * 60_000
    } else {
        number(raw)
    })
}

fn parse_offer(raw: &str) -> OfferId {
    let (name, attempt) = raw.split_once('#').unwrap_or((raw, "1"));
    OfferId {
        interaction: interaction(name),
        attempt: attempt.parse().expect("script attempt is a number"),
    }
}

fn parse_connection(raw: &str) -> ConnectionId {
    let number = raw.strip_prefix('c').expect("script connections are c<n>");
    ConnectionId(number.parse().expect("script connection is c<number>"))
}

fn parse_reason(raw: &str) -> AwayReason {
    AwayReason::ALL
        .into_iter()
        .find(|reason| reason.as_str() == raw)
        .expect("script away reason is known")
}

fn parse_input(command: &str) -> Input {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["connect", c] => Input::Connected(parse_connection(c)),
        ["disconnect", c] => Input::Disconnected(parse_connection(c)),
        ["set", "available"] => Input::SetStatus(RequestedStatus::Available),
        ["set", "offline"] => Input::SetStatus(RequestedStatus::Offline),
        ["set", "away", reason] => Input::SetStatus(RequestedStatus::Away(parse_reason(reason))),
        ["offer", o] => Input::Offer(parse_offer(o)),
        ["ack", o] => Input::OfferAcknowledged(parse_offer(o)),
        ["decline", o] => Input::OfferDeclined(parse_offer(o)),
        ["cancel", o] => Input::OfferCancelled(parse_offer(o)),
        ["unanswered", o] => Input::OfferUnanswered(parse_offer(o)),
        ["call-connected", i] => Input::CallConnected(interaction(i)),
        ["call-ended", i] => Input::CallEnded(interaction(i)),
        ["wrap-up-finished"] => Input::WrapUpFinished,
        _ => panic!("unknown script command: {command}"),
    }
}

fn at(time: Timestamp) -> Millis {
    Millis(time.0)
}

fn describe_output(output: &Output) -> String {
    match output {
        Output::StatusChanged { from, to, at: when } => {
            format!("{from} -> {to} at {}", at(*when))
        }
        Output::IntervalClosed(interval) => format!(
            "interval {} {}..{}",
            interval.status_kind,
            at(interval.start),
            at(interval.end)
        ),
        Output::OfferLost { offer, reason } => format!("offer lost {offer}: {reason}"),
    }
}

fn describe_state(presence: &Presence) -> String {
    let mut line = format!("= {}", presence.status());
    if let Some(idle_since) = presence.idle_since() {
        let _ = write!(line, ", idle since {}", at(idle_since));
    }
    if presence.is_routable() {
        line.push_str(", routable");
    }
    if let Some(next) = presence.next_status() {
        let _ = write!(line, ", next {next}");
    }
    let _ = write!(line, " | tabs {}", presence.connection_count());
    match presence.poll_timeout() {
        Some(timeout) => {
            let _ = write!(line, " | timeout {}", at(timeout));
        }
        None => line.push_str(" | no timeout"),
    }
    line
}

fn run(script: &str) -> String {
    let mut lines = script.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut lines = lines.by_ref().peekable();
    let policy = match lines.peek().and_then(|l| l.strip_prefix("policy ")) {
        Some(json) => {
            lines.next();
            serde_json::from_str(json).expect("script policy is valid JSON")
        }
        None => PresencePolicy::default(),
    };
    let mut presence = Presence::new(Timestamp(0), policy);
    let mut trace = String::new();
    for line in lines {
        let (time, command) = line
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(' '))
            .expect("script lines are `t=<time> <command>`");
        let now = parse_time(time);
        let _ = writeln!(trace, "t={} {command}", at(now));
        let mut rejected = None;
        match command {
            "timeout" => presence.handle_timeout(now),
            "restore" => {
                let json = serde_json::to_string(&presence).expect("presence serializes");
                presence = serde_json::from_str(&json).expect("presence deserializes");
            }
            "totals" => {
                let totals = presence.time_in_status(now);
                let parts: Vec<String> = totals
                    .iter()
                    .map(|(kind, spent)| format!("{kind} {spent}"))
                    .collect();
                let sum = totals.values().fold(Millis(0), |sum, spent| sum + *spent);
                let _ = writeln!(trace, "  totals: {} (sum {sum})", parts.join(", "));
            }
            _ => rejected = presence.handle_input(now, parse_input(command)).err(),
        }
        // Outputs first: any of them come from deadlines applied before the input.
        while let Some(output) = presence.poll_output() {
            let _ = writeln!(trace, "  > {}", describe_output(&output));
        }
        if let Some(rejected) = rejected {
            let _ = writeln!(trace, "  ! {rejected}");
        }
        let _ = writeln!(trace, "  {}", describe_state(&presence));
    }
    trace
}

#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as check(script, expect![..]) without a `&`"
)]
fn check(script: &str, expect: Expect) {
    expect.assert_eq(&run(script));
}

// Logging in and connections.

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

// Offers.

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

// Calls and wrap-up.

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

// Choosing a status.

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

// Time.

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

// Persistence and configuration.

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
