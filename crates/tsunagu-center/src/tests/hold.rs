//! Hold and take back, as printed transcripts on virtual time.

use expect_test::expect;
use tsunagu_protocol::ClientMessage;

use super::{Sim, interaction};
use crate::AgentLegStatus;

fn hold(sim: &mut Sim, held: bool) {
    sim.send(
        1,
        ClientMessage::Hold {
            conversation: interaction("CA1"),
            held,
        },
    );
}

#[test]
fn the_caller_holds_on_music_and_is_rung_through_again_when_taken_back() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.at(10.0);
    sim.take();
    hold(&mut sim, true);
    sim.redirected("CA1");
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    hold(&mut sim, true);
    sim.at(30.0);
    sim.redirected("CA1");
    hold(&mut sim, false);
    sim.redirected("CA1");
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.hang_up("CA1");
    expect![[r#"
        t=10s c1 says {"type":"hold","conversation":"CA1","held":true}
          record Hold(Mark { contact: Interaction(InteractionId("CA1")), at: Timestamp(1711933210000) })
          c1 ← {"type":"held","conversation":"CA1","held":true}
          redirect CA1
        t=10s redirected CA1
          → OnHold
        t=10s leg CA1 sato Ended
        t=10s c1 says {"type":"hold","conversation":"CA1","held":true}
          ! this call cannot be put on hold or taken back now
        t=30s redirected CA1
          → OnHold
        t=30s c1 says {"type":"hold","conversation":"CA1","held":false}
          record Unhold(Mark { contact: Interaction(InteractionId("CA1")), at: Timestamp(1711933230000) })
          c1 ← {"type":"held","conversation":"CA1","held":false}
          redirect CA1
        t=30s redirected CA1
          → Ring sato #2 for 15s
        t=30s leg CA1 sato Answered
        t=30s caller of CA1 hangs up
          c1 ← status wrap_up since 30s
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}
