//! The contact center's stories on virtual time, one rule per test, as printed transcripts: here
//! whom a call rings (owner, team, anyone) and what the agent sees; the other stories in
//! `scenarios/`.

use expect_test::expect;
use tsunagu_core::Millis;
use tsunagu_interaction::ExternalNumber;
use tsunagu_protocol::{AwayReason, ClientMessage, RequestedStatus};

use super::{Sim, arrival, config};
use crate::{
    AgentLegStatus, BusinessCalendar, ClockTime, DialOutcome, Line, OpeningHours, QueueResult,
    Weekday,
};

mod fallback;
mod missed_offers;
mod queue;
mod queues;
mod retries;
mod sockets;

/// Sato and Suzuki in sales, Tanaka in support, all signed in at t=0 and idle since then in
/// that order (Sato longest).
pub(super) fn office() -> Sim {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(2.0);
    sim.connect(3, "tanaka", &["support"]);
    sim.at(3.0);
    sim.take();
    sim
}

fn with_fallback() -> crate::CenterConfig {
    let mut config = config();
    config.fallback_numbers = vec![
        ExternalNumber::new("+81355550000").unwrap_or_else(|e| panic!("{e}")),
        ExternalNumber::new("+819011112222").unwrap_or_else(|e| panic!("{e}")),
    ];
    config.max_wait = Millis::from_secs(60);
    config
}

#[test]
fn sign_in_welcomes_the_agent_with_the_roster() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.connect(3, "suzuki", &["sales"]);
    sim.at(2.0);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=250ms alarm
          all ← roster: sato available since 0s
        t=1s connect c2 suzuki ["sales"]
          c2 ← welcome suzuki (available); roster: sato available since 0s, suzuki available since 1s
        t=1s connect c3 suzuki ["sales"]
          c3 ← welcome suzuki (available); roster: sato available since 0s, suzuki available since 1s
        t=1250ms alarm
          all ← roster: suzuki available since 1s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn owner_answers_talks_and_wraps_up() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(6.0);
    sim.leg("CA1", "sato", AgentLegStatus::Ringing);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.at(60.0);
    sim.hang_up("CA1");
    sim.dial("CA1", 1, DialOutcome::Completed);
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    sim.at(95.0);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=3250ms alarm
          all ← roster: sato reserved since 3s
        t=6s leg CA1 sato Ringing
        t=6s leg CA1 sato Answered
          c1 ← status on_call since 6s
          record sato Accepted CA1
        t=6250ms alarm
          all ← roster: sato on_call since 6s
        t=60s caller of CA1 hangs up
          c1 ← status wrap_up since 60s
          record ended CA1
        t=60s dial result CA1#1 Completed
          → Hangup
        t=60s leg CA1 sato Ended
        t=60250ms alarm
          all ← roster: sato wrap_up since 60s
        t=90s alarm
          c1 ← status available since 90s
          record wrap-up of CA1 ended by sato
        t=90250ms alarm
          all ← roster: sato available since 90s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn an_away_owner_hands_over_to_their_team() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.call("CA1", Some("sato"), Some("sales"));
    expect![[r#"
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c1 ← status away(lunch) since 3s
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring suzuki #1 for 15s
          record started CA1 customer=cust-CA1
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn the_owners_team_away_hands_over_to_anyone() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.set_away(2, AwayReason::Meeting);
    sim.call("CA1", Some("sato"), None);
    expect![[r#"
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c1 ← status away(lunch) since 3s
        t=3s c2 says {"type":"set_status","status":{"kind":"away","reason":"meeting"}}
          c2 ← status away(meeting) since 3s
        t=3s call CA1 owner=Some("sato") team=None
          → Ring tanaka #1 for 15s
          record started CA1 customer=cust-CA1
          c3 ← status reserved since 3s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_customer_without_a_team_goes_to_the_team_of_an_owner_with_one() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.call("CA1", Some("sato"), None);
    sim.connect(4, "kato", &["sales", "support"]);
    sim.set_away(4, AwayReason::Lunch);
    sim.call("CA2", Some("kato"), None);
    expect![[r#"
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c1 ← status away(lunch) since 3s
        t=3s call CA1 owner=Some("sato") team=None
          → Ring suzuki #1 for 15s
          record started CA1 customer=cust-CA1
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s connect c4 kato ["sales", "support"]
          c4 ← welcome kato (available); roster: kato available since 3s, sato away(lunch) since 3s, suzuki reserved since 3s, tanaka available since 2s
        t=3s c4 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c4 ← status away(lunch) since 3s
        t=3s call CA2 owner=Some("kato") team=None
          → Ring tanaka #1 for 15s
          record started CA2 customer=cust-CA2
          c3 ← status reserved since 3s
          record offered CA2 to tanaka (Anyone)
          c3 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 cust-CA2 山田商事
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn screen_pops_show_the_number_as_the_agent_reads_it() {
    let shown = [
        "+81355550101",
        "+81120555108",
        "+819055550103",
        "+442079460107",
        "+0000",
    ]
    .map(crate::state::caller_display);
    expect![[r#"
        [
            Some(
                "03-5555-0101",
            ),
            Some(
                "0120-555-108",
            ),
            Some(
                "090-5555-0103",
            ),
            Some(
                "+44 20 7946 0107",
            ),
            None,
        ]
    "#]]
    .assert_debug_eq(&shown);
}
