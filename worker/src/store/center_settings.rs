//! The tenant's contact-center settings in D1: one typed column of `tenants` per stored
//! `CenterConfig` field (migration 0017), read as the JSON object the center deserializes and
//! written back column by column.
//!
//! The center's types stay the one definition of each setting: a JSON column holds exactly one
//! of them (the ladder's steps, the business calendar, the dial or presence policy), and nothing
//! reaches a column before the whole configuration passed `CenterConfig::validate`.

use serde_json::{Map, Value};
use tsunagu_core::TenantId;
use worker::{Env, wasm_bindgen::JsValue};

use super::{DB, text};
use crate::error::AppError;

/// How a field is kept in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    /// A whole number (milliseconds, counts).
    Integer,
    /// A switch: 1 or 0.
    Switch,
    /// The field's own JSON (an object or an array).
    Json,
    /// The ladder: the column keeps its steps, the center reads `{"steps": [...]}`.
    LadderSteps,
    /// Plain text.
    Text,
}

/// Every stored field: its name in `CenterConfig`, its column in `tenants`, how it is kept.
/// A field not listed here cannot be stored (see [`put`]); the others of `CenterConfig` come from
/// their own rows (lines, queues) or columns (name, supervisor reach).
const COLUMNS: &[(&str, &str, Stored)] = &[
    ("ladder", "ladder_json", Stored::LadderSteps),
    ("presence", "presence_policy_json", Stored::Json),
    ("hours", "hours_json", Stored::Json),
    ("max_wait", "max_wait_ms", Stored::Integer),
    ("fallback_numbers", "fallback_numbers_json", Stored::Json),
    (
        "broadcast_interval",
        "broadcast_interval_ms",
        Stored::Integer,
    ),
    ("call_watchdog", "call_watchdog_ms", Stored::Integer),
    ("dial_policy", "dial_policy_json", Stored::Json),
    (
        "direct_dial_from_host",
        "direct_dial_from_host",
        Stored::Switch,
    ),
    ("web_calls_enabled", "web_calls_enabled", Stored::Switch),
    ("max_web_calls", "max_web_calls", Stored::Integer),
    (
        "max_web_calls_per_address",
        "max_web_calls_per_address",
        Stored::Integer,
    ),
    (
        "web_call_start_within",
        "web_call_start_within_ms",
        Stored::Integer,
    ),
    (
        "max_web_queue_wait",
        "max_web_queue_wait_ms",
        Stored::Integer,
    ),
    (
        "max_web_call_length",
        "max_web_call_length_ms",
        Stored::Integer,
    ),
    ("turnstile_site_key", "turnstile_site_key", Stored::Text),
];

/// The SQL expression (over a `tenants` row) that reads every stored field into one JSON object,
/// `null` where the column is NULL (the center's default): `store::tenant` selects it as
/// `center_json`.
pub(crate) fn select_expression() -> String {
    let fields: Vec<String> = COLUMNS
        .iter()
        .map(|&(field, column, stored)| {
            let value = match stored {
                Stored::Integer | Stored::Text => column.to_owned(),
                Stored::Switch => format!(
                    "CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END"
                ),
                Stored::Json => format!("json({column})"),
                Stored::LadderSteps => format!(
                    "CASE WHEN {column} IS NULL THEN NULL ELSE json_object('steps', json({column})) END"
                ),
            };
            format!("'{field}', {value}")
        })
        .collect();
    format!("json_object({})", fields.join(", "))
}

/// The stored fields of `center_json` as `select_expression` wrote them, without the `null`s
/// (absent is the center's default).
pub(crate) fn fields(center_json: &str) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_str::<Value>(center_json) {
        Ok(Value::Object(fields)) => Ok(fields.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        _ => Err(AppError::Internal(
            "tenants' center settings are not a JSON object".into(),
        )),
    }
}

/// Stores `fields` (already validated by the center as a whole) as the tenant's settings: every
/// column is written, a field `fields` lacks as NULL. A field without a column is an error, not
/// dropped, so nothing the API accepted is silently lost.
pub(crate) async fn put(
    env: &Env,
    tenant: &TenantId,
    fields: &Map<String, Value>,
) -> Result<(), AppError> {
    if let Some(unknown) = fields
        .keys()
        .find(|name| !COLUMNS.iter().any(|(field, ..)| field == name))
    {
        return Err(AppError::Internal(format!(
            "center setting `{unknown}` has no column"
        )));
    }
    let mut binds = vec![text(tenant.as_str())];
    let mut sets = Vec::with_capacity(COLUMNS.len());
    for (index, &(field, column, stored)) in COLUMNS.iter().enumerate() {
        sets.push(format!("{column} = ?{}", index + 2));
        binds.push(column_value(fields.get(field), stored)?);
    }
    env.d1(DB)?
        .prepare(format!(
            "UPDATE tenants SET {} WHERE id = ?1",
            sets.join(", ")
        ))
        .bind(&binds)?
        .run()
        .await?;
    Ok(())
}

/// One field's value as its column keeps it (`NULL` when absent).
fn column_value(value: Option<&Value>, stored: Stored) -> Result<JsValue, AppError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(JsValue::NULL);
    };
    let refused = || AppError::Internal(format!("center setting {value} is not {stored:?}"));
    Ok(match stored {
        Stored::Integer => JsValue::from_f64(value.as_f64().ok_or_else(refused)?),
        Stored::Switch => JsValue::from_f64(if value.as_bool().ok_or_else(refused)? {
            1.0
        } else {
            0.0
        }),
        Stored::Json => text(&value.to_string()),
        Stored::LadderSteps => text(&value.get("steps").ok_or_else(refused)?.to_string()),
        Stored::Text => text(value.as_str().ok_or_else(refused)?),
    })
}
