//! Tests of CSP-style origin matching against the sources tenants actually configure.

use super::is_allowed;

const DEMO: &str = "'self' http://localhost:* http://127.0.0.1:*";
const EDGE: &str = "http://127.0.0.1:8787";

#[test]
fn demo_sources_allow_loopback_on_any_port_and_self() {
    assert!(is_allowed(DEMO, "http://localhost:5173", EDGE));
    assert!(is_allowed(DEMO, "http://127.0.0.1:40123", EDGE));
    assert!(is_allowed(DEMO, EDGE, EDGE));
    assert!(is_allowed("'self'", EDGE, EDGE));
}

#[test]
fn other_hosts_schemes_and_opaque_origins_are_refused() {
    assert!(!is_allowed(DEMO, "http://127.0.0.2:40123", EDGE));
    assert!(!is_allowed(DEMO, "https://localhost:5173", EDGE));
    assert!(!is_allowed(DEMO, "http://localhost.evil.test:80", EDGE));
    assert!(!is_allowed(DEMO, "null", EDGE));
    assert!(!is_allowed(DEMO, "", EDGE));
    assert!(!is_allowed("'none'", EDGE, EDGE));
    assert!(!is_allowed("", "http://localhost:1", EDGE));
}

#[test]
fn exact_origins_need_the_exact_port() {
    let sources = "https://crm.example.com http://localhost:3000";
    assert!(is_allowed(sources, "https://crm.example.com", EDGE));
    assert!(!is_allowed(sources, "https://crm.example.com:8443", EDGE));
    assert!(is_allowed(sources, "http://localhost:3000", EDGE));
    assert!(!is_allowed(sources, "http://localhost:3001", EDGE));
    assert!(is_allowed(
        "https://crm.example.com:443",
        "https://crm.example.com",
        EDGE
    ));
}

#[test]
fn host_wildcards_need_a_subdomain() {
    let sources = "https://*.example.com";
    assert!(is_allowed(sources, "https://a.example.com", EDGE));
    assert!(is_allowed(sources, "https://a.b.example.com", EDGE));
    assert!(!is_allowed(sources, "https://example.com", EDGE));
    assert!(!is_allowed(sources, "https://evilexample.com", EDGE));
}

#[test]
fn scheme_only_and_schemeless_sources() {
    assert!(is_allowed("https:", "https://anything.test", EDGE));
    assert!(!is_allowed("https:", "http://anything.test", EDGE));
    assert!(is_allowed(
        "crm.example.com",
        "https://crm.example.com",
        EDGE
    ));
    assert!(!is_allowed(
        "crm.example.com",
        "http://crm.example.com",
        EDGE
    ));
}
