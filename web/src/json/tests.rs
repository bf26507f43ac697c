//! Tests that each field reader accepts and refuses what the serde derive of that field's type did.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Fields;

/// One field of each kind the widget's own readers take (the HTTP replies' are
/// `tsunagu_protocol::http`'s, tested there), as the derives read them.
#[derive(Deserialize)]
struct TextOrEmpty {
    #[serde(default)]
    f: String,
}

/// `{"f": value}` for every value, `{}` and a few texts that are no object. Not `[]`: the derive
/// read a struct from a sequence of its fields, which the worker never writes; the replies that
/// could (all fields defaulted) fall back to the same defaults (tested with them).
fn objects() -> Vec<String> {
    let values = [
        Value::Null,
        json!(true),
        json!(0),
        json!(7),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("text \"quoted\" 日本"),
        json!([]),
        json!({}),
        json!({ "id": "x" }),
        json!({ "id": 1 }),
        json!({ "id": "x", "other": 2 }),
    ];
    let mut objects: Vec<String> = values
        .into_iter()
        .map(|value| json!({ "f": value, "unknown": [1] }).to_string())
        .collect();
    objects.push("{}".into());
    objects.extend(["", "null", "\"f\"", "{\"f\":"].map(String::from));
    objects
}

fn read<T>(json: &str, field: impl FnOnce(&mut Fields) -> Option<T>) -> Option<T> {
    field(&mut Fields::parse(json)?)
}

#[test]
fn each_field_reads_as_its_derive_did() {
    for json in objects() {
        let json = json.as_str();
        assert_eq!(
            read(json, |f| f.text_or_empty("f")),
            serde_json::from_str::<TextOrEmpty>(json).ok().map(|d| d.f),
            "text_or_empty {json}"
        );
    }
}
