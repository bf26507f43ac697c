//! A tiny script language for interaction scenarios, and the `check` helper that prints the trace.
//!
//! ```text
//! t=0 arrive voice customer=c1
//! t=2s offer sato step=0
//! t=5s no-answer sato
//! t=1m transfer sato to=team:support
//! ```

use std::fmt::Write as _;

use expect_test::Expect;
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Millis, TeamId, Timestamp};

use crate::{Event, ExternalNumber, Interaction, OfferRecord, TransferRecord, TransferTarget};

/// `0`, `1500ms`, `2s`, `3m` → milliseconds.
pub(super) fn parse_time(text: &str) -> Timestamp {
    let parsed = if let Some(ms) = text.strip_suffix("ms") {
        ms.parse::<u64>().ok()
    } else if let Some(secs) = text.strip_suffix('s') {
        secs.parse::<u64>().ok().map(|s| s * 1000)
    } else if let Some(mins) = text.strip_suffix('m') {
        mins.parse::<u64>().ok().map(|m| m * 60_000)
    } else {
        text.parse::<u64>().ok()
    };
    match parsed {
        Some(ms) => Timestamp(ms),
        None => panic!("bad time {text:?}"),
    }
}

fn agent(name: &str) -> AgentId {
    AgentId::new(name).unwrap_or_else(|e| panic!("bad agent {name:?}: {e}"))
}

fn number(e164: &str) -> ExternalNumber {
    ExternalNumber::new(e164).unwrap_or_else(|e| panic!("bad number {e164:?}: {e}"))
}

fn target(text: &str) -> TransferTarget {
    let spec = text.strip_prefix("to=").unwrap_or(text);
    match spec.split_once(':') {
        Some(("agent", name)) => TransferTarget::Agent(agent(name)),
        Some(("team", name)) => {
            TransferTarget::Team(TeamId::new(name).unwrap_or_else(|e| panic!("bad team: {e}")))
        }
        Some(("number", e164)) => TransferTarget::Number(number(e164)),
        _ => panic!("bad transfer target {text:?}"),
    }
}

/// One script line (without its `t=`) as an event.
pub(super) fn parse_event(words: &[&str]) -> Event {
    let who = || agent(words.get(1).copied().unwrap_or_default());
    match words {
        ["offer", name, step] => Event::Offer {
            agent: agent(name),
            step: step
                .strip_prefix("step=")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad step {step:?}")),
        },
        ["accept", _] => Event::Accept { agent: who() },
        ["decline", _] => Event::Decline { agent: who() },
        ["no-answer", _] => Event::NoAnswer { agent: who() },
        ["not-ack", _] => Event::NotAcknowledged { agent: who() },
        ["withdraw", _] => Event::WithdrawOffer { agent: who() },
        ["connect-failed", _] => Event::ConnectFailed { agent: who() },
        ["connected", _] => Event::Connected { agent: who() },
        ["hold", _] => Event::Hold { agent: who() },
        ["resume", _] => Event::Resume { agent: who() },
        ["hangup", _] => Event::AgentHungUp { agent: who() },
        ["transfer", _, to] => Event::RequestTransfer {
            by: who(),
            to: target(to),
        },
        ["cancel-transfer"] => Event::CancelTransfer,
        ["external-answered"] => Event::ExternalAnswered,
        ["customer-hangup"] => Event::CustomerHungUp,
        ["fallback", e164] => Event::FallBack {
            number: number(e164),
        },
        ["identify", customer] => Event::IdentifyCustomer {
            customer: CustomerId::new(*customer).unwrap_or_else(|e| panic!("bad customer: {e}")),
        },
        _ => panic!("bad script line {words:?}"),
    }
}

