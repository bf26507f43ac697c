//! Administration for the tenant's admins: the tenant's settings (`/api/admin/settings`), its
//! routing (`/api/admin/routing`), calling (`/api/admin/calling`) and web-call settings
//! (`/api/admin/web-calls`), and what the hub set aside (`GET /api/admin/hub-storage`).

use serde_json::{Value, json};
use tsunagu_admin::{
    CallingSettings, ErrorCode, Invalid, RoutingSettings, TenantSettings, WebCallSettings,
};
use tsunagu_auth::Permission;
use tsunagu_center::{CenterConfig, ConfigError};
use tsunagu_core::TenantId;
use tsunagu_secrets::SecretName;
use worker::{Env, Request, Response};

use crate::{
    auth,
    error::AppError,
    hub, log, secrets,
    store::hub_directory::DirectoryChange,
    store::{self, TenantRow, center_settings},
    tenant_config,
};

/// `GET /api/admin/twilio`: the tenant's Twilio account SID, API key SID and TwiML App SID
/// (not secret; the auth token and the API key secret are tenant secrets).
pub(crate) async fn twilio(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    Ok(Response::from_json(
        &store::admin::twilio_sids(env, &principal.tenant).await?,
    )?)
}

/// `PUT /api/admin/twilio`: replaces the three SIDs (null clears one), each checked for its
/// prefix and form. Access Tokens and REST calls use them from the next request.
pub(crate) async fn put_twilio(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let sids = tsunagu_admin::TwilioSids::validate(&json_body(&mut req).await?)?;
    store::admin::put_twilio_sids(env, &principal.tenant, &sids).await?;
    log::info(
        "admin.twilio_changed",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
        ],
    );
    Ok(Response::from_json(&sids)?)
}

/// `POST /api/admin/directory/sync`: the hub's directory copy re-reads everything from D1 now
/// (after an operator edited D1 by hand; writes through the API reach it by themselves).
pub(crate) async fn directory_sync(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let request = hub::DirectorySyncRequest {
        tenant: principal.tenant.clone(),
        change: DirectoryChange::Everything,
    };
    let reply = hub::sync_directory(env, &request).await?;
    log::info(
        "admin.directory_synced",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
        ],
    );
    Ok(Response::from_json(&reply)?)
}

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
        "crm_lookup_url": row.crm_lookup_url,
        "session_lifetime_minutes": row.session_lifetime_secs / 60,
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
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Settings).await;
    Ok(Response::from_json(&settings)?)
}

/// The request body as JSON (any JSON: validation says what is wrong with it, field by field).
pub(crate) async fn json_body(req: &mut Request) -> Result<Value, AppError> {
    req.json::<Value>()
        .await
        .map_err(|_| AppError::BadRequest("the body must be JSON"))
}

/// `GET /api/admin/calling`: the dial policy's tenant-set parts, direct dialling from the host
/// page, the sign-in status and the wrap-up time, as the contact center reads them.
pub(crate) async fn calling(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let config = tenant_config::load(env, &principal.tenant).await?;
    let center = serde_json::to_value(&config)
        .map_err(|e| AppError::Internal(format!("center config: {e}")))?;
    Ok(Response::from_json(&CallingSettings::view_of_center(
        &center,
    ))?)
}

/// `PUT /api/admin/calling`: replaces those settings (the allowed kinds of line and the other
/// presence timers stay), checked field by field, then as a whole by the contact center (a
/// fallback number the new dial policy refuses is refused here too).
pub(crate) async fn put_calling(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let settings = CallingSettings::validate(&json_body(&mut req).await?)?;
    let mut row = store::tenant(env, &principal.tenant).await?;
    with_center_fields(&mut row, |stored| settings.merge_into_center(stored))?;
    store_center_settings(env, &principal, &row, "admin.calling_changed", &[]).await?;
    Ok(Response::from_json(&settings)?)
}

/// `GET /api/admin/web-calls`: the "call us" page's limits and Turnstile site key, as the
/// contact center reads them, and whether the challenge lacks its secret.
pub(crate) async fn web_calls(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let config = tenant_config::load(env, &principal.tenant).await?;
    web_calls_view(env, &principal.tenant, &config).await
}

