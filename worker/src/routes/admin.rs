//! Administration for the tenant's admins: what the hub set aside (`GET /api/admin/hub-storage`).

use tsunagu_auth::Permission;
use worker::{Env, Request, Response};

use crate::{auth, error::AppError, hub};

/// `GET /api/admin/hub-storage`: the tenant hub's quarantined entries and dead-lettered call-log
/// writes, each with its reason or last error and a preview of the value (admins only).
pub(crate) async fn hub_storage(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::require(&req, env, Permission::Administer)?;
    let report = hub::storage_report(env, &session.tenant).await?;
    Ok(Response::from_json(&report)?)
}
