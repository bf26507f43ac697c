//! Blind transfers and wrap-up notes, as printed transcripts on virtual time.

use expect_test::expect;
use tsunagu_protocol::{AwayReason, ClientMessage, TransferTo};

use super::{Sim, agent, interaction, team};
use crate::AgentLegStatus;

/// Sato (sales) on CA1 with the caller since t=6s; Suzuki (sales) and Tanaka (support) free.
fn sato_on_a_call() -> Sim {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(2.0);
    sim.connect(3, "tanaka", &["support"]);
    sim.at(3.0);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.at(6.0);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.at(20.0);
    sim.take();
    sim
}

fn transfer(sim: &mut Sim, conn: u64, to: TransferTo) {
    sim.send(
        conn,
        ClientMessage::Transfer {
            conversation: interaction("CA1"),
            to,
        },
    );
}

#[test]
fn a_transfer_to_a_colleague_rings_them_and_the_first_agent_wraps_up() {
    let mut sim = sato_on_a_call();
    transfer(
        &mut sim,
        1,
        TransferTo::Agent {
            agent: agent("tanaka"),
        },
    );
    sim.redirected("CA1");
    sim.leg("CA1", "sato", AgentLegStatus::Ended);
    sim.ack(3, "CA1", 2);
    sim.at(25.0);
    sim.leg("CA1", "tanaka", AgentLegStatus::Answered);
    sim.at(26.0);
    expect![[r#"
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"agent","agent":"tanaka"}}
          record transferred CA1 by sato to Agent(AgentId("tanaka"))
          c1 ← status wrap_up since 20s
          c3 ← status reserved since 20s
          record offered CA1 to tanaka (Transfer)
          c3 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=20s redirected CA1
          → Ring tanaka #2 for 15s
        t=20s leg CA1 sato Ended
          ! this leg does not belong to the call's current ring or connection
        t=20s c3 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":2}}
        t=20250ms alarm
          all ← roster: sato wrap_up since 20s, tanaka reserved since 20s
        t=25s leg CA1 tanaka Answered
          c3 ← status on_call since 25s
          record tanaka Accepted CA1
        t=25250ms alarm
          all ← roster: tanaka on_call since 25s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_transfer_nobody_answers_goes_back_to_the_usual_ladder() {
    let mut sim = sato_on_a_call();
    transfer(
        &mut sim,
        1,
        TransferTo::Agent {
            agent: agent("tanaka"),
        },
    );
    sim.redirected("CA1");
    sim.ack(3, "CA1", 2);
    sim.take();
    sim.at(36.0);
    expect![[r#"
        t=20250ms alarm
          all ← roster: sato wrap_up since 20s, tanaka reserved since 20s
        t=35s alarm
          c3 ← status away(no_answer) since 35s
          record tanaka NoAnswer CA1
          c3 ← offer CA1#2 withdrawn: NoAnswer
          c2 ← status reserved since 35s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#3 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=35250ms alarm
          all ← roster: suzuki reserved since 35s, tanaka away(no_answer) since 35s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_transfer_to_a_team_rings_its_longest_idle_member() {
    let mut sim = sato_on_a_call();
    transfer(
        &mut sim,
        1,
        TransferTo::Team {
            team: team("support"),
        },
    );
    expect![[r#"
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"team","team":"support"}}
          record transferred CA1 by sato to Team(TeamId("support"))
          c1 ← status wrap_up since 20s
          c3 ← status reserved since 20s
          record offered CA1 to tanaka (Transfer support)
          c3 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_transfer_to_a_japanese_number_leaves_the_center() {
    let mut sim = sato_on_a_call();
    transfer(
        &mut sim,
        1,
        TransferTo::Number {
            number: "03-1234-5678".into(),
        },
    );
    sim.redirected("CA1");
    expect![[r#"
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"03-1234-5678"}}
          record transferred CA1 by sato to Number("+81312345678")
          c1 ← status wrap_up since 20s
          redirect CA1
        t=20s redirected CA1
          → TransferOut to +81312345678
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn transfers_that_cannot_happen_are_refused_and_change_nothing() {
    let mut sim = sato_on_a_call();
    sim.set_away(2, AwayReason::Lunch);
    sim.take();
    transfer(
        &mut sim,
        2,
        TransferTo::Agent {
            agent: agent("tanaka"),
        },
    );
    transfer(
        &mut sim,
        1,
        TransferTo::Agent {
            agent: agent("sato"),
        },
    );
    transfer(
        &mut sim,
        1,
        TransferTo::Agent {
            agent: agent("suzuki"),
        },
    );
    transfer(
        &mut sim,
        1,
        TransferTo::Agent {
            agent: agent("nobody"),
        },
    );
    transfer(
        &mut sim,
        1,
        TransferTo::Team {
            team: team("sales"),
        },
    );
    transfer(
        &mut sim,
        1,
        TransferTo::Number {
            number: "12".into(),
        },
    );
    sim.hang_up("CA1");
    expect![[r#"
        t=20s c2 says {"type":"transfer","conversation":"CA1","to":{"kind":"agent","agent":"tanaka"}}
          ! you are not connected to this call
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"agent","agent":"sato"}}
          ! a call cannot be transferred to the agent who has it
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"agent","agent":"suzuki"}}
          ! nobody the transfer names is available now
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"agent","agent":"nobody"}}
          ! nobody the transfer names is available now
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"team","team":"sales"}}
          ! nobody the transfer names is available now
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"12"}}
          ! the transfer number is not a phone number that can be dialled
        t=20s caller of CA1 hangs up
          c1 ← status wrap_up since 20s
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn transfers_to_numbers_the_dial_policy_refuses_are_refused_with_its_code() {
    let mut sim = sato_on_a_call();
    for number in [
        "0990-123-456",
        "0570-555-108",
        "+44 909 876 5432",
        "+1 415 555 0100",
    ] {
        transfer(
            &mut sim,
            1,
            TransferTo::Number {
                number: number.into(),
            },
        );
    }
    sim.hang_up("CA1");
    expect![[r#"
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"0990-123-456"}}
          ! dial refused (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"0570-555-108"}}
          ! dial refused (shared_cost): calls to shared-cost numbers (such as 0570) are not allowed
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"+44 909 876 5432"}}
          ! dial refused (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed
        t=20s c1 says {"type":"transfer","conversation":"CA1","to":{"kind":"number","number":"+1 415 555 0100"}}
          ! dial refused (international): international calls are not allowed
        t=20s caller of CA1 hangs up
          c1 ← status wrap_up since 20s
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn wrap_up_notes_are_recorded_trimmed_and_cut() {
    let mut sim = sato_on_a_call();
    sim.hang_up("CA1");
    sim.at(25.0);
    sim.take();
    sim.send(
        1,
        ClientMessage::EndWrapUp {
            disposition: Some("  resolved ".into()),
            notes: Some(format!("見積書を再送{}", "あ".repeat(3000))),
        },
    );
    let log = sim.take();
    let notes_len = log
        .split("notes=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|notes| notes.chars().count());
    assert_eq!(notes_len, Some(tsunagu_protocol::NOTES_MAX_CHARS), "{log}");
    assert!(
        log.contains(
            "record wrap-up of CA1 ended by sato disposition=\"resolved\" notes=\"見積書を再送あ"
        ),
        "{log}"
    );
}

#[test]
fn a_reload_mid_call_holds_the_caller_and_rings_the_agent_again_when_the_widget_is_back() {
    let mut sim = sato_on_a_call();
    // The page reloads: the widget's socket closes, then Twilio reports the agent's leg over.
    sim.disconnect(1);
    sim.dial("CA1", 1, crate::DialOutcome::Completed);
    sim.at(21.0);
    sim.redirected("CA1");
    sim.connect(4, "sato", &["sales"]);
    sim.redirected("CA1");
    sim.send(
        4,
        ClientMessage::Rejoin {
            conversation: interaction("CA1"),
        },
    );
    sim.redirected("CA1");
    sim.at(22.0);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    expect![[r#"
        t=20s disconnect c1
        t=20s dial result CA1#1 Completed
          → HoldForAgent sato
        t=21s redirected CA1
          → HoldForAgent sato
        t=21s connect c4 sato ["sales"]
          c4 ← welcome sato (on_call); roster: sato on_call since 6s, suzuki available since 1s, tanaka available since 2s
          c4 ← {"type":"resume","conversation":"CA1","screen_pop":{"caller_number":"+81312345678","caller_display":"03-1234-5678","customer":{"id":"cust-CA1","name":"山田商事","owner":"sato","team":"sales"},"recent":[{"at":1711846800000,"channel":"voice","agent":"sato","summary":"見積もり"}]},"since":1711933206000,"rejoin":true,"web":false}
        t=21s redirected CA1
          → HoldForAgent sato
        t=21s c4 says {"type":"rejoin","conversation":"CA1"}
          redirect CA1
        t=21s redirected CA1
          → Ring sato #2 for 15s
        t=22s leg CA1 sato Answered
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_caller_holding_for_an_agent_who_never_returns_is_routed_again_after_the_grace() {
    let mut sim = sato_on_a_call();
    sim.disconnect(1);
    sim.dial("CA1", 1, crate::DialOutcome::Completed);
    sim.take();
    sim.at(55.0);
    sim.redirected("CA1");
    expect![[r#"
        t=55s redirected CA1
          → Ring suzuki #2 for 15s
          c2 ← status reserved since 55s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_widget_that_says_it_is_leaving_counts_as_gone_before_its_socket_closes() {
    let mut sim = sato_on_a_call();
    // The page unloads: its `leaving` arrives first, the phone leg's end next, the close last.
    sim.send(1, ClientMessage::Leaving);
    sim.dial("CA1", 1, crate::DialOutcome::Completed);
    sim.disconnect(1);
    expect![[r#"
        t=20s c1 says {"type":"leaving"}
        t=20s dial result CA1#1 Completed
          → HoldForAgent sato
        t=20s disconnect c1
          ! this connection is not open
    "#]]
    .assert_eq(&sim.take());
}
