//! Twilio webhook signatures (`X-Twilio-Signature`): compute and validate, form and JSON bodies.

use std::collections::{BTreeMap, BTreeSet};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// The query parameter Twilio adds to the URL of a request whose body is not form-encoded.
pub const BODY_SHA256_PARAM: &str = "bodySHA256";

/// Why a webhook request was refused. Messages never quote the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("The request has no X-Twilio-Signature.")]
    Missing,
    #[error("The X-Twilio-Signature does not match the request.")]
    Mismatch,
    #[error("The request URL has no bodySHA256 parameter.")]
    MissingBodyHash,
    #[error("The request body does not match the bodySHA256 parameter.")]
    BodyHashMismatch,
    #[error("The request URL is not an absolute http or https URL.")]
    InvalidUrl,
}

/// How a candidate URL was derived from the URL the application saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlVariant {
    /// Byte for byte as given.
    Exact,
    /// As given, with the port removed.
    ExactWithoutPort,
    /// As given, with the scheme's default port (`:443`, `:80`) added.
    ExactWithDefaultPort,
    /// Re-serialised by a WHATWG URL parser (as a Cloudflare Worker's `request.url` is).
    Normalized,
    NormalizedWithoutPort,
    NormalizedWithDefaultPort,
}

impl UrlVariant {
    /// A short phrase for operator diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            UrlVariant::Exact => "the URL exactly as given",
            UrlVariant::ExactWithoutPort => "the URL as given, without its port",
            UrlVariant::ExactWithDefaultPort => "the URL as given, with the default port added",
            UrlVariant::Normalized => "the URL as a WHATWG parser re-serialises it",
            UrlVariant::NormalizedWithoutPort => "the re-serialised URL, without its port",
            UrlVariant::NormalizedWithDefaultPort => {
                "the re-serialised URL, with the default port added"
            }
        }
    }
}

/// Which candidate URL the signature was computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub variant: UrlVariant,
    pub url: String,
}

/// The text Twilio signs: the URL, then for each parameter name (de-duplicated, sorted by code
/// point) each of its values (de-duplicated, sorted) as `name + value`. Empty values count.
pub fn string_to_sign(url: &str, params: &[(String, String)]) -> String {
    let mut text = url.to_owned();
    text.push_str(&params_suffix(params));
    text
}

/// The part of [`string_to_sign`] after the URL. Rust orders `str` by bytes, which for UTF-8 is
/// code point order, as Twilio's python library sorts.
fn params_suffix(params: &[(String, String)]) -> String {
    let mut grouped: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, value) in params {
        grouped.entry(name).or_default().insert(value);
    }
    let mut suffix = String::new();
    for (name, values) in grouped {
        for value in values {
            suffix.push_str(name);
            suffix.push_str(value);
        }
    }
    suffix
}

/// The `X-Twilio-Signature` of a request: base64 of HMAC-SHA1 over [`string_to_sign`], keyed
/// with the auth token. Parameters may come in any order and repeat.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let tag = hmac_sha1(auth_token, &string_to_sign(url, params))
        .finalize()
        .into_bytes();
    STANDARD.encode(tag)
}

/// The URLs Twilio may have signed for a request the application saw at `url`, exact first:
/// Twilio sometimes signs with the default port and sometimes without, and a Worker sees a
/// WHATWG-normalised URL. De-duplicated.
pub fn url_candidates(url: &str) -> Vec<String> {
    candidates(url).into_iter().map(|(_, url)| url).collect()
}

/// Validates a form-encoded (or GET) request: `params` are its POST parameters (none for GET).
pub fn validate_form(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> Result<Match, SignatureError> {
    if signature.trim().is_empty() {
        return Err(SignatureError::Missing);
    }
    check_url(url)?;
    find_match(auth_token, url, params, signature).ok_or(SignatureError::Mismatch)
}

/// Validates a request with a non-form body (JSON): the signature covers the URL alone, which
/// must carry `bodySHA256` = lowercase hex SHA-256 of `body`. Both checks must pass.
pub fn validate_json(
    auth_token: &str,
    url: &str,
    body: &[u8],
    signature: &str,
) -> Result<Match, SignatureError> {
    if signature.trim().is_empty() {
        return Err(SignatureError::Missing);
    }
    let parsed = check_url(url)?;
    let claimed_hash = body_hash_of(&parsed).ok_or(SignatureError::MissingBodyHash)?;
    let url_match = find_match(auth_token, url, &[], signature);
    let body_matches: bool = body_sha256_hex(body)
        .as_bytes()
        .ct_eq(claimed_hash.as_bytes())
        .into();
    match (url_match, body_matches) {
        (Some(found), true) => Ok(found),
        (Some(_), false) => Err(SignatureError::BodyHashMismatch),
        (None, _) => Err(SignatureError::Mismatch),
    }
}

/// Lowercase hex SHA-256, as Twilio writes it in `bodySHA256`.
pub fn body_sha256_hex(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `bodySHA256` query parameter of `url`, if it is an http(s) URL that has one.
pub fn body_sha256_param(url: &str) -> Option<String> {
    check_url(url).ok().as_ref().and_then(body_hash_of)
}

fn body_hash_of(url: &url::Url) -> Option<String> {
    url.query_pairs()
        .find(|(name, _)| name == BODY_SHA256_PARAM)
        .map(|(_, value)| value.into_owned())
}

fn check_url(url: &str) -> Result<url::Url, SignatureError> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(parsed)
        }
        _ => Err(SignatureError::InvalidUrl),
    }
}

