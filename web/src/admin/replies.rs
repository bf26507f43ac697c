//! The admin API's replies read by hand from `tsunagu_protocol::json::Value`, and its typed errors.
//!
//! Pure (no DOM), so tested natively: every reader takes the reply's status and body text.

use tsunagu_protocol::json::{Map, Value};

use crate::i18n::Lang;

/// One invalid field of a request: `name.ja`, `hours.weekly[2].open`, … (empty: the whole body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: String,
    pub(crate) code: String,
    pub(crate) ja: String,
    pub(crate) en: String,
}

impl FieldError {
    /// The worker's message in the agent's language.
    pub(crate) fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    /// Whether this error is about `key` or a part of it (`hours` covers `hours.weekly[0].open`).
    pub(crate) fn is_about(&self, key: &str) -> bool {
        self.field == key
            || self
                .field
                .strip_prefix(key)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }

    /// A message made here (a form the widget checks before sending), in both languages.
    pub(crate) fn local(field: &str, code: &str, ja: &str, en: &str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }
}

/// The errors among `errors` that no key in `shown` places next to a field: shown atop the form.
pub(crate) fn unplaced<'a>(errors: &'a [FieldError], shown: &[&str]) -> Vec<&'a FieldError> {
    errors
        .iter()
        .filter(|error| !shown.iter().any(|key| error.is_about(key)))
        .collect()
}

/// Why a request did not do what it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Nothing came back (offline, the worker unreachable).
    Network,
    /// 422 with `fields`: each shown next to its input.
    Invalid(Vec<FieldError>),
    /// A CSV import refused for its rows (`error: invalid_rows`): the report lists each.
    InvalidRows(Box<ImportReport>),
    /// The session may not do this (403), or is gone (401).
    Forbidden,
    SignedOut,
    /// 404: what the request named is gone (deleted meanwhile).
    NotFound,
    /// Anything else: the worker's code (`conflict`, `internal`, …) for the agent to quote.
    Other(String),
}

impl Problem {
    /// The problem a non-2xx reply (or no reply) reports.
    pub(crate) fn read(status: u16, body: &str) -> Problem {
        let Some(Value::Object(mut error)) = Value::parse(body) else {
            return Problem::from_status(status, String::new());
        };
        let code = text(&mut error, "error").unwrap_or_default();
        if code == "invalid_rows"
            && let Some(Value::Object(report)) = error.remove("report")
            && let Some(report) = ImportReport::from_map(report)
        {
            return Problem::InvalidRows(Box::new(report));
        }
        match error.remove("fields") {
            Some(Value::Array(fields)) if !fields.is_empty() => {
                Problem::Invalid(fields.into_iter().filter_map(field_error).collect())
            }
            _ => Problem::from_status(status, code),
        }
    }

    fn from_status(status: u16, code: String) -> Problem {
        match status {
            401 => Problem::SignedOut,
            403 => Problem::Forbidden,
            404 => Problem::NotFound,
            _ if code.is_empty() => Problem::Other(format!("HTTP {status}")),
            _ => Problem::Other(code),
        }
    }

    /// The field errors to show beside their inputs (none for other problems).
    pub(crate) fn fields(&self) -> &[FieldError] {
        match self {
            Problem::Invalid(fields) => fields,
            _ => &[],
        }
    }
}

/// A finished request read by `ok` when it succeeded (2xx), else its [`Problem`].
pub(crate) fn read<T>(
    reply: Result<(u16, String), ()>,
    ok: impl FnOnce(Value) -> Option<T>,
) -> Result<T, Problem> {
    let (status, body) = reply.map_err(|()| Problem::Network)?;
    if !(200..300).contains(&status) {
        return Err(Problem::read(status, &body));
    }
    Value::parse(&body)
        .and_then(ok)
        .ok_or_else(|| Problem::Other("unreadable_reply".to_owned()))
}

fn field_error(value: Value) -> Option<FieldError> {
    let Value::Object(mut map) = value else {
        return None;
    };
    let (ja, en) = message(map.remove("message")?)?;
    Some(FieldError {
        field: text(&mut map, "field").unwrap_or_default(),
        code: text(&mut map, "code")?,
        ja,
        en,
    })
}

fn message(value: Value) -> Option<(String, String)> {
    let Value::Object(mut map) = value else {
        return None;
    };
    Some((text(&mut map, "ja")?, text(&mut map, "en")?))
}

