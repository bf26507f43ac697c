//! Reads a JSON object field by field, collecting every problem instead of stopping at the first.

use serde_json::{Map, Value};

use crate::{ErrorCode, FieldError, Invalid};

/// A JSON object being validated, and the problems found so far.
pub(crate) struct Fields<'a> {
    object: Option<&'a Map<String, Value>>,
    pub(crate) errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// The body's fields; a body that is not an object is one error, and every read finds nothing.
    pub(crate) fn of(body: &'a Value) -> Fields<'a> {
        match body {
            Value::Object(object) => Fields {
                object: Some(object),
                errors: Vec::new(),
            },
            _ => Fields {
                object: None,
                errors: vec![FieldError::new("", ErrorCode::NotAnObject)],
            },
        }
    }

    pub(crate) fn fail(&mut self, field: impl Into<String>, code: ErrorCode) {
        // A body that is not an object has that one problem; "required" for each field is noise.
        if self.object.is_none() {
            return;
        }
        self.errors.push(FieldError::new(field, code));
    }

    /// The raw value of `name`; `None` when absent or null.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.object?.get(name).filter(|value| !value.is_null())
    }

    /// Whether the body names `name` at all, `null` included (a field that must be sent even
    /// when it is `null`, so that leaving it out is not read as clearing it).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.object.is_some_and(|object| object.contains_key(name))
    }

    /// A required whole number in `min..=max`.
    pub(crate) fn number(&mut self, name: &str, (min, max): (u32, u32)) -> Option<u32> {
        match self.get(name) {
            Some(value) => self.number_value(name, value, min, max),
            None => {
                self.fail(name, ErrorCode::Required);
                None
            }
        }
    }

    /// A required text field of 1..=`max` characters without control characters, trimmed.
    pub(crate) fn text(&mut self, name: &str, max: u32) -> Option<String> {
        let Some(value) = self.get(name) else {
            self.fail(name, ErrorCode::Required);
            return None;
        };
        self.text_value(name, value, max, false)
    }

    /// An optional text field (absent or null is `None`; `""` is allowed when `allow_empty`).
    pub(crate) fn optional_text(
        &mut self,
        name: &str,
        max: u32,
        allow_empty: bool,
    ) -> Option<String> {
        let value = self.get(name)?;
        self.text_value(name, value, max, allow_empty)
    }

    /// Checks one text value at `path`.
    pub(crate) fn text_value(
        &mut self,
        path: &str,
        value: &Value,
        max: u32,
        allow_empty: bool,
    ) -> Option<String> {
        let Some(raw) = value.as_str() else {
            self.fail(path, ErrorCode::NotText);
            return None;
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() && !allow_empty {
            self.fail(path, ErrorCode::Blank);
            return None;
        }
        if trimmed.chars().count() > max as usize {
            self.fail(path, ErrorCode::TooLong { max });
            return None;
        }
        if trimmed.chars().any(is_control) {
            self.fail(path, ErrorCode::ControlCharacter);
            return None;
        }
        Some(trimmed.to_owned())
    }

    /// A list field's items (absent or null is `None`); more than `max` items is an error.
    pub(crate) fn list(&mut self, name: &str, max: u32) -> Option<&'a Vec<Value>> {
        let value = self.get(name)?;
        let Some(items) = value.as_array() else {
            self.fail(name, ErrorCode::NotList);
            return None;
        };
        if items.len() > max as usize {
            self.fail(name, ErrorCode::TooMany { max });
            return None;
        }
        Some(items)
    }

    /// A whole number in `min..=max` at `path`.
    pub(crate) fn number_value(
        &mut self,
        path: &str,
        value: &Value,
        min: u32,
        max: u32,
    ) -> Option<u32> {
        let number = value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (min..=max).contains(n));
        if number.is_none() {
            self.fail(path, ErrorCode::NotInRange { min, max });
        }
        number
    }

    /// The validated value, or every problem found.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Invalid> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ if self.errors.is_empty() => {
                // Every path that yields no value records why; this keeps the promise anyway.
                Err(Invalid::one("", ErrorCode::NotAnObject))
            }
            _ => Err(Invalid(self.errors)),
        }
    }
}

/// Characters refused in names: controls, and the bidirectional overrides and isolates that
/// could make a name display as something else.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}
