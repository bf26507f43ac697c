//! Embed tokens: round trips, the tenant peek, and a snapshot of every refusal.

use expect_test::expect;
use serde_json::{Value, json};

use super::{NOW, SECRET, sample_claims, sample_wire_claims, sign_raw, token_from_parts};
use crate::{AuthError, EmbedClaims, mint_embed_token, peek_tenant, verify_embed_token};

fn describe(result: Result<EmbedClaims, AuthError>) -> String {
    match result {
        Ok(claims) => format!(
            "ok tenant={} agent={} name={:?} team={:?} roles={:?} jti={} iat={} exp={}",
            claims.tenant,
            claims.agent,
            claims.name,
            claims.team.as_ref().map(ToString::to_string),
            claims.roles,
            claims.token_id,
            claims.issued_at,
            claims.expires_at
        ),
        Err(err) => format!("error: {err} ({err:?})"),
    }
}

/// The sample wire claims with `edit` applied (a `null` value removes the claim).
fn edited(edit: &Value) -> Value {
    let mut claims = sample_wire_claims();
    for (name, value) in edit.as_object().expect("edit is an object") {
        let object = claims.as_object_mut().expect("claims are an object");
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    claims
}

#[test]
fn a_minted_token_verifies_to_the_same_claims() {
    let token = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    expect![[r#"ok tenant=acme-jp agent=sato_k name="佐藤 健" team=Some("support") roles={Supervisor} jti=embed-0001 iat=1700000000 exp=1700000300"#]]
        .assert_eq(&describe(verify_embed_token(&token, SECRET, NOW)));
    assert_eq!(verify_embed_token(&token, SECRET, NOW), Ok(sample_claims()));
}

#[test]
fn minted_claims_are_what_a_crm_would_write() {
    let token = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    let decoded = crate::jwt::decode_unverified(&token).expect("well formed");
    expect![[r#"{"alg":"HS256","typ":"JWT"} {"aud":"tsunagu-embed","exp":1700000300,"iat":1700000000,"iss":"acme-jp","jti":"embed-0001","name":"佐藤 健","roles":["supervisor"],"sub":"sato_k","team":"support"}"#]]
        .assert_eq(&format!("{} {}", decoded.header, decoded.claims));
}

#[test]
fn peek_tenant_reads_iss_without_a_key() {
    let token = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    expect!["Ok(TenantId(\"acme-jp\"))"].assert_eq(&format!("{:?}", peek_tenant(&token)));
    let no_iss = sign_raw(&edited(&json!({"iss": null})));
    expect![[r#"Err(InvalidClaim("iss"))"#]].assert_eq(&format!("{:?}", peek_tenant(&no_iss)));
    let bad_iss = sign_raw(&edited(&json!({"iss": "../etc"})));
    expect![[r#"Err(InvalidClaim("iss"))"#]].assert_eq(&format!("{:?}", peek_tenant(&bad_iss)));
    expect!["Err(Malformed)"].assert_eq(&format!("{:?}", peek_tenant("garbage")));
}

#[test]
fn verification_follows_the_time_rules() {
    let token = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    let exp = sample_claims().expires_at;
    let iat = sample_claims().issued_at;
    let at = |now: u64| describe(verify_embed_token(&token, SECRET, now)).replace(" (", "\n    (");
    let actual = [
        ("one second before expiry", exp - 1),
        ("at expiry", exp),
        ("issued 60 s in our future (clock skew)", iat - 60),
        ("issued 61 s in our future", iat - 61),
    ]
    .map(|(label, now)| format!("{label}: {}\n", at(now)))
    .concat();
    expect![[r#"
        one second before expiry: ok tenant=acme-jp agent=sato_k name="佐藤 健" team=Some("support") roles={Supervisor} jti=embed-0001 iat=1700000000 exp=1700000300
        at expiry: error: The token has expired.
            (Expired)
        issued 60 s in our future (clock skew): ok tenant=acme-jp agent=sato_k name="佐藤 健" team=Some("support") roles={Supervisor} jti=embed-0001 iat=1700000000 exp=1700000300
        issued 61 s in our future: error: The token is not valid yet.
            (NotYetValid)
    "#]]
    .assert_eq(&actual);
}

#[test]
fn every_claim_is_checked() {
    let long_name = "名".repeat(101);
    let cases = [
        ("as the sample", json!({})),
        ("aud as an array", json!({"aud": ["crm", "tsunagu-embed"]})),
        ("aud missing", json!({"aud": null})),
        ("aud of a session token", json!({"aud": "tsunagu-session"})),
        ("aud not a string", json!({"aud": 1})),
        ("iss missing", json!({"iss": null})),
        ("iss with a slash", json!({"iss": "acme/jp"})),
        ("sub missing", json!({"sub": null})),
        ("sub with a space", json!({"sub": "sato k"})),
        ("name missing", json!({"name": null})),
        ("name empty", json!({"name": ""})),
        ("name blank", json!({"name": "   "})),
        ("name 100 characters", json!({"name": "名".repeat(100)})),
        ("name 101 characters", json!({"name": long_name})),
        ("name with a newline", json!({"name": "Sato\nadmin"})),
        ("name with a bidi override", json!({"name": "Sato\u{202E}"})),
        ("team absent", json!({"team": null})),
        ("team invalid", json!({"team": "sup port"})),
        ("team a number", json!({"team": 7})),
        ("roles absent", json!({"roles": null})),
        ("roles empty", json!({"roles": []})),
        ("roles unknown only", json!({"roles": ["auditor"]})),
        ("roles admin", json!({"roles": ["admin"]})),
        (
            "roles both and unknown",
            json!({"roles": ["agent", "root", "supervisor"]}),
        ),
        ("roles uppercase", json!({"roles": ["SUPERVISOR"]})),
        ("roles a string", json!({"roles": "supervisor"})),
        ("roles with a number", json!({"roles": ["agent", 1]})),
        ("jti missing", json!({"jti": null})),
        ("jti empty", json!({"jti": ""})),
        ("jti 128 characters", json!({"jti": "j".repeat(128)})),
        ("jti 129 characters", json!({"jti": "j".repeat(129)})),
        ("jti with a space", json!({"jti": "a b"})),
        ("jti not ASCII", json!({"jti": "トークン"})),
        ("jti a number", json!({"jti": 7})),
        ("iat missing", json!({"iat": null})),
        ("iat fractional", json!({"iat": 1_700_000_000.5})),
        ("iat negative", json!({"iat": -1})),
        ("iat a string", json!({"iat": "1700000000"})),
        ("exp missing", json!({"exp": null})),
        ("exp before iat", json!({"exp": NOW - 1})),
        ("exp equal to iat", json!({"exp": NOW})),
        ("lifetime 600 s", json!({"exp": NOW + 600})),
        ("lifetime 601 s", json!({"exp": NOW + 601})),
        ("lifetime u64::MAX", json!({"exp": u64::MAX})),
        ("nbf in the past", json!({"nbf": NOW - 10})),
        ("nbf 61 s ahead", json!({"nbf": NOW + 61})),
        ("nbf a string", json!({"nbf": "soon"})),
    ];
    let actual: String = cases
        .iter()
        .map(|(label, edit)| {
            let token = sign_raw(&edited(edit));
            let result = verify_embed_token(&token, SECRET, NOW);
            let summary = match result {
                Ok(claims) => format!("ok roles={:?} team={:?}", claims.roles, claims.team),
                Err(err) => format!("error: {err}"),
            };
            format!("{label}: {summary}\n")
        })
        .collect();
    expect![[r#"
        as the sample: ok roles={Supervisor} team=Some(TeamId("support"))
        aud as an array: ok roles={Supervisor} team=Some(TeamId("support"))
        aud missing: error: The token is meant for another audience.
        aud of a session token: error: The token is meant for another audience.
        aud not a string: error: The token is meant for another audience.
        iss missing: error: The token's `iss` claim is missing or invalid.
        iss with a slash: error: The token's `iss` claim is missing or invalid.
        sub missing: error: The token's `sub` claim is missing or invalid.
        sub with a space: error: The token's `sub` claim is missing or invalid.
        name missing: error: The token's `name` claim is missing or invalid.
        name empty: error: The token's `name` claim is missing or invalid.
        name blank: error: The token's `name` claim is missing or invalid.
        name 100 characters: ok roles={Supervisor} team=Some(TeamId("support"))
        name 101 characters: error: The token's `name` claim is missing or invalid.
        name with a newline: error: The token's `name` claim is missing or invalid.
        name with a bidi override: error: The token's `name` claim is missing or invalid.
        team absent: ok roles={Supervisor} team=None
        team invalid: error: The token's `team` claim is missing or invalid.
        team a number: error: The token's `team` claim is missing or invalid.
        roles absent: ok roles={Agent} team=Some(TeamId("support"))
        roles empty: ok roles={Agent} team=Some(TeamId("support"))
        roles unknown only: ok roles={Agent} team=Some(TeamId("support"))
        roles admin: ok roles={Admin} team=Some(TeamId("support"))
        roles both and unknown: ok roles={Agent, Supervisor} team=Some(TeamId("support"))
        roles uppercase: ok roles={Agent} team=Some(TeamId("support"))
        roles a string: error: The token's `roles` claim is missing or invalid.
        roles with a number: error: The token's `roles` claim is missing or invalid.
        jti missing: error: The token has no `jti` claim; every embed token needs a unique id.
        jti empty: error: The token's `jti` claim is missing or invalid.
        jti 128 characters: ok roles={Supervisor} team=Some(TeamId("support"))
        jti 129 characters: error: The token's `jti` claim is missing or invalid.
        jti with a space: error: The token's `jti` claim is missing or invalid.
        jti not ASCII: error: The token's `jti` claim is missing or invalid.
        jti a number: error: The token's `jti` claim is missing or invalid.
        iat missing: error: The token's `iat` claim is missing or invalid.
        iat fractional: error: The token's `iat` claim is missing or invalid.
        iat negative: error: The token's `iat` claim is missing or invalid.
        iat a string: error: The token's `iat` claim is missing or invalid.
        exp missing: error: The token's `exp` claim is missing or invalid.
        exp before iat: error: The token's `exp` claim is missing or invalid.
        exp equal to iat: error: The token's `exp` claim is missing or invalid.
        lifetime 600 s: ok roles={Supervisor} team=Some(TeamId("support"))
        lifetime 601 s: error: The token's lifetime is longer than allowed.
        lifetime u64::MAX: error: The token's lifetime is longer than allowed.
        nbf in the past: ok roles={Supervisor} team=Some(TeamId("support"))
        nbf 61 s ahead: error: The token is not valid yet.
        nbf a string: error: The token's `nbf` claim is missing or invalid.
    "#]]
    .assert_eq(&actual);
}

#[test]
fn secrets_and_signatures_are_checked_first() {
    let token = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    let short = &SECRET[..31];
    let other = b"another-tenant-embed-secret-32by";
    let hs512 = token_from_parts(
        r#"{"alg":"HS512","typ":"JWT"}"#,
        &sample_wire_claims().to_string(),
    );
    let actual = format!(
        "short secret: {:?}\nother tenant's secret: {:?}\nHS512: {:?}\nmint with short secret: {:?}\n",
        verify_embed_token(&token, short, NOW),
        verify_embed_token(&token, other, NOW),
        verify_embed_token(&hs512, SECRET, NOW),
        mint_embed_token(&sample_claims(), short),
    );
    expect![[r#"
        short secret: Err(WeakSecret)
        other tenant's secret: Err(BadSignature)
        HS512: Err(UnsupportedAlgorithm)
        mint with short secret: Err(WeakSecret)
    "#]]
    .assert_eq(&actual);
}

#[test]
fn minting_refuses_claims_that_could_never_verify() {
    let mint = |edit: fn(&mut EmbedClaims)| {
        let mut claims = sample_claims();
        edit(&mut claims);
        format!("{:?}", mint_embed_token(&claims, SECRET).map(|_| "token"))
    };
    let actual = [
        mint(|c| c.expires_at = c.issued_at + 601),
        mint(|c| c.expires_at = c.issued_at),
        mint(|c| c.name = "Sato\u{7}".to_owned()),
        mint(|c| c.token_id.clear()),
        mint(|c| c.roles.clear()),
    ]
    .join("\n");
    expect![[r#"
        Err(LifetimeTooLong)
        Err(InvalidClaim("exp"))
        Err(InvalidClaim("name"))
        Err(InvalidClaim("jti"))
        Ok("token")"#]]
    .assert_eq(&actual);
}

#[test]
fn a_token_without_roles_is_minted_with_the_agent_role() {
    let mut claims = sample_claims();
    claims.roles.clear();
    let token = mint_embed_token(&claims, SECRET).expect("valid claims");
    let decoded = crate::jwt::decode_unverified(&token).expect("well formed");
    expect![[r#"["agent"]"#]].assert_eq(&decoded.claims["roles"].to_string());
}
