//! The lookup order (D1, then the legacy Worker secret, failing closed) and the isolate cache's TTL decisions.

use expect_test::expect;
use tsunagu_secrets::{
    Cached, D1Read, Decision, Resolved, Rotation, SecretCache, SecretName, Unavailable, Version,
    cache, decide,
};

const NAME: SecretName = SecretName::EmbedSecret;

fn rotation(current: &str, previous: Option<(&str, u64)>) -> Rotation {
    Rotation {
        name: NAME,
        current: current.to_owned(),
        previous: previous.map(|(value, until)| Version {
            value: value.to_owned(),
            valid_until_ms: Some(until),
        }),
    }
}

/// `source values keep` or the refusal, for one case of the lookup.
fn show(decision: &Result<Decision, Unavailable>) -> String {
    match decision {
        Ok(Decision { resolved, keep_ms }) => format!(
            "{} {:?} keep={keep_ms:?}",
            resolved.source().map_or("unset", |s| s.as_str()),
            resolved.valid_at(0),
        ),
        Err(err) => format!("refused: {err}"),
    }
}

#[test]
fn d1_first_then_the_worker_secret_and_closed_when_neither_can_be_known() {
    let legacy = || Some("legacy-value".to_owned());
    let stale = Resolved {
        found: Some((
            tsunagu_secrets::Source::D1,
            rotation("stale-d1-value", None),
        )),
    };
    let cases = [
        (
            "row, legacy too",
            decide(
                NAME,
                D1Read::Opened(rotation("d1-value", Some(("old-value", 5)))),
                legacy(),
                None,
            ),
        ),
        (
            "no row, legacy",
            decide(NAME, D1Read::NoRow, legacy(), None),
        ),
        ("no row, no legacy", decide(NAME, D1Read::NoRow, None, None)),
        (
            "row does not open, legacy",
            decide(NAME, D1Read::Unopenable, legacy(), Some(&stale)),
        ),
        (
            "D1 fails, stale copy",
            decide(NAME, D1Read::Failed, legacy(), Some(&stale)),
        ),
        (
            "D1 fails, cold, legacy",
            decide(NAME, D1Read::Failed, legacy(), None),
        ),
        (
            "D1 fails, cold, no legacy",
            decide(NAME, D1Read::Failed, None, None),
        ),
    ];
    let text: Vec<String> = cases
        .iter()
        .map(|(case, decision)| format!("{case}: {}", show(decision)))
        .collect();
    expect![[r#"
        row, legacy too: d1 ["d1-value", "old-value"] keep=Some(60000)
        no row, legacy: worker_secret ["legacy-value"] keep=Some(60000)
        no row, no legacy: unset [] keep=Some(60000)
        row does not open, legacy: refused: the tenant's sealed secret does not open with the master keys in force
        D1 fails, stale copy: d1 ["stale-d1-value"] keep=None
        D1 fails, cold, legacy: worker_secret ["legacy-value"] keep=Some(5000)
        D1 fails, cold, no legacy: refused: D1 cannot be read and no copy of the secret is at hand"#]]
    .assert_eq(&text.join("\n"));
}

#[test]
fn the_previous_value_verifies_only_until_its_grace_ends() {
    let resolved = decide(
        NAME,
        D1Read::Opened(rotation("new", Some(("old", 1_000)))),
        None,
        None,
    )
    .expect("opened");
    expect![[r#"[["new", "old"], ["new", "old"], ["new"], ["new"]]"#]].assert_eq(&format!(
        "{:?}",
        [0, 999, 1_000, 5_000].map(|now| resolved.resolved.valid_at(now))
    ));
    // Secrets we sign with never keep a previous value, even if one were stored.
    let api_key = Rotation {
        name: SecretName::TwilioApiKeySecret,
        ..rotation("new", Some(("old", 1_000)))
    };
    expect![[r#"["new"]"#]].assert_eq(&format!("{:?}", api_key.valid_at(0)));
}

#[test]
fn debug_never_shows_a_value() {
    let resolved = Resolved {
        found: Some((
            tsunagu_secrets::Source::D1,
            rotation("current-plaintext", Some(("previous-plaintext", 7))),
        )),
    };
    let text = format!("{resolved:?}");
    expect![[r#"Resolved { found: Some((D1, Rotation { name: EmbedSecret, current: …, previous: Some(Version(…, valid_until_ms: Some(7))) })) }"#]]
    .assert_eq(&text);
    assert!(!text.contains("plaintext"));
}

/// What the cache answers for `key` at each time, as F(resh), S(tale) or -.
fn timeline(cache: &SecretCache<&'static str, u32>, key: &'static str, times: &[u64]) -> String {
    times
        .iter()
        .map(|t| match cache.get(&key, *t) {
            Cached::Fresh(v) => format!("{t}:F{v}"),
            Cached::Stale(v) => format!("{t}:S{v}"),
            Cached::Missing => format!("{t}:-"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn fresh_for_the_ttl_then_stale_if_error_then_gone() {
    let mut cache = SecretCache::with_capacity(8);
    cache.insert("demo", 1, 1_000, cache::FRESH_MS);
    let stale_end = 1_000 + cache::FRESH_MS + cache::STALE_IF_ERROR_MS;
    expect!["1000:F1 60999:F1 61000:S1 660999:S1 661000:-"].assert_eq(&timeline(
        &cache,
        "demo",
        &[1_000, 60_999, 61_000, stale_end - 1, stale_end],
    ));
    // An answer made while D1 failed is kept briefly: D1 is asked again soon.
    cache.insert("acme", 2, 1_000, cache::FALLBACK_MS);
    expect!["1000:F2 5999:F2 6000:S2"].assert_eq(&timeline(&cache, "acme", &[1_000, 5_999, 6_000]));
    cache.remove(&"acme");
    expect!["1000:-"].assert_eq(&timeline(&cache, "acme", &[1_000]));
}

#[test]
fn a_failed_verification_rereads_at_most_once_per_gap() {
    let mut cache = SecretCache::with_capacity(8);
    assert!(cache.may_refresh(&"demo", 0), "nothing cached: read");
    cache.insert("demo", 1, 10_000, cache::FRESH_MS);
    let answers = [10_000, 14_999, 15_000].map(|now| cache.may_refresh(&"demo", now));
    expect!["[false, false, true]"].assert_eq(&format!("{answers:?}"));
    // A read that brought nothing new (D1 failed) still counts: the next waits a whole gap.
    cache.note_read(&"demo", 15_000);
    let answers = [15_000, 19_999, 20_000].map(|now| cache.may_refresh(&"demo", now));
    expect!["[false, false, true]"].assert_eq(&format!("{answers:?}"));
    expect!["15000:F1"].assert_eq(&timeline(&cache, "demo", &[15_000]));
}

#[test]
fn a_full_cache_drops_dead_entries_then_the_oldest() {
    let mut cache = SecretCache::with_capacity(2);
    cache.insert("a", 1, 0, cache::FRESH_MS);
    cache.insert("b", 2, 100, cache::FRESH_MS);
    cache.insert("c", 3, 200, cache::FRESH_MS);
    expect!["200:- 200:F2 200:F3"].assert_eq(&format!(
        "{} {} {}",
        timeline(&cache, "a", &[200]),
        timeline(&cache, "b", &[200]),
        timeline(&cache, "c", &[200])
    ));
    assert_eq!(cache.len(), 2);
    // Long after, every entry is past use: they all go before a live one would.
    let later = 10_000_000;
    cache.insert("d", 4, later, cache::FRESH_MS);
    assert_eq!(cache.len(), 1);
}
