//! D1 access for the names a page of the call log shows beside its ids: the agents' display
//! names and the customers' names, in one query for the whole page.

use serde::Deserialize;
use tsunagu_core::TenantId;
use worker::Env;

use super::{DB, text};
use crate::error::AppError;

/// An agent's display name (`kind` = `agent`) or a customer's name (`customer`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NameRow {
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) name: String,
}

/// The names of the tenant's agents and customers among `agents_json` and `customers_json`
/// (JSON arrays of ids); ids the directory does not list are simply not in the answer.
pub(crate) async fn names(
    env: &Env,
    tenant: &TenantId,
    agents_json: &str,
    customers_json: &str,
) -> Result<Vec<NameRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT 'agent' AS kind, id, display_name AS name FROM agents
              WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))
             UNION ALL
             SELECT 'customer' AS kind, id, name FROM customers
              WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?3))",
        )
        .bind(&[
            text(tenant.as_str()),
            text(agents_json),
            text(customers_json),
        ])?
        .all()
        .await?;
    Ok(result.results::<NameRow>()?)
}
