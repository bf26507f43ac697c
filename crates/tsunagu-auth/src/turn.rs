//! Time-limited TURN credentials (the "TURN REST API" that coturn's `use-auth-secret` checks): minted per request from a secret the browser never sees.
//!
//! A web call's ICE servers are public (the customer page embeds them), so a TURN server must not
//! be configured with a fixed password there. Instead the worker and the TURN server share a
//! secret; the worker hands out a username that names its own expiry, `<unix seconds>:<identity>`,
//! and the password `base64(HMAC-SHA1(secret, username))`. The TURN server recomputes the password
//! and refuses the username once its time has passed, so a copied credential dies with it.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;

use crate::MIN_SECRET_LEN;

/// Why no credential could be minted: the worker's TURN configuration is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TurnError {
    #[error("the TURN secret is shorter than 32 bytes")]
    WeakSecret,
    #[error("the TURN identity is empty or contains ':'")]
    InvalidIdentity,
    #[error("the TURN credential lifetime must be 1 s to 24 h")]
    InvalidLifetime,
}

/// The longest lifetime handed out. A credential must outlive the calls that use it (a TURN
/// allocation's refreshes are signed with the same username), and a copied one should die soon.
pub const TURN_MAX_TTL_SECS: u64 = 24 * 60 * 60;

/// A TURN username and password, as `RTCIceServer` takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnCredential {
    /// `<expiry in unix seconds>:<identity>`.
    pub username: String,
    /// `base64(HMAC-SHA1(secret, username))`.
    pub credential: String,
}

/// Mints a credential valid from `now_unix_secs` for `ttl_secs` (at most [`TURN_MAX_TTL_SECS`]).
/// `identity` names who it is for in the TURN server's logs (the tenant); a `:` in it would
/// make the username ambiguous, so it is refused, as is a secret shorter than 32 bytes.
pub fn mint_turn_credential(
    secret: &[u8],
    now_unix_secs: u64,
    ttl_secs: u64,
    identity: &str,
) -> Result<TurnCredential, TurnError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(TurnError::WeakSecret);
    }
    if identity.is_empty() || identity.contains(':') {
        return Err(TurnError::InvalidIdentity);
    }
    if ttl_secs == 0 || ttl_secs > TURN_MAX_TTL_SECS {
        return Err(TurnError::InvalidLifetime);
    }
    let username = format!("{}:{identity}", now_unix_secs.saturating_add(ttl_secs));
    // HMAC takes keys of any length, so `new_from_slice` has no error case here (hmac 0.13
    // returns `Ok` unconditionally); the error arm is unreachable, mapped rather than unwrapped.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).map_err(|_| TurnError::WeakSecret)?;
    mac.update(username.as_bytes());
    let credential = STANDARD.encode(mac.finalize().into_bytes());
    Ok(TurnCredential {
        username,
        credential,
    })
}
