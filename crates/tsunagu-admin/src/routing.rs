//! A tenant's routing as the admin API writes it: the ladder (whom a call rings, in order, and for
//! how long), how long a caller may wait, the fallback numbers, business hours and whether the
//! public "call us" page takes calls. The shapes are the contact center's own (`CenterConfig`'s
//! field names and units: milliseconds), so the worker stores a validated value as it is read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_calendar::{MAX_CLOSURES, MAX_REASON_CHARS, TimeZoneName};
use tsunagu_core::{AgentId, TeamId};
use tsunagu_phone::{PhoneNumber, Region};

use crate::{ErrorCode, Invalid, fields::Fields};

/// Most rungs of a ladder.
pub const LADDER_MAX_STEPS: u32 = 10;
/// How long one rung may ring: 5 s to 5 min.
pub const STEP_TIMEOUT_MS: (u32, u32) = (5_000, 300_000);
/// How long a caller may wait before the fallback numbers: 10 s to 1 h.
pub const MAX_WAIT_MS: (u32, u32) = (10_000, 3_600_000);
/// Twilio dials at most 10 numbers at once.
pub const FALLBACK_NUMBERS_MAX: u32 = 10;
/// Most open spans in a week.
pub const WEEKLY_SPANS_MAX: u32 = 50;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Whom one rung rings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Owner,
    OwnerTeam,
    Team(TeamId),
    Agents(Vec<AgentId>),
    Anyone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub target: Target,
    /// Milliseconds one offer rings.
    pub timeout: u32,
}

/// One open span, `open` inclusive, `close` exclusive, local time `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub day: String,
    pub open: String,
    pub close: String,
}

/// Closed from `from` to `until` (inclusive, `YYYY-MM-DD` in the hours' time zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureSpan {
    pub from: String,
    pub until: String,
    /// For agents and the routing audit; never spoken to callers.
    pub reason: String,
}

/// The business calendar (`tsunagu_calendar::BusinessCalendar`'s fields and shapes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// IANA name; `Asia/Tokyo` when absent.
    pub time_zone: String,
    /// `None`: always open.
    pub weekly: Option<Vec<Span>>,
    /// Closed on Japan's national holidays (substitute and citizens' holidays included).
    pub closed_on_national_holidays: bool,
    /// Closed 12/29–1/3.
    pub year_end_closure: bool,
    pub closures: Vec<ClosureSpan>,
}

/// `GET`/`PUT /api/admin/routing`. A `PUT` replaces all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingSettings {
    /// The rungs in order (the center's `ladder.steps`).
    pub ladder: Vec<Step>,
    /// Milliseconds.
    pub max_wait: u32,
    /// E.164.
    pub fallback_numbers: Vec<String>,
    pub hours: Hours,
    pub web_calls_enabled: bool,
}

impl RoutingSettings {
    /// The field names this resource owns in the tenant's routing settings (others, such as
    /// the dial policy, are kept as they are).
    pub const FIELDS: [&'static str; 5] = [
        "ladder",
        "max_wait",
        "fallback_numbers",
        "hours",
        "web_calls_enabled",
    ];

    pub fn validate(body: &Value) -> Result<RoutingSettings, Invalid> {
        let mut fields = Fields::of(body);
        let ladder = read_ladder(&mut fields);
        let max_wait = match fields.get("max_wait") {
            Some(value) => fields.number_value("max_wait", value, MAX_WAIT_MS.0, MAX_WAIT_MS.1),
            None => {
                fields.fail("max_wait", ErrorCode::Required);
                None
            }
        };
        let fallback_numbers = read_fallback_numbers(&mut fields);
        let hours = read_hours(&mut fields);
        let web_calls_enabled = match fields.get("web_calls_enabled") {
            Some(Value::Bool(on)) => Some(*on),
            Some(_) => {
                fields.fail("web_calls_enabled", ErrorCode::NotBoolean);
                None
            }
            None => {
                fields.fail("web_calls_enabled", ErrorCode::Required);
                None
            }
        };
        let settings = (|| {
            Some(RoutingSettings {
                ladder: ladder?,
                max_wait: max_wait?,
                fallback_numbers: fallback_numbers?,
                hours: hours?,
                web_calls_enabled: web_calls_enabled?,
            })
        })();
        fields.finish(settings)
    }

