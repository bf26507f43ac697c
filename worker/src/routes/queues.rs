//! Queues through the admin API (`/api/admin/queues`): list, create or replace one by its id
//! (`PUT /api/admin/queues/<id>`), delete one no line or overflow still uses. Every write is read
//! field by field (`tsunagu_admin::QueueInput`), then checked by the contact center with the
//! tenant's other queues (an overflow to a queue that does not exist or that leads back, a
//! forward number the dial policy refuses) before it is stored; and a line that names a queue or
//! an after-hours rule is checked the same way.

use serde_json::{Value, json};
use tsunagu_admin::{ErrorCode, FieldError, Invalid, PhoneLine, QueueInput, Rule};
use tsunagu_auth::Permission;
use tsunagu_center::{ConfigError, QueueProblem};
use tsunagu_core::TenantId;
use worker::{Env, Request, Response};

use crate::{
    auth,
    error::AppError,
    hub, log,
    routes::{admin::json_body, directory::item},
    store::{self, hub_directory::DirectoryChange, queues as queue_store},
    tenant_config,
};

/// `/api/admin/queues/<id>`.
pub(crate) const PREFIX: &str = "/api/admin/queues/";

pub(crate) async fn list(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let queues = queue_store::queues(env, &principal.tenant).await?;
    let queues: Vec<Value> = queues.iter().map(queue_store::QueueRow::to_json).collect();
    Ok(Response::from_json(&json!({ "queues": queues }))?)
}

pub(crate) async fn put(mut req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let queue = QueueInput::validate(&json_body(&mut req).await?, item(path, PREFIX)?)?;
    check_queue(env, &principal.tenant, &queue).await?;
    queue_store::put_queue(env, &principal.tenant, &queue).await?;
    log::info(
        "admin.queue_saved",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("queue", queue.id.as_str().into()),
        ],
    );
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Settings).await;
    Ok(Response::from_json(&queue)?)
}

pub(crate) async fn delete(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::Administer).await?;
    let id = item(path, PREFIX)?;
    if queue_store::queue_in_use(env, &principal.tenant, id).await? {
        return Err(AppError::Invalid(Invalid::one("id", ErrorCode::QueueInUse)));
    }
    if !queue_store::delete_queue(env, &principal.tenant, id).await? {
        return Err(AppError::NotFound);
    }
    log::info(
        "admin.queue_deleted",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("queue", id.into()),
        ],
    );
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Settings).await;
    Ok(Response::from_json(&json!({ "deleted": true }))?)
}

/// The center's check of the tenant's queues with `queue` in place of its stored self.
async fn check_queue(env: &Env, tenant: &TenantId, queue: &QueueInput) -> Result<(), AppError> {
    let mut row = store::tenant(env, tenant).await?;
    let mut queues = match row
        .queues_json
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        Some(Ok(Value::Object(queues))) => queues,
        _ => serde_json::Map::new(),
    };
    queues.insert(queue.id.clone(), queue.to_center());
    row.queues_json = Some(Value::Object(queues).to_string());
    let config = tenant_config::parse_row(&row)?;
    config.validate().map_err(|error| match error {
        ConfigError::Queue { ref problem, .. } => match field_error(problem, "overflow") {
            Some(field) => AppError::Invalid(Invalid(vec![field])),
            None => AppError::Internal(format!("queue settings: {error}")),
        },
        other => AppError::Internal(format!("queue settings: {other}")),
    })
}

/// A line's queue must be one of the tenant's, and its after-hours forward numbers ones the dial
/// policy lets the center dial.
pub(crate) async fn check_line(
    env: &Env,
    tenant: &TenantId,
    line: &PhoneLine,
) -> Result<(), AppError> {
    if line.queue.is_none() && line.after_hours.is_none() {
        return Ok(());
    }
    let mut row = store::tenant(env, tenant).await?;
    let config = tenant_config::parse_row(&row)?;
    if let Some(queue) = &line.queue
        && tsunagu_center::QueueId::new(queue).is_none_or(|id| config.queue(&id).is_none())
    {
        return Err(AppError::Invalid(Invalid::one(
            "queue",
            ErrorCode::UnknownQueue,
        )));
    }
    if let Some(rule @ Rule::Forward { .. }) = &line.after_hours {
        let written = serde_json::to_value(rule).map_err(|e| AppError::Internal(e.to_string()))?;
        row.line_after_hours_json = Some(json!({ line.number.clone(): written }).to_string());
        let config = tenant_config::parse_row(&row)?;
        if let Err(ConfigError::LineAfterHours { problem, .. }) = config.validate()
            && let Some(field) = field_error(&problem, "after_hours")
        {
            return Err(AppError::Invalid(Invalid(vec![field])));
        }
    }
    Ok(())
}

/// The field of a body (`overflow` of a queue, `after_hours` of a line) a center's refusal is
/// about; `None` for what the admin API already refuses itself.
fn field_error(problem: &QueueProblem, rule: &str) -> Option<FieldError> {
    Some(match problem {
        QueueProblem::AfterHoursRule(problem) => return field_error(problem, "after_hours"),
        QueueProblem::UnknownOverflowQueue => {
            FieldError::new(format!("{rule}.queue"), ErrorCode::UnknownQueue)
        }
        QueueProblem::OverflowLoop => {
            FieldError::new(format!("{rule}.queue"), ErrorCode::OverflowLoop)
        }
        &QueueProblem::ForwardNumberRefused { index, .. } => FieldError::new(
            format!("{rule}.numbers[{index}]"),
            ErrorCode::RefusedByDialPolicy,
        ),
        _ => return None,
    })
}
