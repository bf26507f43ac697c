//! Tenant secrets at rest: sealed under a master key, bound to their tenant and name, rotated with a grace period.
//!
//! A tenant's embed secret, Twilio auth token, Twilio API key secret and Turnstile secret live in
//! D1 as [`Sealed`] values: AES-256-GCM (RustCrypto's `aes-gcm`) under one of the deployment's
//! master keys ([`Keyring`]), with the master key's id stored beside the ciphertext and the
//! tenant, the secret's name and the key id as associated data, so a row copied to another tenant
//! or name does not open. The nonce is an input: this crate has no randomness (the worker draws
//! it). [`Rotation`] says which values are valid at a given time: a new value replaces the old
//! one, which stays valid for a grace period where the secret allows it ([`SecretName::keeps_previous`]).
//! [`decide`] is the lookup order (D1, then the legacy Worker secret, failing closed) and
//! [`SecretCache`] the isolate's short-lived cache of opened values; both take time as an input.

pub mod cache;
mod keyring;
mod lookup;
mod name;
mod rotation;
mod sealed;

pub use cache::{Cached, SecretCache};
pub use keyring::{KEY_BYTES, KeyId, Keyring, KeyringError, MasterKey};
pub use lookup::{D1Read, Decision, Resolved, Source, Unavailable, decide};
pub use name::SecretName;
pub use rotation::{DEFAULT_GRACE_MS, MAX_GRACE_MS, Rotation, Version};
pub use sealed::{NONCE_BYTES, OpenError, Sealed, open, open_named, seal, seal_named};
