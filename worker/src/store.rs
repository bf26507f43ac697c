//! D1 access: the only place with SQL strings. Rows come back as plain structs.

use serde::Deserialize;
use tsunagu_core::TenantId;
use worker::{Env, wasm_bindgen::JsValue};

use crate::error::AppError;

/// The D1 binding name in wrangler.toml.
const DB: &str = "DB";

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TenantRow {
    pub(crate) id: String,
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
    pub(crate) allowed_origins: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CustomerRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: String,
    pub(crate) phone_e164: String,
    pub(crate) owner_name: Option<String>,
}

pub(crate) async fn tenant(env: &Env, tenant: &TenantId) -> Result<TenantRow, AppError> {
    let row = env
        .d1(DB)?
        .prepare("SELECT id, name_ja, name_en, allowed_origins FROM tenants WHERE id = ?1")
        .bind(&[JsValue::from_str(tenant.as_str())])?
        .first::<TenantRow>(None)
        .await?;
    row.ok_or(AppError::UnknownTenant)
}

pub(crate) async fn customers(env: &Env, tenant: &TenantId) -> Result<Vec<CustomerRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT c.id, c.name, c.company, c.phone_e164, a.display_name AS owner_name
             FROM customers c
             LEFT JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.owner_agent_id
             WHERE c.tenant_id = ?1
             ORDER BY c.id",
        )
        .bind(&[JsValue::from_str(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<CustomerRow>()?)
}
