//! A small JSON value with its parser and writer: what the widget reads and writes instead of serde_json.
//!
//! The widget parses every hub message, worker reply and host message, and writes its own
//! messages; serde_json's `Value` parser, its float parsing and its serializers weighed several KB
//! of the gzipped download. This module keeps the names of serde_json's `Value` API that the
//! readers use (`Value`, `Map`, `as_u64`, `remove`…), so a reader ports by its `use` line, and
//! its tests check it against serde_json (`json/tests.rs`).
//!
//! It accepts the JSON serde_json accepts (RFC 8259: no comments, no trailing commas, no leading
//! zeros, no raw control characters or lone surrogates in strings, at most 127 nested arrays and
//! objects) and reads it alike, with two differences on input serde never writes: a number is kept
//! as its text, so a float that overflows (`1e400`) reads instead of being refused; and an
//! object keeps its keys in the order written (serde_json's default map sorts them), a repeated
//! key keeping the first one's place and the last one's value, as serde_json's `preserve_order`
//! does. Written back, numbers are their text as read, strings are escaped as serde_json escapes
//! them, and there is no whitespace.

use std::fmt::{self, Write as _};

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number, kept as the text it was read from (or written as).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

/// A JSON object: its members in the order written, each key once. Two maps are equal when they
/// hold the same members in any order (as serde_json's maps compare).
#[derive(Debug, Clone, Default)]
pub struct Map(Vec<(String, Value)>);

/// Containers nested deeper than this are refused, as serde_json refuses them (its limit of 128
/// counts down to zero on the 128th).
const MAX_DEPTH: u32 = 127;

impl Value {
    /// The value `json` is, or `None` when it is not exactly one JSON value (surrounding
    /// whitespace allowed).
    pub fn parse(json: &str) -> Option<Value> {
        let mut parser = Parser {
            bytes: json.as_bytes(),
            at: 0,
            depth: 0,
        };
        let value = parser.value()?;
        parser.whitespace();
        (parser.at == parser.bytes.len()).then_some(value)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// A whole, non-negative number that fits a `u64` (as serde_json's `as_u64`: `1.0`, `1e2`
    /// and `-1` are not).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The member `key` of an object (`None` for anything else, or when absent).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// An object of `members`, in order (a repeated key keeps its last value).
    pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
        let mut map = Map::new();
        for (key, value) in members {
            map.insert(key.to_owned(), value);
        }
        Value::Object(map)
    }
}

impl Number {
    /// See [`Value::as_u64`]. `-0` is not (serde_json reads it as a float).
    pub fn as_u64(&self) -> Option<u64> {
        if self.0.is_empty() || !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.0.parse().ok()
    }
}

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Takes member `key` out.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// Sets member `key`; a key already there keeps its place.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len()
            && self
                .0
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl Eq for Map {}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<u64> for Value {
    fn from(value: u64) -> Value {
        Value::Number(Number(value.to_string()))
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Value {
        Value::from(u64::from(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::String(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::String(value)
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Value {
        Value::String(value.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is `null`.
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// The number's text.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compact JSON, as `serde_json::to_string` writes it (numbers as read).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => f.write_str(if *value { "true" } else { "false" }),
            Value::Number(number) => f.write_str(&number.0),
            Value::String(text) => write_str(f, text),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    fmt::Display::fmt(item, f)?;
                }
                f.write_char(']')
            }
            Value::Object(map) => {
                f.write_char('{')?;
                for (i, (key, value)) in map.0.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_str(f, key)?;
                    f.write_char(':')?;
                    fmt::Display::fmt(value, f)?;
                }
                f.write_char('}')
            }
        }
    }
}

/// A JSON string, escaped as serde_json escapes it: `"`, `\` and control characters only
/// (`\b \t \n \f \r`, the rest as lowercase `\u00xx`).
pub fn write_str(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.write_str(&text[plain..at])?;
        plain = at + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.write_str("\\u00")?;
            out.write_char(char::from(HEX[usize::from(byte >> 4)]))?;
            out.write_char(char::from(HEX[usize::from(byte & 0xf)]))?;
        } else {
            out.write_str(escape)?;
        }
    }
    out.write_str(&text[plain..])?;
    out.write_char('"')
}

/// Writes a JSON object member by member, for messages written without building a [`Value`].
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object at the end of `out`.
    pub fn open(out: &'a mut String) -> ObjectWriter<'a> {
        out.push('{');
        ObjectWriter { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        // Writing to a String cannot fail.
        let _ = write_str(self.out, key);
        self.out.push(':');
    }

    pub fn text(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        let _ = write_str(self.out, value);
        self
    }

    /// A string member, left out when `None` (serde's `skip_serializing_if = "Option::is_none"`).
    pub fn text_if_some(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.text(key, value);
        }
        self
    }

    pub fn number(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    pub fn boolean(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// A member that is an object, written by `write`.
    pub fn object(&mut self, key: &str, write: impl FnOnce(&mut ObjectWriter<'_>)) -> &mut Self {
        self.key(key);
        let mut inner = ObjectWriter::open(self.out);
        write(&mut inner);
        inner.close();
        self
    }

    pub fn close(&mut self) {
        self.out.push('}');
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self) -> Option<Value> {
        self.whitespace();
        match self.peek()? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            b'[' => self.nested(Parser::array),
            b'{' => self.nested(Parser::object),
            _ => None,
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Option<Value>) -> Option<Value> {
        if self.depth == MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// After `[`.
    fn array(&mut self) -> Option<Value> {
        let mut items = Vec::new();
        self.whitespace();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.whitespace();
            match self.next()? {
                b',' => {}
                b']' => return Some(Value::Array(items)),
                _ => return None,
            }
        }
    }

    /// After `{`.
    fn object(&mut self) -> Option<Value> {
        let mut map = Map::new();
        self.whitespace();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Value::Object(map));
        }
        loop {
            self.whitespace();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.whitespace();
            if self.next()? != b':' {
                return None;
            }
            let value = self.value()?;
            map.insert(key, value);
            self.whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Some(Value::Object(map)),
                _ => return None,
            }
        }
    }

    /// At `"`: the string, unescaped.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut text = String::new();
        let mut plain = self.at;
        loop {
            match self.next()? {
                b'"' => {
                    text.push_str(self.plain(plain, self.at - 1)?);
                    return Some(text);
                }
                b'\\' => {
                    text.push_str(self.plain(plain, self.at - 1)?);
                    let unescaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    text.push(unescaped);
                    plain = self.at;
                }
                0x00..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// The unescaped bytes `from..to` of the input (whole UTF-8: the input is a `str` and the
    /// bounds sit next to ASCII bytes).
    fn plain(&self, from: usize, to: usize) -> Option<&str> {
        std::str::from_utf8(self.bytes.get(from..to)?).ok()
    }

    /// After `\u`: one character, from a surrogate pair when it takes two escapes.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xd800..=0xdbff => {
                if self.next()? != b'\\' || self.next()? != b'u' {
                    return None;
                }
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
            }
            0xdc00..=0xdfff => None,
            _ => char::from_u32(first),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?).to_digit(16)?;
            value = value * 16 + digit;
        }
        Some(value)
    }

    /// At `-` or a digit: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Option<Number> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return None;
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(Number(self.plain(start, self.at)?.to_owned()))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// At least one digit.
    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }
}

#[cfg(test)]
mod tests;
