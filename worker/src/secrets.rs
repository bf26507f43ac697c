//! Per-tenant and global secrets: Worker secrets (`wrangler secret put`), `.dev.vars` in development.
//!
//! A tenant's secrets are named `TENANT_<ID>_<KIND>` with the id upper-cased and `-` as `_`, so an
//! operator can see at a glance which tenant a secret belongs to. Tenant ids are `[a-z0-9-]{1,63}`,
//! so two tenants never share a name.

use tsunagu_core::TenantId;
use worker::Env;

use crate::error::AppError;

/// Which of a tenant's secrets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TenantSecret {
    /// Signs the CRM's embed tokens (shared with the CRM vendor's backend).
    EmbedSecret,
    /// Twilio's primary auth token: verifies webhook signatures.
    TwilioAuthToken,
    /// Secret of the Twilio API key: signs Access Tokens and authenticates REST calls.
    TwilioApiKeySecret,
    /// Cloudflare Turnstile's secret for the tenant's site key: checks the call page's challenge.
    TurnstileSecret,
}

impl TenantSecret {
    fn suffix(self) -> &'static str {
        match self {
            TenantSecret::EmbedSecret => "EMBED_SECRET",
            TenantSecret::TwilioAuthToken => "TWILIO_AUTH_TOKEN",
            TenantSecret::TwilioApiKeySecret => "TWILIO_API_KEY_SECRET",
            TenantSecret::TurnstileSecret => "TURNSTILE_SECRET",
        }
    }
}

/// The name of a tenant's secret, e.g. `TENANT_DEMO_EMBED_SECRET`. Distinct tenants never share
/// one: `TenantId::secret_name_part` is one-to-one (a property test in `tsunagu-core`).
pub(crate) fn secret_name(tenant: &TenantId, which: TenantSecret) -> String {
    format!("TENANT_{}_{}", tenant.secret_name_part(), which.suffix())
}

/// A tenant's secret, or `None` when the operator has not set it.
pub(crate) fn tenant_secret(env: &Env, tenant: &TenantId, which: TenantSecret) -> Option<String> {
    env.secret(&secret_name(tenant, which))
        .ok()
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
}

/// The key that signs widget session tokens; without it the worker refuses to open sessions.
pub(crate) fn session_secret(env: &Env) -> Result<String, AppError> {
    env.secret("SESSION_SECRET")
        .ok()
        .map(|s| s.to_string())
        .filter(|s| s.len() >= 32)
        .ok_or_else(|| {
            AppError::Internal("SESSION_SECRET is not set (or shorter than 32 bytes)".into())
        })
}
