//! The widget's unhashed entry points: the stable `/embed.js` loader, the `/widget` page and `/widget/version`.
//!
//! The files themselves come from the `ASSETS` binding (built by `cargo xtask`); this module decides
//! their caching and security headers and fills in the page, so the widget and the worker always
//! ship as one version. The content-hashed `/assets/*` never reach the worker: the asset server
//! answers them with the headers of `web/_headers` (wrangler.toml's `run_worker_first`).

use tsunagu_protocol::http::WidgetVersionReply;
use worker::{Env, Headers, Request, Response};

use super::{html_escape, tenant_param};
use crate::{error::AppError, store};

/// The `[assets]` binding name in wrangler.toml.
const ASSETS: &str = "ASSETS";

/// Fetches one built file; the host part of the URL is ignored by the assets binding.
async fn built_file(path: &str, env: &Env) -> Result<Option<Vec<u8>>, AppError> {
    let mut response = env
        .assets(ASSETS)?
        .fetch(format!("https://assets.invalid{path}"), None)
        .await?;
    match response.status_code() {
        200 => Ok(Some(response.bytes().await?)),
        404 => Ok(None),
        other => Err(AppError::Internal(format!(
            "assets returned {other} for {path}"
        ))),
    }
}

fn respond(bytes: Vec<u8>, list: &[(&str, &str)]) -> Result<Response, AppError> {
    Ok(Response::from_bytes(bytes)?.with_headers(headers(list)?))
}

/// `list`, and `nosniff` on every file the worker serves.
fn headers(list: &[(&str, &str)]) -> Result<Headers, AppError> {
    let out = Headers::new();
    for (name, value) in list {
        out.set(name, value)?;
    }
    out.set("X-Content-Type-Options", "nosniff")?;
    Ok(out)
}

/// The loader a CRM page includes. Short cache: a new release reaches every CRM within minutes.
pub(crate) async fn embed_js(env: &Env) -> Result<Response, AppError> {
    let bytes = built_file("/embed.js", env)
        .await?
        .ok_or_else(|| AppError::Internal("embed.js missing from the build".into()))?;
    respond(
        bytes,
        &[
            ("Content-Type", "text/javascript; charset=utf-8"),
            ("Cache-Control", "public, max-age=300"),
        ],
    )
}

/// The widget build this worker serves (`{"version": "<hash>"}`), never cached: open widgets poll
/// it and reload themselves when it changes and no call is active. The build's `version.json` is
/// read as the reply the widget reads, so a build that wrote something else fails here, loudly.
pub(crate) async fn widget_version(env: &Env) -> Result<Response, AppError> {
    let bytes = built_file("/version.json", env)
        .await?
        .ok_or_else(|| AppError::Internal("version.json missing from the build".into()))?;
    let reply: WidgetVersionReply = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::Internal(format!("version.json is not a version reply: {e}")))?;
    let json = serde_json::to_vec(&reply).map_err(|e| AppError::Internal(e.to_string()))?;
    respond(
        json,
        &[
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
        ],
    )
}

/// How often open widgets ask for the current version (`WIDGET_VERSION_CHECK_MS`, default five
/// minutes; tests shorten it).
fn version_check_ms(env: &Env) -> u64 {
    env.var("WIDGET_VERSION_CHECK_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(300_000)
}

/// The page inside the widget iframe. Only origins the tenant allows may frame it, and the page's
/// boot config tells the widget the same list, so it talks (postMessage) only to such a host.
pub(crate) async fn widget_page(req: &Request, env: &Env) -> Result<Response, AppError> {
    let tenant = tenant_param(req)?;
    let row = store::tenant(env, &tenant).await?;
    let bytes = built_file("/widget.html", env)
        .await?
        .ok_or_else(|| AppError::Internal("widget.html missing from the build".into()))?;
    let allowed_origins = row.allowed_origins.trim();
    let frame_ancestors = if allowed_origins.is_empty() {
        "'none'"
    } else {
        allowed_origins
    };
    // The Voice SDK talks to Twilio's edges (signalling WebSocket, insights, sounds); the test
    // double's softphone endpoint replaces all of that in tests and the demo.
    let (connect_src, media_src) = match voice_double_origin(env) {
        Some(double) => (format!("'self' {double}"), "'self' blob:".to_owned()),
        None => (
            "'self' wss://*.twilio.com https://*.twilio.com".to_owned(),
            "'self' blob: https://sdk.twilio.com".to_owned(),
        ),
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src {connect_src}; img-src 'self' data:; media-src {media_src}; \
         base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    );
    let boot_config = serde_json::json!({
        "allowed_origins": allowed_origins,
        "version_check_ms": version_check_ms(env),
    })
    .to_string();
    let page =
        String::from_utf8_lossy(&bytes).replace("{{BOOT_CONFIG}}", &html_escape(&boot_config));
    respond(
        page.into_bytes(),
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            // The page names the current asset hashes; it must never be served stale.
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", &csp),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", "microphone=(self), camera=()"),
        ],
    )
}

/// The origin (`ws://host:port`) of the Twilio test double's `<Client>` endpoint, when the
/// widget's voice goes there (`VOICE_BACKEND` = `double`), so the CSP lets the widget connect.
fn voice_double_origin(env: &Env) -> Option<String> {
    let double = env
        .var("VOICE_BACKEND")
        .is_ok_and(|v| v.to_string() == "double");
    if !double {
        return None;
    }
    let url = env.var("TWILIO_DOUBLE_CLIENT_URL").ok()?.to_string();
    let origin = worker::Url::parse(&url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The bundled hold music (`tsunagu_voice::hold_music`), fetched by Twilio for waiting callers.
/// Public like the widget's files: it is the same tune for everyone, and Twilio caches it.
pub(crate) fn hold_music() -> Result<Response, AppError> {
    static TUNE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    respond(
        TUNE.get_or_init(tsunagu_voice::hold_music).clone(),
        &[
            ("Content-Type", "audio/wav"),
            ("Cache-Control", "public, max-age=86400"),
        ],
    )
}
