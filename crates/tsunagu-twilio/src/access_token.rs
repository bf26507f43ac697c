//! Twilio Access Tokens with a Voice grant, claim for claim as Twilio's helper libraries mint them.

use std::{collections::BTreeMap, fmt};

use serde::Serialize;
use serde_json::{Map, Value};
use tsunagu_auth::jwt::{self, JwtError};

/// Lifetime when none is chosen, as in Twilio's libraries.
pub const DEFAULT_TTL_SECS: u64 = 3600;
/// Twilio refuses longer-lived tokens (error 20157).
pub const MAX_TTL_SECS: u64 = 86_400;
/// The `cty` header that marks a Twilio access token.
pub const CONTENT_TYPE: &str = "twilio-fpa;v=1";

const IDENTITY_MAX_LEN: usize = 121;

/// Why an access token could not be minted. Messages never quote the inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessTokenError {
    #[error("The identity must be 1 to 121 ASCII letters, digits or underscores.")]
    InvalidIdentity,
    #[error("The {kind} must be `{prefix}` followed by 32 hexadecimal digits.")]
    InvalidSid {
        kind: &'static str,
        prefix: &'static str,
    },
    #[error("The token lifetime must be between 1 and 86400 seconds.")]
    InvalidTtl,
    #[error("The region must be 1 to 16 lowercase ASCII letters or digits, such as `au1`.")]
    InvalidRegion,
    #[error("The API key secret is empty.")]
    EmptySecret,
    #[error("The not-before time must be earlier than the expiry.")]
    NotBeforeAfterExpiry,
    #[error("The expiry time does not fit in 64 bits.")]
    TimeOutOfRange,
    #[error("The token could not be encoded: {0}")]
    Encoding(#[from] JwtError),
}

/// The name a Voice SDK device registers as (`client:<identity>`). Restricted to what every
/// Twilio SDK accepts, mobile included: `[A-Za-z0-9_]{1,121}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identity(String);

