//! The typed, versioned postMessage link to the host page (`embed.js`): `{ tsunagu: 1, type, … }`.
//!
//! Messages go to the host's origin only (never `'*'`), and a message counts only when it comes
//! from the parent window *and* from that origin; anything else is dropped and counted.

use std::cell::Cell;

use serde::Deserialize;
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, Window};

/// Major version of the host messages; a peer with another major is refused.
pub(crate) const HOST_MAJOR: u64 = 1;

/// What the host page may send.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum FromHost {
    /// The loader's answer to the widget's hello (its version is informative only).
    Hello,
    Init {
        #[serde(default)]
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
        #[serde(default, rename = "customerId")]
        customer_id: Option<String>,
    },
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
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    return ignore("not JSON");
                };
                match value.get("tsunagu").and_then(Value::as_u64) {
                    Some(HOST_MAJOR) => {}
                    Some(major) => return on_input(HostInput::Incompatible(major)),
                    None => return ignore("not a Tsunagu message"),
                }
                match serde_json::from_value::<FromHost>(value) {
                    Ok(message) => on_input(HostInput::Message(message)),
                    Err(_) => ignore("unknown message type"),
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
        link.post(json!({ "type": "hello", "version": version }));
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
        let mut message = serde_json::Map::new();
        message.insert("type".into(), "event".into());
        message.insert("event".into(), event.into());
        message.insert("detail".into(), detail);
        self.post(Value::Object(message));
    }
}
