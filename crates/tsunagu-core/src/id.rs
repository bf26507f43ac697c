//! Newtype identifiers for tenants, agents and teams, validated once at the edge of the system.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than {max} characters")]
    TooLong { kind: &'static str, max: usize },
    #[error("{kind} may contain only ASCII letters, digits, `_` and `-`")]
    InvalidCharacter { kind: &'static str },
    #[error("{kind} may contain only ASCII letters, digits and `_`")]
    InvalidIdentityCharacter { kind: &'static str },
    #[error("{kind} may contain only lower-case ASCII letters, digits and `-`")]
    InvalidTenantCharacter { kind: &'static str },
}

/// Which characters an identifier may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    /// ASCII letters, digits, `_` and `-`.
    Id,
    /// ASCII letters, digits and `_`: a Twilio `<Client>` identity.
    Identity,
    /// Lower-case ASCII letters, digits and `-`: a tenant, whose id also names its secrets
    /// (`TENANT_<ID>_…`, upper-cased, `-` as `_`), which only this charset keeps one-to-one.
    Tenant,
}

/// Identifiers travel in URLs, JWT claims and Twilio `<Client>` names, so they are restricted to a
/// charset that needs no escaping anywhere. Agent ids are further restricted: with their tenant
/// they form Twilio `<Client>` identities, which allow only `[A-Za-z0-9_]{1,121}`. Tenant ids are
/// `[a-z0-9-]{1,63}` (a DNS label's shape): `acme-jp`, `acme_jp` and `ACME-JP` would otherwise
/// name the same secrets.
fn validate(kind: &'static str, max: usize, charset: Charset, raw: &str) -> Result<(), IdError> {
    if raw.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if raw.len() > max {
        return Err(IdError::TooLong { kind, max });
    }
    let allowed = |b: u8| match charset {
        Charset::Id => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
        Charset::Identity => b.is_ascii_alphanumeric() || b == b'_',
        Charset::Tenant => b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-',
    };
    if !raw.bytes().all(allowed) {
        return Err(match charset {
            Charset::Id => IdError::InvalidCharacter { kind },
            Charset::Identity => IdError::InvalidIdentityCharacter { kind },
            Charset::Tenant => IdError::InvalidTenantCharacter { kind },
        });
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:expr) => {
        string_id!($(#[$doc])* $name, $kind, $max, Charset::Id);
    };
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:expr, $charset:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `raw` and wraps it.
            pub fn new(raw: impl Into<String>) -> Result<Self, IdError> {
                let raw = raw.into();
                validate($kind, $max, $charset, &raw)?;
                Ok(Self(raw))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(raw: String) -> Result<Self, IdError> {
                Self::new(raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A customer company of Tsunagu (`demo`, `acme-jp`). Routes every request to its data.
    TenantId,
    "tenant id",
    63,
    Charset::Tenant
);

impl TenantId {
    /// The id as it appears in the names of the tenant's secrets (`TENANT_<ID>_EMBED_SECRET`):
    /// upper-cased, `-` as `_`. One-to-one over valid ids, since they hold neither `_` nor
    /// upper case.
    pub fn secret_name_part(&self) -> String {
        self.0
            .chars()
            .map(|c| {
                if c == '-' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect()
    }
}
/// The longest agent id: with the tenant id (≤ 63) and a separator it forms the agent's Twilio
/// `<Client>` identity, which Twilio caps at 121 characters (see `ClientIdentity`).
pub(crate) const AGENT_ID_MAX: usize = 57;

string_id!(
    /// An agent, unique within a tenant. With its tenant, also the Twilio `<Client>` identity
    /// (`ClientIdentity`), hence the charset and the limit.
    AgentId,
    "agent id",
    AGENT_ID_MAX,
    Charset::Identity
);
string_id!(
    /// A team of agents within a tenant.
    TeamId,
    "team id",
    64
);
string_id!(
    /// A customer record of the tenant's CRM (the caller, once looked up).
    CustomerId,
    "customer id",
    128
);
string_id!(
    /// One customer contact on any channel, from arrival to wrap-up: the unit routing and the call
    /// log are about. For a voice call it is minted by the worker and travels in TwiML parameters.
    InteractionId,
    "interaction id",
    64
);
string_id!(
    /// One call leg at Twilio (`CallSid`, `ParentCallSid`, `DialCallSid`). Twilio's are `CA` plus 32
    /// hex digits; the test double mints its own, so only the charset and a bound are checked.
    CallSid,
    "call sid",
    64
);
string_id!(
    /// One recording at Twilio (`RecordingSid`).
    RecordingSid,
    "recording sid",
    64
);
