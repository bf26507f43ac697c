//! Validation on save: each mistake typed, against its node and field, in Japanese and English.

use expect_test::{Expect, expect};

use super::{DEMO_MENU, demo_menu};
use crate::Menu;

#[allow(
    clippy::needless_pass_by_value,
    reason = "expect! values are built inline"
)]
fn check(json: &str, expect: Expect) {
    let menu: Menu = serde_json::from_str(json).expect("parses");
    let out = match menu.validate() {
        Ok(_) => "valid\n".to_owned(),
        Err(errors) => errors
            .iter()
            .map(|error| {
                format!(
                    "{} {} {}: {} / {}\n",
                    error.node.as_ref().map_or("(menu)", |n| n.as_str()),
                    error.field,
                    serde_json::to_value(error.problem).expect("serialises")["code"],
                    error.problem.ja(),
                    error.problem.en()
                )
            })
            .collect(),
    };
    expect.assert_eq(&out);
}

#[test]
fn the_demo_menu_is_valid_and_round_trips_as_json() {
    let menu = demo_menu();
    let again: Menu =
        serde_json::from_str(&serde_json::to_string(menu.menu()).expect("writes")).expect("reads");
    let original: Menu = serde_json::from_str(DEMO_MENU).expect("reads");
    assert_eq!(again, original);
}

#[test]
fn a_gather_needs_a_timeout_and_a_retry_limit() {
    check(
        r#"{"start": "a", "nodes": [
            {"id": "a", "type": "gather", "prompt": "1を押してください。", "input": "dtmf",
             "choices": [{"digit": "1", "label": "一", "next": "b"}], "on_failure": "b"},
            {"id": "b", "type": "hangup"}]}"#,
        expect![[r#"
            a timeout_secs "missing_timeout": 入力待ちの秒数を指定してください。 / Give the seconds to wait for an answer.
            a max_retries "missing_retry_limit": 聞き直す回数の上限を指定してください。 / Give how many times to ask again.
        "#]],
    );
}

#[test]
fn unreachable_nodes_loops_without_exit_and_loops_that_ask_nothing_are_refused() {
    check(
        r#"{"start": "a", "nodes": [
            {"id": "a", "type": "branch_hours", "open": "b", "closed": "end"},
            {"id": "b", "type": "say", "text": "少々お待ちください。", "next": "a"},
            {"id": "end", "type": "hangup"},
            {"id": "orphan", "type": "hangup"},
            {"id": "ask", "type": "gather", "prompt": "1を押してください。", "input": "dtmf",
             "timeout_secs": 5, "max_retries": 1,
             "choices": [{"digit": "1", "label": "一", "next": "ask"}], "on_failure": "ask"}]}"#,
        expect![[r#"
            a id "loop_without_question": お客様の入力を待たずに同じ所を回り続けるループがあります。 / This node is on a loop that never waits for the caller.
            b id "loop_without_question": お客様の入力を待たずに同じ所を回り続けるループがあります。 / This node is on a loop that never waits for the caller.
            orphan id "unreachable": 開始ノードからたどり着けないノードです。 / No path from the start reaches this node.
            ask id "unreachable": 開始ノードからたどり着けないノードです。 / No path from the start reaches this node.
        "#]],
    );
    check(
        r#"{"start": "a", "nodes": [
            {"id": "a", "type": "gather", "prompt": "1を押してください。", "input": "dtmf",
             "timeout_secs": 5, "max_retries": 1,
             "choices": [{"digit": "1", "label": "一", "next": "b"}], "on_failure": "a"},
            {"id": "b", "type": "say", "text": "もう一度。", "next": "a"}]}"#,
        expect![[r#"
            a id "no_exit": ここから終了（転送・留守番電話・切電など）にたどり着けません。抜け道のないループです。 / No path from here reaches an exit (route, voicemail, transfer or hang-up): a loop without a way out.
            b id "no_exit": ここから終了（転送・留守番電話・切電など）にたどり着けません。抜け道のないループです。 / No path from here reaches an exit (route, voicemail, transfer or hang-up): a loop without a way out.
        "#]],
    );
}

