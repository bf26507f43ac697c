//! Web calls: the customer's "call us" page (`/call/<tenant>` and its script), its WebSocket into the tenant's hub, and the ICE servers.
//!
//! The page is public and holds no secret: it opens `GET /api/webcall/socket?tenant=…` (handed to
//! the tenant's `PresenceHub`, which routes the call with the tenant's ladder), asks for the
//! microphone and, once an agent answers, sets up an `RTCPeerConnection` whose signalling goes
//! over that socket. Audio flows peer to peer between the page and the agent's widget. The STUN
//! and TURN servers both peers use are configuration (`WEBRTC_ICE_SERVERS` in wrangler.toml), plus
//! a TURN server with credentials minted per call (`WEBRTC_TURN_URLS` and the secret
//! `WEBRTC_TURN_SECRET`): the page gets them from the hub with its started call, the agent's
//! widget from `GET /api/webcall/ice` with its session; nobody else gets any.
//!
//! Abuse limits (the page is public): web calls are off unless the tenant turns them on; the hub
//! lets at most a few customer sockets in per network address (a keyed hash of
//! `CF-Connecting-IP`, never the address); with a Turnstile site key the socket upgrade must carry
//! a token siteverify accepts.

use serde::Serialize;
use tsunagu_center::{AddressKey, CenterConfig};
use tsunagu_core::{InteractionId, TenantId};
use tsunagu_protocol::{
    CallerEvent, PROTOCOL_VERSION, WEBCALL_SOCKET_PATH,
    http::{IceServer, IceServersReply, IceUrls},
};
use worker::{Env, Headers, Request, Response, Url};

use super::{html_escape, tenant_param};
use crate::{auth, clock, error::AppError, hub, log, secrets, store, tenant_config, turnstile};

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

/// The longest a credential lives whatever the tenant allows: four hours. Within it, a
/// credential lives as long as its call may (`CenterConfig::web_call_lifetime`): a TURN
/// allocation's refreshes are signed with the same username, so it must outlive the call, and a
/// copied one dies with it.
const DEFAULT_TURN_TTL_SECS: u64 = 4 * 60 * 60;

/// Cloudflare's Turnstile script, loaded only by pages of tenants that set a site key.
const TURNSTILE_SCRIPT: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js";

/// The query parameter carrying the page's Turnstile token on the socket upgrade.
const CHALLENGE_PARAM: &str = "challenge";

/// A TURN credential for one call: the username names the call, the lifetime is the call's.
pub(crate) struct TurnGrant<'a> {
    pub(crate) call: &'a InteractionId,
    pub(crate) ttl_secs: u64,
}

/// The configured ICE servers, then (for a call) the time-limited TURN server if one is
/// configured; none (host candidates only, enough on one machine or LAN) when neither is.
pub(crate) fn ice_servers(env: &Env, grant: Option<&TurnGrant<'_>>) -> Vec<IceServer> {
    let mut servers = static_ice_servers(env);
    servers.extend(grant.and_then(|grant| turn_server(env, grant)));
    servers
}

/// How long a TURN credential for one web call of this tenant lives: as long as the call may
/// last (its longest wait, then its longest talk), and never past `WEBRTC_TURN_TTL_SECS`.
pub(crate) fn turn_ttl_secs(env: &Env, config: &CenterConfig) -> u64 {
    let cap = env
        .var(TURN_TTL_VAR)
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_TURN_TTL_SECS);
    config
        .web_call_lifetime()
        .0
        .div_ceil(1000)
        .clamp(1, cap.max(1))
}

/// What the hub sends a customer page right after its call started: the ICE servers with a TURN
/// credential for this call alone.
pub(crate) fn ice_servers_event(
    env: &Env,
    config: &CenterConfig,
    call: &InteractionId,
) -> CallerEvent {
    let grant = TurnGrant {
        call,
        ttl_secs: turn_ttl_secs(env, config),
    };
    CallerEvent::IceServers {
        ice_servers: ice_servers(env, Some(&grant)),
    }
}

