//! Incremental persistence: deltas add up to the center's entries, restore like a snapshot, stay small.

use std::collections::{BTreeMap, BTreeSet};

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::Timestamp;
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{AwayReason, ClientMessage, RequestedStatus};

use super::{
    Sim, T0, arrival, card, config,
    props::{Run, center_config, op},
};
use crate::{AgentLegStatus, Center, Delta, DialOutcome};

/// Storage as the Durable Object keeps it: every delta applied in order.
type Stored = BTreeMap<String, String>;

/// Applies a delta to `stored`, checking its shape: short ASCII keys, none twice, none both
/// written and deleted, every value JSON.
fn write(stored: &mut Stored, delta: Delta) {
    let mut seen = BTreeSet::new();
    for key in delta.puts.iter().map(|(key, _)| key).chain(&delta.deletes) {
        assert!(key.is_ascii() && key.len() <= 512, "bad key {key:?}");
        assert!(Center::is_entry_key(key), "not an entry key: {key}");
        assert!(seen.insert(key.clone()), "{key} twice in one delta");
    }
    for (key, value) in delta.puts {
        assert!(
            serde_json::from_str::<serde_json::Value>(&value).is_ok(),
            "{key} is not JSON"
        );
        stored.insert(key, value);
    }
    for key in delta.deletes {
        stored.remove(&key);
    }
}

fn entries(center: &Center) -> Stored {
    center.entries().into_iter().collect()
}

/// The keys whose stored value differs from the center's entry (missing, stale or left over).
fn stale_keys(stored: &Stored, center: &Center) -> Vec<String> {
    let current = entries(center);
    let keys: BTreeSet<&String> = stored.keys().chain(current.keys()).collect();
    keys.into_iter()
        .filter(|key| stored.get(*key) != current.get(*key))
        .cloned()
        .collect()
}

fn snapshot_json(center: &Center) -> String {
    serde_json::to_string(&center.snapshot()).unwrap_or_else(|e| panic!("snapshot: {e}"))
}

