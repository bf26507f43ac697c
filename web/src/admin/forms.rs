//! The admin forms' text turned into request bodies and back: skills, business hours, closures,
//! the routing ladder (`routing.rs`), the calling and web-call settings (`calling.rs`).
//!
//! Pure (no DOM), so tested natively. The worker validates every field again and answers with
//! typed ja/en errors; what is checked here is only what the form itself writes (the layout of
//! a skills list or a span), so a typo is named before anything is sent.

use tsunagu_protocol::json::{Map, Value};

use super::replies::FieldError;

mod calling;
mod queues;
mod routing;
pub(crate) use calling::{CallingForm, SIGN_IN_STATUSES, WebCallsForm};
pub(crate) use queues::{
    CALLBACK_KEYS, DEMO_MENU, OVERFLOWS, QueueForm, WHOM, line_with_queue, pretty,
};
pub(crate) use routing::{DryRunPreview, RoutingForm, RungForm, TARGETS};

/// The days of `weekly`, Monday first, as the API spells them.
pub(crate) const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Every event a webhook can subscribe to.
pub(crate) const WEBHOOK_EVENTS: [&str; 5] = [
    "call.ringing",
    "call.answered",
    "call.ended",
    "call.missed",
    "wrap_up.saved",
];

/// Every scope an API key can hold.
pub(crate) const API_SCOPES: [&str; 5] = [
    "conversations:read",
    "directory:read",
    "directory:write",
    "calls:write",
    "admin",
];

/// Every role an agent can hold.
pub(crate) const ROLES: [&str; 3] = ["agent", "supervisor", "admin"];

/// `billing:3, sales` → `{"billing": 3, "sales": 1}` (a skill without a level is level 1).
/// Levels are numbers; the worker checks their range and the names.
pub(crate) fn skills(text: &str) -> Result<Value, FieldError> {
    let mut skills = Map::new();
    for entry in text.split([',', '、', '\n']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let (name, level) = match entry.split_once([':', '：']) {
            Some((name, level)) => (name.trim(), level.trim()),
            None => (entry, "1"),
        };
        let level = level.parse::<u64>().ok().filter(|_| !name.is_empty());
        let Some(level) = level else {
            return Err(FieldError::local(
                "skills",
                "skills_format",
                "スキルは「名前:レベル」をカンマで区切って書いてください（例: billing:3, sales:2）。",
                "Write skills as name:level, separated by commas (e.g. billing:3, sales:2).",
            ));
        };
        skills.insert(name.to_owned(), Value::from(level));
    }
    Ok(Value::Object(skills))
}

