//! The queue form (`PUT /api/admin/queues/<id>`) and a line's queue (`PUT
//! /api/admin/phone-lines/<number>`), turned into request bodies and back; and the IVR menu as
//! the editor shows it (pretty JSON). Seconds in the form, milliseconds on the wire.
//!
//! The form rings one rung (the tenant's ladder, a team or everyone); a stored ladder of several
//! rungs (or of a kind the form cannot show) is kept as read unless the admin picks another.
//! A queue's own hours and after-hours rule are API-only: kept as read.

use tsunagu_protocol::json::{Map, Value, write_str};

use super::super::replies::FieldError;
use super::{optional, skills};

/// Whom a queue rings, as the form offers it: `tenant` (no ladder of its own), one rung for a
/// `team` or `anyone`, or `kept` (the stored ladder, unchanged).
pub(crate) const WHOM: [&str; 4] = ["tenant", "team", "anyone", "kept"];

/// What happens when the longest wait is over, as the API names it.
pub(crate) const OVERFLOWS: [&str; 5] = [
    "tenant_fallback",
    "keep_waiting",
    "voicemail",
    "queue",
    "forward",
];

/// The keys a caller may press for a callback (none is the empty choice).
pub(crate) const CALLBACK_KEYS: [&str; 12] =
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];

/// A queue as the form types it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct QueueForm {
    pub(crate) id: String,
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
    /// One of [`WHOM`].
    pub(crate) whom: String,
    /// The team a `team` rung rings.
    pub(crate) team: String,
    pub(crate) ring_seconds: String,
    /// The ladder as read when the form cannot show it as one rung: sent back for `kept`.
    pub(crate) kept_ladder: Option<Value>,
    /// Empty: the tenant's longest wait.
    pub(crate) max_wait_seconds: String,
    /// One of [`OVERFLOWS`].
    pub(crate) overflow: String,
    pub(crate) voicemail_prompt: String,
    pub(crate) voicemail_seconds: String,
    pub(crate) overflow_queue: String,
    /// Numbers in any form, separated by commas or lines.
    pub(crate) forward_numbers: String,
    pub(crate) announce_position: bool,
    /// Empty: the bundled tune.
    pub(crate) hold_music_url: String,
    /// Empty: no callback offered.
    pub(crate) callback_digit: String,
    /// `billing:2, booking`.
    pub(crate) skills: String,
    pub(crate) priority: String,
    /// `hours` and `after_hours` as read (not in the form): sent back unchanged.
    pub(crate) kept: Map,
}

fn seconds_of(ms: Option<&Value>) -> String {
    ms.and_then(Value::as_u64)
        .map(|ms| (ms / 1000).to_string())
        .unwrap_or_default()
}

