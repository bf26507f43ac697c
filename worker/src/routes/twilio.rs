//! Twilio's voice webhooks, `POST /twilio/voice/<tenant>/<hook>`: verify, decode, ask the hub, answer TwiML.
//!
//! Every request is checked against the tenant's auth token before anything else is read from it;
//! a forged, altered or unsigned request gets 403 and changes nothing. Callback URLs we hand to
//! Twilio carry their query parameters in alphabetical order (Twilio has been seen to re-order them).

use tsunagu_core::TenantId;
use tsunagu_secrets::SecretName;
use tsunagu_twilio::{params, signature};
use worker::{Env, Request, Response};

use crate::{
    deployment,
    error::AppError,
    log, secrets,
    voice::{self, Hook, Webhook},
};

/// Every webhook URL starts with this; then `<tenant>/<hook>`.
pub(crate) const PREFIX: &str = "/twilio/voice/";

pub(crate) async fn webhook(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let path = req.path();
    let (tenant, hook) = path[PREFIX.len()..]
        .split_once('/')
        .ok_or(AppError::NotFound)?;
    let tenant = TenantId::new(tenant).map_err(|_| AppError::NotFound)?;
    let hook = Hook::from_path(hook).ok_or(AppError::NotFound)?;
    // The auth token comes from the isolate's cache (60 s): a flood of forged webhooks is checked
    // against memory, and a tenant without an auth token cannot be told from an unknown one.
    let url = req.url()?;
    let signature = req.headers().get("X-Twilio-Signature")?.unwrap_or_default();
    let idempotency_token = req.headers().get("I-Twilio-Idempotency-Token")?;
    let is_form = req
        .headers()
        .get("Content-Type")?
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = req.bytes().await?;
    let pairs = if is_form {
        params::parse_form(&body).map_err(|_| AppError::BadRequest("malformed form body"))?
    } else {
        Vec::new()
    };
    let verdict = secrets::verify(env, &tenant, SecretName::TwilioAuthToken, |auth_token| {
        if is_form {
            signature::validate_form(auth_token, url.as_str(), &pairs, &signature)
        } else {
            // Non-form bodies are signed over the URL with its bodySHA256 (twilio.md §1.3).
            signature::validate_json(auth_token, url.as_str(), &body, &signature)
        }
    })
    .await?;
    let Some(verdict) = verdict else {
        log::warn(
            "webhook.rejected",
            &[
                ("tenant", tenant.as_str().into()),
                ("hook", hook.name().into()),
                (
                    "reason",
                    "no Twilio auth token is configured for this tenant".into(),
                ),
            ],
        );
        return Err(AppError::BadSignature);
    };
    if let Err(err) = verdict {
        log::warn(
            "webhook.rejected",
            &[
                ("tenant", tenant.as_str().into()),
                ("hook", hook.name().into()),
                ("reason", err.to_string().into()),
            ],
        );
        return Err(AppError::BadSignature);
    }
    let webhook = Webhook {
        tenant,
        hook,
        pairs,
        query: url.query_pairs().into_owned().collect(),
        idempotency_token,
        origin: deployment::public_origin(&req, env)?,
    };
    voice::handle(webhook, env).await
}
