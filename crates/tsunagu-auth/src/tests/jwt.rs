//! Compact HS256 JWS: known vectors from other libraries, and every way a token is refused.

use expect_test::expect;
use serde_json::{Map, Value, json};

use super::{SECRET, token_from_parts};
use crate::jwt::{self, Decoded, JwtError, MAX_TOKEN_LEN};

const TWILIO_VECTORS: &str = include_str!("../../../../tests/fixtures/twilio-vectors.json");

fn describe(result: Result<Decoded, JwtError>) -> String {
    match result {
        Ok(decoded) => format!("ok header={} claims={}", decoded.header, decoded.claims),
        Err(err) => format!("error: {err} ({err:?})"),
    }
}

#[test]
fn verifies_the_jwt_io_example() {
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    expect![[r#"ok header={"alg":"HS256","typ":"JWT"} claims={"iat":1516239022,"name":"John Doe","sub":"1234567890"}"#]]
        .assert_eq(&describe(jwt::verify(token, b"your-256-bit-secret")));
    expect!["error: The token's signature is invalid. (BadSignature)"]
        .assert_eq(&describe(jwt::verify(token, b"your-256-bit-secreT")));
}

#[test]
fn verifies_tokens_minted_by_twilios_python_and_node_libraries() {
    let vectors: Value = serde_json::from_str(TWILIO_VECTORS).expect("fixture is JSON");
    let tokens = &vectors["access_tokens"];
    let all = tokens["python"]
        .as_array()
        .expect("python tokens")
        .iter()
        .chain([&tokens["node"]]);
    let mut checked = 0;
    for vector in all {
        let secret = vector["inputs"]["api_key_secret"].as_str().expect("secret");
        let token = vector["jwt"].as_str().expect("jwt");
        let decoded = jwt::verify(token, secret.as_bytes()).expect("fixture verifies");
        assert_eq!(decoded.header, vector["header"]);
        assert_eq!(decoded.claims, vector["payload"]);
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn encode_always_writes_hs256_and_jwt_over_the_extras() {
    let mut extra = Map::new();
    extra.insert("cty".to_owned(), json!("twilio-fpa;v=1"));
    extra.insert("alg".to_owned(), json!("none"));
    extra.insert("typ".to_owned(), json!("JOSE"));
    let token = jwt::encode(&extra, &json!({"sub": "x"}), SECRET).expect("object claims");
    expect![[r#"ok header={"alg":"HS256","cty":"twilio-fpa;v=1","typ":"JWT"} claims={"sub":"x"}"#]]
        .assert_eq(&describe(jwt::verify(&token, SECRET)));
}

#[test]
fn encode_refuses_claims_that_are_not_an_object() {
    expect![[r#"Err(ClaimsNotAnObject)"#]].assert_eq(&format!(
        "{:?}",
        jwt::encode(&Map::new(), &json!(["not", "an", "object"]), SECRET)
    ));
}

#[test]
fn verify_refuses_every_other_algorithm_and_shape() {
    let payload = r#"{"sub":"x"}"#;
    let cases = [
        ("hs256", token_from_parts(r#"{"alg":"HS256"}"#, payload)),
        ("alg none, no signature", {
            let signed = token_from_parts(r#"{"alg":"none"}"#, payload);
            let unsigned = signed.rsplit_once('.').expect("three parts").0;
            format!("{unsigned}.")
        }),
        (
            "alg none, signed",
            token_from_parts(r#"{"alg":"none"}"#, payload),
        ),
        (
            "alg lowercase",
            token_from_parts(r#"{"alg":"hs256"}"#, payload),
        ),
        ("alg HS512", token_from_parts(r#"{"alg":"HS512"}"#, payload)),
        ("alg RS256", token_from_parts(r#"{"alg":"RS256"}"#, payload)),
        ("alg missing", token_from_parts(r#"{"typ":"JWT"}"#, payload)),
        (
            "alg not a string",
            token_from_parts(r#"{"alg":256}"#, payload),
        ),
        (
            "crit header",
            token_from_parts(r#"{"alg":"HS256","crit":["b64"],"b64":false}"#, payload),
        ),
        ("header not JSON", token_from_parts("alg=HS256", payload)),
        ("header an array", token_from_parts(r#"["HS256"]"#, payload)),
        (
            "claims an array",
            token_from_parts(r#"{"alg":"HS256"}"#, r#"["x"]"#),
        ),
        (
            "claims not JSON",
            token_from_parts(r#"{"alg":"HS256"}"#, "sub=x"),
        ),
        (
            "two parts",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0".to_owned(),
        ),
        (
            "four parts",
            format!("{}.x", token_from_parts(r#"{"alg":"HS256"}"#, payload)),
        ),
        (
            "padded signature",
            format!("{}=", token_from_parts(r#"{"alg":"HS256"}"#, payload)),
        ),
        ("empty", String::new()),
        ("dots only", "..".to_owned()),
        ("too large", "a".repeat(MAX_TOKEN_LEN + 1)),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, token)| format!("{name}: {}\n", describe(jwt::verify(token, SECRET))))
        .collect();
    expect![[r#"
        hs256: ok header={"alg":"HS256"} claims={"sub":"x"}
        alg none, no signature: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg none, signed: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg lowercase: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg HS512: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg RS256: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg missing: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        alg not a string: error: The token is not signed with HS256. (UnsupportedAlgorithm)
        crit header: error: The token uses a critical header extension that is not supported. (UnsupportedCriticalHeader)
        header not JSON: error: The token is not a well-formed JWT. (Malformed)
        header an array: error: The token is not a well-formed JWT. (Malformed)
        claims an array: error: The token is not a well-formed JWT. (Malformed)
        claims not JSON: error: The token is not a well-formed JWT. (Malformed)
        two parts: error: The token is not a well-formed JWT. (Malformed)
        four parts: error: The token is not a well-formed JWT. (Malformed)
        padded signature: error: The token is not a well-formed JWT. (Malformed)
        empty: error: The token is not a well-formed JWT. (Malformed)
        dots only: error: The token is not a well-formed JWT. (Malformed)
        too large: error: The token is longer than 8 KiB. (TooLarge)
    "#]]
    .assert_eq(&actual);
}

#[test]
fn decode_unverified_reads_any_well_formed_token_without_a_key() {
    let token = token_from_parts(r#"{"alg":"none"}"#, r#"{"iss":"acme"}"#);
    expect![[r#"ok header={"alg":"none"} claims={"iss":"acme"}"#]]
        .assert_eq(&describe(jwt::decode_unverified(&token)));
    expect!["error: The token is not a well-formed JWT. (Malformed)"]
        .assert_eq(&describe(jwt::decode_unverified("not.a.token")));
}
