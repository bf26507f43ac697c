//! API keys for machines (`/api/admin/api-keys`): create (the plain key is in that reply only),
//! list (never a secret or hash; with the last-used time) and revoke.

use serde_json::{Value, json};
use tsunagu_admin::{ApiKeyInput, ApiKeyToken, api_key};
use tsunagu_auth::Permission;
use worker::{Env, Request, Response};

use crate::{
    auth, clock,
    error::AppError,
    log, random,
    routes::{admin::json_body, directory::item},
    store::admin::{self as store, ApiKeyRow, NewApiKey},
};

/// `/api/admin/api-keys/<id>`.
pub(crate) const PREFIX: &str = "/api/admin/api-keys/";

fn key_json(row: &ApiKeyRow) -> Value {
    json!({
        "id": row.id,
        "name": row.name,
        "scopes": row.scopes.split_whitespace().collect::<Vec<_>>(),
        "created_by": row.created_by,
        "created_at_ms": row.created_at_ms,
        "last_used_at_ms": row.last_used_at_ms,
        "revoked_at_ms": row.revoked_at_ms,
    })
}

pub(crate) async fn list(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let keys = store::api_keys(env, &principal.tenant).await?;
    let keys: Vec<Value> = keys.iter().map(key_json).collect();
    Ok(Response::from_json(&json!({ "api_keys": keys }))?)
}

pub(crate) async fn create(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let input = ApiKeyInput::validate(&json_body(&mut req).await?)?;
    let key = ApiKeyToken::mint(principal.tenant.clone(), random::bytes()?, random::bytes()?);
    let now = clock::now_ms();
    let scopes = api_key::scopes_column(&input.scopes);
    store::insert_api_key(
        env,
        &principal.tenant,
        &NewApiKey {
            id: &key.id,
            name: &input.name,
            scopes: &scopes,
            secret_sha256: &key.secret_hash(),
            created_by: &principal.actor,
            created_at_ms: now,
        },
    )
    .await?;
    log::info(
        "admin.api_key_created",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("key", key.id.as_str().into()),
            ("scopes", scopes.as_str().into()),
        ],
    );
    let reply = json!({
        "id": key.id,
        "name": input.name,
        "scopes": api_key::scope_names(&input.scopes),
        "created_by": principal.actor,
        "created_at_ms": now,
        "last_used_at_ms": null,
        "revoked_at_ms": null,
        "key": key.reveal(),
    });
    Ok(Response::from_json(&reply)?.with_status(201))
}

pub(crate) async fn revoke(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let id = item(path, PREFIX)?;
    if !store::revoke_api_key(env, &principal.tenant, id, clock::now_ms()).await? {
        return Err(AppError::NotFound);
    }
    log::info(
        "admin.api_key_revoked",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("key", id.into()),
        ],
    );
    Ok(Response::from_json(&json!({ "revoked": true }))?)
}
