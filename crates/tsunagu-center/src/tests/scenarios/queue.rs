//! Stories of the queue: nobody free queues the call, a freed agent takes the head, and callers
//! who hang up while queued or ringing.

use super::*;

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
