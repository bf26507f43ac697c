//! Outbound calls to Twilio's REST API (or, by configuration, the project's Twilio test double).

use tsunagu_core::{AgentId, CallSid, ClientIdentity, InteractionId, TenantId};
use tsunagu_twilio::{
    rest::{self, Method as RestMethod, NewCall, RestRequest},
    twiml::{CallProgressEvent, CallbackMethod},
};
use tsunagu_voice::{Hook, Webhooks};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

use crate::{error::AppError, fetch_body, secrets, store};

/// Production talks to Twilio; `wrangler.toml`'s `TWILIO_API_BASE` (overridden for tests and the
/// demo) says where.
fn api_base(env: &Env) -> String {
    env.var("TWILIO_API_BASE")
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "https://api.twilio.com".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// How long the agent's own phone rings for an outbound call they asked for (the widget answers
/// it at once; longer means the widget is gone).
const AGENT_RING_SECS: u32 = 20;

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
    let Credentials {
        account_sid,
        api_key_sid,
        secret,
    } = credentials(env, tenant).await?;
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

/// Twilio credentials of a tenant: the account, and the API key with its secret.
struct Credentials {
    account_sid: String,
    api_key_sid: String,
    secret: String,
}

async fn credentials(env: &Env, tenant: &TenantId) -> Result<Credentials, AppError> {
    let settings = store::voice_settings(env, tenant).await?;
    let missing = AppError::NotConfigured("Twilio is not configured for this tenant");
    let (Some(account_sid), Some(api_key_sid)) =
        (settings.twilio_account_sid, settings.twilio_api_key_sid)
    else {
        return Err(missing);
    };
    let secret = secrets::current(env, tenant, tsunagu_secrets::SecretName::TwilioApiKeySecret)
        .await?
        .ok_or(missing)?;
    Ok(Credentials {
        account_sid,
        api_key_sid,
        secret,
    })
}

/// Creates an agent's outbound call: Twilio rings the agent's `<Client>` from the tenant's main
/// line, and the agent's answer fetches the outbound hook (which dials the customer). Returns
/// the new call's CallSid.
pub(crate) async fn create_agent_call(
    env: &Env,
    tenant: &TenantId,
    origin: &str,
    agent: &AgentId,
    from: &str,
) -> Result<CallSid, AppError> {
    let credentials = credentials(env, tenant).await?;
    let hooks = Webhooks {
        origin: origin.to_owned(),
        tenant: tenant.clone(),
    };
    let call = NewCall::new(
        format!(
            "client:{}",
            ClientIdentity::new(tenant.clone(), agent.clone())
        ),
        from,
        hooks.url(Hook::Outbound, &[]),
    )
    .method(CallbackMethod::Post)
    .status_callback(hooks.url(Hook::Status, &[]))
    .status_callback_method(CallbackMethod::Post)
    .status_callback_event([
        CallProgressEvent::Initiated,
        CallProgressEvent::Ringing,
        CallProgressEvent::Answered,
        CallProgressEvent::Completed,
    ])
    .timeout(AGENT_RING_SECS);
    let request = RestRequest::create_call(&credentials.account_sid, &call)
        .map_err(|e| AppError::Internal(format!("create call request: {e}")))?;
    let (status, body) =
        send_for_body(env, &request, &credentials.api_key_sid, &credentials.secret).await?;
    if !(200..=299).contains(&status) {
        return Err(AppError::Internal(format!("Twilio REST answered {status}")));
    }
    #[derive(serde::Deserialize)]
    struct Created {
        sid: String,
    }
    let created: Created = serde_json::from_str(&body)
        .map_err(|e| AppError::Internal(format!("create call reply: {e}")))?;
    CallSid::new(created.sid)
        .map_err(|_| AppError::Internal("Twilio returned an invalid CallSid".into()))
}

/// Cancels a call that has not been answered (one the center refused after it was created).
pub(crate) async fn cancel_call(
    env: &Env,
    tenant: &TenantId,
    call_sid: &CallSid,
) -> Result<(), AppError> {
    let credentials = credentials(env, tenant).await?;
    let request = RestRequest::cancel_call(&credentials.account_sid, call_sid.as_str())
        .map_err(|e| AppError::Internal(format!("cancel request: {e}")))?;
    send(env, &request, &credentials.api_key_sid, &credentials.secret).await?;
    Ok(())
}

async fn send(
    env: &Env,
    request: &RestRequest,
    username: &str,
    password: &str,
) -> Result<u16, AppError> {
    Ok(send_for_body(env, request, username, password).await?.0)
}

async fn send_for_body(
    env: &Env,
    request: &RestRequest,
    username: &str,
    password: &str,
) -> Result<(u16, String), AppError> {
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
    let status = response.status_code();
    // Past the cap, the status alone speaks: an empty body, which no success reads as one.
    let body = fetch_body::text_within(response, fetch_body::REPLY_MAX_BYTES).await;
    Ok((status, body.unwrap_or_default()))
}
