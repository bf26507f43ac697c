//! Small JSON endpoints: health and the public tenant directory entry.

use serde::Serialize;
use tsunagu_core::TenantId;
use tsunagu_protocol::Localized;
use worker::{Env, Response};

use crate::{error::AppError, store};

pub(crate) fn healthz() -> Result<Response, AppError> {
    Ok(Response::from_json(&serde_json::json!({"status": "ok"}))?)
}

/// What anyone may know about a tenant: its id and display name. Nothing else.
#[derive(Serialize)]
struct PublicTenant {
    id: String,
    name: Localized,
}

pub(crate) async fn tenant(raw_id: &str, env: &Env) -> Result<Response, AppError> {
    let id = TenantId::new(raw_id).map_err(|_| AppError::UnknownTenant)?;
    let row = store::tenant(env, &id).await?;
    Ok(Response::from_json(&PublicTenant {
        id: row.id,
        name: Localized {
            ja: row.name_ja,
            en: row.name_en,
        },
    })?)
}
