//! The calling and web-call forms against the worker's own validation (`tsunagu_admin`): what
//! they send for an admin's typing is what the worker accepts, what they read back is what they
//! send, and a typo reaches the worker as a refusal about the field it was typed in.

use serde_json::json;
use tsunagu_protocol::json::Value;

use super::{CallingForm, WebCallsForm, number_or_text};

fn to_serde(value: &Value) -> serde_json::Value {
    serde_json::from_str(&value.to_string()).expect("the form writes JSON")
}

fn from_serde(value: &serde_json::Value) -> Value {
    Value::parse(&value.to_string()).expect("JSON")
}

/// The worker's refusals of `body`, as `field code`.
fn refusals(result: Result<impl std::fmt::Debug, tsunagu_admin::Invalid>) -> Vec<String> {
    match result {
        Ok(accepted) => panic!("accepted: {accepted:?}"),
        Err(invalid) => invalid
            .0
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.field,
                    serde_json::to_value(e).expect("json")["code"]
                )
            })
            .collect(),
    }
}

#[test]
fn numbers_go_as_numbers_blanks_as_null_and_typos_as_typed() {
    assert_eq!(number_or_text(" 45 ").to_string(), "45");
    assert_eq!(number_or_text("  ").to_string(), "null");
    assert_eq!(number_or_text("4５").to_string(), r#""4５""#);
}

#[test]
fn the_calling_form_sends_what_the_worker_accepts_and_reads_its_reply_back() {
    let form = CallingForm {
        countries: "1, 44、 33".into(),
        countries_for_supervisors_only: true,
        numbers: "0570-000-111\n\n+44 20 7946 0107\n".into(),
        max_calls_per_agent: "10".into(),
        rate_window_secs: "600".into(),
        max_concurrent_outbound: "20".into(),
        direct_dial_from_host: true,
        sign_in_status: "away".into(),
        wrap_up_secs: "0".into(),
    };
    let settings = tsunagu_admin::CallingSettings::validate(&to_serde(&form.to_body()))
        .expect("the worker accepts the form");
    assert_eq!(settings.wrap_up_secs, 0);
    // The worker's reply (numbers in E.164), read into the form and sent again: unchanged.
    let reply = serde_json::to_value(&settings).expect("json");
    let read = CallingForm::from_json(&from_serde(&reply));
    assert_eq!(read.countries, "1, 33, 44");
    assert_eq!(read.numbers, "+442079460107\n+81570000111");
    assert_eq!(to_serde(&read.to_body()), reply);
}

#[test]
fn a_calling_typo_is_refused_beside_the_field_it_was_typed_in() {
    let form = CallingForm {
        countries: "1, UK".into(),
        numbers: "not a number".into(),
        max_calls_per_agent: "ten".into(),
        rate_window_secs: "86400".into(),
        max_concurrent_outbound: String::new(),
        sign_in_status: "available".into(),
        wrap_up_secs: "30".into(),
        ..CallingForm::default()
    };
    assert_eq!(
        refusals(tsunagu_admin::CallingSettings::validate(&to_serde(
            &form.to_body()
        ))),
        [
            r#"dial_policy.allowed_countries[1] "not_in_range""#,
            r#"dial_policy.allowed_numbers[0] "invalid_phone""#,
            r#"dial_policy.max_calls_per_agent "not_in_range""#,
            r#"dial_policy.rate_window_secs "not_in_range""#,
            r#"dial_policy.max_concurrent_outbound "required""#,
        ]
    );
}

#[test]
fn the_web_call_form_sends_the_whole_resource_and_reads_the_secret_warning() {
    let reply = json!({
        "max_web_calls": 8, "max_web_calls_per_address": 1, "web_call_start_within_secs": 15,
        "max_web_queue_wait_secs": 120, "max_web_call_length_minutes": 30,
        "turnstile_site_key": "1x00000000000000000000AA", "turnstile_secret_missing": true,
    });
    let form = WebCallsForm::from_json(&from_serde(&reply));
    assert!(form.secret_missing);
    let body = to_serde(&form.to_body());
    let settings = tsunagu_admin::WebCallSettings::validate(&body).expect("accepted");
    assert_eq!(settings.max_web_calls_per_address, 1);
    let mut expected = reply.clone();
    expected
        .as_object_mut()
        .expect("object")
        .remove("turnstile_secret_missing");
    assert_eq!(
        body, expected,
        "every field, the read-only warning left out"
    );

    // A blank key is sent as null: no challenge, not "left out".
    let none = WebCallsForm {
        site_key: "  ".into(),
        ..form
    };
    let body = to_serde(&none.to_body());
    assert_eq!(body["turnstile_site_key"], serde_json::Value::Null);
    assert_eq!(
        tsunagu_admin::WebCallSettings::validate(&body)
            .expect("accepted")
            .turnstile_site_key,
        None
    );
}

#[test]
fn a_web_call_typo_is_refused_beside_its_field() {
    let form = WebCallsForm {
        max_web_calls: "0".into(),
        max_web_calls_per_address: "two".into(),
        start_within_secs: "10".into(),
        queue_wait_secs: String::new(),
        call_length_minutes: "60".into(),
        site_key: "key with spaces".into(),
        secret_missing: false,
    };
    assert_eq!(
        refusals(tsunagu_admin::WebCallSettings::validate(&to_serde(
            &form.to_body()
        ))),
        [
            r#"max_web_calls "not_in_range""#,
            r#"max_web_calls_per_address "not_in_range""#,
            r#"max_web_queue_wait_secs "required""#,
            r#"turnstile_site_key "invalid_site_key""#,
        ]
    );
}
