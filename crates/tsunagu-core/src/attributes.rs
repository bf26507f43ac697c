//! Customer attributes: a small map of the CRM's own labels (`plan` → `gold`, `区分` → `法人`)
//! that an IVR menu branches on. One rule for every way in (the admin API, a CSV import, a live
//! CRM lookup) and for the menu's `branch_attribute`, so a name that can be stored can be
//! branched on and the other way round.
//!
//! Keys and values are trimmed and then compared exactly (case matters: `Gold` is not `gold`).

use std::collections::BTreeMap;

/// Most attributes one customer carries.
pub const ATTRIBUTES_MAX: usize = 20;
/// Longest attribute name, in characters (at least 1).
pub const ATTRIBUTE_KEY_MAX_CHARS: usize = 32;
/// Longest attribute value, in characters (at least 1).
pub const ATTRIBUTE_VALUE_MAX_CHARS: usize = 64;

/// Why an attribute name or value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttributeProblem {
    #[error("more than {ATTRIBUTES_MAX} attributes")]
    TooMany,
    #[error("empty, or only blanks")]
    Blank,
    #[error("longer than its limit")]
    TooLong,
    #[error("holds control or bidirectional-override characters")]
    ControlCharacter,
}

/// A name of 1..=[`ATTRIBUTE_KEY_MAX_CHARS`] characters without controls, trimmed.
pub fn attribute_key(raw: &str) -> Result<String, AttributeProblem> {
    checked(raw, ATTRIBUTE_KEY_MAX_CHARS)
}

/// A value of 1..=[`ATTRIBUTE_VALUE_MAX_CHARS`] characters without controls, trimmed.
pub fn attribute_value(raw: &str) -> Result<String, AttributeProblem> {
    checked(raw, ATTRIBUTE_VALUE_MAX_CHARS)
}

/// A whole map checked: every key and value, and the count. The first problem only (callers that
/// report per entry check entries one by one).
pub fn attributes<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<BTreeMap<String, String>, AttributeProblem> {
    let mut map = BTreeMap::new();
    for (key, value) in entries {
        map.insert(attribute_key(key)?, attribute_value(value)?);
        if map.len() > ATTRIBUTES_MAX {
            return Err(AttributeProblem::TooMany);
        }
    }
    Ok(map)
}

fn checked(raw: &str, max: usize) -> Result<String, AttributeProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(AttributeProblem::Blank);
    }
    if trimmed.chars().count() > max {
        return Err(AttributeProblem::TooLong);
    }
    if trimmed.chars().any(is_control) {
        return Err(AttributeProblem::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

/// Controls (line breaks included) and the bidirectional marks that could make text display as
/// something else.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_and_values() {
        let read = |key: &str, value: &str| format!("{:?}", attributes([(key, value)]));
        expect![[r#"Ok({"plan": "gold"})"#]].assert_eq(&read(" plan ", "gold "));
        expect![[r#"Ok({"区分": "法人"})"#]].assert_eq(&read("区分", "法人"));
        expect!["Err(Blank)"].assert_eq(&read("  ", "gold"));
        expect!["Err(Blank)"].assert_eq(&read("plan", ""));
        expect!["Err(TooLong)"].assert_eq(&read(&"k".repeat(33), "v"));
        expect![[r#"Ok({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値"})"#]]
            .assert_eq(&read(&"k".repeat(32), &"値".repeat(64)));
        expect!["Err(TooLong)"].assert_eq(&read("plan", &"値".repeat(65)));
        expect!["Err(ControlCharacter)"].assert_eq(&read("pl\nan", "gold"));
        expect!["Err(ControlCharacter)"].assert_eq(&read("plan", "go\u{202E}ld"));
        let many: Vec<(String, String)> = (0..21).map(|n| (format!("k{n}"), "v".into())).collect();
        let many = attributes(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(many, Err(AttributeProblem::TooMany));
        let twenty: Vec<(String, String)> =
            (0..20).map(|n| (format!("k{n}"), "v".into())).collect();
        let twenty = attributes(twenty.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(twenty.map(|map| map.len()), Ok(20));
    }

    proptest! {
        /// Whatever comes in, what is accepted is within the limits and free of controls.
        #[test]
        fn accepted_is_bounded(key in ".{0,40}", value in ".{0,80}") {
            if let Ok(map) = attributes([(key.as_str(), value.as_str())]) {
                for (key, value) in map {
                    prop_assert!((1..=ATTRIBUTE_KEY_MAX_CHARS).contains(&key.chars().count()));
                    prop_assert!((1..=ATTRIBUTE_VALUE_MAX_CHARS).contains(&value.chars().count()));
                    prop_assert!(!key.chars().chain(value.chars()).any(is_control));
                }
            }
        }
    }
}
