//! Fuzz target: a JSON webhook's signature check (`bodySHA256` in the signed URL).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tsunagu_twilio::signature::{body_sha256_hex, body_sha256_param, compute, validate_json};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    auth_token: &'a str,
    url: &'a str,
    signature: &'a str,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let _ = validate_json(input.auth_token, input.url, input.body, input.signature);

    // The request Twilio would send for this body: the hash in the URL, the URL signed alone.
    let hash = body_sha256_hex(input.body);
    let separator = if input.url.contains('?') { '&' } else { '?' };
    let signed_url = format!("{}{separator}bodySHA256={hash}", input.url);
    if body_sha256_param(&signed_url).as_deref() == Some(hash.as_str()) {
        let genuine = compute(input.auth_token, &signed_url, &[]);
        assert!(
            validate_json(input.auth_token, &signed_url, input.body, &genuine).is_ok(),
            "a genuine JSON webhook was refused"
        );
        let tampered: Vec<u8> = input.body.iter().copied().chain([b' ']).collect();
        assert!(
            validate_json(input.auth_token, &signed_url, &tampered, &genuine).is_err(),
            "a changed body was accepted"
        );
    }
});
