//! Web calls from the customer page, as printed transcripts on virtual time: here a web call's
//! life (ring, connect, hang up, queue, deadlines, after hours, restore); sockets that drop and
//! what the sockets may do in `webcalls/`.

use expect_test::expect;
use tsunagu_protocol::{
    AwayReason, CallerMessage, ClientMessage, SIGNALS_PER_SIDE_MAX, Signal, TransferTo,
};

use super::{Sim, agent, config, interaction, offer};
use crate::{DialOutcome, QueueResult};

mod boundaries;
mod rejoin;

/// The call `Sim::web_call` makes with seed 1.
const WC1: &str = "WC01010101010101010101010101010101";
/// … with seed 2.
const WC2: &str = "WC02020202020202020202020202020202";

/// Sato (sales) and Suzuki (sales) signed in and free; Suzuki has been idle longest.
fn office() -> Sim {
    let mut sim = Sim::new();
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(1.0);
    sim.connect(1, "sato", &["sales"]);
    sim.at(2.0);
    sim.take();
    sim
}

fn accept(sim: &mut Sim, conn: u64, call: &str, attempt: u32) {
    sim.send(
        conn,
        ClientMessage::AcceptOffer {
            offer: offer(call, attempt),
        },
    );
}

fn agent_signal(sim: &mut Sim, conn: u64, call: &str, signal: Signal) {
    sim.send(
        conn,
        ClientMessage::Signal {
            conversation: interaction(call),
            signal,
        },
    );
}

fn caller_signal(sim: &mut Sim, conn: u64, signal: Signal) {
    sim.caller_says(conn, CallerMessage::Signal { signal });
}

fn sdp(kind: &str) -> String {
    format!("v=0 {kind}")
}

