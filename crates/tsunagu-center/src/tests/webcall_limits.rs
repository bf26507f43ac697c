//! Abuse limits of web calls: off by default, a few sockets per network address, a longest wait, and an unanswered web ring never sends an agent away.

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::{Millis, Timestamp};
use tsunagu_presence::ConnectionId;

use super::{Sim, config};
use crate::{AddressKey, Center, CenterError, OpenCallerSocket, WebCallStart};

const WC1: &str = "WC01010101010101010101010101010101";

#[test]
fn web_calls_are_off_unless_the_tenant_turns_them_on() {
    let mut off = config();
    off.web_calls_enabled = false;
    let mut center = Center::new(off.clone()).expect("a valid config");
    let start = WebCallStart {
        name: None,
        number: None,
        random: [1; 16],
    };
    assert_eq!(
        center.web_call_started(Timestamp(0), ConnectionId(10), start),
        Err(CenterError::WebCallsOff)
    );
    let defaults = crate::CenterConfig::new(off.tenant.clone(), off.tenant_name.clone());
    assert!(!defaults.web_calls_on(), "a new tenant takes no web calls");
    let stored: crate::CenterConfig = serde_json::from_value(serde_json::json!({
        "tenant": "demo", "tenant_name": { "ja": "デモ", "en": "Demo" },
    }))
    .expect("a stored config without the new fields loads");
    assert!(
        !stored.web_calls_on(),
        "nor does a tenant row written before the setting"
    );
    assert_eq!(
        off.admit_caller_socket(Timestamp(0), &[], AddressKey([0; 16])),
        Err(crate::CallerRefusal::WebCallsOff)
    );
}

