//! Queues and lines' after-hours rules: the API's refusals, and the contact center reading what
//! the API writes.

use expect_test::expect;
use serde_json::json;

use super::errors;

#[test]
fn queue_errors() {
    errors(
        crate::QueueInput::validate(
            &json!({
                "name": { "ja": "請求窓口" },
                "ladder": [],
                "max_wait": 10,
                "overflow": { "action": "announce" },
                "announce_position": "yes",
                "hold_music_url": "http://music.example.jp/a.mp3",
                "callback_digit": "x"
            }),
            "Billing",
        ),
        &expect![[r#"
            id "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            name.en "required" | 必須項目です | this field is required
            ladder "blank" | 空にはできません | must not be empty
            max_wait "not_in_range" | 1000 以上 3600000 以下の整数で指定してください | must be a whole number from 1000 to 3600000
            overflow.action "unknown_value" | 指定できない値です | is not one of the allowed values
            announce_position "not_boolean" | true または false で指定してください | must be true or false
            hold_music_url "not_https" | https:// で始まるアドレスを指定してください | must be an https:// address
            callback_digit "not_a_phone_key" | 電話のボタン（0〜9、*、#）を 1 つ指定してください | must be one key of a phone's pad (0-9, *, #)"#]],
    );
    errors(
        crate::QueueInput::validate(
            &json!({
                "name": { "ja": "請求窓口", "en": "Billing" },
                "overflow": { "action": "forward", "numbers": ["03-5555-0101", "not a number"] }
            }),
            "billing",
        ),
        &expect![[
            r#"overflow.numbers[1] "invalid_phone" | 発信できる電話番号ではありません | is not a phone number we can dial"#
        ]],
    );
}

#[test]
fn a_queue_reads_as_the_contact_center_takes_it() {
    let queue = crate::QueueInput::validate(
        &json!({
            "name": { "ja": "請求窓口", "en": "Billing" },
            "ladder": [{ "target": { "team": "billing" }, "timeout": 20000 }],
            "max_wait": 90000,
            "overflow": { "action": "voicemail", "max_length_secs": 60 },
            "announce_position": false,
            "hold_music_url": "https://music.example.jp/hold.mp3",
            "callback_digit": "9",
            "required_skills": { "billing": 2 },
            "priority": 5
        }),
        "billing",
    )
    .expect("valid");
    expect![[r#"
        {
          "announce_position": false,
          "callback_digit": "9",
          "hold_music_url": "https://music.example.jp/hold.mp3",
          "id": "billing",
          "ladder": {
            "steps": [
              {
                "target": {
                  "team": "billing"
                },
                "timeout": 20000
              }
            ]
          },
          "max_wait": 90000,
          "name": {
            "en": "Billing",
            "ja": "請求窓口"
          },
          "overflow": {
            "action": "voicemail",
            "max_length_secs": 60
          },
          "priority": 5,
          "required_skills": {
            "billing": 2
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&queue.to_center()).expect("json"));
    // A line names its queue and its after-hours rule.
    let line = crate::PhoneLine::validate(
        &json!({
            "number": "050-1234-5678", "kind": "main", "queue": "billing",
            "after_hours": { "action": "forward", "numbers": ["090-1111-2222"] }
        }),
        None,
    )
    .expect("valid");
    assert_eq!(line.queue.as_deref(), Some("billing"));
    errors(
        crate::PhoneLine::validate(
            &json!({
                "number": "050-1234-5678", "kind": "main", "queue": "Billing!",
                "after_hours": { "action": "keep_waiting" }
            }),
            None,
        ),
        &expect![[r#"
            queue "invalid_id" | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            after_hours.action "unknown_value" | 指定できない値です | is not one of the allowed values"#]],
    );
}

#[test]
fn the_contact_center_takes_queues_and_after_hours_rules_as_the_api_writes_them() {
    let queue = crate::QueueInput::validate(
        &json!({
            "name": { "ja": "請求窓口", "en": "Billing" },
            "ladder": [{ "target": "anyone", "timeout": 20000 }],
            "max_wait": 90000,
            "overflow": { "action": "forward", "numbers": ["03-5555-0101"] },
            "hold_music_url": "https://music.example.jp/hold.mp3",
            "callback_digit": "#",
            "required_skills": { "billing": 2 },
            "priority": 5
        }),
        "billing",
    )
    .expect("valid");
    let center: tsunagu_center::CallQueue =
        serde_json::from_value(queue.to_center()).expect("the center reads it");
    assert_eq!(center.callback_digit, Some('#'));
    assert_eq!((center.required_skills.len(), center.priority), (1, 5));
    assert_eq!(center.max_wait, Some(tsunagu_core::Millis(90_000)));
    for rule in [
        json!({ "action": "announce" }),
        json!({ "action": "voicemail", "prompt": "本日は終了しました。", "max_length_secs": 60 }),
        json!({ "action": "forward", "numbers": ["090-1111-2222"] }),
    ] {
        let line = crate::PhoneLine::validate(
            &json!({ "number": "050-1234-5678", "kind": "main", "after_hours": rule }),
            None,
        )
        .expect("valid");
        let written = serde_json::to_value(line.after_hours).expect("json");
        let _: tsunagu_center::AfterHours =
            serde_json::from_value(written).expect("the center reads it");
    }
}
