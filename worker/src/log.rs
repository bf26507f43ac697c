//! Structured logs: one JSON object per line, the fields a Workers Logs query filters on.

use serde_json::{Map, Value};
use worker::console_log;

/// Logs `event` (dotted name, e.g. `webhook.rejected`) with extra fields. Never pass secrets or
/// tokens here; ids and outcomes only.
pub(crate) fn info(event: &str, fields: &[(&str, Value)]) {
    emit("info", event, fields);
}

pub(crate) fn warn(event: &str, fields: &[(&str, Value)]) {
    emit("warn", event, fields);
}

pub(crate) fn error(event: &str, fields: &[(&str, Value)]) {
    emit("error", event, fields);
}

fn emit(level: &str, event: &str, fields: &[(&str, Value)]) {
    let mut line = Map::new();
    line.insert("level".into(), level.into());
    line.insert("event".into(), event.into());
    for (name, value) in fields {
        line.insert((*name).into(), value.clone());
    }
    console_log!("{}", Value::Object(line));
}
