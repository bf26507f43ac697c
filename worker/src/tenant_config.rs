//! A tenant's contact-center settings (`CenterConfig`) from its D1 row.

use serde_json::Value;
use tsunagu_center::CenterConfig;
use tsunagu_core::TenantId;
use worker::Env;

use crate::{
    error::AppError,
    store::{self, TenantRow, center_settings},
};

/// The tenant's settings, read from D1.
pub(crate) async fn load(env: &Env, tenant: &TenantId) -> Result<CenterConfig, AppError> {
    from_row(&store::tenant(env, tenant).await?)
}

/// The tenant's settings: its stored fields (their typed columns, `store::center_settings`) over
/// the defaults, with the id and display name from the tenant row and its lines and queues.
pub(crate) fn from_row(row: &TenantRow) -> Result<CenterConfig, AppError> {
    let config = parse_row(row)?;
    config
        .validate()
        .map_err(|e| AppError::Internal(format!("tenant settings: {e}")))?;
    Ok(config)
}

/// The tenant's settings as `from_row` reads them, not yet validated (the admin API validates
/// them itself to tell the client which field the center refused).
pub(crate) fn parse_row(row: &TenantRow) -> Result<CenterConfig, AppError> {
    let mut fields = center_settings::fields(&row.center_json)?;
    fields.insert("tenant".into(), row.id.as_str().into());
    fields.insert(
        "tenant_name".into(),
        serde_json::json!({ "ja": row.name_ja, "en": row.name_en }),
    );
    // Lines with hours of their own (`phone_lines.hours_json`), gathered by the tenant's query.
    if let Some(json) = &row.line_hours_json
        && let Ok(Value::Object(lines)) = serde_json::from_str::<Value>(json)
        && !lines.is_empty()
    {
        fields.insert("line_hours".into(), Value::Object(lines));
    }
    // Lines' after-hours rules and the tenant's queues: rows of their own, gathered likewise.
    for (field, json) in [
        ("line_after_hours", &row.line_after_hours_json),
        ("queues", &row.queues_json),
    ] {
        if let Some(json) = json
            && let Ok(Value::Object(entries)) = serde_json::from_str::<Value>(json)
            && !entries.is_empty()
        {
            fields.insert(field.into(), Value::Object(without_nulls(entries)));
        }
    }
    // A column of its own (the admin settings), not one of the center settings' columns.
    fields.insert(
        "supervisor_reach".into(),
        serde_json::to_value(row.supervisor_reach).unwrap_or_default(),
    );
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| AppError::Internal(format!("tenant settings: {e}")))
}

/// Each entry's object without its `null` fields (SQLite's `json_object` writes NULL columns as
/// `null`; the center's optional fields are absent instead).
fn without_nulls(entries: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    entries
        .into_iter()
        .map(|(key, value)| match value {
            Value::Object(fields) => (
                key,
                Value::Object(fields.into_iter().filter(|(_, v)| !v.is_null()).collect()),
            ),
            other => (key, other),
        })
        .collect()
}
