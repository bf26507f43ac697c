//! SQL of the platform operator's routes: a new tenant, its sealed embed secret and its first admin API key, all or none.

use tsunagu_admin::NewTenant;
use tsunagu_secrets::{Sealed, SecretName};
use worker::{Env, wasm_bindgen::JsValue};

use super::{DB, millis, opt_text, secrets::encode, text};
use crate::{error::AppError, store::admin::NewApiKey};

/// Whether a tenant with this id exists.
pub(crate) async fn tenant_exists(env: &Env, id: &str) -> Result<bool, AppError> {
    Ok(env
        .d1(DB)?
        .prepare("SELECT 1 AS one FROM tenants WHERE id = ?1")
        .bind(&[text(id)])?
        .first::<serde_json::Value>(None)
        .await?
        .is_some())
}

/// Creates the tenant with its settings, its sealed embed secret and its first admin API key in
/// one D1 batch (one transaction): a failure leaves nothing behind.
pub(crate) async fn create_tenant(
    env: &Env,
    tenant: &NewTenant,
    embed_secret: &Sealed,
    now_ms: u64,
    key: &NewApiKey<'_>,
) -> Result<(), AppError> {
    let db = env.d1(DB)?;
    let id = tenant.id.as_str();
    let settings = &tenant.settings;
    let reach = match settings.supervisor_reach {
        tsunagu_auth::SupervisorReach::Teams => "teams",
        tsunagu_auth::SupervisorReach::Tenant => "tenant",
    };
    let statements = vec![
        db.prepare(
            "INSERT INTO tenants (id, name_ja, name_en, allowed_origins, voice_edge, supervisor_reach,
                twilio_account_sid, twilio_api_key_sid, twilio_twiml_app_sid, session_lifetime_secs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE(?10, 28800))",
        )
        .bind(&[
            text(id),
            text(&settings.name.ja),
            text(&settings.name.en),
            text(&settings.allowed_origins.join(" ")),
            text(settings.voice_edge.as_str()),
            text(reach),
            opt_text(tenant.twilio.account_sid.as_deref()),
            opt_text(tenant.twilio.api_key_sid.as_deref()),
            opt_text(tenant.twilio.twiml_app_sid.as_deref()),
            settings
                .session_lifetime_minutes
                .map_or(JsValue::NULL, |minutes| JsValue::from(minutes * 60)),
        ])?,
        db.prepare(
            "INSERT INTO tenant_secrets (tenant_id, name, key_id, nonce, ciphertext, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&[
            text(id),
            text(SecretName::EmbedSecret.as_str()),
            text(&embed_secret.key_id),
            encode(&embed_secret.nonce),
            encode(&embed_secret.ciphertext),
            millis(now_ms),
        ])?,
        db.prepare(
            "INSERT INTO api_keys (tenant_id, id, name, scopes, secret_sha256, created_by, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            text(id),
            text(key.id),
            text(key.name),
            text(key.scopes),
            text(key.secret_sha256),
            text(key.created_by),
            millis(key.created_at_ms),
        ])?,
    ];
    db.batch(statements).await?;
    Ok(())
}
