//! An agent's address at the voice provider: the Twilio `<Client>` identity, namespaced by tenant.
//!
//! Two tenants may share one Twilio account (a reseller, or a company's group companies). Twilio
//! routes `<Client>` calls by identity across the whole account, so if the identity were the bare
//! agent id, tenant A's call for `sato` would ring tenant B's `sato` too. The identity therefore
//! carries the tenant, in a form that is one-to-one: distinct (tenant, agent) pairs never share an
//! identity, and every identity Tsunagu writes reads back to the pair it came from.
//!
//! Form: the tenant id with each `-` written as `X`, then `_`, then the agent id
//! (`demo` + `sato` → `demo_sato`; `acme-jp` + `sato` → `acmeXjp_sato`). Twilio identities allow
//! only `[A-Za-z0-9_]`, so `-` needs a stand-in; tenant ids are lower-case, so `X` cannot be one
//! of theirs, and they hold no `_`, so the first `_` always ends the tenant. The tenant (≤ 63)
//! plus `_` plus the agent (≤ [`AGENT_ID_MAX`]) fits Twilio's 121 characters.

use std::fmt::{self, Write as _};

use crate::{AgentId, IdError, TenantId, id::AGENT_ID_MAX};

/// Twilio's limit on a `<Client>` identity.
pub const CLIENT_IDENTITY_MAX: usize = 121;

/// Stands for `-` of a tenant id inside an identity.
const HYPHEN: char = 'X';
/// Ends the tenant part.
const SEPARATOR: char = '_';

/// Why a string is not an identity Tsunagu writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientIdentityError {
    #[error("the identity has no `_` between tenant and agent")]
    NoSeparator,
    #[error("the identity's tenant part is not a tenant id: {0}")]
    Tenant(IdError),
    #[error("the identity's agent part is not an agent id: {0}")]
    Agent(IdError),
}

/// One agent of one tenant, as the voice provider names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientIdentity {
    tenant: TenantId,
    agent: AgentId,
}

impl ClientIdentity {
    pub fn new(tenant: TenantId, agent: AgentId) -> Self {
        Self { tenant, agent }
    }

    /// Reads an identity (without the `client:` prefix of Twilio's `To`/`From`).
    pub fn parse(raw: &str) -> Result<Self, ClientIdentityError> {
        let (tenant, agent) = raw
            .split_once(SEPARATOR)
            .ok_or(ClientIdentityError::NoSeparator)?;
        // A `-` written as itself would read back as the same tenant as its `X` form, and the
        // identity charset has no `-` anyway: refuse it so each tenant has exactly one spelling.
        if tenant.contains('-') {
            return Err(ClientIdentityError::Tenant(
                IdError::InvalidTenantCharacter { kind: "tenant id" },
            ));
        }
        let tenant =
            TenantId::new(tenant.replace(HYPHEN, "-")).map_err(ClientIdentityError::Tenant)?;
        let agent = AgentId::new(agent).map_err(ClientIdentityError::Agent)?;
        Ok(Self { tenant, agent })
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    pub fn agent(&self) -> &AgentId {
        &self.agent
    }

    pub fn into_agent(self) -> AgentId {
        self.agent
    }
}

impl fmt::Display for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.tenant.as_str().chars() {
            f.write_char(if c == '-' { HYPHEN } else { c })?;
        }
        write!(f, "{SEPARATOR}{}", self.agent)
    }
}

// The longest tenant, the separator and the longest agent must fit Twilio's limit.
const _: () = assert!(63 + 1 + AGENT_ID_MAX <= CLIENT_IDENTITY_MAX);