fn candidate() -> Signal {
    Signal::Candidate {
        candidate: "candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    }
}

/// The stitched conversations of everything recorded, one line each.
pub(super) fn stitched(sim: &Sim) -> String {
    let stitched = tsunagu_stitch::stitch(
        &tsunagu_core::TenantId::new("demo").expect("valid"),
        &sim.records,
    );
    let mut out = String::new();
    for c in &stitched.conversations {
        let legs: Vec<String> = c
            .agent_legs
            .iter()
            .map(|leg| format!("{} {:?} {:?}", leg.agent, leg.step, leg.outcome))
            .collect();
        out.push_str(&format!(
            "{} channel={} number={:?} answered_by={:?} outcome={:?} queue={:?} queue_time={} talk={} wrap_up={} legs=[{}]\n",
            c.id,
            c.channel,
            c.customer_number,
            c.answered_by.as_ref().map(ToString::to_string),
            c.outcome,
            c.queue,
            c.queue_time,
            c.talk_time,
            c.wrap_up_time,
            legs.join("; "),
        ));
    }
    for warning in &stitched.warnings {
        out.push_str(&format!("warning: {warning:?}\n"));
    }
    out
}

#[test]
fn a_web_call_rings_connects_relays_signalling_and_the_agent_hangs_up() {
    let mut sim = office();
    sim.web_call(10, Some("  山田 太郎\u{7} "), Some("03-5555-0101"), 1);
    sim.at(3.0);
    sim.ack(2, WC1, 1);
    sim.at(5.0);
    accept(&mut sim, 2, WC1, 1);
    caller_signal(&mut sim, 10, Signal::Offer { sdp: sdp("offer") });
    caller_signal(&mut sim, 10, candidate());
    agent_signal(&mut sim, 2, WC1, Signal::Answer { sdp: sdp("answer") });
    agent_signal(&mut sim, 2, WC1, candidate());
    sim.at(65.0);
    sim.send(
        2,
        ClientMessage::HangUp {
            conversation: interaction(WC1),
        },
    );
    sim.caller_gone(10);
    sim.at(100.0);
    expect![[r#"
        t=2s customer c10 calls from the web as Some("  山田 太郎\u{7} ") Some("03-5555-0101")
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          c2 ← status reserved since 2s
          record offered WC01010101010101010101010101010101 to suzuki (Anyone)
          c2 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from +81355550101 山田 太郎
          customer c10 ← {"type":"ringing"}
        t=2250ms alarm
          all ← roster: suzuki reserved since 2s
        t=3s c2 says {"type":"ack_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
        t=5s c2 says {"type":"accept_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
          c2 ← status on_call since 5s
          record suzuki Accepted WC01010101010101010101010101010101
          customer c10 ← {"type":"connected"}
        t=5s customer c10 says {"type":"signal","signal":{"kind":"offer","sdp":"v=0 offer"}}
          c2 ← {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"offer","sdp":"v=0 offer"}}
        t=5s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          c2 ← {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=5s c2 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"answer","sdp":"v=0 answer"}}
          customer c10 ← {"type":"signal","signal":{"kind":"answer","sdp":"v=0 answer"}}
        t=5s c2 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          customer c10 ← {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=5250ms alarm
          all ← roster: suzuki on_call since 5s
        t=65s c2 says {"type":"hang_up","conversation":"WC01010101010101010101010101010101"}
          record ended WC01010101010101010101010101010101
          c2 ← status wrap_up since 65s
          customer c10 ← {"type":"ended","reason":"agent_hung_up"}
        t=65s customer c10 closes the page
          ! this connection is not open
        t=65250ms alarm
          all ← roster: suzuki wrap_up since 65s
        t=95s alarm
          c2 ← status available since 95s
          record wrap-up of WC01010101010101010101010101010101 ended by suzuki
        t=95250ms alarm
          all ← roster: suzuki available since 95s
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=Some("suzuki") outcome=Answered queue=None queue_time=0s talk=60s wrap_up=30s legs=[suzuki Some(Anyone) Answered]
    "#]].assert_eq(&stitched(&sim));
}

#[test]
fn the_customer_hanging_up_ends_a_connected_call_and_the_agent_wraps_up() {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    sim.at(30.0);
    sim.take();
    sim.caller_says(10, CallerMessage::HangUp);
    sim.send(
        2,
        ClientMessage::EndWrapUp {
            disposition: Some("resolved".into()),
            notes: None,
        },
    );
    expect![[r#"
        t=30s customer c10 says {"type":"hang_up"}
          record ended WC01010101010101010101010101010101
          c2 ← status wrap_up since 30s
          customer c10 ← {"type":"ended","reason":"caller_hung_up"}
        t=30s c2 says {"type":"end_wrap_up","disposition":"resolved"}
          c2 ← status available since 30s
          record wrap-up of WC01010101010101010101010101010101 ended by suzuki disposition="resolved"
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=Some("suzuki") outcome=Answered queue=None queue_time=0s talk=28s wrap_up=0s legs=[suzuki Some(Anyone) Answered]
    "#]].assert_eq(&stitched(&sim));
}

#[test]
fn with_nobody_free_web_calls_queue_in_order_and_hear_their_position() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Meeting);
    sim.set_away(2, AwayReason::Break);
    sim.web_call(10, Some("first"), None, 1);
    sim.at(10.0);
    sim.web_call(11, Some("second"), None, 2);
    sim.at(20.0);
    sim.set_available(2);
    sim.ack(2, WC1, 1);
    sim.at(30.0);
    sim.caller_gone(11);
    sim.at(40.0);
    expect![[r#"
        t=2s c1 says {"type":"set_status","status":{"kind":"away","reason":"meeting"}}
          c1 ← status away(meeting) since 2s
        t=2s c2 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c2 ← status away(break) since 2s
        t=2s customer c10 calls from the web as Some("first") None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          record queued WC01010101010101010101010101010101
          customer c10 ← {"type":"queued","position":1}
        t=2250ms alarm
          all ← roster: sato away(meeting) since 2s, suzuki away(break) since 2s
        t=10s customer c11 calls from the web as Some("second") None
          = WC02020202020202020202020202020202
          customer c11 ← {"type":"started","conversation":"WC02020202020202020202020202020202"}
          record started WC02020202020202020202020202020202 customer=-
          record queued WC02020202020202020202020202020202
          customer c11 ← {"type":"queued","position":2}
        t=20s c2 says {"type":"set_status","status":{"kind":"available"}}
          c2 ← status available since 20s
          c2 ← status reserved since 20s
          record dequeued WC01010101010101010101010101010101
          record offered WC01010101010101010101010101010101 to suzuki (Queue)
          c2 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? first
          customer c10 ← {"type":"ringing"}
          customer c11 ← {"type":"queued","position":1}
        t=20s c2 says {"type":"ack_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
        t=20250ms alarm
          all ← roster: suzuki reserved since 20s
        t=30s customer c11 closes the page
          record ended WC02020202020202020202020202020202
        t=35s alarm
          c2 ← status available since 35s
          record suzuki NoAnswer WC01010101010101010101010101010101
          c2 ← offer WC01010101010101010101010101010101#1 withdrawn: NoAnswer
          record queued WC01010101010101010101010101010101
          customer c10 ← {"type":"queued","position":1}
        t=35250ms alarm
          all ← roster: suzuki available since 35s
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=None outcome=InProgress queue=Some("web_call") queue_time=18s talk=0s wrap_up=0s legs=[suzuki Some(Queue) NoAnswer]
        interaction:WC02020202020202020202020202020202 channel=web_call number=None answered_by=None outcome=Abandoned { after: Millis(20000) } queue=Some("web_call") queue_time=20s talk=0s wrap_up=0s legs=[]
    "#]].assert_eq(&stitched(&sim));
}

#[test]
fn a_ring_ends_by_presence_deadlines_and_moves_on_like_a_phone_call() {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    // Suzuki never acknowledges; Sato acknowledges but does not answer.
    sim.at(4.0);
    sim.ack(1, WC1, 2);
    sim.at(20.0);
    expect![[r#"
        t=2s customer c10 calls from the web as None None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          c2 ← status reserved since 2s
          record offered WC01010101010101010101010101010101 to suzuki (Anyone)
          c2 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? (no name)
          customer c10 ← {"type":"ringing"}
        t=2250ms alarm
          all ← roster: suzuki reserved since 2s
        t=4s c1 says {"type":"ack_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":2}}
          ! this offer is not ringing at this agent
        t=5s alarm
          c2 ← status away(missed_offer) since 5s
          record suzuki Missed WC01010101010101010101010101010101
          c2 ← offer WC01010101010101010101010101010101#1 withdrawn: NotAcknowledged
          c1 ← status reserved since 5s
          record offered WC01010101010101010101010101010101 to sato (Anyone)
          c1 ← web offer WC01010101010101010101010101010101#2 (ring 15s, ack 3s) from ? (no name)
        t=5250ms alarm
          all ← roster: sato reserved since 5s, suzuki away(missed_offer) since 5s
        t=8s alarm
          c1 ← status away(missed_offer) since 8s
          record sato Missed WC01010101010101010101010101010101
          c1 ← offer WC01010101010101010101010101010101#2 withdrawn: NotAcknowledged
          record queued WC01010101010101010101010101010101
          customer c10 ← {"type":"queued","position":1}
        t=8250ms alarm
          all ← roster: sato away(missed_offer) since 8s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_customer_leaving_while_it_rings_withdraws_the_offer_and_abandons_the_call() {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    sim.at(8.0);
    sim.caller_gone(10);
    accept(&mut sim, 2, WC1, 1);
    sim.at(10.0);
    expect![[r#"
        t=2s customer c10 calls from the web as None None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          c2 ← status reserved since 2s
          record offered WC01010101010101010101010101010101 to suzuki (Anyone)
          c2 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? (no name)
          customer c10 ← {"type":"ringing"}
        t=2s c2 says {"type":"ack_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
        t=2250ms alarm
          all ← roster: suzuki reserved since 2s
        t=8s customer c10 closes the page
          record ended WC01010101010101010101010101010101
          c2 ← offer WC01010101010101010101010101010101#1 withdrawn: CallerHungUp
          c2 ← status available since 8s
        t=8s c2 says {"type":"accept_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
          ! this offer is not ringing at this agent
        t=8250ms alarm
          all ← roster: suzuki available since 8s
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=None outcome=Abandoned { after: Millis(6000) } queue=None queue_time=0s talk=0s wrap_up=0s legs=[suzuki Some(Anyone) Pending]
    "#]].assert_eq(&stitched(&sim));
}

#[test]
fn after_hours_a_web_call_ends_at_once() {
    let mut config = config();
    config.hours = crate::BusinessCalendar {
        weekly: Some(Vec::new()),
        ..Default::default()
    };
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.web_call(10, None, None, 1);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s customer c10 calls from the web as None None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          record ended WC01010101010101010101010101010101
          customer c10 ← {"type":"ended","reason":"closed"}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn typed_names_and_numbers_are_cleaned_cut_or_dropped() {
    let mut sim = office();
    sim.web_call(10, Some(&"名".repeat(100)), Some("not a number"), 1);
    sim.web_call(11, Some(" \n "), Some(&"0".repeat(40)), 2);
    let offers: Vec<String> = sim
        .take()
        .lines()
        .filter(|line| line.contains("web offer"))
        .map(str::to_owned)
        .collect();
    expect![[r#"
        [
            "  c2 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? 名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名",
            "  c1 ← web offer WC02020202020202020202020202020202#1 (ring 15s, ack 3s) from ? (no name)",
        ]
    "#]].assert_debug_eq(&offers);
}

#[test]
fn a_restored_center_keeps_its_web_calls_and_their_sockets() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Meeting);
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    sim.web_call(11, None, None, 2);
    sim.take();
    sim.restore();
    caller_signal(&mut sim, 10, candidate());
    agent_signal(&mut sim, 2, WC1, candidate());
    sim.set_available(1);
    sim.ack(1, WC2, 1);
    sim.caller_gone(11);
    expect![[r#"
        t=2s (restored from JSON)
        t=2s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          c2 ← {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=2s c2 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          customer c10 ← {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=2s c1 says {"type":"set_status","status":{"kind":"available"}}
          c1 ← status available since 2s
          c1 ← status reserved since 2s
          record dequeued WC02020202020202020202020202020202
          record offered WC02020202020202020202020202020202 to sato (Queue)
          c1 ← web offer WC02020202020202020202020202020202#1 (ring 15s, ack 3s) from ? (no name)
          customer c11 ← {"type":"ringing"}
        t=2s c1 says {"type":"ack_offer","offer":{"interaction":"WC02020202020202020202020202020202","attempt":1}}
        t=2s customer c11 closes the page
          record ended WC02020202020202020202020202020202
          c1 ← offer WC02020202020202020202020202020202#1 withdrawn: CallerHungUp
          c1 ← status available since 2s
    "#]]
    .assert_eq(&sim.take());
    assert_eq!(sim.center.callers().count(), 1);
}

#[test]
fn a_customer_socket_that_never_starts_is_overdue_after_the_start_window() {
    let mut config = config();
    config.web_call_start_within = tsunagu_core::Millis::from_secs(10);
    let opened = tsunagu_core::Timestamp(1_000_000);
    let overdue = |after_ms: u64| {
        config.caller_start_overdue(opened, tsunagu_core::Timestamp(opened.0 + after_ms))
    };
    assert!(!overdue(0));
    assert!(!overdue(9_999));
    assert!(overdue(10_000));
    // A clock that went backwards (another isolate's) does not free a line early.
    assert!(!config.caller_start_overdue(opened, tsunagu_core::Timestamp(opened.0 - 5_000)));
}
