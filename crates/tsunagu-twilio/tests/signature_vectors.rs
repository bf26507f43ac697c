//! Webhook signatures against the vectors produced with Twilio's python and node libraries.

use expect_test::expect;
use serde_json::Value;
use tsunagu_twilio::signature::{
    Match, SignatureError, body_sha256_hex, compute, string_to_sign, url_candidates, validate_form,
    validate_json,
};

const VECTORS: &str = include_str!("../../../tests/fixtures/twilio-vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("fixture is JSON")
}

fn list<'a>(vectors: &'a Value, key: &str) -> &'a [Value] {
    vectors[key].as_array().expect("a list of vectors")
}

fn text<'a>(vector: &'a Value, key: &str) -> &'a str {
    vector[key]
        .as_str()
        .unwrap_or_else(|| panic!("{} has no string {key}", vector["name"]))
}

/// The fixture's `params` object as form pairs, repeated keys (JSON arrays) in fixture order.
fn params(vector: &Value) -> Vec<(String, String)> {
    let Some(object) = vector["params"].as_object() else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for (name, value) in object {
        match value {
            Value::String(single) => pairs.push((name.clone(), single.clone())),
            Value::Array(many) => pairs.extend(
                many.iter()
                    .map(|v| (name.clone(), v.as_str().expect("string value").to_owned())),
            ),
            other => panic!("unexpected param value {other}"),
        }
    }
    pairs
}

/// The URL Twilio signed, and the one the application saw.
fn urls(vector: &Value) -> (&str, &str) {
    match vector["url"].as_str() {
        Some(url) => (url, url),
        None => (text(vector, "url_signed"), text(vector, "url_seen_by_app")),
    }
}

fn with_443(url: &str) -> String {
    url.replacen(".com/", ".com:443/", 1)
        .replacen(".jp/", ".jp:443/", 1)
}

fn describe(result: &Result<Match, SignatureError>) -> String {
    match result {
        Ok(found) => format!("ok via {:?} {}", found.variant, found.url),
        Err(err) => format!("error {err:?}: {err}"),
    }
}

