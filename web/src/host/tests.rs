//! Tests that host messages read by hand accept and refuse exactly what the former serde derive did.

use serde_json::{Value, json};

use super::FromHost;

/// `message` as the widget's own JSON value (written by serde_json, read by ours).
fn ours(message: &Value) -> tsunagu_protocol::json::Value {
    tsunagu_protocol::json::Value::parse(&message.to_string()).expect("serde_json writes JSON")
}

fn read(message: &Value) -> Option<FromHost> {
    FromHost::read(ours(message))
}

#[test]
fn every_message_type_reads() {
    assert_eq!(
        read(&json!({ "type": "hello", "version": "1.0.0" })),
        Some(FromHost::Hello)
    );
    assert_eq!(
        read(&json!({ "type": "init", "lang": "en" })),
        Some(FromHost::Init {
            lang: Some("en".into())
        })
    );
    assert_eq!(
        read(&json!({ "type": "token", "id": 7, "token": "abc" })),
        Some(FromHost::Token {
            id: 7,
            token: "abc".into()
        })
    );
    assert_eq!(
        read(&json!({ "type": "token-error", "id": 4_294_967_295_u32 })),
        Some(FromHost::TokenError { id: u32::MAX })
    );
    assert_eq!(
        read(&json!({ "type": "set-presence", "status": { "away": "lunch" } })),
        Some(FromHost::SetPresence {
            status: ours(&json!({ "away": "lunch" }))
        })
    );
    assert_eq!(
        read(&json!({ "type": "phone", "owner": false })),
        Some(FromHost::Phone { owner: false })
    );
    assert_eq!(
        read(&json!({ "type": "dial", "number": "0312345678", "customerId": "c-1" })),
        Some(FromHost::Dial {
            number: "0312345678".into(),
            customer_id: Some("c-1".into())
        })
    );
}

#[test]
fn optional_fields_may_be_absent_or_null() {
    for message in [
        json!({ "type": "init" }),
        json!({ "type": "init", "lang": null }),
    ] {
        assert_eq!(
            read(&message),
            Some(FromHost::Init { lang: None }),
            "{message}"
        );
    }
    assert_eq!(
        read(&json!({ "type": "dial", "number": "110", "customerId": null, "extra": [1] })),
        Some(FromHost::Dial {
            number: "110".into(),
            customer_id: None
        })
    );
    // A null status is still a status (the controller refuses it, not the link).
    assert_eq!(
        read(&json!({ "type": "set-presence", "status": null })),
        Some(FromHost::SetPresence {
            status: tsunagu_protocol::json::Value::Null
        })
    );
}

#[test]
fn malformed_messages_are_refused() {
    let refused = [
        json!("hello"),
        json!(["token", 1, "abc"]),
        json!({ "version": "1.0.0" }),
        json!({ "type": "Hello" }),
        json!({ "type": "token_error", "id": 1 }),
        json!({ "type": 1 }),
        json!({ "type": "init", "lang": 1 }),
        json!({ "type": "token", "id": 1 }),
        json!({ "type": "token", "id": -1, "token": "abc" }),
        json!({ "type": "token", "id": 1.5, "token": "abc" }),
        json!({ "type": "token", "id": 4_294_967_296_u64, "token": "abc" }),
        json!({ "type": "token", "id": "1", "token": "abc" }),
        json!({ "type": "token-error" }),
        json!({ "type": "set-presence" }),
        json!({ "type": "phone", "owner": "true" }),
        json!({ "type": "phone" }),
        json!({ "type": "dial", "customerId": "c-1" }),
        json!({ "type": "dial", "number": 110 }),
        json!({ "type": "dial", "number": "110", "customerId": 5 }),
    ];
    for message in refused {
        assert_eq!(read(&message), None, "{message}");
    }
}