fn restored_from_snapshot(center: &Center) -> Center {
    let snapshot = serde_json::from_str(&snapshot_json(center)).expect("snapshot deserializes");
    Center::restore(snapshot).unwrap_or_else(|e| panic!("restore: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn entries_written_delta_by_delta_restore_the_center_a_snapshot_restores(
        config in center_config(),
        ops in prop::collection::vec(op(), 1..100),
        split in any::<prop::sample::Index>(),
    ) {
        let split = split.index(ops.len() + 1);
        let (before, after) = ops.split_at(split);
        let mut original = Run::new(config);
        let mut stored = Stored::new();
        write(&mut stored, original.center.take_delta());
        for op in before {
            original.apply(op);
            write(&mut stored, original.center.take_delta());
            // Exactly what changed was journaled: nothing missed, nothing stale left behind.
            prop_assert_eq!(stale_keys(&stored, &original.center), Vec::<String>::new(), "after {:?}", op);
        }
        let from_entries = Center::restore_entries(stored.clone())
            .unwrap_or_else(|e| panic!("restore_entries: {e}"));
        let from_snapshot = restored_from_snapshot(&original.center);
        prop_assert_eq!(snapshot_json(&from_entries), snapshot_json(&from_snapshot));

        let mut continued = Run { center: from_entries, now: original.now, transcript: Vec::new(), silent_callers: original.silent_callers.clone(), explained_offers: original.explained_offers.clone() };
        let mut reference = Run { center: from_snapshot, now: original.now, transcript: Vec::new(), silent_callers: original.silent_callers.clone(), explained_offers: original.explained_offers.clone() };
        // A restored center owes no write: storage already holds what it was restored from.
        write(&mut stored, continued.center.take_delta());
        prop_assert_eq!(stale_keys(&stored, &continued.center), Vec::<String>::new());
        for op in after {
            continued.apply(op);
            reference.apply(op);
            write(&mut stored, continued.center.take_delta());
            prop_assert_eq!(stale_keys(&stored, &continued.center), Vec::<String>::new(), "after {:?}", op);
        }
        prop_assert_eq!(&continued.transcript, &reference.transcript);
        prop_assert_eq!(snapshot_json(&continued.center), snapshot_json(&reference.center));
        let again = Center::restore_entries(stored.into_iter().rev())
            .unwrap_or_else(|e| panic!("restore_entries: {e}"));
        prop_assert_eq!(snapshot_json(&again), snapshot_json(&continued.center));
    }
}

/// The keys each step writes (`+`) and deletes (`-`).
fn delta_line(center: &mut Center) -> String {
    let delta = center.take_delta();
    let puts = delta.puts.iter().map(|(key, _)| format!("+{key}"));
    let deletes = delta.deletes.iter().map(|key| format!("-{key}"));
    puts.chain(deletes).collect::<Vec<_>>().join(" ")
}

#[test]
fn each_step_writes_only_the_entries_it_touched() {
    let mut sim = Sim::new();
    let mut log = Vec::new();
    let mut step = |sim: &mut Sim, what: &str| {
        log.push(format!("{what}: {}", delta_line(&mut sim.center)));
    };
    step(&mut sim, "new");
    sim.connect(1, "sato", &["sales"]);
    step(&mut sim, "sato connects");
    sim.connect(2, "suzuki", &["sales"]);
    step(&mut sim, "suzuki connects");
    sim.at(1.0);
    step(&mut sim, "roster broadcast");
    sim.call("CA1", Some("sato"), Some("sales"));
    step(&mut sim, "CA1 rings sato");
    sim.call("CA2", Some("sato"), Some("sales"));
    step(&mut sim, "CA2 rings suzuki");
    sim.call("CA3", None, None);
    step(&mut sim, "CA3 queued");
    sim.wait("CA3");
    step(&mut sim, "CA3 queue poll");
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    step(&mut sim, "sato answers CA1");
    sim.hang_up("CA2");
    step(&mut sim, "CA2 hangs up: suzuki takes CA3");
    sim.at(700.0);
    step(&mut sim, "ten minutes later");
    sim.wait("CA3");
    step(&mut sim, "next input: CA2 is forgotten");
    expect![[r#"
        new: +meta
        sato connects: +meta +agent/sato +roster/sato
        suzuki connects: +agent/suzuki +roster/suzuki
        roster broadcast: +meta -roster/sato -roster/suzuki
        CA1 rings sato: +meta +agent/sato +call/CA1 +roster/sato
        CA2 rings suzuki: +agent/suzuki +call/CA2 +roster/suzuki
        CA3 queued: +call/CA3
        CA3 queue poll: 
        sato answers CA1: +agent/sato +call/CA1
        CA2 hangs up: suzuki takes CA3: +agent/suzuki +call/CA2 +call/CA3
        ten minutes later: +meta +agent/suzuki +call/CA3 -roster/sato -roster/suzuki
        next input: CA2 is forgotten: +meta -call/CA2"#]]
    .assert_eq(&log.join("\n"));
}

const BIG_AGENTS: u64 = 2_000;
const BIG_QUEUE: u64 = 1_000;

/// 2,000 agents signed in and on a break, 1,000 calls waiting, every delta written.
fn big_center() -> Center {
    let mut center = Center::new(config()).unwrap_or_else(|e| panic!("{e}"));
    let teams = ["t0", "t1", "t2", "t3"];
    for n in 0..BIG_AGENTS {
        let team = teams.get(n as usize % teams.len()).copied().unwrap_or("t0");
        center
            .agent_connected(T0, ConnectionId(n), card(&format!("a{n:05}"), &[team]))
            .unwrap_or_else(|e| panic!("{e}"));
        let away = ClientMessage::SetStatus {
            status: RequestedStatus::Away {
                reason: AwayReason::Break,
            },
        };
        center
            .client_message(T0, ConnectionId(n), away)
            .unwrap_or_else(|e| panic!("{e}"));
        while center.poll_output().is_some() {}
    }
    for n in 0..BIG_QUEUE {
        let owner = format!("a{:05}", n * 7 % BIG_AGENTS);
        center.call_arrived(T0, arrival(&format!("CA{n:032x}"), Some(&owner), None));
        while center.poll_output().is_some() {}
    }
    // The roster broadcast is sent, so the inputs below start a fresh window.
    center.handle_timeout(Timestamp(T0.0 + 1_000));
    while center.poll_output().is_some() {}
    assert_eq!(center.queue_len(), BIG_QUEUE as usize);
    center.take_delta();
    center
}

fn measure(center: &mut Center, what: &str, limits: (usize, usize)) -> String {
    while center.poll_output().is_some() {}
    let delta = center.take_delta();
    let bytes: usize = delta
        .puts
        .iter()
        .map(|(key, value)| key.len() + value.len())
        .chain(delta.deletes.iter().map(String::len))
        .sum();
    let (max_puts, max_bytes) = limits;
    assert!(
        delta.puts.len() <= max_puts && bytes <= max_bytes,
        "{what}: {} puts, {} deletes, {bytes} bytes",
        delta.puts.len(),
        delta.deletes.len()
    );
    let largest = delta
        .puts
        .iter()
        .map(|(key, value)| format!("{}={}B", key.split('/').next().unwrap_or(key), value.len()))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{what}: {} puts, {} deletes, {bytes} bytes ({largest})",
        delta.puts.len(),
        delta.deletes.len()
    )
}

#[test]
fn one_input_on_a_big_center_writes_a_handful_of_small_entries() {
    let limits = (8, 16 * 1024);
    let mut center = big_center();
    let full: usize = center
        .entries()
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    let now = Timestamp(T0.0 + 2_000);
    let mut report = vec![format!("all entries: {} KB", full / 1024)];

    center.call_arrived(now, arrival("CAnew", Some("a00001"), None));
    report.push(measure(&mut center, "a call arrives and queues", limits));

    let head = crate::calls::interaction_of(&super::sid(&format!("CA{:032x}", 0)));
    center.queue_wait(now, &head);
    report.push(measure(&mut center, "a queue poll", limits));

    let back = ClientMessage::SetStatus {
        status: RequestedStatus::Available,
    };
    center
        .client_message(now, ConnectionId(0), back)
        .unwrap_or_else(|e| panic!("{e}"));
    report.push(measure(
        &mut center,
        "an agent comes back and is offered the head call",
        limits,
    ));

    center.call_ended(now, &super::sid(&format!("CA{:032x}", 500)));
    report.push(measure(&mut center, "a queued caller hangs up", limits));

    let ringing = center
        .calls
        .iter()
        .find(|(_, call)| matches!(call.place, crate::state::Place::Ringing { .. }))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("a call rings"));
    center.dial_finished(now, &ringing, 1, DialOutcome::NoAnswer, false);
    report.push(measure(
        &mut center,
        "the ring goes unanswered and the call queues again",
        limits,
    ));
    // Visible with `cargo test -- --nocapture`; the numbers are in the crate's report.
    println!("{}", report.join("\n"));
}

#[test]
fn a_center_restored_from_a_snapshot_writes_every_entry_once() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    let mut restored = restored_from_snapshot(&sim.center);
    let mut stored = Stored::new();
    write(&mut stored, restored.take_delta());
    assert_eq!(stored, entries(&restored));
    assert_eq!(
        stored.len(),
        4,
        "meta, agent, call, roster mark: {stored:?}"
    );
    assert!(restored.take_delta().is_empty());
    let again = Center::restore_entries(stored).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snapshot_json(&again), snapshot_json(&restored));
}

