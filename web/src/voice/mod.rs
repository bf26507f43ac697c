//! The phone line behind the widget: one trait for every voice backend, and the events they report.
//!
//! `POST /api/token` says which backend the tenant's line uses: `twilio` (Twilio's Voice JS SDK
//! through wasm-bindgen, its file loaded only then) or `double` (the project's Twilio test double).
//! Both implement [`VoiceLine`], so the rest of the widget does not know which one rings. Each is
//! a feature module, downloaded when the first token names its backend.

mod double;
mod twilio;

use std::rc::Rc;

/// A call the line rings with, carrying the custom parameters the worker's TwiML set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncomingCall {
    pub(crate) call_sid: String,
    pub(crate) from: Option<String>,
    /// The worker's conversation id: matches the call to the hub's offer.
    pub(crate) conversation: Option<String>,
    pub(crate) attempt: Option<u32>,
}

/// What went wrong on the line, in the words the agent reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VoiceProblem {
    /// The line's token ran out; a fresh one fixes it.
    TokenExpired,
    /// The line's token was refused: a configuration problem on our side.
    TokenInvalid,
    /// No microphone, or the browser (or the agent) refused it.
    Microphone,
    /// The phone service cannot be reached (network, proxy, firewall, DNS).
    Network,
    Other,
}

impl VoiceProblem {
    /// The problem behind a Twilio Voice SDK error code. `signalling_up` says whether the line was
    /// registered: before that, the SDK's generic 31000 is its WebSocket failing to connect.
    pub(crate) fn from_twilio_code(code: Option<u32>, signalling_up: bool) -> VoiceProblem {
        match code {
            Some(20104 | 31205) => VoiceProblem::TokenExpired,
            Some(20101 | 20151 | 31102 | 31201..=31204 | 31207) => VoiceProblem::TokenInvalid,
            Some(31208 | 31401 | 31402) => VoiceProblem::Microphone,
            Some(31003 | 31005 | 31009 | 53000 | 53001 | 53405) => VoiceProblem::Network,
            Some(31000) if !signalling_up => VoiceProblem::Network,
            _ => VoiceProblem::Other,
        }
    }
}

/// A call-quality warning, in the words the agent reads; ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CallWarning {
    /// Delay, jitter or loss on the network: the caller may hear gaps.
    PoorNetwork,
    /// Nothing arrives from the caller.
    NoCallerAudio,
    /// Nothing comes from the agent's microphone.
    NoMicrophoneInput,
}

impl CallWarning {
    /// The warning behind a Voice SDK call `warning` name, or `None` for names we do not show.
    pub(crate) fn from_twilio_name(name: &str) -> Option<CallWarning> {
        match name {
            "high-rtt"
            | "high-jitter"
            | "low-mos"
            | "high-packet-loss"
            | "high-packets-lost-fraction"
            | "ice-connectivity-lost" => Some(CallWarning::PoorNetwork),
            "constant-audio-input-level" | "low-bytes-sent" => Some(CallWarning::NoMicrophoneInput),
            "constant-audio-output-level" | "low-bytes-received" => {
                Some(CallWarning::NoCallerAudio)
            }
            _ => None,
        }
    }

    /// Stable name for tests and styling (`data-kind`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CallWarning::PoorNetwork => "poor-network",
            CallWarning::NoMicrophoneInput => "no-microphone-input",
            CallWarning::NoCallerAudio => "no-caller-audio",
        }
    }
}

/// What a line reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VoiceEvent {
    /// The line is registered and can ring.
    Registered,
    /// The line lost its connection and is trying again; it does not ring meanwhile.
    Reconnecting,
    /// The line's token runs out soon, or the line came back after a reconnect: hand it a fresh
    /// one with [`VoiceLine::update_token`].
    TokenNeeded,
    Ringing(IncomingCall),
    Connected {
        call_sid: String,
    },
    /// The call ended or stopped ringing (hung up, cancelled, rejected).
    Disconnected {
        call_sid: String,
    },
    /// Something went wrong on the line or on a call.
    Error(VoiceProblem),
    /// A call's quality warning changed: the worst one still standing, `None` once all cleared.
    Warning {
        call_sid: String,
        warning: Option<CallWarning>,
    },
}

