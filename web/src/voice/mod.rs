//! The phone line behind the widget: one trait for every voice backend, and the events they report.
//!
//! `POST /api/token` says which backend the tenant's line uses. `double` (the project's Twilio
//! test double) is built in; `twilio` (the Voice JS SDK through wasm-bindgen, loaded only when
//! voice is enabled) will implement the same trait, so the rest of the widget does not change.

mod double;

use std::rc::Rc;

use serde::Deserialize;

/// A call the line rings with, carrying the custom parameters the worker's TwiML set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncomingCall {
    pub(crate) call_sid: String,
    pub(crate) from: Option<String>,
    /// The worker's conversation id: matches the call to the hub's offer.
    pub(crate) conversation: Option<String>,
    pub(crate) attempt: Option<u32>,
}

/// What a line reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VoiceEvent {
    /// The line is registered and can ring.
    Registered,
    Ringing(IncomingCall),
    Connected {
        call_sid: String,
    },
    /// The call ended or stopped ringing (hung up, cancelled, rejected).
    Disconnected {
        call_sid: String,
    },
    /// The line dropped or refused the token; it no longer rings.
    Error,
}

/// One agent's phone line. Calls are named by their Twilio CallSid.
pub(crate) trait VoiceLine {
    fn register(&self, token: &str, edge: &str);
    fn accept(&self, call_sid: &str);
    fn reject(&self, call_sid: &str);
    fn hangup(&self, call_sid: &str);
    fn mute(&self, call_sid: &str, muted: bool);
    fn send_digits(&self, call_sid: &str, digits: &str);
    fn unregister(&self);
}

/// Where a line's events go.
pub(crate) type VoiceSink = Rc<dyn Fn(VoiceEvent)>;

/// `POST /api/token`'s reply.
#[derive(Debug, Deserialize)]
pub(crate) struct VoiceToken {
    pub(crate) token: String,
    pub(crate) edge: String,
    pub(crate) backend: String,
    #[serde(default)]
    pub(crate) client_url: Option<String>,
}

/// The line for `token`'s backend, or `None` when this build cannot carry it (today: `twilio`).
pub(crate) fn line_for(token: &VoiceToken, sink: VoiceSink) -> Option<Rc<dyn VoiceLine>> {
    match (token.backend.as_str(), token.client_url.as_deref()) {
        ("double", Some(url)) if !url.is_empty() => {
            Some(Rc::new(double::DoubleLine::new(url, sink)))
        }
        _ => None,
    }
}
