//! Presence rules as a readable spec: each test is a script of timed inputs and the trace it produces.
//!
//! Script lines are `t=<time> <command>`, times as `0`, `5s`, `1500ms` or `2m`. Commands:
//! `connect c1`, `disconnect c1`, `set available|offline|away <reason>`, `offer i1` (attempt 1) or
//! `offer i1#2`, `ack i1`, `decline i1`, `cancel i1`, `unanswered i1`, `call-connected i1`,
//! `call-ended i1`, `wrap-up-finished`, `timeout`, plus `totals` (time in each status so far) and
//! `restore` (persist as JSON and continue with the restored value). A first line `policy {..}`
//! sets the tenant policy from JSON. Each step prints its outputs (`>`), refusals (`!`) and the
//! state (`=`).
//!
//! This file holds the script runner; the scripts are in `tests/` by subject (connections, offers,
//! calls, statuses the agent chooses, time), the property tests in `tests/proptests.rs`.

mod calls;
mod connections;
mod offers;
mod statuses;
mod time;

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

// Offers.

// Calls and wrap-up.

// Choosing a status.

// Time.

// Persistence and configuration.