/// One agent's phone line. Calls are named by their Twilio CallSid.
pub(crate) trait VoiceLine {
    fn register(&self, token: &str, edge: &str);
    /// Replaces the line's token without dropping it (or a call in progress).
    fn update_token(&self, token: &str);
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
#[derive(Debug)]
pub(crate) struct VoiceToken {
    pub(crate) token: String,
    pub(crate) edge: String,
    pub(crate) backend: String,
    pub(crate) client_url: Option<String>,
}

impl VoiceToken {
    pub(crate) fn read(json: &str) -> Option<VoiceToken> {
        let reply = tsunagu_protocol::http::VoiceTokenReply::read(json)?;
        Some(VoiceToken {
            token: reply.token,
            edge: reply.edge,
            backend: reply.backend,
            client_url: reply.client_url,
        })
    }
}

/// The edge Twilio's SDK uses when the worker names none: Tokyo, where our agents are.
pub(crate) const DEFAULT_EDGE: &str = "tokyo";

/// Why [`line_for`] has no line for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoLine {
    /// This build cannot carry the token's backend (an unknown backend, or a widget page that
    /// names no SDK file for `twilio`).
    Unsupported,
    /// The backend's module could not be downloaded (see ARCHITECTURE.md "Feature modules").
    NotLoaded,
}

/// The line for `token`'s backend. Each backend is its own feature module: a tenant's agents
/// use one kind of line, so the other's code is never downloaded; the first call fetches it.
pub(crate) async fn line_for(
    token: &VoiceToken,
    sink: VoiceSink,
) -> Result<Rc<dyn VoiceLine>, NoLine> {
    let line = match (token.backend.as_str(), token.client_url.as_deref()) {
        ("double", Some(url)) if !url.is_empty() => double_line(url.to_owned(), sink).await,
        ("twilio", _) => {
            let sdk_url = crate::config::twilio_sdk_url().ok_or(NoLine::Unsupported)?;
            twilio_line(sdk_url, sink).await
        }
        _ => return Err(NoLine::Unsupported),
    };
    line.map_err(|_| NoLine::NotLoaded)
}

/// The test double's line: a feature module, so no production agent downloads it.
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(tsunagu_voice_double, wasm_split_path = ::leptos::wasm_split, fallible)]
fn double_line(
    client_url: String,
    sink: VoiceSink,
) -> Result<Rc<dyn VoiceLine>, leptos::wasm_split::SplitLoaderError> {
    Ok(Rc::new(double::DoubleLine::new(&client_url, sink)))
}

/// Twilio's line (the SDK bindings; the SDK itself is a script of its own): a feature module,
/// so widgets on the test double never download it.
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(tsunagu_voice_twilio, wasm_split_path = ::leptos::wasm_split, fallible)]
fn twilio_line(
    sdk_url: String,
    sink: VoiceSink,
) -> Result<Rc<dyn VoiceLine>, leptos::wasm_split::SplitLoaderError> {
    Ok(Rc::new(twilio::TwilioLine::new(sdk_url, sink)))
}

/// Component tests run an unsplit wasm (no link module to load from): called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
async fn double_line(
    client_url: String,
    sink: VoiceSink,
) -> Result<Rc<dyn VoiceLine>, leptos::wasm_split::SplitLoaderError> {
    Ok(Rc::new(double::DoubleLine::new(&client_url, sink)))
}

/// Component tests run an unsplit wasm: called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
async fn twilio_line(
    sdk_url: String,
    sink: VoiceSink,
) -> Result<Rc<dyn VoiceLine>, leptos::wasm_split::SplitLoaderError> {
    Ok(Rc::new(twilio::TwilioLine::new(sdk_url, sink)))
}

#[cfg(test)]
mod tests;
