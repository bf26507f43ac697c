//! The `double` voice backend: a WebSocket to the Twilio test double's `<Client>` endpoint (no audio).
//!
//! Server → client: `registered`, `incoming` (with the TwiML `<Parameter>`s), `cancelled`, `ended`, `error`.
//! Client → server: `accept`, `reject`, `hangup`, `dtmf`.

use std::cell::RefCell;

use tsunagu_protocol::json::{Map, Value};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{IncomingCall, VoiceEvent, VoiceLine, VoiceProblem, VoiceSink};

/// What the double sends: `{ "type": "incoming", "call_sid": "…", … }`. Read by
/// [`FromDouble::read`], not serde: the derive of this internally tagged enum buffered every
/// message and was the widget's last user of serde's `Content`.
#[derive(Debug, PartialEq)]
enum FromDouble {
    /// The double now routes `<Client>` dials to this socket (sent after the upgrade, so the line
    /// is ready only then, not when the socket opens).
    Registered,
    Incoming {
        call_sid: String,
        from: Option<String>,
        parameters: Map,
    },
    Cancelled {
        call_sid: String,
    },
    Ended {
        call_sid: String,
    },
    Error {
        message: String,
    },
}

impl FromDouble {
    /// The message `json` is, or `None` when it is not JSON, its `type` is unknown or a field is
    /// missing or of the wrong kind; other fields are ignored (as the derive did, which the tests
    /// compare it with).
    fn read(json: &str) -> Option<FromDouble> {
        let Some(Value::Object(mut fields)) = Value::parse(json) else {
            return None;
        };
        let Some(Value::String(kind)) = fields.remove("type") else {
            return None;
        };
        let call_sid = |fields: &mut Map| match fields.remove("call_sid")? {
            Value::String(sid) => Some(sid),
            _ => None,
        };
        Some(match kind.as_str() {
            "registered" => FromDouble::Registered,
            "incoming" => FromDouble::Incoming {
                call_sid: call_sid(&mut fields)?,
                from: match fields.remove("from") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(from)) => Some(from),
                    Some(_) => return None,
                },
                parameters: match fields.remove("parameters") {
                    None => Map::new(),
                    Some(Value::Object(parameters)) => parameters,
                    Some(_) => return None,
                },
            },
            "cancelled" => FromDouble::Cancelled {
                call_sid: call_sid(&mut fields)?,
            },
            "ended" => FromDouble::Ended {
                call_sid: call_sid(&mut fields)?,
            },
            "error" => FromDouble::Error {
                message: match fields.remove("message") {
                    None => String::new(),
                    Some(Value::String(message)) => message,
                    Some(_) => return None,
                },
            },
            _ => return None,
        })
    }
}

/// A parameter as text, whether the double sent it as a string or a number.
fn parameter(parameters: &Map, name: &str) -> Option<String> {
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
                match FromDouble::read(&text) {
                    Some(FromDouble::Registered) => sink(VoiceEvent::Registered),
                    Some(FromDouble::Incoming {
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
                    Some(FromDouble::Cancelled { call_sid } | FromDouble::Ended { call_sid }) => {
                        sink(VoiceEvent::Disconnected { call_sid });
                    }
                    Some(FromDouble::Error { message }) => {
                        leptos::logging::warn!("voice double refused a message: {message}");
                    }
                    None => leptos::logging::warn!("voice double: unknown message"),
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
        self.send(&crate::json::object! { "type": "accept", "call_sid": call_sid });
        (self.sink)(VoiceEvent::Connected {
            call_sid: call_sid.to_owned(),
        });
    }

    fn reject(&self, call_sid: &str) {
        self.send(&crate::json::object! { "type": "reject", "call_sid": call_sid });
        (self.sink)(VoiceEvent::Disconnected {
            call_sid: call_sid.to_owned(),
        });
    }

    fn hangup(&self, call_sid: &str) {
        self.send(&crate::json::object! { "type": "hangup", "call_sid": call_sid });
        (self.sink)(VoiceEvent::Disconnected {
            call_sid: call_sid.to_owned(),
        });
    }

    /// The double carries no audio, so there is nothing to silence; the widget shows the state.
    fn mute(&self, _call_sid: &str, _muted: bool) {}

    fn send_digits(&self, call_sid: &str, digits: &str) {
        self.send(&crate::json::object! { "type": "dtmf", "call_sid": call_sid, "digits": digits });
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

#[cfg(test)]
mod tests;
