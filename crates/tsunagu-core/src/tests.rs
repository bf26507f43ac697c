//! Unit tests for identifiers and time arithmetic.

use expect_test::{Expect, expect};

use crate::{AgentId, Millis, TenantId, Timestamp};

#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "expect![] snapshots read best passed by value"
)]
fn check_agent_id(raw: &str, expect: Expect) {
    let actual = match AgentId::new(raw) {
        Ok(id) => format!("ok {id}"),
        Err(err) => format!("error: {err}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn agent_ids_accept_twilio_identity_characters() {
    check_agent_id("sato_k01", expect!["ok sato_k01"]);
}

#[test]
fn agent_ids_reject_dashes_because_twilio_identities_do() {
    check_agent_id(
        "sato-k",
        expect!["error: agent id may contain only ASCII letters, digits and `_`"],
    );
}

#[test]
fn agent_ids_reject_empty() {
    check_agent_id("", expect!["error: agent id must not be empty"]);
}

#[test]
fn agent_ids_reject_spaces_and_japanese() {
    check_agent_id(
        "佐藤",
        expect!["error: agent id may contain only ASCII letters, digits and `_`"],
    );
    check_agent_id(
        "a b",
        expect!["error: agent id may contain only ASCII letters, digits and `_`"],
    );
}

#[test]
fn agent_ids_are_capped_at_twilio_identity_length() {
    check_agent_id(
        &"a".repeat(121),
        expect![[
            r#"ok aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#
        ]],
    );
    check_agent_id(
        &"a".repeat(122),
        expect!["error: agent id is longer than 121 characters"],
    );
}

#[test]
fn ids_deserialize_through_validation() {
    let ok: TenantId = serde_json::from_str(r#""demo""#).expect("valid tenant id");
    assert_eq!(ok.as_str(), "demo");
    let err = serde_json::from_str::<TenantId>(r#""de mo""#).map_err(|e| e.to_string());
    expect![[r#"Err("tenant id may contain only ASCII letters, digits, `_` and `-`")"#]]
        .assert_eq(&format!("{err:?}"));
}

#[test]
fn time_differences_never_go_negative() {
    let t0 = Timestamp(10_000);
    assert_eq!(
        (t0 + Millis::from_secs(3)).saturating_since(t0),
        Millis(3000)
    );
    assert_eq!(t0.saturating_since(t0 + Millis(1)), Millis(0));
    expect!["3s 1500ms"].assert_eq(&format!("{} {}", Millis(3000), Millis(1500)));
}
