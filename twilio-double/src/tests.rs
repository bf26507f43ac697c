//! Unit tests: webhook signing against the project's validator, REST authentication, Access Tokens, dates.

use expect_test::expect;
use tsunagu_twilio::{
    access_token::{AccessToken, Identity},
    rest::basic_auth,
    signature,
};

use crate::{
    client::{TokenError, verify_access_token},
    config::{Account, Config},
    rest::{Credential, authenticate},
    util::{SplitMix64, rfc2822},
    webhook::{Webhook, signed_request},
};

const ACCOUNT: &str = "AC00000000000000000000000000000d30";
const KEY: &str = "SK00000000000000000000000000000d30";

fn config() -> Config {
    Config::from_json(&format!(
        r#"{{"accounts": [{{"account_sid": "{ACCOUNT}", "auth_token": "token-1",
            "api_key_sid": "{KEY}", "api_key_secret": "secret-1"}}]}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn params() -> Vec<(String, String)> {
    vec![
        ("CallSid".to_owned(), "CA1".to_owned()),
        ("From".to_owned(), "+81355550101".to_owned()),
        ("Called".to_owned(), String::new()),
        ("Tag".to_owned(), "zeta".to_owned()),
        ("Tag".to_owned(), "alpha".to_owned()),
        ("Body".to_owned(), "山田 & <b> = %".to_owned()),
    ]
}

#[test]
fn post_webhooks_validate_with_the_workers_validator() {
    let hook = Webhook {
        purpose: "voice".to_owned(),
        url: "http://127.0.0.1:8787/twilio/voice/demo/dial-result?attempt=1&conversation=CA1"
            .to_owned(),
        method: "POST".to_owned(),
        params: params(),
    };
    let (url, sig) = signed_request("token-1", &hook);
    assert_eq!(url, hook.url);
    let found = signature::validate_form("token-1", &url, &hook.params, &sig);
    assert!(found.is_ok(), "{found:?}");
    // Order of parameters does not matter to Twilio's algorithm.
    let mut shuffled = hook.params.clone();
    shuffled.reverse();
    assert!(signature::validate_form("token-1", &url, &shuffled, &sig).is_ok());
    // The wrong token or a changed parameter fails.
    assert!(signature::validate_form("token-2", &url, &hook.params, &sig).is_err());
    let mut altered = hook.params;
    altered[1].1.push('9');
    assert!(signature::validate_form("token-1", &url, &altered, &sig).is_err());
}

#[test]
fn get_webhooks_sign_the_url_with_its_query() {
    let hook = Webhook {
        purpose: "wait_url".to_owned(),
        url: "http://w/hold?b=2".to_owned(),
        method: "GET".to_owned(),
        params: vec![("QueuePosition".to_owned(), "1".to_owned())],
    };
    let (url, sig) = signed_request("token-1", &hook);
    expect!["http://w/hold?b=2&QueuePosition=1"].assert_eq(&url);
    assert!(signature::validate_form("token-1", &url, &[], &sig).is_ok());
}

#[test]
fn signs_the_documented_example() {
    let hook = Webhook {
        purpose: "voice".to_owned(),
        url: "https://mycompany.com/myapp.php?foo=1&bar=2".to_owned(),
        method: "POST".to_owned(),
        params: [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    };
    let (_, sig) = signed_request("12345", &hook);
    expect!["0/KCTR6DLpKmkAf8muzZqo1nDgQ="].assert_eq(&sig);
}

#[test]
fn rest_accepts_the_api_key_or_the_auth_token_only() {
    let config = config();
    let check = |auth: Option<&str>, account: &str| authenticate(&config, account, auth);
    assert_eq!(
        check(Some(&basic_auth(KEY, "secret-1")), ACCOUNT),
        Some(Credential::ApiKey)
    );
    assert_eq!(
        check(Some(&basic_auth(ACCOUNT, "token-1")), ACCOUNT),
        Some(Credential::AuthToken)
    );
    assert_eq!(check(Some(&basic_auth(KEY, "token-1")), ACCOUNT), None);
    assert_eq!(check(Some(&basic_auth(ACCOUNT, "secret-1")), ACCOUNT), None);
    assert_eq!(
        check(
            Some(&basic_auth(KEY, "secret-1")),
            "AC0000000000000000000000000000other"
        ),
        None
    );
    assert_eq!(check(Some("Bearer x"), ACCOUNT), None);
    assert_eq!(check(Some("Basic !!!"), ACCOUNT), None);
    assert_eq!(check(None, ACCOUNT), None);
}

fn token(secret: &str, now: u64, ttl: u64) -> String {
    let identity = Identity::new("sato").unwrap_or_else(|e| panic!("{e}"));
    let mut token = AccessToken::new(ACCOUNT, KEY, identity);
    token.ttl = ttl;
    token.to_jwt(secret, now).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn access_tokens_are_checked_like_twilio() {
    let config = config();
    let now = 1_700_000_000;
    assert_eq!(
        verify_access_token(&config, &token("secret-1", now, 60), now + 1),
        Ok("sato".to_owned())
    );
    assert_eq!(
        verify_access_token(&config, &token("secret-1", now, 60), now + 61),
        Err(TokenError::Expired)
    );
    assert_eq!(
        verify_access_token(&config, &token("wrong", now, 60), now),
        Err(TokenError::BadSignature)
    );
    assert_eq!(
        verify_access_token(&config, "not.a.jwt", now),
        Err(TokenError::Malformed)
    );
    let plain_jwt = tsunagu_auth::jwt::encode(
        &serde_json::Map::new(),
        &serde_json::json!({"iss": KEY, "sub": ACCOUNT, "exp": now + 60, "grants": {"identity": "sato"}}),
        b"secret-1",
    )
    .unwrap_or_default();
    assert_eq!(
        verify_access_token(&config, &plain_jwt, now),
        Err(TokenError::NotAccessToken)
    );
}

#[test]
fn dates_and_ids_are_reproducible() {
    expect!["Tue, 14 Nov 2023 22:13:20 +0000"].assert_eq(&rfc2822(1_700_000_000_000));
    expect!["Thu, 01 Jan 1970 00:00:00 +0000"].assert_eq(&rfc2822(0));
    let date = rfc2822(1_772_000_123_456);
    assert_eq!(
        tsunagu_twilio::params::rfc2822_unix_ms(&date),
        Some(1_772_000_123_000)
    );
    let mut a = SplitMix64::new(7);
    let mut b = SplitMix64::new(7);
    let sid = a.sid("CA");
    assert_eq!(sid, b.sid("CA"));
    assert_eq!(sid.len(), 34);
    assert!(sid[2..].bytes().all(|c| c.is_ascii_hexdigit()));
    expect!["e6984080-bab1-2a02-953a-eb70673e29cb"].assert_eq(&a.token());
}

#[test]
fn demo_config_reads_dev_vars() {
    let vars =
        "# comment\nTENANT_DEMO_TWILIO_AUTH_TOKEN=\"a\"\nTENANT_DEMO_TWILIO_API_KEY_SECRET=\"b\"\n";
    let config = Config::demo("http://127.0.0.1:8787/", vars).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.accounts,
        vec![Account {
            account_sid: ACCOUNT.to_owned(),
            auth_token: "a".to_owned(),
            api_key_sid: KEY.to_owned(),
            api_key_secret: "b".to_owned(),
        }]
    );
    let main = config.number("+815012345678").map(|n| n.voice_url.as_str());
    assert_eq!(
        main,
        Some("http://127.0.0.1:8787/twilio/voice/demo/incoming")
    );
    assert!(Config::demo("http://w", "").is_err());
}
