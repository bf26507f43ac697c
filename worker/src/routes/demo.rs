//! The demo CRM page: a plausible customer list that embeds the widget with one script tag.
//!
//! It stands in for a customer's CRM. It knows nothing about the widget beyond the documented
//! `<script src=".../embed.js" data-tenant="..." async>` tag and the host API (`Tsunagu.init`,
//! `Tsunagu.on`, `Tsunagu.setPresence`), which its inline script uses like a CRM would.

use std::collections::BTreeSet;

use serde::Deserialize;
use tsunagu_auth::{EmbedClaims, Role, mint_embed_token};
use tsunagu_core::{AgentId, TeamId, TenantId};
use tsunagu_phone::{PhoneNumber, Region};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response};

use super::html_escape;
use crate::{clock, error::AppError, secrets, store};

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
    ['ready', 'signed-in', 'signed-out', 'presence', 'ring', 'dialing', 'dial_cancelled', 'accepted', 'hold', 'resumed', 'ended', 'wrap_up', 'notification', 'error'].forEach(function (type) {
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
    document.getElementById('notify').addEventListener('click', function () {
      Tsunagu.enableNotifications().then(function (permission) { record('notifications', { permission: permission }); });
    });
    // Click-to-call: the CRM's phone links dial through the widget (the agent must be signed in).
    document.getElementById('customers').addEventListener('click', function (e) {
      var link = e.target.closest('a[href^="tel:"]');
      if (!link) return;
      e.preventDefault();
      var row = link.closest('[data-customer-id]');
      Tsunagu.dial(link.getAttribute('href').slice(4), { customerId: row ? row.getAttribute('data-customer-id') : undefined });
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

/// Whether the demo helpers are switched on (`DEMO_MODE` in `.dev.vars`; never in production).
fn demo_mode(env: &Env) -> bool {
    env.var("DEMO_MODE").is_ok_and(|v| v.to_string() == "true")
        || env
            .secret("DEMO_MODE")
            .is_ok_and(|v| v.to_string() == "true")
}

/// The Twilio test double's base URL, when the worker is pointed at one (demo and tests).
fn double_base(env: &Env) -> Option<String> {
    let is_double = env
        .var("VOICE_BACKEND")
        .is_ok_and(|v| v.to_string() == "double");
    let base = env.var("TWILIO_API_BASE").ok()?.to_string();
    is_double.then(|| base.trim_end_matches('/').to_owned())
}

#[derive(Deserialize)]
struct SimulatedCall {
    /// Any common spelling of a phone number (03-5555-0101, 090…, +81…).
    from: String,
}

/// `POST /demo/simulate-call`: the demo page's simulated caller. Asks the Twilio test double to
/// place an inbound call from `from` to the tenant's main line; the double then plays Twilio
/// (signed webhooks, TwiML, callbacks) exactly as in production. Demo mode with the double only.
pub(crate) async fn simulate_call(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let (true, Some(base)) = (demo_mode(env), double_base(env)) else {
        return Err(AppError::NotFound);
    };
    let body: SimulatedCall = req
        .json()
        .await
        .map_err(|_| AppError::BadRequest("expected a JSON body {\"from\": \"…\"}"))?;
    let from = PhoneNumber::parse(&body.from, Region::Jp)
        .map_err(|_| AppError::BadRequest("`from` is not a valid phone number"))?;
    let tenant = TenantId::new(DEMO_TENANT).map_err(|e| AppError::Internal(e.to_string()))?;
    let to = store::main_line(env, &tenant)
        .await?
        .ok_or(AppError::NotConfigured("the demo tenant has no main line"))?;
    let payload = serde_json::json!({ "from": from.as_e164(), "to": to }).to_string();
    let reply = double_request(
        &format!("{base}/_double/calls"),
        Method::Post,
        Some(payload),
    )
    .await?;
    Ok(Response::from_json(&reply)?)
}

/// `GET /demo/simulate-call?sid=…`: what the simulated caller has heard so far, and the call's status.
pub(crate) async fn simulated_call(req: Request, env: &Env) -> Result<Response, AppError> {
    let (true, Some(base)) = (demo_mode(env), double_base(env)) else {
        return Err(AppError::NotFound);
    };
    let sid = sid_param(&req)?;
    let state = double_request(&format!("{base}/_double/calls/{sid}"), Method::Get, None).await?;
    let heard: Vec<&str> = state["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|event| event["kind"] == "say")
        .filter_map(|event| event["text"].as_str())
        .collect();
    Ok(Response::from_json(&serde_json::json!({
        "call_sid": sid,
        "status": state["status"],
        "heard": heard,
    }))?)
}

/// `POST /demo/simulate-call/hangup?sid=…`: the simulated caller hangs up.
pub(crate) async fn simulated_hangup(req: Request, env: &Env) -> Result<Response, AppError> {
    let (true, Some(base)) = (demo_mode(env), double_base(env)) else {
        return Err(AppError::NotFound);
    };
    let sid = sid_param(&req)?;
    double_request(
        &format!("{base}/_double/calls/{sid}/hangup"),
        Method::Post,
        None,
    )
    .await?;
    Ok(Response::from_json(
        &serde_json::json!({ "call_sid": sid }),
    )?)
}

fn sid_param(req: &Request) -> Result<String, AppError> {
    let url = req.url()?;
    url.query_pairs()
        .find(|(name, _)| name == "sid")
        .map(|(_, value)| value.into_owned())
        .filter(|sid| sid.len() <= 64 && sid.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or(AppError::BadRequest("missing or invalid `sid`"))
}

async fn double_request(
    url: &str,
    method: Method,
    body: Option<String>,
) -> Result<serde_json::Value, AppError> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let mut response = Fetch::Request(Request::new_with_init(url, &init)?)
        .send()
        .await?;
    if !(200..300).contains(&response.status_code()) {
        return Err(AppError::Internal(format!(
            "the Twilio double answered {}",
            response.status_code()
        )));
    }
    Ok(response.json().await?)
}

/// The simulated-caller panel: places a call through the double and shows what the caller hears.
const SIMULATOR_SCRIPT: &str = r#"
(function () {
  var call = document.getElementById('sim-call'), hangup = document.getElementById('sim-hangup');
  var status = document.getElementById('sim-status'), heard = document.getElementById('sim-heard');
  var sid = null, timer = null;
  function show(text) { status.textContent = text; }
  function poll() {
    var polled = sid;
    if (!polled) return;
    fetch('/demo/simulate-call?sid=' + polled).then(function (r) { return r.json(); }).then(function (j) {
      // A reply about the previous call, in flight when this one started, must not stop its polling.
      if (polled !== sid) return;
      heard.innerHTML = '';
      (j.heard || []).forEach(function (t) { var li = document.createElement('li'); li.textContent = t; heard.appendChild(li); });
      show('通話 ' + sid + ': ' + j.status);
      if (j.status === 'completed' || j.status === 'canceled' || j.status === 'failed') { clearInterval(timer); hangup.disabled = true; }
    });
  }
  call.addEventListener('click', function () {
    var from = document.getElementById('sim-number').value || document.getElementById('sim-from').value;
    if (!from) { show('番号を入力してください / Enter a number'); return; }
    fetch('/demo/simulate-call', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: from }) })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (!res[0]) { show(res[1].message || 'error'); return; }
        sid = res[1].call_sid; hangup.disabled = false; show('発信しました / Calling: ' + sid);
        clearInterval(timer); timer = setInterval(poll, 1000);
      });
  });
  hangup.addEventListener('click', function () {
    if (sid) fetch('/demo/simulate-call/hangup?sid=' + sid, { method: 'POST' }).then(poll);
  });
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
    if !demo_mode(env) {
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
    let secret = secrets::current(env, &tenant, tsunagu_secrets::SecretName::EmbedSecret)
        .await?
        .ok_or(AppError::NotConfigured(
            "the demo tenant has no embed secret",
        ))?;
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
        // A CRM names each login's token uniquely; so does the demo (tokens are single-use).
        token_id: crate::random::hex_id()?,
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
    let mut callers = String::new();
    for customer in &customers {
        callers.push_str(&format!(
            r#"<option value="{phone}">{name} ({phone})</option>"#,
            name = html_escape(&customer.name),
            phone = html_escape(&customer.phone_e164),
        ));
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
  header {{ background: #1d3557; color: #fff; padding: 12px 24px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; }}
  header small {{ opacity: .8; }}
  header a {{ color: #fff; margin-left: auto; }}
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
<header><strong>{name_ja} CRM</strong><small>{name_en} — demo customer records</small>
<a id="call-us" href="/call/{tenant}" target="_blank" rel="noopener">お客様用 Web通話ページ / Customer "call us" page (WebRTC)</a></header>
<main>
<section id="crm-phone" aria-label="電話 / Phone">
<label>担当者 / Agent <select id="agent">{agents}</select></label>
<button id="sign-in" type="button" disabled>サインイン / Sign in</button>
<button type="button" data-presence="available">受付可 / Available</button>
<button type="button" data-presence="away:break">休憩 / Break</button>
<button type="button" data-presence="offline">オフライン / Offline</button>
<button id="notify" type="button">着信通知を許可 / Allow call notifications</button>
<h2>模擬発信 <small>Simulated caller (Twilio test double)</small></h2>
<label>お客様 / Customer <select id="sim-from">{callers}<option value="">番号を入力 / type a number</option></select></label>
<input id="sim-number" type="tel" placeholder="03-1234-5678" aria-label="発信元番号 / Caller number">
<button id="sim-call" type="button">発信 / Call</button>
<button id="sim-hangup" type="button" disabled>切断 / Hang up</button>
<p id="sim-status" role="status" aria-live="polite"></p>
<ol id="sim-heard"></ol>
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
<script>{SIMULATOR_SCRIPT}</script>
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
