//! D1 access for IVR menus per phone line (`line_ivr_menus`, migration 0010): the menu JSON as
//! the admin API validated it. A menu belongs to a line of the same tenant and goes with it.

use tsunagu_core::TenantId;
use worker::Env;

use super::{DB, millis, text};
use crate::error::AppError;

#[derive(serde::Deserialize)]
struct MenuRow {
    menu_json: String,
}

/// The menu of the tenant's line `e164`, as stored (valid JSON of a validated menu).
pub(crate) async fn line_menu(
    env: &Env,
    tenant: &TenantId,
    e164: &str,
) -> Result<Option<String>, AppError> {
    let row = env
        .d1(DB)?
        .prepare("SELECT menu_json FROM line_ivr_menus WHERE e164 = ?1 AND tenant_id = ?2")
        .bind(&[text(e164), text(tenant.as_str())])?
        .first::<MenuRow>(None)
        .await?;
    Ok(row.map(|row| row.menu_json))
}

/// Sets the menu of the tenant's line `e164`; `false` when the tenant has no such line.
pub(crate) async fn put_line_menu(
    env: &Env,
    tenant: &TenantId,
    e164: &str,
    menu_json: &str,
    now_ms: u64,
) -> Result<bool, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "INSERT INTO line_ivr_menus (e164, tenant_id, menu_json, updated_at)
             SELECT e164, tenant_id, ?3, ?4 FROM phone_lines WHERE e164 = ?1 AND tenant_id = ?2
             ON CONFLICT (e164) DO UPDATE SET menu_json = excluded.menu_json,
                                              updated_at = excluded.updated_at",
        )
        .bind(&[
            text(e164),
            text(tenant.as_str()),
            text(menu_json),
            millis(now_ms),
        ])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0)
}

/// Removes the menu of the tenant's line `e164`; `false` when it had none.
pub(crate) async fn delete_line_menu(
    env: &Env,
    tenant: &TenantId,
    e164: &str,
) -> Result<bool, AppError> {
    let result = env
        .d1(DB)?
        .prepare("DELETE FROM line_ivr_menus WHERE e164 = ?1 AND tenant_id = ?2")
        .bind(&[text(e164), text(tenant.as_str())])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0)
}