/// The address key as the worker hands it to the hub (32 hex digits), read back.
pub(crate) fn address_to_hex(key: &[u8; 16]) -> String {
    key.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The hub's reading of [`address_to_hex`]; `None` for anything else.
pub(crate) fn address_from_hex(hex: &str) -> Option<AddressKey> {
    if hex.len() != 32 {
        return None;
    }
    let mut key = [0; 16];
    for (byte, pair) in key.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(AddressKey(key))
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
fn turn_server(env: &Env, grant: &TurnGrant<'_>) -> Option<IceServer> {
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
    match tsunagu_auth::mint_turn_credential(
        secret.as_bytes(),
        clock::now_unix(),
        grant.ttl_secs,
        grant.call.as_str(),
    ) {
        Ok(minted) => Some(IceServer {
            urls: IceUrls::Many(urls),
            username: Some(minted.username),
            credential: Some(minted.credential),
        }),
        Err(err) => {
            warn(&err.to_string());
            None
        }
    }
}

/// `GET /api/webcall/ice?conversation=WC…`: `{"ice_servers": […]}` for a signed-in agent's
/// widget (`Authorization: Bearer <session>`) about to answer that web call; the TURN credential
/// names the call and lives as long as it may. Without a session: 401 and nothing; a session
/// without the agent role (it cannot answer calls): 403.
pub(crate) async fn ice(req: &Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::require(req, env, tsunagu_auth::Permission::HandleCalls)?;
    let call = req
        .url()?
        .query_pairs()
        .find(|(name, _)| name == "conversation")
        .and_then(|(_, raw)| InteractionId::new(raw.into_owned()).ok())
        .filter(|id| id.as_str().starts_with("WC"))
        .ok_or(AppError::BadRequest(
            "missing or invalid `conversation` parameter",
        ))?;
    let config = tenant_config::load(env, &session.tenant).await?;
    let grant = TurnGrant {
        call: &call,
        ttl_secs: turn_ttl_secs(env, &config),
    };
    let headers = Headers::new();
    headers.set("Cache-Control", "no-store")?;
    let reply = IceServersReply {
        ice_servers: ice_servers(env, Some(&grant)),
    };
    Ok(Response::from_json(&reply)?.with_headers(headers))
}

/// `GET /api/webcall/socket?tenant=…[&challenge=…]`: the customer page's socket, handed to the
/// tenant's hub with a keyed hash of the caller's address. Browsers send the page's origin: only
/// pages of this worker may open it. Refused before the hub is asked when the tenant takes no
/// web calls, and when its challenge is on and the token does not pass.
pub(crate) async fn socket(req: Request, env: &Env) -> Result<Response, AppError> {
    let own = req.url()?.origin().ascii_serialization();
    if let Some(origin) = req.headers().get("Origin")?
        && origin != own
    {
        return Err(AppError::Forbidden(
            "web calls are placed from this service's own call page",
        ));
    }
    let is_upgrade = req
        .headers()
        .get("Upgrade")?
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return Err(AppError::UpgradeRequired);
    }
    let tenant = tenant_param(&req)?;
    let config = tenant_config::load(env, &tenant).await?;
    if !config.web_calls_on() {
        return Err(AppError::WebCallsOff);
    }
    let remote_ip = req.headers().get("CF-Connecting-IP")?;
    if config.turnstile_site_key.is_some() {
        let token = req
            .url()?
            .query_pairs()
            .find(|(name, _)| name == CHALLENGE_PARAM)
            .map(|(_, token)| token.into_owned());
        turnstile::verify(env, &tenant, token.as_deref(), remote_ip.as_deref()).await?;
    }
    // Without the header (never at Cloudflare's edge) every such caller shares one address.
    let address = tsunagu_auth::address_key(
        secrets::session_secret(env)?.as_bytes(),
        remote_ip.as_deref().unwrap_or("unknown"),
    );
    let address = address_to_hex(&address);
    let config =
        serde_json::to_string(&config).map_err(|e| AppError::Internal(format!("config: {e}")))?;
    // The hub may be created by this very request, so it gets the tenant's settings with it.
    let hub_url = Url::parse_with_params(
        "https://presence-hub.invalid/connect-caller",
        &[("config", config), ("address", address)],
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut hub_request = Request::new(hub_url.as_str(), worker::Method::Get)?;
    hub_request.headers_mut()?.set("Upgrade", "websocket")?;
    Ok(hub::stub(env, &tenant)?
        .fetch_with_request(hub_request)
        .await?)
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
    /// The static servers only: TURN credentials come with a started call.
    ice_servers: Vec<IceServer>,
    name: tsunagu_protocol::Localized,
    /// Whether the page takes calls at all; without, it says so and offers no Call button.
    enabled: bool,
    /// The tenant's Turnstile site key, when it asks for the challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    turnstile_site_key: Option<&'a str>,
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
    let settings = tenant_config::from_row(&row)?;
    let config = PageConfig {
        tenant: tenant.as_str(),
        socket: format!("{WEBCALL_SOCKET_PATH}?tenant={}", tenant.as_str()),
        protocol: PROTOCOL_VERSION,
        ice_servers: ice_servers(env, None),
        name: tsunagu_protocol::Localized {
            ja: row.name_ja.clone(),
            en: row.name_en.clone(),
        },
        enabled: settings.web_calls_on(),
        turnstile_site_key: settings.turnstile_site_key.as_deref(),
    };
    let turnstile = config.turnstile_site_key.is_some();
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
  {challenge}
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
{challenge_script}
</body>
</html>
"#,
        name_ja = html_escape(&row.name_ja),
        config = script_json(&config)?,
        challenge = config
            .turnstile_site_key
            .map_or(String::new(), |key| format!(
                r#"<div id="challenge" class="cf-turnstile" data-sitekey="{}"></div>"#,
                html_escape(key)
            )),
        challenge_script = if turnstile {
            format!(r#"<script src="{TURNSTILE_SCRIPT}" async defer></script>"#)
        } else {
            String::new()
        },
    );
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    // Turnstile's script and frame come from Cloudflare: allowed only for a tenant using it.
    let (script_src, frame_src) = if turnstile {
        (
            "'self' https://challenges.cloudflare.com",
            "frame-src https://challenges.cloudflare.com; ",
        )
    } else {
        ("'self'", "")
    };
    headers.set(
        "Content-Security-Policy",
        &format!(
            "default-src 'none'; script-src {script_src}; {frame_src}style-src 'unsafe-inline'; \
             connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        ),
    )?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Permissions-Policy", "microphone=(self), camera=()")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(Response::from_html(html)?.with_headers(headers))
}
