//! Tests for TURN credentials: a vector computed with Python's `hmac`, every refusal, and properties.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use expect_test::expect;
use hmac::{Hmac, KeyInit as _, Mac as _};
use proptest::prelude::*;
use sha1::Sha1;

use crate::{TURN_MAX_TTL_SECS, mint_turn_credential};

/// 36 bytes, shared with the TURN server.
const TURN_SECRET: &[u8] = b"turn-shared-secret-for-the-tests-32b";

#[test]
fn credential_matches_an_independent_hmac() {
    // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(
    //   b'turn-shared-secret-for-the-tests-32b', b'1700003600:demo', hashlib.sha1).digest()).decode())"
    let minted = mint_turn_credential(TURN_SECRET, 1_700_000_000, 3_600, "demo");
    expect![[r#"
        Ok(
            TurnCredential {
                username: "1700003600:demo",
                credential: "5+bKItDtb8k8GbKeOqkwFG1odSM=",
            },
        )
    "#]]
    .assert_debug_eq(&minted);
}

#[test]
fn bad_configuration_is_refused() {
    let refusals = [
        mint_turn_credential(b"short", 1_700_000_000, 3_600, "demo"),
        mint_turn_credential(TURN_SECRET, 1_700_000_000, 3_600, ""),
        mint_turn_credential(TURN_SECRET, 1_700_000_000, 3_600, "demo:admin"),
        mint_turn_credential(TURN_SECRET, 1_700_000_000, 0, "demo"),
        mint_turn_credential(TURN_SECRET, 1_700_000_000, TURN_MAX_TTL_SECS + 1, "demo"),
    ]
    .map(|result| result.map_err(|err| err.to_string()));
    expect![[r#"
        [
            Err(
                "the TURN secret is shorter than 32 bytes",
            ),
            Err(
                "the TURN identity is empty or contains ':'",
            ),
            Err(
                "the TURN identity is empty or contains ':'",
            ),
            Err(
                "the TURN credential lifetime must be 1 s to 24 h",
            ),
            Err(
                "the TURN credential lifetime must be 1 s to 24 h",
            ),
        ]
    "#]]
    .assert_debug_eq(&refusals);
}

proptest! {
    /// What a TURN server checks: the username names the expiry, and the password is the HMAC
    /// of the username; nothing else (never the secret) is in either.
    #[test]
    fn the_turn_server_can_check_every_credential(
        now in 0u64..4_000_000_000,
        ttl in 1u64..=TURN_MAX_TTL_SECS,
        identity in "[a-z0-9_-]{1,32}",
    ) {
        let minted = mint_turn_credential(TURN_SECRET, now, ttl, &identity).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (expiry, named) = minted.username.split_once(':').ok_or_else(|| TestCaseError::fail("no ':'"))?;
        prop_assert_eq!(expiry.parse::<u64>().ok(), Some(now + ttl));
        prop_assert_eq!(named, identity.as_str());
        let mut mac = Hmac::<Sha1>::new_from_slice(TURN_SECRET).map_err(|e| TestCaseError::fail(e.to_string()))?;
        mac.update(minted.username.as_bytes());
        prop_assert_eq!(minted.credential, STANDARD.encode(mac.finalize().into_bytes()));
    }
}
