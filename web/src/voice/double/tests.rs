//! Tests that the double's messages read by hand accept and refuse exactly what the former serde derive did.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::FromDouble;

/// The derive the reader replaced, kept here as the reference it is checked against.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Derived {
    Registered,
    Incoming {
        call_sid: String,
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        parameters: Map<String, Value>,
    },
    Cancelled {
        call_sid: String,
    },
    Ended {
        call_sid: String,
    },
    Error {
        #[serde(default)]
        message: String,
    },
}

fn derived(json: &str) -> Option<FromDouble> {
    Some(match serde_json::from_str::<Derived>(json).ok()? {
        Derived::Registered => FromDouble::Registered,
        Derived::Incoming {
            call_sid,
            from,
            parameters,
        } => FromDouble::Incoming {
            call_sid,
            from,
            // The same members, as the widget's own JSON map.
            parameters: match tsunagu_protocol::json::Value::parse(
                &Value::Object(parameters).to_string(),
            )? {
                tsunagu_protocol::json::Value::Object(map) => map,
                _ => return None,
            },
        },
        Derived::Cancelled { call_sid } => FromDouble::Cancelled { call_sid },
        Derived::Ended { call_sid } => FromDouble::Ended { call_sid },
        Derived::Error { message } => FromDouble::Error { message },
    })
}

#[test]
fn the_doubles_messages_read_as_the_derive_read_them() {
    let read = [
        r#"{"type":"registered"}"#,
        r#"{"type":"registered","client":"sato"}"#,
        r#"{"type":"incoming","call_sid":"CA1","from":"+815012345678","parameters":{"conversation":"CA1","attempt":2}}"#,
        r#"{"type":"incoming","call_sid":"CA1","parameters":{"attempt":"2","x":[1]}}"#,
        r#"{"type":"incoming","call_sid":"CA1","from":null}"#,
        r#"{"call_sid":"CA1","type":"incoming","extra":true}"#,
        r#"{"type":"cancelled","call_sid":"CA1"}"#,
        r#"{"type":"ended","call_sid":"CA1"}"#,
        r#"{"type":"error","message":"unknown call"}"#,
        r#"{"type":"error"}"#,
    ];
    for json in read {
        let message = FromDouble::read(json);
        assert!(message.is_some(), "{json}");
        assert_eq!(message, derived(json), "{json}");
    }
    let refused = [
        "",
        "not json",
        "[]",
        "null",
        "{}",
        r#"{"type":null}"#,
        r#"{"type":"ringing","call_sid":"CA1"}"#,
        r#"{"type":"incoming"}"#,
        r#"{"type":"incoming","call_sid":7}"#,
        r#"{"type":"incoming","call_sid":"CA1","from":5}"#,
        r#"{"type":"incoming","call_sid":"CA1","parameters":null}"#,
        r#"{"type":"incoming","call_sid":"CA1","parameters":[]}"#,
        r#"{"type":"cancelled"}"#,
        r#"{"type":"ended","call_sid":null}"#,
        r#"{"type":"error","message":null}"#,
        r#"{"type":"error","message":1}"#,
    ];
    for json in refused {
        assert_eq!(FromDouble::read(json), None, "{json}");
        assert_eq!(derived(json), None, "the derive refused {json}");
    }
}
