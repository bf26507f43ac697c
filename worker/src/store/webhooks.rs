//! D1 access for webhook subscriptions (signing secrets sealed, never plain) and their delivery
//! log, which is also the outbox the tenant's hub drains.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;
use tsunagu_secrets::Sealed;
use worker::Env;

use super::{DB, millis, opt_text, text};
use crate::error::AppError;

/// What the admin API shows of a subscription (no secret, sealed or not).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SubscriptionRow {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) events: String,
    pub(crate) description: Option<String>,
    pub(crate) created_by: String,
    pub(crate) created_at_ms: u64,
}

/// A subscription with its sealed signing secret, for delivering.
pub(crate) struct SigningRow {
    pub(crate) url: String,
    pub(crate) sealed: Sealed,
}

#[derive(Deserialize)]
struct SigningColumns {
    url: String,
    secret_key_id: String,
    secret_nonce: String,
    secret_ciphertext: String,
}

pub(crate) struct NewSubscription<'a> {
    pub(crate) id: &'a str,
    pub(crate) url: &'a str,
    pub(crate) events: &'a str,
    pub(crate) description: Option<&'a str>,
    pub(crate) sealed: &'a Sealed,
    pub(crate) created_by: &'a str,
    pub(crate) created_at_ms: u64,
}

const SUBSCRIPTION_COLUMNS: &str = "id, url, events, description, created_by, created_at_ms";

pub(crate) async fn insert_subscription(
    env: &Env,
    tenant: &TenantId,
    new: &NewSubscription<'_>,
) -> Result<(), AppError> {
    env.d1(DB)?
        .prepare(
            "INSERT INTO webhook_subscriptions (tenant_id, id, url, events, description,
                secret_key_id, secret_nonce, secret_ciphertext, created_by, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(&[
            text(tenant.as_str()),
            text(new.id),
            text(new.url),
            text(new.events),
            opt_text(new.description),
            text(&new.sealed.key_id),
            text(&STANDARD.encode(&new.sealed.nonce)),
            text(&STANDARD.encode(&new.sealed.ciphertext)),
            text(new.created_by),
            millis(new.created_at_ms),
        ])?
        .run()
        .await?;
    Ok(())
}

pub(crate) async fn subscriptions(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<SubscriptionRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE tenant_id = ?1
             ORDER BY created_at_ms, id"
        ))
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<SubscriptionRow>()?)
}

pub(crate) async fn subscription_exists(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<bool, AppError> {
    Ok(env
        .d1(DB)?
        .prepare("SELECT id FROM webhook_subscriptions WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<String>(Some("id"))
        .await?
        .is_some())
}

/// Deletes a subscription and its waiting deliveries (its log goes with it); `false` when absent.
pub(crate) async fn delete_subscription(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<bool, AppError> {
    let db = env.d1(DB)?;
    let results = db
        .batch(vec![
            db.prepare(
                "DELETE FROM webhook_deliveries WHERE tenant_id = ?1 AND subscription_id = ?2",
            )
            .bind(&[text(tenant.as_str()), text(id)])?,
            db.prepare("DELETE FROM webhook_subscriptions WHERE tenant_id = ?1 AND id = ?2")
                .bind(&[text(tenant.as_str()), text(id)])?,
        ])
        .await?;
    Ok(results
        .last()
        .and_then(|result| result.meta().ok().flatten())
        .and_then(|meta| meta.changes)
        .unwrap_or(0)
        > 0)
}

pub(crate) async fn signing(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<SigningRow>, AppError> {
    let Some(row) = env
        .d1(DB)?
        .prepare(
            "SELECT url, secret_key_id, secret_nonce, secret_ciphertext
             FROM webhook_subscriptions WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<SigningColumns>(None)
        .await?
    else {
        return Ok(None);
    };
    let decode = |value: &str| {
        STANDARD
            .decode(value)
            .map_err(|_| AppError::Internal("webhook_subscriptions secret is not base64".into()))
    };
    Ok(Some(SigningRow {
        url: row.url,
        sealed: Sealed {
            key_id: row.secret_key_id,
            nonce: decode(&row.secret_nonce)?,
            ciphertext: decode(&row.secret_ciphertext)?,
        },
    }))
}

/// One delivery to store (`ON CONFLICT DO NOTHING`: the same event twice is one row).
pub(crate) struct NewDelivery<'a> {
    pub(crate) id: &'a str,
    pub(crate) subscription_id: &'a str,
    pub(crate) event_id: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) body: &'a str,
}

pub(crate) async fn enqueue(
    env: &Env,
    tenant: &TenantId,
    deliveries: &[NewDelivery<'_>],
    now_ms: u64,
) -> Result<(), AppError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let db = env.d1(DB)?;
    let statements = deliveries
        .iter()
        .map(|delivery| {
            db.prepare(
                "INSERT INTO webhook_deliveries (tenant_id, id, subscription_id, event_id,
                    event_type, body, status, attempts, created_at_ms, next_attempt_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?7) ON CONFLICT DO NOTHING",
            )
            .bind(&[
                text(tenant.as_str()),
                text(delivery.id),
                text(delivery.subscription_id),
                text(delivery.event_id),
                text(delivery.event_type),
                text(delivery.body),
                millis(now_ms),
            ])
        })
        .collect::<Result<Vec<_>, _>>()?;
    db.batch(statements).await?;
    Ok(())
}

/// A delivery as the log shows it (and as the drain reads it; the body only there).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct DeliveryRow {
    pub(crate) id: String,
    pub(crate) subscription_id: String,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) status: String,
    pub(crate) attempts: u32,
    pub(crate) created_at_ms: u64,
    pub(crate) first_attempt_at_ms: Option<u64>,
    pub(crate) next_attempt_at_ms: Option<u64>,
    pub(crate) last_attempt_at_ms: Option<u64>,
    pub(crate) last_error: Option<String>,
    pub(crate) delivered_at_ms: Option<u64>,
    #[serde(default, skip_serializing)]
    pub(crate) body: Option<String>,
}