    /// These settings as fields of the center's configuration (`CenterConfig`'s names and shapes),
    /// to merge over the tenant's stored routing settings.
    pub fn to_center_fields(&self) -> serde_json::Map<String, Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("ladder".into(), serde_json::json!({ "steps": self.ladder }));
        fields.insert("max_wait".into(), self.max_wait.into());
        fields.insert(
            "fallback_numbers".into(),
            serde_json::json!(self.fallback_numbers),
        );
        fields.insert("hours".into(), serde_json::json!(self.hours));
        fields.insert("web_calls_enabled".into(), self.web_calls_enabled.into());
        fields
    }

    /// This resource's view of a whole center configuration (as JSON): its fields, the ladder as
    /// the list of its steps.
    pub fn view_of_center(center: &Value) -> Value {
        let mut view = serde_json::Map::new();
        for name in Self::FIELDS {
            let value = center.get(name).cloned().unwrap_or(Value::Null);
            let value = if name == "ladder" {
                value.get("steps").cloned().unwrap_or(Value::Null)
            } else {
                value
            };
            view.insert(name.into(), value);
        }
        Value::Object(view)
    }
}

pub(crate) fn read_ladder(fields: &mut Fields<'_>) -> Option<Vec<Step>> {
    let Some(items) = fields.list("ladder", LADDER_MAX_STEPS) else {
        if fields.get("ladder").is_none() {
            fields.fail("ladder", ErrorCode::Required);
        }
        return None;
    };
    if items.is_empty() {
        fields.fail("ladder", ErrorCode::Blank);
        return None;
    }
    let mut steps = Vec::new();
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let path = format!("ladder[{index}]");
        let target = read_target(fields, &path, item.get("target"));
        let timeout = match item.get("timeout") {
            Some(value) => fields.number_value(
                &format!("{path}.timeout"),
                value,
                STEP_TIMEOUT_MS.0,
                STEP_TIMEOUT_MS.1,
            ),
            None => {
                fields.fail(format!("{path}.timeout"), ErrorCode::Required);
                None
            }
        };
        match (target, timeout) {
            (Some(target), Some(timeout)) => steps.push(Step { target, timeout }),
            _ => ok = false,
        }
    }
    ok.then_some(steps)
}

/// `"owner"`, `"owner_team"`, `"anyone"`, `{"team": id}` or `{"agents": [id, …]}`.
fn read_target(fields: &mut Fields<'_>, path: &str, value: Option<&Value>) -> Option<Target> {
    let path = format!("{path}.target");
    let Some(value) = value else {
        fields.fail(path, ErrorCode::Required);
        return None;
    };
    if let Some(name) = value.as_str() {
        return match name {
            "owner" => Some(Target::Owner),
            "owner_team" => Some(Target::OwnerTeam),
            "anyone" => Some(Target::Anyone),
            _ => {
                fields.fail(path, ErrorCode::UnknownValue);
                None
            }
        };
    }
    let object = value.as_object().filter(|object| object.len() == 1);
    if let Some(team) = object.and_then(|object| object.get("team")) {
        let team = team.as_str().and_then(|raw| TeamId::new(raw).ok());
        if team.is_none() {
            fields.fail(format!("{path}.team"), ErrorCode::InvalidId);
        }
        return team.map(Target::Team);
    }
    if let Some(agents) = object.and_then(|object| object.get("agents")) {
        let agents: Option<Vec<AgentId>> = agents.as_array().and_then(|agents| {
            (1..=50).contains(&agents.len()).then(|| {
                agents
                    .iter()
                    .map(|agent| agent.as_str().and_then(|raw| AgentId::new(raw).ok()))
                    .collect::<Option<Vec<_>>>()
            })?
        });
        if agents.is_none() {
            fields.fail(format!("{path}.agents"), ErrorCode::InvalidId);
        }
        return agents.map(Target::Agents);
    }
    fields.fail(path, ErrorCode::UnknownValue);
    None
}

fn read_fallback_numbers(fields: &mut Fields<'_>) -> Option<Vec<String>> {
    let Some(items) = fields.list("fallback_numbers", FALLBACK_NUMBERS_MAX) else {
        return fields.get("fallback_numbers").is_none().then(Vec::new);
    };
    let mut numbers = Vec::new();
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let path = format!("fallback_numbers[{index}]");
        let number = item
            .as_str()
            .and_then(|raw| PhoneNumber::parse(raw, Region::Jp).ok());
        match number {
            Some(number) if numbers.iter().any(|n| n == number.as_e164()) => {
                fields.fail(path, ErrorCode::Duplicate);
                ok = false;
            }
            Some(number) => numbers.push(number.as_e164().to_owned()),
            None => {
                fields.fail(path, ErrorCode::InvalidPhone);
                ok = false;
            }
        }
    }
    ok.then_some(numbers)
}

