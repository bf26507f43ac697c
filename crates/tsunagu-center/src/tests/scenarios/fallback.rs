//! Stories of calls that leave the center: the fallback numbers after the maximum wait, after
//! hours or closed, and the legacy number's announcement.

use super::*;

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
fn a_line_with_hours_of_its_own_is_closed_while_the_tenant_is_open() {
    // The sales line opens Mondays 09:00–10:00 only; the tenant (and its main line) always.
    let mut config = config();
    config.line_hours.insert(
        "+815011110000".into(),
        BusinessCalendar {
            weekly: Some(vec![OpeningHours {
                day: Weekday::Mon,
                open: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
                close: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
            }]),
            ..Default::default()
        },
    );
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    let mut to_sales = arrival("CA1", Some("sato"), Some("sales"));
    to_sales.called = Some("+815011110000".into());
    sim.arrive(to_sales);
    sim.hang_up("CA1");
    let mut to_main = arrival("CA2", Some("sato"), Some("sales"));
    to_main.called = Some("+815012345678".into());
    sim.arrive(to_main);
    sim.hang_up("CA2");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s call CA1 on Main
          → Closed
          record started CA1 customer=cust-CA1
        t=0s caller of CA1 hangs up
          record ended CA1
        t=0s call CA2 on Main
          → Ring sato #1 for 15s
          record started CA2 customer=cust-CA2
          c1 ← status reserved since 0s
          record offered CA2 to sato (Owner)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 cust-CA2 山田商事
        t=0s caller of CA2 hangs up
          c1 ← offer CA2#1 withdrawn: CallerHungUp
          c1 ← status available since 0s
          record ended CA2
    "#]]
    .assert_eq(&sim.take());
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
