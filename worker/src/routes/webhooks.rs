//! CRM webhook subscriptions (`/api/admin/webhooks`): create (the signing secret is in that
//! reply only; stored sealed), list, delete; each subscription's delivery log; redeliver a dead
//! letter. Admins only (admin role or an API key with the `admin` scope).

use serde_json::json;
use tsunagu_admin::WebhookInput;
use tsunagu_auth::Permission;
use worker::{Env, Request, Response};

use crate::{
    auth, clock,
    error::AppError,
    hub, log, random,
    routes::{admin::json_body, directory::item},
    store::{
        hub_directory::DirectoryChange,
        webhooks::{self as store, NewSubscription, SubscriptionRow},
    },
    webhooks,
};

/// `/api/admin/webhooks/<id>` and `/api/admin/webhooks/<id>/deliveries`.
pub(crate) const PREFIX: &str = "/api/admin/webhooks/";
/// `/api/admin/webhooks/deliveries/<id>/redeliver`.
pub(crate) const DELIVERIES_PREFIX: &str = "/api/admin/webhooks/deliveries/";
const REDELIVER_SUFFIX: &str = "/redeliver";
const DELIVERIES_SUFFIX: &str = "/deliveries";
/// Deliveries the log shows (newest first).
const LOG_LIMIT: u32 = 200;

pub(crate) async fn list(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let rows = store::subscriptions(env, &principal.tenant).await?;
    let webhooks: Vec<_> = rows.iter().map(webhooks::subscription_json).collect();
    Ok(Response::from_json(&json!({ "webhooks": webhooks }))?)
}

pub(crate) async fn create(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let input = WebhookInput::validate(&json_body(&mut req).await?)?;
    let id = format!("wh_{}", random::hex_id()?);
    let (secret, sealed) = webhooks::new_secret(env, &principal.tenant, &id)?;
    let row = SubscriptionRow {
        id: id.clone(),
        url: input.url,
        events: input.events.to_csv(),
        description: input.description,
        created_by: principal.actor.clone(),
        created_at_ms: clock::now_ms(),
    };
    store::insert_subscription(
        env,
        &principal.tenant,
        &NewSubscription {
            id: &row.id,
            url: &row.url,
            events: &row.events,
            description: row.description.as_deref(),
            sealed: &sealed,
            created_by: &row.created_by,
            created_at_ms: row.created_at_ms,
        },
    )
    .await?;
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Subscriptions).await;
    log::info(
        "admin.webhook_created",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("webhook", id.as_str().into()),
            ("events", row.events.as_str().into()),
        ],
    );
    let mut reply = webhooks::subscription_json(&row);
    reply["secret"] = secret.into();
    Ok(Response::from_json(&reply)?.with_status(201))
}

/// `DELETE /api/admin/webhooks/<id>`.
pub(crate) async fn delete(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let id = item(path, PREFIX)?;
    if !store::delete_subscription(env, &principal.tenant, id).await? {
        return Err(AppError::NotFound);
    }
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Subscriptions).await;
    log::info(
        "admin.webhook_deleted",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("webhook", id.into()),
        ],
    );
    Ok(Response::from_json(&json!({ "deleted": true }))?)
}

/// `GET /api/admin/webhooks/<id>/deliveries`: status, attempts, last error, next attempt.
pub(crate) async fn deliveries(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let id = path
        .strip_suffix(DELIVERIES_SUFFIX)
        .ok_or(AppError::NotFound)
        .and_then(|path| item(path, PREFIX))?;
    if !store::subscription_exists(env, &principal.tenant, id).await? {
        return Err(AppError::NotFound);
    }
    let rows = store::deliveries(env, &principal.tenant, id, LOG_LIMIT).await?;
    Ok(Response::from_json(&json!({ "deliveries": rows }))?)
}

/// `POST /api/admin/webhooks/deliveries/<id>/redeliver`: one attempt now for a dead letter, with
/// the same delivery id; answers the delivery as it is afterwards (delivered, or still dead with
/// the new error).
pub(crate) async fn redeliver(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let id = path
        .strip_suffix(REDELIVER_SUFFIX)
        .ok_or(AppError::NotFound)
        .and_then(|path| item(path, DELIVERIES_PREFIX))?;
    let row = store::delivery(env, &principal.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != "dead" {
        return Err(AppError::Conflict {
            code: "not_dead_letter",
            message: "only a dead letter can be redelivered",
        });
    }
    let policy = webhooks::policy(env);
    webhooks::attempt(env, &principal.tenant, &row, &policy, true).await?;
    log::info(
        "admin.webhook_redelivered",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("delivery", id.into()),
        ],
    );
    let row = store::delivery(env, &principal.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Response::from_json(&row)?)
}
