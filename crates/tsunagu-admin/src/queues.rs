//! Queues as the admin API writes them (`/api/admin/queues/<id>`): where a line or an IVR branch
//! sends its callers, with its own ladder, longest wait, overflow, position announcements, hold
//! music and callback key; and a line's after-hours rule. The JSON is the contact center's own
//! (`tsunagu_center::CallQueue`, `AfterHours`: the same names and units), except that the ladder
//! is the list of rungs, as in the routing settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tsunagu_phone::{PhoneNumber, Region};

use crate::{
    ErrorCode, Invalid,
    directory::read_skill_levels,
    fields::Fields,
    lines::{LINE_SKILLS_MAX, PRIORITY_MAX},
    routing::{FALLBACK_NUMBERS_MAX, Hours, Step, read_hours, read_ladder},
};

/// The longest queue id: `[a-z0-9_-]{1,32}`.
pub const QUEUE_ID_MAX_CHARS: usize = 32;
/// The longest queue name, in each language.
pub const QUEUE_NAME_MAX_CHARS: u32 = 50;
/// The longest a caller may wait in a queue: 1 s to 1 h (milliseconds).
pub const QUEUE_MAX_WAIT_MS: (u32, u32) = (1_000, 3_600_000);
/// The longest sentence said to a caller (a voicemail prompt).
pub const PROMPT_MAX_CHARS: u32 = 400;
/// A voicemail's longest message: 5 s to 10 min.
pub const VOICEMAIL_SECS: (u32, u32) = (5, 600);
/// The longest hold-music address.
pub const HOLD_MUSIC_URL_MAX_CHARS: u32 = 500;

/// A queue (`PUT /api/admin/queues/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInput {
    pub id: String,
    pub name: QueueName,
    /// The queue's own rungs; `None`: the tenant's ladder.
    pub ladder: Option<Vec<Step>>,
    /// Milliseconds a caller waits in it before the overflow; `None`: the tenant's `max_wait`.
    pub max_wait: Option<u32>,
    pub overflow: Rule,
    pub announce_position: bool,
    /// `https`; `None`: the bundled tune.
    pub hold_music_url: Option<String>,
    /// One of `0`–`9`, `*`, `#`; `None`: no callback offered.
    pub callback_digit: Option<String>,
    /// Skill → the lowest level (1–5) its callers need (joined to the line's and the menu's).
    #[serde(default)]
    pub required_skills: BTreeMap<String, u32>,
    /// 0–9, joined to the line's and the menu's (the higher wins).
    #[serde(default)]
    pub priority: u32,
    /// The queue's own business hours (the routing settings' `hours` shape); `None`: its line's.
    #[serde(default)]
    pub hours: Option<Hours>,
    /// What it does while closed (`announce`, `voicemail`, `forward`); `None`: its line's rule.
    #[serde(default)]
    pub after_hours: Option<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueName {
    pub ja: String,
    pub en: String,
}

/// A queue's overflow or a line's after-hours rule: `{"action": …, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Rule {
    /// Overflow only: the tenant's fallback numbers (keep waiting when there are none).
    TenantFallback,
    /// Overflow only: keep waiting.
    KeepWaiting,
    /// After hours only: say why it is closed, hang up.
    Announce,
    Forward {
        /// E.164.
        numbers: Vec<String>,
    },
    Voicemail {
        #[serde(skip_serializing_if = "Option::is_none")]
        prompt: Option<String>,
        max_length_secs: u32,
    },
    /// Overflow only: another queue.
    Queue { queue: String },
}

/// Which rules fit where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleUse {
    Overflow,
    AfterHours,
}

