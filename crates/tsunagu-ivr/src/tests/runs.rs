//! Snapshots of calls through the demo menu: one line per input and per output.

use std::collections::BTreeMap;

use chrono::DateTime;
use expect_test::expect;
use tsunagu_calendar::{BusinessCalendar, Openness};
use tsunagu_core::Timestamp;

use super::{T0, check_run, demo_menu};
use crate::{CallFacts, Input, IvrCall, Output, PromptId, Rejected};

fn open() -> CallFacts {
    CallFacts {
        hours: Some(Openness::Open),
        attributes: BTreeMap::new(),
    }
}

fn digits(digits: &str) -> Input {
    Input::Digits {
        prompt: None,
        digits: digits.to_owned(),
    }
}

fn speech(text: &str, confidence: f32) -> Input {
    Input::Speech {
        prompt: None,
        text: text.to_owned(),
        confidence: Some(confidence),
    }
}

fn no_input() -> Input {
    Input::NoInput { prompt: None }
}

#[test]
fn pressing_1_reaches_the_billing_team_with_the_billing_skill() {
    check_run(
        open(),
        vec![digits("1")],
        expect![[r#"
            > start (hours: open, attributes: {})
            < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
            > digits "1"
            < finished: IVR: 請求 → 料金チーム | skills [billing≥2] | priority Some(5) | route Team(TeamId("billing"))
        "#]],
    );
}

#[test]
fn saying_seikyuu_reaches_the_billing_team_like_pressing_1() {
    check_run(
        open(),
        vec![speech("えーと、請求について聞きたいです。", 0.87)],
        expect![[r#"
            > start (hours: open, attributes: {})
            < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
            > speech "えーと、請求について聞きたいです。" (Some(0.87))
            < finished: IVR: 請求 → 料金チーム | skills [billing≥2] | priority Some(5) | route Team(TeamId("billing"))
        "#]],
    );
}

#[test]
fn saying_the_key_in_full_width_or_in_words_picks_that_key() {
    check_run(
        open(),
        vec![speech("２番", 0.9)],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > speech "２番" (Some(0.9))
        < finished: IVR: 予約 → 予約窓口 | skills [booking≥1] | priority None | route Queue("booking")
    "#]],
    );
    check_run(
        open(),
        vec![speech("いち", 0.9)],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > speech "いち" (Some(0.9))
        < finished: IVR: 請求 → 料金チーム | skills [billing≥2] | priority Some(5) | route Team(TeamId("billing"))
    "#]],
    );
}

#[test]
fn no_input_twice_goes_to_the_fallback_after_the_one_retry() {
    check_run(
        open(),
        vec![no_input(), no_input()],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > no input
        < say 「入力が確認できませんでした。」
        < ask root visit 0 retry 1 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > no input
        < say 「担当者におつなぎします。」
        < finished: IVR: 入力なし → 代表 | skills [] | priority None | route Default
    "#]],
    );
}

#[test]
fn an_invalid_digit_is_asked_again_with_the_invalid_sentence() {
    check_run(
        open(),
        vec![digits("7"), digits("2")],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > digits "7"
        < say 「恐れ入りますが、もう一度お願いいたします。」
        < ask root visit 0 retry 1 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > digits "2"
        < finished: IVR: 予約 → 予約窓口 | skills [booking≥1] | priority None | route Queue("booking")
    "#]],
    );
}

#[test]
fn speech_that_is_not_understood_or_too_unsure_is_asked_again() {
    check_run(
        open(),
        vec![speech("天気はどうですか", 0.95), speech("請求", 0.1)],
        expect![[r#"
            > start (hours: open, attributes: {})
            < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
            > speech "天気はどうですか" (Some(0.95))
            < say 「恐れ入りますが、もう一度お願いいたします。」
            < ask root visit 0 retry 1 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
            > speech "請求" (Some(0.1))
            < say 「担当者におつなぎします。」
            < finished: IVR: 選択不明 → 代表 | skills [] | priority None | route Default
        "#]],
    );
}

#[test]
fn a_gold_customer_cancelling_gets_priority_9() {
    let facts = CallFacts {
        hours: Some(Openness::Open),
        attributes: BTreeMap::from([("plan".to_owned(), "gold".to_owned())]),
    };
    check_run(
        facts,
        vec![speech("解約したい", 0.8)],
        expect![[r#"
        > start (hours: open, attributes: {"plan": "gold"})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > speech "解約したい" (Some(0.8))
        < finished: IVR: 解約 → VIP → 解約受付 | skills [] | priority Some(9) | route Team(TeamId("retention"))
    "#]],
    );
}

#[test]
fn nine_repeats_the_menu_and_the_path_shows_it() {
    check_run(
        open(),
        vec![digits("9"), digits("1")],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > digits "9"
        < ask root visit 1 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > digits "1"
        < finished: IVR: もう一度 → 請求 → 料金チーム | skills [billing≥2] | priority Some(5) | route Team(TeamId("billing"))
    "#]],
    );
}

/// 2025-11-23 (勤労感謝の日) is a Sunday, so Monday 2025-11-24 is a substitute holiday.
#[test]
fn after_hours_on_a_substitute_holiday_goes_to_voicemail() {
    let calendar: BusinessCalendar = serde_json::from_str(
        r#"{"weekly": [
              {"day": "mon", "open": "09:00", "close": "18:00"},
              {"day": "tue", "open": "09:00", "close": "18:00"},
              {"day": "wed", "open": "09:00", "close": "18:00"},
              {"day": "thu", "open": "09:00", "close": "18:00"},
              {"day": "fri", "open": "09:00", "close": "18:00"}],
            "closed_on_national_holidays": true}"#,
    )
    .expect("calendar parses");
    let monday_ten = DateTime::parse_from_rfc3339("2025-11-24T10:00:00+09:00").expect("date");
    let at = Timestamp(u64::try_from(monday_ten.timestamp_millis()).expect("after 1970"));
    let facts = CallFacts {
        hours: Some(calendar.openness(at)),
        attributes: BTreeMap::new(),
    };
    check_run(
        facts,
        vec![],
        expect![[r#"
        > start (hours: 祝日（振替休日）, attributes: {})
        < finished: IVR: 祝日（振替休日） → 留守番電話 | skills [] | priority None | voicemail 「ただいま営業時間外です。発信音のあとにご用件をお話しください。」 ≤120 s
    "#]],
    );
}

#[test]
fn the_caller_hanging_up_ends_the_menu() {
    check_run(
        open(),
        vec![Input::CallerHungUp, digits("1")],
        expect![[r#"
        > start (hours: open, attributes: {})
        < ask root visit 0 retry 0 「ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。」 (DtmfSpeech, hints 請求,解約,予約, 5 s)
        > caller hung up
        < finished: IVR: — | skills [] | priority None | hang up None (CallerHungUp)
        > digits "1"
        ! rejected: the menu is over for this call
    "#]],
    );
}

#[test]
fn an_answer_to_an_earlier_question_is_stale_and_changes_nothing() {
    let mut call = IvrCall::new(demo_menu());
    call.handle_input(T0, Input::Start { facts: open() })
        .expect("starts");
    call.handle_input(T0, no_input()).expect("retry");
    let first = PromptId {
        node: crate::NodeId::new("root"),
        visit: 0,
        retry: 0,
    };
    let retry = PromptId {
        node: crate::NodeId::new("root"),
        visit: 0,
        retry: 1,
    };
    // Twilio retried the first question's webhook: refused, the call still asks the retry.
    assert_eq!(
        call.handle_input(
            T0,
            Input::Digits {
                prompt: Some(first),
                digits: "1".to_owned()
            }
        ),
        Err(Rejected::Stale {
            current: retry.clone()
        })
    );
    assert_eq!(call.current_prompt().map(|p| &p.id), Some(&retry));
    call.handle_input(
        T0,
        Input::Digits {
            prompt: Some(retry),
            digits: "2".to_owned(),
        },
    )
    .expect("answers the retry");
    assert_eq!(
        call.outcome().map(crate::Outcome::screen_pop).as_deref(),
        Some("IVR: 予約 → 予約窓口")
    );
}

#[test]
fn a_question_nobody_answers_times_out_as_no_input() {
    let mut call = IvrCall::new(demo_menu());
    call.handle_input(T0, Input::Start { facts: open() })
        .expect("starts");
    let deadline = call.poll_timeout().expect("waits for an answer");
    // 5 s of timeout, 15 s of slack, 0.2 s for each of the prompt's 34 characters.
    assert_eq!(deadline.0 - T0.0, 5_000 + 15_000 + 34 * 200);
    call.handle_timeout(Timestamp(deadline.0 - 1));
    assert!(
        call.poll_output()
            .is_some_and(|o| matches!(o, Output::Ask(p) if p.id.retry == 0))
    );
    assert_eq!(call.poll_output(), None);
    call.handle_timeout(deadline);
    assert!(matches!(call.poll_output(), Some(Output::Ask(p)) if p.id.retry == 1));
}

#[test]
fn a_stored_call_goes_on_where_it_was() {
    let mut call = IvrCall::new(demo_menu());
    call.handle_input(T0, Input::Start { facts: open() })
        .expect("starts");
    let stored = serde_json::to_string(call.state()).expect("serialises");
    let mut restored =
        IvrCall::restore(demo_menu(), serde_json::from_str(&stored).expect("parses"));
    restored.handle_input(T0, digits("1")).expect("answers");
    assert_eq!(
        restored
            .outcome()
            .map(crate::Outcome::screen_pop)
            .as_deref(),
        Some("IVR: 請求 → 料金チーム")
    );
}

#[test]
fn a_japanese_attribute_is_branched_on_exactly() {
    let menu: crate::Menu = serde_json::from_str(
        r#"{"start": "kind", "nodes": [
        {"id": "kind", "type": "branch_attribute", "attribute": "区分",
         "cases": [{"equals": "法人", "next": "corp"}], "otherwise": "home"},
        {"id": "corp", "label": "法人窓口", "type": "route", "target": {"team": "corporate"}},
        {"id": "home", "label": "個人窓口", "type": "route", "target": "default"}]}"#,
    )
    .expect("parses");
    let menu = menu.validate().expect("valid");
    let facts = |value: &str| CallFacts {
        hours: Some(Openness::Open),
        attributes: BTreeMap::from([("区分".to_owned(), value.to_owned())]),
    };
    let corporate = super::transcript(menu.clone(), facts("法人"), Vec::new());
    let other = super::transcript(menu, facts("個人"), Vec::new());
    expect![[r#"
        > start (hours: open, attributes: {"区分": "法人"})
        < finished: IVR: 法人窓口 | skills [] | priority None | route Team(TeamId("corporate"))
        > start (hours: open, attributes: {"区分": "個人"})
        < finished: IVR: 個人窓口 | skills [] | priority None | route Default
    "#]]
    .assert_eq(&format!("{corporate}{other}"));
}
