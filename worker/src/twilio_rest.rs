//! Outbound calls to Twilio's REST API (or, by configuration, the project's Twilio test double).

use tsunagu_core::{CallSid, InteractionId, TenantId};
use tsunagu_twilio::{
    rest::{self, Method as RestMethod, RestRequest},
    twiml::CallbackMethod,
};
use tsunagu_voice::{Hook, Webhooks};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

use crate::{
    error::AppError,
    secrets::{self, TenantSecret},
    store,
};

/// Production talks to Twilio; `wrangler.toml`'s `TWILIO_API_BASE` (overridden for tests and the
/// demo) says where.
fn api_base(env: &Env) -> String {
    env.var("TWILIO_API_BASE")
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "https://api.twilio.com".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// What became of a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redirect {
    Redirected,
    /// Twilio no longer has the call live (the caller hung up meanwhile).
    CallOver,
}

/// Sends a live call to the route webhook, where the hub hands it its new plan.
pub(crate) async fn redirect_call(
    env: &Env,
    tenant: &TenantId,
    origin: &str,
    call_sid: &CallSid,
    interaction: &InteractionId,
) -> Result<Redirect, AppError> {
    let settings = store::voice_settings(env, tenant).await?;
    let (Some(account_sid), Some(api_key_sid)) =
        (settings.twilio_account_sid, settings.twilio_api_key_sid)
    else {
        return Err(AppError::NotConfigured(
            "Twilio is not configured for this tenant",
        ));
    };
    let secret = secrets::tenant_secret(env, tenant, TenantSecret::TwilioApiKeySecret).ok_or(
        AppError::NotConfigured("Twilio is not configured for this tenant"),
    )?;
    let hooks = Webhooks {
        origin: origin.to_owned(),
        tenant: tenant.clone(),
    };
    let url = hooks.url(Hook::Route, &[("conversation", interaction.as_str())]);
    let request =
        RestRequest::update_call_url(&account_sid, call_sid.as_str(), &url, CallbackMethod::Post)
            .map_err(|e| AppError::Internal(format!("redirect request: {e}")))?;
    let status = send(env, &request, &api_key_sid, &secret).await?;
    match status {
        200..=299 => Ok(Redirect::Redirected),
        // 404: unknown call; 400 with code 21220: "call is not in-progress".
        400 | 404 => Ok(Redirect::CallOver),
        other => Err(AppError::Internal(format!("Twilio REST answered {other}"))),
    }
}

async fn send(
    env: &Env,
    request: &RestRequest,
    username: &str,
    password: &str,
) -> Result<u16, AppError> {
    let headers = Headers::new();
    headers.set("Authorization", &rest::basic_auth(username, password))?;
    headers.set("Content-Type", "application/x-www-form-urlencoded")?;
    let method = match request.method {
        RestMethod::Get => Method::Get,
        RestMethod::Post => Method::Post,
        RestMethod::Delete => Method::Delete,
    };
    let mut init = RequestInit::new();
    let has_body = method != Method::Get;
    init.with_method(method).with_headers(headers);
    if has_body {
        init.with_body(Some(request.body().into()));
    }
    let url = format!("{}{}", api_base(env), request.path);
    let response = Fetch::Request(Request::new_with_init(&url, &init)?)
        .send()
        .await?;
    Ok(response.status_code())
}
