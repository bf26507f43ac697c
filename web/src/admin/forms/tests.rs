//! The forms' text as the admin API reads it: checked with the worker's own validation
//! (`tsunagu_admin`), so what the form sends is what the worker accepts.

use expect_test::expect;
use serde_json::json;
use tsunagu_protocol::json::Value;

use super::{DryRunPreview, HoursForm, RoutingForm, chosen, skills, skills_text};
use crate::admin::replies::FieldError;

fn to_serde(value: &Value) -> serde_json::Value {
    serde_json::from_str(&value.to_string()).expect("the form writes JSON")
}

/// `hours` inside a routing body the worker otherwise accepts.
fn validate_hours(hours: &Value) -> Result<(), Vec<String>> {
    let body = json!({"ladder": [{"target": "owner", "timeout": 20000}], "max_wait": 60000,
        "hours": to_serde(hours), "web_calls_enabled": false});
    tsunagu_admin::RoutingSettings::validate(&body)
        .map(|_| ())
        .map_err(|invalid| {
            invalid
                .0
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e.field,
                        serde_json::to_value(e).expect("json")["code"]
                    )
                })
                .collect()
        })
}

#[test]
fn skills_read_names_and_levels_and_name_a_typo() {
    assert_eq!(
        skills("billing:3, sales、 english：2")
            .expect("read")
            .to_string(),
        r#"{"billing":3,"sales":1,"english":2}"#
    );
    assert_eq!(skills("  ").expect("read").to_string(), "{}");
    let error = skills("billing:three").expect_err("not a level");
    assert_eq!(error.field, "skills");
    assert!(skills(":3").is_err());
    assert_eq!(
        skills_text(&[("billing".into(), 3), ("sales".into(), 1)]),
        "billing:3, sales:1"
    );
}

