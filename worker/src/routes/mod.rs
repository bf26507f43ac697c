//! HTTP handlers, one module per area; each decodes, calls the domain or the store, and encodes.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod api_keys;
pub(crate) mod assets;
pub(crate) mod auth;
pub(crate) mod calllog;
pub(crate) mod calls;
pub(crate) mod customer_csv;
pub(crate) mod demo;
pub(crate) mod directory;
pub(crate) mod ivr;
pub(crate) mod lines;
pub(crate) mod openapi;
pub(crate) mod operator;
pub(crate) mod push;
pub(crate) mod queues;
pub(crate) mod routing;
pub(crate) mod secrets;
pub(crate) mod sessions;
pub(crate) mod socket;
pub(crate) mod twilio;
pub(crate) mod webcall;
pub(crate) mod webhooks;

use serde::Deserialize;
use tsunagu_core::TenantId;
use worker::Request;

use crate::error::AppError;

#[derive(Deserialize)]
struct TenantQuery {
    tenant: Option<String>,
}

/// The `tenant` query parameter, validated.
fn tenant_param(req: &Request) -> Result<TenantId, AppError> {
    let query: TenantQuery = req
        .query()
        .map_err(|_| AppError::BadRequest("malformed query string"))?;
    let raw = query
        .tenant
        .ok_or(AppError::BadRequest("missing `tenant` parameter"))?;
    TenantId::new(raw).map_err(|_| AppError::BadRequest("invalid `tenant` parameter"))
}

/// Escapes text for HTML element content and double-quoted attribute values.
fn html_escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
