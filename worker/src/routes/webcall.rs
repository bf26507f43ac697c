//! Web calls: the customer's "call us" page (`/call/<tenant>` and its script), its WebSocket into the tenant's hub, and the ICE servers.
//!
//! The page is public and holds no secret: it opens `GET /api/webcall/socket?tenant=…` (handed to
//! the tenant's `PresenceHub`, which routes the call with the tenant's ladder), asks for the
//! microphone and, once an agent answers, sets up an `RTCPeerConnection` whose signalling goes
//! over that socket. Audio flows peer to peer between the page and the agent's widget. The STUN
//! and TURN servers both peers use are configuration (`WEBRTC_ICE_SERVERS` in wrangler.toml), plus
//! a TURN server with credentials minted per request (`WEBRTC_TURN_URLS` and the secret
//! `WEBRTC_TURN_SECRET`): the list is public, so a fixed TURN password must never be in it.

use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;
use tsunagu_protocol::{PROTOCOL_VERSION, WEBCALL_SOCKET_PATH};
use worker::{Env, Headers, Request, Response};

use super::{html_escape, socket};
use crate::{clock, error::AppError, log, store};

/// `/call/<tenant>`: the customer page.
pub(crate) const PAGE_PREFIX: &str = "/call/";
/// The page's script (a file of its own: the page's CSP allows no inline script).
pub(crate) const SCRIPT_PATH: &str = "/webcall.js";
/// The ICE servers as JSON, for the agent's widget.
pub(crate) const ICE_PATH: &str = "/api/webcall/ice";

const SCRIPT: &str = include_str!("webcall.js");

/// The variable holding the ICE servers: a JSON array of `RTCIceServer`s
/// (`[{"urls": "stun:…"}, {"urls": ["turn:…"], "username": "…", "credential": "…"}]`).
const ICE_SERVERS_VAR: &str = "WEBRTC_ICE_SERVERS";

/// A TURN server that checks time-limited credentials (coturn's `use-auth-secret`): its
/// `turn:`/`turns:` URLs, comma-separated; the secret it shares with the worker; and how long a
/// minted credential lasts (seconds).
const TURN_URLS_VAR: &str = "WEBRTC_TURN_URLS";
const TURN_SECRET: &str = "WEBRTC_TURN_SECRET";
const TURN_TTL_VAR: &str = "WEBRTC_TURN_TTL_SECS";

/// Four hours: longer than any call (a TURN allocation's refreshes are signed with the same
/// username, so the credential must outlive the call), short enough that a copied one is dead
/// by the evening.
const DEFAULT_TURN_TTL_SECS: u64 = 4 * 60 * 60;

/// Who the minted credentials name, in the TURN server's logs.
const TURN_IDENTITY: &str = "tsunagu-webcall";

/// One STUN or TURN server, in the shape `RTCPeerConnection` takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IceServer {
    urls: Urls,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credential: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Urls {
    One(String),
    Many(Vec<String>),
}

impl IceServer {
    fn is_valid(&self) -> bool {
        let ice = |url: &String| {
            ["stun:", "stuns:", "turn:", "turns:"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        };
        match &self.urls {
            Urls::One(url) => ice(url),
            Urls::Many(urls) => !urls.is_empty() && urls.iter().all(ice),
        }
    }
}

/// The configured ICE servers, then the time-limited TURN server if one is configured; none
/// (host candidates only, enough on one machine or LAN) when neither is.
fn ice_servers(env: &Env) -> Vec<IceServer> {
    let mut servers = static_ice_servers(env);
    servers.extend(turn_server(env));
    servers
}

/// `WEBRTC_ICE_SERVERS`; none with a warning when it is not a valid list.
fn static_ice_servers(env: &Env) -> Vec<IceServer> {
    let Ok(raw) = env.var(ICE_SERVERS_VAR).map(|v| v.to_string()) else {
        return Vec::new();
    };
    if raw.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Vec<IceServer>>(&raw) {
        Ok(servers) if servers.iter().all(IceServer::is_valid) => servers,
        _ => {
            log::warn(
                "webcall.bad_ice_servers",
                &[(
                    "detail",
                    "WEBRTC_ICE_SERVERS is not a list of RTCIceServer".into(),
                )],
            );
            Vec::new()
        }
    }
}

/// The TURN server of `WEBRTC_TURN_URLS` with a credential minted now; `None` when it is not
/// configured, and `None` with a warning when it is configured wrongly (no secret, a short one,
/// a URL that is not TURN): web calls then go without TURN rather than fail.
fn turn_server(env: &Env) -> Option<IceServer> {
    let urls: Vec<String> = env
        .var(TURN_URLS_VAR)
        .ok()?
        .to_string()
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_owned)
        .collect();
    if urls.is_empty() {
        return None;
    }
    let warn = |detail: &str| {
        log::warn("webcall.bad_turn_config", &[("detail", detail.into())]);
    };
    if !urls
        .iter()
        .all(|url| url.starts_with("turn:") || url.starts_with("turns:"))
    {
        warn("WEBRTC_TURN_URLS holds a URL that is not turn: or turns:");
        return None;
    }
    let Ok(secret) = env.secret(TURN_SECRET).map(|s| s.to_string()) else {
        warn("WEBRTC_TURN_URLS is set but the secret WEBRTC_TURN_SECRET is not");
        return None;
    };
    let ttl = env
        .var(TURN_TTL_VAR)
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_TURN_TTL_SECS);
    match tsunagu_auth::mint_turn_credential(
        secret.as_bytes(),
        clock::now_unix(),
        ttl,
        TURN_IDENTITY,
    ) {
        Ok(minted) => Some(IceServer {
            urls: Urls::Many(urls),
            username: Some(minted.username),
            credential: Some(minted.credential),
        }),
        Err(err) => {
            warn(&err.to_string());
            None
        }
    }
}

