//! Tests for JWTs, embed tokens and session tokens: snapshots of every refusal, and properties.

mod access;
mod address;
mod bucket;
mod embed;
mod jwt;
mod ledger;
mod props;
mod session;
mod turn;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{EmbedClaims, Role};

/// 32 bytes: the shortest secret that is accepted.
const SECRET: &[u8] = b"tenant-acme-embed-secret-32bytes";
const NOW: u64 = 1_700_000_000;

fn sample_claims() -> EmbedClaims {
    EmbedClaims {
        tenant: TenantId::new("acme-jp").expect("valid tenant"),
        agent: AgentId::new("sato_k").expect("valid agent"),
        name: "佐藤 健".to_owned(),
        team: Some(TeamId::new("support").expect("valid team")),
        roles: BTreeSet::from([Role::Supervisor]),
        token_id: "embed-0001".to_owned(),
        issued_at: NOW,
        expires_at: NOW + 300,
    }
}

/// The wire claims a CRM would write for [`sample_claims`], for tests that edit one claim.
fn sample_wire_claims() -> Value {
    json!({
        "iss": "acme-jp",
        "aud": "tsunagu-embed",
        "sub": "sato_k",
        "name": "佐藤 健",
        "team": "support",
        "roles": ["supervisor"],
        "jti": "embed-0001",
        "iat": NOW,
        "exp": NOW + 300,
    })
}

/// Signs arbitrary claims, bypassing the minting rules, as a careless or hostile CRM might.
fn sign_raw(claims: &Value) -> String {
    crate::jwt::encode(&Map::new(), claims, SECRET).expect("claims are an object")
}

/// Builds a compact token from raw header and payload JSON text, signed with [`SECRET`].
fn token_from_parts(header: &str, payload: &str) -> String {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    use hmac::{Hmac, KeyInit as _, Mac as _};

    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).expect("any key length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}
