//! Access tokens against the ones Twilio's python and node libraries minted at the same instant.

use std::collections::BTreeMap;

use expect_test::expect;
use proptest::prelude::*;
use serde_json::Value;
use tsunagu_auth::jwt;
use tsunagu_twilio::access_token::{
    AccessToken, AccessTokenError, Identity, MAX_TTL_SECS, OutgoingGrant, VoiceGrant,
};

const VECTORS: &str = include_str!("../../../tests/fixtures/twilio-vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("fixture is JSON")
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// The token a fixture's `inputs` describe; `nbf` is the caller's (python sets it, node not).
fn token_from_inputs(inputs: &Value, nbf: Option<u64>) -> AccessToken {
    let voice = &inputs["voice"];
    let params: BTreeMap<String, String> = voice["outgoing_application_params"]
        .as_object()
        .map(|params| params.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    AccessToken {
        account_sid: text(&inputs["account_sid"]),
        api_key_sid: text(&inputs["api_key_sid"]),
        identity: Identity::try_from(inputs["identity"].as_str().expect("identity"))
            .expect("fixture identity is valid"),
        ttl: inputs["ttl"].as_u64().expect("ttl"),
        voice: Some(VoiceGrant {
            incoming_allow: voice["incoming_allow"] == true,
            outgoing: voice["outgoing_application_sid"]
                .as_str()
                .map(|sid| OutgoingGrant {
                    application_sid: sid.to_owned(),
                    params,
                }),
            push_credential_sid: voice["push_credential_sid"].as_str().map(str::to_owned),
            endpoint_id: None,
        }),
        region: inputs["region"].as_str().map(str::to_owned),
        nbf,
    }
}

fn mint(vector: &Value, nbf: Option<u64>) -> jwt::Decoded {
    let now = vector["fixed_now_unix"].as_u64().expect("fixed now");
    let inputs = &vector["inputs"];
    let secret = inputs["api_key_secret"].as_str().expect("secret");
    let token = token_from_inputs(inputs, nbf)
        .to_jwt(secret, now)
        .expect("fixture inputs are valid");
    jwt::verify(&token, secret.as_bytes()).expect("our token verifies with the fixture secret")
}

#[test]
fn minted_tokens_match_the_python_library() {
    let vectors = vectors();
    let python = vectors["access_tokens"]["python"]
        .as_array()
        .expect("python vectors");
    assert_eq!(python.len(), 2);
    for vector in python {
        // twilio-python 9.13.0 writes `nbf = now` by default, so ask for it; it writes no `iat`
        // (node's jsonwebtoken does, and twilio.md §2.2 says to emit it), so drop ours.
        let now = vector["fixed_now_unix"].as_u64();
        let mut ours = mint(vector, now);
        let iat = ours
            .claims
            .as_object_mut()
            .expect("claims object")
            .remove("iat");
        assert_eq!(iat, now.map(Value::from), "{}", vector["name"]);
        assert_eq!(ours.header, vector["header"], "{}", vector["name"]);
        assert_eq!(ours.claims, vector["payload"], "{}", vector["name"]);
    }
}

#[test]
fn minted_tokens_match_the_node_library_exactly() {
    let vectors = vectors();
    let node = &vectors["access_tokens"]["node"];
    let ours = mint(node, None);
    assert_eq!(ours.header, node["header"]);
    assert_eq!(ours.claims, node["payload"]);
}

#[test]
fn the_fixture_tokens_verify_with_the_fixture_secret() {
    let vectors = vectors();
    let tokens = &vectors["access_tokens"];
    let all: Vec<&Value> = tokens["python"]
        .as_array()
        .expect("python vectors")
        .iter()
        .chain([&tokens["node"]])
        .collect();
    for vector in all {
        assert_eq!(vector["hs256_signature_verifies"], true);
        let secret = vector["inputs"]["api_key_secret"].as_str().expect("secret");
        let token = vector["jwt"].as_str().expect("jwt");
        let decoded = jwt::verify(token, secret.as_bytes()).expect("fixture verifies");
        assert_eq!(decoded.header, vector["header"]);
        assert_eq!(decoded.claims, vector["payload"]);
        assert!(jwt::verify(token, b"another secret").is_err());
    }
}

#[test]
fn a_minted_token_reads_like_this() {
    let vectors = vectors();
    let decoded = mint(&vectors["access_tokens"]["python"][1], None);
    let pretty = serde_json::to_string_pretty(&serde_json::json!({
        "header": decoded.header,
        "claims": decoded.claims,
    }))
    .expect("JSON");
    expect![[r#"
        {
          "claims": {
            "exp": 1700000600,
            "grants": {
              "identity": "agent_bob",
              "voice": {
                "incoming": {
                  "allow": true
                },
                "outgoing": {
                  "application_sid": "AP00000000000000000000000000000003"
                }
              }
            },
            "iat": 1700000000,
            "iss": "SK00000000000000000000000000000002",
            "jti": "SK00000000000000000000000000000002-1700000000",
            "sub": "AC00000000000000000000000000000001"
          },
          "header": {
            "alg": "HS256",
            "cty": "twilio-fpa;v=1",
            "twr": "au1",
            "typ": "JWT"
          }
        }"#]]
    .assert_eq(&pretty);
}

#[test]
fn minting_refuses_bad_inputs_with_clear_errors() {
    let base = || {
        let vectors = vectors();
        token_from_inputs(&vectors["access_tokens"]["node"]["inputs"], None)
    };
    let secret = "super-secret-api-key-secret-0001";
    let now = 1_700_000_000;
    let outcome = |token: AccessToken, secret: &str| match token.to_jwt(secret, now) {
        Ok(_) => "ok".to_owned(),
        Err(err) => format!("{err:?}: {err}"),
    };
    let edit = |change: fn(&mut AccessToken)| {
        let mut token = base();
        change(&mut token);
        outcome(token, secret)
    };
    let set_outgoing = |token: &mut AccessToken, sid: &str| {
        if let Some(outgoing) = token.voice.as_mut().and_then(|v| v.outgoing.as_mut()) {
            outgoing.application_sid = sid.to_owned();
        }
    };
    let cases = [
        ("as in the fixture", edit(|_| {})),
        ("ttl 86400", edit(|t| t.ttl = MAX_TTL_SECS)),
        ("ttl 86401", edit(|t| t.ttl = MAX_TTL_SECS + 1)),
        ("ttl 0", edit(|t| t.ttl = 0)),
        (
            "account sid with SK",
            edit(|t| t.account_sid = t.api_key_sid.clone()),
        ),
        ("account sid short", edit(|t| t.account_sid.truncate(33))),
        (
            "api key sid lowercase prefix",
            edit(|t| t.api_key_sid.replace_range(..2, "sk")),
        ),
        (
            "api key sid not hex",
            edit(|t| t.api_key_sid.replace_range(33.., "g")),
        ),
        ("app sid with AC", {
            let mut token = base();
            set_outgoing(&mut token, "AC00000000000000000000000000000003");
            outcome(token, secret)
        }),
        (
            "push credential not CR",
            edit(|t| {
                if let Some(voice) = t.voice.as_mut() {
                    voice.push_credential_sid =
                        Some("XX00000000000000000000000000000004".to_owned());
                }
            }),
        ),
        ("region au1", edit(|t| t.region = Some("au1".to_owned()))),
        (
            "region uppercase",
            edit(|t| t.region = Some("AU1".to_owned())),
        ),
        ("region empty", edit(|t| t.region = Some(String::new()))),
        ("nbf at now", edit(|t| t.nbf = Some(1_700_000_000))),
        ("nbf at expiry", edit(|t| t.nbf = Some(1_700_003_600))),
        ("empty secret", outcome(base(), "")),
        (
            "now at u64::MAX",
            base()
                .to_jwt(secret, u64::MAX)
                .err()
                .map(|e| format!("{e:?}"))
                .unwrap_or_default(),
        ),
    ];
    let actual: String = cases
        .iter()
        .map(|(label, result)| format!("{label}: {result}\n"))
        .collect();
    expect![[r#"
        as in the fixture: ok
        ttl 86400: ok
        ttl 86401: InvalidTtl: The token lifetime must be between 1 and 86400 seconds.
        ttl 0: InvalidTtl: The token lifetime must be between 1 and 86400 seconds.
        account sid with SK: InvalidSid { kind: "account sid", prefix: "AC" }: The account sid must be `AC` followed by 32 hexadecimal digits.
        account sid short: InvalidSid { kind: "account sid", prefix: "AC" }: The account sid must be `AC` followed by 32 hexadecimal digits.
        api key sid lowercase prefix: InvalidSid { kind: "API key sid", prefix: "SK" }: The API key sid must be `SK` followed by 32 hexadecimal digits.
        api key sid not hex: InvalidSid { kind: "API key sid", prefix: "SK" }: The API key sid must be `SK` followed by 32 hexadecimal digits.
        app sid with AC: InvalidSid { kind: "TwiML App sid", prefix: "AP" }: The TwiML App sid must be `AP` followed by 32 hexadecimal digits.
        push credential not CR: InvalidSid { kind: "push credential sid", prefix: "CR" }: The push credential sid must be `CR` followed by 32 hexadecimal digits.
        region au1: ok
        region uppercase: InvalidRegion: The region must be 1 to 16 lowercase ASCII letters or digits, such as `au1`.
        region empty: InvalidRegion: The region must be 1 to 16 lowercase ASCII letters or digits, such as `au1`.
        nbf at now: ok
        nbf at expiry: NotBeforeAfterExpiry: The not-before time must be earlier than the expiry.
        empty secret: EmptySecret: The API key secret is empty.
        now at u64::MAX: TimeOutOfRange
    "#]]
    .assert_eq(&actual);
}

#[test]
fn a_token_with_only_an_identity_has_no_voice_grant() {
    let identity = Identity::try_from("agent_alice").expect("valid identity");
    let token = AccessToken::new(
        "AC00000000000000000000000000000001",
        "SK00000000000000000000000000000002",
        identity,
    )
    .to_jwt("secret", 1_700_000_000)
    .expect("valid token");
    let claims = jwt::decode_unverified(&token).expect("well formed").claims;
    expect![[r#"{"exp":1700003600,"grants":{"identity":"agent_alice"},"iat":1700000000,"iss":"SK00000000000000000000000000000002","jti":"SK00000000000000000000000000000002-1700000000","sub":"AC00000000000000000000000000000001"}"#]]
        .assert_eq(&claims.to_string());
}

#[test]
fn identity_rules() {
    let check = |raw: &str| match Identity::try_from(raw) {
        Ok(identity) => format!("ok {identity}"),
        Err(err) => format!("{err}"),
    };
    let actual = [
        check("agent_alice"),
        check(""),
        check("agent-alice"),
        check("agent alice"),
        check("佐藤"),
        check(&"a".repeat(121)).len().to_string(),
        check(&"a".repeat(122)),
    ]
    .join("\n");
    expect![[r#"
        ok agent_alice
        The identity must be 1 to 121 ASCII letters, digits or underscores.
        The identity must be 1 to 121 ASCII letters, digits or underscores.
        The identity must be 1 to 121 ASCII letters, digits or underscores.
        The identity must be 1 to 121 ASCII letters, digits or underscores.
        124
        The identity must be 1 to 121 ASCII letters, digits or underscores."#]]
    .assert_eq(&actual);
}

proptest! {
    #[test]
    fn identities_are_exactly_the_restricted_charset(raw in "\\PC{0,130}|[A-Za-z0-9_]{0,130}") {
        let expected = (1..=121).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let parsed = Identity::try_from(raw.as_str());
        prop_assert_eq!(parsed.is_ok(), expected);
        if let Ok(identity) = parsed {
            prop_assert_eq!(identity.as_str(), raw.as_str());
        }
    }

    #[test]
    fn every_valid_identity_ends_up_in_the_grant(raw in "[A-Za-z0-9_]{1,121}", now in 0..4_000_000_000_u64) {
        let identity = Identity::try_from(raw.as_str()).expect("valid identity");
        let token = AccessToken::new(
            "AC00000000000000000000000000000001",
            "SK00000000000000000000000000000002",
            identity,
        )
        .to_jwt("secret", now)
        .expect("valid token");
        let claims = jwt::verify(&token, b"secret").expect("verifies").claims;
        prop_assert_eq!(&claims["grants"]["identity"], &Value::from(raw));
        prop_assert_eq!(&claims["exp"], &Value::from(now + 3600));
    }
}

#[test]
fn errors_are_typed() {
    let err: AccessTokenError = Identity::try_from("no way").expect_err("invalid");
    assert_eq!(err, AccessTokenError::InvalidIdentity);
}