const DELIVERY_COLUMNS: &str = "id, subscription_id, event_id, event_type, status, attempts,
    created_at_ms, first_attempt_at_ms, next_attempt_at_ms, last_attempt_at_ms, last_error,
    delivered_at_ms";

/// The newest `limit` deliveries of a subscription.
pub(crate) async fn deliveries(
    env: &Env,
    tenant: &TenantId,
    subscription_id: &str,
    limit: u32,
) -> Result<Vec<DeliveryRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
             WHERE tenant_id = ?1 AND subscription_id = ?2
             ORDER BY created_at_ms DESC, id LIMIT ?3"
        ))
        .bind(&[
            text(tenant.as_str()),
            text(subscription_id),
            millis(u64::from(limit)),
        ])?
        .all()
        .await?;
    Ok(result.results::<DeliveryRow>()?)
}

/// Pending deliveries due at `now_ms`, oldest first, with their bodies.
pub(crate) async fn due(
    env: &Env,
    tenant: &TenantId,
    now_ms: u64,
    limit: u32,
) -> Result<Vec<DeliveryRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {DELIVERY_COLUMNS}, body FROM webhook_deliveries
             WHERE tenant_id = ?1 AND status = 'pending' AND next_attempt_at_ms <= ?2
             ORDER BY next_attempt_at_ms, created_at_ms, id LIMIT ?3"
        ))
        .bind(&[
            text(tenant.as_str()),
            millis(now_ms),
            millis(u64::from(limit)),
        ])?
        .all()
        .await?;
    Ok(result.results::<DeliveryRow>()?)
}

/// One delivery with its body, by id.
pub(crate) async fn delivery(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<DeliveryRow>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(format!(
            "SELECT {DELIVERY_COLUMNS}, body FROM webhook_deliveries
             WHERE tenant_id = ?1 AND id = ?2"
        ))
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<DeliveryRow>(None)
        .await?)
}

/// When the next pending delivery is due, if any.
pub(crate) async fn next_due(env: &Env, tenant: &TenantId) -> Result<Option<u64>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(
            "SELECT MIN(next_attempt_at_ms) AS at FROM webhook_deliveries
             WHERE tenant_id = ?1 AND status = 'pending'",
        )
        .bind(&[text(tenant.as_str())])?
        .first::<Option<u64>>(Some("at"))
        .await?
        .flatten())
}

/// The outcome of one attempt.
pub(crate) struct AttemptResult<'a> {
    pub(crate) status: &'a str,
    pub(crate) attempts: u32,
    pub(crate) first_attempt_at_ms: u64,
    pub(crate) next_attempt_at_ms: Option<u64>,
    pub(crate) at_ms: u64,
    pub(crate) error: Option<&'a str>,
}

pub(crate) async fn record_attempt(
    env: &Env,
    tenant: &TenantId,
    id: &str,
    result: &AttemptResult<'_>,
) -> Result<(), AppError> {
    let delivered = (result.status == "delivered").then_some(result.at_ms);
    env.d1(DB)?
        .prepare(
            "UPDATE webhook_deliveries SET status = ?3, attempts = ?4, first_attempt_at_ms = ?5,
                next_attempt_at_ms = ?6, last_attempt_at_ms = ?7, last_error = ?8,
                delivered_at_ms = ?9
             WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&[
            text(tenant.as_str()),
            text(id),
            text(result.status),
            millis(u64::from(result.attempts)),
            millis(result.first_attempt_at_ms),
            result
                .next_attempt_at_ms
                .map_or(worker::wasm_bindgen::JsValue::NULL, millis),
            millis(result.at_ms),
            opt_text(result.error),
            delivered.map_or(worker::wasm_bindgen::JsValue::NULL, millis),
        ])?
        .run()
        .await?;
    Ok(())
}
