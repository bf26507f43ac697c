//! `POST /api/routing/dry-run`: what a call from a number to one of the tenant's lines would do
//! now (or at a later time), and why, against the live roster — without ringing anyone or
//! writing anything.

use serde::Deserialize;
use serde_json::{Value, json};
use tsunagu_admin::RoutingSettings;
use tsunagu_auth::Permission;
use tsunagu_center::DryRun;
use tsunagu_core::{CallSid, Timestamp};
use tsunagu_phone::{PhoneNumber, Region};
use worker::{Env, Request, Response};

use crate::{
    auth,
    error::AppError,
    hub::{self, DryRunRequest},
    routes::admin,
    store, tenant_config, voice,
};

/// The most IVR keys a dry run presses (a menu asks at most 20 questions).
const MAX_MENU_KEYS: usize = tsunagu_ivr::MAX_PROMPTS_PER_CALL as usize;

/// A dry run may look at most this far ahead (a year): further, no roster means anything.
const MAX_AHEAD_MS: u64 = 366 * 24 * 60 * 60 * 1000;

#[derive(Deserialize)]
struct DryRunBody {
    /// The caller's number as a CRM shows it (`03-…`, `090…`, `+81…`); `anonymous` for a
    /// withheld number.
    from: String,
    /// The tenant's number that is called (a legacy line announces the new one); the main line
    /// when absent.
    #[serde(default)]
    to: Option<String>,
    /// When the call arrives, Unix ms; now when absent (and never earlier than now).
    #[serde(default)]
    at: Option<u64>,
    /// Routing settings to try instead of the saved ones (the body of `PUT /api/admin/routing`),
    /// validated the same way: a change previewed against the live roster before it is saved.
    #[serde(default)]
    routing: Option<Value>,
    /// Keys the caller presses in the line's IVR menu, one per question in turn (`"1"`, `"91"`);
    /// absent: the menu is skipped and the line's own routing shown.
    #[serde(default)]
    digits: Option<String>,
}

pub(crate) async fn dry_run(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::ReadRoutingAudit).await?;
    let body: DryRunBody = req.json().await.map_err(|_| {
        AppError::BadRequest(
            "expected a JSON body {\"from\": \"03-…\", \"to\"?: \"…\", \"at\"?: ms}",
        )
    })?;
    if body.from.len() > 64 || body.to.as_ref().is_some_and(|to| to.len() > 64) {
        return Err(AppError::BadRequest(
            "`from` and `to` are at most 64 characters",
        ));
    }
    if body.digits.as_ref().is_some_and(|digits| {
        digits.is_empty()
            || digits.chars().count() > MAX_MENU_KEYS
            || !digits
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
    }) {
        return Err(AppError::BadRequest(
            "`digits` are 1 to 20 phone keys (0-9, *, #)",
        ));
    }
    let called = match &body.to {
        Some(raw) => Some(
            PhoneNumber::parse(raw, Region::Jp)
                .map_err(|_| AppError::BadRequest("`to` is not a phone number"))?
                .as_e164()
                .to_owned(),
        ),
        None => None,
    };
    let now = crate::clock::now_ms();
    if body
        .at
        .is_some_and(|at| at > now.saturating_add(MAX_AHEAD_MS))
    {
        return Err(AppError::BadRequest("`at` is at most a year ahead"));
    }
    let row = store::tenant(env, &principal.tenant).await?;
    let config = tenant_config::from_row(&row)?;
    let preview = match &body.routing {
        Some(routing) => {
            let settings = RoutingSettings::validate(routing)?;
            Some(admin::with_routing(&mut row.clone(), &settings)?)
        }
        None => None,
    };
    // The clock times of the explanation follow the calendar the call is decided with.
    let calendar = preview.as_ref().unwrap_or(&config).hours.clone();
    // The call sid is the center's to choose (a dry run never meets a real call).
    let placeholder = CallSid::new("dry-run").map_err(|e| AppError::Internal(e.to_string()))?;
    let arrival = voice::caller_arrival(
        env,
        &principal.tenant,
        placeholder,
        &body.from,
        called.as_deref(),
    )
    .await;
    let caller = arrival.customer_number.clone();
    let customer = arrival.customer.as_ref().map(|card| card.id.to_string());
    // What a `branch_attribute` of the line's menu would branch on for this caller.
    let attributes = serde_json::to_value(&arrival.customer_attributes)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let requirements = serde_json::to_value(&arrival.requirements)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let result = hub::dry_run(
        env,
        &principal.tenant,
        &DryRunRequest {
            config: Some(config),
            at: body.at.map(Timestamp),
            arrival,
            preview,
            menu_keys: body.digits.clone(),
        },
    )
    .await?;
    let mut reply = reply(
        &result,
        caller.as_deref(),
        customer.as_deref(),
        calendar.utc_offset_minutes(result.at),
    );
    // What the line asks of routing (skills with levels, priority, relaxation), as decided with.
    reply["requirements"] = requirements;
    reply["customer_attributes"] = attributes;
    Ok(Response::from_json(&reply)?)
}

/// The dry run as the API shows it: the plan by name and in full, and each decision structured
/// and in words (Japanese at the tenant's UTC offset, English in UTC like the logs).
fn reply(
    result: &DryRun,
    caller: Option<&str>,
    customer: Option<&str>,
    utc_offset_minutes: i32,
) -> Value {
    let decisions: Vec<Value> = result
        .decisions
        .iter()
        .map(|explanation| {
            json!({
                "explanation": explanation,
                "ja": explanation.ja(utc_offset_minutes),
                "en": explanation.to_string(),
            })
        })
        .collect();
    json!({
        "at": result.at.0,
        "caller": caller,
        "customer": customer,
        "plan": result.plan.as_ref().map(tsunagu_center::CallPlan::name),
        "plan_detail": result.plan,
        "refused": result.refused,
        "decisions": decisions,
        "ivr_path": result.ivr_path,
    })
}
