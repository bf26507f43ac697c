//! The contact center's stories on virtual time, one rule per test, as printed transcripts.

use expect_test::expect;
use tsunagu_core::Millis;
use tsunagu_interaction::ExternalNumber;
use tsunagu_protocol::{AwayReason, ClientMessage, RequestedStatus};

use super::{Sim, arrival, config};
use crate::{
    AgentLegStatus, BusinessCalendar, ClockTime, DialOutcome, Line, OpeningHours, QueueResult,
    Weekday,
};

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
fn nobody_free_queues_and_the_first_agent_back_takes_the_head() {
    let mut sim = office();
    for conn in 1..=3 {
        sim.set_away(conn, AwayReason::Break);
    }
    sim.at(4.0);
    sim.take();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.call("CA2", None, None);
    sim.call("CA3", None, None);
    sim.at(10.0);
    sim.wait("CA1");
    sim.wait("CA2");
    sim.wait("CA3");
    sim.at(30.0);
    sim.set_available(3);
    sim.wait("CA1");
    sim.redirected("CA1");
    sim.wait("CA2");
    expect![[r#"
        t=4s call CA1 owner=Some("sato") team=Some("sales")
          → Enqueue at 1
          record started CA1 customer=cust-CA1
          record queued CA1
        t=4s call CA2 owner=None team=None
          → Enqueue at 2
          record started CA2 customer=-
          record queued CA2
        t=4s call CA3 owner=None team=None
          → Enqueue at 3
          record started CA3 customer=-
          record queued CA3
        t=10s queue poll CA1
          → Hold at 1, waited 6s
        t=10s queue poll CA2
          → Hold at 2, waited 6s
        t=10s queue poll CA3
          → Hold at 3, waited 6s
        t=30s c3 says {"type":"set_status","status":{"kind":"available"}}
          c3 ← status available since 30s
          c3 ← status reserved since 30s
          record dequeued CA1
          record offered CA1 to tanaka (Queue)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=30s queue poll CA1
          → Hold at 1, waited 26s
        t=30s redirected CA1
          → Ring tanaka #1 for 15s
        t=30s queue poll CA2
          → Hold at 1, waited 26s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn an_owner_who_does_not_answer_goes_away_and_the_team_rings() {
    let mut sim = office();
    let mut config = config();
    config.ladder.steps[0].timeout = Millis::from_secs(10);
    sim.center
        .set_config(config)
        .unwrap_or_else(|e| panic!("{e}"));
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(16.0);
    sim.dial("CA1", 1, DialOutcome::NoAnswer);
    sim.at(16.5);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 10s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 10s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=3250ms alarm
          all ← roster: sato reserved since 3s
        t=16s dial result CA1#1 NoAnswer
          → Ring suzuki #2 for 15s
          c1 ← status away(no_answer) since 16s
          record sato NoAnswer CA1
          c1 ← offer CA1#1 withdrawn: NoAnswer
          c2 ← status reserved since 16s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=16250ms alarm
          all ← roster: sato away(no_answer) since 16s, suzuki reserved since 16s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn an_unacknowledged_offer_moves_on_and_redirects_twilio() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(9.0);
    sim.redirected("CA1");
    sim.dial("CA1", 1, DialOutcome::Canceled);
    sim.ack(2, "CA1", 2);
    sim.ack(1, "CA1", 1);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3250ms alarm
          all ← roster: sato reserved since 3s
        t=6s alarm
          c1 ← status away(missed_offer) since 6s
          record sato Missed CA1
          c1 ← offer CA1#1 withdrawn: NotAcknowledged
          c2 ← status reserved since 6s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=6250ms alarm
          all ← roster: sato away(missed_offer) since 6s, suzuki reserved since 6s
        t=9s alarm
          c2 ← status away(missed_offer) since 9s
          record suzuki Missed CA1
          c2 ← offer CA1#2 withdrawn: NotAcknowledged
          c3 ← status reserved since 9s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#3 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=9s redirected CA1
          → Ring tanaka #3 for 15s
        t=9s dial result CA1#1 Canceled
          → Ring tanaka #3 for 15s
        t=9s c2 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":2}}
          ! this offer is not ringing at this agent
        t=9s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
          ! this offer is not ringing at this agent
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn the_only_agent_whose_tab_missed_the_offer_gets_the_waiting_caller_on_coming_back() {
    let mut sim = office();
    for conn in 2..=3 {
        sim.set_away(conn, AwayReason::Break);
    }
    sim.at(4.0);
    sim.take();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(8.0);
    sim.redirected("CA1");
    sim.at(20.0);
    sim.set_available(1);
    sim.redirected("CA1");
    expect![[r#"
        t=4s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 4s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=4250ms alarm
          all ← roster: sato reserved since 4s
        t=7s alarm
          c1 ← status away(missed_offer) since 7s
          record sato Missed CA1
          c1 ← offer CA1#1 withdrawn: NotAcknowledged
          record queued CA1
          redirect CA1
        t=7250ms alarm
          all ← roster: sato away(missed_offer) since 7s
        t=8s redirected CA1
          → Enqueue at 1
        t=20s c1 says {"type":"set_status","status":{"kind":"available"}}
          c1 ← status available since 20s
          c1 ← status reserved since 20s
          record dequeued CA1
          record offered CA1 to sato (Queue)
          c1 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=20s redirected CA1
          → Ring sato #2 for 15s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_declined_offer_rings_the_next_agent() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.send(
        1,
        ClientMessage::DeclineOffer {
            offer: super::offer("CA1", 1),
        },
    );
    sim.redirected("CA1");
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=3s c1 says {"type":"decline_offer","offer":{"interaction":"CA1","attempt":1}}
          c1 ← status available since 3s
          record sato Declined CA1
          c1 ← offer CA1#1 withdrawn: Declined
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=3s redirected CA1
          → Ring suzuki #2 for 15s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_caller_who_hangs_up_in_the_queue_is_abandoned() {
    let mut sim = office();
    for conn in 1..=3 {
        sim.set_away(conn, AwayReason::Break);
    }
    sim.at(4.0);
    sim.take();
    sim.call("CA1", None, None);
    sim.call("CA2", None, None);
    sim.at(20.0);
    sim.hang_up("CA1");
    sim.wait("CA2");
    sim.hang_up("CA1");
    sim.left("CA1", QueueResult::Hangup);
    expect![[r#"
        t=4s call CA1 owner=None team=None
          → Enqueue at 1
          record started CA1 customer=-
          record queued CA1
        t=4s call CA2 owner=None team=None
          → Enqueue at 2
          record started CA2 customer=-
          record queued CA2
        t=20s caller of CA1 hangs up
          record ended CA1
        t=20s queue poll CA2
          → Hold at 1, waited 16s
        t=20s caller of CA1 hangs up
        t=20s queue left CA1 Hangup
          → Hangup
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_caller_who_hangs_up_while_ringing_withdraws_the_offer() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(5.0);
    sim.hang_up("CA1");
    sim.dial("CA1", 1, DialOutcome::Canceled);
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
        t=5s caller of CA1 hangs up
          c1 ← offer CA1#1 withdrawn: CallerHungUp
          c1 ← status available since 5s
          record ended CA1
        t=5s dial result CA1#1 Canceled
          → Hangup
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_dial_action_that_reports_the_caller_gone_abandons_the_call_instead_of_ringing_again() {
    // Twilio posts the `<Dial action>` (DialCallStatus=canceled, CallStatus=completed) before the
    // caller leg's own status callback: the call must not be offered again meanwhile.
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(5.0);
    sim.dial_after_hang_up("CA1", 1, DialOutcome::Canceled);
    sim.hang_up("CA1");
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
        t=5s dial result CA1#1 Canceled (caller gone)
          → Hangup
          c1 ← offer CA1#1 withdrawn: CallerHungUp
          c1 ← status available since 5s
          record ended CA1
        t=5s caller of CA1 hangs up
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn an_agent_whose_tab_closed_goes_offline_after_the_grace_and_gets_nothing() {
    let mut sim = office();
    sim.disconnect(1);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(34.0);
    sim.call("CA2", Some("sato"), Some("sales"));
    expect![[r#"
        t=3s disconnect c1
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring suzuki #1 for 15s
          record started CA1 customer=cust-CA1
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3250ms alarm
          all ← roster: suzuki reserved since 3s
        t=6s alarm
          c2 ← status away(missed_offer) since 6s
          record suzuki Missed CA1
          c2 ← offer CA1#1 withdrawn: NotAcknowledged
          c3 ← status reserved since 6s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=6250ms alarm
          all ← roster: suzuki away(missed_offer) since 6s, tanaka reserved since 6s
        t=9s alarm
          c3 ← status away(missed_offer) since 9s
          record tanaka Missed CA1
          c3 ← offer CA1#2 withdrawn: NotAcknowledged
          record queued CA1
        t=9250ms alarm
          all ← roster: tanaka away(missed_offer) since 9s
        t=33s alarm
        t=33250ms alarm
          all ← roster: sato offline since 33s
        t=34s call CA2 owner=Some("sato") team=Some("sales")
          → Enqueue at 2
          record started CA2 customer=cust-CA2
          record queued CA2
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_reload_within_the_grace_keeps_the_agent() {
    let mut sim = office();
    sim.disconnect(1);
    sim.at(10.0);
    sim.connect(4, "sato", &["sales"]);
    sim.at(40.0);
    sim.call("CA1", Some("sato"), Some("sales"));
    expect![[r#"
        t=3s disconnect c1
        t=10s connect c4 sato ["sales"]
          c4 ← welcome sato (available); roster: sato available since 0s, suzuki available since 1s, tanaka available since 2s
        t=40s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c4 ← status reserved since 40s
          record offered CA1 to sato (Owner)
          c4 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn after_max_wait_the_queue_lets_go_to_the_fallback_numbers() {
    let mut sim = Sim::with(with_fallback());
    sim.connect(1, "sato", &["sales"]);
    sim.set_away(1, AwayReason::Break);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(30.0);
    sim.wait("CA1");
    sim.at(61.0);
    sim.wait("CA1");
    sim.wait("CA1");
    sim.left("CA1", QueueResult::Leave);
    sim.hang_up("CA1");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 0s
        t=0s call CA1 owner=Some("sato") team=Some("sales")
          → Enqueue at 1
          record started CA1 customer=cust-CA1
          record queued CA1
        t=250ms alarm
          all ← roster: sato away(break) since 0s
        t=30s queue poll CA1
          → Hold at 1, waited 30s
        t=61s queue poll CA1
          → LeaveQueue
          record dequeued CA1
        t=61s queue poll CA1
          → LeaveQueue
        t=61s queue left CA1 Leave
          → Fallback NoAnswerWithinLimit to +81355550000, +819011112222
        t=61s caller of CA1 hangs up
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn without_fallback_numbers_a_caller_waits_on() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.set_away(1, AwayReason::Break);
    sim.call("CA1", None, None);
    sim.at(600.0);
    sim.wait("CA1");
    sim.left("CA1", QueueResult::Leave);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 0s
        t=0s call CA1 owner=None team=None
          → Enqueue at 1
          record started CA1 customer=-
          record queued CA1
        t=250ms alarm
          all ← roster: sato away(break) since 0s
        t=600s queue poll CA1
          → Hold at 1, waited 600s
        t=600s queue left CA1 Leave
          → Enqueue at 1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn nobody_answering_within_max_wait_falls_back_after_the_ring() {
    let mut config = with_fallback();
    config.max_wait = Millis::from_secs(20);
    config.ladder.steps[0].timeout = Millis::from_secs(10);
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "suzuki", &["sales"]);
    sim.connect(3, "tanaka", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(10.0);
    sim.dial("CA1", 1, DialOutcome::NoAnswer);
    sim.ack(2, "CA1", 2);
    sim.at(22.0);
    sim.dial("CA1", 2, DialOutcome::NoAnswer);
    sim.at(22.5);
    let first = sim.take();
    // The same, but the ring ends on the presence timer: Twilio is redirected to the fallback.
    let mut config = with_fallback();
    config.max_wait = Millis::from_secs(10);
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "suzuki", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(15.0);
    sim.redirected("CA1");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s connect c2 suzuki ["sales"]
          c2 ← welcome suzuki (available); roster: sato available since 0s, suzuki available since 0s
        t=0s connect c3 tanaka ["sales"]
          c3 ← welcome tanaka (available); roster: sato available since 0s, suzuki available since 0s, tanaka available since 0s
        t=0s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 10s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 0s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 10s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=0s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=250ms alarm
          all ← roster: sato reserved since 0s, suzuki available since 0s, tanaka available since 0s
        t=10s dial result CA1#1 NoAnswer
          → Ring suzuki #2 for 15s
          c1 ← status away(no_answer) since 10s
          record sato NoAnswer CA1
          c1 ← offer CA1#1 withdrawn: NoAnswer
          c2 ← status reserved since 10s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=10s c2 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":2}}
        t=10250ms alarm
          all ← roster: sato away(no_answer) since 10s, suzuki reserved since 10s
        t=22s dial result CA1#2 NoAnswer
          → Fallback NoAnswerWithinLimit to +81355550000, +819011112222
          c2 ← status away(no_answer) since 22s
          record suzuki NoAnswer CA1
          c2 ← offer CA1#2 withdrawn: NoAnswer
        t=22250ms alarm
          all ← roster: suzuki away(no_answer) since 22s
        ---
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s connect c2 suzuki ["sales"]
          c2 ← welcome suzuki (available); roster: sato available since 0s, suzuki available since 0s
        t=0s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 0s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=0s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=250ms alarm
          all ← roster: sato reserved since 0s, suzuki available since 0s
        t=15s alarm
          c1 ← status away(no_answer) since 15s
          record sato NoAnswer CA1
          c1 ← offer CA1#1 withdrawn: NoAnswer
          redirect CA1
        t=15s redirected CA1
          → Fallback NoAnswerWithinLimit to +81355550000, +819011112222
    "#]]
    .assert_eq(&format!("{first}---\n{}", sim.take()));
}

#[test]
fn after_hours_calls_fall_back_or_hear_closed() {
    let hours = BusinessCalendar {
        weekly: Some(vec![OpeningHours {
            day: Weekday::Mon,
            open: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
            close: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
        }]),
        ..Default::default()
    };
    let mut with_numbers = with_fallback();
    with_numbers.hours = hours.clone();
    let mut sim = Sim::with(with_numbers);
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.hang_up("CA1");
    let mut closed = config();
    closed.hours = hours;
    let mut closed = Sim::with(closed);
    closed.connect(1, "sato", &["sales"]);
    closed.call("CA2", Some("sato"), Some("sales"));
    closed.call("CA2", Some("sato"), Some("sales"));
    closed.hang_up("CA2");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s call CA1 owner=Some("sato") team=Some("sales")
          → Fallback AfterHours to +81355550000, +819011112222
          record started CA1 customer=cust-CA1
        t=0s caller of CA1 hangs up
          record ended CA1
        ---
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s call CA2 owner=Some("sato") team=Some("sales")
          → Closed
          record started CA2 customer=cust-CA2
        t=0s call CA2 owner=Some("sato") team=Some("sales")
          → Closed
        t=0s caller of CA2 hangs up
          record ended CA2
    "#]]
    .assert_eq(&format!("{}---\n{}", sim.take(), closed.take()));
}

#[test]
fn a_legacy_number_announces_the_new_one_then_routes_as_main() {
    let mut sim = office();
    let mut legacy = arrival("CA1", Some("sato"), Some("sales"));
    legacy.line = Line::Legacy {
        new_number: "0120-123-456".into(),
    };
    sim.arrive(legacy.clone());
    sim.arrive(legacy);
    sim.at(8.0);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.hang_up("CA1");
    expect![[r#"
        t=3s call CA1 on Legacy { new_number: "0120-123-456" }
          → AnnounceNewNumber 0120-123-456
        t=3s call CA1 on Legacy { new_number: "0120-123-456" }
          → AnnounceNewNumber 0120-123-456
        t=8s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 8s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=8s caller of CA1 hangs up
          c1 ← offer CA1#1 withdrawn: CallerHungUp
          c1 ← status available since 8s
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_retried_webhook_gets_the_same_plan_and_one_interaction() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(3.5);
    sim.call("CA1", Some("sato"), Some("sales"));
    assert_eq!(sim.center.calls.len(), 1);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
        t=3250ms alarm
          all ← roster: sato reserved since 3s
        t=3500ms call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn stale_dial_results_and_legs_change_nothing() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(7.0);
    sim.redirected("CA1");
    sim.dial("CA1", 1, DialOutcome::NoAnswer);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.dial("CA1", 7, DialOutcome::Completed);
    sim.ack(2, "CA1", 2);
    sim.leg("CA1", "suzuki", AgentLegStatus::Answered);
    sim.dial("CA1", 1, DialOutcome::Busy);
    sim.redirected("CA1");
    sim.dial("CA9", 1, DialOutcome::NoAnswer);
    sim.leg("CA9", "sato", AgentLegStatus::Answered);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3250ms alarm
          all ← roster: sato reserved since 3s
        t=6s alarm
          c1 ← status away(missed_offer) since 6s
          record sato Missed CA1
          c1 ← offer CA1#1 withdrawn: NotAcknowledged
          c2 ← status reserved since 6s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=6250ms alarm
          all ← roster: sato away(missed_offer) since 6s, suzuki reserved since 6s
        t=7s redirected CA1
          → Ring suzuki #2 for 15s
        t=7s dial result CA1#1 NoAnswer
          → Ring suzuki #2 for 15s
        t=7s leg CA1 sato Answered
          ! this leg does not belong to the call's current ring or connection
        t=7s dial result CA1#7 Completed
          → Ring suzuki #2 for 15s
        t=7s c2 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":2}}
        t=7s leg CA1 suzuki Answered
          c2 ← status on_call since 7s
          record suzuki Accepted CA1
        t=7s dial result CA1#1 Busy
          → Ring suzuki #2 for 15s
        t=7s redirected CA1
          → Ring suzuki #2 for 15s
        t=7s dial result CA9#1 NoAnswer
          → Hangup
        t=7s leg CA9 sato Answered
          ! this call is not known
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_hundred_status_changes_in_one_window_make_one_roster() {
    let mut sim = Sim::new();
    for n in 0..100 {
        sim.connect(n, &format!("a{n:03}"), &["sales"]);
    }
    sim.at(1.0);
    sim.take();
    for n in 0..100 {
        sim.set_away(n, AwayReason::Break);
    }
    let mut rosters = Vec::new();
    let mut agents = 0;
    sim.at(2.0);
    let log = sim.take();
    for line in log.lines().filter(|line| line.contains("all ← roster")) {
        rosters.push(line.to_owned());
        agents += line.matches("away(break)").count();
    }
    assert_eq!(rosters.len(), 1, "{log}");
    assert_eq!(agents, 100);
    expect!["  all ← roster: a000 away(break) since 1s, a001 away(break) since 1s, a002 away(break) since 1s, a003 away(break) since 1s, a004 away(break) since 1s, a005 aw"]
    .assert_eq(&rosters[0][..rosters[0].len().min(160)]);
}

#[test]
fn widget_messages_that_do_not_apply_are_refused() {
    let mut sim = office();
    sim.send(1, ClientMessage::Ping);
    sim.send(
        1,
        ClientMessage::Hello {
            protocol: 2,
            session: "x".into(),
        },
    );
    sim.send(
        1,
        ClientMessage::SetStatus {
            status: RequestedStatus::Away {
                reason: AwayReason::MissedOffer,
            },
        },
    );
    sim.send(
        1,
        ClientMessage::EndWrapUp {
            disposition: None,
            notes: None,
        },
    );
    sim.ack(1, "CA9", 1);
    sim.send(9, ClientMessage::Ping);
    sim.disconnect(9);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.set_away(1, AwayReason::Break);
    sim.connect(3, "tanaka", &["support"]);
    expect![[r#"
        t=3s c1 says {"type":"ping"}
          c1 ← {"type":"pong"}
        t=3s c1 says {"type":"hello","protocol":2,"session":"x"}
          ! hello is only valid as the first message of a socket
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"missed_offer"}}
          ! this away reason is set by the system and cannot be chosen
        t=3s c1 says {"type":"end_wrap_up"}
          ! there is no wrap-up to end
        t=3s c1 says {"type":"ack_offer","offer":{"interaction":"CA9","attempt":1}}
          ! this offer is not ringing at this agent
        t=3s c9 says {"type":"ping"}
          ! this connection is not open
        t=3s disconnect c9
          ! this connection is not open
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          ! the status cannot be changed now: answer or decline the ringing call first
        t=3s connect c3 tanaka ["support"]
          ! this connection is already open
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_second_tab_opened_while_ringing_gets_the_offer() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.connect(4, "sato", &["sales"]);
    sim.ack(4, "CA1", 1);
    sim.disconnect(1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s connect c4 sato ["sales"]
          c4 ← welcome sato (reserved); roster: sato reserved since 3s, suzuki available since 1s, tanaka available since 2s
          c4 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s c4 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=3s disconnect c1
        t=3s leg CA1 sato Answered
          c4 ← status on_call since 3s
          record sato Accepted CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn closing_the_last_tab_while_ringing_moves_the_call_on() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.disconnect(1);
    sim.redirected("CA1");
    expect![[r#"
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring sato #1 for 15s
          record started CA1 customer=cust-CA1
          c1 ← status reserved since 3s
          record offered CA1 to sato (Owner)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3s disconnect c1
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=3s redirected CA1
          → Ring suzuki #2 for 15s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_restored_center_continues_the_same_story() {
    let story = |sim: &mut Sim, restore_at: usize| {
        let steps: [&dyn Fn(&mut Sim); 8] = [
            &|sim| sim.call("CA1", Some("sato"), Some("sales")),
            &|sim| sim.set_away(2, AwayReason::Break),
            &|sim| sim.call("CA2", None, None),
            &|sim| sim.call("CA3", None, None),
            &|sim| sim.at(8.0),
            &|sim| sim.redirected("CA1"),
            &|sim| sim.set_available(2),
            &|sim| sim.at(20.0),
        ];
        for (n, step) in steps.iter().enumerate() {
            if n == restore_at {
                sim.restore();
            }
            step(sim);
        }
    };
    let mut plain = office();
    story(&mut plain, usize::MAX);
    let plain = plain.take();
    for restore_at in 0..8 {
        let mut restored = office();
        story(&mut restored, restore_at);
        let restored = restored.take().replace("t=0s (restored from JSON)\n", "");
        let restored: String = restored
            .lines()
            .filter(|line| !line.ends_with("(restored from JSON)"))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(restored, plain, "restored before step {restore_at}");
    }
}

#[test]
fn the_recorded_events_stitch_into_one_conversation_per_call() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(7.0);
    sim.redirected("CA1");
    sim.ack(2, "CA1", 2);
    sim.leg("CA1", "suzuki", AgentLegStatus::Answered);
    sim.at(60.0);
    sim.leg("CA1", "suzuki", AgentLegStatus::Ended);
    sim.dial("CA1", 2, DialOutcome::Completed);
    sim.hang_up("CA1");
    sim.at(100.0);
    let stitched = tsunagu_stitch::stitch(
        &tsunagu_core::TenantId::new("demo").expect("valid"),
        &sim.records,
    );
    let summary: Vec<String> = stitched
        .conversations
        .iter()
        .map(|c| {
            let legs: Vec<String> = c
                .agent_legs
                .iter()
                .map(|leg| format!("{} {:?} {:?}", leg.agent, leg.step, leg.outcome))
                .collect();
            format!(
                "{} answered_by={:?} outcome={:?} legs=[{}] wrap_up={}",
                c.id,
                c.answered_by.as_ref().map(ToString::to_string),
                c.outcome,
                legs.join("; "),
                c.wrap_up_time
            )
        })
        .collect();
    expect![[r#"
        (
            [
                "interaction:CA1 answered_by=Some(\"suzuki\") outcome=Answered legs=[sato Some(Owner) Missed; suzuki Some(Team) Answered] wrap_up=30s",
            ],
            [],
        )
    "#]]
    .assert_debug_eq(&(summary, stitched.warnings));
}

#[test]
fn the_end_of_a_wrap_up_takes_the_next_queued_call() {
    let mut sim = Sim::new();
    sim.intervals = true;
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", None, None);
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.at(10.0);
    sim.call("CA2", Some("sato"), None);
    sim.at(20.0);
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    sim.dial("CA1", 1, DialOutcome::Completed);
    sim.at(25.0);
    sim.send(
        1,
        ClientMessage::EndWrapUp {
            disposition: None,
            notes: None,
        },
    );
    sim.redirected("CA2");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s call CA1 owner=None team=None
          → Ring sato #1 for 15s
          record started CA1 customer=-
          c1 ← status reserved since 0s
          record offered CA1 to sato (Anyone)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record)
        t=0s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=0s leg CA1 sato Answered
          c1 ← status on_call since 0s
          record sato Accepted CA1
        t=250ms alarm
          all ← roster: sato on_call since 0s
        t=10s call CA2 owner=Some("sato") team=None
          → Enqueue at 1
          record started CA2 customer=cust-CA2
          record queued CA2
        t=20s leg CA1 sato Ended
          c1 ← status wrap_up since 20s
          interval sato on call 0s..20s
        t=20s dial result CA1#1 Completed
          → Hangup
        t=20250ms alarm
          all ← roster: sato wrap_up since 20s
        t=25s c1 says {"type":"end_wrap_up"}
          c1 ← status available since 25s
          record wrap-up of CA1 ended by sato
          interval sato wrap-up 20s..25s
          c1 ← status reserved since 25s
          record dequeued CA2
          record offered CA2 to sato (Queue)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 cust-CA2 山田商事
          redirect CA2
        t=25s redirected CA2
          → Ring sato #1 for 15s
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
fn a_late_alarm_changes_nothing_and_a_queue_poll_still_redirects() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", None, None);
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.call("CA2", None, None);
    sim.at(10.0);
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    sim.take();
    // The wrap-up ends at 40 s, but the alarm is late: the next input applies it first, at 40 s.
    sim.skip_to(47.0);
    sim.wait("CA2");
    sim.redirected("CA2");
    expect![[r#"
        t=47s queue poll CA2
          → Hold at 1, waited 47s
          all ← roster: sato wrap_up since 10s
          c1 ← status available since 40s
          record wrap-up of CA1 ended by sato
          c1 ← status reserved since 47s
          record dequeued CA2
          record offered CA2 to sato (Queue)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 (no record)
          all ← roster: sato reserved since 47s
          redirect CA2
        t=47s redirected CA2
          → Ring sato #1 for 15s
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
