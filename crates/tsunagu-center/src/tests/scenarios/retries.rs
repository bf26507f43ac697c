//! Stories of repetition and recovery: retried webhooks, stale Dial results, a late alarm, a
//! restored center, and the call events stitching into one conversation per call.

use super::*;

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
