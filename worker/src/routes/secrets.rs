//! Tenant secrets through the admin API (`/api/admin/secrets`): set or rotate one (sealed into D1),
//! list which are set and where (never a value), delete one. Admins only.

use serde_json::{Value, json};
use tsunagu_admin::{secret_name, secret_value};
use tsunagu_auth::Permission;
use tsunagu_secrets::{Rotation, SecretName, Source};
use worker::{Env, Request, Response};

use crate::{
    auth, clock,
    error::AppError,
    log,
    routes::{admin::json_body, directory::item},
    secrets,
    store::secrets::{self as store, NewSecret, SecretStatusRow},
};

/// `/api/admin/secrets/<name>`.
pub(crate) const PREFIX: &str = "/api/admin/secrets/";

/// One secret's status: set or not, where from, which master key sealed it, and until when the
/// value it replaced still verifies. Never the value, the nonce or the ciphertext.
fn status_json(
    name: SecretName,
    row: Option<&SecretStatusRow>,
    legacy_set: bool,
    key_in_force: impl Fn(&str) -> bool,
    now_ms: u64,
) -> Value {
    let source = match (row, legacy_set) {
        (Some(_), _) => Some(Source::D1),
        (None, true) => Some(Source::WorkerSecret),
        (None, false) => None,
    };
    json!({
        "name": name.as_str(),
        "set": source.is_some(),
        "source": source.map(Source::as_str),
        "key_id": row.map(|r| r.key_id.as_str()),
        "key_in_force": row.map(|r| key_in_force(&r.key_id)),
        "updated_at_ms": row.map(|r| r.updated_at_ms),
        "previous_valid_until_ms": row
            .and_then(|r| r.previous_valid_until_ms)
            .filter(|until| *until > now_ms),
    })
}

/// `GET /api/admin/secrets`: every secret a tenant can have, and the master key in force.
pub(crate) async fn list(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let rows = store::statuses(env, &principal.tenant).await?;
    let keyring = secrets::keyring(env);
    let now = clock::now_ms();
    let list: Vec<Value> = SecretName::ALL
        .into_iter()
        .map(|name| {
            status_json(
                name,
                rows.iter().find(|row| row.name == name.as_str()),
                secrets::legacy_is_set(env, &principal.tenant, name),
                |id| keyring.as_ref().is_some_and(|k| k.key(id).is_some()),
                now,
            )
        })
        .collect();
    Ok(Response::from_json(&json!({
        "master_key": {
            "configured": keyring.is_some(),
            "sealing_key_id": keyring.as_ref().map(|k| k.sealing_key().id.as_str().to_owned()),
        },
        "secrets": list,
    }))?)
}

/// `PUT /api/admin/secrets/<name>`, body `{"value": "…"}`: seals the value into D1. The value it
/// replaces (or, the first time, the legacy Worker secret) keeps verifying for the grace period
/// if the secret verifies signatures (embed secret, Twilio auth token); the others switch at once.
pub(crate) async fn put(mut req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let name = secret_name(item(path, PREFIX)?)?;
    let value = secret_value(name, &json_body(&mut req).await?)?;
    let tenant = &principal.tenant;
    let sealed = secrets::seal_value(env, tenant, name, value.expose())?;
    let now = clock::now_ms();
    let keep_previous_until_ms = Rotation::previous_valid_until(name, now, secrets::grace_ms(env));
    let replaced_legacy = match keep_previous_until_ms {
        Some(_) => secrets::sealed_legacy(env, tenant, name)?,
        None => None,
    };
    let row = store::put(
        env,
        tenant,
        name,
        &NewSecret {
            sealed: &sealed,
            now_ms: now,
            keep_previous_until_ms,
            replaced_legacy: replaced_legacy.as_ref(),
        },
    )
    .await?;
    secrets::forget(tenant, name);
    log::info(
        "admin.secret_set",
        &[
            ("tenant", tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("name", name.as_str().into()),
            ("key_id", row.key_id.as_str().into()),
        ],
    );
    let keyring = secrets::keyring(env);
    Ok(Response::from_json(&status_json(
        name,
        Some(&row),
        secrets::legacy_is_set(env, tenant, name),
        |id| keyring.as_ref().is_some_and(|k| k.key(id).is_some()),
        now,
    ))?)
}

/// `DELETE /api/admin/secrets/<name>`: removes the sealed value (a legacy Worker secret, if any,
/// applies again); 404 when it is not in D1.
pub(crate) async fn delete(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let name = secret_name(item(path, PREFIX)?)?;
    if !store::delete(env, &principal.tenant, name).await? {
        return Err(AppError::NotFound);
    }
    secrets::forget(&principal.tenant, name);
    log::info(
        "admin.secret_deleted",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("name", name.as_str().into()),
        ],
    );
    Ok(Response::from_json(&json!({ "deleted": true }))?)
}
