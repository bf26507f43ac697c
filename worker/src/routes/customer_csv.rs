//! Customer CSV files through the admin API: `POST /api/admin/customers/import` (dry run or
//! all-or-nothing import) and `GET /api/admin/customers/export`.
//!
//! The domain (`tsunagu_admin::customer_csv`) decodes, maps the header, validates every row and
//! plans the writes against the tenant's customers and agents, read here from D1; this module
//! only decodes the request, loads, and stores the plan in one D1 transaction. Customers live
//! only in D1 (calls look the caller up there), so no other copy needs refreshing.

use serde::{Deserialize, Serialize};
use tsunagu_admin::{
    Customer, ErrorCode, Invalid,
    customer_csv::{self, AgentRef, Charset, ImportReport},
};
use tsunagu_auth::Permission;
use tsunagu_core::{AgentId, CustomerId};
use worker::{Env, Headers, Request, Response};

use crate::{auth, error::AppError, hub, log, store, store::hub_directory::DirectoryChange};

/// `POST` a CSV file here (`?dry_run=true` to only check it).
pub(crate) const IMPORT_PATH: &str = "/api/admin/customers/import";
/// `GET` the tenant's customers as a CSV file (`?charset=utf-8|shift_jis`).
pub(crate) const EXPORT_PATH: &str = "/api/admin/customers/export";

#[derive(Deserialize)]
struct CsvQuery {
    dry_run: Option<String>,
    charset: Option<String>,
}

fn query(req: &Request) -> Result<CsvQuery, AppError> {
    req.query()
        .map_err(|_| AppError::BadRequest("malformed query string"))
}

fn charset(label: &str) -> Result<Charset, AppError> {
    Charset::from_label(label).map_err(|code| AppError::Invalid(Invalid::one("charset", code)))
}

/// The charset the client names: `?charset=`, else the `charset` parameter of `Content-Type`;
/// `None` lets the domain detect it.
fn declared_charset(req: &Request, query: &CsvQuery) -> Result<Option<Charset>, AppError> {
    if let Some(label) = &query.charset {
        return charset(label).map(Some);
    }
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    content_type
        .split(';')
        .skip(1)
        .filter_map(|parameter| parameter.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, label)| charset(label))
        .transpose()
}

fn dry_run(query: &CsvQuery) -> Result<bool, AppError> {
    match query.dry_run.as_deref() {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1" | "") => Ok(true),
        Some(_) => Err(AppError::Invalid(Invalid::one(
            "dry_run",
            ErrorCode::NotBoolean,
        ))),
    }
}

/// A stored row as the domain's customer; rows written before validation existed and no
/// longer valid are left out (an import cannot match them by id anyway).
fn stored_customer(row: store::admin::AdminCustomerRow) -> Option<Customer> {
    Some(Customer {
        id: CustomerId::new(row.id).ok()?,
        name: row.name,
        company: row.company,
        phone: row.phone_e164,
        owner: row
            .owner_agent_id
            .and_then(|owner| AgentId::new(owner).ok()),
        attributes: tsunagu_center::customer_attributes(&row.attributes_json),
    })
}

async fn stored_customers(
    env: &Env,
    principal: &auth::Principal,
) -> Result<Vec<Customer>, AppError> {
    Ok(store::customer_csv::all_customers(env, &principal.tenant)
        .await?
        .into_iter()
        .filter_map(stored_customer)
        .collect())
}

#[derive(Serialize)]
struct ImportReply<'a> {
    dry_run: bool,
    /// Whether the customers were stored (never on a dry run, never with bad rows).
    written: bool,
    #[serde(flatten)]
    report: &'a ImportReport,
}

/// `POST /api/admin/customers/import?dry_run=`: the file's report; unless a dry run, its
/// customers created or replaced in one transaction. Any bad row: 422 with the same report,
/// and nothing written.
pub(crate) async fn import(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::WriteDirectory).await?;
    let query = query(&req)?;
    let dry_run = dry_run(&query)?;
    let declared = declared_charset(&req, &query)?;
    let bytes = req.bytes().await?;
    let existing = stored_customers(env, &principal).await?;
    let agents: Vec<AgentRef> = store::admin::agents(env, &principal.tenant)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(AgentRef {
                id: AgentId::new(row.id).ok()?,
                display_name: row.display_name,
            })
        })
        .collect();
    let plan = customer_csv::plan_import(&bytes, declared, &existing, &agents)?;
    if !dry_run {
        if !plan.report.errors.is_empty() {
            return Err(AppError::RowsInvalid(Box::new(plan.report)));
        }
        store::customer_csv::upsert_customers(env, &principal.tenant, &plan.writes).await?;
        log::info(
            "admin.customers_imported",
            &[
                ("tenant", principal.tenant.as_str().into()),
                ("by", principal.actor.as_str().into()),
                ("rows", plan.report.rows.into()),
                ("created", plan.report.created.len().into()),
                ("updated", plan.report.updated.len().into()),
            ],
        );
        let ids = (plan.report.created.iter())
            .chain(&plan.report.updated)
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        if !ids.is_empty() {
            let change = DirectoryChange::Customers { ids };
            hub::directory_changed(env, &principal.tenant, change).await;
        }
    }
    Ok(Response::from_json(&ImportReply {
        dry_run,
        written: !dry_run,
        report: &plan.report,
    })?)
}

/// `GET /api/admin/customers/export?charset=`: every customer, by id, as a CSV file (UTF-8 with
/// a BOM unless `shift_jis` is asked for).
pub(crate) async fn export(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::ReadDirectory).await?;
    let charset = match query(&req)?.charset {
        Some(label) => charset(&label)?,
        None => Charset::Utf8,
    };
    let customers = stored_customers(env, &principal).await?;
    let bytes = customer_csv::export(&customers, charset)?;
    let headers = Headers::new();
    headers.set(
        "Content-Type",
        &format!("text/csv; charset={}", charset.as_str()),
    )?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"customers.csv\"",
    )?;
    Ok(Response::from_bytes(bytes)?.with_headers(headers))
}
