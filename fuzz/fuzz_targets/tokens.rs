//! Fuzz target: embed and session tokens (`jti` included) and the session ledger's stored entries.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tsunagu_auth::{
    SessionLedger, mint_embed_token, peek_tenant, verify_embed_token, verify_session,
};

const SECRET: &[u8] = b"fuzz-embed-secret-of-32-bytes-ok";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    token: &'a str,
    /// A claims object signed with the right secret, so that claim checks are reached.
    claims: &'a str,
    now: u64,
    entries: Vec<(String, String)>,
}

fuzz_target!(|input: Input<'_>| {
    let _ = peek_tenant(input.token);
    let _ = verify_embed_token(input.token, SECRET, input.now);
    let _ = verify_session(input.token, SECRET, input.now);
    if let Ok(claims) = serde_json::from_str::<serde_json::Value>(input.claims) {
        if let Ok(token) = tsunagu_auth::jwt::encode(&serde_json::Map::new(), &claims, SECRET) {
            if let Ok(verified) = verify_embed_token(&token, SECRET, input.now) {
                // Whatever verifies mints again and verifies to the same claims.
                let again = mint_embed_token(&verified, SECRET).expect("verified claims mint");
                assert_eq!(verify_embed_token(&again, SECRET, input.now), Ok(verified));
            }
        }
    }
    if let Ok(mut ledger) = SessionLedger::restore(input.entries, 64) {
        let _ = ledger.expire(input.now);
        let _ = ledger.take_delta();
    }
});