fn text(map: &mut Map, key: &str) -> Option<String> {
    match map.remove(key)? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

fn optional_text(map: &mut Map, key: &str) -> Option<String> {
    text(map, key).filter(|text| !text.is_empty())
}

fn number(map: &Map, key: &str) -> Option<u64> {
    map.get(key)?.as_u64()
}

fn texts(value: Option<Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The list under `key` of a reply (`{"teams": […]}`), each item read by `item`; an item that
/// cannot be read is left out rather than hiding the rest.
pub(crate) fn list<T>(value: Value, key: &str, item: impl Fn(Map) -> Option<T>) -> Option<Vec<T>> {
    let Value::Object(mut reply) = value else {
        return None;
    };
    match reply.remove(key)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|value| match value {
                    Value::Object(map) => item(map),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// An object reply read by `item`.
pub(crate) fn object<T>(value: Value, item: impl FnOnce(Map) -> Option<T>) -> Option<T> {
    match value {
        Value::Object(map) => item(map),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Team {
    pub(crate) id: String,
    pub(crate) ja: String,
    pub(crate) en: String,
}

impl Team {
    pub(crate) fn read(mut map: Map) -> Option<Team> {
        let (ja, en) = message(map.remove("name")?)?;
        Some(Team {
            id: text(&mut map, "id")?,
            ja,
            en,
        })
    }
}

/// An agent of the directory. `record` is the whole object as read, so an edit sends back the
/// fields this view does not show (capacity) unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Agent {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) team: Option<String>,
    pub(crate) roles: Vec<String>,
    /// Skill and level, in the order the API listed them.
    pub(crate) skills: Vec<(String, u64)>,
    pub(crate) record: Map,
}

impl Agent {
    pub(crate) fn read(map: Map) -> Option<Agent> {
        let mut fields = map.clone();
        let skills = match fields.remove("skills") {
            Some(Value::Object(skills)) => skills
                .iter()
                .filter_map(|(skill, level)| Some((skill.clone(), level.as_u64()?)))
                .collect(),
            _ => Vec::new(),
        };
        Some(Agent {
            id: text(&mut fields, "id")?,
            name: text(&mut fields, "display_name")?,
            team: optional_text(&mut fields, "team"),
            roles: texts(fields.remove("roles")),
            skills,
            record: map,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: Option<String>,
    /// E.164, as stored.
    pub(crate) phone: String,
    pub(crate) owner: Option<String>,
}

impl Customer {
    pub(crate) fn read(mut map: Map) -> Option<Customer> {
        Some(Customer {
            id: text(&mut map, "id")?,
            name: text(&mut map, "name")?,
            company: optional_text(&mut map, "company"),
            phone: text(&mut map, "phone")?,
            owner: optional_text(&mut map, "owner"),
        })
    }
}

/// A search's page: its customers, each read by `item`, and the cursor of the next page (`None`
/// on the last).
pub(crate) fn customer_page<T>(
    value: Value,
    item: impl Fn(Map) -> Option<T>,
) -> Option<(Vec<T>, Option<String>)> {
    let next = value
        .get("next_after")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((list(value, "customers", item)?, next))
}

/// What a CSV import did or, in a dry run, would do; `errors` lists every bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportReport {
    pub(crate) charset: String,
    pub(crate) rows: u64,
    pub(crate) created: usize,
    pub(crate) updated: usize,
    pub(crate) unchanged: u64,
    /// Headers the import did not use (`None` field).
    pub(crate) ignored_columns: Vec<String>,
    pub(crate) errors: Vec<RowProblem>,
    /// Whether the customers were stored (false for a dry run or a refused file).
    pub(crate) written: bool,
}

impl ImportReport {
    pub(crate) fn from_map(mut map: Map) -> Option<ImportReport> {
        let ignored_columns = match map.remove("columns") {
            Some(Value::Array(columns)) => columns
                .into_iter()
                .filter_map(|column| match column {
                    Value::Object(mut column) if column.get("field").is_none_or(Value::is_null) => {
                        text(&mut column, "column")
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let errors = match map.remove("errors") {
            Some(Value::Array(errors)) => errors
                .into_iter()
                .filter_map(|error| match error {
                    Value::Object(error) => RowProblem::read(error),
                    _ => None,
                })
                .collect(),
            _ => return None,
        };
        Some(ImportReport {
            charset: text(&mut map, "charset")?,
            rows: number(&map, "rows")?,
            created: texts(map.remove("created")).len(),
            updated: texts(map.remove("updated")).len(),
            unchanged: number(&map, "unchanged")?,
            ignored_columns,
            errors,
            written: map.get("written").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

/// One bad row of a CSV file: its line (the header is line 1), the column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowProblem {
    pub(crate) line: u64,
    pub(crate) column: Option<String>,
    pub(crate) error: FieldError,
}

impl RowProblem {
    fn read(mut map: Map) -> Option<RowProblem> {
        let line = number(&map, "line")?;
        let column = optional_text(&mut map, "column");
        Some(RowProblem {
            line,
            column,
            error: field_error(Value::Object(map))?,
        })
    }
}

/// An API key as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiKey {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) created_at_ms: u64,
    pub(crate) last_used_at_ms: Option<u64>,
    pub(crate) revoked: bool,
}

impl ApiKey {
    pub(crate) fn read(mut map: Map) -> Option<ApiKey> {
        Some(ApiKey {
            last_used_at_ms: number(&map, "last_used_at_ms"),
            created_at_ms: number(&map, "created_at_ms")?,
            revoked: map.get("revoked_at_ms").is_some_and(|v| !v.is_null()),
            scopes: texts(map.remove("scopes")),
            id: text(&mut map, "id")?,
            name: text(&mut map, "name")?,
        })
    }

    /// A created key and its secret (`key`), which this reply is the only one to carry.
    pub(crate) fn read_created(mut map: Map) -> Option<(ApiKey, String)> {
        let secret = text(&mut map, "key")?;
        Some((ApiKey::read(map)?, secret))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhoneLine {
    pub(crate) number: String,
    pub(crate) legacy: bool,
    pub(crate) announce: Option<String>,
    /// The queue its calls wait in (`None`: the tenant's ladder).
    pub(crate) queue: Option<String>,
    /// Every field as read: a `PUT` replaces the whole line, so what the view does not show
    /// goes back as it was.
    pub(crate) record: Map,
}

impl PhoneLine {
    pub(crate) fn read(map: Map) -> Option<PhoneLine> {
        let mut fields = map.clone();
        Some(PhoneLine {
            number: text(&mut fields, "number")?,
            legacy: text(&mut fields, "kind")? == "legacy",
            announce: optional_text(&mut fields, "announce"),
            queue: optional_text(&mut fields, "queue"),
            record: map,
        })
    }
}

/// A queue as a line's queue select offers it: its id and its names (ja, en).
pub(crate) fn queue_choice(mut map: Map) -> Option<(String, String, String)> {
    let id = text(&mut map, "id")?;
    let mut name = match map.remove("name") {
        Some(Value::Object(name)) => name,
        _ => Map::new(),
    };
    let ja = text(&mut name, "ja").unwrap_or_else(|| id.clone());
    let en = text(&mut name, "en").unwrap_or_else(|| id.clone());
    Some((id, ja, en))
}

/// A CRM webhook subscription (never its signing secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) events: Vec<String>,
    pub(crate) description: Option<String>,
}

impl Webhook {
    pub(crate) fn read(mut map: Map) -> Option<Webhook> {
        Some(Webhook {
            events: texts(map.remove("events")),
            id: text(&mut map, "id")?,
            url: text(&mut map, "url")?,
            description: optional_text(&mut map, "description"),
        })
    }

    /// A created subscription and its signing secret, shown only in this reply.
    pub(crate) fn read_created(mut map: Map) -> Option<(Webhook, String)> {
        let secret = text(&mut map, "secret")?;
        Some((Webhook::read(map)?, secret))
    }
}

/// One entry of a subscription's delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivery {
    pub(crate) id: String,
    pub(crate) event_type: String,
    /// `pending`, `delivered` or `dead`.
    pub(crate) status: String,
    pub(crate) attempts: u64,
    pub(crate) last_error: Option<String>,
    pub(crate) created_at_ms: u64,
}

impl Delivery {
    pub(crate) fn read(mut map: Map) -> Option<Delivery> {
        Some(Delivery {
            attempts: number(&map, "attempts")?,
            created_at_ms: number(&map, "created_at_ms")?,
            id: text(&mut map, "id")?,
            event_type: text(&mut map, "event_type")?,
            status: text(&mut map, "status")?,
            last_error: optional_text(&mut map, "last_error"),
        })
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.status == "dead"
    }
}

// Native only: they check against `tsunagu-admin`, a native dev-dependency of this crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
