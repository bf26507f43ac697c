//! Stories of the widget's sockets: a closed tab's grace, a reload within it, coalesced roster
//! broadcasts and widget messages that do not apply.

use super::*;

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
