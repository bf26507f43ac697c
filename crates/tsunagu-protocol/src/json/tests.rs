//! The small JSON value checked against serde_json: it reads what serde_json reads, refuses what it refuses, and writes what it writes.

use proptest::prelude::*;

use super::{ObjectWriter, Value};

/// serde_json's reading of `text`, or `None` when it refuses the text.
fn serde_reads(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

/// Ours: `text` read, written back and read by serde_json (so key order, which serde_json's
/// map sorts, does not count), or `None` when refused.
fn ours_reads(text: &str) -> Option<serde_json::Value> {
    Value::parse(text).map(|value| serde_json::from_str(&value.to_string()).expect("we write JSON"))
}

/// Both read `text` alike: both refuse it, or both read the same value.
#[track_caller]
fn reads_as_serde(text: &str) {
    assert_eq!(ours_reads(text), serde_reads(text), "{text:?}");
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
        "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é日\u{1F600}]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_\"]{0,6}", inner, 0..6)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Whatever serde_json writes, compact or pretty, reads back and is written byte for byte as
    /// serde_json writes it.
    #[test]
    fn reads_and_writes_what_serde_json_writes(value in any_json()) {
        let compact = value.to_string();
        let ours = Value::parse(&compact).map(|v| v.to_string());
        prop_assert_eq!(ours.as_deref(), Some(compact.as_str()));
        let pretty = serde_json::to_string_pretty(&value).expect("serializes");
        let ours = Value::parse(&pretty).map(|v| v.to_string());
        prop_assert_eq!(ours.as_deref(), Some(compact.as_str()));
    }

    /// Broken text (a character removed, replaced or added anywhere) is refused exactly when
    /// serde_json refuses it, and read alike otherwise.
    #[test]
    fn refuses_what_serde_json_refuses(
        value in any_json(),
        at in any::<prop::sample::Index>(),
        edit in 0..3u8,
        with in prop::sample::select(vec!['"', '\\', ',', ':', '[', ']', '{', '}', '0', '1', '-', '.', 'e', '+', ' ', 'n', 'u', 'x', '\u{1}', 'é']),
    ) {
        let text = value.to_string();
        let chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len() + 1);
        let mut broken: Vec<char> = chars.clone();
        match edit {
            0 if i < chars.len() => { broken.remove(i); }
            1 if i < chars.len() => broken[i] = with,
            _ => broken.insert(i, with),
        }
        let broken: String = broken.into_iter().collect();
        // The one documented difference: serde_json refuses a float that overflows.
        let overflow = serde_json::from_str::<serde_json::Value>(&broken)
            .is_err_and(|e| e.to_string().contains("number out of range"));
        if !overflow {
            prop_assert_eq!(ours_reads(&broken), serde_reads(&broken), "{:?}", broken);
        }
    }

    /// `as_u64` agrees with serde_json's on every number it writes.
    #[test]
    fn whole_numbers_read_as_serde_json_reads_them(value in prop_oneof![
        any::<u64>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
    ]) {
        let ours = Value::parse(&value.to_string()).and_then(|v| v.as_u64());
        prop_assert_eq!(ours, value.as_u64());
    }
}

#[test]
fn reads_the_edges_as_serde_json_does() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "-0.0",
        "1.5e3",
        "1E-2",
        "2e+2",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "--1",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775809",
        r#""\u00e9\ud83d\ude00""#,
        r#""\ud83d""#,
        r#""\ude00""#,
        r#""\ud83dx""#,
        r#""\ud83d\u0041""#,
        r#""\/\b\f\n\r\t""#,
        r#""\x""#,
        "\"\u{1}\"",
        "\"\u{7f}\"",
        r#""\u00G0""#,
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:1}",
        "{\"a\":1,\"a\":2}",
        "[] []",
        "",
        "   ",
        "nul",
        "truex",
        "[1 2]",
        "{\"a\":[{}]}",
        "\u{feff}1",
        "1 ",
        "\t\n\r[ ]\r\n",
    ] {
        reads_as_serde(text);
    }
}

#[test]
fn nests_as_deep_as_serde_json_and_no_deeper() {
    for depth in [126, 127, 128, 129] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        reads_as_serde(&text);
        let text = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        reads_as_serde(&text);
    }
}

#[test]
fn numbers_read_as_whole_numbers_as_serde_json_reads_them() {
    for text in [
        "0",
        "-0",
        "7",
        "-7",
        "1.0",
        "1e2",
        "18446744073709551615",
        "18446744073709551616",
    ] {
        let ours = Value::parse(text).and_then(|v| v.as_u64());
        let theirs = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.as_u64());
        assert_eq!(ours, theirs, "{text}");
    }
}

#[test]
fn a_repeated_key_keeps_its_place_and_its_last_value() {
    let value = Value::parse(r#"{"a":1,"b":2,"a":3}"#).expect("JSON");
    assert_eq!(value.to_string(), r#"{"a":3,"b":2}"#);
}

#[test]
fn objects_are_equal_with_their_members_in_any_order() {
    let one = Value::parse(r#"{"a":1,"b":[true]}"#);
    assert_eq!(one, Value::parse(r#"{"b":[true],"a":1}"#));
    assert_ne!(one, Value::parse(r#"{"a":1,"b":[false]}"#));
    assert_ne!(one, Value::parse(r#"{"a":1}"#));
    assert_ne!(one, Value::parse(r#"{"a":1,"b":[true],"c":null}"#));
}

#[test]
fn objects_are_written_in_the_order_built() {
    let value = Value::object([
        ("type", "ended".into()),
        ("log", Value::Null),
        ("n", 7u32.into()),
        ("x", Some("é\"\n").into()),
        ("y", None::<String>.into()),
        ("ok", true.into()),
    ]);
    assert_eq!(
        value.to_string(),
        r#"{"type":"ended","log":null,"n":7,"x":"é\"\n","y":null,"ok":true}"#
    );
}

#[test]
fn the_object_writer_writes_what_serde_json_writes() {
    let mut out = String::new();
    ObjectWriter::open(&mut out)
        .text("type", "a\u{1}\u{1f}\"\\/")
        .number("n", u64::MAX)
        .boolean("b", false)
        .text_if_some("skipped", None)
        .object("inner", |o| {
            o.text("k", "v");
        })
        .close();
    let expected = serde_json::json!({
        "type": "a\u{1}\u{1f}\"\\/", "n": u64::MAX, "b": false, "inner": { "k": "v" }
    });
    // serde_json's map sorts its keys; compare the values, and the escapes byte for byte.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).ok(),
        Some(expected)
    );
    assert!(out.starts_with(r#"{"type":"a\u0001\u001f\"\\/","#), "{out}");
}
