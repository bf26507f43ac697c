//! `Tsunagu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//!
//! The timestamp is signed with the body so a captured delivery cannot be replayed later than the
//! receiver's tolerance; several `v1=` entries are accepted so a header can carry signatures under
//! an old and a new secret during a rotation. Verification compares MACs in constant time.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use thiserror::Error;

use crate::event::hex;

/// The header's name.
pub const HEADER: &str = "Tsunagu-Signature";

/// The MAC of `"<t>.<body>"` under `secret`, hex.
pub fn sign(secret: &[u8], unix_secs: u64, body: &[u8]) -> String {
    hex(&mac(secret, unix_secs, body).finalize().into_bytes())
}

/// The whole header value for a body sent at `unix_secs`.
pub fn signature_header(secret: &[u8], unix_secs: u64, body: &[u8]) -> String {
    format!("t={unix_secs},v1={}", sign(secret, unix_secs, body))
}

fn mac(secret: &[u8], unix_secs: u64, body: &[u8]) -> Hmac<Sha256> {
    #[expect(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(unix_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Why a signature header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("the header is not `t=<unix seconds>,v1=<hex>`")]
    Malformed,
    #[error("the timestamp is further from now than the tolerance")]
    Stale,
    #[error("no v1 signature matches the body under this secret")]
    Mismatch,
}

/// Checks a header against the raw body: the timestamp within `tolerance_secs` of `now_secs`
/// (either way), and one `v1` entry equal to the MAC (in constant time).
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_secs: u64,
    tolerance_secs: u64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) if timestamp.is_none() => {
                let secs = value
                    .parse::<u64>()
                    .map_err(|_| SignatureError::Malformed)?;
                timestamp = Some(secs);
            }
            Some(("v1", value)) => {
                candidates.push(decode_hex(value).ok_or(SignatureError::Malformed)?);
            }
            // Other schemes may be added later; a receiver ignores what it does not know.
            Some((_, _)) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if timestamp.abs_diff(now_secs) > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    let matched = candidates
        .iter()
        .any(|candidate| mac(secret, timestamp, body).verify_slice(candidate).is_ok());
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn decode_hex(raw: &str) -> Option<Vec<u8>> {
    if raw.len() != 64 || !raw.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect()
}
