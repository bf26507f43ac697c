//! The conversations view's reader against the call log's JSON: a page read into rows, each
//! row's timeline and audit in words (ja and en), and what a reader must not trip over.

use expect_test::{Expect, expect};

use super::{Outcome, moment_text, outcome_text, page, row};
use crate::i18n::{self, Lang, conversations};

/// A conversation as `GET /api/conversations` answers a supervisor: the stitched
/// `Conversation` (checked below against `tsunagu_stitch`'s own type) with `routing`'s `ja`/`en`
/// and the names the API adds.
const ANSWERED: &str = r#"{
  "id": {"interaction": "CA0001"}, "interaction": "CA0001", "root_call_sid": "CA0001",
  "customer": "c001", "customer_number": "+81355550101", "channel": "voice", "direction": "inbound",
  "started_at": 1796600000000, "ended_at": 1796600095000, "queue": null, "queue_time": 0,
  "agent_legs": [
    {"agent": "sato", "call_sid": null, "step": "owner", "team": "sales", "consult": false,
     "offered_at": 1796600003000, "ringing_at": null, "outcome": "missed", "answered_at": null,
     "ended_at": null, "talk_time": 0, "hold_time": 0, "wrap_up": null},
    {"agent": "suzuki", "call_sid": "CA0002", "step": "team", "team": "sales", "consult": false,
     "offered_at": 1796600024000, "ringing_at": 1796600024500, "outcome": "answered",
     "answered_at": 1796600030000, "ended_at": 1796600095000, "talk_time": 65000, "hold_time": 0,
     "wrap_up": {"ended_at": 1796600125000, "duration": 30000, "disposition": "resolved",
                 "notes": "見積書を再送\n来週電話"}}
  ],
  "external_legs": [], "answered_by": "suzuki", "answered_at": 1796600030000,
  "time_to_answer": 30000, "team": "sales", "talk_time": 65000, "hold_time": 0,
  "wrap_up_time": 30000,
  "transfers": [{"from_agent": "suzuki", "to": {"agent": "takahashi"}, "at": 1796600060000}],
  "recordings": [],
  "routing": [
    {"at": 1796600003000, "explanation": {},
     "ja": "CA0001 が電話で着信（優先度 0）\n手順 1（担当者 sato）: sato を選択\n→ CA0001 を sato に 20 秒呼び出し（手順 1）",
     "en": "CA0001 arrived by voice (priority 0)\nStep 1 (owner sato): chose sato\n→ ring sato for 20 s (step 1)"},
    {"at": 1796600024000, "explanation": {},
     "ja": "sato が応答しなかったため再振り分け\n手順 2（担当者のチーム sales、2 名）: suzuki を選択",
     "en": "sato missed it: routed again\nStep 2 (owner's team sales, 2 agents): chose suzuki"}
  ],
  "ivr_path": ["請求", "料金チーム"],
  "outcome": "answered",
  "agent_names": {"sato": "佐藤 花子", "suzuki": "鈴木 一郎", "takahashi": "高橋 美咲"},
  "customer_name": "山田 太郎", "customer_display": "03-5555-0101"
}"#;

/// An agent's read of a call nobody took: no `routing`, no names the directory knows, a
/// number from abroad without its display form.
const ABANDONED: &str = r#"{
  "id": {"call": "CA0009"}, "interaction": null, "root_call_sid": "CA0009",
  "customer": null, "customer_number": "+442079460107", "channel": "web_call", "direction": "inbound",
  "started_at": 1796590000000, "ended_at": 1796590012000, "queue": "main", "queue_time": 12000,
  "agent_legs": [], "external_legs": [], "answered_by": null, "answered_at": null,
  "time_to_answer": null, "team": null, "talk_time": 0, "hold_time": 0, "wrap_up_time": 0,
  "transfers": [], "recordings": [], "outcome": {"abandoned": {"after": 12400}}
}"#;

fn reply(next: &str) -> String {
    format!(
        r#"{{"conversations": [{ANSWERED}, {ABANDONED}, 7, {{"started_at": "soon"}}], "scope": "teams", "time_zone": "Asia/Tokyo", "next": {next}}}"#
    )
}

