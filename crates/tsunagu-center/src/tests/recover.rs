//! Recovering a center from storage with bad entries: quarantine what cannot be read, never refuse the tenant.

use std::collections::BTreeMap;

use expect_test::expect;
use proptest::prelude::*;

use super::{Sim, config};
use crate::{Center, Recovered};

type Stored = BTreeMap<String, String>;

/// A center with one agent and one call ringing them, as stored.
fn stored() -> Stored {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.center.entries().into_iter().collect()
}

fn recover(stored: Stored) -> Recovered {
    Center::recover_entries(stored.into_iter().collect(), Some(&config()))
        .unwrap_or_else(|e| panic!("recover: {e}"))
}

/// `fresh`, then each quarantined key with its reason, then the agents and calls kept.
fn describe(recovered: &Recovered) -> String {
    let kept: Vec<String> = recovered
        .center
        .entries()
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| key != "meta")
        .collect();
    let mut lines = vec![format!("fresh: {}", recovered.fresh)];
    for q in &recovered.quarantined {
        lines.push(format!("quarantined {}: {}", q.key, q.reason));
    }
    lines.push(format!("kept: {}", kept.join(", ")));
    lines.join("\n")
}

#[test]
fn bad_entries_are_set_aside_and_the_rest_loads() {
    let good = stored();
    let mut cases = Vec::new();
    let mut case = |name: &str, change: &dyn Fn(&mut Stored)| {
        let mut broken = good.clone();
        change(&mut broken);
        cases.push(format!("## {name}\n{}", describe(&recover(broken))));
    };
    case("nothing wrong", &|_| {});
    case("a foreign key", &|s| {
        s.insert("origin".into(), "\"x\"".into());
    });
    case("a roster mark that is not JSON", &|s| {
        s.insert("roster/suzuki".into(), "{".into());
    });
    case("an unreadable call the agent's offer points at", &|s| {
        s.insert("call/CA1".into(), "{".into());
    });
    case("no meta", &|s| {
        s.remove("meta");
    });
    expect![[r#"
        ## nothing wrong
        fresh: false
        kept: agent/sato, call/CA1, roster/sato
        ## a foreign key
        fresh: false
        quarantined origin: an entry's key is not one of the center's
        kept: agent/sato, call/CA1, roster/sato
        ## a roster mark that is not JSON
        fresh: false
        quarantined roster/suzuki: the roster entry cannot be read
        kept: agent/sato, call/CA1, roster/sato
        ## an unreadable call the agent's offer points at
        fresh: true
        quarantined call/CA1: the call entry cannot be read
        quarantined agent/sato: set aside with the whole store: the call entry cannot be read
        quarantined meta: set aside with the whole store: the call entry cannot be read
        quarantined roster/sato: set aside with the whole store: the call entry cannot be read
        kept: 
        ## no meta
        fresh: true
        quarantined agent/sato: set aside with the whole store: the entries have no meta entry
        quarantined call/CA1: set aside with the whole store: the entries have no meta entry
        quarantined roster/sato: set aside with the whole store: the entries have no meta entry
        kept: "#]]
    .assert_eq(&cases.join("\n"));
}

#[test]
fn without_any_configuration_an_unreadable_store_is_an_error() {
    let mut broken = stored();
    broken.remove("meta");
    assert!(Center::recover_entries(broken.into_iter().collect(), None).is_err());
}

proptest! {
    /// Whatever is corrupted or added, recovery (with the tenant's configuration at hand) never
    /// fails, and every stored entry is either held by the recovered center or quarantined with
    /// its value: nothing is dropped silently.
    #[test]
    fn recovery_never_fails_and_loses_no_entry(
        corrupt in proptest::collection::vec((any::<prop::sample::Index>(), "[{}a-z0-9\"]{0,6}"), 0..4),
        extra in proptest::collection::vec(("[a-z]{1,6}/?[A-Za-z0-9]{0,6}", "[{}a-z0-9\"]{0,6}"), 0..3),
    ) {
        let mut broken = stored();
        let keys: Vec<String> = broken.keys().cloned().collect();
        for (index, value) in corrupt {
            broken.insert(index.get(&keys).clone(), value);
        }
        for (key, value) in extra {
            broken.insert(key, value);
        }
        let recovered = Center::recover_entries(broken.clone().into_iter().collect(), Some(&config()));
        let recovered = match recovered {
            Ok(recovered) => recovered,
            Err(err) => return Err(TestCaseError::fail(format!("recovery failed: {err}"))),
        };
        let held: Stored = recovered.center.entries().into_iter().collect();
        for (key, value) in &broken {
            let quarantined = recovered.quarantined.iter().any(|q| &q.key == key && &q.value == value);
            let kept = !recovered.fresh && held.contains_key(key);
            prop_assert!(quarantined || kept, "{key} is neither kept nor quarantined");
        }
    }
}
