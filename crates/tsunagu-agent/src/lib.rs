//! The agent widget's call logic as one sans-IO machine: hub messages, phone-line events and the agent's commands in; hub sends, line operations, host events and a view out.
//!
//! The widget (`web/`) is a thin driver around [`Desk`]: it turns browser events into
//! [`Input`]s, performs each [`Output`] (a socket send, a Twilio SDK call, a `postMessage` to the
//! host page) and copies [`Desk::view`] into its signals. The hard part lives here, testable
//! natively: a phone call rings the widget's line and the hub offers the same call on its socket,
//! in either order; an outbound call rings the line before (or after) `POST /api/calls` answers;
//! a reload or a hold rings the line again for a call the agent is already on. [`Desk`] matches
//! these up and keeps the invariants the property tests check: never two live calls; every offer
//! acknowledged (or declined); a host `ended` after every `accepted`; a rejoin never loses the
//! call view.
//!
//! Same contract as `tsunagu-presence`: [`Desk::handle_input`] takes the time as an input (the
//! widget's `Date.now()`), [`Desk::poll_output`] drains effects, [`Desk::poll_timeout`] says when
//! to call [`Desk::handle_timeout`]. No clock, no I/O, no randomness; builds for wasm32.

mod desk;

pub use desk::Desk;
use tsunagu_core::Channel;
use tsunagu_protocol::{
    ClientMessage, OfferId, PresenceStatus, ScreenPop, ServerMessage, TransferTo,
};

/// Milliseconds since the Unix epoch, on the widget's own clock.
pub type Millis = u64;

/// How long the "saved" confirmation shows after the agent ends wrap-up.
pub const SAVED_NOTICE_MS: Millis = 5_000;

/// At most this many phone calls wait for their offer (or their dial reply).
pub const MAX_UNMATCHED_RINGS: usize = 8;

/// Everything that happens to the widget's call logic.
// An input is built, moved into `handle_input` and consumed at once, one at a time: boxing the
// hub's message (the large variant) would only add an allocation per message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A message from the hub socket (those that are not about calls are ignored).
    Hub(ServerMessage),
    /// The widget's phone line (Twilio Voice SDK or its double).
    Line(LineEvent),
    /// The agent clicked something.
    Command(Command),
    /// Whether this tab owns the agent's phone (the host loader says; a widget with no host page
    /// owns it). Only the owner rings and notifies.
    PhoneOwner(bool),
    /// `POST /api/calls` is on its way: the hub may put the agent on the call before its reply
    /// says which call it is.
    DialSent,
    /// `POST /api/calls` answered: the call it placed, or `None` (refused or failed).
    DialReply(Option<Dialled>),
    /// The session ended for good: every call state is dropped (the driver closes the line).
    SignedOut,
}

/// What the phone line reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineEvent {
    /// The line registered (or registered again): a rejoin that waited for it goes ahead.
    Registered,
    /// The line is down or reconnecting: a rejoin waits.
    Down,
    /// A call rings the line; `conversation` is the hub's id the worker put in its parameters.
    Ringing {
        call_sid: String,
        conversation: Option<String>,
    },
    Connected {
        call_sid: String,
    },
    Disconnected {
        call_sid: String,
    },
}

/// What the agent asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Accept,
    Reject,
    HangUp,
    ToggleMute,
    Digits(String),
    ToggleHold,
    Transfer(TransferTo),
    EndWrapUp {
        disposition: Option<String>,
        notes: Option<String>,
    },
}

/// `POST /api/calls`' reply: the outbound call the worker created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialled {
    pub conversation: String,
    pub call_sid: String,
    pub to_display: String,
    /// The CRM record dialled, `(id, name)`.
    pub customer: Option<(String, String)>,
}

/// An effect for the driver to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send on the hub socket.
    Hub(ClientMessage),
    /// Operate the phone line.
    Line(LineOp),
    /// Operate the web call (the widget's own WebRTC audio).
    WebCall(WebCallOp),
    /// Tell the host page.
    Host(HostEvent),
    /// The call ended for this agent: the driver fetches its stitched log and tells the host
    /// `ended` (with `wrap_up_follows` from [`View::status`] at that time).
    CallEnded { conversation: String },
    /// Start (`Some`, with the offer to show in a desktop notification) or stop the ringtone.
    Alert(Option<OfferView>),
    /// [`Desk::view`] changed.
    ViewChanged,
}

/// An operation on the phone line, by Twilio call SID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOp {
    Accept(String),
    Reject(String),
    HangUp(String),
    Mute(String, bool),
    Digits(String, String),
}

/// An operation on the web call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebCallOp {
    /// Answered: open the peer connection for this conversation.
    Start(tsunagu_core::InteractionId),
    Mute(bool),
    Close,
}

/// What the host page hears (besides `ended`, see [`Output::CallEnded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    Ring {
        conversation: String,
        screen_pop: ScreenPop,
        channel: Channel,
    },
    Dialing {
        conversation: String,
        to: String,
        customer: Option<(String, String)>,
    },
    Accepted {
        conversation: String,
    },
    Presence(PresenceStatus),
    /// The agent put the caller on hold.
    Hold {
        conversation: String,
    },
    /// The caller is back from hold.
    Resumed {
        conversation: String,
    },
    /// The agent saved their wrap-up, for the CRM to log.
    WrapUp {
        conversation: Option<String>,
        outcome: Option<String>,
        notes: Option<String>,
    },
}

/// The ringing offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferView {
    pub offer: OfferId,
    pub screen_pop: ScreenPop,
    /// The line's ring for it, once it rang (a voice call is answered on it).
    pub call_sid: Option<String>,
    /// `WebCall`: a customer's browser call, answered in the widget itself (no phone line).
    pub channel: Channel,
}

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

/// The call the agent is on.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub conversation: String,
    pub call_sid: Option<String>,
    /// The number (or typed name) as a person reads it.
    pub caller: Option<String>,
    /// The CRM customer's name.
    pub customer: Option<String>,
    /// When the widget learned the call connected (its own clock, so no skew).
    pub started_ms: f64,
    /// The caller is on hold (the phone leg is gone until the agent takes them back).
    pub held: bool,
    /// A web call: its audio is this widget's peer connection, not a phone line.
    pub web: bool,
    pub direction: Direction,
}

/// The call a wrap-up is for.
#[derive(Debug, Clone, PartialEq)]
pub struct WrapUpView {
    /// `None` for a wrap-up this page did not see the call of (opened during it): the form
    /// still shows, without the call's name.
    pub conversation: Option<String>,
    pub caller: Option<String>,
    pub customer: Option<String>,
    pub direction: Direction,
    /// When wrap-up began (the UI's timer counts from here).
    pub since_ms: Millis,
}

/// What the UI shows of calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub status: Option<PresenceStatus>,
    pub offer: Option<OfferView>,
    pub call: Option<CallView>,
    pub muted: bool,
    /// The ringtone plays (only in the tab that owns the phone).
    pub ringing: bool,
    /// The wrap-up under way, and which call it is for.
    pub wrap_up: Option<WrapUpView>,
    /// The wrap-up just saved (shown as a confirmation for [`SAVED_NOTICE_MS`]).
    pub saved: Option<WrapUpView>,
    /// An outbound call is being placed (its reply has not come yet).
    pub dialing: bool,
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
