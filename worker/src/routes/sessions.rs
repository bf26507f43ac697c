//! Ending sessions: sign-out (`POST /api/session/revoke`), an admin revoking an agent's sessions
//! (`POST /api/agents/<agent>/sessions/revoke`) or the whole tenant's (`POST /api/sessions/revoke-all`).
//!
//! A revoked session's HTTP calls get 401 and its sockets are closed with `close_code::SESSION_REVOKED`.
//! These take an admin's widget session; API keys reach the admin API (`/api/admin/…`) only.

use serde::Serialize;
use tsunagu_auth::{Role, Session};
use tsunagu_core::AgentId;
use worker::{Env, Request, Response};

use crate::{
    auth,
    error::AppError,
    log,
    sessions::{self, RevokeRequest},
};

/// Every per-agent route starts with this (`routes::push::agents_post` dispatches them).
pub(crate) const AGENTS_PREFIX: &str = "/api/agents/";

#[derive(Serialize)]
struct RevokeReply {
    revoked: usize,
}

/// Sign-out: revokes the caller's own session.
pub(crate) async fn sign_out(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::session(&req, env)?;
    let which = RevokeRequest::Session {
        session_id: session.id.clone(),
    };
    reply(env, &session, "self", &which).await
}

/// An admin revokes every session of `agent` (the raw path segment).
pub(crate) async fn revoke_agent(
    req: Request,
    env: &Env,
    agent: &str,
) -> Result<Response, AppError> {
    let session = admin(&req, env)?;
    let agent = AgentId::new(agent).map_err(|_| AppError::BadRequest("invalid agent id"))?;
    reply(env, &session, "agent", &RevokeRequest::Agent { agent }).await
}

/// An admin revokes every session of the tenant (rotation).
pub(crate) async fn revoke_all(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = admin(&req, env)?;
    reply(env, &session, "all", &RevokeRequest::All).await
}

fn admin(req: &Request, env: &Env) -> Result<Session, AppError> {
    let session = auth::session(req, env)?;
    if session.roles.contains(&Role::Admin) {
        Ok(session)
    } else {
        Err(AppError::Forbidden(
            "revoking sessions needs the admin role",
        ))
    }
}

async fn reply(
    env: &Env,
    session: &Session,
    scope: &'static str,
    which: &RevokeRequest,
) -> Result<Response, AppError> {
    let revoked = sessions::revoke(env, &session.tenant, which).await?;
    log::info(
        "session.revoked",
        &[
            ("tenant", session.tenant.as_str().into()),
            ("by", session.agent.as_str().into()),
            ("scope", scope.into()),
            ("revoked", revoked.into()),
        ],
    );
    Ok(Response::from_json(&RevokeReply { revoked })?)
}
