//! Which secrets a tenant has, their names in the admin API, and the bounds of their values.

/// One of a tenant's secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretName {
    /// Signs the CRM's embed tokens (shared with the CRM vendor's backend).
    EmbedSecret,
    /// Twilio's auth token: verifies webhook signatures.
    TwilioAuthToken,
    /// Secret of the Twilio API key: signs Access Tokens and authenticates REST calls.
    TwilioApiKeySecret,
    /// Cloudflare Turnstile's secret for the tenant's site key.
    TurnstileSecret,
    /// Signs the live CRM lookup's requests (`Tsunagu-Signature`, as webhooks are signed).
    CrmLookupSecret,
}

impl SecretName {
    pub const ALL: [SecretName; 5] = [
        SecretName::EmbedSecret,
        SecretName::TwilioAuthToken,
        SecretName::TwilioApiKeySecret,
        SecretName::TurnstileSecret,
        SecretName::CrmLookupSecret,
    ];

    /// The name in the admin API and in D1 (`tenant_secrets.name`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::EmbedSecret => "embed_secret",
            SecretName::TwilioAuthToken => "twilio_auth_token",
            SecretName::TwilioApiKeySecret => "twilio_api_key_secret",
            SecretName::TurnstileSecret => "turnstile_secret",
            SecretName::CrmLookupSecret => "crm_lookup_secret",
        }
    }

    pub fn from_name(name: &str) -> Option<SecretName> {
        SecretName::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// The suffix of the legacy Worker secret `TENANT_<ID>_<SUFFIX>`.
    pub fn env_suffix(self) -> &'static str {
        match self {
            SecretName::EmbedSecret => "EMBED_SECRET",
            SecretName::TwilioAuthToken => "TWILIO_AUTH_TOKEN",
            SecretName::TwilioApiKeySecret => "TWILIO_API_KEY_SECRET",
            SecretName::TurnstileSecret => "TURNSTILE_SECRET",
            SecretName::CrmLookupSecret => "CRM_LOOKUP_SECRET",
        }
    }

    /// Whether the value it replaces stays valid for the grace period. Secrets that *verify*
    /// (embed tokens the CRM signed a moment ago, webhooks Twilio signed during its own token
    /// promotion) keep it; secrets we *sign or authenticate with* switch at once: only one value
    /// can be used, and it must be the new one.
    pub fn keeps_previous(self) -> bool {
        matches!(self, SecretName::EmbedSecret | SecretName::TwilioAuthToken)
    }

    /// The fewest characters a value may have: embed secrets are HMAC keys (at least 32 bytes,
    /// as the README asks of CRM vendors); Twilio's and Cloudflare's secrets are 32 or more.
    pub fn min_chars(self) -> u32 {
        match self {
            SecretName::EmbedSecret => 32,
            _ => 16,
        }
    }

    /// The most characters a value may have.
    pub const MAX_CHARS: u32 = 512;
}
