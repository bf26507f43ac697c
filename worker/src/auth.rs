//! Who is calling: the widget's session token (`Authorization: Bearer …`), verified on every
//! request; on the admin API also a machine's API key (`Bearer tsk_…`), resolved into the same
//! [`Principal`].

use std::collections::BTreeSet;

use tsunagu_admin::{ApiKeyToken, api_key};
use tsunagu_auth::{ApiScope, LogScope, Permission, Session, SupervisorReach, verify_session};
use tsunagu_core::TenantId;
use worker::{Env, Request};

use crate::{clock, error::AppError, secrets, sessions, store};

/// A key's last use is written at most this often (not a D1 write per request).
const API_KEY_TOUCH_GAP_MS: u64 = 60_000;

/// Whoever a request of the admin API acts as: a widget session or an API key.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub(crate) tenant: TenantId,
    /// The agent id of a session, `key:<id>` for an API key: who the logs and records name.
    pub(crate) actor: String,
    grant: Grant,
}

#[derive(Debug, Clone)]
enum Grant {
    Session(Box<Session>),
    Scopes(BTreeSet<ApiScope>),
}

impl Principal {
    pub(crate) fn permits(&self, permission: Permission) -> bool {
        match &self.grant {
            Grant::Session(session) => permission.granted_to(&session.roles),
            Grant::Scopes(scopes) => ApiScope::any_grants(scopes, permission),
        }
    }

    /// Whose call log this principal reads: a session's by its roles (supervisors by the tenant's
    /// `reach`); a key with `conversations:read` or `admin` the whole tenant, as an admin does.
    pub(crate) fn log_scope(&self, reach: SupervisorReach) -> Option<LogScope> {
        match &self.grant {
            Grant::Session(session) => LogScope::of(session, reach),
            Grant::Scopes(scopes) => {
                ApiScope::any_grants(scopes, Permission::ReadLog).then_some(LogScope::Tenant)
            }
        }
    }
}

/// The principal of the request, if it may `permission`: an API key (`Bearer tsk_…`, checked
/// against its stored hash; revoked or unknown keys get 401) or a widget session (as
/// [`require`]); 403 when its roles or scopes do not reach.
pub(crate) async fn require_principal(
    req: &Request,
    env: &Env,
    permission: Permission,
) -> Result<Principal, AppError> {
    let bearer = req
        .headers()
        .get("Authorization")?
        .and_then(|header| header.strip_prefix("Bearer ").map(str::to_owned));
    let principal = match bearer {
        Some(token) if ApiKeyToken::looks_like_one(&token) => {
            api_key_principal(&token, env).await?
        }
        _ => {
            let session = session(req, env)?;
            Principal {
                tenant: session.tenant.clone(),
                actor: session.agent.as_str().to_owned(),
                grant: Grant::Session(Box::new(session)),
            }
        }
    };
    if principal.permits(permission) {
        Ok(principal)
    } else {
        Err(AppError::MissingRole(permission))
    }
}

async fn api_key_principal(token: &str, env: &Env) -> Result<Principal, AppError> {
    const REFUSED: &str = "this API key is not valid or was revoked";
    let key = ApiKeyToken::parse(token).ok_or(AppError::Unauthorized(REFUSED))?;
    let row = store::admin::api_key(env, &key.tenant, &key.id)
        .await?
        .ok_or(AppError::Unauthorized(REFUSED))?;
    // One answer for unknown, wrong and revoked keys: a guesser learns nothing.
    if !key.matches(&row.secret_sha256) || row.revoked_at_ms.is_some() {
        return Err(AppError::Unauthorized(REFUSED));
    }
    let now = clock::now_ms();
    if row
        .last_used_at_ms
        .is_none_or(|last| now.saturating_sub(last) >= API_KEY_TOUCH_GAP_MS)
    {
        store::admin::touch_api_key(env, &key.tenant, &key.id, now, API_KEY_TOUCH_GAP_MS).await?;
    }
    Ok(Principal {
        tenant: key.tenant,
        actor: format!("key:{}", key.id),
        grant: Grant::Scopes(api_key::scopes_of_column(&row.scopes)),
    })
}

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

/// The platform operator's routes (`/api/operator/*`): the request's `Authorization: Bearer`
/// must be the Worker secret `OPERATOR_KEY` (constant time). Without that secret the routes do
/// not exist (404), so a deployment that never sets it has no operator surface at all.
pub(crate) fn require_operator(req: &Request, env: &Env) -> Result<(), AppError> {
    use subtle::ConstantTimeEq as _;
    let configured = env
        .secret("OPERATOR_KEY")
        .map(|s| s.to_string())
        .ok()
        .filter(|key| !key.is_empty())
        .ok_or(AppError::NotFound)?;
    let presented = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .and_then(|header| header.strip_prefix("Bearer ").map(str::to_owned))
        .ok_or(AppError::Unauthorized("the operator key is required"))?;
    if bool::from(presented.as_bytes().ct_eq(configured.as_bytes())) {
        Ok(())
    } else {
        Err(AppError::Unauthorized("the operator key is required"))
    }
}