impl QueueInput {
    /// Validates a body; `path_id` is the URL's id.
    pub fn validate(body: &Value, path_id: &str) -> Result<QueueInput, Invalid> {
        let mut fields = Fields::of(body);
        let id = queue_id(path_id);
        if id.is_none() {
            fields.fail("id", ErrorCode::InvalidId);
        }
        let name = read_name(&mut fields);
        let ladder = if fields.get("ladder").is_some() {
            read_ladder(&mut fields).map(Some)
        } else {
            Some(None)
        };
        let max_wait = match fields.get("max_wait") {
            Some(value) => fields
                .number_value("max_wait", value, QUEUE_MAX_WAIT_MS.0, QUEUE_MAX_WAIT_MS.1)
                .map(Some),
            None => Some(None),
        };
        let overflow = match fields.get("overflow") {
            Some(value) => read_rule(&mut fields, "overflow", value, RuleUse::Overflow),
            None => Some(Rule::TenantFallback),
        };
        let announce_position = match fields.get("announce_position") {
            None => Some(true),
            Some(Value::Bool(on)) => Some(*on),
            Some(_) => {
                fields.fail("announce_position", ErrorCode::NotBoolean);
                None
            }
        };
        let hold_music_url =
            match fields.optional_text("hold_music_url", HOLD_MUSIC_URL_MAX_CHARS, false) {
                Some(url) if !https(&url) => {
                    fields.fail("hold_music_url", ErrorCode::NotHttps);
                    None
                }
                url => Some(url),
            };
        let callback_digit = match fields.optional_text("callback_digit", 1, false) {
            Some(key)
                if !key
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '*' || c == '#') =>
            {
                fields.fail("callback_digit", ErrorCode::NotAPhoneKey);
                None
            }
            key => Some(key),
        };
        let required_skills = read_skill_levels(&mut fields, "required_skills", LINE_SKILLS_MAX);
        let priority = match fields.get("priority") {
            None => Some(0),
            Some(value) => fields.number_value("priority", value, 0, PRIORITY_MAX),
        };
        let hours = match fields.get("hours") {
            None => Some(None),
            Some(_) => read_hours(&mut fields).map(Some),
        };
        let after_hours = match fields.get("after_hours") {
            None => Some(None),
            Some(value) => {
                read_rule(&mut fields, "after_hours", value, RuleUse::AfterHours).map(Some)
            }
        };
        let queue = (|| {
            Some(QueueInput {
                hours: hours?,
                after_hours: after_hours?,
                required_skills: required_skills?,
                priority: priority?,
                id: id?,
                name: name?,
                ladder: ladder?,
                max_wait: max_wait?,
                overflow: overflow?,
                announce_position: announce_position?,
                hold_music_url: hold_music_url?,
                callback_digit: callback_digit?,
            })
        })();
        fields.finish(queue)
    }

    /// The queue as the contact center reads it (`tsunagu_center::CallQueue`'s JSON).
    pub fn to_center(&self) -> Value {
        let mut queue = json!({
            "id": self.id,
            "name": { "ja": self.name.ja, "en": self.name.en },
            "overflow": self.overflow,
            "announce_position": self.announce_position,
            "required_skills": self.required_skills,
            "priority": self.priority,
        });
        if let Some(ladder) = &self.ladder {
            queue["ladder"] = json!({ "steps": ladder });
        }
        if let Some(max_wait) = self.max_wait {
            queue["max_wait"] = json!(max_wait);
        }
        if let Some(url) = &self.hold_music_url {
            queue["hold_music_url"] = json!(url);
        }
        if let Some(key) = &self.callback_digit {
            queue["callback_digit"] = json!(key);
        }
        if let Some(hours) = &self.hours {
            queue["hours"] = json!(hours);
        }
        if let Some(rule) = &self.after_hours {
            queue["after_hours"] = json!(rule);
        }
        queue
    }

    /// The queue another queue's overflow names, if it does.
    pub fn overflows_to(&self) -> Option<&str> {
        match &self.overflow {
            Rule::Queue { queue } => Some(queue),
            _ => None,
        }
    }
}

/// `id` if it is a queue id: `[a-z0-9_-]{1,32}`.
pub fn queue_id(id: &str) -> Option<String> {
    let ok = !id.is_empty()
        && id.len() <= QUEUE_ID_MAX_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    ok.then(|| id.to_owned())
}

