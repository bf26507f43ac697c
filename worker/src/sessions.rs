//! Asking the tenant's hub about sessions: consume an embed token, check or revoke a session.
//!
//! Revocation is checked against the hub on every authenticated HTTP request: one Durable Object
//! round trip (the hub is the tenant's, in memory, near the worker). The alternative, a tenant
//! "generation" in the token and per-agent not-before times, would still need the hub for the
//! generation and could not revoke one session without revoking the agent's others; the ledger
//! lists every live session anyway, so asking it is both exact and as cheap.

use serde::Serialize;
use tsunagu_auth::Session;
use tsunagu_core::TenantId;
use worker::Env;

use crate::{
    error::AppError,
    hub,
    presence_hub::sessions::{CheckRequest, OpenRefusal, OpenRequest, SessionsReply},
};

pub(crate) use crate::presence_hub::sessions::RevokeRequest;

async fn ask(
    env: &Env,
    tenant: &TenantId,
    path: &str,
    body: &impl Serialize,
) -> Result<SessionsReply, AppError> {
    hub::post(env, tenant, path, body).await
}

/// Lists `session`, opened with the embed token `embed_token_id` (valid until
/// `embed_expires_at`), in the tenant's ledger; refused if the embed token was used before.
pub(crate) async fn open(
    env: &Env,
    session: &Session,
    embed_token_id: &str,
    embed_expires_at: u64,
) -> Result<(), AppError> {
    let request = OpenRequest {
        embed_token_id: embed_token_id.to_owned(),
        embed_expires_at,
        session_id: session.id.clone(),
        agent: session.agent.clone(),
        session_expires_at: session.expires_at,
    };
    match ask(env, &session.tenant, "sessions/open", &request)
        .await?
        .refused
    {
        None => Ok(()),
        Some(OpenRefusal::Replayed) => Err(AppError::Unauthorized(
            "this embed token was already used; each embed token opens one session",
        )),
        Some(OpenRefusal::Full) => Err(AppError::Unavailable(
            "too many sessions are open for this tenant; try again later",
        )),
    }
}

/// Whether `session` is still listed by its tenant's hub (not signed out, revoked or expired).
pub(crate) async fn is_live(env: &Env, session: &Session) -> Result<bool, AppError> {
    let request = CheckRequest {
        session_id: session.id.clone(),
    };
    Ok(ask(env, &session.tenant, "sessions/check", &request)
        .await?
        .valid)
}

/// Revokes sessions of `tenant` and closes their sockets; returns how many were revoked.
pub(crate) async fn revoke(
    env: &Env,
    tenant: &TenantId,
    which: &RevokeRequest,
) -> Result<usize, AppError> {
    Ok(ask(env, tenant, "sessions/revoke", which).await?.revoked)
}
