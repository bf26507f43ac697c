//! The typed, versioned postMessage link to the host page (`embed.js`): `{ tsunagu: 1, type, … }`.
//!
//! Messages go to the host's origin only (never `'*'`), and a message counts only when it comes
//! from the parent window *and* from that origin; anything else is dropped and counted.

use std::cell::Cell;

use tsunagu_protocol::json::{Map, Value};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, Window};

/// Major version of the host messages; a peer with another major is refused.
pub(crate) const HOST_MAJOR: u64 = 1;

/// What the host page may send: `{ "type": "token", "id": 3, "token": "…" }` and so on (the
/// `type` names are the variants' in kebab-case). Read by [`FromHost::read`], not serde.
#[derive(Debug, PartialEq)]
pub(crate) enum FromHost {
    /// The loader's answer to the widget's hello (its version is informative only).
    Hello,
    Init {
        lang: Option<String>,
    },
    Token {
        id: u32,
        token: String,
    },
    TokenError {
        id: u32,
    },
    SetPresence {
        status: Value,
    },
    /// Whether this page owns the agent's phone: the loader holds a Web Lock per tenant in the
    /// CRM page (first-party, where browsers allow it), so one tab of many rings and notifies.
    Phone {
        owner: bool,
    },
    /// `Tsunagu.dial(number, { customerId })`.
    Dial {
        number: String,
        customer_id: Option<String>,
    },
}

impl FromHost {
    /// The message `message` is, or `None` when its `type` is unknown or a field is missing or
    /// of the wrong kind; other fields are ignored. By hand rather than `#[serde(tag = "type")]`:
    /// the derive buffered every message and weighed 2.7 KB gzipped in the download.
    pub(crate) fn read(message: Value) -> Option<FromHost> {
        let Value::Object(mut fields) = message else {
            return None;
        };
        let Some(Value::String(kind)) = fields.remove("type") else {
            return None;
        };
        Some(match kind.as_str() {
            "hello" => FromHost::Hello,
            "init" => FromHost::Init {
                lang: optional_text(fields.remove("lang"))?,
            },
            "token" => FromHost::Token {
                id: request_id(fields.remove("id"))?,
                token: text(fields.remove("token"))?,
            },
            "token-error" => FromHost::TokenError {
                id: request_id(fields.remove("id"))?,
            },
            "set-presence" => FromHost::SetPresence {
                status: fields.remove("status")?,
            },
            "phone" => FromHost::Phone {
                owner: fields.remove("owner")?.as_bool()?,
            },
            "dial" => FromHost::Dial {
                number: text(fields.remove("number"))?,
                customer_id: optional_text(fields.remove("customerId"))?,
            },
            _ => return None,
        })
    }
}

/// A required string field.
fn text(field: Option<Value>) -> Option<String> {
    match field? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// An optional string field: absent and `null` read as `Some(None)`, anything but a string as `None`.
fn optional_text(field: Option<Value>) -> Option<Option<String>> {
    match field {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(text)),
        Some(_) => None,
    }
}

/// A token request's id: a whole number that fits a `u32`.
fn request_id(field: Option<Value>) -> Option<u32> {
    u32::try_from(field?.as_u64()?).ok()
}

/// What the link reports.
pub(crate) enum HostInput {
    Message(FromHost),
    /// The host speaks another major version (given).
    Incompatible(u64),
}

thread_local! {
    static IGNORED: Cell<u32> = const { Cell::new(0) };
}

fn ignore(why: &str) {
    let count = IGNORED.with(|n| {
        n.set(n.get().saturating_add(1));
        n.get()
    });
    web_sys::console::debug_1(
        &format!("[tsunagu widget] ignored a message ({why}); {count} so far").into(),
    );
}

/// The open link; the listener lives as long as this value.
pub(crate) struct HostLink {
    parent: Window,
    origin: String,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl HostLink {
    /// Listens to the parent window at `origin` and says hello with `version`.
    pub(crate) fn open(
        origin: String,
        version: &str,
        on_input: impl Fn(HostInput) + 'static,
    ) -> Option<HostLink> {
        let window = web_sys::window()?;
        let parent = window.parent().ok()??;
        let listener = {
            let parent = parent.clone();
            let origin = origin.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let from_parent = event
                    .source()
                    .is_some_and(|source| js_sys::Object::is(&source, &parent));
                if !from_parent || event.origin() != origin {
                    return ignore("another window or origin");
                }
                let Some(text) = js_sys::JSON::stringify(&event.data())
                    .ok()
                    .and_then(|s| s.as_string())
                else {
                    return ignore("not JSON");
                };
                let Some(value) = Value::parse(&text) else {
                    return ignore("not JSON");
                };
                match value.get("tsunagu").and_then(Value::as_u64) {
                    Some(HOST_MAJOR) => {}
                    Some(major) => return on_input(HostInput::Incompatible(major)),
                    None => return ignore("not a Tsunagu message"),
                }
                match FromHost::read(value) {
                    Some(message) => on_input(HostInput::Message(message)),
                    None => ignore("unknown message type"),
                }
            })
        };
        window
            .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .ok()?;
        let link = HostLink {
            parent,
            origin,
            _listener: listener,
        };
        link.post(Value::object([
            ("type", "hello".into()),
            ("version", version.into()),
        ]));
        Some(link)
    }

    /// Posts `message` (an object with `type`) to the host, stamped with the major version.
    pub(crate) fn post(&self, mut message: Value) {
        if let Some(fields) = message.as_object_mut() {
            fields.insert("tsunagu".into(), HOST_MAJOR.into());
        }
        let Ok(value) = js_sys::JSON::parse(&message.to_string()) else {
            return;
        };
        let _ = self.parent.post_message(&value, &self.origin);
    }

    /// Emits a host API event (`Tsunagu.on(event, …)`).
    pub(crate) fn emit(&self, event: &str, detail: Value) {
        let mut message = Map::new();
        message.insert("type".into(), "event".into());
        message.insert("event".into(), event.into());
        message.insert("detail".into(), detail);
        self.post(Value::Object(message));
    }
}

#[cfg(test)]
mod tests;
