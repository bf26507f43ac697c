//! Sealing and opening one value: AES-256-GCM with the tenant, the secret's name and the key id as associated data.

use aes_gcm::{
    Aes256Gcm, KeyInit as _, Nonce,
    aead::{Aead as _, Payload},
};
use tsunagu_core::TenantId;

use crate::{Keyring, MasterKey, SecretName};

/// A GCM nonce: 96 bits, drawn fresh for every seal by the caller.
pub const NONCE_BYTES: usize = 12;

/// A sealed value as stored: which master key, the nonce, and the ciphertext with its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Why a sealed value did not open. None of them carries the value or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Sealed with a master key that is not in the keyring (removed too early, or a foreign row).
    #[error("sealed with master key `{0}`, which is not in the keyring")]
    UnknownKey(String),
    /// The stored nonce is not 12 bytes.
    #[error("the stored nonce is not 12 bytes")]
    BadNonce,
    /// The tag does not match: altered, or sealed for another tenant, name or key.
    #[error("the value does not authenticate (altered, or sealed for another tenant or secret)")]
    NotAuthentic,
    /// It opened, but is not UTF-8 text (secrets are text).
    #[error("the value is not UTF-8 text")]
    NotText,
}

/// What the tag binds besides the plaintext: a value opens only for the tenant, the name and
/// the master key it was sealed for. Length-prefixed, so no two triples share a byte string.
fn associated_data(tenant: &TenantId, name: &str, key_id: &str) -> Vec<u8> {
    let mut aad = b"tsunagu-secret/v1".to_vec();
    for part in [tenant.as_str(), name, key_id] {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

/// Seals `plaintext` for `tenant`'s `name` under `key` with a fresh `nonce` (never reuse one
/// with the same key: the worker draws 96 random bits each time).
pub fn seal(
    key: &MasterKey,
    tenant: &TenantId,
    name: SecretName,
    plaintext: &str,
    nonce: [u8; NONCE_BYTES],
) -> Sealed {
    seal_named(key, tenant, name.as_str(), plaintext, nonce)
}

/// [`seal`] for a value that is not one of the [`SecretName`]s but belongs to a record of the
/// tenant (a webhook subscription's signing secret: `webhook/<id>`), so it does not open as
/// another record's. Same format and associated data as [`seal`].
pub fn seal_named(
    key: &MasterKey,
    tenant: &TenantId,
    name: &str,
    plaintext: &str,
    nonce: [u8; NONCE_BYTES],
) -> Sealed {
    let cipher = Aes256Gcm::new(&key.bytes.into());
    let aad = associated_data(tenant, name, key.id.as_str());
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext.as_bytes(),
                aad: &aad,
            },
        )
        // AES-GCM refuses only plaintexts over 64 GiB; secrets are at most 512 characters.
        .unwrap_or_default();
    Sealed {
        key_id: key.id.as_str().to_owned(),
        nonce: nonce.to_vec(),
        ciphertext,
    }
}

/// Opens a value sealed for `tenant`'s `name`, with whichever key of `keyring` sealed it.
pub fn open(
    keyring: &Keyring,
    tenant: &TenantId,
    name: SecretName,
    sealed: &Sealed,
) -> Result<String, OpenError> {
    open_named(keyring, tenant, name.as_str(), sealed)
}

/// Opens what [`seal_named`] sealed under the same name.
pub fn open_named(
    keyring: &Keyring,
    tenant: &TenantId,
    name: &str,
    sealed: &Sealed,
) -> Result<String, OpenError> {
    let key = keyring
        .key(&sealed.key_id)
        .ok_or_else(|| OpenError::UnknownKey(sealed.key_id.clone()))?;
    if sealed.nonce.len() != NONCE_BYTES {
        return Err(OpenError::BadNonce);
    }
    let cipher = Aes256Gcm::new(&key.bytes.into());
    let aad = associated_data(tenant, name, &sealed.key_id);
    let plaintext = cipher
        .decrypt(
            Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| OpenError::NotAuthentic)?;
    String::from_utf8(plaintext).map_err(|_| OpenError::NotText)
}