/// `hours` of a body (required where it is read: the tenant's routing, or a line that sets it).
pub(crate) fn read_hours(fields: &mut Fields<'_>) -> Option<Hours> {
    let Some(value) = fields.get("hours") else {
        fields.fail("hours", ErrorCode::Required);
        return None;
    };
    if !value.is_object() {
        fields.fail("hours", ErrorCode::NotAnObject);
        return None;
    }
    let time_zone = match value.get("time_zone") {
        None | Some(Value::Null) => Some(TimeZoneName::default().to_string()),
        Some(zone) => {
            let zone = zone
                .as_str()
                .and_then(|raw| TimeZoneName::try_from(raw.to_owned()).ok());
            if zone.is_none() {
                fields.fail("hours.time_zone", ErrorCode::TimeZone);
            }
            zone.map(|zone| zone.to_string())
        }
    };
    let mut flag = |name: &str| match value.get(name) {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(on)) => Some(*on),
        Some(_) => {
            fields.fail(format!("hours.{name}"), ErrorCode::NotBoolean);
            None
        }
    };
    let closed_on_national_holidays = flag("closed_on_national_holidays");
    let year_end_closure = flag("year_end_closure");
    let closures = read_closures(fields, value.get("closures"));
    let weekly = match value.get("weekly") {
        None | Some(Value::Null) => Some(None),
        Some(Value::Array(spans)) if spans.len() <= WEEKLY_SPANS_MAX as usize => {
            let mut read = Vec::new();
            let mut ok = true;
            for (index, span) in spans.iter().enumerate() {
                match read_span(fields, &format!("hours.weekly[{index}]"), span) {
                    Some(span) => read.push(span),
                    None => ok = false,
                }
            }
            ok.then_some(Some(read))
        }
        Some(Value::Array(_)) => {
            fields.fail(
                "hours.weekly",
                ErrorCode::TooMany {
                    max: WEEKLY_SPANS_MAX,
                },
            );
            None
        }
        Some(_) => {
            fields.fail("hours.weekly", ErrorCode::NotList);
            None
        }
    };
    Some(Hours {
        time_zone: time_zone?,
        weekly: weekly?,
        closed_on_national_holidays: closed_on_national_holidays?,
        year_end_closure: year_end_closure?,
        closures: closures?,
    })
}

fn read_closures(fields: &mut Fields<'_>, value: Option<&Value>) -> Option<Vec<ClosureSpan>> {
    let items = match value {
        None | Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(items)) if items.len() <= MAX_CLOSURES => items,
        Some(Value::Array(_)) => {
            fields.fail(
                "hours.closures",
                ErrorCode::TooMany {
                    max: MAX_CLOSURES as u32,
                },
            );
            return None;
        }
        Some(_) => {
            fields.fail("hours.closures", ErrorCode::NotList);
            return None;
        }
    };
    let mut closures = Vec::new();
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        let path = format!("hours.closures[{index}]");
        let mut date = |name: &str| {
            let date = item
                .get(name)
                .and_then(Value::as_str)
                .and_then(|raw| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok());
            if date.is_none() {
                fields.fail(format!("{path}.{name}"), ErrorCode::Date);
            }
            date
        };
        let (from, until) = (date("from"), date("until"));
        let reason = match item.get("reason") {
            None | Some(Value::Null) => Some(String::new()),
            Some(reason) => fields.text_value(
                &format!("{path}.reason"),
                reason,
                MAX_REASON_CHARS as u32,
                true,
            ),
        };
        match (from, until, reason) {
            (Some(from), Some(until), _) if until < from => {
                fields.fail(format!("{path}.until"), ErrorCode::EndsBeforeStart);
                ok = false;
            }
            (Some(from), Some(until), Some(reason)) => closures.push(ClosureSpan {
                from: from.to_string(),
                until: until.to_string(),
                reason,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(closures)
}

fn read_span(fields: &mut Fields<'_>, path: &str, span: &Value) -> Option<Span> {
    let day = span
        .get("day")
        .and_then(Value::as_str)
        .filter(|day| WEEKDAYS.contains(day));
    if day.is_none() {
        fields.fail(format!("{path}.day"), ErrorCode::UnknownValue);
    }
    let mut time = |name: &str| {
        let minutes = span
            .get(name)
            .and_then(Value::as_str)
            .and_then(clock_minutes);
        if minutes.is_none() {
            fields.fail(format!("{path}.{name}"), ErrorCode::ClockTime);
        }
        minutes
    };
    let open = time("open");
    let close = time("close");
    if let (Some(open), Some(close)) = (open, close)
        && open >= close
    {
        fields.fail(format!("{path}.close"), ErrorCode::ClosesBeforeOpening);
        return None;
    }
    let (day, open, close) = (day?, open?, close?);
    Some(Span {
        day: day.to_owned(),
        open: format!("{:02}:{:02}", open / 60, open % 60),
        close: format!("{:02}:{:02}", close / 60, close % 60),
    })
}

/// Minutes since midnight of `"HH:MM"`, from `00:00` to `24:00`.
fn clock_minutes(raw: &str) -> Option<u32> {
    let (hours, minutes) = raw.split_once(':')?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
    let total = hours * 60 + minutes;
    (minutes < 60 && total <= 24 * 60).then_some(total)
}