#[test]
fn hours_typed_in_the_form_are_what_the_worker_accepts_and_read_back_alike() {
    let form = HoursForm {
        time_zone: "Asia/Tokyo".into(),
        always_open: false,
        days: [
            "09:00-18:00".into(),
            "09:00-12:00, 13:00〜18:00".into(),
            String::new(),
            "9:00-18:00".into(),
            String::new(),
            String::new(),
            String::new(),
        ],
        closed_on_national_holidays: true,
        year_end_closure: false,
        closures: "2026-08-13 2026-08-16 夏季休業\n\n2026-09-01\n".into(),
    };
    let json = form.to_json().expect("laid out right");
    expect![[r#"{"time_zone":"Asia/Tokyo","weekly":[{"day":"mon","open":"09:00","close":"18:00"},{"day":"tue","open":"09:00","close":"12:00"},{"day":"tue","open":"13:00","close":"18:00"},{"day":"thu","open":"9:00","close":"18:00"}],"closed_on_national_holidays":true,"year_end_closure":false,"closures":[{"from":"2026-08-13","until":"2026-08-16","reason":"夏季休業"},{"from":"2026-09-01","until":"2026-09-01","reason":""}]}"#]]
        .assert_eq(&json.to_string());
    // The worker refuses the one span written 9:00; its error lands on Thursday's field.
    let refused = validate_hours(&json).expect_err("9:00 is not HH:MM");
    assert_eq!(refused, ["hours.weekly[3].open \"clock_time\""]);
    let placed = form.place(vec![FieldError::local(
        "hours.weekly[3].open",
        "clock_time",
        "",
        "",
    )]);
    assert_eq!(placed[0].field, "hours.weekly.thu");
    let placed = form.place(vec![FieldError::local(
        "hours.closures[1].until",
        "date",
        "",
        "",
    )]);
    assert_eq!(
        placed[0].field, "hours.closures.3",
        "the second closure sent is the form's third line"
    );

    let mut fixed = form;
    fixed.days[3] = "09:00-18:00".into();
    let json = fixed.to_json().expect("laid out right");
    validate_hours(&json).expect("the worker accepts it");
    // What the worker answers with is read back into the same form.
    assert_eq!(HoursForm::from_json(&json).to_json().expect("again"), json);
}

#[test]
fn always_open_sends_no_weekly_hours() {
    let form = HoursForm {
        time_zone: "Asia/Tokyo".into(),
        always_open: true,
        ..HoursForm::default()
    };
    let json = form.to_json().expect("laid out right");
    assert_eq!(json.get("weekly"), Some(&Value::Null));
    validate_hours(&json).expect("accepted");
    assert!(HoursForm::from_json(&json).always_open);
}

#[test]
fn a_mistyped_span_or_closure_is_named_before_sending() {
    let form = HoursForm {
        time_zone: "Asia/Tokyo".into(),
        days: [
            "nine to six".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
        closures: "next monday off".into(),
        ..HoursForm::default()
    };
    let errors = form.to_json().expect_err("not laid out right");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["hours.weekly.mon", "hours.closures.1"]);
    assert!(errors.iter().all(|e| !e.ja.is_empty() && !e.en.is_empty()));
}

#[test]
fn chosen_items_keep_the_lists_order() {
    let picked = chosen(
        &super::API_SCOPES,
        &[
            "admin".into(),
            "conversations:read".into(),
            "made:up".into(),
        ],
    );
    assert_eq!(picked.to_string(), r#"["conversations:read","admin"]"#);
}

/// A routing reply as `GET /api/admin/routing` writes it (every kind of rung).
fn routing_reply() -> Value {
    let text = r#"{"ladder":[{"target":"owner","timeout":20000},{"target":"owner_team","timeout":25000},
        {"target":{"team":"sales"},"timeout":30000},{"target":{"agents":["sato","suzuki"]},"timeout":15000},
        {"target":"anyone","timeout":30000}],"max_wait":180000,"fallback_numbers":["+819012340000","+81312340000"],
        "hours":{"time_zone":"Asia/Tokyo","weekly":null,"closed_on_national_holidays":true,"year_end_closure":false,"closures":[]},
        "web_calls_enabled":true}"#;
    Value::parse(text).expect("json")
}

#[test]
fn routing_read_into_the_form_goes_back_as_the_worker_accepts_it() {
    let read = routing_reply();
    let form = RoutingForm::from_json(&read);
    expect![[r#"
        RoutingForm {
            rungs: [
                RungForm {
                    target: "owner",
                    team: "",
                    agents: "",
                    seconds: "20",
                },
                RungForm {
                    target: "owner_team",
                    team: "",
                    agents: "",
                    seconds: "25",
                },
                RungForm {
                    target: "team",
                    team: "sales",
                    agents: "",
                    seconds: "30",
                },
                RungForm {
                    target: "agents",
                    team: "",
                    agents: "sato, suzuki",
                    seconds: "15",
                },
                RungForm {
                    target: "anyone",
                    team: "",
                    agents: "",
                    seconds: "30",
                },
            ],
            max_wait_seconds: "180",
            fallback_numbers: "+819012340000\n+81312340000",
            web_calls_enabled: true,
        }
    "#]]
    .assert_debug_eq(&form);
    let Value::Object(map) = read.clone() else {
        panic!("an object")
    };
    let body = form.to_body(map).expect("the form's own checks pass");
    assert_eq!(
        to_serde(&body),
        to_serde(&read),
        "unchanged, hours included"
    );
    tsunagu_admin::RoutingSettings::validate(&to_serde(&body)).expect("the worker accepts it");
}

#[test]
fn routing_typed_in_the_form_names_bad_seconds_and_the_worker_errors_land_beside_their_fields() {
    let Value::Object(map) = routing_reply() else {
        panic!("an object")
    };
    let mut form = RoutingForm::from_json(&Value::Object(map.clone()));
    form.rungs[1].seconds = "二十".into();
    form.max_wait_seconds = "3 min".into();
    let local = form.clone().to_body(map.clone()).expect_err("not seconds");
    assert_eq!(
        local.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["routing.rung.1.seconds", "routing.max_wait"]
    );
    // Whole seconds but out of the worker's range, an empty team, a number that is none: the
    // worker says so, and each error moves beside the field the admin typed it in.
    form.rungs[1].seconds = "2".into();
    form.rungs[2].team = " ".into();
    form.max_wait_seconds = "60".into();
    form.fallback_numbers = "090-1234-0000\nabc".into();
    let body = form.to_body(map).expect("whole numbers");
    let invalid = tsunagu_admin::RoutingSettings::validate(&to_serde(&body)).expect_err("refused");
    let errors = invalid
        .0
        .iter()
        .map(|e| {
            let code = serde_json::to_value(e).expect("json")["code"].clone();
            FieldError::local(&e.field, code.as_str().unwrap_or_default(), "", "")
        })
        .collect();
    let placed = RoutingForm::place(errors);
    expect![[r#"
        [
            "routing.rung.1.seconds not_in_range",
            "routing.rung.2.target invalid_id",
            "routing.fallback_numbers invalid_phone",
        ]
    "#]]
    .assert_debug_eq(
        &placed
            .iter()
            .map(|e| format!("{} {}", e.field, e.code))
            .collect::<Vec<_>>(),
    );
}

#[test]
fn a_dry_run_is_asked_with_the_routing_as_typed_and_read_in_both_languages() {
    let Value::Object(map) = routing_reply() else {
        panic!("an object")
    };
    let body = RoutingForm::from_json(&Value::Object(map.clone()))
        .to_body(map)
        .expect("valid");
    let request = DryRunPreview::request(" 03-5555-0101 ", body);
    assert_eq!(
        request.get("from").and_then(Value::as_str),
        Some("03-5555-0101")
    );
    assert!(
        request
            .get("routing")
            .and_then(|r| r.get("ladder"))
            .is_some()
    );
    let reply = Value::parse(
        r#"{"at": 1, "caller": "+81355550101", "customer": "c001", "plan": "ring", "plan_detail": {},
            "refused": null, "decisions": [{"explanation": {}, "ja": "佐藤 花子 さん（担当者）を呼び出します", "en": "rings Sato Hanako (owner)"}]}"#,
    )
    .expect("json");
    let preview = DryRunPreview::read(&reply).expect("read");
    assert_eq!(preview.plan, "ring");
    assert_eq!(
        preview.decisions,
        [(
            "佐藤 花子 さん（担当者）を呼び出します".to_owned(),
            "rings Sato Hanako (owner)".to_owned()
        )]
    );
    assert_eq!(
        DryRunPreview::read(&Value::parse("{}").expect("json")),
        None
    );
}

#[test]
fn the_settings_tab_offers_exactly_the_edges_the_worker_accepts() {
    let worker: Vec<&str> = tsunagu_admin::VoiceEdge::ALL
        .iter()
        .map(|edge| edge.as_str())
        .collect();
    assert_eq!(crate::admin::settings::VOICE_EDGES.to_vec(), worker);
}
