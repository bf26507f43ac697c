//! The deployment's master keys: `id:base64` entries, the first seals, every one opens.
//!
//! Written as a Worker secret, `TSUNAGU_MASTER_KEYS="k2:…,k1:…"`. Rotating the master key is
//! adding a new first entry (new writes are sealed with it, old rows still open with theirs),
//! re-sealing the rows, then dropping the old entry.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::STANDARD};

/// A master key's length: AES-256.
pub const KEY_BYTES: usize = 32;

/// A master key's id, stored with every value it sealed: `[a-z0-9_-]{1,32}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    pub fn new(raw: &str) -> Option<KeyId> {
        let valid = !raw.is_empty()
            && raw.len() <= 32
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        valid.then(|| KeyId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One master key. Its `Debug` shows the id only.
#[derive(Clone)]
pub struct MasterKey {
    pub id: KeyId,
    pub(crate) bytes: [u8; KEY_BYTES],
}

impl MasterKey {
    pub fn new(id: KeyId, bytes: [u8; KEY_BYTES]) -> MasterKey {
        MasterKey { id, bytes }
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, …)", self.id)
    }
}

/// Why a keyring did not parse. Never quotes the key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("the keyring is empty")]
    Empty,
    #[error("entry {0} is not `id:base64`")]
    NotIdColonKey(usize),
    #[error("entry {0}: the key id must be 1–32 of a-z, 0-9, `_`, `-`")]
    BadKeyId(usize),
    #[error("entry {0}: the key is not standard base64")]
    NotBase64(usize),
    #[error("entry {0}: the key is not 32 bytes")]
    WrongLength(usize),
    #[error("entry {0}: the key id is used twice")]
    DuplicateKeyId(usize),
}

/// The master keys in force, the sealing key first.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<MasterKey>,
}

impl Keyring {
    /// Parses `id:base64[,id:base64…]` (blanks around entries are ignored).
    pub fn parse(text: &str) -> Result<Keyring, KeyringError> {
        let mut keys: Vec<MasterKey> = Vec::new();
        for (index, entry) in text.split(',').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let (id, key) = entry
                .split_once(':')
                .ok_or(KeyringError::NotIdColonKey(index))?;
            let id = KeyId::new(id.trim()).ok_or(KeyringError::BadKeyId(index))?;
            let bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| KeyringError::NotBase64(index))?;
            let bytes: [u8; KEY_BYTES] = bytes
                .try_into()
                .map_err(|_| KeyringError::WrongLength(index))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(KeyringError::DuplicateKeyId(index));
            }
            keys.push(MasterKey { id, bytes });
        }
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        Ok(Keyring { keys })
    }

    /// The key new values are sealed with.
    pub fn sealing_key(&self) -> &MasterKey {
        &self.keys[0]
    }

    /// The key with this id, if it is still in force.
    pub fn key(&self, id: &str) -> Option<&MasterKey> {
        self.keys.iter().find(|k| k.id.as_str() == id)
    }

    /// The ids, the sealing key's first.
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|k| &k.id)
    }
}
