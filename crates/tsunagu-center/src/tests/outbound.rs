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
        sim.center.can_dial(&agent("sato")),
        Err(CenterError::AgentBusy)
    );
    assert_eq!(sim.center.can_dial(&agent("suzuki")), Ok(()));
    assert_eq!(
        sim.center.can_dial(&agent("nobody")),
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
