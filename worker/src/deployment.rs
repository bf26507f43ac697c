//! Deployment safety: callback URLs from `PUBLIC_ORIGIN`, never from a Host header, and no serving the internet with development secrets.
//!
//! `wrangler dev` and the tests run on loopback with the public values of `.dev.vars`; a worker
//! deployed with any of those values would let anyone sign embed tokens or Twilio webhooks. So a
//! request for any host but loopback is refused while one of them is in force, and callback URLs
//! handed to Twilio come from the configured public origin (on loopback, the request's own).

use subtle::ConstantTimeEq as _;
use worker::{Env, Request, Url, url::Host};

use crate::{error::AppError, log};

/// The development values, straight from the file `wrangler dev` reads.
const DEV_VARS: &str = include_str!("../../.dev.vars");

/// Whether `url` names this machine: `localhost`, `127.0.0.0/8` or `[::1]`. On Cloudflare a
/// request reaches the worker only through its own routes, so such a host means a local runtime.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The `NAME="value"` secrets of `.dev.vars` (names holding SECRET, TOKEN or KEYS: the master
/// keys that seal tenant secrets are covered too).
fn dev_secrets() -> impl Iterator<Item = (&'static str, &'static str)> {
    DEV_VARS.lines().filter_map(|line| {
        let (name, value) = line.split_once('=')?;
        let name = name.trim();
        if name.starts_with('#')
            || !(name.contains("SECRET") || name.contains("TOKEN") || name.contains("KEYS"))
        {
            return None;
        }
        Some((name, value.trim().trim_matches('"')))
    })
}

/// Refuses a request for a non-loopback host while any secret still has its public development
/// value (503, logged once per request with the secret's name, never its value).
pub(crate) fn refuse_development_secrets(req: &Request, env: &Env) -> Result<(), AppError> {
    if is_loopback(&req.url()?) {
        return Ok(());
    }
    for (name, dev_value) in dev_secrets() {
        let in_force = env.secret(name).ok().map(|s| s.to_string());
        if in_force.is_some_and(|value| bool::from(value.as_bytes().ct_eq(dev_value.as_bytes()))) {
            log::error("deployment.development_secret", &[("secret", name.into())]);
            return Err(AppError::Unavailable(
                "this deployment still uses the public development secrets; set real ones with `wrangler secret put`",
            ));
        }
    }
    Ok(())
}

/// Scheme and host for the callback URLs the worker gives Twilio: `PUBLIC_ORIGIN`, or on
/// loopback (development, tests) the request's own origin. A deployed worker without
/// `PUBLIC_ORIGIN` answers 500 rather than let a Host header choose where Twilio calls back.
pub(crate) fn public_origin(req: &Request, env: &Env) -> Result<String, AppError> {
    let configured = env
        .var("PUBLIC_ORIGIN")
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty());
    if let Some(configured) = configured {
        let url = Url::parse(&configured)
            .map_err(|_| AppError::Internal("PUBLIC_ORIGIN is not a URL".into()))?;
        let origin = url.origin().ascii_serialization();
        if !matches!(url.scheme(), "https" | "http") || url.path() != "/" || origin == "null" {
            return Err(AppError::Internal(
                "PUBLIC_ORIGIN must be scheme and host only, e.g. https://edge.example.jp".into(),
            ));
        }
        return Ok(origin);
    }
    let url = req.url()?;
    if is_loopback(&url) {
        return Ok(url.origin().ascii_serialization());
    }
    Err(AppError::Internal(
        "PUBLIC_ORIGIN is not set; callback URLs cannot be built".into(),
    ))
}
