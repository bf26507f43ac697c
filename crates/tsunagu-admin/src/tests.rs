//! Snapshots of every resource's per-field errors (codes and both languages), and properties:
//! validation never panics, and a validated value reads back as itself from its own JSON.

use expect_test::{Expect, expect};
use proptest::prelude::*;
use serde_json::{Value, json};
use tsunagu_core::TenantId;

use crate::{
    Agent, ApiKeyInput, ApiKeyToken, Customer, CustomerSearch, Invalid, Team, TenantSettings,
    settings::is_csp_source,
};

/// One line per refused field: `field code | ja | en`.
pub(crate) fn errors<T: std::fmt::Debug>(result: Result<T, Invalid>, expected: &Expect) {
    let Err(Invalid(errors)) = result else {
        panic!("expected errors, got {result:?}");
    };
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            let code = serde_json::to_value(e).expect("serialises")["code"].clone();
            format!("{} {} | {} | {}", e.field, code, e.message.ja, e.message.en)
        })
        .collect();
    expected.assert_eq(&lines.join("\n"));
}

#[test]
fn tenant_settings_errors() {
    errors(
        TenantSettings::validate(&json!({
            "name": {"ja": "  ", "en": "x".repeat(101)},
            "allowed_origins": ["'self'", "javascript:alert(1)", "http://crm.example.jp", "'self'", 3],
            "voice_edge": "mars",
            "crm_lookup_url": "ftp://crm.example.jp/lookup",
        })),
        &expect![[r#"
            name.ja "blank" | 空にはできません | must not be empty
            name.en "too_long" | 100 文字以内で指定してください | must be at most 100 characters
            allowed_origins[1] "invalid_origin" | 'self' または https://ホスト名[:ポート] の形式で指定してください | must be 'self' or https://host[:port]
            allowed_origins[2] "invalid_origin" | 'self' または https://ホスト名[:ポート] の形式で指定してください | must be 'self' or https://host[:port]
            allowed_origins[3] "duplicate" | 同じ値が重複しています | holds the same value twice
            allowed_origins[4] "not_text" | 文字列で指定してください | must be text (a JSON string)
            voice_edge "unknown_value" | 指定できない値です | is not one of the allowed values
            supervisor_reach "required" | 必須項目です | this field is required
            crm_lookup_url "invalid_webhook_url" | https://ホスト名/パス の形式で指定してください (開発用に http://127.0.0.1 と http://localhost も可) | must be https://host/path (or http://127.0.0.1 or http://localhost for development)"#]],
    );
    errors(
        TenantSettings::validate(&json!([1, 2])),
        &expect![[r#" "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#]],
    );
}

#[test]
fn tenant_settings_accept_and_read_back() {
    let body = json!({
        "name": {"ja": " デモ株式会社 ", "en": "Demo Corp."},
        "allowed_origins": ["'self'", "https://*.crm.example.jp", "http://localhost:*", "https://crm.example.com:8443"],
        "voice_edge": "tokyo",
        "supervisor_reach": "tenant",
        "crm_lookup_url": "https://crm.example.jp/tsunagu/lookup",
    });
    let settings = TenantSettings::validate(&body).expect("valid");
    assert_eq!(settings.name.ja, "デモ株式会社", "names are trimmed");
    assert_eq!(
        settings.crm_lookup_url.as_deref(),
        Some("https://crm.example.jp/tsunagu/lookup")
    );
    let mut off = body;
    off["crm_lookup_url"] = json!("");
    assert_eq!(
        TenantSettings::validate(&off)
            .expect("valid")
            .crm_lookup_url,
        None,
        "\"\" turns it off"
    );
    let again =
        TenantSettings::validate(&serde_json::to_value(&settings).expect("json")).expect("valid");
    assert_eq!(again, settings);
}

#[test]
fn csp_sources() {
    for good in [
        "'self'",
        "https://crm.example.jp",
        "https://*.example.jp:*",
        "http://127.0.0.1:8787",
    ] {
        assert!(is_csp_source(good), "{good}");
    }
    for bad in [
        "*",
        "https://",
        "http://crm.example.jp",
        "https://crm.example.jp/path",
        "https://a b",
        "https://crm.example.jp;script-src",
        "'unsafe-inline'",
        "https://-x.jp",
        "https://x.jp:123456",
    ] {
        assert!(!is_csp_source(bad), "{bad}");
    }
}

#[test]
fn team_errors() {
    errors(
        Team::validate(&json!({"id": "営業", "name": {"ja": "営業"}}), None),
        &expect![[r#"
        id "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
        name.en "required" | 必須項目です | this field is required"#]],
    );
    errors(
        Team::validate(&json!({"name": "Sales"}), Some("sales")),
        &expect![[
            r#"name "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#
        ]],
    );
}

#[test]
fn agent_errors() {
    errors(
        Agent::validate(
            &json!({
                "id": "sato-1",
                "display_name": "佐藤\u{202E}",
                "team": "a b",
                "roles": ["agent", "agent", "root", 7],
                "skills": {"english": 6, "請求": 1, "billing": "high"},
                "capacity": {"voice": 2, "chat": 11},
            }),
            None,
        ),
        &expect![[r#"
            id "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            display_name "control_character" | 制御文字は使えません | must not contain control characters
            team "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            roles[1] "duplicate" | 同じ値が重複しています | holds the same value twice
            roles[2] "unknown_value" | 指定できない値です | is not one of the allowed values
            roles[3] "not_text" | 文字列で指定してください | must be text (a JSON string)
            skills[0] "not_in_range" | 1 以上 5 以下の整数で指定してください | must be a whole number from 1 to 5
            skills[1] "not_in_range" | 1 以上 5 以下の整数で指定してください | must be a whole number from 1 to 5
            skills[2] "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            capacity.voice "not_in_range" | 0 以上 1 以下の整数で指定してください | must be a whole number from 0 to 1
            capacity.chat "not_in_range" | 0 以上 10 以下の整数で指定してください | must be a whole number from 0 to 10"#]],
    );
    errors(
        Agent::validate(&json!({"display_name": "x", "roles": []}), Some("sato")),
        &expect![[r#"roles "blank" | 空にはできません | must not be empty"#]],
    );
}

#[test]
fn agent_defaults_and_round_trip() {
    let agent = Agent::validate(
        &json!({"display_name": "佐藤 花子", "roles": ["supervisor", "agent"], "skills": {"english": 3}}),
        Some("sato"),
    )
    .expect("valid");
    assert_eq!(agent.roles_column(), "agent supervisor", "roles are sorted");
    assert_eq!(agent.capacity, crate::Capacity { voice: 1, chat: 0 });
    let again = Agent::validate(&serde_json::to_value(&agent).expect("json"), None).expect("valid");
    assert_eq!(again, agent);
}

#[test]
fn customer_errors() {
    errors(
        Customer::validate(
            &json!({"id": "c 1", "name": "", "company": 5, "phone": "03-5555-01", "owner": "sato-1"}),
            None,
        ),
        &expect![[r#"
            id "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            name "blank" | 空にはできません | must not be empty
            company "not_text" | 文字列で指定してください | must be text (a JSON string)
            phone "invalid_phone" | 発信できる電話番号ではありません | is not a phone number we can dial
            owner "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`"#]],
    );
}

#[test]
fn customer_attribute_errors() {
    let many: serde_json::Map<String, Value> = (0..21)
        .map(|n| (format!("k{n}"), Value::from("v")))
        .collect();
    errors(
        Customer::validate(
            &json!({"name": "a", "phone": "03-5555-0101", "attributes": many}),
            Some("c1"),
        ),
        &expect![[
            r#"attributes "too_many" | 20 件以内で指定してください | must have at most 20 entries"#
        ]],
    );
    errors(
        Customer::validate(
            &json!({"name": "a", "phone": "03-5555-0101", "attributes": ["plan"]}),
            Some("c1"),
        ),
        &expect![[
            r#"attributes "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#
        ]],
    );
    errors(
        Customer::validate(
            &json!({"name": "a", "phone": "03-5555-0101", "attributes": {
                " ": "x", "k".repeat(33): "x", "plan": "gold", "plan ": "gold",
                "rank": "v".repeat(65), "tier": "a\nb", "区分": 3}}),
            Some("c1"),
        ),
        &expect![[r#"
            attributes[0].key "blank" | 空にはできません | must not be empty
            attributes[1].key "too_long" | 32 文字以内で指定してください | must be at most 32 characters
            attributes[3].key "duplicate" | 同じ値が重複しています | holds the same value twice
            attributes[4].value "too_long" | 64 文字以内で指定してください | must be at most 64 characters
            attributes[5].value "control_character" | 制御文字は使えません | must not contain control characters
            attributes[6].value "not_text" | 文字列で指定してください | must be text (a JSON string)"#]],
    );
}

#[test]
fn customer_attributes_are_trimmed_and_read_back() {
    let customer = Customer::validate(
        &json!({"name": "山田 太郎", "phone": "03-5555-0101",
                "attributes": {" plan ": " gold ", "区分": "法人"}}),
        Some("c001"),
    )
    .expect("valid");
    expect![[r#"{"id":"c001","name":"山田 太郎","company":"","phone":"+81355550101","owner":null,"attributes":{"plan":"gold","区分":"法人"}}"#]].assert_eq(&serde_json::to_string(&customer).expect("json"));
    let again =
        Customer::validate(&serde_json::to_value(&customer).expect("json"), None).expect("valid");
    assert_eq!(again, customer);
}

#[test]
fn customer_phone_is_normalised() {
    let customer = Customer::validate(
        &json!({"name": "山田 太郎", "phone": "０３－５５５５－０１０１"}),
        Some("c001"),
    )
    .expect("valid");
    assert_eq!(customer.phone, "+81355550101");
    assert_eq!(customer.company, "");
    let again =
        Customer::validate(&serde_json::to_value(&customer).expect("json"), None).expect("valid");
    assert_eq!(again, customer);
}

#[test]
fn customer_search() {
    let search =
        CustomerSearch::validate(Some("03-5555-0101"), Some("c001"), Some("10")).expect("valid");
    assert_eq!(search.phone.as_deref(), Some("+81355550101"));
    assert_eq!(search.limit, 10);
    let search = CustomerSearch::validate(Some("50%_off\\"), None, None).expect("valid");
    assert_eq!(search.like_prefix().as_deref(), Some("50\\%\\_off\\\\%"));
    assert_eq!(search.limit, 50);
    errors(
        CustomerSearch::validate(None, None, Some("0")),
        &expect![[
            r#"limit "not_in_range" | 1 以上 100 以下の整数で指定してください | must be a whole number from 1 to 100"#
        ]],
    );
}

#[test]
fn api_key_input_errors() {
    errors(
        ApiKeyInput::validate(&json!({"name": "", "scopes": ["admin", "admin", "root"]})),
        &expect![[r#"
            name "blank" | 空にはできません | must not be empty
            scopes[1] "duplicate" | 同じ値が重複しています | holds the same value twice
            scopes[2] "unknown_value" | 指定できない値です | is not one of the allowed values"#]],
    );
    errors(
        ApiKeyInput::validate(&json!({"name": "CRM", "scopes": []})),
        &expect![[r#"scopes "blank" | 空にはできません | must not be empty"#]],
    );
}

#[test]
fn api_keys_parse_what_they_mint_and_match_only_their_secret() {
    let tenant = TenantId::new("acme-jp").expect("valid tenant");
    let key = ApiKeyToken::mint(tenant.clone(), [7; 8], [9; 32]);
    let plain = key.reveal();
    expect!["tsk_acme-jp_0707070707070707_0909090909090909090909090909090909090909090909090909090909090909"].assert_eq(&plain);
    let parsed = ApiKeyToken::parse(&plain).expect("parses");
    assert_eq!(parsed, key);
    assert!(parsed.matches(&key.secret_hash()));
    let other = ApiKeyToken::mint(tenant, [7; 8], [8; 32]);
    assert!(!other.matches(&key.secret_hash()));
    assert!(
        !format!("{key:?}").contains(&"09".repeat(32)),
        "debug output hides the secret"
    );
    for bad in [
        "",
        "tsk_",
        "tsk_acme-jp_0707070707070707",
        &plain.to_uppercase(),
        &format!("{plain}_x"),
        &plain.replace("tsk_", "tsx_"),
        &plain[..plain.len() - 1],
    ] {
        assert_eq!(ApiKeyToken::parse(bad), None, "{bad}");
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "tokyo",
            "teams",
            "agent",
            "admin",
            "+81355550101",
            "'self'"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "name",
                    "ja",
                    "en",
                    "allowed_origins",
                    "voice_edge",
                    "supervisor_reach",
                    "display_name",
                    "team",
                    "roles",
                    "skills",
                    "capacity",
                    "voice",
                    "chat",
                    "company",
                    "phone",
                    "owner",
                    "scopes",
                    "overflow",
                    "action",
                    "numbers",
                    "announce_position",
                    "callback_digit",
                    "after_hours",
                ])
                .prop_map(str::to_owned),
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn validation_never_panics_and_valid_values_round_trip(body in arbitrary_json(), path_id in proptest::option::of("[a-z_]{1,8}")) {
        if let Ok(settings) = TenantSettings::validate(&body) {
            prop_assert_eq!(TenantSettings::validate(&serde_json::to_value(&settings).expect("reads back")).expect("reads back"), settings);
        }
        if let Ok(team) = Team::validate(&body, path_id.as_deref()) {
            prop_assert_eq!(Team::validate(&serde_json::to_value(&team).expect("reads back"), None).expect("reads back"), team);
        }
        if let Ok(agent) = Agent::validate(&body, path_id.as_deref()) {
            prop_assert_eq!(Agent::validate(&serde_json::to_value(&agent).expect("reads back"), None).expect("reads back"), agent);
        }
        if let Ok(customer) = Customer::validate(&body, path_id.as_deref()) {
            prop_assert_eq!(Customer::validate(&serde_json::to_value(&customer).expect("reads back"), None).expect("reads back"), customer);
        }
        if let Ok(line) = crate::PhoneLine::validate(&body, None) {
            prop_assert_eq!(crate::PhoneLine::validate(&serde_json::to_value(&line).expect("reads back"), None).expect("reads back"), line);
        }
        if let Ok(queue) = crate::QueueInput::validate(&body, path_id.as_deref().unwrap_or("q")) {
            prop_assert_eq!(crate::QueueInput::validate(&serde_json::to_value(&queue).expect("reads back"), &queue.id).expect("reads back"), queue);
        }
        if let Ok(routing) = crate::RoutingSettings::validate(&body) {
            prop_assert_eq!(crate::RoutingSettings::validate(&serde_json::to_value(&routing).expect("reads back")).expect("reads back"), routing);
        }
        let _ = ApiKeyInput::validate(&body);
    }

    #[test]
    fn every_refusal_names_fields_and_both_languages(body in arbitrary_json()) {
        for result in [
            TenantSettings::validate(&body).err(),
            Team::validate(&body, None).err(),
            Agent::validate(&body, None).err(),
            Customer::validate(&body, None).err(),
            ApiKeyInput::validate(&body).err(),
        ].into_iter().flatten() {
            prop_assert!(!result.0.is_empty());
            for error in result.0 {
                prop_assert!(!error.message.ja.is_empty() && !error.message.en.is_empty());
            }
        }
    }

    #[test]
    fn api_key_parse_never_panics(raw in "(tsk_)?[a-z0-9_-]{0,100}") {
        let _ = ApiKeyToken::parse(&raw);
    }

    #[test]
    fn customer_search_never_panics(q in proptest::option::of(".{0,30}"), after in proptest::option::of(".{0,10}"), limit in proptest::option::of("[0-9a-z]{0,4}")) {
        if let Ok(search) = CustomerSearch::validate(q.as_deref(), after.as_deref(), limit.as_deref()) {
            prop_assert!((1..=100).contains(&search.limit));
        }
    }
}

#[test]
fn phone_line_errors() {
    errors(
        crate::PhoneLine::validate(&json!({"number": "03-1234", "kind": "backup"}), None),
        &expect![[r#"
            number "invalid_phone" | 発信できる電話番号ではありません | is not a phone number we can dial
            kind "unknown_value" | 指定できない値です | is not one of the allowed values"#]],
    );
    errors(
        crate::PhoneLine::validate(&json!({"number": "050-1234-5678", "kind": "legacy"}), None),
        &expect![[r#"announce "required" | 必須項目です | this field is required"#]],
    );
    errors(
        crate::PhoneLine::validate(
            &json!({"kind": "main", "announce": "050-1234-5678"}),
            Some("+815012345678"),
        ),
        &expect![[r#"
            announce "not_allowed" | この組み合わせでは指定できません | is not allowed in this combination
            announce "same_as_number" | 回線自身の番号は案内できません | a line cannot announce its own number"#]],
    );
    errors(
        crate::PhoneLine::validate(
            &json!({"kind": "legacy", "announce": "050-1234-5678"}),
            Some("+815012345678"),
        ),
        &expect![[
            r#"announce "same_as_number" | 回線自身の番号は案内できません | a line cannot announce its own number"#
        ]],
    );
}

#[test]
fn a_phone_line_may_keep_hours_of_its_own() {
    let line = crate::PhoneLine::validate(
        &json!({"number": "050-1111-0000", "kind": "main", "hours": {"weekly": [{"day": "mon", "open": "09:00", "close": "18:00"}], "closed_on_national_holidays": true}}),
        None,
    )
    .expect("valid");
    let hours = line.hours.as_ref().expect("its own hours");
    assert_eq!(hours.time_zone, "Asia/Tokyo", "the default zone");
    assert!(hours.closed_on_national_holidays);
    let none = crate::PhoneLine::validate(
        &json!({"number": "050-1111-0000", "kind": "main", "hours": null}),
        None,
    )
    .expect("valid");
    assert_eq!(none.hours, None, "null: the tenant's hours");
    errors(
        crate::PhoneLine::validate(
            &json!({"number": "050-1111-0000", "kind": "main", "hours": {"time_zone": "Mars/Olympus", "weekly": [{"day": "mon", "open": "9:00", "close": "18:00"}]}}),
            None,
        ),
        &expect![[r#"
            hours.time_zone "time_zone" | タイムゾーンは Asia/Tokyo のような IANA の名前で指定してください | must be an IANA time zone name such as Asia/Tokyo
            hours.weekly[0].open "clock_time" | 時刻は 00:00〜24:00 の HH:MM 形式で指定してください | must be a time of day HH:MM from 00:00 to 24:00"#]],
    );
}

#[test]
fn phone_line_requirements_are_checked() {
    errors(
        crate::PhoneLine::validate(
            &json!({"number": "050-1234-5678", "kind": "main",
                "required_skills": {"請求": 1, "billing": 6, "korean": "2"},
                "priority": 10, "skill_relax_after_secs": 3601}),
            None,
        ),
        &expect![[r#"
            required_skills[0] "not_in_range" | 1 以上 5 以下の整数で指定してください | must be a whole number from 1 to 5
            required_skills[1] "not_in_range" | 1 以上 5 以下の整数で指定してください | must be a whole number from 1 to 5
            required_skills[2] "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            priority "not_in_range" | 0 以上 9 以下の整数で指定してください | must be a whole number from 0 to 9
            skill_relax_after_secs "not_in_range" | 0 以上 3600 以下の整数で指定してください | must be a whole number from 0 to 3600"#]],
    );
    errors(
        crate::PhoneLine::validate(
            &json!({"number": "050-1234-5678", "kind": "main", "required_skills": ["billing"]}),
            None,
        ),
        &expect![[
            r#"required_skills "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#
        ]],
    );
    let line = crate::PhoneLine::validate(
        &json!({"number": "050-1234-5678", "kind": "main", "required_skills": {"billing": 2}, "priority": 3}),
        None,
    )
    .expect("valid");
    assert_eq!(line.required_skills.get("billing"), Some(&2));
    assert_eq!((line.priority, line.skill_relax_after_secs), (3, 60));
    let plain =
        crate::PhoneLine::validate(&json!({"number": "050-1234-5678", "kind": "main"}), None)
            .expect("valid");
    assert!(plain.required_skills.is_empty() && plain.priority == 0);
}

#[test]
fn phone_lines_normalise_and_round_trip() {
    let line = crate::PhoneLine::validate(
        &json!({"number": "03-1234-5678", "kind": "legacy", "announce": "０５０-１２３４-５６７８"}),
        None,
    )
    .expect("valid");
    assert_eq!(line.number, "+81312345678");
    assert_eq!(line.announce.as_deref(), Some("+815012345678"));
    let again = crate::PhoneLine::validate(&serde_json::to_value(&line).expect("json"), None)
        .expect("valid");
    assert_eq!(again, line);
}

#[test]
fn routing_errors() {
    errors(
        crate::RoutingSettings::validate(&json!({
            "ladder": [
                {"target": "owner", "timeout": 1000},
                {"target": {"team": "a b"}, "timeout": 20000},
                {"target": "boss", "timeout": 20000},
                {"target": {"agents": []}},
            ],
            "max_wait": 5,
            "fallback_numbers": ["090-1234-0000", "+81 90 1234 0000", "110"],
            "hours": {"time_zone": "JST+9", "weekly": [
                {"day": "mon", "open": "09:00", "close": "08:00"},
                {"day": "funday", "open": "9:00", "close": "25:00"},
            ], "closed_on_national_holidays": "yes", "closures": [
                {"from": "2026-08-16", "until": "2026-08-13", "reason": "夏季休業"},
                {"from": "2026/08/13", "until": "2026-08-16", "reason": "休".repeat(101)},
            ]},
            "web_calls_enabled": "yes",
        })),
        &expect![[r#"
            ladder[0].timeout "not_in_range" | 5000 以上 300000 以下の整数で指定してください | must be a whole number from 5000 to 300000
            ladder[1].target.team "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            ladder[2].target "unknown_value" | 指定できない値です | is not one of the allowed values
            ladder[3].target.agents "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            ladder[3].timeout "required" | 必須項目です | this field is required
            max_wait "not_in_range" | 10000 以上 3600000 以下の整数で指定してください | must be a whole number from 10000 to 3600000
            fallback_numbers[1] "duplicate" | 同じ値が重複しています | holds the same value twice
            fallback_numbers[2] "invalid_phone" | 発信できる電話番号ではありません | is not a phone number we can dial
            hours.time_zone "time_zone" | タイムゾーンは Asia/Tokyo のような IANA の名前で指定してください | must be an IANA time zone name such as Asia/Tokyo
            hours.closed_on_national_holidays "not_boolean" | true または false で指定してください | must be true or false
            hours.closures[0].until "ends_before_start" | 終了日は開始日以降にしてください | must not be before the start
            hours.closures[1].from "date" | 日付は YYYY-MM-DD 形式で指定してください | must be a date YYYY-MM-DD
            hours.closures[1].reason "too_long" | 100 文字以内で指定してください | must be at most 100 characters
            hours.weekly[0].close "closes_before_opening" | 終了時刻は開始時刻より後にしてください | must be later than the opening time
            hours.weekly[1].day "unknown_value" | 指定できない値です | is not one of the allowed values
            hours.weekly[1].open "clock_time" | 時刻は 00:00〜24:00 の HH:MM 形式で指定してください | must be a time of day HH:MM from 00:00 to 24:00
            hours.weekly[1].close "clock_time" | 時刻は 00:00〜24:00 の HH:MM 形式で指定してください | must be a time of day HH:MM from 00:00 to 24:00
            web_calls_enabled "not_boolean" | true または false で指定してください | must be true or false"#]],
    );
}

#[test]
fn routing_reads_back_in_the_center_shapes() {
    let body = json!({
        "ladder": [
            {"target": "owner", "timeout": 15000},
            {"target": {"team": "sales"}, "timeout": 20000},
            {"target": {"agents": ["sato", "suzuki"]}, "timeout": 20000},
            {"target": "anyone", "timeout": 30000},
        ],
        "max_wait": 180000,
        "fallback_numbers": ["090-1234-0000"],
        "hours": {"weekly": [{"day": "mon", "open": "09:00", "close": "24:00"}], "closed_on_national_holidays": true, "closures": [{"from": "2026-08-13", "until": "2026-08-16", "reason": "夏季休業"}]},
        "web_calls_enabled": true,
    });
    let settings = crate::RoutingSettings::validate(&body).expect("valid");
    let json = serde_json::to_value(&settings).expect("json");
    expect![[r#"{"fallback_numbers":["+819012340000"],"hours":{"closed_on_national_holidays":true,"closures":[{"from":"2026-08-13","reason":"夏季休業","until":"2026-08-16"}],"time_zone":"Asia/Tokyo","weekly":[{"close":"24:00","day":"mon","open":"09:00"}],"year_end_closure":false},"ladder":[{"target":"owner","timeout":15000},{"target":{"team":"sales"},"timeout":20000},{"target":{"agents":["sato","suzuki"]},"timeout":20000},{"target":"anyone","timeout":30000}],"max_wait":180000,"web_calls_enabled":true}"#]].assert_eq(&json.to_string());
    assert_eq!(
        crate::RoutingSettings::validate(&json).expect("valid"),
        settings
    );
}

#[test]
fn webhook_errors() {
    errors(
        crate::WebhookInput::validate(&json!({
            "url": "http://crm.example.com/hook",
            "events": ["call.ended", "call.ended", "message.created", 3],
        })),
        &expect![[r#"
            url "invalid_webhook_url" | https://ホスト名/パス の形式で指定してください (開発用に http://127.0.0.1 と http://localhost も可) | must be https://host/path (or http://127.0.0.1 or http://localhost for development)
            events[1] "duplicate" | 同じ値が重複しています | holds the same value twice
            events[2] "unknown_value" | 指定できない値です | is not one of the allowed values
            events[3] "not_text" | 文字列で指定してください | must be text (a JSON string)"#]],
    );
    errors(
        crate::WebhookInput::validate(&json!({ "events": [] })),
        &expect![[r#"
            url "required" | 必須項目です | this field is required
            events "blank" | 空にはできません | must not be empty"#]],
    );
}

#[test]
fn webhook_urls() {
    use crate::webhooks::is_webhook_url;
    for good in [
        "https://crm.example.com/hooks/tsunagu",
        "https://crm.example.com:8443/h?x=1",
        "http://127.0.0.1:8787/receiver",
        "http://localhost/receiver",
    ] {
        assert!(is_webhook_url(good), "{good}");
    }
    for bad in [
        "http://crm.example.com/hook",
        "ftp://crm.example.com/",
        "https://user:pw@crm.example.com/",
        "https:///path",
        "https://crm.example.com:0/",
        "https://crm.example.com:99999/",
        "https://crm.example.com/a b",
        "https://crm.example.com/#frag",
        "http://127.0.0.1.evil.example/",
        "http://localhost@evil.example/",
    ] {
        assert!(!is_webhook_url(bad), "{bad}");
    }
    let input = crate::WebhookInput::validate(&json!({ "url": "https://crm.example.com/h" }))
        .expect("valid");
    assert_eq!(input.events, tsunagu_webhooks::EventTypes::all());
}

/// An IVR menu's mistakes as admin field errors: paths by node index, the menu's own codes and
/// sentences; a body that is not a menu at all is one error.
#[test]
fn ivr_menu_mistakes_are_field_errors_named_by_node_index() {
    let body = serde_json::json!({"start": "a", "nodes": [
        {"id": "a", "type": "gather", "prompt": "1を押してください。", "input": "dtmf",
         "choices": [{"digit": "1", "label": "一", "next": "b"}, {"digit": "1", "label": "二", "next": "b"}],
         "on_failure": "b"},
        {"id": "b", "type": "hangup"},
        {"id": "b", "type": "hangup"}]});
    let errors = crate::ivr_menu(&body).expect_err("refused").0;
    let shown: Vec<String> = errors
        .iter()
        .map(|e| {
            format!(
                "{} {} / {}",
                e.field,
                serde_json::to_string(&e.code).expect("serialises"),
                e.message.en
            )
        })
        .collect();
    expect![[r#"
        [
            "nodes[2].id {\"code\":\"ivr_menu\",\"problem\":{\"code\":\"duplicate_id\"}} / Another node has the same id.",
            "nodes[0].timeout_secs {\"code\":\"ivr_menu\",\"problem\":{\"code\":\"missing_timeout\"}} / Give the seconds to wait for an answer.",
            "nodes[0].max_retries {\"code\":\"ivr_menu\",\"problem\":{\"code\":\"missing_retry_limit\"}} / Give how many times to ask again.",
            "nodes[0].choices[1].digit {\"code\":\"ivr_menu\",\"problem\":{\"code\":\"duplicate\"}} / The same value appears twice.",
        ]
    "#]]
    .assert_debug_eq(&shown);
    let not_a_menu = crate::ivr_menu(
        &serde_json::json!({"start": "a", "nodes": [{"id": "a", "type": "dance"}]}),
    )
    .expect_err("refused")
    .0;
    assert_eq!(not_a_menu.len(), 1);
    assert_eq!(
        serde_json::to_value(&not_a_menu[0]).expect("serialises"),
        serde_json::json!({"field": "", "code": "ivr_menu", "problem": {"code": "malformed"},
            "message": {"ja": tsunagu_ivr::Problem::Malformed.ja(), "en": tsunagu_ivr::Problem::Malformed.en()}})
    );
}

mod queues;
mod web_calls;