/// `GET /api/webcall/ice`: `{"ice_servers": […]}`. Public like the customer page that embeds
/// the same list, which is why TURN credentials in it are minted per request and expire.
pub(crate) fn ice(env: &Env) -> Result<Response, AppError> {
    let headers = Headers::new();
    headers.set("Cache-Control", "no-store")?;
    Ok(
        Response::from_json(&serde_json::json!({ "ice_servers": ice_servers(env) }))?
            .with_headers(headers),
    )
}

/// `GET /api/webcall/socket?tenant=…`: the customer page's socket, handed to the tenant's hub.
/// Browsers send the page's origin: only pages of this worker may open it.
pub(crate) async fn socket(req: Request, env: &Env) -> Result<Response, AppError> {
    let own = req.url()?.origin().ascii_serialization();
    if let Some(origin) = req.headers().get("Origin")?
        && origin != own
    {
        return Err(AppError::Forbidden(
            "web calls are placed from this service's own call page",
        ));
    }
    socket::upgrade_into_hub(&req, env, "/connect-caller").await
}

/// `GET /webcall.js`: the customer page's script.
pub(crate) fn script() -> Result<Response, AppError> {
    let headers = Headers::new();
    headers.set("Content-Type", "text/javascript; charset=utf-8")?;
    headers.set("Cache-Control", "public, max-age=300")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(Response::ok(SCRIPT)?.with_headers(headers))
}

/// What the page's script needs, embedded as JSON.
#[derive(Serialize)]
struct PageConfig<'a> {
    tenant: &'a str,
    socket: String,
    protocol: u32,
    ice_servers: Vec<IceServer>,
    name: tsunagu_protocol::Localized,
}

/// JSON that is safe inside a `<script type="application/json">` element.
fn script_json(value: &impl Serialize) -> Result<String, AppError> {
    let json = serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026"))
}

/// `GET /call/<tenant>`: the customer's "call us" page, in Japanese and English.
pub(crate) async fn page(raw_tenant: &str, env: &Env) -> Result<Response, AppError> {
    let tenant = TenantId::new(raw_tenant).map_err(|_| AppError::UnknownTenant)?;
    let row = store::tenant(env, &tenant).await?;
    let config = PageConfig {
        tenant: tenant.as_str(),
        socket: format!("{WEBCALL_SOCKET_PATH}?tenant={}", tenant.as_str()),
        protocol: PROTOCOL_VERSION,
        ice_servers: ice_servers(env),
        name: tsunagu_protocol::Localized {
            ja: row.name_ja.clone(),
            en: row.name_en.clone(),
        },
    };
    let html = format!(
        r#"<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name_ja} — お問い合わせ / Call us</title>
<style>
  body {{ font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }}
  main {{ max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 1.75rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
  h1 {{ font-size: 1.3rem; margin: 0 0 .25rem; }}
  .company {{ color: #556; margin: 0 0 1rem; }}
  label {{ display: block; margin: .75rem 0 .25rem; font-size: .9rem; }}
  input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #c9ced6; border-radius: 6px; }}
  .actions {{ display: flex; gap: .5rem; margin-top: 1.25rem; }}
  button {{ font-size: 1rem; padding: .6rem 1.2rem; border-radius: 6px; border: 0; cursor: pointer; }}
  #call {{ background: #1f7a4d; color: #fff; }}
  #hang-up {{ background: #c0392b; color: #fff; }}
  #mute {{ background: #e3e6ea; }}
  #lang {{ float: right; background: none; color: #1d3557; padding: .2rem .4rem; font-size: .85rem; }}
  #status {{ margin: 1.25rem 0 0; font-size: 1.05rem; min-height: 1.5em; }}
  #timer {{ font-variant-numeric: tabular-nums; font-size: 1.6rem; margin: .25rem 0 0; }}
  [hidden] {{ display: none !important; }}
  .note {{ color: #667; font-size: .8rem; margin-top: 1.5rem; }}
</style>
</head>
<body>
<main id="webcall" data-state="idle">
  <button id="lang" type="button">English</button>
  <h1 data-text="title">お電話でのお問い合わせ</h1>
  <p class="company"><span id="company">{name_ja}</span></p>
  <form id="caller" autocomplete="on">
    <label for="caller-name" data-text="name">お名前（任意）</label>
    <input id="caller-name" name="name" maxlength="64" autocomplete="name">
    <label for="caller-number" data-text="number">電話番号（任意）</label>
    <input id="caller-number" name="tel" type="tel" maxlength="32" autocomplete="tel">
  </form>
  <p id="status" role="status" aria-live="polite"></p>
  <p id="timer" hidden>00:00</p>
  <div class="actions">
    <button id="call" type="button" data-text="call">発信</button>
    <button id="mute" type="button" data-text="mute" hidden>ミュート</button>
    <button id="hang-up" type="button" data-text="hang_up" hidden>切る</button>
  </div>
  <p class="note" data-text="note">ブラウザのマイクを使って通話します。通話はお客様と担当者の間で直接つながります。</p>
  <audio id="remote-audio" autoplay></audio>
</main>
<script type="application/json" id="webcall-config">{config}</script>
<script src="{SCRIPT_PATH}"></script>
</body>
</html>
"#,
        name_ja = html_escape(&row.name_ja),
        config = script_json(&config)?,
    );
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; \
         media-src 'self' blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
    )?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Permissions-Policy", "microphone=(self), camera=()")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(Response::from_html(html)?.with_headers(headers))
}