impl Identity {
    pub fn new(raw: impl Into<String>) -> Result<Self, AccessTokenError> {
        let raw = raw.into();
        let valid = (1..=IDENTITY_MAX_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(Identity(raw))
        } else {
            Err(AccessTokenError::InvalidIdentity)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Identity {
    type Error = AccessTokenError;
    fn try_from(raw: &str) -> Result<Self, AccessTokenError> {
        Identity::new(raw)
    }
}

impl TryFrom<String> for Identity {
    type Error = AccessTokenError;
    fn try_from(raw: String) -> Result<Self, AccessTokenError> {
        Identity::new(raw)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Outgoing calls through a TwiML App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingGrant {
    /// `AP…`.
    pub application_sid: String,
    /// Passed by Twilio to the TwiML App on every outgoing call; omitted when empty.
    pub params: BTreeMap<String, String>,
}

/// What the Voice SDK may do with the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceGrant {
    /// Receive calls to `client:<identity>`.
    pub incoming_allow: bool,
    pub outgoing: Option<OutgoingGrant>,
    /// `CR…`, for mobile push notifications.
    pub push_credential_sid: Option<String>,
    pub endpoint_id: Option<String>,
}

/// An access token for Twilio's client SDKs, signed with an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// `AC…`, the `sub`.
    pub account_sid: String,
    /// `SK…`, the `iss`; its secret signs the token.
    pub api_key_sid: String,
    pub identity: Identity,
    /// Lifetime in seconds, 1 to [`MAX_TTL_SECS`].
    pub ttl: u64,
    pub voice: Option<VoiceGrant>,
    /// Home region (`twr` header, e.g. `au1`); the API key must belong to that region.
    pub region: Option<String>,
    /// `nbf`, unix seconds; written only when set (Twilio's node library does the same).
    pub nbf: Option<u64>,
}

impl AccessToken {
    /// A token for `identity` with no grant but the identity, valid for [`DEFAULT_TTL_SECS`].
    pub fn new(
        account_sid: impl Into<String>,
        api_key_sid: impl Into<String>,
        identity: Identity,
    ) -> Self {
        AccessToken {
            account_sid: account_sid.into(),
            api_key_sid: api_key_sid.into(),
            identity,
            ttl: DEFAULT_TTL_SECS,
            voice: None,
            region: None,
            nbf: None,
        }
    }

    /// Signs the token (HS256 with the API key secret), issued at `now_unix`: header
    /// `{alg, typ, cty[, twr]}`, claims `{jti, grants, iat, exp, iss, sub[, nbf]}`.
    pub fn to_jwt(&self, api_key_secret: &str, now_unix: u64) -> Result<String, AccessTokenError> {
        check_sid(&self.account_sid, "account sid", "AC")?;
        check_sid(&self.api_key_sid, "API key sid", "SK")?;
        if !(1..=MAX_TTL_SECS).contains(&self.ttl) {
            return Err(AccessTokenError::InvalidTtl);
        }
        if api_key_secret.is_empty() {
            return Err(AccessTokenError::EmptySecret);
        }
        let voice = self.voice.as_ref().map(voice_claims).transpose()?;
        let exp = now_unix
            .checked_add(self.ttl)
            .ok_or(AccessTokenError::TimeOutOfRange)?;
        if self.nbf.is_some_and(|nbf| nbf >= exp) {
            return Err(AccessTokenError::NotBeforeAfterExpiry);
        }

        let mut header = Map::new();
        header.insert("cty".to_owned(), Value::from(CONTENT_TYPE));
        if let Some(region) = &self.region {
            let valid = (1..=16).contains(&region.len())
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !valid {
                return Err(AccessTokenError::InvalidRegion);
            }
            header.insert("twr".to_owned(), Value::from(region.as_str()));
        }

        let claims = Claims {
            jti: format!("{}-{now_unix}", self.api_key_sid),
            grants: Grants {
                identity: self.identity.as_str(),
                voice,
            },
            iat: now_unix,
            exp,
            iss: &self.api_key_sid,
            sub: &self.account_sid,
            nbf: self.nbf,
        };
        Ok(jwt::encode(&header, &claims, api_key_secret.as_bytes())?)
    }
}

fn check_sid(sid: &str, kind: &'static str, prefix: &'static str) -> Result<(), AccessTokenError> {
    let valid = sid
        .strip_prefix(prefix)
        .is_some_and(|digits| digits.len() == 32 && digits.bytes().all(|b| b.is_ascii_hexdigit()));
    if valid {
        Ok(())
    } else {
        Err(AccessTokenError::InvalidSid { kind, prefix })
    }
}

fn voice_claims(grant: &VoiceGrant) -> Result<VoiceClaims<'_>, AccessTokenError> {
    let outgoing = match &grant.outgoing {
        Some(outgoing) => {
            check_sid(&outgoing.application_sid, "TwiML App sid", "AP")?;
            Some(OutgoingClaims {
                application_sid: &outgoing.application_sid,
                params: (!outgoing.params.is_empty()).then_some(&outgoing.params),
            })
        }
        None => None,
    };
    if let Some(sid) = &grant.push_credential_sid {
        check_sid(sid, "push credential sid", "CR")?;
    }
    Ok(VoiceClaims {
        incoming: grant.incoming_allow.then_some(Incoming { allow: true }),
        outgoing,
        push_credential_sid: grant.push_credential_sid.as_deref(),
        endpoint_id: grant.endpoint_id.as_deref(),
    })
}

#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    grants: Grants<'a>,
    iat: u64,
    exp: u64,
    iss: &'a str,
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
}

#[derive(Serialize)]
struct Grants<'a> {
    identity: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice: Option<VoiceClaims<'a>>,
}

#[derive(Serialize)]
struct VoiceClaims<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    incoming: Option<Incoming>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outgoing: Option<OutgoingClaims<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    push_credential_sid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Incoming {
    allow: bool,
}

#[derive(Serialize)]
struct OutgoingClaims<'a> {
    application_sid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a BTreeMap<String, String>>,
}
