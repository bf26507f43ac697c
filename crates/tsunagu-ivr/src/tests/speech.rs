//! Folding and matching of speech results.

use expect_test::expect;

use crate::{Choice, NodeId, match_speech, normalise};

fn choice(digit: Option<char>, keywords: &[&str], label: &str) -> Choice {
    Choice {
        digit,
        keywords: keywords.iter().map(|&k| k.to_owned()).collect(),
        label: label.to_owned(),
        next: NodeId::new("x"),
    }
}

#[test]
fn folding_evens_out_width_kana_case_blanks_and_punctuation() {
    let folded: Vec<String> = [
        "１２３",
        "ｾｲｷｭｳ",
        "セイキュウ",
        "請求、です。",
        "Ｂｉｌｌｉｎｇ ＰＬＡＮ",
        "　予約　",
        "＊＃",
        "ガイド",
    ]
    .iter()
    .map(|s| normalise(s))
    .collect();
    expect![[r#"
        [
            "123",
            "せいきゅう",
            "せいきゅう",
            "請求です",
            "billingplan",
            "予約",
            "*#",
            "がいど",
        ]
    "#]]
    .assert_debug_eq(&folded);
}

#[test]
fn the_longest_keyword_wins_and_a_tie_between_choices_is_no_match() {
    let choices = [
        choice(Some('1'), &["請求"], "請求"),
        choice(Some('2'), &["請求書"], "請求書"),
        choice(Some('3'), &["予約"], "予約"),
    ];
    let picks: Vec<(&str, Option<usize>)> = [
        "請求について",
        "請求書がほしい",
        "セイキュウ",
        "予約と請求",
        "３",
        "さん",
        "三番です",
        "よん",
        "",
        "。",
    ]
    .into_iter()
    .map(|utterance| (utterance, match_speech(utterance, &choices)))
    .collect();
    expect![[r#"
        [
            (
                "請求について",
                Some(
                    0,
                ),
            ),
            (
                "請求書がほしい",
                Some(
                    1,
                ),
            ),
            (
                "セイキュウ",
                None,
            ),
            (
                "予約と請求",
                None,
            ),
            (
                "３",
                Some(
                    2,
                ),
            ),
            (
                "さん",
                Some(
                    2,
                ),
            ),
            (
                "三番です",
                Some(
                    2,
                ),
            ),
            (
                "よん",
                None,
            ),
            (
                "",
                None,
            ),
            (
                "。",
                None,
            ),
        ]
    "#]]
    .assert_debug_eq(&picks);
}