/// Every row of a page, in words: its line, its timeline and its audit.
fn describe(body: &str, lang: Lang) -> String {
    let t = conversations::texts(lang);
    let phone = i18n::texts(lang);
    let page = page(body).expect("a page");
    let mut out = format!("next: {:?}, zone: {:?}\n", page.next, page.time_zone);
    for row in &page.rows {
        out.push_str(&format!(
            "[{}] {} | {} | {} | {} | {} | {}\n",
            row.key,
            row.started_at,
            row.number.as_deref().unwrap_or(t.unknown_number),
            row.customer_name.as_deref().unwrap_or("-"),
            row.channel
                .map(|c| super::channel_label(phone, c))
                .unwrap_or_default(),
            outcome_text(t, &row.outcome),
            row.answered_by.as_deref().unwrap_or(t.nobody_answered),
        ));
        for moment in &row.timeline {
            out.push_str(&format!(
                "  {} {}\n",
                moment.at,
                moment_text(t, phone, row, &moment.event)
            ));
        }
        for decision in &row.audit {
            out.push_str(&format!("  audit {}:\n", decision.at));
            for line in decision.text(lang).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out
}

#[track_caller]
fn check(body: &str, lang: Lang, expect: &Expect) {
    expect.assert_eq(&describe(body, lang));
}

#[test]
fn a_page_in_japanese_rows_timelines_and_the_audit_with_its_line_breaks() {
    check(
        &reply(r#""MTc5NjU5MDAwMDAwMH5jYWxsOkNBMDAwOQ""#),
        Lang::Ja,
        &expect![[r#"
            next: Some("MTc5NjU5MDAwMDAwMH5jYWxsOkNBMDAwOQ"), zone: Some("Asia/Tokyo")
            [CA0001] 1796600000000 | 03-5555-0101 | 山田 太郎 | 電話 | 応答 | 鈴木 一郎
              1796600000000 電話で着信
              1796600000000 IVR: 請求 → 料金チーム
              1796600003000 佐藤 花子 を呼び出し（受信確認なし）
              1796600024000 鈴木 一郎 を呼び出し（応答）
              1796600030000 鈴木 一郎 が応答
              1796600060000 鈴木 一郎 から 高橋 美咲 へ転送
              1796600095000 終了（応答）
              1796600125000 鈴木 一郎 の後処理完了 · 解決 · メモ: 見積書を再送
            来週電話
              audit 1796600003000:
                CA0001 が電話で着信（優先度 0）
                手順 1（担当者 sato）: sato を選択
                → CA0001 を sato に 20 秒呼び出し（手順 1）
              audit 1796600024000:
                sato が応答しなかったため再振り分け
                手順 2（担当者のチーム sales、2 名）: suzuki を選択
            [CA0009] 1796590000000 | +442079460107 | - | Web通話 | 放棄（12 秒後） | 応答者なし
              1796590000000 Web通話で着信
              1796590012000 終了（放棄（12 秒後））
        "#]],
    );
}

#[test]
fn the_same_page_in_english() {
    check(
        &reply("null"),
        Lang::En,
        &expect![[r#"
            next: None, zone: Some("Asia/Tokyo")
            [CA0001] 1796600000000 | 03-5555-0101 | 山田 太郎 | Phone | Answered | 鈴木 一郎
              1796600000000 Arrived (Phone)
              1796600000000 IVR: 請求 → 料金チーム
              1796600003000 Rang 佐藤 花子 (not acknowledged)
              1796600024000 Rang 鈴木 一郎 (answered)
              1796600030000 鈴木 一郎 answered
              1796600060000 Transferred from 鈴木 一郎 to 高橋 美咲
              1796600095000 Ended (Answered)
              1796600125000 鈴木 一郎 finished wrap-up · Resolved · Notes: 見積書を再送
            来週電話
              audit 1796600003000:
                CA0001 arrived by voice (priority 0)
                Step 1 (owner sato): chose sato
                → ring sato for 20 s (step 1)
              audit 1796600024000:
                sato missed it: routed again
                Step 2 (owner's team sales, 2 agents): chose suzuki
            [CA0009] 1796590000000 | +442079460107 | - | Web call | Abandoned after 12 s | Nobody answered
              1796590000000 Arrived (Web call)
              1796590012000 Ended (Abandoned after 12 s)
        "#]],
    );
}

#[test]
fn every_outcome_in_words_and_unknown_ones_without_raw_codes() {
    let t = conversations::texts(Lang::Ja);
    let outcomes = [
        r#""in_progress""#,
        r#""answered""#,
        r#"{"abandoned": {"after": 3999}}"#,
        r#"{"fallback": {"number": "+819012345678", "answered": true}}"#,
        r#"{"fallback": {"number": "+819012345678", "answered": false}}"#,
        r#""not_reached""#,
        r#""queued_forever""#,
        r#"{"teleported": {}}"#,
    ];
    let words: Vec<String> = outcomes
        .iter()
        .map(|json| {
            let body = format!(r#"{{"started_at": 1, "outcome": {json}}}"#);
            let read =
                row(tsunagu_protocol::json::Value::parse(&body).expect("json")).expect("row");
            outcome_text(t, &read.outcome)
        })
        .collect();
    expect![[r#"["通話中", "応答", "放棄（3 秒後）", "+819012345678 へ転送（応答あり）", "+819012345678 へ転送（応答なし）", "不通", "不明", "不明"]"#]]
        .assert_eq(&format!("{words:?}"));
}

#[test]
fn replies_that_are_not_a_page_are_refused() {
    for body in [
        "",
        "[]",
        r#"{"conversations": {}}"#,
        r#"{"error": "forbidden"}"#,
    ] {
        assert_eq!(page(body), None, "{body}");
    }
    let empty = page(r#"{"conversations": [], "next": null}"#).expect("an empty page");
    assert!(empty.rows.is_empty() && empty.next.is_none() && empty.time_zone.is_none());
    let bare = row(tsunagu_protocol::json::Value::parse(r#"{"started_at": 5}"#).expect("json"))
        .expect("the least a row needs");
    assert_eq!(bare.outcome, Outcome::Other);
    assert_eq!(bare.key, "5");
}

/// The fixtures are what the worker stores: `tsunagu_stitch` reads them as its own
/// `Conversation` (the API's additions aside), so the reader is tested on the real shape.
#[test]
fn the_fixtures_are_stitched_conversations() {
    for fixture in [ANSWERED, ABANDONED] {
        let mut value: serde_json::Value = serde_json::from_str(fixture).expect("json");
        let fields = value.as_object_mut().expect("object");
        // The audit's structured explanation is the routing crate's; this test is about the rest.
        fields.remove("routing");
        let conversation: tsunagu_stitch::Conversation =
            serde_json::from_value(value).expect("a stitched conversation");
        let again = serde_json::to_value(&conversation).expect("json");
        for key in [
            "started_at",
            "agent_legs",
            "transfers",
            "outcome",
            "ivr_path",
        ] {
            let original: serde_json::Value = serde_json::from_str(fixture).expect("json");
            assert_eq!(
                original.get(key),
                again.get(key),
                "{key} as the stitcher writes it"
            );
        }
    }
}
