//! Matching what a caller said (Twilio's `SpeechResult`) to a gather's choices.
//!
//! Both the utterance and the keywords are folded first: NFKC (full-width `１` → `1`, half-width
//! `ｾｲｷｭｳ` → `セイキュウ`), katakana → hiragana (recognisers write `セイキュウ` or `せいきゅう` for the
//! same word), ASCII lowercase, and blanks and punctuation dropped (`請求、です。` → `請求です`).
//! A choice matches when one of its folded keywords occurs in the folded utterance; when several
//! choices match, the longest keyword wins (`請求書` over `請求`), and a tie between different
//! choices is no match (the caller is asked again rather than sent the wrong way). An utterance
//! that is only a key (`1`, `１番`, `いち`, `一`) picks the choice on that key.

use unicode_normalization::UnicodeNormalization;

use crate::menu::Choice;

/// The folded form used for matching.
pub fn normalise(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
        .map(|c| match c {
            // Katakana ァ..ヶ → hiragana ぁ..ゖ (the blocks are 0x60 apart).
            '\u{30a1}'..='\u{30f6}' => char::from_u32(u32::from(c) - 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '*' | '#')
        || matches!(
            c,
            '、' | '。' | '・' | '「' | '」' | '『' | '』' | '（' | '）' | '〜' | '…'
        )
}

/// The key a whole utterance names, if it is only a key: `1`, `1番`, `いち`, `一`.
fn spoken_key(folded: &str) -> Option<char> {
    let bare = folded
        .trim_end_matches("です")
        .trim_end_matches("ばん")
        .trim_end_matches('番');
    let mut chars = bare.chars();
    let only = chars.next()?;
    if let Some(second) = chars.next() {
        // Multi-character readings of digits.
        let rest: String = [second].into_iter().chain(chars).collect();
        return match (only, rest.as_str()) {
            ('い', "ち") => Some('1'),
            ('さ', "ん") => Some('3'),
            ('よ', "ん") => Some('4'),
            ('ろ', "く") => Some('6'),
            ('な', "な") => Some('7'),
            ('は', "ち") => Some('8'),
            ('き', "ゅう") => Some('9'),
            ('ぜ', "ろ") => Some('0'),
            _ => None,
        };
    }
    match only {
        '0'..='9' => Some(only),
        '〇' | '零' => Some('0'),
        '一' => Some('1'),
        '二' | 'に' => Some('2'),
        '三' => Some('3'),
        '四' => Some('4'),
        '五' | 'ご' => Some('5'),
        '六' => Some('6'),
        '七' => Some('7'),
        '八' => Some('8'),
        '九' => Some('9'),
        _ => None,
    }
}

/// The index of the choice `utterance` picks, if exactly one fits best.
pub fn match_speech(utterance: &str, choices: &[Choice]) -> Option<usize> {
    let folded = normalise(utterance);
    if folded.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None; // (keyword length, choice)
    let mut tied = false;
    for (i, choice) in choices.iter().enumerate() {
        for keyword in &choice.keywords {
            let keyword = normalise(keyword);
            if keyword.is_empty() || !folded.contains(&keyword) {
                continue;
            }
            let length = keyword.chars().count();
            match best {
                Some((longest, _)) if length < longest => {}
                Some((longest, choice)) if length == longest => tied |= choice != i,
                _ => {
                    best = Some((length, i));
                    tied = false;
                }
            }
        }
    }
    match best {
        Some((_, choice)) if !tied => Some(choice),
        Some(_) => None,
        None => {
            let key = spoken_key(&folded)?;
            choices.iter().position(|choice| choice.digit == Some(key))
        }
    }
}

/// The index of the choice on the first key of `digits`.
pub fn match_digits(digits: &str, choices: &[Choice]) -> Option<usize> {
    let key = digits.chars().next()?;
    choices.iter().position(|choice| choice.digit == Some(key))
}
