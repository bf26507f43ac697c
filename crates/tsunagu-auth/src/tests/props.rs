//! Properties: minted tokens verify, any one-character change breaks them, no input panics.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tsunagu_core::{AgentId, TeamId, TenantId};

use super::SECRET;
use crate::{
    EMBED_MAX_LIFETIME_SECS, EmbedClaims, Role, Session, jwt, mint_embed_token, mint_session,
    peek_tenant, verify_embed_token, verify_session,
};

/// Agent ids are Twilio identities: no `-`.
fn agent_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{1,40}"
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,40}"
}

fn tenant_id() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,40}"
}

fn claims() -> impl Strategy<Value = EmbedClaims> {
    (
        tenant_id(),
        agent_id(),
        "[^\\p{Cc}\\p{Cf}]{0,99}[^\\p{Cc}\\p{Cf}\\s]",
        proptest::option::of(id()),
        proptest::sample::subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len()),
        0..4_000_000_000_u64,
        1..=EMBED_MAX_LIFETIME_SECS,
        "[!-~]{1,128}",
    )
        .prop_map(
            |(tenant, agent, name, team, roles, issued_at, lifetime, token_id)| EmbedClaims {
                tenant: TenantId::new(tenant).expect("strategy makes valid ids"),
                agent: AgentId::new(agent).expect("strategy makes valid ids"),
                name,
                team: team.map(|t| TeamId::new(t).expect("strategy makes valid ids")),
                roles: roles.into_iter().collect::<BTreeSet<_>>(),
                token_id,
                issued_at,
                expires_at: issued_at + lifetime,
            },
        )
}

proptest! {
    #[test]
    fn minted_embed_tokens_verify_within_their_lifetime(
        claims in claims(),
        offset in 0..=EMBED_MAX_LIFETIME_SECS,
        skew in 0..=crate::CLOCK_SKEW_SECS,
    ) {
        let token = mint_embed_token(&claims, SECRET).expect("valid claims");
        let now = (claims.issued_at + offset).min(claims.expires_at - 1).saturating_sub(skew);
        let verified = verify_embed_token(&token, SECRET, now).expect("verifies");
        let mut expected = claims.clone();
        if expected.roles.is_empty() {
            expected.roles.insert(Role::Agent);
        }
        prop_assert_eq!(&verified, &expected);
        prop_assert_eq!(peek_tenant(&token), Ok(claims.tenant.clone()));
        prop_assert!(verify_embed_token(&token, SECRET, claims.expires_at).is_err());
    }

    #[test]
    fn sessions_round_trip(
        claims in claims(),
        sid in "[0-9a-f]{32}",
        now in 0..4_000_000_000_u64,
    ) {
        let session = Session::start(claims, sid, now);
        let token = mint_session(&session, SECRET, now).expect("valid session");
        let mut expected = session;
        if expected.roles.is_empty() {
            expected.roles.insert(Role::Agent);
        }
        prop_assert_eq!(verify_session(&token, SECRET, now), Ok(expected));
    }

    #[test]
    fn changing_any_one_character_breaks_the_token(
        claims in claims(),
        position in any::<proptest::sample::Index>(),
        replacement in proptest::char::range(' ', '~'),
    ) {
        let token = mint_embed_token(&claims, SECRET).expect("valid claims");
        let index = position.index(token.len());
        let original = token.as_bytes()[index];
        prop_assume!(original != replacement as u8);
        let mut tampered = token.into_bytes();
        tampered[index] = replacement as u8;
        let tampered = String::from_utf8(tampered).expect("ASCII in, ASCII out");
        prop_assert!(verify_embed_token(&tampered, SECRET, claims.issued_at).is_err());
        prop_assert!(jwt::verify(&tampered, SECRET).is_err());
    }

    #[test]
    fn nothing_panics_on_arbitrary_strings(token in any::<String>(), now in any::<u64>()) {
        let _ = jwt::decode_unverified(&token);
        let _ = jwt::verify(&token, SECRET);
        let _ = peek_tenant(&token);
        let _ = verify_embed_token(&token, SECRET, now);
        let _ = verify_session(&token, SECRET, now);
    }

    #[test]
    fn nothing_panics_on_token_shaped_strings(
        header in "[A-Za-z0-9_-]{0,60}",
        payload in "[A-Za-z0-9_=.-]{0,200}",
        signature in "[A-Za-z0-9_-]{0,50}",
        now in any::<u64>(),
    ) {
        let token = format!("{header}.{payload}.{signature}");
        let _ = jwt::decode_unverified(&token);
        prop_assert!(verify_embed_token(&token, SECRET, now).is_err());
    }

    #[test]
    fn nothing_panics_on_signed_arbitrary_json(claims in arbitrary_json(), now in any::<u64>()) {
        let token = jwt::encode(&serde_json::Map::new(), &serde_json::json!({"x": claims}), SECRET)
            .expect("object claims");
        let _ = verify_embed_token(&token, SECRET, now);
        let _ = verify_session(&token, SECRET, now);
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("iss|sub|aud|name|roles|iat|exp|nbf|team", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
