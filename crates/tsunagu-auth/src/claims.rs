//! The agent claims that embed and session tokens share, and the time rules both obey.

use std::{collections::BTreeSet, fmt};

use serde::Serialize;
use serde_json::{Map, Value};
use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{AuthError, EmbedClaims, jwt};

/// How far ahead of our clock a token's `iat` or `nbf` may be (the CRM's clock may run fast).
pub const CLOCK_SKEW_SECS: u64 = 60;

/// HS256 secrets shorter than this are refused for minting and verifying alike (RFC 7518 §3.2
/// asks for a key at least as long as the hash output).
pub const MIN_SECRET_LEN: usize = 32;

const NAME_MAX_CHARS: usize = 100;

/// The longest `jti` accepted: ids are for the replay cache, which stores every one of them.
pub const TOKEN_ID_MAX_CHARS: usize = 128;

/// What an agent may do in the widget. Tokens name roles by [`Role::as_str`]; names this
/// version does not know are ignored, so a CRM can send roles of a newer version safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Takes and places calls; reads their own conversations and KPIs.
    Agent,
    /// Also reads their teams' conversations and KPIs (or the tenant's, by configuration).
    Supervisor,
    /// Administers the tenant: directory, settings, sessions. Reads everything of the tenant.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Agent, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// The role with this exact (lowercase) name, if it is one this version knows.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every token grants at least the agent role: being signed in as an agent is what it says.
pub(crate) fn effective_roles(roles: &BTreeSet<Role>) -> BTreeSet<Role> {
    if roles.is_empty() {
        BTreeSet::from([Role::Agent])
    } else {
        roles.clone()
    }
}

pub(crate) fn check_secret(secret: &[u8]) -> Result<(), AuthError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(AuthError::WeakSecret);
    }
    Ok(())
}

/// Display names are shown in other agents' widgets, so control characters (which could
/// forge line breaks in logs or rearrange text with bidi overrides) are refused.
pub(crate) fn check_name(name: &str) -> Result<(), AuthError> {
    let chars = name.chars().count();
    let valid = (1..=NAME_MAX_CHARS).contains(&chars)
        && !name.chars().all(char::is_whitespace)
        && !name.chars().any(|c| c.is_control() || is_bidi_control(c));
    if valid {
        Ok(())
    } else {
        Err(AuthError::InvalidClaim("name"))
    }
}

/// A token id (`jti`): 1 to [`TOKEN_ID_MAX_CHARS`] printable ASCII characters, so that it can be
/// a storage key and a log field as it is.
pub(crate) fn check_token_id(id: &str) -> Result<(), AuthError> {
    let valid =
        (1..=TOKEN_ID_MAX_CHARS).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(())
    } else {
        Err(AuthError::InvalidClaim("jti"))
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[derive(Serialize)]
struct WireClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<&'a str>,
    roles: Vec<&'static str>,
    jti: &'a str,
    iat: u64,
    exp: u64,
}

/// Signs `claims` for `audience`, refusing anything that [`read`] would refuse at any time.
pub(crate) fn write(
    claims: &EmbedClaims,
    audience: &str,
    max_lifetime_secs: u64,
    secret: &[u8],
) -> Result<String, AuthError> {
    check_secret(secret)?;
    check_name(&claims.name)?;
    check_token_id(&claims.token_id)?;
    check_lifetime(claims.issued_at, claims.expires_at, max_lifetime_secs)?;
    let wire = WireClaims {
        iss: claims.tenant.as_str(),
        aud: audience,
        sub: claims.agent.as_str(),
        name: &claims.name,
        team: claims.team.as_ref().map(TeamId::as_str),
        roles: effective_roles(&claims.roles)
            .into_iter()
            .map(Role::as_str)
            .collect(),
        jti: &claims.token_id,
        iat: claims.issued_at,
        exp: claims.expires_at,
    };
    Ok(jwt::encode(&Map::new(), &wire, secret)?)
}

