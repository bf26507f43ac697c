//! Embed tokens: what a tenant's CRM backend signs so that its logged-in agent can open the widget.

use std::collections::BTreeSet;

use serde_json::Value;
use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{AuthError, Role, claims, jwt};

/// The `aud` every embed token must carry, so that no other token of the tenant's is accepted.
pub const EMBED_AUDIENCE: &str = "tsunagu-embed";

/// Embed tokens travel through the CRM page, so they are short-lived: `exp - iat` at most this.
pub const EMBED_MAX_LIFETIME_SECS: u64 = 600;

/// The claims of a verified embed token (on the wire: `iss`, `sub`, `name`, `team`, `roles`,
/// `jti`, `iat`, `exp`, plus `aud` = [`EMBED_AUDIENCE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedClaims {
    /// `iss`: the tenant, whose embed secret signed the token.
    pub tenant: TenantId,
    /// `sub`.
    pub agent: AgentId,
    /// Display name: 1 to 100 characters, no control characters.
    pub name: String,
    pub team: Option<TeamId>,
    /// Never empty once verified: a token without known roles grants [`Role::Agent`].
    pub roles: BTreeSet<Role>,
    /// `jti`: the token's id, 1 to [`crate::TOKEN_ID_MAX_CHARS`] printable ASCII characters.
    /// Required: the worker accepts each embed token once (the hub's replay cache remembers the
    /// id until the token expires).
    pub token_id: String,
    /// `iat`, unix seconds.
    pub issued_at: u64,
    /// `exp`, unix seconds.
    pub expires_at: u64,
}

/// The tenant a token claims to come from (`iss`), read **without verifying** anything: only
/// to choose the secret to verify it with.
pub fn peek_tenant(token: &str) -> Result<TenantId, AuthError> {
    let decoded = jwt::decode_unverified(token)?;
    decoded
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|iss| TenantId::new(iss).ok())
        .ok_or(AuthError::InvalidClaim("iss"))
}

/// Verifies an embed token signed with the tenant's `secret` at `now_unix` (seconds): HS256,
/// `aud`, a `jti`, `exp > now`, `iat` (and `nbf`, if present) at most [`crate::CLOCK_SKEW_SECS`] ahead,
/// and a lifetime of at most [`EMBED_MAX_LIFETIME_SECS`].
pub fn verify_embed_token(
    token: &str,
    secret: &[u8],
    now_unix: u64,
) -> Result<EmbedClaims, AuthError> {
    claims::read(
        token,
        secret,
        EMBED_AUDIENCE,
        EMBED_MAX_LIFETIME_SECS,
        now_unix,
    )
}

/// Signs an embed token as a CRM backend would (for tests, the demo and the CLI). Refuses
/// claims that could never verify: a bad name, `expires_at <= issued_at`, a lifetime over
/// [`EMBED_MAX_LIFETIME_SECS`], or a secret shorter than [`crate::MIN_SECRET_LEN`].
pub fn mint_embed_token(claims: &EmbedClaims, secret: &[u8]) -> Result<String, AuthError> {
    claims::write(claims, EMBED_AUDIENCE, EMBED_MAX_LIFETIME_SECS, secret)
}
