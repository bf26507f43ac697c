//! The queue form and a line's queue as the admin API reads them: checked with the worker's own
//! validation (`tsunagu_admin`), so what the form sends is what the worker accepts.

use expect_test::expect;
use serde_json::json;
use tsunagu_protocol::json::Value;

use super::{DEMO_MENU, QueueForm, line_with_queue, pretty};

fn to_serde(value: &Value) -> serde_json::Value {
    serde_json::from_str(&value.to_string()).expect("the form writes JSON")
}

fn from_serde(value: &serde_json::Value) -> Value {
    Value::parse(&value.to_string()).expect("JSON")
}

/// The worker's verdict on a body: `ok` or each refused field and its code.
fn verdict(body: &Value, id: &str) -> String {
    match tsunagu_admin::QueueInput::validate(&to_serde(body), id) {
        Ok(_) => "ok".to_owned(),
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
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A queue as `GET /api/admin/queues` lists it: the validated input written back (as the store
/// does), with `null` for what is not set.
fn as_listed(body: &serde_json::Value, id: &str) -> Value {
    let queue = tsunagu_admin::QueueInput::validate(body, id).expect("valid");
    let mut listed = serde_json::to_value(&queue).expect("json");
    listed["id"] = json!(id);
    from_serde(&listed)
}

fn billing_form() -> QueueForm {
    QueueForm {
        id: "billing".into(),
        name_ja: " 請求窓口 ".into(),
        name_en: "Billing".into(),
        whom: "team".into(),
        team: "support".into(),
        ring_seconds: "25".into(),
        max_wait_seconds: "600".into(),
        overflow: "voicemail".into(),
        voicemail_prompt: "ご用件をどうぞ。".into(),
        voicemail_seconds: "90".into(),
        callback_digit: "9".into(),
        skills: "billing:2, booking".into(),
        priority: "2".into(),
        ..QueueForm::new_queue()
    }
}

#[test]
fn a_typed_queue_is_a_body_the_worker_accepts() {
    let body = billing_form().to_body().expect("well formed");
    expect![[r#"{"name":{"ja":"請求窓口","en":"Billing"},"ladder":[{"target":{"team":"support"},"timeout":25000}],"max_wait":600000,"overflow":{"action":"voicemail","prompt":"ご用件をどうぞ。","max_length_secs":90},"announce_position":true,"hold_music_url":null,"callback_digit":"9","priority":2,"required_skills":{"billing":2,"booking":1}}"#]]
        .assert_eq(&body.to_string());
    assert_eq!(verdict(&body, "billing"), "ok");
    // Every overflow and every kind of rung the form offers is one the worker reads.
    for (overflow, whom) in [
        ("tenant_fallback", "tenant"),
        ("keep_waiting", "anyone"),
        ("queue", "team"),
        ("forward", "tenant"),
    ] {
        let form = QueueForm {
            overflow: overflow.into(),
            whom: whom.into(),
            overflow_queue: "general".into(),
            forward_numbers: "03-1234-0000, 090-1111-2222".into(),
            ..billing_form()
        };
        assert_eq!(
            verdict(&form.to_body().expect("well formed"), "billing"),
            "ok",
            "{overflow}"
        );
    }
    // Empty longest wait and music: the tenant's and the bundled tune; no callback key.
    let plain = QueueForm {
        max_wait_seconds: " ".into(),
        callback_digit: String::new(),
        skills: String::new(),
        ..billing_form()
    };
    let body = plain.to_body().expect("well formed");
    assert_eq!(body.get("max_wait"), None);
    assert_eq!(body.get("callback_digit"), Some(&Value::Null));
    assert_eq!(verdict(&body, "billing"), "ok");
}

#[test]
fn the_worker_refuses_beside_the_forms_own_fields() {
    let form = QueueForm {
        hold_music_url: "http://example.com/tune.mp3".into(),
        name_en: String::new(),
        callback_digit: "x".into(),
        ..billing_form()
    };
    let body = form.to_body().expect("well formed");
    assert_eq!(
        verdict(&body, "Billing"),
        r#"id "invalid_id"; name.en "blank"; hold_music_url "not_https"; callback_digit "not_a_phone_key""#
    );
}

#[test]
fn what_the_form_cannot_send_is_named_before_sending() {
    let form = QueueForm {
        ring_seconds: "twenty".into(),
        max_wait_seconds: "10分".into(),
        priority: "high".into(),
        skills: "billing:two".into(),
        ..billing_form()
    };
    let errors = form.to_body().expect_err("not numbers");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["ladder", "max_wait", "priority", "required_skills"]
    );
}

#[test]
fn a_listed_queue_reads_into_the_form_and_back_unchanged() {
    let stored = json!({"name": {"ja": "請求窓口", "en": "Billing"},
        "ladder": [{"target": {"team": "support"}, "timeout": 20000}], "max_wait": 600000,
        "overflow": {"action": "forward", "numbers": ["+81312340000"]}, "announce_position": false,
        "hold_music_url": "https://example.com/tune.mp3", "callback_digit": "#",
        "required_skills": {"billing": 2, "booking": 1}, "priority": 3});
    let form = QueueForm::from_json(&as_listed(&stored, "billing"));
    assert_eq!(
        (
            form.whom.as_str(),
            form.team.as_str(),
            form.ring_seconds.as_str()
        ),
        ("team", "support", "20")
    );
    assert_eq!(form.skills, "billing:2, booking");
    let body = form.to_body().expect("well formed");
    let again = tsunagu_admin::QueueInput::validate(&to_serde(&body), "billing").expect("valid");
    assert_eq!(
        again,
        tsunagu_admin::QueueInput::validate(&stored, "billing").expect("valid")
    );
}

#[test]
fn a_ladder_of_several_rungs_and_the_api_only_hours_are_kept_as_read() {
    let stored = json!({"name": {"ja": "夜間", "en": "Night"},
        "ladder": [{"target": "owner", "timeout": 15000}, {"target": "anyone", "timeout": 20000}],
        "overflow": {"action": "keep_waiting"},
        "hours": {"time_zone": "Asia/Tokyo", "weekly": [{"day": "mon", "open": "09:00", "close": "18:00"}],
            "closed_on_national_holidays": true, "year_end_closure": true, "closures": []},
        "after_hours": {"action": "announce"}});
    let form = QueueForm::from_json(&as_listed(&stored, "night"));
    assert_eq!(form.whom, "kept");
    let body = form.to_body().expect("well formed");
    let again = tsunagu_admin::QueueInput::validate(&to_serde(&body), "night").expect("valid");
    assert_eq!(
        again,
        tsunagu_admin::QueueInput::validate(&stored, "night").expect("valid")
    );
    // Changed to one rung, the stored ladder is replaced.
    let one = QueueForm {
        whom: "anyone".into(),
        ring_seconds: "30".into(),
        ..form
    };
    let body = one.to_body().expect("well formed");
    assert_eq!(
        body.get("ladder").map(ToString::to_string).as_deref(),
        Some(r#"[{"target":"anyone","timeout":30000}]"#)
    );
    // The tenant's ladder: no ladder sent.
    let tenant = QueueForm {
        whom: "tenant".into(),
        ..one
    };
    let body = tenant.to_body().expect("well formed");
    assert_eq!(body.get("ladder"), None);
    let queue = tsunagu_admin::QueueInput::validate(&to_serde(&body), "night").expect("valid");
    assert_eq!(queue.ladder, None);
}

#[test]
fn a_lines_queue_changes_only_its_queue() {
    let listed = Value::parse(r#"{"number":"+815012345678","kind":"main","announce":null,"required_skills":{"billing":1},"priority":1,"skill_relax_after_secs":60,"hours":null,"queue":null,"after_hours":{"action":"announce"}}"#)
        .expect("JSON");
    let Value::Object(line) = listed else {
        panic!("an object")
    };
    let on_queue = line_with_queue(&line, "billing");
    expect![[r#"{"number":"+815012345678","kind":"main","announce":null,"required_skills":{"billing":1},"priority":1,"skill_relax_after_secs":60,"hours":null,"queue":"billing","after_hours":{"action":"announce"}}"#]]
        .assert_eq(&on_queue.to_string());
    let read = tsunagu_admin::PhoneLine::validate(&to_serde(&on_queue), Some("+815012345678"))
        .expect("valid");
    assert_eq!(read.queue.as_deref(), Some("billing"));
    let off = line_with_queue(&line, "");
    let read =
        tsunagu_admin::PhoneLine::validate(&to_serde(&off), Some("+815012345678")).expect("valid");
    assert_eq!((read.queue, read.priority), (None, 1));
}

#[test]
fn the_menu_editor_shows_indented_json_that_reads_back_and_a_valid_demo() {
    let menu = Value::parse(
        r#"{"start":"a","nodes":[{"id":"a","say":"\"はい\"","list":[],"o":{}}],"n":1.5}"#,
    )
    .expect("JSON");
    let shown = pretty(&menu);
    expect![[r#"
        {
          "start": "a",
          "nodes": [
            {
              "id": "a",
              "say": "\"はい\"",
              "list": [],
              "o": {}
            }
          ],
          "n": 1.5
        }"#]]
    .assert_eq(&shown);
    assert_eq!(Value::parse(&shown), Some(menu));
    let demo: serde_json::Value = serde_json::from_str(DEMO_MENU).expect("JSON");
    assert!(
        tsunagu_admin::ivr_menu(&demo).is_ok(),
        "{:?}",
        tsunagu_admin::ivr_menu(&demo).err()
    );
}
