//! Session tokens: what the worker gives the widget once an embed token has verified.

use std::collections::BTreeSet;

use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{AuthError, EmbedClaims, Role, claims};

/// The `aud` of session tokens; an embed token can never pass for one, nor the reverse.
pub const SESSION_AUDIENCE: &str = "tsunagu-session";

/// A session lasts one working day (eight hours) from the embed token that opened it.
pub const SESSION_TTL_SECS: u64 = 8 * 60 * 60;

/// A signed-in agent, as the widget's session token carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub tenant: TenantId,
    pub agent: AgentId,
    pub name: String,
    pub team: Option<TeamId>,
    pub roles: BTreeSet<Role>,
    /// The session's id (`jti` on the wire): 16 random bytes in hex, drawn by the worker. The
    /// tenant's hub lists live sessions by it, so that one can be revoked.
    pub id: String,
    /// Unix seconds (`iat`): when the session was opened.
    pub issued_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
}

impl Session {
    /// The session a verified embed token opens at `now_unix` with the id `id`: the same agent,
    /// for [`SESSION_TTL_SECS`].
    pub fn start(claims: EmbedClaims, id: String, now_unix: u64) -> Session {
        Session {
            tenant: claims.tenant,
            agent: claims.agent,
            name: claims.name,
            team: claims.team,
            roles: claims.roles,
            id,
            issued_at: now_unix,
            expires_at: now_unix.saturating_add(SESSION_TTL_SECS),
        }
    }
}

/// Signs `session` with the worker's session `secret`, issued at `now_unix`. Refuses a session
/// that has already expired or that would outlive [`SESSION_TTL_SECS`] from now.
pub fn mint_session(session: &Session, secret: &[u8], now_unix: u64) -> Result<String, AuthError> {
    if session.expires_at <= now_unix {
        return Err(AuthError::Expired);
    }
    let claims = EmbedClaims {
        tenant: session.tenant.clone(),
        agent: session.agent.clone(),
        name: session.name.clone(),
        team: session.team.clone(),
        roles: session.roles.clone(),
        token_id: session.id.clone(),
        issued_at: now_unix,
        expires_at: session.expires_at,
    };
    claims::write(&claims, SESSION_AUDIENCE, SESSION_TTL_SECS, secret)
}

/// Verifies a session token at `now_unix` with the same rules as embed tokens, but the
/// session audience and lifetime.
pub fn verify_session(token: &str, secret: &[u8], now_unix: u64) -> Result<Session, AuthError> {
    let claims = claims::read(token, secret, SESSION_AUDIENCE, SESSION_TTL_SECS, now_unix)?;
    Ok(Session {
        tenant: claims.tenant,
        agent: claims.agent,
        name: claims.name,
        team: claims.team,
        roles: claims.roles,
        id: claims.token_id,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
    })
}
