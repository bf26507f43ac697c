//! The routing form: the ladder (whom a call rings, in order, and for how many seconds), the
//! longest wait before the fallback numbers, the fallback numbers and the "call us" page switch,
//! turned into `PUT /api/admin/routing`'s body and back. Seconds in the form, milliseconds on the
//! wire (the center's unit).

use tsunagu_protocol::json::{Map, Value};

use super::super::replies::FieldError;

/// Whom a rung rings, as the API names it.
pub(crate) const TARGETS: [&str; 5] = ["owner", "owner_team", "team", "agents", "anyone"];

/// One rung as typed: its target kind, the team or agents it names (for `team` and `agents`),
/// and how many seconds it rings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RungForm {
    pub(crate) target: String,
    pub(crate) team: String,
    /// Agent ids separated by commas.
    pub(crate) agents: String,
    pub(crate) seconds: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RoutingForm {
    pub(crate) rungs: Vec<RungForm>,
    pub(crate) max_wait_seconds: String,
    /// Numbers in any form (`03-1234-0000`), separated by commas or lines.
    pub(crate) fallback_numbers: String,
    pub(crate) web_calls_enabled: bool,
}

fn seconds_of(ms: Option<&Value>) -> String {
    ms.and_then(Value::as_u64)
        .map(|ms| (ms / 1000).to_string())
        .unwrap_or_default()
}

impl RoutingForm {
    /// The form for `GET /api/admin/routing`'s reply.
    pub(crate) fn from_json(routing: &Value) -> RoutingForm {
        let rungs = routing
            .get("ladder")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|step| {
                let target = step.get("target");
                let mut rung = RungForm {
                    seconds: seconds_of(step.get("timeout")),
                    ..RungForm::default()
                };
                match target {
                    Some(Value::String(name)) => rung.target.clone_from(name),
                    Some(object) => {
                        if let Some(team) = object.get("team").and_then(Value::as_str) {
                            rung.target = "team".to_owned();
                            team.clone_into(&mut rung.team);
                        } else if let Some(agents) = object.get("agents").and_then(Value::as_array)
                        {
                            rung.target = "agents".to_owned();
                            rung.agents = agents
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", ");
                        }
                    }
                    None => {}
                }
                rung
            })
            .collect();
        RoutingForm {
            rungs,
            max_wait_seconds: seconds_of(routing.get("max_wait")),
            fallback_numbers: routing
                .get("fallback_numbers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            web_calls_enabled: routing
                .get("web_calls_enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// `read` (the routing as last read) with this form's fields in place of its own: the rest
    /// (business hours) goes back as it was. Seconds that are not whole numbers are named here;
    /// everything else is the worker's to judge.
    pub(crate) fn to_body(&self, read: Map) -> Result<Value, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut milliseconds = |key: String, text: &str| match text.trim().parse::<u64>() {
            Ok(seconds) => Value::from(seconds.saturating_mul(1000)),
            Err(_) => {
                errors.push(FieldError::local(
                    &key,
                    "seconds_format",
                    "秒数を半角数字で入力してください。",
                    "Enter a whole number of seconds.",
                ));
                Value::Null
            }
        };
        let ladder: Vec<Value> = self
            .rungs
            .iter()
            .enumerate()
            .map(|(index, rung)| {
                let target = match rung.target.as_str() {
                    "team" => Value::object([("team", Value::from(rung.team.trim()))]),
                    "agents" => Value::object([(
                        "agents",
                        Value::Array(
                            rung.agents
                                .split([',', '、'])
                                .map(str::trim)
                                .filter(|agent| !agent.is_empty())
                                .map(Value::from)
                                .collect(),
                        ),
                    )]),
                    other => Value::from(other),
                };
                let timeout = milliseconds(format!("routing.rung.{index}.seconds"), &rung.seconds);
                Value::object([("target", target), ("timeout", timeout)])
            })
            .collect();
        let max_wait = milliseconds("routing.max_wait".to_owned(), &self.max_wait_seconds);
        if !errors.is_empty() {
            return Err(errors);
        }
        let fallback_numbers: Vec<Value> = self
            .fallback_numbers
            .split([',', '、', '\n'])
            .map(str::trim)
            .filter(|number| !number.is_empty())
            .map(Value::from)
            .collect();
        let mut body = read;
        body.insert("ladder".to_owned(), Value::Array(ladder));
        body.insert("max_wait".to_owned(), max_wait);
        body.insert(
            "fallback_numbers".to_owned(),
            Value::Array(fallback_numbers),
        );
        body.insert(
            "web_calls_enabled".to_owned(),
            Value::from(self.web_calls_enabled),
        );
        Ok(Value::Object(body))
    }

    /// The worker's errors moved beside the form's own fields: `ladder[2].timeout` is rung 2's
    /// seconds, `ladder[2].target…` its target, `fallback_numbers[n]` the numbers' box and
    /// `max_wait` the wait; the rest stay where they were.
    pub(crate) fn place(errors: Vec<FieldError>) -> Vec<FieldError> {
        errors
            .into_iter()
            .map(|mut error| {
                if let Some(rest) = error.field.strip_prefix("ladder[")
                    && let Some((index, tail)) = rest.split_once(']')
                    && index.parse::<usize>().is_ok()
                {
                    let part = if tail.starts_with(".timeout") {
                        "seconds"
                    } else {
                        "target"
                    };
                    error.field = format!("routing.rung.{index}.{part}");
                } else if error.field == "ladder" {
                    "routing.ladder".clone_into(&mut error.field);
                } else if error.field.starts_with("fallback_numbers") {
                    "routing.fallback_numbers".clone_into(&mut error.field);
                } else if error.field == "max_wait" {
                    "routing.max_wait".clone_into(&mut error.field);
                }
                error
            })
            .collect()
    }
}

/// What `POST /api/routing/dry-run` said a call would do: its plan's name and each routing
/// decision's explanation, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DryRunPreview {
    /// `ring`, `enqueue`, `fallback`, `closed`, … (`CallPlan::name`); empty when none.
    pub(crate) plan: String,
    /// Each decision as (Japanese, English).
    pub(crate) decisions: Vec<(String, String)>,
}

impl DryRunPreview {
    /// The dry run's body: the caller's number as typed and the routing as the form has it.
    pub(crate) fn request(from: &str, routing: Value) -> Value {
        Value::object([("from", Value::from(from.trim())), ("routing", routing)])
    }

    pub(crate) fn read(reply: &Value) -> Option<DryRunPreview> {
        let text = |value: &Value, key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let decisions = reply
            .get("decisions")?
            .as_array()?
            .iter()
            .map(|decision| (text(decision, "ja"), text(decision, "en")))
            .collect();
        Some(DryRunPreview {
            plan: text(reply, "plan"),
            decisions,
        })
    }
}
