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
fn agent_ids_leave_room_for_the_tenant_in_a_twilio_identity() {
    check_agent_id(
        &"a".repeat(57),
        expect!["ok aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    );
    check_agent_id(
        &"a".repeat(58),
        expect!["error: agent id is longer than 57 characters"],
    );
}

#[test]
fn ids_deserialize_through_validation() {
    let ok: TenantId = serde_json::from_str(r#""demo""#).expect("valid tenant id");
    assert_eq!(ok.as_str(), "demo");
    let err = serde_json::from_str::<TenantId>(r#""de mo""#).map_err(|e| e.to_string());
    expect![[r#"Err("tenant id may contain only lower-case ASCII letters, digits and `-`")"#]]
        .assert_eq(&format!("{err:?}"));
}

#[test]
fn tenant_ids_are_lower_case_letters_digits_and_dashes_up_to_63() {
    let check = |raw: &str| match TenantId::new(raw) {
        Ok(id) => format!("ok {id} -> {}", id.secret_name_part()),
        Err(err) => format!("error: {err}"),
    };
    let long = "a".repeat(64);
    let cases = ["acme-jp", "acme_jp", "ACME-JP", "Acme", "demo2", "", &long];
    let actual: Vec<String> = cases.iter().map(|raw| check(raw)).collect();
    expect![[r#"
        [
            "ok acme-jp -> ACME_JP",
            "error: tenant id may contain only lower-case ASCII letters, digits and `-`",
            "error: tenant id may contain only lower-case ASCII letters, digits and `-`",
            "error: tenant id may contain only lower-case ASCII letters, digits and `-`",
            "ok demo2 -> DEMO2",
            "error: tenant id must not be empty",
            "error: tenant id is longer than 63 characters",
        ]
    "#]]
    .assert_debug_eq(&actual);
    assert!(TenantId::new("a".repeat(63)).is_ok());
}

proptest::proptest! {
    /// Two different tenants never share a secret name: the mapping is one-to-one over valid ids.
    /// `b` is `a` with some characters' case flipped or `-`/`_` swapped: the strings that
    /// would collide if the charset allowed them.
    #[test]
    fn tenant_secret_names_never_collide(
        a in "[A-Za-z0-9_-]{1,63}",
        flips in proptest::collection::vec(proptest::bool::ANY, 63),
    ) {
        let b: String = a
            .chars()
            .zip(&flips)
            .map(|(c, flip)| match (c, flip) {
                (_, false) => c,
                ('-', true) => '_',
                ('_', true) => '-',
                (c, true) if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
                (c, true) => c.to_ascii_lowercase(),
            })
            .collect();
        if let (Ok(a), Ok(b)) = (TenantId::new(a), TenantId::new(b)) {
            proptest::prop_assert_eq!(a == b, a.secret_name_part() == b.secret_name_part());
        }
    }

    /// Whatever the string, a tenant id is either refused or of the documented charset.
    #[test]
    fn accepted_tenant_ids_are_in_the_charset(raw in "[ -~]{0,70}") {
        if let Ok(id) = TenantId::new(raw.clone()) {
            proptest::prop_assert!(id.as_str().len() <= 63);
            proptest::prop_assert!(raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
    }
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

mod client_identity {
    use expect_test::{Expect, expect};

    use crate::{AgentId, CLIENT_IDENTITY_MAX, ClientIdentity, TenantId};

    fn written(tenant: &str, agent: &str, expect: &Expect) {
        let identity = ClientIdentity::new(
            TenantId::new(tenant).expect("tenant"),
            AgentId::new(agent).expect("agent"),
        );
        expect.assert_eq(&identity.to_string());
    }

    fn read(raw: &str, expect: &Expect) {
        let actual = match ClientIdentity::parse(raw) {
            Ok(identity) => format!("ok {} / {}", identity.tenant(), identity.agent()),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn identities_carry_the_tenant() {
        written("demo", "sato", &expect!["demo_sato"]);
        written("acme-jp", "sato", &expect!["acmeXjp_sato"]);
        written("a-b-c", "Yamada_Taro", &expect!["aXbXc_Yamada_Taro"]);
        written(
            &"t".repeat(63),
            &"a".repeat(57),
            &expect![[
                "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            ]],
        );
    }

    #[test]
    fn identities_read_back_or_say_why_not() {
        read("demo_sato", &expect!["ok demo / sato"]);
        read("acmeXjp_sato_2", &expect!["ok acme-jp / sato_2"]);
        // The bare agent id of releases before the namespace: not an identity Tsunagu writes.
        read(
            "sato",
            &expect!["error: the identity has no `_` between tenant and agent"],
        );
        read(
            "acme-jp_sato",
            &expect![
                "error: the identity's tenant part is not a tenant id: tenant id may contain only lower-case ASCII letters, digits and `-`"
            ],
        );
        read(
            "Demo_sato",
            &expect![
                "error: the identity's tenant part is not a tenant id: tenant id may contain only lower-case ASCII letters, digits and `-`"
            ],
        );
        read(
            "_sato",
            &expect![
                "error: the identity's tenant part is not a tenant id: tenant id must not be empty"
            ],
        );
        read(
            "demo_",
            &expect![
                "error: the identity's agent part is not an agent id: agent id must not be empty"
            ],
        );
    }

    proptest::proptest! {
        /// Every identity Tsunagu writes is a valid Twilio identity and reads back to its pair;
        /// distinct pairs never share one (they read back differently).
        #[test]
        fn identities_round_trip_and_fit_twilio(
            tenant in "[a-z0-9-]{1,63}",
            agent in "[A-Za-z0-9_]{1,57}",
        ) {
            let pair = ClientIdentity::new(TenantId::new(tenant).expect("tenant charset"), AgentId::new(agent).expect("agent charset"));
            let written = pair.to_string();
            proptest::prop_assert!(written.len() <= CLIENT_IDENTITY_MAX);
            proptest::prop_assert!(written.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            proptest::prop_assert_eq!(ClientIdentity::parse(&written), Ok(pair));
        }

        /// Whatever the string, reading it never panics, and what reads is written back the same
        /// way: one spelling per pair.
        #[test]
        fn reading_any_string_is_safe_and_canonical(raw in "[ -~]{0,130}") {
            if let Ok(identity) = ClientIdentity::parse(&raw) {
                proptest::prop_assert_eq!(identity.to_string(), raw);
            }
        }
    }
}
