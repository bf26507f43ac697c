//! Phone lines through the admin API (`/api/admin/phone-lines`): the numbers customers call, main
//! or legacy (announcing the new number). A line is named by its number in the URL, in any form
//! (`+815012345678`, `%2B815012345678`, `050-1234-5678`).

use serde_json::{Value, json};
use tsunagu_admin::{ErrorCode, Invalid, PhoneLine};
use tsunagu_auth::Permission;
use tsunagu_phone::{PhoneNumber, Region};
use worker::{Env, Request, Response};

use crate::{
    auth::{self, Principal},
    error::AppError,
    hub, log,
    routes::{admin::json_body, directory::item, queues},
    store::admin::{self as store, PhoneLineAdminRow},
    store::hub_directory::DirectoryChange,
};

/// `/api/admin/phone-lines/<number>`.
pub(crate) const PREFIX: &str = "/api/admin/phone-lines/";

/// The URL's number: `%2B` is the `+` a client percent-encoded.
fn path_number(path: &str) -> Result<String, AppError> {
    let raw = item(path, PREFIX)?;
    Ok(raw
        .strip_prefix("%2B")
        .map_or_else(|| raw.to_owned(), |rest| format!("+{rest}")))
}

fn line_json(row: &PhoneLineAdminRow) -> Value {
    let skills: Value =
        serde_json::from_str(&row.required_skills_json).unwrap_or_else(|_| json!({}));
    json!({
        "number": row.e164,
        "kind": row.kind,
        "announce": row.announce_e164,
        "required_skills": skills,
        "priority": row.priority,
        "skill_relax_after_secs": row.skill_relax_after_secs,
        "hours": row.hours_json.as_deref().and_then(|json| serde_json::from_str::<Value>(json).ok()),
        "queue": row.queue_id,
        "after_hours": row.after_hours_json.as_deref().and_then(|json| serde_json::from_str::<Value>(json).ok()),
    })
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

pub(crate) async fn list(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let lines = store::phone_lines(env, &principal.tenant).await?;
    let lines: Vec<Value> = lines.iter().map(line_json).collect();
    Ok(Response::from_json(&json!({ "phone_lines": lines }))?)
}

pub(crate) async fn create(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let line = PhoneLine::validate(&json_body(&mut req).await?, None)?;
    queues::check_line(env, &principal.tenant, &line).await?;
    if !store::insert_phone_line(env, &principal.tenant, &line).await? {
        return Err(AppError::Invalid(Invalid::one("number", ErrorCode::Taken)));
    }
    logged(&principal, "admin.phone_line_created");
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Lines).await;
    Ok(Response::from_json(&line)?.with_status(201))
}

pub(crate) async fn update(mut req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let number = path_number(path)?;
    let line = PhoneLine::validate(&json_body(&mut req).await?, Some(&number))?;
    queues::check_line(env, &principal.tenant, &line).await?;
    if !store::update_phone_line(env, &principal.tenant, &line).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.phone_line_changed");
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Lines).await;
    Ok(Response::from_json(&line)?)
}

pub(crate) async fn delete(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let number =
        PhoneNumber::parse(&path_number(path)?, Region::Jp).map_err(|_| AppError::NotFound)?;
    if !store::delete_phone_line(env, &principal.tenant, number.as_e164()).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.phone_line_deleted");
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Lines).await;
    Ok(Response::from_json(&json!({ "deleted": true }))?)
}
