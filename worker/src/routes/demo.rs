//! The demo CRM page: a plausible customer list that embeds the widget with one script tag.
//!
//! It stands in for a customer's CRM. It deliberately knows nothing about the widget beyond the
//! documented `<script src=".../embed.js" data-tenant="..." async>` tag.

use tsunagu_core::TenantId;
use worker::{Env, Headers, Request, Response};

use super::html_escape;
use crate::{error::AppError, store};

const DEMO_TENANT: &str = "demo";

pub(crate) async fn page(req: &Request, env: &Env) -> Result<Response, AppError> {
    let tenant = TenantId::new(DEMO_TENANT).map_err(|e| AppError::Internal(e.to_string()))?;
    let row = store::tenant(env, &tenant).await?;
    let customers = store::customers(env, &tenant).await?;
    let origin = req.url()?.origin().ascii_serialization();

    let mut rows = String::new();
    for customer in &customers {
        rows.push_str(&format!(
            r#"<tr data-customer-id="{id}"><td>{name}</td><td>{company}</td><td class="phone"><a href="tel:{phone}">{phone}</a></td><td>{owner}</td></tr>
"#,
            id = html_escape(&customer.id),
            name = html_escape(&customer.name),
            company = html_escape(&customer.company),
            phone = html_escape(&customer.phone_e164),
            owner = html_escape(customer.owner_name.as_deref().unwrap_or("—")),
        ));
    }

    let html = format!(
        r#"<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>顧客一覧 — {name_ja} CRM (demo)</title>
<style>
  body {{ font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 0; background: #f4f5f7; color: #222; }}
  header {{ background: #1d3557; color: #fff; padding: 12px 24px; }}
  header small {{ opacity: .8; margin-left: 8px; }}
  main {{ padding: 24px; max-width: 960px; }}
  table {{ border-collapse: collapse; width: 100%; background: #fff; }}
  th, td {{ padding: 8px 12px; border-bottom: 1px solid #e3e5e8; text-align: left; }}
  th small {{ display: block; font-weight: normal; color: #666; }}
  /* Hostile CRM CSS on purpose: the widget must look the same regardless. */
  div {{ font-size: 11px !important; color: #c00; }}
</style>
</head>
<body>
<header><strong>{name_ja} CRM</strong><small>{name_en} — demo customer records</small></header>
<main>
<h1>顧客一覧 <small>Customers</small></h1>
<table id="customers">
<thead><tr><th>顧客名<small>Name</small></th><th>会社<small>Company</small></th><th>電話番号<small>Phone</small></th><th>担当者<small>Owner</small></th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</main>
<script src="{origin}/embed.js" data-tenant="{tenant}" async></script>
</body>
</html>
"#,
        name_ja = html_escape(&row.name_ja),
        name_en = html_escape(&row.name_en),
        origin = html_escape(&origin),
        tenant = html_escape(tenant.as_str()),
    );
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Response::from_html(html)?.with_headers(headers))
}
