//! Outbound calls an agent places, as printed transcripts on virtual time.

use expect_test::expect;
use tsunagu_protocol::AwayReason;

use super::{Sim, agent};
use crate::{CenterError, DialOutcome};

fn office() -> Sim {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(2.0);
    sim.take();
    sim
}

#[test]
fn an_agent_dials_out_talks_and_wraps_up_and_is_offered_nothing_meanwhile() {
    let mut sim = office();
    sim.set_away(2, AwayReason::Meeting);
    sim.place("CA9", "sato", "+81312345678");
    sim.redirected("CA9");
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(30.0);
    sim.dial("CA9", 0, DialOutcome::Completed);
    sim.hang_up("CA9");
    expect![[r#"
        t=2s c2 says {"type":"set_status","status":{"kind":"away","reason":"meeting"}}
          c2 ← status away(meeting) since 2s
        t=2s sato places CA9 to +81312345678
          record started CA9 customer=-
          c1 ← status on_call since 2s
        t=2s redirected CA9
          → DialOut to +81312345678
        t=2s call CA1 owner=Some("sato") team=Some("sales")
          → Enqueue at 1
          record started CA1 customer=cust-CA1
          record queued CA1
        t=2250ms alarm
          all ← roster: sato on_call since 2s, suzuki away(meeting) since 2s
        t=30s dial result CA9#0 Completed
          → Hangup
          c1 ← status wrap_up since 30s
        t=30s caller of CA9 hangs up
          record ended CA9
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn an_agent_who_is_ringing_on_a_call_or_signed_out_cannot_dial() {
    let mut sim = office();
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.take();
    assert_eq!(
        sim.center.can_dial(sim.now, &agent("sato"), None),
        Err(CenterError::AgentBusy)
    );
    assert_eq!(sim.center.can_dial(sim.now, &agent("suzuki"), None), Ok(()));
    assert_eq!(
        sim.center.can_dial(sim.now, &agent("nobody"), None),
        Err(CenterError::NotSignedIn)
    );
    sim.place("CA9", "sato", "+81312345678");
    sim.disconnect(2);
    sim.place("CA8", "suzuki", "+81312345678");
    expect![[r#"
        t=2s sato places CA9 to +81312345678
          ! the agent is busy with another call
        t=2s disconnect c2
        t=2s suzuki places CA8 to +81312345678
          ! the agent is not signed in to the widget
    "#]]
    .assert_eq(&sim.take());
}

fn capped(max_calls_per_agent: u32, max_concurrent_outbound: u32) -> Sim {
    let mut config = super::config();
    config.dial_policy.max_calls_per_agent = max_calls_per_agent;
    config.dial_policy.max_concurrent_outbound = max_concurrent_outbound;
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(1.0);
    sim.take();
    sim
}

/// `who` on `conn` places `call`, talks, hangs up and ends the wrap-up.
fn short_call(sim: &mut Sim, conn: u64, call: &str, who: &str) {
    sim.place(call, who, "+81312345678");
    sim.hang_up(call);
    sim.send(
        conn,
        tsunagu_protocol::ClientMessage::EndWrapUp {
            disposition: None,
            notes: None,
        },
    );
}

#[test]
fn an_agent_places_at_most_the_policys_calls_per_window() {
    let mut sim = capped(2, 20);
    short_call(&mut sim, 1, "CA1", "sato");
    sim.at(10.0);
    short_call(&mut sim, 1, "CA2", "sato");
    sim.at(20.0);
    sim.take();
    assert_eq!(
        sim.center.can_dial(sim.now, &agent("sato"), None),
        Err(CenterError::DialRefused(
            tsunagu_phone::DialRefusal::AgentRateLimit
        ))
    );
    // The count survives a restart (the calls keep who placed them).
    sim.restore();
    sim.place("CA3", "sato", "+81312345678");
    // Another agent has their own count.
    assert_eq!(sim.center.can_dial(sim.now, &agent("suzuki"), None), Ok(()));
    // Sixty seconds after the first call, one more fits.
    sim.at(61.0);
    sim.place("CA4", "sato", "+81312345678");
    expect![[r#"
        t=20s (restored from JSON)
        t=20s sato places CA3 to +81312345678
          ! dial refused (agent_rate_limit): too many calls in a short time; please wait a minute
        t=61s sato places CA4 to +81312345678
          record started CA4 customer=-
          c1 ← status on_call since 61s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn the_tenant_has_at_most_the_policys_outbound_calls_at_once() {
    let mut sim = capped(10, 1);
    sim.place("CA1", "sato", "+81312345678");
    sim.place("CA2", "suzuki", "+81312345678");
    sim.hang_up("CA1");
    sim.place("CA3", "suzuki", "+81312345678");
    expect![[r#"
        t=1s sato places CA1 to +81312345678
          record started CA1 customer=-
          c1 ← status on_call since 1s
        t=1s suzuki places CA2 to +81312345678
          ! dial refused (tenant_outbound_limit): too many outbound calls at once for this contact center
        t=1s caller of CA1 hangs up
          c1 ← status wrap_up since 1s
          record ended CA1
        t=1s suzuki places CA3 to +81312345678
          record started CA3 customer=-
          c2 ← status on_call since 1s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_fallback_number_the_dial_policy_refuses_makes_the_config_invalid() {
    let with_fallback = |numbers: &[&str]| {
        let mut config = super::config();
        config.fallback_numbers = numbers
            .iter()
            .map(|n| tsunagu_interaction::ExternalNumber::new(*n).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        config
    };
    let verdicts: Vec<String> = [
        &["+81355550101", "+819055550103"][..],
        &["+81355550101", "+81990123456"],
        &["+81570555108"],
        &["+442079460107"],
        &["+8112"],
    ]
    .iter()
    .map(|numbers| match with_fallback(numbers).validate() {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.to_string(),
    })
    .collect();
    expect![[r#"
        [
            "ok",
            "fallback number 1 is refused by the dial policy (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed",
            "fallback number 0 is refused by the dial policy (shared_cost): calls to shared-cost numbers (such as 0570) are not allowed",
            "fallback number 0 is refused by the dial policy (international): international calls are not allowed",
            "fallback number 0 is not a valid E.164 number",
        ]
    "#]]
    .assert_debug_eq(&verdicts);
    let mut opened = with_fallback(&["+442079460107"]);
    opened.dial_policy.allowed_countries.insert(44);
    assert_eq!(opened.validate(), Ok(()));
    assert!(crate::Center::new(with_fallback(&["+81990123456"])).is_err());
}
