//! The web-call settings: the API's refusals and bounds, and the contact center reading what the
//! API writes (milliseconds, the site key, the defaults) with the TURN lifetime kept in bounds.

use expect_test::expect;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tsunagu_center::CenterConfig;

use super::errors;
use crate::{
    WebCallSettings,
    web_calls::{CALL_LENGTH_MINUTES, QUEUE_WAIT_SECS},
};

fn body() -> Value {
    json!({
        "max_web_calls": 8,
        "max_web_calls_per_address": 1,
        "web_call_start_within_secs": 15,
        "max_web_queue_wait_secs": 120,
        "max_web_call_length_minutes": 30,
        "turnstile_site_key": " 0x4AAAAAAAB-cd_EF ",
    })
}

/// The center configuration a tenant with these stored fields runs under.
fn center(stored: Map<String, Value>) -> CenterConfig {
    let mut whole = stored;
    whole.insert("tenant".into(), "acme".into());
    whole.insert("tenant_name".into(), json!({"ja": "アクメ", "en": "Acme"}));
    serde_json::from_value(Value::Object(whole)).expect("the center reads what the API writes")
}

#[test]
fn every_problem_at_once_in_both_languages() {
    errors(
        WebCallSettings::validate(&json!({
            "max_web_calls": 0,
            "max_web_calls_per_address": 51,
            "web_call_start_within_secs": "10",
            "max_web_queue_wait_secs": 29,
            "turnstile_site_key": "<script>",
            "turnstile_secret_missing": "ignored: read-only",
        })),
        &expect![[r#"
            max_web_calls "not_in_range" | 1 以上 500 以下の整数で指定してください | must be a whole number from 1 to 500
            max_web_calls_per_address "not_in_range" | 1 以上 50 以下の整数で指定してください | must be a whole number from 1 to 50
            web_call_start_within_secs "not_in_range" | 5 以上 120 以下の整数で指定してください | must be a whole number from 5 to 120
            max_web_queue_wait_secs "not_in_range" | 30 以上 1800 以下の整数で指定してください | must be a whole number from 30 to 1800
            max_web_call_length_minutes "required" | 必須項目です | this field is required
            turnstile_site_key "invalid_site_key" | Turnstile のサイトキー（半角英数字・「_」・「-」、64 文字以内）を指定してください | must be a Turnstile site key (ASCII letters, digits, `_` and `-`, at most 64 characters)"#]],
    );
    errors(
        WebCallSettings::validate(&json!("settings")),
        &expect![[r#" "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#]],
    );
}

#[test]
fn the_site_key_must_be_sent_null_or_blank_is_none_and_only_a_key_is_taken() {
    let with = |key: Value| {
        let mut body = body();
        body["turnstile_site_key"] = key;
        WebCallSettings::validate(&body).map(|settings| settings.turnstile_site_key)
    };
    assert_eq!(with(Value::Null), Ok(None));
    assert_eq!(with(json!("  ")), Ok(None));
    assert_eq!(
        with(json!("1x00000000000000000000AA")),
        Ok(Some("1x00000000000000000000AA".to_owned()))
    );
    assert_eq!(with(json!("k".repeat(64))), Ok(Some("k".repeat(64))));
    for bad in [
        json!("k".repeat(65)),
        json!("0x4 AAA"),
        json!("キー"),
        json!("a\"b"),
    ] {
        errors(
            with(bad),
            &expect![[
                r#"turnstile_site_key "invalid_site_key" | Turnstile のサイトキー（半角英数字・「_」・「-」、64 文字以内）を指定してください | must be a Turnstile site key (ASCII letters, digits, `_` and `-`, at most 64 characters)"#
            ]],
        );
    }
    errors(
        with(json!(7)),
        &expect![[
            r#"turnstile_site_key "not_text" | 文字列で指定してください | must be text (a JSON string)"#
        ]],
    );
    // Left out is not "no challenge": a client that forgot it must not turn the challenge off.
    let mut without = body();
    without
        .as_object_mut()
        .expect("an object")
        .remove("turnstile_site_key");
    errors(
        WebCallSettings::validate(&without),
        &expect![[r#"turnstile_site_key "required" | 必須項目です | this field is required"#]],
    );
}

#[test]
fn each_bound_is_taken_and_one_past_it_refused() {
    let fields = [
        ("max_web_calls", 1, 500),
        ("max_web_calls_per_address", 1, 50),
        ("web_call_start_within_secs", 5, 120),
        ("max_web_queue_wait_secs", 30, 1_800),
        ("max_web_call_length_minutes", 1, 210),
    ];
    for (name, min, max) in fields {
        for (value, ok) in [(min, true), (max, true), (min - 1, false), (max + 1, false)] {
            let mut body = body();
            body[name] = json!(value);
            let result = WebCallSettings::validate(&body);
            assert_eq!(result.is_ok(), ok, "{name} = {value}: {result:?}");
        }
    }
}

#[test]
fn the_center_runs_under_what_is_written_and_the_view_reads_it_back() {
    let settings = WebCallSettings::validate(&body()).expect("valid");
    // Stored fields this resource does not own stay, the web-call switch included.
    let mut stored = json!({
        "web_calls_enabled": true,
        "max_wait": 90000,
        "turnstile_site_key": "old-key",
    })
    .as_object()
    .cloned()
    .expect("an object");
    settings.merge_into_center(&mut stored);
    let config = center(stored.clone());
    config.validate().expect("the center takes it as a whole");
    assert_eq!(
        (
            config.max_web_calls,
            config.max_web_calls_per_address,
            config.web_call_start_within.0,
            config.max_web_queue_wait.0,
            config.max_web_call_length.0,
            config.turnstile_site_key.as_deref(),
        ),
        (8, 1, 15_000, 120_000, 1_800_000, Some("0x4AAAAAAAB-cd_EF"))
    );
    assert!(config.web_calls_enabled && config.max_wait.0 == 90_000);

    let whole = serde_json::to_value(&config).expect("serialises");
    let view = WebCallSettings::view_of_center(&whole, false);
    expect![[r#"{"max_web_call_length_minutes":30,"max_web_calls":8,"max_web_calls_per_address":1,"max_web_queue_wait_secs":120,"turnstile_secret_missing":true,"turnstile_site_key":"0x4AAAAAAAB-cd_EF","web_call_start_within_secs":15}"#]].assert_eq(&view.to_string());
    assert_eq!(
        WebCallSettings::validate(&view).expect("the view is a valid body"),
        settings
    );
    assert_eq!(
        WebCallSettings::view_of_center(&whole, true)["turnstile_secret_missing"],
        json!(false),
        "with the secret set nothing is missing"
    );

    // No key: the stored one is removed (the center's default, no challenge), nothing missing.
    let none = WebCallSettings {
        turnstile_site_key: None,
        ..settings
    };
    none.merge_into_center(&mut stored);
    assert!(!stored.contains_key("turnstile_site_key"));
    let config = center(stored);
    assert_eq!(config.turnstile_site_key, None);
    let view =
        WebCallSettings::view_of_center(&serde_json::to_value(&config).expect("json"), false);
    assert_eq!(
        (
            &view["turnstile_site_key"],
            &view["turnstile_secret_missing"]
        ),
        (&Value::Null, &json!(false))
    );
}

#[test]
fn a_new_tenants_defaults_read_as_a_valid_body() {
    let defaults = center(Map::new());
    let view =
        WebCallSettings::view_of_center(&serde_json::to_value(&defaults).expect("json"), false);
    expect![[r#"{"max_web_call_length_minutes":60,"max_web_calls":20,"max_web_calls_per_address":2,"max_web_queue_wait_secs":300,"turnstile_secret_missing":false,"turnstile_site_key":null,"web_call_start_within_secs":10}"#]].assert_eq(&view.to_string());
    WebCallSettings::validate(&view).expect("the defaults are within the API's bounds");
}

proptest! {
    /// Whatever the API accepts, the center accepts, reads back unchanged, and never mints TURN
    /// credentials for longer than the default cap (4 h).
    #[test]
    fn accepted_settings_round_trip_through_the_center(
        calls in 0_u32..600,
        per_address in 0_u32..60,
        start in 0_u32..130,
        wait in 0_u32..1_900,
        length in 0_u32..220,
        key in proptest::option::of("[0-9A-Za-z_-]{0,70}"),
    ) {
        let body = json!({
            "max_web_calls": calls,
            "max_web_calls_per_address": per_address,
            "web_call_start_within_secs": start,
            "max_web_queue_wait_secs": wait,
            "max_web_call_length_minutes": length,
            "turnstile_site_key": key,
        });
        let Ok(settings) = WebCallSettings::validate(&body) else {
            return Ok(());
        };
        let mut stored = Map::new();
        settings.merge_into_center(&mut stored);
        let config = center(stored);
        prop_assert!(config.validate().is_ok());
        prop_assert!(config.web_call_lifetime().0 <= 4 * 60 * 60 * 1000);
        let view = WebCallSettings::view_of_center(&serde_json::to_value(&config).expect("json"), true);
        prop_assert_eq!(WebCallSettings::validate(&view).expect("valid"), settings);
    }
}

#[test]
fn the_longest_wait_and_call_add_up_to_the_turn_cap() {
    assert_eq!(
        QUEUE_WAIT_SECS.1 + CALL_LENGTH_MINUTES.1 * 60,
        4 * 60 * 60,
        "WEBRTC_TURN_TTL_SECS' default"
    );
}