#[test]
fn an_unanswered_web_ring_leaves_the_agent_available_and_the_call_ends_after_the_longest_wait() {
    let mut config = config();
    config.max_web_queue_wait = Millis::from_secs(60);
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.web_call(10, None, None, 1);
    sim.ack(1, WC1, 1);
    sim.at(20.0);
    sim.at(61.0);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s customer c10 calls from the web as None None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          c1 ← status reserved since 0s
          record offered WC01010101010101010101010101010101 to sato (Anyone)
          c1 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? (no name)
          customer c10 ← {"type":"ringing"}
        t=0s c1 says {"type":"ack_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
        t=250ms alarm
          all ← roster: sato reserved since 0s
        t=15s alarm
          c1 ← status available since 15s
          record sato NoAnswer WC01010101010101010101010101010101
          c1 ← offer WC01010101010101010101010101010101#1 withdrawn: NoAnswer
          record queued WC01010101010101010101010101010101
          customer c10 ← {"type":"queued","position":1}
        t=15250ms alarm
          all ← roster: sato available since 15s
        t=60s alarm
          record ended WC01010101010101010101010101010101
          customer c10 ← {"type":"ended","reason":"wait_too_long"}
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=None outcome=Abandoned { after: Millis(60000) } queue=Some("web_call") queue_time=45s talk=0s wrap_up=0s legs=[sato Some(Anyone) NoAnswer]
    "#]]
    .assert_eq(&super::webcalls::stitched(&sim));
}

fn socket(opened_ms: u64, started: bool, address: u8) -> OpenCallerSocket {
    OpenCallerSocket {
        opened_at: Timestamp(opened_ms),
        started,
        address: Some(AddressKey([address; 16])),
    }
}

#[test]
fn one_address_holds_at_most_a_few_sockets_and_idle_pages_give_their_lines_up() {
    let mut config = config();
    config.max_web_calls = 4;
    config.max_web_calls_per_address = 2;
    config.web_call_start_within = Millis::from_secs(10);
    let now = Timestamp(100_000);
    let cases = [
        ("nobody yet", vec![], 1),
        ("address 1 has one call", vec![socket(0, true, 1)], 1),
        (
            "address 1 has two calls",
            vec![socket(0, true, 1), socket(0, true, 1)],
            1,
        ),
        (
            "address 1 has two calls; another address",
            vec![socket(0, true, 1), socket(0, true, 1)],
            2,
        ),
        (
            "address 1 has a call and a fresh idle page",
            vec![socket(0, true, 1), socket(95_000, false, 1)],
            1,
        ),
        (
            "address 1 has a call and an overdue idle page",
            vec![socket(0, true, 1), socket(0, false, 1)],
            1,
        ),
        (
            "four lines taken",
            vec![
                socket(0, true, 1),
                socket(0, true, 2),
                socket(0, true, 3),
                socket(0, true, 4),
            ],
            5,
        ),
        (
            "four lines, one held by an overdue page",
            vec![
                socket(0, true, 1),
                socket(0, false, 2),
                socket(0, true, 3),
                socket(0, true, 4),
            ],
            5,
        ),
        (
            "four lines, one held by a fresh page",
            vec![
                socket(0, true, 1),
                socket(95_000, false, 2),
                socket(0, true, 3),
                socket(0, true, 4),
            ],
            5,
        ),
    ];
    let actual: String = cases
        .iter()
        .map(|(what, open, address)| {
            let verdict = match config.admit_caller_socket(now, open, AddressKey([*address; 16])) {
                Ok(admission) if admission.close.is_empty() => "let in".to_owned(),
                Ok(admission) => format!("let in, closing {:?}", admission.close),
                Err(refusal) => format!("refused: {refusal}"),
            };
            format!("{what}, address {address}: {verdict}\n")
        })
        .collect();
    expect![[r#"
        nobody yet, address 1: let in
        address 1 has one call, address 1: let in
        address 1 has two calls, address 1: refused: too many calls from this network at once; please try again later
        address 1 has two calls; another address, address 2: let in
        address 1 has a call and a fresh idle page, address 1: refused: too many calls from this network at once; please try again later
        address 1 has a call and an overdue idle page, address 1: let in, closing [1]
        four lines taken, address 5: refused: all web call lines are busy; please try again later
        four lines, one held by an overdue page, address 5: let in, closing [1]
        four lines, one held by a fresh page, address 5: refused: all web call lines are busy; please try again later
    "#]]
    .assert_eq(&actual);
}

fn any_socket() -> impl Strategy<Value = OpenCallerSocket> {
    (
        0..20_000u64,
        any::<bool>(),
        proptest::option::weighted(0.9, 0..4u8),
    )
        .prop_map(|(opened, started, address)| OpenCallerSocket {
            opened_at: Timestamp(opened),
            started,
            address: address.map(|a| AddressKey([a; 16])),
        })
}

proptest! {
    /// Whatever sockets are open, one let in never leaves an address above its share or the
    /// tenant above its lines (counting what still counts after the closes), and never closes a
    /// socket with a call.
    #[test]
    fn admission_keeps_both_limits_and_never_closes_a_call(
        open in proptest::collection::vec(any_socket(), 0..12),
        address in 0..4u8,
        max_lines in 0..6u32,
        per_address in 0..4u32,
        now in 0..40_000u64,
    ) {
        let mut config = config();
        config.max_web_calls = max_lines;
        config.max_web_calls_per_address = per_address;
        config.web_call_start_within = Millis::from_secs(10);
        let now = Timestamp(now);
        let key = AddressKey([address; 16]);
        if let Ok(admission) = config.admit_caller_socket(now, &open, key) {
            for &index in &admission.close {
                prop_assert!(!open[index].started, "a started call is never closed");
            }
            let counts = |socket: &OpenCallerSocket| {
                socket.started || !config.caller_start_overdue(socket.opened_at, now)
            };
            let kept: Vec<&OpenCallerSocket> = open
                .iter()
                .enumerate()
                .filter(|(index, _)| !admission.close.contains(index))
                .map(|(_, socket)| socket)
                .collect();
            let live = kept.iter().filter(|s| counts(s)).count() + 1;
            let mine = kept.iter().filter(|s| s.address == Some(key) && counts(s)).count() + 1;
            prop_assert!(live <= max_lines as usize);
            prop_assert!(mine <= per_address as usize);
        }
    }
}
