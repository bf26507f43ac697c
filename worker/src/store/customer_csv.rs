//! D1 access for customer CSV files: every customer of a tenant (export, and the import's view
//! of what exists), and an import's writes as one transaction.

use tsunagu_admin::Customer;
use tsunagu_core::TenantId;
use worker::Env;

use super::{DB, admin::AdminCustomerRow, text};
use crate::error::AppError;

/// Customers per upsert statement at most. Each statement binds two values (D1 allows 100): the
/// tenant, and the rows as one JSON array that `json_each` unrolls, also cut at
/// `hub_directory::JSON_CHUNK_MAX_BYTES` (a row without attributes is at most about 2 KB, one
/// with 20 long attributes about 10 KB), under D1's 2 MB limit for one value; the SQL text
/// itself is a few hundred bytes.
pub(crate) const UPSERT_CHUNK_ROWS: usize = 500;

/// Every customer of the tenant, by id.
pub(crate) async fn all_customers(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<AdminCustomerRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id, name, company, phone_e164, owner_agent_id, attributes_json FROM customers
             WHERE tenant_id = ?1 ORDER BY id",
        )
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<AdminCustomerRow>()?)
}

const UPSERT: &str = "INSERT INTO customers
        (tenant_id, id, name, company, phone_e164, owner_agent_id, attributes_json)
     SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
            json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
     FROM json_each(?2) WHERE true
     ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, company = excluded.company,
        phone_e164 = excluded.phone_e164, owner_agent_id = excluded.owner_agent_id,
        attributes_json = excluded.attributes_json";

/// Creates or replaces `customers`, all or none: the chunks go to D1 as one batch, which D1 runs
/// as one transaction (a failing statement rolls back the others).
pub(crate) async fn upsert_customers(
    env: &Env,
    tenant: &TenantId,
    customers: &[Customer],
) -> Result<(), AppError> {
    if customers.is_empty() {
        return Ok(());
    }
    let db = env.d1(DB)?;
    let rows: Vec<serde_json::Value> = customers
        .iter()
        .map(|customer| {
            Ok(serde_json::json!([
                customer.id.as_str(),
                customer.name,
                customer.company,
                customer.phone,
                customer.owner.as_ref().map(|owner| owner.as_str()),
                attributes_json(customer)?,
            ]))
        })
        .collect::<Result<_, AppError>>()?;
    let mut statements = Vec::new();
    for chunk in super::hub_directory::json_chunks(&rows, UPSERT_CHUNK_ROWS)? {
        statements.push(
            db.prepare(UPSERT)
                .bind(&[text(tenant.as_str()), text(&chunk)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// A customer's attributes as `customers.attributes_json` stores them (a JSON object).
pub(crate) fn attributes_json(customer: &Customer) -> Result<String, AppError> {
    serde_json::to_string(&customer.attributes).map_err(|e| AppError::Internal(e.to_string()))
}
