//! The calling form (`/api/admin/calling`: the dial rules a tenant sets, dialling from the host
//! page, the sign-in status, the wrap-up time) and the web-call form (`/api/admin/web-calls`: the
//! "call us" page's limits and Turnstile site key), turned into their `PUT` bodies and back.
//!
//! Each body is the whole resource (a `PUT` replaces it). Nothing is judged here: a number that
//! does not read as one goes as the text typed, a blank one as `null`, and the worker names the
//! field and why in both languages, so the form and the API cannot disagree about a bound.

use tsunagu_protocol::json::Value;

/// The statuses an agent may sign in with, as the API names them.
pub(crate) const SIGN_IN_STATUSES: [&str; 2] = ["available", "away"];

/// A number field for the API: the number when the text reads as one, `null` when blank (the
/// worker says it is required), else the text as typed (the worker says what it must be).
pub(crate) fn number_or_text(text: &str) -> Value {
    let text = text.trim();
    match text.parse::<u64>() {
        Ok(number) => Value::from(number),
        Err(_) if text.is_empty() => Value::Null,
        Err(_) => Value::from(text),
    }
}

/// A list typed as text (`1, 44` or one per line) as a JSON list: numbers where `numbers` and
/// they read as such, text otherwise.
fn list(text: &str, numbers: bool) -> Value {
    Value::Array(
        text.split([',', '、', '\n'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                if numbers {
                    number_or_text(item)
                } else {
                    Value::from(item)
                }
            })
            .collect(),
    )
}

/// A JSON list as the form shows it, items joined by `separator`.
fn list_text(value: Option<&Value>, separator: &str) -> String {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| match item {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// A whole number of the reply as the form shows it (blank when absent).
fn number_text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_u64)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn flag(value: Option<&Value>) -> bool {
    value.and_then(Value::as_bool).unwrap_or(false)
}

/// The calling settings as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CallingForm {
    /// Calling codes separated by commas.
    pub(crate) countries: String,
    pub(crate) countries_for_supervisors_only: bool,
    /// Numbers in any form, one per line.
    pub(crate) numbers: String,
    pub(crate) max_calls_per_agent: String,
    pub(crate) rate_window_secs: String,
    pub(crate) max_concurrent_outbound: String,
    pub(crate) direct_dial_from_host: bool,
    /// One of [`SIGN_IN_STATUSES`].
    pub(crate) sign_in_status: String,
    pub(crate) wrap_up_secs: String,
}

impl CallingForm {
    /// The form for `GET /api/admin/calling`'s reply.
    pub(crate) fn from_json(read: &Value) -> CallingForm {
        let dial = read.get("dial_policy");
        let dial_field = |key| dial.and_then(|dial| dial.get(key));
        CallingForm {
            countries: list_text(dial_field("allowed_countries"), ", "),
            countries_for_supervisors_only: flag(dial_field("countries_for_supervisors_only")),
            numbers: list_text(dial_field("allowed_numbers"), "\n"),
            max_calls_per_agent: number_text(dial_field("max_calls_per_agent")),
            rate_window_secs: number_text(dial_field("rate_window_secs")),
            max_concurrent_outbound: number_text(dial_field("max_concurrent_outbound")),
            direct_dial_from_host: flag(read.get("direct_dial_from_host")),
            sign_in_status: read
                .get("sign_in_status")
                .and_then(Value::as_str)
                .unwrap_or(SIGN_IN_STATUSES[0])
                .to_owned(),
            wrap_up_secs: number_text(read.get("wrap_up_secs")),
        }
    }

    /// The whole resource to `PUT`.
    pub(crate) fn to_body(&self) -> Value {
        Value::object([
            (
                "dial_policy",
                Value::object([
                    ("allowed_countries", list(&self.countries, true)),
                    (
                        "countries_for_supervisors_only",
                        Value::from(self.countries_for_supervisors_only),
                    ),
                    ("allowed_numbers", list(&self.numbers, false)),
                    (
                        "max_calls_per_agent",
                        number_or_text(&self.max_calls_per_agent),
                    ),
                    ("rate_window_secs", number_or_text(&self.rate_window_secs)),
                    (
                        "max_concurrent_outbound",
                        number_or_text(&self.max_concurrent_outbound),
                    ),
                ]),
            ),
            (
                "direct_dial_from_host",
                Value::from(self.direct_dial_from_host),
            ),
            ("sign_in_status", Value::from(self.sign_in_status.as_str())),
            ("wrap_up_secs", number_or_text(&self.wrap_up_secs)),
        ])
    }
}

/// The web-call settings as typed, and whether the reply said the challenge lacks its secret.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct WebCallsForm {
    pub(crate) max_web_calls: String,
    pub(crate) max_web_calls_per_address: String,
    pub(crate) start_within_secs: String,
    pub(crate) queue_wait_secs: String,
    pub(crate) call_length_minutes: String,
    /// Blank: no challenge.
    pub(crate) site_key: String,
    /// Read only: a site key without the tenant's Turnstile secret refuses every web call.
    pub(crate) secret_missing: bool,
}

impl WebCallsForm {
    /// The form for `GET /api/admin/web-calls`'s reply (or a `PUT`'s).
    pub(crate) fn from_json(read: &Value) -> WebCallsForm {
        WebCallsForm {
            max_web_calls: number_text(read.get("max_web_calls")),
            max_web_calls_per_address: number_text(read.get("max_web_calls_per_address")),
            start_within_secs: number_text(read.get("web_call_start_within_secs")),
            queue_wait_secs: number_text(read.get("max_web_queue_wait_secs")),
            call_length_minutes: number_text(read.get("max_web_call_length_minutes")),
            site_key: read
                .get("turnstile_site_key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            secret_missing: flag(read.get("turnstile_secret_missing")),
        }
    }

    /// The whole resource to `PUT`; a blank site key is `null` (no challenge), always sent.
    pub(crate) fn to_body(&self) -> Value {
        let site_key = super::optional(&self.site_key).map_or(Value::Null, Value::from);
        Value::object([
            ("max_web_calls", number_or_text(&self.max_web_calls)),
            (
                "max_web_calls_per_address",
                number_or_text(&self.max_web_calls_per_address),
            ),
            (
                "web_call_start_within_secs",
                number_or_text(&self.start_within_secs),
            ),
            (
                "max_web_queue_wait_secs",
                number_or_text(&self.queue_wait_secs),
            ),
            (
                "max_web_call_length_minutes",
                number_or_text(&self.call_length_minutes),
            ),
            ("turnstile_site_key", site_key),
        ])
    }
}

// Native only: they check against `tsunagu-admin`, a native dev-dependency of this crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
