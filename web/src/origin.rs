//! Which host origins may talk to the widget: CSP-style source lists (`'self'`, origins, `*` port and host wildcards).
//!
//! The tenant's `allowed_origins` is the same list the worker sends as CSP `frame-ancestors`, so
//! the widget accepts a host page exactly when the browser let that page frame it.

/// An origin split into its parts, lower-cased by the caller's input (browsers serialise origins
/// in lower case already).
#[derive(Debug, PartialEq, Eq)]
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    /// `None` for the scheme's default port.
    port: Option<&'a str>,
}

/// Parses `scheme://host[:port]`, tolerating a path after it (CSP sources may carry one).
fn parts(text: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = text.split_once("://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = if authority.starts_with('[') {
        // IPv6 literal: its colons are not a port separator.
        let (address, rest) = authority.split_once(']')?;
        (address, rest.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if scheme.is_empty() || host.is_empty() || port == Some("") {
        return None;
    }
    let port = port.filter(|port| Some(*port) != default_port(scheme));
    Some(Parts { scheme, host, port })
}

fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" | "ws" => Some("80"),
        "https" | "wss" => Some("443"),
        _ => None,
    }
}

/// Whether `origin` (as `MessageEvent.origin` or `location.origin` serialise it) matches one
/// of the whitespace-separated CSP `sources`. `'self'` means `self_origin`; keywords other than
/// `'self'` (`'none'`, …) match nothing; an opaque origin (`null`) never matches.
pub(crate) fn is_allowed(sources: &str, origin: &str, self_origin: &str) -> bool {
    let Some(candidate) = parts(origin) else {
        return false;
    };
    sources.split_whitespace().any(|source| {
        if source.eq_ignore_ascii_case("'self'") {
            return origin == self_origin;
        }
        if source.starts_with('\'') {
            return false;
        }
        if source == "*" {
            return matches!(candidate.scheme, "http" | "https");
        }
        if let Some(scheme) = source.strip_suffix(':') {
            return candidate.scheme.eq_ignore_ascii_case(scheme);
        }
        source_matches(source, &candidate)
    })
}

fn source_matches(source: &str, candidate: &Parts<'_>) -> bool {
    // A source without a scheme (`crm.example.com`) means https, as a secure page reads it.
    let with_scheme;
    let source = if source.contains("://") {
        source
    } else {
        with_scheme = format!("https://{source}");
        &with_scheme
    };
    let Some(wanted) = parts(source) else {
        return false;
    };
    let scheme_ok = wanted.scheme.eq_ignore_ascii_case(candidate.scheme);
    let host_ok = match wanted.host.strip_prefix("*.") {
        Some(suffix) => candidate
            .host
            .strip_suffix(suffix)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => wanted.host.eq_ignore_ascii_case(candidate.host),
    };
    let port_ok = wanted.port == Some("*") || wanted.port == candidate.port;
    scheme_ok && host_ok && port_ok
}

#[cfg(test)]
mod tests;
