//! The demo CRM page: a plausible customer list that embeds the widget with one script tag.
//!
//! It stands in for a customer's CRM. It knows nothing about the widget beyond the documented
//! `<script src=".../embed.js" data-tenant="..." async>` tag and the host API (`Tsunagu.init`,
//! `Tsunagu.on`, `Tsunagu.setPresence`), which its inline script uses like a CRM would.

use std::collections::BTreeSet;

use serde::Deserialize;
use tsunagu_auth::{EmbedClaims, Role, mint_embed_token};
use tsunagu_core::{AgentId, TeamId, TenantId};
use worker::{Env, Headers, Request, Response};

use super::html_escape;
use crate::{
    clock,
    error::AppError,
    secrets::{self, TenantSecret},
    store,
};

const DEMO_TENANT: &str = "demo";

/// The demo tenant's agents (worker/seed/demo.sql), for the agent picker.
const DEMO_AGENTS: [(&str, &str, &str); 6] = [
    ("sato", "佐藤 花子", "営業一課 / Sales 1"),
    ("suzuki", "鈴木 一郎", "営業一課 / Sales 1"),
    ("takahashi", "高橋 美咲", "営業一課 / Sales 1"),
    ("tanaka", "田中 健太", "カスタマーサポート / Support"),
    ("ito", "伊藤 さくら", "カスタマーサポート / Support"),
    ("watanabe", "渡辺 大輔", "カスタマーサポート / Support"),
];

/// The demo CRM's own script: signs in through its "backend" (`/demo/embed-token`) and logs
/// every host API event. Inline on purpose: it is the CRM's page, not the widget's.
const DEMO_SCRIPT: &str = r#"
(function () {
  var log = document.getElementById('tsunagu-log');
  function record(type, detail) {
    var line = document.createElement('li');
    line.setAttribute('data-event', type);
    line.setAttribute('data-detail', JSON.stringify(detail));
    line.textContent = new Date().toLocaleTimeString() + '  ' + type + '  ' + JSON.stringify(detail);
    log.insertBefore(line, log.firstChild);
  }
  function start() {
    ['ready', 'signed-in', 'signed-out', 'presence', 'ring', 'accepted', 'ended', 'error'].forEach(function (type) {
      Tsunagu.on(type, function (detail) { record(type, detail); });
    });
    var button = document.getElementById('sign-in');
    button.disabled = false;
    button.addEventListener('click', function () {
      var agent = document.getElementById('agent').value;
      button.disabled = true;
      document.getElementById('agent').disabled = true;
      Tsunagu.init({
        tenant: 'demo',
        getEmbedToken: function () {
          return fetch('/demo/embed-token', {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ agent: agent })
          }).then(function (r) { return r.json(); }).then(function (j) { return j.embed_token; });
        }
      });
    });
    document.querySelectorAll('[data-presence]').forEach(function (b) {
      b.addEventListener('click', function () {
        var value = b.getAttribute('data-presence');
        Tsunagu.setPresence(value.indexOf('away:') === 0 ? { away: value.slice(5) } : value);
      });
    });
  }
  if (window.Tsunagu) start(); else window.addEventListener('tsunagu:loaded', start, { once: true });
})();
"#;

/// Embed tokens the demo CRM signs live five minutes, like a real CRM's should.
const DEMO_EMBED_TOKEN_SECS: u64 = 300;

#[derive(Deserialize)]
struct EmbedTokenRequest {
    agent: String,
}

/// `POST /demo/embed-token`: the demo CRM's *backend*, signing an embed token for one of the demo
/// tenant's agents with the tenant's embed secret, exactly as a CRM vendor's server would. Only
/// when `DEMO_MODE` is `"true"` (set in `.dev.vars`, never in production).
pub(crate) async fn embed_token(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let enabled = env.var("DEMO_MODE").is_ok_and(|v| v.to_string() == "true")
        || env
            .secret("DEMO_MODE")
            .is_ok_and(|v| v.to_string() == "true");
    if !enabled {
        return Err(AppError::NotFound);
    }
    let body: EmbedTokenRequest = req
        .json()
        .await
        .map_err(|_| AppError::BadRequest("expected a JSON body {\"agent\": \"…\"}"))?;
    let tenant = TenantId::new(DEMO_TENANT).map_err(|e| AppError::Internal(e.to_string()))?;
    let row = store::agent(env, &tenant, &body.agent)
        .await?
        .ok_or(AppError::BadRequest("no such demo agent"))?;
    let secret = secrets::tenant_secret(env, &tenant, TenantSecret::EmbedSecret).ok_or(
        AppError::NotConfigured("the demo tenant has no embed secret"),
    )?;
    let now = clock::now_unix();
    let roles: BTreeSet<Role> = row
        .roles
        .split_whitespace()
        .filter_map(Role::from_name)
        .collect();
    let claims = EmbedClaims {
        tenant,
        agent: AgentId::new(row.id).map_err(|e| AppError::Internal(e.to_string()))?,
        name: row.display_name,
        team: row.team_id.and_then(|t| TeamId::new(t).ok()),
        roles,
        issued_at: now,
        expires_at: now + DEMO_EMBED_TOKEN_SECS,
    };
    let token = mint_embed_token(&claims, secret.as_bytes())?;
    Ok(Response::from_json(
        &serde_json::json!({ "embed_token": token }),
    )?)
}

pub(crate) async fn page(req: &Request, env: &Env) -> Result<Response, AppError> {
    let tenant = TenantId::new(DEMO_TENANT).map_err(|e| AppError::Internal(e.to_string()))?;
    let row = store::tenant(env, &tenant).await?;
    let customers = store::customers(env, &tenant).await?;
    let origin = req.url()?.origin().ascii_serialization();

    let mut agents = String::new();
    for (id, name, team) in DEMO_AGENTS {
        agents.push_str(&format!(
            "<option value=\"{id}\">{name} — {team} ({id})</option>",
            id = html_escape(id),
            name = html_escape(name),
            team = html_escape(team),
        ));
    }

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
  #crm-phone {{ background: #fff; padding: 12px 16px; margin-bottom: 16px; border: 1px solid #e3e5e8; }}
  #crm-phone label, #crm-phone button {{ margin-right: 8px; }}
  #tsunagu-log {{ font: 12px/1.4 ui-monospace, monospace; max-height: 160px; overflow: auto; padding-left: 16px; }}
  /* Hostile CRM CSS on purpose: the widget must look the same regardless. */
  div {{ font-size: 11px !important; color: #c00; }}
</style>
</head>
<body>
<header><strong>{name_ja} CRM</strong><small>{name_en} — demo customer records</small></header>
<main>
<section id="crm-phone" aria-label="電話 / Phone">
<label>担当者 / Agent <select id="agent">{agents}</select></label>
<button id="sign-in" type="button" disabled>サインイン / Sign in</button>
<button type="button" data-presence="available">受付可 / Available</button>
<button type="button" data-presence="away:break">休憩 / Break</button>
<button type="button" data-presence="offline">オフライン / Offline</button>
<h2>Tsunagu イベント <small>host API events</small></h2>
<ol id="tsunagu-log" reversed></ol>
</section>
<h1>顧客一覧 <small>Customers</small></h1>
<table id="customers">
<thead><tr><th>顧客名<small>Name</small></th><th>会社<small>Company</small></th><th>電話番号<small>Phone</small></th><th>担当者<small>Owner</small></th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</main>
<script src="{origin}/embed.js" data-tenant="{tenant}" async></script>
<script>{DEMO_SCRIPT}</script>
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