/// Verifies `token` and reads the agent claims, checking audience and time.
pub(crate) fn read(
    token: &str,
    secret: &[u8],
    audience: &str,
    max_lifetime_secs: u64,
    now_unix: u64,
) -> Result<EmbedClaims, AuthError> {
    check_secret(secret)?;
    let decoded = jwt::verify(token, secret)?;
    let claims = decoded.claims.as_object().ok_or(AuthError::Malformed)?;
    check_audience(claims.get("aud"), audience)?;

    let tenant = id_claim(claims, "iss", TenantId::new)?;
    let agent = id_claim(claims, "sub", AgentId::new)?;
    let name = claims
        .get("name")
        .and_then(Value::as_str)
        .ok_or(AuthError::InvalidClaim("name"))?;
    check_name(name)?;
    let team = match claims.get("team") {
        None | Some(Value::Null) => None,
        Some(_) => Some(id_claim(claims, "team", TeamId::new)?),
    };
    let roles = roles_claim(claims.get("roles"))?;
    let token_id = claims
        .get("jti")
        .ok_or(AuthError::MissingTokenId)?
        .as_str()
        .ok_or(AuthError::InvalidClaim("jti"))?;
    check_token_id(token_id)?;
    let issued_at = seconds_claim(claims, "iat")?.ok_or(AuthError::InvalidClaim("iat"))?;
    let expires_at = seconds_claim(claims, "exp")?.ok_or(AuthError::InvalidClaim("exp"))?;
    let not_before = seconds_claim(claims, "nbf")?;

    check_lifetime(issued_at, expires_at, max_lifetime_secs)?;
    if expires_at <= now_unix {
        return Err(AuthError::Expired);
    }
    let latest_start = now_unix.saturating_add(CLOCK_SKEW_SECS);
    if issued_at > latest_start || not_before.is_some_and(|nbf| nbf > latest_start) {
        return Err(AuthError::NotYetValid);
    }

    Ok(EmbedClaims {
        tenant,
        agent,
        name: name.to_owned(),
        team,
        roles,
        token_id: token_id.to_owned(),
        issued_at,
        expires_at,
    })
}

fn check_lifetime(issued_at: u64, expires_at: u64, max_secs: u64) -> Result<(), AuthError> {
    if expires_at <= issued_at {
        return Err(AuthError::InvalidClaim("exp"));
    }
    if expires_at - issued_at > max_secs {
        return Err(AuthError::LifetimeTooLong);
    }
    Ok(())
}

/// RFC 7519 allows `aud` to be one string or an array of strings.
fn check_audience(aud: Option<&Value>, expected: &str) -> Result<(), AuthError> {
    let matches = match aud {
        Some(Value::String(single)) => single == expected,
        Some(Value::Array(many)) => many.iter().any(|a| a.as_str() == Some(expected)),
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        Err(AuthError::WrongAudience)
    }
}

fn id_claim<T, E>(
    claims: &Map<String, Value>,
    name: &'static str,
    parse: impl FnOnce(String) -> Result<T, E>,
) -> Result<T, AuthError> {
    let raw = claims
        .get(name)
        .and_then(Value::as_str)
        .ok_or(AuthError::InvalidClaim(name))?;
    parse(raw.to_owned()).map_err(|_| AuthError::InvalidClaim(name))
}

/// A NumericDate as whole non-negative seconds; absent is `None`, anything else is refused.
fn seconds_claim(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<u64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or(AuthError::InvalidClaim(name)),
    }
}

fn roles_claim(roles: Option<&Value>) -> Result<BTreeSet<Role>, AuthError> {
    let names = match roles {
        None | Some(Value::Null) => return Ok(effective_roles(&BTreeSet::new())),
        Some(Value::Array(names)) => names,
        Some(_) => return Err(AuthError::InvalidClaim("roles")),
    };
    let mut known = BTreeSet::new();
    for name in names {
        let name = name.as_str().ok_or(AuthError::InvalidClaim("roles"))?;
        known.extend(Role::from_name(name));
    }
    Ok(effective_roles(&known))
}
