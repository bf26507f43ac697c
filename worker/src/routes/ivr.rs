//! IVR menus per phone line through the admin API (`/api/admin/ivr-menus/<number>`): read, set
//! (validated by `tsunagu_admin::ivr_menu`, every mistake at once), remove. A line is named by
//! its number in any form, as in `/api/admin/phone-lines/<number>`. Calls do not run the menu yet.

use serde_json::{Value, json};
use tsunagu_auth::Permission;
use tsunagu_phone::{PhoneNumber, Region};
use worker::{Env, Request, Response};

use crate::{
    auth::{self, Principal},
    clock,
    error::AppError,
    hub, log,
    routes::{admin::json_body, directory::item},
    store::hub_directory::DirectoryChange,
    store::ivr as store,
};

/// `/api/admin/ivr-menus/<number>`.
pub(crate) const PREFIX: &str = "/api/admin/ivr-menus/";

/// The URL's line in E.164 (`%2B` is the `+` a client percent-encoded); no number, no line.
fn line(path: &str) -> Result<String, AppError> {
    let raw = item(path, PREFIX)?;
    let raw = raw
        .strip_prefix("%2B")
        .map_or_else(|| raw.to_owned(), |rest| format!("+{rest}"));
    PhoneNumber::parse(&raw, Region::Jp)
        .map(|number| number.as_e164().to_owned())
        .map_err(|_| AppError::NotFound)
}

fn reply(e164: &str, menu: &Value) -> Result<Response, AppError> {
    Ok(Response::from_json(
        &json!({ "number": e164, "menu": menu }),
    )?)
}

fn logged(principal: &Principal, event: &str) {
    log::info(
        event,
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
        ],
    );
}

pub(crate) async fn get(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let e164 = line(path)?;
    let stored = store::line_menu(env, &principal.tenant, &e164)
        .await?
        .ok_or(AppError::NotFound)?;
    let menu: Value = serde_json::from_str(&stored)
        .map_err(|e| AppError::Internal(format!("stored IVR menu: {e}")))?;
    reply(&e164, &menu)
}

pub(crate) async fn put(mut req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let e164 = line(path)?;
    let menu = tsunagu_admin::ivr_menu(&json_body(&mut req).await?)?;
    let menu =
        serde_json::to_value(&menu).map_err(|e| AppError::Internal(format!("IVR menu: {e}")))?;
    let menu_json = menu.to_string();
    if !store::put_line_menu(env, &principal.tenant, &e164, &menu_json, clock::now_ms()).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.ivr_menu_set");
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Lines).await;
    reply(&e164, &menu)
}

pub(crate) async fn delete(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let e164 = line(path)?;
    if !store::delete_line_menu(env, &principal.tenant, &e164).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.ivr_menu_removed");
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Lines).await;
    Ok(Response::from_json(&json!({ "deleted": true }))?)
}
