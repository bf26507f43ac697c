//! Phone lines as the admin API writes them: the numbers customers call. A main line routes the
//! call; a legacy line (an old number still printed somewhere) first announces the new number.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_phone::{PhoneNumber, Region};

use crate::{ErrorCode, Invalid, fields::Fields};

/// What a line does with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Main,
    Legacy,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Main => "main",
            LineKind::Legacy => "legacy",
        }
    }
}

/// A phone line (`/api/admin/phone-lines`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneLine {
    /// The number, E.164.
    pub number: String,
    pub kind: LineKind,
    /// The number a legacy line announces (E.164); never set on a main line.
    pub announce: Option<String>,
}

impl PhoneLine {
    /// Validates a body; `path_number` is the URL's number for an update (any form).
    pub fn validate(body: &Value, path_number: Option<&str>) -> Result<PhoneLine, Invalid> {
        let mut fields = Fields::of(body);
        let number = match path_number {
            Some(raw) => phone(&mut fields, "number", raw),
            None => fields
                .text("number", 40)
                .and_then(|raw| phone(&mut fields, "number", &raw)),
        };
        let kind = fields
            .text("kind", 10)
            .and_then(|kind| match kind.as_str() {
                "main" => Some(LineKind::Main),
                "legacy" => Some(LineKind::Legacy),
                _ => {
                    fields.fail("kind", ErrorCode::UnknownValue);
                    None
                }
            });
        let announce = fields
            .optional_text("announce", 40, false)
            .and_then(|raw| phone(&mut fields, "announce", &raw));
        match (kind, &announce) {
            (Some(LineKind::Legacy), None) if fields.get("announce").is_none() => {
                fields.fail("announce", ErrorCode::Required);
            }
            (Some(LineKind::Main), Some(_)) => fields.fail("announce", ErrorCode::NotAllowed),
            _ => {}
        }
        if announce.is_some() && announce == number {
            fields.fail("announce", ErrorCode::SameAsNumber);
        }
        let line = (|| {
            Some(PhoneLine {
                number: number?,
                kind: kind?,
                announce,
            })
        })();
        fields.finish(line)
    }
}

/// `raw` in E.164 (national numbers read as Japanese), or an error on `field`.
fn phone(fields: &mut Fields<'_>, field: &str, raw: &str) -> Option<String> {
    match PhoneNumber::parse(raw, Region::Jp) {
        Ok(number) => Some(number.as_e164().to_owned()),
        Err(_) => {
            fields.fail(field, ErrorCode::InvalidPhone);
            None
        }
    }
}
