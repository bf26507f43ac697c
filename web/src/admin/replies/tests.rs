//! The admin replies read from what the worker writes: its error bodies are built here with the
//! worker's own domain types (`tsunagu_admin`) serialised as `worker/src/error.rs` does.

use expect_test::{Expect, expect};
use serde_json::json;

use super::{ApiKey, Delivery, FieldError, ImportReport, Problem, read, unplaced};
use crate::i18n::Lang;

/// The worker's 422 body for `invalid` field errors (`error.rs`'s `ErrorBody`).
fn invalid_body(errors: &[tsunagu_admin::FieldError]) -> String {
    json!({"error": "invalid", "message": "some fields are invalid; see `fields`", "fields": errors}).to_string()
}

fn show(problem: &Problem, expected: &Expect) {
    let text = match problem {
        Problem::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{} {} | {} | {}\n", f.field, f.code, f.ja, f.en))
            .collect(),
        other => format!("{other:?}\n"),
    };
    expected.assert_eq(&text);
}

#[test]
fn a_refused_team_lists_each_field_with_its_code_and_both_messages() {
    let invalid = tsunagu_admin::Team::validate(
        &json!({"id": "営業", "name": {"ja": "", "en": "x".repeat(101)}}),
        None,
    )
    .expect_err("invalid");
    let problem = read(Ok((422, invalid_body(&invalid.0))), |_| Some(())).expect_err("refused");
    show(
        &problem,
        &expect![[r#"
            id invalid_id | ID は半角英数字・「_」・「-」で指定してください | an id may hold only ASCII letters, digits, `_` and `-`
            name.ja blank | 空にはできません | must not be empty
            name.en too_long | 100 文字以内で指定してください | must be at most 100 characters
        "#]],
    );
    let fields = problem.fields();
    assert_eq!(fields[1].text(Lang::En), "must not be empty");
    assert!(fields[1].is_about("name") && fields[1].is_about("name.ja"));
    assert!(!fields[1].is_about("nam") && !fields[1].is_about("name.en"));
    // Beside the form's inputs `id` and `name.ja`, only `name.en` is left for the top.
    let left: Vec<&str> = unplaced(fields, &["id", "name.ja"])
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(left, ["name.en"]);
}

#[test]
fn other_refusals_say_what_kind_they_are() {
    let cases = [
        (Err(()), "Network"),
        (
            Ok((403, r#"{"error":"missing_role","message":"…"}"#.to_owned())),
            "Forbidden",
        ),
        (
            Ok((401, r#"{"error":"unauthorized","message":"…"}"#.to_owned())),
            "SignedOut",
        ),
        (
            Ok((404, r#"{"error":"not_found","message":"…"}"#.to_owned())),
            "NotFound",
        ),
        (
            Ok((409, r#"{"error":"taken","message":"…"}"#.to_owned())),
            r#"Other("taken")"#,
        ),
        (
            Ok((502, "<html>bad gateway</html>".to_owned())),
            r#"Other("HTTP 502")"#,
        ),
        (
            Ok((200, "not json".to_owned())),
            r#"Other("unreadable_reply")"#,
        ),
    ];
    for (reply, expected) in cases {
        let problem = read(reply, |_| None::<()>).expect_err("a problem");
        assert_eq!(format!("{problem:?}"), expected);
    }
}

/// A CSV with one bad row planned by the worker's own import, as the dry run answers it.
fn planned(csv: &str) -> tsunagu_admin::customer_csv::ImportReport {
    tsunagu_admin::customer_csv::plan_import(csv.as_bytes(), None, &[], &[])
        .expect("readable")
        .report
}

const ONE_BAD_ROW: &str = "顧客ID,氏名,電話番号,メモ\nc1,山田 太郎,03-5555-0101,x\nc2,,090-1234-5678,y\nc3,佐藤 一郎,12,z\n";

#[test]
fn a_dry_run_lists_every_bad_row_with_its_line_column_and_reason() {
    let report = planned(ONE_BAD_ROW);
    let mut body = serde_json::to_value(&report).expect("json");
    body["dry_run"] = json!(true);
    body["written"] = json!(false);
    let read = read(Ok((200, body.to_string())), |v| {
        super::object(v, ImportReport::from_map)
    })
    .expect("a report");
    let rows: String = read
        .errors
        .iter()
        .map(|row| {
            format!(
                "line {} {:?} {} | {}\n",
                row.line, row.column, row.error.code, row.error.ja
            )
        })
        .collect();
    expect![[r#"
        line 3 Some("氏名") blank | 空にはできません
        line 4 Some("電話番号") invalid_phone | 発信できる電話番号ではありません
    "#]]
    .assert_eq(&rows);
    assert_eq!(
        (read.rows, read.created, read.updated, read.written),
        (3, 1, 0, false)
    );
    assert_eq!(read.ignored_columns, ["メモ"]);
}

#[test]
fn an_import_refused_for_its_rows_carries_the_report() {
    let body = json!({"error": "invalid_rows", "message": "…", "report": planned(ONE_BAD_ROW)})
        .to_string();
    match read(Ok((422, body)), |_| Some(())) {
        Err(Problem::InvalidRows(report)) => assert_eq!(report.errors.len(), 2),
        other => panic!("not the rows' report: {other:?}"),
    }
}

#[test]
fn a_created_key_carries_its_secret_once_and_lists_without_it() {
    let created = json!({"id": "0123456789abcdef", "name": "CRM", "scopes": ["conversations:read"],
        "created_by": "admin1", "created_at_ms": 1_700_000_000_000_u64, "last_used_at_ms": null,
        "revoked_at_ms": null, "key": "tsk_demo_0123456789abcdef_00"});
    let (key, secret) = super::object(to_value(&created), ApiKey::read_created).expect("read");
    assert_eq!(secret, "tsk_demo_0123456789abcdef_00");
    assert_eq!((key.last_used_at_ms, key.revoked), (None, false));
    let listed = json!({"api_keys": [{"id": "0123456789abcdef", "name": "CRM", "scopes": ["admin"],
        "created_by": "admin1", "created_at_ms": 1, "last_used_at_ms": 5, "revoked_at_ms": 9}]});
    let keys = super::list(to_value(&listed), "api_keys", ApiKey::read).expect("read");
    assert_eq!((keys[0].last_used_at_ms, keys[0].revoked), (Some(5), true));
}

#[test]
fn a_dead_delivery_can_be_redelivered() {
    let log = json!({"deliveries": [
        {"id": "d1", "subscription_id": "w", "event_id": "e", "event_type": "call.ended", "status": "dead",
         "attempts": 12, "created_at_ms": 1, "last_error": "HTTP 500"},
        {"id": "d2", "subscription_id": "w", "event_id": "e2", "event_type": "call.ringing", "status": "delivered",
         "attempts": 1, "created_at_ms": 2, "last_error": null},
    ]});
    let list = super::list(to_value(&log), "deliveries", Delivery::read).expect("read");
    assert_eq!(
        list.iter().map(Delivery::is_dead).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(list[0].last_error.as_deref(), Some("HTTP 500"));
}

#[test]
fn a_local_error_speaks_both_languages() {
    let error = FieldError::local("skills", "skills_format", "日本語", "English");
    assert_eq!(
        (error.text(Lang::Ja), error.text(Lang::En)),
        ("日本語", "English")
    );
}

fn to_value(json: &serde_json::Value) -> tsunagu_protocol::json::Value {
    tsunagu_protocol::json::Value::parse(&json.to_string()).expect("json")
}
