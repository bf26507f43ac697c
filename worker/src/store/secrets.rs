//! D1 access for tenant secrets (`tenant_secrets`): sealed values only, never a plaintext; the
//! nonce and ciphertext as standard base64 text.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde::Deserialize;
use tsunagu_core::TenantId;
use tsunagu_secrets::{Sealed, SecretName};
use worker::{Env, wasm_bindgen::JsValue};

use super::{DB, millis, opt_text, text};
use crate::error::AppError;

/// A row as stored: the current sealed value and, during its grace, the one it replaced.
#[derive(Deserialize)]
struct SealedColumns {
    key_id: String,
    nonce: String,
    ciphertext: String,
    previous_key_id: Option<String>,
    previous_nonce: Option<String>,
    previous_ciphertext: Option<String>,
    previous_valid_until_ms: Option<u64>,
}

/// A secret's sealed values (nothing here opens them).
#[derive(Debug, Clone)]
pub(crate) struct SealedRow {
    pub(crate) current: Sealed,
    /// The replaced value and until when it is valid.
    pub(crate) previous: Option<(Sealed, u64)>,
}

/// What the admin API may show of a row: never the nonce or the ciphertext.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SecretStatusRow {
    pub(crate) name: String,
    pub(crate) key_id: String,
    pub(crate) updated_at_ms: u64,
    pub(crate) previous_valid_until_ms: Option<u64>,
}

/// A value to store: sealed now, the previous one kept until `keep_previous_until_ms` (`None`:
/// dropped), and, for a first value, the legacy Worker secret it replaces as the previous one.
pub(crate) struct NewSecret<'a> {
    pub(crate) sealed: &'a Sealed,
    pub(crate) now_ms: u64,
    pub(crate) keep_previous_until_ms: Option<u64>,
    pub(crate) replaced_legacy: Option<&'a Sealed>,
}

fn decode(field: &str, value: &str) -> Result<Vec<u8>, AppError> {
    STANDARD
        .decode(value)
        .map_err(|_| AppError::Internal(format!("tenant_secrets.{field} is not base64")))
}

pub(super) fn encode(bytes: &[u8]) -> JsValue {
    JsValue::from_str(&STANDARD.encode(bytes))
}

fn opt_millis(value: Option<u64>) -> JsValue {
    value.map_or(JsValue::NULL, millis)
}

/// The tenant's sealed `name`, if it is in D1.
pub(crate) async fn sealed(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
) -> Result<Option<SealedRow>, AppError> {
    let Some(row) = env
        .d1(DB)?
        .prepare(
            "SELECT key_id, nonce, ciphertext, previous_key_id, previous_nonce,
                previous_ciphertext, previous_valid_until_ms
             FROM tenant_secrets WHERE tenant_id = ?1 AND name = ?2",
        )
        .bind(&[text(tenant.as_str()), text(name.as_str())])?
        .first::<SealedColumns>(None)
        .await?
    else {
        return Ok(None);
    };
    let current = Sealed {
        key_id: row.key_id,
        nonce: decode("nonce", &row.nonce)?,
        ciphertext: decode("ciphertext", &row.ciphertext)?,
    };
    let previous = match (
        row.previous_key_id,
        row.previous_nonce,
        row.previous_ciphertext,
        row.previous_valid_until_ms,
    ) {
        (Some(key_id), Some(nonce), Some(ciphertext), Some(until)) => Some((
            Sealed {
                key_id,
                nonce: decode("previous_nonce", &nonce)?,
                ciphertext: decode("previous_ciphertext", &ciphertext)?,
            },
            until,
        )),
        _ => None,
    };
    Ok(Some(SealedRow { current, previous }))
}

const STATUS_COLUMNS: &str = "name, key_id, updated_at_ms, previous_valid_until_ms";

/// Which of the tenant's secrets are in D1, with their key ids and times.
pub(crate) async fn statuses(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<SecretStatusRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {STATUS_COLUMNS} FROM tenant_secrets WHERE tenant_id = ?1 ORDER BY name"
        ))
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<SecretStatusRow>()?)
}

/// Sets `name` in one statement: a stored value becomes the previous one (kept until
/// `keep_previous_until_ms`, or dropped), so two admins rotating at once cannot lose a value
/// between a read and a write. Answers the row's status.
pub(crate) async fn put(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
    new: &NewSecret<'_>,
) -> Result<SecretStatusRow, AppError> {
    // On the first value, the replaced legacy Worker secret (if any) is the previous one.
    let legacy_until = new.replaced_legacy.and(new.keep_previous_until_ms);
    let legacy = new.replaced_legacy.filter(|_| legacy_until.is_some());
    env.d1(DB)?
        .prepare(format!(
            "INSERT INTO tenant_secrets (tenant_id, name, key_id, nonce, ciphertext, updated_at_ms,
                previous_key_id, previous_nonce, previous_ciphertext, previous_valid_until_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (tenant_id, name) DO UPDATE SET
                previous_key_id = CASE WHEN ?11 IS NULL THEN NULL ELSE tenant_secrets.key_id END,
                previous_nonce = CASE WHEN ?11 IS NULL THEN NULL ELSE tenant_secrets.nonce END,
                previous_ciphertext =
                    CASE WHEN ?11 IS NULL THEN NULL ELSE tenant_secrets.ciphertext END,
                previous_valid_until_ms = ?11,
                key_id = excluded.key_id,
                nonce = excluded.nonce,
                ciphertext = excluded.ciphertext,
                updated_at_ms = excluded.updated_at_ms
             RETURNING {STATUS_COLUMNS}"
        ))
        .bind(&[
            text(tenant.as_str()),
            text(name.as_str()),
            text(&new.sealed.key_id),
            encode(&new.sealed.nonce),
            encode(&new.sealed.ciphertext),
            millis(new.now_ms),
            opt_text(legacy.map(|l| l.key_id.as_str())),
            legacy.map_or(JsValue::NULL, |l| encode(&l.nonce)),
            legacy.map_or(JsValue::NULL, |l| encode(&l.ciphertext)),
            opt_millis(legacy_until),
            opt_millis(new.keep_previous_until_ms),
        ])?
        .first::<SecretStatusRow>(None)
        .await?
        .ok_or_else(|| AppError::Internal("tenant_secrets upsert returned no row".into()))
}

/// Deletes `name` from D1 (the legacy Worker secret, if any, applies again); `false` when it was
/// not there.
pub(crate) async fn delete(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
) -> Result<bool, AppError> {
    let result = env
        .d1(DB)?
        .prepare("DELETE FROM tenant_secrets WHERE tenant_id = ?1 AND name = ?2")
        .bind(&[text(tenant.as_str()), text(name.as_str())])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0)
}
