//! Compact HS256 JSON Web Signatures: encode, read without trusting, and verify.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::Sha256;

/// The only algorithm this module signs with or accepts.
pub const ALGORITHM: &str = "HS256";

/// Longer tokens are refused before any decoding, so a hostile header costs nothing to reject.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Why a token could not be read, verified or written. Messages never quote the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("The token is longer than 8 KiB.")]
    TooLarge,
    #[error("The token is not a well-formed JWT.")]
    Malformed,
    #[error("The token is not signed with HS256.")]
    UnsupportedAlgorithm,
    #[error("The token uses a critical header extension that is not supported.")]
    UnsupportedCriticalHeader,
    #[error("The token's signature is invalid.")]
    BadSignature,
    #[error("The claims are not a JSON object.")]
    ClaimsNotAnObject,
}

/// A token's header and claims, both JSON objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
}

/// Signs `claims` with HS256. The header is `header_extra` (for example `cty`) plus `alg` and
/// `typ`, which always win over entries of the same name in `header_extra`.
pub fn encode(
    header_extra: &Map<String, Value>,
    claims: &impl Serialize,
    secret: &[u8],
) -> Result<String, JwtError> {
    let claims = serde_json::to_value(claims).map_err(|_| JwtError::ClaimsNotAnObject)?;
    if !claims.is_object() {
        return Err(JwtError::ClaimsNotAnObject);
    }
    let mut header = header_extra.clone();
    header.insert("alg".to_owned(), Value::from(ALGORITHM));
    header.insert("typ".to_owned(), Value::from("JWT"));

    let header = serde_json::to_vec(&Value::Object(header)).map_err(|_| JwtError::Malformed)?;
    let claims = serde_json::to_vec(&claims).map_err(|_| JwtError::ClaimsNotAnObject)?;

    let mut token = URL_SAFE_NO_PAD.encode(header);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(claims));
    let signature = hmac_sha256(secret, token.as_bytes())
        .finalize()
        .into_bytes();
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge);
    }
    Ok(token)
}

/// Reads header and claims without checking anything but the shape. Only for choosing a key
/// (`iss`) or for showing a token to an operator; never trust what it returns.
pub fn decode_unverified(token: &str) -> Result<Decoded, JwtError> {
    let parts = split(token)?;
    Ok(Decoded {
        header: decode_object(parts.header)?,
        claims: decode_object(parts.payload)?,
    })
}

/// Checks that `token` is an HS256 JWS signed with `secret` and returns its contents. Claims
/// such as `exp` or `aud` are the caller's business.
pub fn verify(token: &str, secret: &[u8]) -> Result<Decoded, JwtError> {
    let parts = split(token)?;
    let header = decode_object(parts.header)?;
    // Checked before the signature so that `none`, RS256 (key-confusion attacks) and friends
    // are refused by name rather than merely failing to verify.
    if header.get("alg").and_then(Value::as_str) != Some(ALGORITHM) {
        return Err(JwtError::UnsupportedAlgorithm);
    }
    // RFC 7515 §4.1.11: a recipient must refuse critical extensions it does not understand,
    // and this module understands none.
    if header.get("crit").is_some() {
        return Err(JwtError::UnsupportedCriticalHeader);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(parts.signature)
        .map_err(|_| JwtError::Malformed)?;
    hmac_sha256(secret, parts.signing_input.as_bytes())
        .verify_slice(&signature)
        .map_err(|_| JwtError::BadSignature)?;
    // The payload is parsed only once it is known to come from the key holder.
    let claims = decode_object(parts.payload)?;
    Ok(Decoded { header, claims })
}

/// HMAC-SHA256 keyed with `secret`, already fed `message`.
fn hmac_sha256(secret: &[u8], message: &[u8]) -> Hmac<Sha256> {
    // HMAC hashes long keys and pads short ones, so `new_from_slice` has no error case for it
    // (hmac 0.13 returns `Ok` unconditionally); the `expect` can never fire.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac
}

/// The three dot-separated parts of a compact JWS.
struct Parts<'a> {
    signing_input: &'a str,
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

fn split(token: &str) -> Result<Parts<'_>, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge);
    }
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(JwtError::Malformed)?;
    if payload.contains('.') {
        return Err(JwtError::Malformed);
    }
    Ok(Parts {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// Decodes one base64url (no padding) segment that must hold a JSON object.
fn decode_object(segment: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(JwtError::Malformed),
    }
}