#[test]
fn a_new_configuration_rewrites_every_agent() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "suzuki", &["sales"]);
    let mut stored = Stored::new();
    write(&mut stored, sim.center.take_delta());
    let mut config = config();
    config.presence.wrap_up = tsunagu_core::Millis(0);
    sim.center
        .set_config(config)
        .unwrap_or_else(|e| panic!("{e}"));
    write(&mut stored, sim.center.take_delta());
    assert_eq!(stored, entries(&sim.center));
}

#[test]
fn entries_that_do_not_fit_together_are_refused() {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    let stored = entries(&sim.center);
    let refused = |change: &dyn Fn(&mut Stored)| {
        let mut broken = stored.clone();
        change(&mut broken);
        Center::restore_entries(broken).err()
    };
    expect![[r#"
        [
            Some(
                MissingMeta,
            ),
            Some(
                UnknownKey,
            ),
            Some(
                UnreadableEntry {
                    kind: "call",
                },
            ),
            Some(
                Router(
                    StoredRouterError(
                        "a stored contact disagrees with the agents' offers and load",
                    ),
                ),
            ),
            Some(
                Router(
                    StoredRouterError(
                        "an agent is reserved for a contact not offered to them",
                    ),
                ),
            ),
            None,
        ]
    "#]]
    .assert_debug_eq(&[
        refused(&|s| {
            s.remove("meta");
        }),
        refused(&|s| {
            s.insert("origin".into(), "\"x\"".into());
        }),
        refused(&|s| {
            s.insert("call/CA1".into(), "{".into());
        }),
        refused(&|s| {
            s.remove("agent/sato");
            s.insert("agent/sato".into(), lone_agent(&stored));
        }),
        refused(&|s| {
            s.remove("call/CA1");
        }),
        refused(&|_| {}),
    ]);
}

/// Sato's entry without the router's facts about him.
fn lone_agent(stored: &Stored) -> String {
    let mut value: serde_json::Value = stored
        .get("agent/sato")
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("route".into(), serde_json::Value::Null);
    }
    value.to_string()
}
