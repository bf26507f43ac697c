//! A tenant secret's new value (`PUT /api/admin/secrets/<name>`, body `{"value": "…"}`): its name
//! and length checked, the value itself never echoed, logged or shown by `Debug`.

use std::fmt;

use serde_json::Value;
use tsunagu_secrets::SecretName;

use crate::{ErrorCode, Invalid, fields::Fields};

/// A validated secret value. Its `Debug` hides it; [`SecretValue::expose`] is the one way out.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretValue(…, {} characters)", self.0.chars().count())
    }
}

impl SecretValue {
    /// The plain value, for sealing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The secret a path names (`embed_secret`, `twilio_auth_token`, `twilio_api_key_secret`,
/// `turnstile_secret`), or a typed error on the field `name`.
pub fn secret_name(raw: &str) -> Result<SecretName, Invalid> {
    SecretName::from_name(raw).ok_or_else(|| Invalid::one("name", ErrorCode::UnknownValue))
}

/// Reads `{"value": "…"}` for `name`: text of `name.min_chars()`..=512 characters, with no
/// blanks or control characters anywhere (a pasted secret with a trailing newline is refused,
/// not silently trimmed into another secret). Errors name the limits, never the value.
pub fn secret_value(name: SecretName, body: &Value) -> Result<SecretValue, Invalid> {
    let mut fields = Fields::of(body);
    let value = match fields.get("value") {
        None => {
            fields.fail("value", ErrorCode::Required);
            None
        }
        Some(Value::String(raw)) => {
            let chars = raw.chars().count();
            let (min, max) = (name.min_chars(), SecretName::MAX_CHARS);
            if chars < min as usize {
                fields.fail("value", ErrorCode::TooShort { min });
                None
            } else if chars > max as usize {
                fields.fail("value", ErrorCode::TooLong { max });
                None
            } else if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
                fields.fail("value", ErrorCode::Whitespace);
                None
            } else {
                Some(SecretValue(raw.clone()))
            }
        }
        Some(_) => {
            fields.fail("value", ErrorCode::NotText);
            None
        }
    };
    fields.finish(value)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use tsunagu_secrets::SecretName;

    use super::{secret_name, secret_value};
    use crate::{FieldError, Invalid};

    /// One line per refused field: `field code | ja | en`, or `ok` with the redacted `Debug`.
    fn check(result: Result<impl std::fmt::Debug, Invalid>, expected: &Expect) {
        let text = match result {
            Ok(value) => format!("ok {value:?}"),
            Err(Invalid(errors)) => errors
                .iter()
                .map(|e| {
                    let code = serde_json::to_value(e).expect("serialises");
                    let code = code.as_object().expect("an object");
                    let extra = code
                        .get("min")
                        .or_else(|| code.get("max"))
                        .map_or(String::new(), |n| format!(" {n}"));
                    format!(
                        "{} {}{} | {} | {}",
                        e.field, code["code"], extra, e.message.ja, e.message.en
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        expected.assert_eq(&text);
    }

    #[test]
    fn names_are_the_four_secrets() {
        check(secret_name("embed_secret"), &expect!["ok EmbedSecret"]);
        check(
            secret_name("twilio_api_key_secret"),
            &expect!["ok TwilioApiKeySecret"],
        );
        check(
            secret_name("EMBED_SECRET"),
            &expect![[
                r#"name "unknown_value" | 指定できない値です | is not one of the allowed values"#
            ]],
        );
        check(
            secret_name("session_secret"),
            &expect![[
                r#"name "unknown_value" | 指定できない値です | is not one of the allowed values"#
            ]],
        );
    }

    #[test]
    fn values_are_checked_for_length_and_blanks_and_never_shown() {
        let embed = SecretName::EmbedSecret;
        let token = SecretName::TwilioAuthToken;
        check(
            secret_value(embed, &json!({ "value": "x".repeat(32) })),
            &expect!["ok SecretValue(…, 32 characters)"],
        );
        check(
            secret_value(embed, &json!({ "value": "x".repeat(31) })),
            &expect![[
                r#"value "too_short" 32 | 32 文字以上で指定してください | must be at least 32 characters"#
            ]],
        );
        check(
            secret_value(token, &json!({ "value": "x".repeat(16) })),
            &expect!["ok SecretValue(…, 16 characters)"],
        );
        check(
            secret_value(token, &json!({ "value": "x".repeat(513) })),
            &expect![[
                r#"value "too_long" 512 | 512 文字以内で指定してください | must be at most 512 characters"#
            ]],
        );
        check(
            secret_value(token, &json!({ "value": format!("{}\n", "x".repeat(20)) })),
            &expect![[
                r#"value "whitespace" | 空白・改行・制御文字は使えません | must not contain blanks, line breaks or control characters"#
            ]],
        );
        check(
            secret_value(
                token,
                &json!({ "value": format!("{} {}", "x".repeat(10), "y".repeat(10)) }),
            ),
            &expect![[
                r#"value "whitespace" | 空白・改行・制御文字は使えません | must not contain blanks, line breaks or control characters"#
            ]],
        );
        check(
            secret_value(token, &json!({ "value": 12 })),
            &expect![[
                r#"value "not_text" | 文字列で指定してください | must be text (a JSON string)"#
            ]],
        );
        check(
            secret_value(token, &json!({})),
            &expect![[r#"value "required" | 必須項目です | this field is required"#]],
        );
        check(
            secret_value(token, &json!("value")),
            &expect![[
                r#" "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#
            ]],
        );
    }

    proptest! {
        /// No input panics, and a refusal is made of our fixed texts only: each error is exactly
        /// the one its code makes, so nothing of the value can be in it.
        #[test]
        fn a_refusal_never_quotes_the_value(value in "\\PC{0,600}") {
            for name in SecretName::ALL {
                if let Err(Invalid(errors)) = secret_value(name, &json!({ "value": value.clone() })) {
                    for error in &errors {
                        prop_assert_eq!(error, &FieldError::new("value", error.code));
                    }
                    let text = serde_json::to_string(&errors).expect("serialises");
                    prop_assert!(value.chars().count() < 20 || !text.contains(&value));
                }
                let accepted = secret_value(name, &Value::String(value.clone())).is_ok();
                prop_assert!(!accepted);
            }
        }
    }
}
