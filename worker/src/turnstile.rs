//! The optional challenge before a web call: a Cloudflare Turnstile token checked at siteverify.
//!
//! A tenant that sets `turnstile_site_key` gets the Turnstile widget on its call page; the page
//! sends the widget's token with its socket upgrade, and the worker asks siteverify (the
//! `TURNSTILE_VERIFY_URL` var, Cloudflare's by default; tests point it at a local stand-in) with
//! the tenant's secret `TENANT_<ID>_TURNSTILE_SECRET` before the hub sees the socket.

use serde::Deserialize;
use tsunagu_core::TenantId;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

use crate::{error::AppError, fetch_body, log, secrets};

const VERIFY_URL_VAR: &str = "TURNSTILE_VERIFY_URL";
const DEFAULT_VERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/// Turnstile tokens are at most 2048 characters; anything longer is not one.
const TOKEN_MAX_LEN: usize = 2048;

/// siteverify's answer (the fields we read).
#[derive(Deserialize)]
struct Verdict {
    success: bool,
    #[serde(default, rename = "error-codes")]
    error_codes: Vec<String>,
}

/// Checks `token` for `tenant` from `remote_ip`. Refused (`ChallengeFailed`) without a token, with
/// a token siteverify does not accept, or when siteverify cannot be asked: a tenant that asks for
/// the challenge never gets calls without it.
pub(crate) async fn verify(
    env: &Env,
    tenant: &TenantId,
    token: Option<&str>,
    remote_ip: Option<&str>,
) -> Result<(), AppError> {
    let token = token
        .filter(|token| !token.is_empty() && token.len() <= TOKEN_MAX_LEN)
        .ok_or(AppError::ChallengeFailed)?;
    let Some(secret) =
        secrets::current(env, tenant, tsunagu_secrets::SecretName::TurnstileSecret).await?
    else {
        log::warn(
            "webcall.turnstile_not_configured",
            &[("tenant", tenant.as_str().into())],
        );
        return Err(AppError::ChallengeFailed);
    };
    let url = env
        .var(VERIFY_URL_VAR)
        .map(|v| v.to_string())
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_VERIFY_URL.to_owned());
    let mut body = serde_json::json!({ "secret": secret, "response": token });
    if let Some(ip) = remote_ip {
        body["remoteip"] = ip.into();
    }
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.to_string().into()));
    let verdict = async {
        let reply = Fetch::Request(Request::new_with_init(&url, &init)?)
            .send()
            .await?;
        fetch_body::json_within::<Verdict>(reply, fetch_body::REPLY_MAX_BYTES).await
    }
    .await;
    match verdict {
        Ok(verdict) if verdict.success => Ok(()),
        Ok(verdict) => {
            log::info(
                "webcall.challenge_failed",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("errors", verdict.error_codes.join(",").into()),
                ],
            );
            Err(AppError::ChallengeFailed)
        }
        Err(err) => {
            log::warn(
                "webcall.siteverify_unreachable",
                &[("detail", err.to_string().into())],
            );
            Err(AppError::ChallengeFailed)
        }
    }
}