/// `PUT /api/admin/web-calls`: replaces those settings (the on/off switch is the routing's and
/// stays), checked field by field, then as a whole by the contact center. A site key is taken
/// without the Turnstile secret (the two are set one after the other, in either order); the
/// reply says `turnstile_secret_missing` while calls would be refused for it.
pub(crate) async fn put_web_calls(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let settings = WebCallSettings::validate(&json_body(&mut req).await?)?;
    let mut row = store::tenant(env, &principal.tenant).await?;
    let config = with_center_fields(&mut row, |stored| settings.merge_into_center(stored))?;
    store_center_settings(
        env,
        &principal,
        &row,
        "admin.web_calls_changed",
        &[("challenge", settings.turnstile_site_key.is_some().into())],
    )
    .await?;
    web_calls_view(env, &principal.tenant, &config).await
}

/// The web-call resource of `config`. The secret counts as set as `GET /api/admin/secrets` says
/// it (sealed in D1, or the legacy Worker secret), without opening it.
async fn web_calls_view(
    env: &Env,
    tenant: &TenantId,
    config: &CenterConfig,
) -> Result<Response, AppError> {
    let center = serde_json::to_value(config)
        .map_err(|e| AppError::Internal(format!("center config: {e}")))?;
    let secret_set = secrets::legacy_is_set(env, tenant, SecretName::TurnstileSecret)
        || store::secrets::sealed(env, tenant, SecretName::TurnstileSecret)
            .await?
            .is_some();
    Ok(Response::from_json(&WebCallSettings::view_of_center(
        &center, secret_set,
    ))?)
}

/// `GET /api/admin/routing`: the ladder, the longest wait, the fallback numbers, business hours
/// and web calls, as the contact center reads them (defaults filled in).
pub(crate) async fn routing(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let config = tenant_config::load(env, &principal.tenant).await?;
    let center = serde_json::to_value(&config)
        .map_err(|e| AppError::Internal(format!("center config: {e}")))?;
    Ok(Response::from_json(&RoutingSettings::view_of_center(
        &center,
    ))?)
}

/// Stores the tenant's center settings as `with_center_fields` left them in `row`, logs `event`
/// (who did it, and `extra`), and tells the hub, which re-reads them.
async fn store_center_settings(
    env: &Env,
    principal: &auth::Principal,
    row: &TenantRow,
    event: &str,
    extra: &[(&str, Value)],
) -> Result<(), AppError> {
    center_settings::put(
        env,
        &principal.tenant,
        &center_settings::fields(&row.center_json)?,
    )
    .await?;
    let mut fields = vec![
        ("tenant", principal.tenant.as_str().into()),
        ("by", principal.actor.as_str().into()),
    ];
    fields.extend(extra.iter().cloned());
    log::info(event, &fields);
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Settings).await;
    Ok(())
}

/// Puts `settings` into the tenant's row (the dial policy and other settings stay) and returns
/// the contact center's settings that result, checked as a whole by the center: what saving them
/// would store, and what a routing dry run previews.
pub(crate) fn with_routing(
    row: &mut TenantRow,
    settings: &RoutingSettings,
) -> Result<CenterConfig, AppError> {
    with_center_fields(row, |stored| stored.extend(settings.to_center_fields()))
}

/// Changes the tenant row's stored center settings with `merge` and checks the result as a whole
/// (see [`with_routing`]).
fn with_center_fields(
    row: &mut TenantRow,
    merge: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Result<CenterConfig, AppError> {
    let mut stored = center_settings::fields(&row.center_json)?;
    merge(&mut stored);
    row.center_json = Value::Object(stored).to_string();
    // The center's own check: a fallback number its dial policy refuses is the client's error.
    let config = tenant_config::parse_row(row)?;
    if let Err(error) = config.validate() {
        return Err(match error {
            ConfigError::FallbackNumberRefused { index, .. } => AppError::Invalid(Invalid::one(
                format!("fallback_numbers[{index}]"),
                ErrorCode::RefusedByDialPolicy,
            )),
            other => AppError::Internal(format!("routing settings: {other}")),
        });
    }
    Ok(config)
}

/// `PUT /api/admin/routing`: replaces those settings (the dial policy and other settings stay),
/// validated field by field, then as a whole by the contact center before it is stored.
pub(crate) async fn put_routing(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let settings = RoutingSettings::validate(&json_body(&mut req).await?)?;
    let mut row = store::tenant(env, &principal.tenant).await?;
    with_routing(&mut row, &settings)?;
    store_center_settings(env, &principal, &row, "admin.routing_changed", &[]).await?;
    Ok(Response::from_json(&settings)?)
}
