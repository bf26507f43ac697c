//! Address keys: stable per address and secret, different across addresses, never the address.

use crate::address_key;

const SECRET: &[u8] = b"a-session-secret-of-at-least-32-bytes!!";

#[test]
fn an_address_key_is_stable_distinct_and_keyed() {
    let key = address_key(SECRET, "203.0.113.7");
    assert_eq!(key, address_key(SECRET, "203.0.113.7"));
    assert_ne!(key, address_key(SECRET, "203.0.113.8"));
    assert_ne!(
        key,
        address_key(b"another-secret-of-at-least-32-bytes!!!!", "203.0.113.7")
    );
    assert!(!key.windows(4).any(|w| w == [203, 0, 113, 7]));
}