/// Skills as the form shows them: `billing:3, sales:2`.
pub(crate) fn skills_text(skills: &[(String, u64)]) -> String {
    skills
        .iter()
        .map(|(name, level)| format!("{name}:{level}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The business-hours form: one text per day (`09:00-18:00`, or spans separated by commas;
/// empty: closed that day) unless always open, the holiday switches and one closure per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HoursForm {
    pub(crate) time_zone: String,
    /// No weekly hours: open at all hours (`weekly: null`).
    pub(crate) always_open: bool,
    pub(crate) days: [String; 7],
    pub(crate) closed_on_national_holidays: bool,
    pub(crate) year_end_closure: bool,
    /// `2026-08-13 2026-08-16 夏季休業` per line (`from until reason`; the end date and the
    /// reason may be left out).
    pub(crate) closures: String,
}

impl HoursForm {
    /// The form for the `hours` object of `GET /api/admin/routing`.
    pub(crate) fn from_json(hours: &Value) -> HoursForm {
        let mut form = HoursForm {
            time_zone: hours
                .get("time_zone")
                .and_then(Value::as_str)
                .unwrap_or("Asia/Tokyo")
                .to_owned(),
            closed_on_national_holidays: flag(hours, "closed_on_national_holidays"),
            year_end_closure: flag(hours, "year_end_closure"),
            ..HoursForm::default()
        };
        match hours.get("weekly").and_then(Value::as_array) {
            None => form.always_open = true,
            Some(spans) => {
                for span in spans {
                    let text = |key| span.get(key).and_then(Value::as_str).unwrap_or_default();
                    if let Some(day) = DAYS.iter().position(|day| *day == text("day")) {
                        let written = &mut form.days[day];
                        if !written.is_empty() {
                            written.push_str(", ");
                        }
                        written.push_str(&format!("{}-{}", text("open"), text("close")));
                    }
                }
            }
        }
        let closures = hours.get("closures").and_then(Value::as_array);
        form.closures = closures
            .into_iter()
            .flatten()
            .map(|closure| {
                let text = |key| closure.get(key).and_then(Value::as_str).unwrap_or_default();
                let mut line = format!("{} {}", text("from"), text("until"));
                if !text("reason").is_empty() {
                    line.push(' ');
                    line.push_str(text("reason"));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n");
        form
    }

    /// The `hours` object to send, or the form's own layout errors (`hours.weekly.<day>`,
    /// `hours.closures.<line>`), all at once.
    pub(crate) fn to_json(&self) -> Result<Value, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut weekly = Vec::new();
        for (day, text) in DAYS.iter().zip(&self.days) {
            for span in text
                .split([',', '、'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match span.split_once(['-', '〜', '~']) {
                    Some((open, close)) => weekly.push(Value::object([
                        ("day", Value::from(*day)),
                        ("open", Value::from(open.trim())),
                        ("close", Value::from(close.trim())),
                    ])),
                    None => errors.push(FieldError::local(
                        &format!("hours.weekly.{day}"),
                        "span_format",
                        "時間は「09:00-18:00」の形で書いてください（複数はカンマ区切り）。",
                        "Write hours as 09:00-18:00 (several separated by commas).",
                    )),
                }
            }
        }
        let mut closures = Vec::new();
        for (index, line) in self.closures.lines().map(str::trim).enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let from = words.next().unwrap_or_default();
            let mut until = from;
            let mut rest: Vec<&str> = words.collect();
            if rest.first().is_some_and(|word| is_date_like(word)) {
                until = rest.remove(0);
            }
            if !is_date_like(from) {
                errors.push(FieldError::local(
                    &format!("hours.closures.{}", index + 1),
                    "closure_format",
                    "休業日は1行に「2026-08-13 2026-08-16 理由」の形で書いてください。",
                    "Write one closure per line: 2026-08-13 2026-08-16 reason.",
                ));
                continue;
            }
            closures.push(Value::object([
                ("from", Value::from(from)),
                ("until", Value::from(until)),
                ("reason", Value::from(rest.join(" "))),
            ]));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Value::object([
            ("time_zone", Value::from(self.time_zone.trim())),
            (
                "weekly",
                if self.always_open {
                    Value::Null
                } else {
                    Value::Array(weekly)
                },
            ),
            (
                "closed_on_national_holidays",
                Value::from(self.closed_on_national_holidays),
            ),
            ("year_end_closure", Value::from(self.year_end_closure)),
            ("closures", Value::Array(closures)),
        ]))
    }

    /// The worker's errors about the spans and closures sent by [`HoursForm::to_json`], moved to
    /// the form's own fields: `hours.weekly[3].open` is about the day of the fourth span sent,
    /// `hours.closures[1]` about the second closure line that was not blank.
    pub(crate) fn place(&self, errors: Vec<FieldError>) -> Vec<FieldError> {
        let span_days: Vec<&str> = DAYS
            .iter()
            .zip(&self.days)
            .flat_map(|(day, text)| {
                let spans = text
                    .split([',', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty());
                spans.map(move |_| *day)
            })
            .collect();
        let closure_lines: Vec<usize> = self
            .closures
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(index, _)| index + 1)
            .collect();
        errors
            .into_iter()
            .map(|mut error| {
                if let Some(index) = indexed(&error.field, "hours.weekly[")
                    && let Some(day) = span_days.get(index)
                {
                    error.field = format!("hours.weekly.{day}");
                } else if let Some(index) = indexed(&error.field, "hours.closures[")
                    && let Some(line) = closure_lines.get(index)
                {
                    error.field = format!("hours.closures.{line}");
                }
                error
            })
            .collect()
    }
}

/// `n` of a field path `<prefix>n]…`.
fn indexed(field: &str, prefix: &str) -> Option<usize> {
    let rest = field.strip_prefix(prefix)?;
    rest[..rest.find(']')?].parse().ok()
}

fn is_date_like(word: &str) -> bool {
    word.len() == 10 && word.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The items of `all` that are `chosen`, in `all`'s order, as a JSON list of strings.
pub(crate) fn chosen(all: &[&str], chosen: &[String]) -> Value {
    Value::Array(
        all.iter()
            .filter(|item| chosen.iter().any(|c| c == *item))
            .map(|item| Value::from(*item))
            .collect(),
    )
}

/// A text field's value for the API: `None` (`null`) when blank.
pub(crate) fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|text| !text.is_empty())
}

// Native only: they check against `tsunagu-admin`, a native dev-dependency of this crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
