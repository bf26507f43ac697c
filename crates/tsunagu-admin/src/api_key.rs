//! API keys: machines' credentials for the admin API (`Authorization: Bearer tsk_…`).
//!
//! A key reads `tsk_<tenant>_<id>_<secret>`: the tenant and the key's id say which row to read
//! without a scan, and the secret (32 random bytes, hex) is checked against the SHA-256 stored at
//! creation, in constant time. The plain key is shown once, in the creation's reply; only the
//! hash is stored, so a leaked database lets no one in. The randomness is the caller's (the
//! worker's CSPRNG): this crate does no I/O.

use std::{collections::BTreeSet, fmt};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tsunagu_auth::ApiScope;
use tsunagu_core::TenantId;

use crate::{ErrorCode, Invalid, fields::Fields};

const PREFIX: &str = "tsk_";
const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;
/// Longest key label.
pub const KEY_NAME_MAX_CHARS: u32 = 100;

/// A plain API key, as minted or as a request presents it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeyToken {
    pub tenant: TenantId,
    /// 16 hex digits: the key's row.
    pub id: String,
    secret: String,
}

impl fmt::Debug for ApiKeyToken {
    // The secret never reaches a log line, even through a debug print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyToken")
            .field("tenant", &self.tenant)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ApiKeyToken {
    /// A new key of `tenant` from random bytes (the caller's CSPRNG).
    pub fn mint(tenant: TenantId, id: [u8; ID_BYTES], secret: [u8; SECRET_BYTES]) -> ApiKeyToken {
        ApiKeyToken {
            tenant,
            id: hex(&id),
            secret: hex(&secret),
        }
    }

    /// Reads a presented key; `None` unless it has exactly the minted shape.
    pub fn parse(raw: &str) -> Option<ApiKeyToken> {
        let rest = raw.strip_prefix(PREFIX)?;
        // Tenant ids hold no `_`, so the three parts split unambiguously.
        let mut parts = rest.split('_');
        let (tenant, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !is_hex(id, ID_BYTES) || !is_hex(secret, SECRET_BYTES) {
            return None;
        }
        Some(ApiKeyToken {
            tenant: TenantId::new(tenant).ok()?,
            id: id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// Whether `raw` looks like an API key at all (rather than a widget session token).
    pub fn looks_like_one(raw: &str) -> bool {
        raw.starts_with(PREFIX)
    }

    /// The plain key, for the one reply that shows it.
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}_{}_{}", self.tenant, self.id, self.secret)
    }

    /// The SHA-256 of the secret, hex: what the store keeps.
    pub fn secret_hash(&self) -> String {
        hex(&Sha256::digest(self.secret.as_bytes()))
    }

    /// Whether this key's secret is the one `stored_hash` was made from (constant time).
    pub fn matches(&self, stored_hash: &str) -> bool {
        self.secret_hash()
            .as_bytes()
            .ct_eq(stored_hash.as_bytes())
            .into()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_hex(raw: &str, bytes: usize) -> bool {
    raw.len() == bytes * 2 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `POST /api/admin/api-keys`: a label and the scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKeyInput {
    pub name: String,
    #[serde(serialize_with = "serialize_scopes")]
    pub scopes: BTreeSet<ApiScope>,
}

impl ApiKeyInput {
    pub fn validate(body: &Value) -> Result<ApiKeyInput, Invalid> {
        let mut fields = Fields::of(body);
        let name = fields.text("name", KEY_NAME_MAX_CHARS);
        let scopes = match fields.list("scopes", ApiScope::ALL.len() as u32) {
            Some(items) if items.is_empty() => {
                fields.fail("scopes", ErrorCode::Blank);
                None
            }
            Some(items) => {
                let mut scopes = BTreeSet::new();
                let mut ok = true;
                for (index, item) in items.iter().enumerate() {
                    let path = format!("scopes[{index}]");
                    match item.as_str().map(ApiScope::from_name) {
                        Some(Some(scope)) if !scopes.insert(scope) => {
                            fields.fail(path, ErrorCode::Duplicate);
                            ok = false;
                        }
                        Some(Some(_)) => {}
                        Some(None) => {
                            fields.fail(path, ErrorCode::UnknownValue);
                            ok = false;
                        }
                        None => {
                            fields.fail(path, ErrorCode::NotText);
                            ok = false;
                        }
                    }
                }
                ok.then_some(scopes)
            }
            None => {
                if fields.get("scopes").is_none() {
                    fields.fail("scopes", ErrorCode::Required);
                }
                None
            }
        };
        let input = (|| {
            Some(ApiKeyInput {
                name: name?,
                scopes: scopes?,
            })
        })();
        fields.finish(input)
    }
}

/// Scopes as the store keeps them: names, space-separated.
pub fn scopes_column(scopes: &BTreeSet<ApiScope>) -> String {
    scope_names(scopes).join(" ")
}

/// The scopes of a stored column; names this version does not know grant nothing.
pub fn scopes_of_column(column: &str) -> BTreeSet<ApiScope> {
    column
        .split_whitespace()
        .filter_map(ApiScope::from_name)
        .collect()
}

/// The scopes' names, in order.
pub fn scope_names(scopes: &BTreeSet<ApiScope>) -> Vec<&'static str> {
    scopes.iter().map(|scope| scope.as_str()).collect()
}

fn serialize_scopes<S: serde::Serializer>(
    scopes: &BTreeSet<ApiScope>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(scope_names(scopes))
}