fn arrive(now: Timestamp, words: &[&str]) -> Interaction {
    let (channel, customer) = match words {
        ["arrive", channel] => (*channel, None),
        ["arrive", channel, customer] => (*channel, customer.strip_prefix("customer=")),
        _ => panic!("a script starts with `t=0 arrive <channel> [customer=<id>]`"),
    };
    let channel = Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == channel)
        .unwrap_or_else(|| panic!("bad channel {channel:?}"));
    let customer = customer.map(|c| CustomerId::new(c).unwrap_or_else(|e| panic!("{e}")));
    let id = InteractionId::new("i1").unwrap_or_else(|e| panic!("{e}"));
    Interaction::arrive(id, channel, customer, now)
}

fn at(time: tsunagu_core::Timestamp) -> Millis {
    Millis(time.0)
}

fn at_opt(time: Option<Timestamp>) -> String {
    time.map_or_else(|| "-".to_owned(), |t| at(t).to_string())
}

fn offer_line(offer: &OfferRecord) -> String {
    let mut line = format!(
        "offer {} step={} at {}{}: {}",
        offer.agent,
        offer.step,
        at(offer.offered_at),
        if offer.via_transfer {
            " (transfer)"
        } else {
            ""
        },
        offer.outcome,
    );
    if let Some(decided) = offer.decided_at {
        let _ = write!(line, " at {}", at(decided));
    }
    if let Some(connected) = offer.connected_at {
        let _ = write!(line, ", connected at {}", at(connected));
    }
    line
}

fn transfer_line(transfer: &TransferRecord) -> String {
    let mut line = format!(
        "transfer {} -> {} at {}: {}",
        transfer.from,
        transfer.to,
        at(transfer.requested_at),
        transfer.outcome,
    );
    if let Some(decided) = transfer.decided_at {
        let _ = write!(line, " at {}", at(decided));
    }
    if let Some(agent) = &transfer.handed_to {
        let _ = write!(line, " to {agent}");
    }
    line
}

/// The final record, as a supervisor would read it in the call log.
pub(super) fn describe(interaction: &Interaction) -> String {
    let timeline = interaction.timeline();
    let mut out = format!(
        "{} customer={}: {}\n",
        interaction.channel(),
        interaction.customer().map_or("-", |c| c.as_str()),
        interaction.state(),
    );
    let _ = writeln!(
        out,
        "arrived={} first-offered={} connected={} hold={} ended={}",
        at(timeline.arrived_at),
        at_opt(timeline.first_offered_at),
        at_opt(timeline.connected_at),
        timeline.hold_total_at(timeline.last_event_at),
        at_opt(timeline.ended_at),
    );
    for offer in interaction.offers() {
        let _ = writeln!(out, "{}", offer_line(offer));
    }
    for transfer in interaction.transfers() {
        let _ = writeln!(out, "{}", transfer_line(transfer));
    }
    out
}

/// Runs `script` and compares the trace (each line with the resulting state and the changes,
/// or the rejection) followed by the final record.
#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as check(input, expect![..]) without a `&`"
)]
pub(super) fn check(script: &str, expect: Expect) {
    let lines: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let width = lines.iter().map(|line| line.len()).max().unwrap_or(0);
    let mut interaction: Option<Interaction> = None;
    let mut trace = String::new();
    for line in &lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((time, rest)) = words.split_first() else {
            continue;
        };
        let now = parse_time(
            time.strip_prefix("t=")
                .unwrap_or_else(|| panic!("no t= in {line:?}")),
        );
        let _ = write!(trace, "{line:width$}  ");
        let Some(current) = interaction.as_mut() else {
            let arrived = arrive(now, rest);
            let _ = writeln!(trace, "=> {}", arrived.state());
            interaction = Some(arrived);
            continue;
        };
        match current.handle(now, parse_event(rest)) {
            Ok(changes) => {
                let changes: Vec<String> = changes.iter().map(ToString::to_string).collect();
                let _ = writeln!(trace, "=> {} | {}", current.state(), changes.join(", "));
            }
            Err(rejected) => {
                let _ = writeln!(trace, "!! {rejected}");
            }
        }
    }
    if let Some(interaction) = &interaction {
        trace.push_str("---\n");
        trace.push_str(&describe(interaction));
    }
    expect.assert_eq(&trace);
}
