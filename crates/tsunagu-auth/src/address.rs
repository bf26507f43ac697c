//! A network address as the hub may remember it: a keyed hash, so a customer socket's attachment never holds who the caller is.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// The first 16 bytes of `HMAC-SHA256(secret, "webcall-address:" + address)`. Keyed, because
/// IPv4 addresses are few enough to hash them all: without the worker's secret the key names
/// nobody. The same address under the same secret always gives the same key, which is all the
/// per-address limit needs.
pub fn address_key(secret: &[u8], address: &str) -> [u8; 16] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail (see `turn.rs`).
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return [0; 16];
    };
    mac.update(b"webcall-address:");
    mac.update(address.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut key = [0; 16];
    key.copy_from_slice(&digest[..16]);
    key
}
