//! Who is calling: the widget's session token (`Authorization: Bearer …`), verified on every request.

use tsunagu_auth::{Permission, Session, verify_session};
use worker::{Env, Request};

use crate::{clock, error::AppError, secrets, sessions};

/// The session of the request's `Authorization: Bearer` header.
pub(crate) fn session(req: &Request, env: &Env) -> Result<Session, AppError> {
    let header = req
        .headers()
        .get("Authorization")?
        .ok_or(AppError::Unauthorized(
            "sign in first: no session token was sent",
        ))?;
    let token = header
        .strip_prefix("Bearer ")
        .ok_or(AppError::Unauthorized(
            "the Authorization header must be `Bearer <session token>`",
        ))?;
    verify_token(token, env)
}

/// The session of the request, if its roles grant `permission` (see `tsunagu_auth::access`
/// for the matrix); 401 without a session, 403 with one whose roles do not reach.
pub(crate) fn require(
    req: &Request,
    env: &Env,
    permission: Permission,
) -> Result<Session, AppError> {
    let session = session(req, env)?;
    permit(&session, permission)?;
    Ok(session)
}

/// Refuses `session` unless its roles grant `permission`.
pub(crate) fn permit(session: &Session, permission: Permission) -> Result<(), AppError> {
    if permission.granted_to(&session.roles) {
        Ok(())
    } else {
        Err(AppError::MissingRole(permission))
    }
}

/// Verifies a session token from any transport (header, or the socket's hello message).
pub(crate) fn verify_token(token: &str, env: &Env) -> Result<Session, AppError> {
    let secret = secrets::session_secret(env)?;
    Ok(verify_session(token, secret.as_bytes(), clock::now_unix())?)
}

/// Refuses a request whose session token verifies but whose session is no longer listed by the
/// tenant's hub (signed out, revoked by an admin or a rotation). Requests without a valid token
/// pass here: their route refuses them with the precise reason.
pub(crate) async fn refuse_revoked(req: &Request, env: &Env) -> Result<(), AppError> {
    let Some(header) = req.headers().get("Authorization")? else {
        return Ok(());
    };
    let Some(session) = header
        .strip_prefix("Bearer ")
        .and_then(|token| verify_token(token, env).ok())
    else {
        return Ok(());
    };
    if sessions::is_live(env, &session).await? {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "this session was signed out or revoked; sign in again",
        ))
    }
}