fn find_match(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> Option<Match> {
    // A header that is not even base64 cannot match; decoding it once keeps the per-candidate
    // comparison a constant-time MAC check.
    let expected = STANDARD.decode(signature.trim()).ok()?;
    let suffix = params_suffix(params);
    candidates(url)
        .into_iter()
        .find_map(|(variant, candidate)| {
            let mut mac = hmac_sha1(auth_token, &candidate);
            mac.update(suffix.as_bytes());
            mac.verify_slice(&expected).is_ok().then_some(Match {
                variant,
                url: candidate,
            })
        })
}

fn hmac_sha1(key: &str, message: &str) -> Hmac<Sha1> {
    // HMAC hashes long keys and pads short ones, so `new_from_slice` has no error case for it
    // (hmac 0.13 returns `Ok` unconditionally); the `expect` can never fire.
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key");
    mac.update(message.as_bytes());
    mac
}

fn candidates(url: &str) -> Vec<(UrlVariant, String)> {
    let mut all = vec![(UrlVariant::Exact, url.to_owned())];
    port_variants(
        url,
        UrlVariant::ExactWithoutPort,
        UrlVariant::ExactWithDefaultPort,
        &mut all,
    );
    if let Ok(parsed) = check_url(url) {
        let normalized = parsed.to_string();
        all.push((UrlVariant::Normalized, normalized.clone()));
        port_variants(
            &normalized,
            UrlVariant::NormalizedWithoutPort,
            UrlVariant::NormalizedWithDefaultPort,
            &mut all,
        );
    }
    let mut unique: Vec<(UrlVariant, String)> = Vec::with_capacity(all.len());
    for (variant, candidate) in all {
        if !unique.iter().any(|(_, seen)| *seen == candidate) {
            unique.push((variant, candidate));
        }
    }
    unique
}

fn port_variants(
    url: &str,
    without: UrlVariant,
    with: UrlVariant,
    out: &mut Vec<(UrlVariant, String)>,
) {
    let Some(parts) = PortSplit::of(url) else {
        return;
    };
    out.extend(parts.without_port().map(|url| (without, url)));
    out.extend(parts.with_default_port().map(|url| (with, url)));
}

/// A URL cut around its port, leaving every other byte exactly as it was.
struct PortSplit<'a> {
    scheme: &'a str,
    /// `scheme://userinfo@host`.
    before_port: &'a str,
    /// The digits after the host's `:`, if there is a port.
    port: Option<&'a str>,
    /// Path, query and fragment.
    after_port: &'a str,
}

impl<'a> PortSplit<'a> {
    fn of(url: &'a str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after_port) = rest.split_at_checked(authority_len)?;
        // The host starts after any userinfo; an IPv6 literal's colons end at its `]`.
        let host_start = authority.rfind('@').map_or(0, |at| at + 1);
        let host_and_port = authority.get(host_start..)?;
        let search_from = host_and_port.rfind(']').map_or(0, |bracket| bracket + 1);
        let colon = host_and_port
            .get(search_from..)?
            .rfind(':')
            .map(|colon| host_start + search_from + colon);
        let before_port_len = scheme.len() + "://".len() + colon.unwrap_or(authority.len());
        let port = match colon {
            Some(colon) => Some(authority.get(colon + 1..)?),
            None => None,
        };
        // Not a port (`host:abc`): such a URL is left alone rather than guessed at.
        if port.is_some_and(|digits| !digits.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        Some(PortSplit {
            scheme,
            before_port: url.get(..before_port_len)?,
            port,
            after_port,
        })
    }

    fn default_port(&self) -> Option<&'static str> {
        if self.scheme.eq_ignore_ascii_case("https") {
            Some("443")
        } else if self.scheme.eq_ignore_ascii_case("http") {
            Some("80")
        } else {
            None
        }
    }

    fn without_port(&self) -> Option<String> {
        self.port?;
        Some(format!("{}{}", self.before_port, self.after_port))
    }

    fn with_default_port(&self) -> Option<String> {
        if self.port.is_some() {
            return None;
        }
        let port = self.default_port()?;
        Some(format!("{}:{port}{}", self.before_port, self.after_port))
    }
}