fn https(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && !rest
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
    })
}

fn read_name(fields: &mut Fields<'_>) -> Option<QueueName> {
    let Some(value) = fields.get("name") else {
        fields.fail("name", ErrorCode::Required);
        return None;
    };
    if !value.is_object() {
        fields.fail("name", ErrorCode::NotAnObject);
        return None;
    }
    let mut name = |lang: &str| match value.get(lang).filter(|v| !v.is_null()) {
        Some(text) => fields.text_value(&format!("name.{lang}"), text, QUEUE_NAME_MAX_CHARS, false),
        None => {
            fields.fail(format!("name.{lang}"), ErrorCode::Required);
            None
        }
    };
    let ja = name("ja");
    let en = name("en");
    Some(QueueName { ja: ja?, en: en? })
}

/// A queue's `overflow` or a line's `after_hours` at `path`.
pub(crate) fn read_rule(
    fields: &mut Fields<'_>,
    path: &str,
    value: &Value,
    usage: RuleUse,
) -> Option<Rule> {
    if !value.is_object() {
        fields.fail(path, ErrorCode::NotAnObject);
        return None;
    }
    let action_path = format!("{path}.action");
    let Some(action) = value.get("action").and_then(Value::as_str) else {
        fields.fail(action_path, ErrorCode::Required);
        return None;
    };
    let fits = |rule: Rule| -> Option<Rule> { Some(rule) };
    match (action, usage) {
        ("tenant_fallback", RuleUse::Overflow) => fits(Rule::TenantFallback),
        ("keep_waiting", RuleUse::Overflow) => fits(Rule::KeepWaiting),
        ("announce", RuleUse::AfterHours) => fits(Rule::Announce),
        ("forward", _) => read_numbers(fields, path, value.get("numbers")),
        ("voicemail", _) => {
            let prompt = match value.get("prompt").filter(|v| !v.is_null()) {
                Some(text) => fields
                    .text_value(&format!("{path}.prompt"), text, PROMPT_MAX_CHARS, false)
                    .map(Some),
                None => Some(None),
            };
            let secs_path = format!("{path}.max_length_secs");
            let max_length_secs = match value.get("max_length_secs") {
                Some(secs) => {
                    fields.number_value(&secs_path, secs, VOICEMAIL_SECS.0, VOICEMAIL_SECS.1)
                }
                None => Some(120),
            };
            Some(Rule::Voicemail {
                prompt: prompt?,
                max_length_secs: max_length_secs?,
            })
        }
        ("queue", RuleUse::Overflow) => {
            let queue = value
                .get("queue")
                .and_then(Value::as_str)
                .and_then(queue_id);
            if queue.is_none() {
                fields.fail(format!("{path}.queue"), ErrorCode::InvalidId);
            }
            Some(Rule::Queue { queue: queue? })
        }
        _ => {
            fields.fail(action_path, ErrorCode::UnknownValue);
            None
        }
    }
}

fn read_numbers(fields: &mut Fields<'_>, path: &str, value: Option<&Value>) -> Option<Rule> {
    let list_path = format!("{path}.numbers");
    let Some(items) = value.and_then(Value::as_array) else {
        fields.fail(list_path, ErrorCode::Required);
        return None;
    };
    if items.is_empty() {
        fields.fail(list_path, ErrorCode::Blank);
        return None;
    }
    if items.len() > FALLBACK_NUMBERS_MAX as usize {
        fields.fail(
            list_path,
            ErrorCode::TooMany {
                max: FALLBACK_NUMBERS_MAX,
            },
        );
        return None;
    }
    let mut numbers = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match item
            .as_str()
            .and_then(|raw| PhoneNumber::parse(raw, Region::Jp).ok())
        {
            Some(number) => numbers.push(number.as_e164().to_owned()),
            None => fields.fail(format!("{list_path}[{index}]"), ErrorCode::InvalidPhone),
        }
    }
    (numbers.len() == items.len()).then_some(Rule::Forward { numbers })
}
