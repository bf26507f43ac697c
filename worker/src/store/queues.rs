//! The tenant's named queues in D1 (`queues`, migration 0015), as the admin API writes them.

use serde::Deserialize;
use serde_json::{Value, json};
use tsunagu_admin::QueueInput;
use tsunagu_core::TenantId;
use wasm_bindgen::JsValue;
use worker::Env;

use super::{DB, opt_text, text};
use crate::error::AppError;

/// One row of `queues`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct QueueRow {
    pub(crate) id: String,
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
    pub(crate) ladder_json: Option<String>,
    pub(crate) max_wait_ms: Option<u32>,
    pub(crate) overflow_json: String,
    pub(crate) announce_position: u32,
    pub(crate) hold_music_url: Option<String>,
    pub(crate) callback_digit: Option<String>,
    pub(crate) required_skills_json: String,
    pub(crate) priority: u32,
    pub(crate) hours_json: Option<String>,
    pub(crate) after_hours_json: Option<String>,
}

impl QueueRow {
    /// The row as the admin API reads and writes it (`QueueInput`'s JSON).
    pub(crate) fn to_json(&self) -> Value {
        let parsed = |raw: &str| serde_json::from_str::<Value>(raw).unwrap_or(Value::Null);
        json!({
            "id": self.id,
            "name": { "ja": self.name_ja, "en": self.name_en },
            "ladder": self.ladder_json.as_deref().map(parsed),
            "max_wait": self.max_wait_ms,
            "overflow": parsed(&self.overflow_json),
            "announce_position": self.announce_position == 1,
            "hold_music_url": self.hold_music_url,
            "callback_digit": self.callback_digit,
            "required_skills": parsed(&self.required_skills_json),
            "priority": self.priority,
            "hours": self.hours_json.as_deref().map(parsed),
            "after_hours": self.after_hours_json.as_deref().map(parsed),
        })
    }
}

pub(crate) async fn queues(env: &Env, tenant: &TenantId) -> Result<Vec<QueueRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id, name_ja, name_en, ladder_json, max_wait_ms, overflow_json,
                    announce_position, hold_music_url, callback_digit, required_skills_json, priority,
                    hours_json, after_hours_json
             FROM queues WHERE tenant_id = ?1 ORDER BY id",
        )
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results()?)
}

/// Creates or replaces the queue (already checked by the center with the tenant's others).
pub(crate) async fn put_queue(
    env: &Env,
    tenant: &TenantId,
    queue: &QueueInput,
) -> Result<(), AppError> {
    let ladder = match &queue.ladder {
        Some(steps) => text(&json_text(steps)?),
        None => JsValue::NULL,
    };
    env.d1(DB)?
        .prepare(
            "INSERT INTO queues (tenant_id, id, name_ja, name_en, ladder_json, max_wait_ms,
                 overflow_json, announce_position, hold_music_url, callback_digit,
                 required_skills_json, priority, hours_json, after_hours_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (tenant_id, id) DO UPDATE SET name_ja = ?3, name_en = ?4,
                 ladder_json = ?5, max_wait_ms = ?6, overflow_json = ?7,
                 announce_position = ?8, hold_music_url = ?9, callback_digit = ?10,
                 required_skills_json = ?11, priority = ?12, hours_json = ?13,
                 after_hours_json = ?14",
        )
        .bind(&[
            text(tenant.as_str()),
            text(&queue.id),
            text(&queue.name.ja),
            text(&queue.name.en),
            ladder,
            queue.max_wait.map_or(JsValue::NULL, JsValue::from),
            text(&json_text(&queue.overflow)?),
            JsValue::from(u32::from(queue.announce_position)),
            opt_text(queue.hold_music_url.as_deref()),
            opt_text(queue.callback_digit.as_deref()),
            text(&json_text(&queue.required_skills)?),
            JsValue::from(queue.priority),
            match &queue.hours {
                Some(hours) => text(&json_text(hours)?),
                None => JsValue::NULL,
            },
            match &queue.after_hours {
                Some(rule) => text(&json_text(rule)?),
                None => JsValue::NULL,
            },
        ])?
        .run()
        .await?;
    Ok(())
}

/// Whether lines or other queues' overflows still send callers to `id`.
pub(crate) async fn queue_in_use(env: &Env, tenant: &TenantId, id: &str) -> Result<bool, AppError> {
    #[derive(Deserialize)]
    struct Uses {
        uses: u32,
    }
    let uses = env
        .d1(DB)?
        .prepare(
            "SELECT (SELECT COUNT(*) FROM phone_lines WHERE tenant_id = ?1 AND queue_id = ?2)
                  + (SELECT COUNT(*) FROM queues WHERE tenant_id = ?1 AND id != ?2
                       AND json_extract(overflow_json, '$.action') = 'queue'
                       AND json_extract(overflow_json, '$.queue') = ?2) AS uses",
        )
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<Uses>(None)
        .await?;
    Ok(uses.is_some_and(|uses| uses.uses > 0))
}

/// Deletes the queue; `false` when the tenant has no such queue.
pub(crate) async fn delete_queue(env: &Env, tenant: &TenantId, id: &str) -> Result<bool, AppError> {
    let result = env
        .d1(DB)?
        .prepare("DELETE FROM queues WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[text(tenant.as_str()), text(id)])?
        .run()
        .await?;
    Ok(result
        .meta()?
        .and_then(|meta| meta.changes)
        .is_some_and(|changes| changes > 0))
}

/// `value` as the JSON text of a column.
fn json_text<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}
