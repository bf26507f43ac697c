//! The `double` voice backend: a WebSocket to the Twilio test double's `<Client>` endpoint (no audio).
//!
//! Server → client: `registered`, `incoming` (with the TwiML `<Parameter>`s), `cancelled`, `ended`, `error`.
//! Client → server: `accept`, `reject`, `hangup`, `dtmf`.

use std::{cell::RefCell, collections::BTreeMap};

use serde::Deserialize;
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{IncomingCall, VoiceEvent, VoiceLine, VoiceProblem, VoiceSink};

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FromDouble {
    /// The double now routes `<Client>` dials to this socket (sent after the upgrade, so the line
    /// is ready only then, not when the socket opens).
    Registered,
    Incoming {
        call_sid: String,
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        parameters: BTreeMap<String, Value>,
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

/// A parameter as text, whether the double sent it as a string or a number.
fn parameter(parameters: &BTreeMap<String, Value>, name: &str) -> Option<String> {
    match parameters.get(name)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

struct Live {
    socket: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

pub(crate) struct DoubleLine {
    client_url: String,
    sink: VoiceSink,
    live: RefCell<Option<Live>>,
}

impl DoubleLine {
    pub(crate) fn new(client_url: &str, sink: VoiceSink) -> DoubleLine {
        DoubleLine {
            client_url: client_url.to_owned(),
            sink,
            live: RefCell::new(None),
        }
    }

    fn send(&self, message: &Value) {
        if let Some(live) = self.live.borrow().as_ref() {
            let _ = live.socket.send_with_str(&message.to_string());
        }
    }
}

impl VoiceLine for DoubleLine {
    fn register(&self, token: &str, _edge: &str) {
        self.unregister();
        let separator = if self.client_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let token = String::from(js_sys::encode_uri_component(token));
        let url = format!("{}{separator}token={token}", self.client_url);
        let Ok(socket) = WebSocket::new(&url) else {
            return (self.sink)(VoiceEvent::Error(VoiceProblem::Network));
        };
        let on_message = {
            let sink = self.sink.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<FromDouble>(&text) {
                    Ok(FromDouble::Registered) => sink(VoiceEvent::Registered),
                    Ok(FromDouble::Incoming {
                        call_sid,
                        from,
                        parameters,
                    }) => {
                        sink(VoiceEvent::Ringing(IncomingCall {
                            call_sid,
                            from,
                            conversation: parameter(&parameters, "conversation"),
                            attempt: parameter(&parameters, "attempt").and_then(|a| a.parse().ok()),
                        }));
                    }
                    Ok(FromDouble::Cancelled { call_sid } | FromDouble::Ended { call_sid }) => {
                        sink(VoiceEvent::Disconnected { call_sid });
                    }
                    Ok(FromDouble::Error { message }) => {
                        leptos::logging::warn!("voice double refused a message: {message}");
                    }
                    Err(_) => leptos::logging::warn!("voice double: unknown message"),
                }
            })
        };
        let on_close = {
            let sink = self.sink.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |_event: CloseEvent| {
                sink(VoiceEvent::Error(VoiceProblem::Network));
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.live.borrow_mut() = Some(Live {
            socket,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// The double checks the token only when the socket opens: a fresh one changes nothing on an open line.
    fn update_token(&self, _token: &str) {}

    fn accept(&self, call_sid: &str) {
        self.send(&json!({ "type": "accept", "call_sid": call_sid }));
        (self.sink)(VoiceEvent::Connected {
            call_sid: call_sid.to_owned(),
        });
    }

    fn reject(&self, call_sid: &str) {
        self.send(&json!({ "type": "reject", "call_sid": call_sid }));
        (self.sink)(VoiceEvent::Disconnected {
            call_sid: call_sid.to_owned(),
        });
    }

    fn hangup(&self, call_sid: &str) {
        self.send(&json!({ "type": "hangup", "call_sid": call_sid }));
        (self.sink)(VoiceEvent::Disconnected {
            call_sid: call_sid.to_owned(),
        });
    }

    /// The double carries no audio, so there is nothing to silence; the widget shows the state.
    fn mute(&self, _call_sid: &str, _muted: bool) {}

    fn send_digits(&self, call_sid: &str, digits: &str) {
        self.send(&json!({ "type": "dtmf", "call_sid": call_sid, "digits": digits }));
    }

    fn unregister(&self) {
        if let Some(live) = self.live.borrow_mut().take() {
            live.socket.set_onopen(None);
            live.socket.set_onmessage(None);
            live.socket.set_onclose(None);
            let _ = live.socket.close();
        }
    }
}
