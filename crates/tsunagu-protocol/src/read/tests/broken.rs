//! Broken messages (a serialized message with fields removed, replaced or added) and the
//! properties: generated messages read as the derive reads them, broken ones are refused or read
//! alike, and no text makes the reader panic.

use super::{generated::server_message, *};

/// Values put in place of a field. No non-empty arrays: the derive reads a struct from a
/// sequence of its fields, a form serde never writes and the reader refuses.
fn some_value() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(-0.0),
        json!(65_536),
        json!(4_294_967_296_u64),
        json!(u64::MAX),
        json!(""),
        json!("x"),
        json!("a b"),
        json!("no-dash"),
        json!("pong"),
        json!("status"),
        json!("held"),
        json!("available"),
        json!("away"),
        json!("lunch"),
        json!("vacation"),
        json!("voice"),
        json!("web_call"),
        json!("candidate"),
        json!("declined"),
        json!([]),
        json!({}),
        json!({ "kind": "available" }),
        json!({ "kind": "offer", "sdp": "v=0" }),
        json!({ "lunch": "x" }),
        json!({ "interaction": "CA1", "attempt": 1 }),
        json!({ "ja": "", "en": "" }),
    ])
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    AddUnknown(Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        some_value().prop_map(Mutation::Replace),
        some_value().prop_map(Mutation::AddUnknown),
    ]
}

/// Every place in `value` below the root, as paths of object keys and array indexes.
fn paths(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, child)| (Step::Key(key.clone()), child))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, child)| (Step::Index(index), child))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        path.push(step);
        out.push(path.clone());
        paths(child, path, out);
        path.pop();
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The value at `path`.
fn at<'v>(mut value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    for step in path {
        value = match (step, value) {
            (Step::Key(key), Value::Object(fields)) => fields.get_mut(key)?,
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Applies `mutation` at `path`: the field or item there is removed or replaced, or, when it is
/// an object (the root included), gets a field this build does not know.
fn mutate(root: &mut Value, path: &[Step], mutation: Mutation) {
    if let Mutation::AddUnknown(value) = mutation {
        if let Some(Value::Object(fields)) = at(root, path) {
            fields.insert("unknown_field".into(), value);
        }
        return;
    }
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    match (mutation, last, at(root, parent_path)) {
        (Mutation::Remove, Step::Key(key), Some(Value::Object(fields))) => {
            fields.remove(key);
        }
        (Mutation::Remove, Step::Index(index), Some(Value::Array(items))) => {
            items.remove(*index);
        }
        (Mutation::Replace(value), Step::Key(key), Some(Value::Object(fields))) => {
            fields.insert(key.clone(), value);
        }
        (Mutation::Replace(value), Step::Index(index), Some(Value::Array(items))) => {
            items[*index] = value;
        }
        _ => {}
    }
}

/// Whether an object in `value` has a number for its `type` or `kind`: a variant index, which
/// the derive reads and the reader refuses ([`forms_serde_never_writes_are_refused`]).
fn has_numeric_tag(value: &Value) -> bool {
    match value {
        Value::Object(fields) => fields.iter().any(|(key, child)| {
            ((key == "type" || key == "kind") && child.is_number()) || has_numeric_tag(child)
        }),
        Value::Array(items) => items.iter().any(has_numeric_tag),
        _ => false,
    }
}

/// A generated message, serialized, with up to three mutations at generated places.
fn broken_message() -> impl Strategy<Value = Value> {
    (
        server_message(),
        prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    )
        .prop_map(|(message, mutations)| {
            let mut value = serde_json::to_value(&message).expect("serializes");
            for (place, mutation) in mutations {
                let mut all = vec![vec![]];
                paths(&value, &mut vec![], &mut all);
                let path = place.get(&all).clone();
                mutate(&mut value, &path, mutation);
            }
            value
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_messages_read_as_the_derive_reads_them(message in server_message()) {
        let json = message.to_json();
        prop_assert_eq!(ServerMessage::read(&json), Ok(message.clone()));
        prop_assert_eq!(derived(&json), Some(message));
    }

    #[test]
    fn broken_messages_are_refused_or_read_as_the_derive_reads_them(value in broken_message()) {
        prop_assume!(!has_numeric_tag(&value));
        let json = value.to_string();
        prop_assert_eq!(ServerMessage::read(&json).ok(), derived(&json), "{}", json);
    }

    #[test]
    fn any_text_is_refused_or_read_without_panicking(json in any::<String>()) {
        prop_assert_eq!(ServerMessage::read(&json).ok(), derived(&json));
    }
}
