//! Sign-in: `POST /api/session` trades the CRM's embed token for a widget session; `POST /api/token`
//! mints the session agent's Twilio Access Token.

use serde::Deserialize;
use tsunagu_auth::{
    Permission, SESSION_TTL_SECS, Session, mint_session, peek_tenant, verify_embed_token,
};
use tsunagu_core::{ClientIdentity, TeamId};
use tsunagu_protocol::http::{SessionReply, VoiceTokenReply};
use tsunagu_secrets::SecretName;
use tsunagu_twilio::access_token::{AccessToken, DEFAULT_TTL_SECS, Identity, VoiceGrant};
use worker::{Env, Request, Response};

use crate::{auth, clock, error::AppError, log, random, secrets, sessions, store, tenant_config};

#[derive(Deserialize)]
struct SessionRequest {
    embed_token: String,
}

pub(crate) async fn open_session(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let body: SessionRequest = req
        .json()
        .await
        .map_err(|_| AppError::BadRequest("expected a JSON body {\"embed_token\": \"…\"}"))?;
    let tenant = peek_tenant(&body.embed_token)?;
    let row = match store::tenant(env, &tenant).await {
        Ok(row) => row,
        Err(AppError::UnknownTenant) => {
            return Err(AppError::Unauthorized(
                "the embed token names an unknown tenant",
            ));
        }
        Err(other) => return Err(other),
    };
    let now = clock::now_unix();
    // Every embed secret valid now: during a rotation's grace the CRM may still sign with the old one.
    let verdict = secrets::verify(env, &tenant, SecretName::EmbedSecret, |secret| {
        verify_embed_token(&body.embed_token, secret.as_bytes(), now)
    })
    .await?
    .ok_or(AppError::Unauthorized(
        "this tenant has no embed secret configured; see README \"Embedding\"",
    ))?;
    let claims = match verdict {
        Ok(claims) => claims,
        Err(err) => {
            log::warn(
                "session.refused",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("reason", err.to_string().into()),
                ],
            );
            return Err(err.into());
        }
    };
    let embed_token_id = claims.token_id.clone();
    let embed_expires_at = claims.expires_at;
    let mut session = Session::start(claims, random::hex_id()?, now);
    // The tenant's own lifetime (its admin settings), never longer than the environment allows.
    session.expires_at = now + session_ttl_secs(env).min(row.session_lifetime_secs);
    // The directory, not the embed token, says which team an agent it lists is in (the CRM's
    // token may lag behind a move made in the admin API); an agent it does not list keeps the
    // token's team.
    if let Some(listed) = store::agent(env, &tenant, session.agent.as_str()).await? {
        session.team = listed.team_id.and_then(|team| TeamId::new(team).ok());
    }
    // Consumed before minting: a replayed embed token gets no session at all.
    sessions::open(env, &session, &embed_token_id, embed_expires_at).await?;
    let token = mint_session(&session, secrets::session_secret(env)?.as_bytes(), now)?;
    log::info(
        "session.opened",
        &[
            ("tenant", session.tenant.as_str().into()),
            ("agent", session.agent.as_str().into()),
        ],
    );
    Ok(Response::from_json(&SessionReply {
        session: token,
        expires_at: session.expires_at,
        tenant: session.tenant.as_str().to_owned(),
        agent: session.agent.as_str().to_owned(),
        name: session.name.clone(),
        team: session.team.as_ref().map(|t| t.as_str().to_owned()),
        roles: session
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        // A tenant whose settings do not read gets the safe default: confirm first.
        direct_dial_from_host: tenant_config::from_row(&row)
            .is_ok_and(|config| config.direct_dial_from_host),
    })?)
}

/// How long sessions last: `SESSION_TTL_SECS` in the environment (tests shorten it), never more
/// than the eight hours of [`tsunagu_auth::SESSION_TTL_SECS`].
fn session_ttl_secs(env: &Env) -> u64 {
    env.var("SESSION_TTL_SECS")
        .ok()
        .and_then(|v| v.to_string().parse::<u64>().ok())
        .filter(|secs| *secs > 0)
        .map_or(SESSION_TTL_SECS, |secs| secs.min(SESSION_TTL_SECS))
}

pub(crate) async fn voice_token(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::require(&req, env, Permission::HandleCalls)?;
    let settings = store::voice_settings(env, &session.tenant).await?;
    let (Some(account_sid), Some(api_key_sid)) =
        (settings.twilio_account_sid, settings.twilio_api_key_sid)
    else {
        return Err(AppError::NotConfigured(
            "voice is not configured for this tenant",
        ));
    };
    let secret = secrets::current(env, &session.tenant, SecretName::TwilioApiKeySecret)
        .await?
        .ok_or(AppError::NotConfigured(
            "voice is not configured for this tenant",
        ))?;
    // Namespaced by tenant, so two tenants on one Twilio account never ring each other's agents.
    let client = ClientIdentity::new(session.tenant.clone(), session.agent.clone()).to_string();
    let identity = Identity::new(client.as_str())
        .map_err(|_| AppError::Internal("client identity is not a valid Twilio identity".into()))?;
    let now = clock::now_unix();
    let mut token = AccessToken::new(account_sid, api_key_sid, identity);
    token.ttl = DEFAULT_TTL_SECS;
    // `nbf` as Twilio's Python library writes it (now); `iat` is written anyway.
    token.nbf = Some(now);
    // Only what the widget uses: incoming calls. It never places calls through the SDK (calls
    // go out through `POST /api/calls` and the dial policy), so the token grants no outgoing
    // application a stolen token could dial through.
    token.voice = Some(VoiceGrant {
        incoming_allow: true,
        outgoing: None,
        push_credential_sid: None,
        endpoint_id: None,
    });
    let jwt = token
        .to_jwt(&secret, now)
        .map_err(|e| AppError::Internal(format!("access token: {e}")))?;
    log::info(
        "token.minted",
        &[
            ("tenant", session.tenant.as_str().into()),
            ("agent", session.agent.as_str().into()),
        ],
    );
    let double = env
        .var("VOICE_BACKEND")
        .is_ok_and(|v| v.to_string() == "double");
    let client_url = double
        .then(|| {
            env.var("TWILIO_DOUBLE_CLIENT_URL")
                .ok()
                .map(|v| v.to_string())
        })
        .flatten();
    Ok(Response::from_json(&VoiceTokenReply {
        token: jwt,
        identity: client,
        edge: settings.voice_edge,
        expires_at: now + token.ttl,
        backend: if double { "double" } else { "twilio" }.to_owned(),
        client_url,
    })?)
}
