//! Stories of offers nobody takes: an owner who does not answer, a tab that never acknowledges, a
//! declined offer, and tabs opening or closing while a call rings.

use super::*;

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
            offer: crate::tests::offer("CA1", 1),
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