fn text_of(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl QueueForm {
    /// An empty form for a new queue: the tenant's ladder, its fallback, positions announced.
    pub(crate) fn new_queue() -> QueueForm {
        QueueForm {
            whom: "tenant".to_owned(),
            ring_seconds: "20".to_owned(),
            overflow: "tenant_fallback".to_owned(),
            voicemail_seconds: "120".to_owned(),
            announce_position: true,
            priority: "0".to_owned(),
            ..QueueForm::default()
        }
    }

    /// The form for one queue of `GET /api/admin/queues`.
    pub(crate) fn from_json(queue: &Value) -> QueueForm {
        let mut form = QueueForm::new_queue();
        form.id = text_of(queue.get("id"));
        form.name_ja = text_of(queue.get("name").and_then(|name| name.get("ja")));
        form.name_en = text_of(queue.get("name").and_then(|name| name.get("en")));
        if let Some(Value::Array(rungs)) = queue.get("ladder") {
            let target = rungs.first().and_then(|rung| rung.get("target"));
            let team = target.and_then(|target| target.get("team"));
            match (rungs.len(), target, team) {
                (1, Some(Value::String(anyone)), _) if anyone == "anyone" => {
                    "anyone".clone_into(&mut form.whom);
                }
                (1, _, Some(Value::String(team))) => {
                    "team".clone_into(&mut form.whom);
                    team.clone_into(&mut form.team);
                }
                _ => {
                    "kept".clone_into(&mut form.whom);
                    form.kept_ladder = Some(Value::Array(rungs.clone()));
                }
            }
            if rungs.len() == 1 {
                form.ring_seconds = seconds_of(rungs[0].get("timeout"));
            }
        }
        form.max_wait_seconds = seconds_of(queue.get("max_wait"));
        if let Some(overflow) = queue.get("overflow") {
            let action = text_of(overflow.get("action"));
            if OVERFLOWS.contains(&action.as_str()) {
                form.overflow = action;
            }
            form.voicemail_prompt = text_of(overflow.get("prompt"));
            if let Some(secs) = overflow.get("max_length_secs").and_then(Value::as_u64) {
                form.voicemail_seconds = secs.to_string();
            }
            form.overflow_queue = text_of(overflow.get("queue"));
            form.forward_numbers = overflow
                .get("numbers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ");
        }
        form.announce_position = queue
            .get("announce_position")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        form.hold_music_url = text_of(queue.get("hold_music_url"));
        form.callback_digit = text_of(queue.get("callback_digit"));
        form.skills = queue
            .get("required_skills")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::iter)
            .map(|(skill, level)| match level.as_u64() {
                Some(1) | None => skill.clone(),
                Some(level) => format!("{skill}:{level}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        form.priority = queue
            .get("priority")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .to_string();
        for key in ["hours", "after_hours"] {
            if let Some(value) = queue.get(key).filter(|value| !value.is_null()) {
                form.kept.insert(key.to_owned(), value.clone());
            }
        }
        form
    }

    /// The body to `PUT` (the id is the URL's), or the form's own layout errors, all at once:
    /// seconds and the priority must be whole numbers, skills `name:level`. Everything else
    /// (ranges, the URL's scheme, the numbers) is the worker's to judge, beside the same fields.
    pub(crate) fn to_body(&self) -> Result<Value, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut whole = |key: &str, text: &str, scale: u64| match text.trim().parse::<u64>() {
            Ok(number) => Value::from(number.saturating_mul(scale)),
            Err(_) => {
                errors.push(FieldError::local(
                    key,
                    "number_format",
                    "半角数字で入力してください。",
                    "Enter a whole number.",
                ));
                Value::Null
            }
        };
        let mut body = self.kept.clone();
        let mut put = |key: &str, value: Value| body.insert(key.to_owned(), value);
        put(
            "name",
            Value::object([
                ("ja", Value::from(self.name_ja.trim())),
                ("en", Value::from(self.name_en.trim())),
            ]),
        );
        let rung = |target: Value, timeout: Value| {
            Value::Array(vec![Value::object([
                ("target", target),
                ("timeout", timeout),
            ])])
        };
        match self.whom.as_str() {
            "team" => put(
                "ladder",
                rung(
                    Value::object([("team", Value::from(self.team.trim()))]),
                    whole("ladder", &self.ring_seconds, 1000),
                ),
            ),
            "anyone" => put(
                "ladder",
                rung(
                    Value::from("anyone"),
                    whole("ladder", &self.ring_seconds, 1000),
                ),
            ),
            "kept" => put("ladder", self.kept_ladder.clone().unwrap_or(Value::Null)),
            _ => {}
        }
        if optional(&self.max_wait_seconds).is_some() {
            put("max_wait", whole("max_wait", &self.max_wait_seconds, 1000));
        }
        let action = ("action", Value::from(self.overflow.as_str()));
        let overflow = match self.overflow.as_str() {
            "voicemail" => Value::object([
                action,
                ("prompt", Value::from(optional(&self.voicemail_prompt))),
                (
                    "max_length_secs",
                    whole("overflow.max_length_secs", &self.voicemail_seconds, 1),
                ),
            ]),
            "queue" => Value::object([action, ("queue", Value::from(self.overflow_queue.trim()))]),
            "forward" => Value::object([
                action,
                (
                    "numbers",
                    Value::Array(
                        self.forward_numbers
                            .split([',', '、', '\n'])
                            .map(str::trim)
                            .filter(|number| !number.is_empty())
                            .map(Value::from)
                            .collect(),
                    ),
                ),
            ]),
            _ => Value::object([action]),
        };
        put("overflow", overflow);
        put("announce_position", Value::from(self.announce_position));
        put(
            "hold_music_url",
            Value::from(optional(&self.hold_music_url)),
        );
        put(
            "callback_digit",
            Value::from(optional(&self.callback_digit)),
        );
        put("priority", whole("priority", &self.priority, 1));
        match skills(&self.skills) {
            Ok(skills) => put("required_skills", skills),
            Err(mut error) => {
                "required_skills".clone_into(&mut error.field);
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(Value::Object(body))
        } else {
            Err(errors)
        }
    }
}

/// The line as read (`GET /api/admin/phone-lines`, every field) with its queue set to `queue`
/// (empty: none): what `PUT /api/admin/phone-lines/<number>` replaces the line with.
pub(crate) fn line_with_queue(line: &Map, queue: &str) -> Value {
    let mut line = line.clone();
    line.insert("queue".to_owned(), Value::from(optional(queue)));
    Value::Object(line)
}

/// `value` as indented JSON (two spaces), for the IVR menu's editor.
pub(crate) fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0);
    out
}

fn write_pretty(out: &mut String, value: &Value, depth: usize) {
    let indent = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_pretty(out, item, depth + 1);
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                // Writing into a String cannot fail.
                let _ = write_str(out, key);
                out.push_str(": ");
                write_pretty(out, item, depth + 1);
            }
            indent(out, depth);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A small valid menu (請求は1、予約は2) for the editor's demo button.
pub(crate) const DEMO_MENU: &str = r#"{
  "start": "root",
  "nodes": [
    {
      "id": "root",
      "type": "gather",
      "prompt": "お電話ありがとうございます。請求は1、予約は2を押してください。",
      "input": "dtmf",
      "timeout_secs": 5,
      "max_retries": 2,
      "choices": [
        { "digit": "1", "label": "請求", "next": "billing" },
        { "digit": "2", "label": "予約", "next": "booking" }
      ],
      "on_failure": "operator"
    },
    { "id": "billing", "type": "route", "target": { "team": "support" } },
    { "id": "booking", "type": "route", "target": { "team": "sales" } },
    { "id": "operator", "type": "route", "target": "default" }
  ]
}"#;

// Native only: they check against `tsunagu-admin`, a native dev-dependency of this crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