#[test]
fn every_vector_signs_and_validates() {
    let vectors = vectors();
    let mut report = String::new();
    for vector in list(&vectors, "signatures") {
        let name = text(vector, "name");
        let (signed, seen) = urls(vector);
        let pairs = params(vector);
        let expected = text(vector, "expected_signature");
        let is_json = vector.get("raw_body").is_some();

        assert_eq!(
            string_to_sign(signed, &pairs),
            text(vector, "string_to_sign"),
            "{name}"
        );
        assert_eq!(
            compute(text(vector, "auth_token"), signed, &pairs),
            expected,
            "{name}"
        );

        let token = text(vector, "auth_token");
        let (as_seen, with_port) = if is_json {
            let body = text(vector, "raw_body").as_bytes();
            assert_eq!(
                body_sha256_hex(body),
                text(vector, "body_sha256_hex"),
                "{name}"
            );
            (
                validate_json(token, seen, body, expected),
                validate_json(token, &with_443(seen), body, expected),
            )
        } else {
            (
                validate_form(token, seen, &pairs, expected),
                validate_form(token, &with_443(seen), &pairs, expected),
            )
        };
        report.push_str(&format!(
            "{name}\n  as seen:   {}\n  with :443: {}\n",
            describe(&as_seen),
            describe(&with_port)
        ));
    }
    expect![[r#"
        form_params_documented_example
          as seen:   ok via Exact https://mycompany.com/myapp.php?foo=1&bar=2
          with :443: ok via ExactWithoutPort https://mycompany.com/myapp.php?foo=1&bar=2
        form_params_signed_with_explicit_443
          as seen:   ok via ExactWithDefaultPort https://mycompany.com:443/myapp.php?foo=1&bar=2
          with :443: ok via Exact https://mycompany.com:443/myapp.php?foo=1&bar=2
        form_params_utf8_special_chars_and_repeated_key
          as seen:   ok via Exact https://voice.example.jp/twilio/voice?tenant=acme&lang=ja-JP
          with :443: ok via ExactWithoutPort https://voice.example.jp/twilio/voice?tenant=acme&lang=ja-JP
        json_body_with_bodySHA256
          as seen:   ok via Exact https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620
          with :443: ok via ExactWithoutPort https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620
    "#]]
    .assert_eq(&report);
}

#[test]
fn node_computes_the_same_signatures() {
    let vectors = vectors();
    let by_name = |name: &str| {
        list(&vectors, "signatures")
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no python vector {name}"))
    };
    let crosschecks = list(&vectors, "signatures_node_crosscheck");
    assert_eq!(crosschecks.len(), 4);
    for node in crosschecks {
        let vector = by_name(text(node, "name"));
        let (signed, _) = urls(vector);
        let ours = compute(text(vector, "auth_token"), signed, &params(vector));
        assert_eq!(ours, text(node, "getExpectedTwilioSignature"));
        if let Some(hash) = node["getExpectedBodyHash"].as_str() {
            assert_eq!(body_sha256_hex(text(vector, "raw_body").as_bytes()), hash);
        }
    }
}

#[test]
fn every_negative_vector_is_refused() {
    let vectors = vectors();
    let mut report = String::new();
    for vector in list(&vectors, "signatures_negative") {
        assert_eq!(vector["expected_valid"], false);
        let token = text(vector, "auth_token");
        let url = text(vector, "url");
        let signature = text(vector, "signature_header");
        let result = match vector["raw_body"].as_str() {
            Some(body) => validate_json(token, url, body.as_bytes(), signature),
            None => validate_form(token, url, &params(vector), signature),
        };
        report.push_str(&format!(
            "{}: {}\n",
            text(vector, "name"),
            describe(&result)
        ));
    }
    expect![[r#"
        tampered_param_value: error Mismatch: The X-Twilio-Signature does not match the request.
        query_order_changed: error Mismatch: The X-Twilio-Signature does not match the request.
        http_scheme_vs_https: error Mismatch: The X-Twilio-Signature does not match the request.
        json_body_modified: error BodyHashMismatch: The request body does not match the bodySHA256 parameter.
    "#]]
    .assert_eq(&report);
}

#[test]
fn refusals_name_their_cause() {
    let vectors = vectors();
    let documented = &list(&vectors, "signatures")[0];
    let url = text(documented, "url");
    let pairs = params(documented);
    let good = text(documented, "expected_signature");
    let json_url = format!("{url}&bodySHA256={}", body_sha256_hex(b"{}"));
    let json_signature = compute("12345", &json_url, &[]);
    let upper_url = format!("{url}&bodySHA256={}", body_sha256_hex(b"{}").to_uppercase());
    let upper_signature = compute("12345", &upper_url, &[]);
    let cases = [
        ("empty header", validate_form("12345", url, &pairs, "")),
        ("blank header", validate_form("12345", url, &pairs, "  ")),
        ("not base64", validate_form("12345", url, &pairs, "%%%")),
        ("wrong token", validate_form("54321", url, &pairs, good)),
        (
            "relative url",
            validate_form("12345", "/myapp.php", &pairs, good),
        ),
        (
            "ftp url",
            validate_form("12345", "ftp://mycompany.com/x", &pairs, good),
        ),
        (
            "json without bodySHA256",
            validate_json("12345", url, b"{}", good),
        ),
        (
            "json ok",
            validate_json("12345", &json_url, b"{}", &json_signature),
        ),
        (
            "json, other body",
            validate_json("12345", &json_url, b"[]", &json_signature),
        ),
        (
            "json, bad signature",
            validate_json("12345", &json_url, b"{}", good),
        ),
        (
            "json, both wrong",
            validate_json("12345", &json_url, b"[]", good),
        ),
        (
            "json, uppercase hash",
            validate_json("12345", &upper_url, b"{}", &upper_signature),
        ),
    ];
    let actual: String = cases
        .iter()
        .map(|(label, result)| format!("{label}: {}\n", describe(result)))
        .collect();
    expect![[r#"
        empty header: error Missing: The request has no X-Twilio-Signature.
        blank header: error Missing: The request has no X-Twilio-Signature.
        not base64: error Mismatch: The X-Twilio-Signature does not match the request.
        wrong token: error Mismatch: The X-Twilio-Signature does not match the request.
        relative url: error InvalidUrl: The request URL is not an absolute http or https URL.
        ftp url: error InvalidUrl: The request URL is not an absolute http or https URL.
        json without bodySHA256: error MissingBodyHash: The request URL has no bodySHA256 parameter.
        json ok: ok via Exact https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
        json, other body: error BodyHashMismatch: The request body does not match the bodySHA256 parameter.
        json, bad signature: error Mismatch: The X-Twilio-Signature does not match the request.
        json, both wrong: error Mismatch: The X-Twilio-Signature does not match the request.
        json, uppercase hash: error BodyHashMismatch: The request body does not match the bodySHA256 parameter.
    "#]]
    .assert_eq(&actual);
}

#[test]
fn candidates_keep_bytes_and_vary_only_the_port_and_normalisation() {
    let urls = [
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        "http://example.com/voice",
        "https://example.com:8443/voice",
        "https://EXAMPLE.com/it's here?q=a b",
        "https://user:pw@[2001:db8::1]/v?x=1",
        "https://example.com",
        "https://example.com:abc/v",
        "not a url",
    ];
    let actual: String = urls
        .iter()
        .map(|url| format!("{url}\n  {}\n", url_candidates(url).join("\n  ")))
        .collect();
    expect![[r#"
        https://mycompany.com/myapp.php?foo=1&bar=2
          https://mycompany.com/myapp.php?foo=1&bar=2
          https://mycompany.com:443/myapp.php?foo=1&bar=2
        https://mycompany.com:443/myapp.php?foo=1&bar=2
          https://mycompany.com:443/myapp.php?foo=1&bar=2
          https://mycompany.com/myapp.php?foo=1&bar=2
        http://example.com/voice
          http://example.com/voice
          http://example.com:80/voice
        https://example.com:8443/voice
          https://example.com:8443/voice
          https://example.com/voice
        https://EXAMPLE.com/it's here?q=a b
          https://EXAMPLE.com/it's here?q=a b
          https://EXAMPLE.com:443/it's here?q=a b
          https://example.com/it's%20here?q=a%20b
          https://example.com:443/it's%20here?q=a%20b
        https://user:pw@[2001:db8::1]/v?x=1
          https://user:pw@[2001:db8::1]/v?x=1
          https://user:pw@[2001:db8::1]:443/v?x=1
        https://example.com
          https://example.com
          https://example.com:443
          https://example.com/
          https://example.com:443/
        https://example.com:abc/v
          https://example.com:abc/v
        not a url
          not a url
    "#]]
    .assert_eq(&actual);
}

#[test]
fn normalisation_is_one_way_so_webhook_urls_should_avoid_re_encoded_characters() {
    // Twilio requested (and signed) the raw form; a Worker's `request.url` is re-encoded, and
    // the raw form cannot be recovered from it (twilio.md §1.2).
    let raw = "https://example.com/voice?name=a b";
    let pairs = vec![("CallSid".to_owned(), "CA1".to_owned())];
    let signed = compute("secret-token", raw, &pairs);
    let seen_by_worker = "https://example.com/voice?name=a%20b";
    let direct = validate_form("secret-token", raw, &pairs, &signed);
    let normalized = validate_form("secret-token", seen_by_worker, &pairs, &signed);
    expect![[r#"
        ok via Exact https://example.com/voice?name=a b
        error Mismatch: The X-Twilio-Signature does not match the request."#]]
    .assert_eq(&format!("{}\n{}", describe(&direct), describe(&normalized)));
    // Normalising is one-way: a raw URL is matched against its normalised form, not the reverse.
    let signed_normalized = compute("secret-token", seen_by_worker, &pairs);
    expect!["ok via Normalized https://example.com/voice?name=a%20b"].assert_eq(&describe(
        &validate_form("secret-token", raw, &pairs, &signed_normalized),
    ));
}