#[test]
fn every_field_mistake_is_reported_at_once() {
    check(
        r#"{"start": "nowhere", "nodes": [
            {"id": "Root", "type": "gather", "prompt": " ", "input": "dtmf",
             "hints": ["a,b"], "timeout_secs": 0, "max_retries": 9, "min_confidence_percent": 101,
             "choices": [
               {"digit": "1", "label": "一", "next": "x"},
               {"digit": "1", "keywords": ["請求"], "label": "二", "next": "end"},
               {"digit": "A", "label": "三", "next": "end"},
               {"keywords": ["予約"], "label": "四", "next": "end"}],
             "on_failure": "end"},
            {"id": "end", "type": "hangup", "text": "さようなら\u0007"},
            {"id": "end", "type": "transfer", "number": "0312345678"},
            {"id": "vm", "label": "", "type": "voicemail", "prompt": "どうぞ。", "max_length_secs": 3},
            {"id": "q", "type": "route", "target": {"queue": "Billing Queue"}},
            {"id": "attr", "type": "branch_attribute", "attribute": "plan",
             "cases": [{"equals": "gold", "next": "end"}, {"equals": "gold", "next": "end"}],
             "otherwise": "end"},
            {"id": "skills", "type": "set_routing",
             "skills": [{"skill": "billing", "min_level": 11}, {"skill": "billing"}], "next": "end"}]}"#,
        expect![[r#"
            Root id "invalid_id": 英小文字・数字・「_」「-」で32文字以内にしてください。 / Use lowercase letters, digits, `_` and `-`, at most 32 characters.
            end id "duplicate_id": 同じIDのノードがほかにもあります。 / Another node has the same id.
            (menu) start "unknown_start": 開始ノードが見つかりません。 / The start node does not exist.
            Root prompt "blank": 空にはできません。 / Must not be empty.
            Root timeout_secs "not_in_range": 1から30までの値にしてください。 / Use a value from 1 to 30.
            Root max_retries "not_in_range": 0から5までの値にしてください。 / Use a value from 0 to 5.
            Root min_confidence_percent "not_in_range": 0から100までの値にしてください。 / Use a value from 0 to 100.
            Root hints[0] "comma": 半角カンマは使えません（1件ずつ分けてください）。 / No commas: give one hint per entry.
            Root choices[0].next "unknown_node": 存在しないノードを指しています。 / This names a node that does not exist.
            Root choices[1].digit "duplicate": 同じ値がほかにもあります。 / The same value appears twice.
            Root choices[2].digit "invalid_digit": 0〜9、*、# のいずれか1文字にしてください。 / Use one of 0–9, * or #.
            Root choices[3] "cannot_be_chosen": この入力方法では選べない選択肢です（ボタンかキーワードが必要です）。 / The gather's input cannot pick this choice (it needs a key or a keyword).
            end text "control_character": 使えない制御文字が含まれています。 / Contains control characters.
            end number "invalid_phone": +81… の形式の電話番号にしてください。 / Use a phone number in +81… form.
            vm label "blank": 空にはできません。 / Must not be empty.
            vm max_length_secs "not_in_range": 5から600までの値にしてください。 / Use a value from 5 to 600.
            q target.queue "invalid_name": 英小文字・数字・「_」「-」で32文字以内にしてください。 / Use lowercase letters, digits, `_` and `-`, at most 32 characters.
            attr cases[1].equals "duplicate": 同じ値がほかにもあります。 / The same value appears twice.
            skills skills[0].min_level "not_in_range": 1から10までの値にしてください。 / Use a value from 1 to 10.
            skills skills[1].skill "duplicate": 同じ値がほかにもあります。 / The same value appears twice.
        "#]],
    );
}

#[test]
fn keywords_that_fold_to_the_same_word_in_two_choices_are_refused() {
    check(
        r#"{"start": "a", "nodes": [
            {"id": "a", "type": "gather", "prompt": "ご用件をどうぞ。", "input": "speech",
             "timeout_secs": 5, "max_retries": 1,
             "choices": [
               {"keywords": ["セイキュウ"], "label": "請求", "next": "b"},
               {"keywords": ["せいきゅう", "。"], "label": "請求2", "next": "b"}],
             "on_failure": "b"},
            {"id": "b", "type": "hangup"}]}"#,
        expect![[r#"
            a choices[1].keywords[0] "duplicate": 同じ値がほかにもあります。 / The same value appears twice.
            a choices[1].keywords[1] "blank": 空にはできません。 / Must not be empty.
        "#]],
    );
}

#[test]
fn a_menu_over_the_node_cap_is_refused_before_anything_else() {
    let nodes: Vec<String> = (0..65)
        .map(|i| format!(r#"{{"id": "n{i}", "type": "hangup"}}"#))
        .collect();
    check(
        &format!(r#"{{"start": "n0", "nodes": [{}]}}"#, nodes.join(",")),
        expect![[r#"
            (menu) nodes "too_many_nodes": ノードは64個までです。 / A menu has at most 64 nodes.
        "#]],
    );
}

#[test]
fn attribute_names_and_values_follow_the_directorys_rule() {
    // Japanese names and values up to the directory's limits are fine (a CRM's `区分`).
    check(
        &format!(
            r#"{{"start": "a", "nodes": [
            {{"id": "a", "type": "branch_attribute", "attribute": "区分",
             "cases": [{{"equals": "法人", "next": "b"}}, {{"equals": "{}", "next": "b"}}],
             "otherwise": "b"}},
            {{"id": "b", "type": "hangup"}}]}}"#,
            "値".repeat(64)
        ),
        expect![[r#"
            valid
        "#]],
    );
    check(
        &format!(
            r#"{{"start": "a", "nodes": [
            {{"id": "a", "type": "branch_attribute", "attribute": " ",
             "cases": [{{"equals": "{}", "next": "b"}}], "otherwise": "b"}},
            {{"id": "c", "type": "branch_attribute", "attribute": "{}",
             "cases": [{{"equals": "x\ty", "next": "b"}}], "otherwise": "b"}},
            {{"id": "b", "type": "hangup"}}]}}"#,
            "値".repeat(65),
            "k".repeat(33)
        ),
        expect![[r#"
            a attribute "blank": 空にはできません。 / Must not be empty.
            a cases[0].equals "too_long": 64文字以内にしてください。 / At most 64 characters.
            c attribute "too_long": 32文字以内にしてください。 / At most 32 characters.
            c cases[0].equals "control_character": 使えない制御文字が含まれています。 / Contains control characters.
        "#]],
    );
}
