//! Phone lines as the admin API writes them: the numbers customers call. A main line routes the
//! call; a legacy line (an old number still printed somewhere) first announces the new number.
//! Either may say what its calls need: skills (each with a minimum level), a priority, and how
//! long a call waits for a skilled agent before anyone may take it (skill relaxation), and keep
//! business hours of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_phone::{PhoneNumber, Region};

use crate::{
    ErrorCode, Invalid,
    directory::read_skill_levels,
    fields::Fields,
    queues::{Rule, RuleUse, queue_id, read_rule},
    routing::{Hours, read_hours},
};

/// Most skills a line may require.
pub const LINE_SKILLS_MAX: u32 = 10;
/// Priorities run from 0 (the default) to 9 (served first).
pub const PRIORITY_MAX: u32 = 9;
/// The longest wait for a skilled agent a line may set (1 h).
pub const SKILL_RELAX_MAX_SECS: u32 = 3600;
/// The wait for a skilled agent when a line does not say.
pub const SKILL_RELAX_DEFAULT_SECS: u32 = 60;

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
    /// Skill name → the lowest level (1–5) an agent needs to be offered this line's calls.
    #[serde(default)]
    pub required_skills: BTreeMap<String, u32>,
    /// 0–9: a call of a higher priority is served before every call of a lower one.
    #[serde(default)]
    pub priority: u32,
    /// Seconds a call needing skills waits for a skilled agent before anyone may take it (its
    /// skills are relaxed); 0: it waits for a skilled agent however long it takes.
    pub skill_relax_after_secs: u32,
    /// The line's own business hours (the routing settings' `hours` shape); `None`: the
    /// tenant's (written as `null`). A sales line that closes at 18:00 while support stays open.
    #[serde(default)]
    pub hours: Option<Hours>,
    /// The queue the line's calls wait in (`/api/admin/queues`); `None`: the tenant's ladder
    /// and wait (written as `null`).
    #[serde(default)]
    pub queue: Option<String>,
    /// What the line does after hours; `None`: the tenant's fallback numbers, else the closed
    /// announcement (written as `null`).
    #[serde(default)]
    pub after_hours: Option<Rule>,
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
        let required_skills = read_skill_levels(&mut fields, "required_skills", LINE_SKILLS_MAX);
        let priority = match fields.get("priority") {
            None => Some(0),
            Some(value) => fields.number_value("priority", value, 0, PRIORITY_MAX),
        };
        let skill_relax_after_secs = match fields.get("skill_relax_after_secs") {
            None => Some(SKILL_RELAX_DEFAULT_SECS),
            Some(value) => {
                fields.number_value("skill_relax_after_secs", value, 0, SKILL_RELAX_MAX_SECS)
            }
        };
        // Absent or null: the tenant's hours.
        let hours = match fields.get("hours") {
            None => Some(None),
            Some(_) => read_hours(&mut fields).map(Some),
        };
        // Absent or null: the tenant's ladder and wait; the queue must exist (the worker checks).
        let queue = match fields.optional_text("queue", 40, false) {
            Some(raw) => match queue_id(&raw) {
                Some(id) => Some(Some(id)),
                None => {
                    fields.fail("queue", ErrorCode::InvalidId);
                    None
                }
            },
            None => Some(None),
        };
        // Absent or null: the tenant's fallback numbers after hours, else the closed message.
        let after_hours = match fields.get("after_hours") {
            None => Some(None),
            Some(value) => {
                read_rule(&mut fields, "after_hours", value, RuleUse::AfterHours).map(Some)
            }
        };
        let line = (|| {
            Some(PhoneLine {
                queue: queue?,
                after_hours: after_hours?,
                number: number?,
                kind: kind?,
                announce,
                required_skills: required_skills?,
                priority: priority?,
                skill_relax_after_secs: skill_relax_after_secs?,
                hours: hours?,
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
