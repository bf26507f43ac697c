//! The worker's JSON replies read by hand from `tsunagu_protocol::json::Value` (the widget links no serde_json).
//!
//! One serde derive per reply type instantiated serde_json's parser for each of them; these
//! readers share the one `Value` parser. Each reads what its derive read: unknown fields are
//! ignored, an absent `Option` is `None`, a `#[serde(default)]` field falls back only when absent.

use tsunagu_protocol::json::{Map, Value};

/// A JSON object's fields, taken out one by one.
pub(crate) struct Fields(Map);

impl Fields {
    /// The object `json` is, or `None` (not JSON, or not an object).
    pub(crate) fn parse(json: &str) -> Option<Fields> {
        match Value::parse(json)? {
            Value::Object(map) => Some(Fields(map)),
            _ => None,
        }
    }

    /// The value of a field, taken out (`None` when absent).
    pub(crate) fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }

    /// A `#[serde(default)] String`: absent is empty, anything but a string is refused.
    pub(crate) fn text_or_empty(&mut self, name: &str) -> Option<String> {
        match self.take(name) {
            None => Some(String::new()),
            Some(Value::String(text)) => Some(text),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;

/// A JSON object built in order, `json!`-style: `object! { "key": value, … }`, each value
/// `Into<Value>` (`None` is `null`).
macro_rules! object {
    ($($key:literal : $value:expr),* $(,)?) => {
        ::tsunagu_protocol::json::Value::object([
            $(($key, ::tsunagu_protocol::json::Value::from($value))),*
        ])
    };
}

pub(crate) use object;
