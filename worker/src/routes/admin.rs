//! Administration for the tenant's admins: the tenant's settings (`/api/admin/settings`) and
//! what the hub set aside (`GET /api/admin/hub-storage`).

use serde_json::{Value, json};
use tsunagu_admin::TenantSettings;
use tsunagu_auth::Permission;
use worker::{Env, Request, Response};

use crate::{auth, error::AppError, hub, log, store};

/// `GET /api/admin/hub-storage`: the tenant hub's quarantined entries and dead-lettered call-log
/// writes, each with its reason or last error and a preview of the value (admins only).
pub(crate) async fn hub_storage(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::require(&req, env, Permission::Administer)?;
    let report = hub::storage_report(env, &session.tenant).await?;
    Ok(Response::from_json(&report)?)
}

/// `GET /api/admin/settings`: the tenant's settings as the admin API writes them.
pub(crate) async fn settings(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let row = store::admin::settings(env, &principal.tenant).await?;
    Ok(Response::from_json(&json!({
        "name": { "ja": row.name_ja, "en": row.name_en },
        "allowed_origins": row.allowed_origins.split_whitespace().collect::<Vec<_>>(),
        "voice_edge": row.voice_edge,
        "supervisor_reach": row.supervisor_reach,
    }))?)
}

/// `PUT /api/admin/settings`: replaces the settings (every field), validated field by field.
pub(crate) async fn put_settings(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let settings = TenantSettings::validate(&json_body(&mut req).await?)?;
    store::admin::put_settings(env, &principal.tenant, &settings).await?;
    log::info(
        "admin.settings_changed",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
        ],
    );
    Ok(Response::from_json(&settings)?)
}

/// The request body as JSON (any JSON: validation says what is wrong with it, field by field).
pub(crate) async fn json_body(req: &mut Request) -> Result<Value, AppError> {
    req.json::<Value>()
        .await
        .map_err(|_| AppError::BadRequest("the body must be JSON"))
}
