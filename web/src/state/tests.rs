//! Tests that the worker's fixed refusal messages become the notices (and host error codes) agents see.

use super::Notice;

#[test]
fn session_refusals_map_to_notices() {
    let cases = [
        ("The token has expired.", "token_expired"),
        ("The token is not valid yet.", "token_not_yet_valid"),
        ("The token's signature is invalid.", "token_invalid"),
        ("The token is meant for another audience.", "token_invalid"),
        ("the embed token names an unknown tenant", "unknown_tenant"),
        ("", "session_refused"),
    ];
    for (message, code) in cases {
        assert_eq!(
            Notice::from_session_refusal(message).code(),
            code,
            "{message}"
        );
    }
}
