//! Wire types between the widget and the worker; the only crate that defines what goes over the wire.
//!
//! A widget may run an older build than the worker for as long as an agent keeps a call open, so
//! every message is explicit JSON with a `type` tag, and the socket opens with a version check:
//! the widget sends [`ClientMessage::Hello`] first; the worker answers
//! [`ServerMessage::IncompatibleProtocol`] (and closes with code 4000) on a version mismatch,
//! [`ServerMessage::Unauthorized`] on a bad session, else [`ServerMessage::Welcome`].
//!
//! The types here are plain data. The presence, routing and call logic that produces them lives in
//! the domain crates, which convert their own types into these; this crate depends only on
//! `tsunagu-core` and serde, because the widget links it.

pub mod json;
mod read;
mod webcall;
mod write;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, TenantId, Timestamp};

pub use read::ReadError;
pub use webcall::{
    CALLER_NAME_MAX_CHARS, CALLER_NUMBER_MAX_CHARS, CANDIDATE_MAX_BYTES, CallEndReason,
    CallerEvent, CallerMessage, SDP_MAX_BYTES, SIGNALS_PER_SIDE_MAX, Signal, WEBCALL_SOCKET_PATH,
};

/// Bumped on any incompatible change to the messages below.
pub const PROTOCOL_VERSION: u32 = 2;

/// Path (on the worker's origin) of the widget's WebSocket.
pub const SOCKET_PATH: &str = "/api/socket";

/// The longest message (bytes) the hub reads from any socket, widget or customer page; a longer
/// one closes the socket with [`close_code::MESSAGE_TOO_LARGE`] before it is parsed. The largest
/// legitimate message is a WebRTC signal: an SDP of at most [`SDP_MAX_BYTES`], JSON-escaped.
pub const MESSAGE_MAX_BYTES: usize = 24 * 1024;

/// How long a widget socket may stay open without signing in (`hello`), in milliseconds; then
/// the hub closes it with [`close_code::HELLO_OVERDUE`]. Until it signs in it costs no storage.
pub const HELLO_WITHIN_MS: u64 = 5_000;

/// The WebSocket close codes the hub uses (4000–4999 are the application's own).
pub mod close_code {
    /// The widget or page speaks another protocol version.
    pub const INCOMPATIBLE: u16 = 4000;
    /// The `hello` carried no valid session of this tenant.
    pub const UNAUTHORIZED: u16 = 4001;
    /// A customer socket whose web call is over (or was never taken: busy, closed).
    pub const CALL_ENDED: u16 = 4002;
    /// A customer socket that did not start its call in time, closed to free its line.
    pub const START_OVERDUE: u16 = 4003;
    /// The socket's session was revoked (sign-out, an admin, a tenant-wide rotation). The widget
    /// asks the host for a fresh embed token and signs in again; a live call is kept.
    pub const SESSION_REVOKED: u16 = 4004;
    /// The socket's session reached its `expires_at`; the widget signs in again, as for 4004.
    pub const SESSION_EXPIRED: u16 = 4005;
    /// A widget socket that did not say `hello` within [`super::HELLO_WITHIN_MS`].
    pub const HELLO_OVERDUE: u16 = 4006;
    /// A message longer than [`super::MESSAGE_MAX_BYTES`], closed unread.
    pub const MESSAGE_TOO_LARGE: u16 = 4007;
    /// The socket sent faster than its rate limit (20 messages a second, bursts of 40).
    pub const RATE_LIMITED: u16 = 4008;
}

/// What the widget sends over its WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message on a new socket: the protocol the widget speaks and its session token, which
    /// the worker verifies before the socket counts as the agent's.
    Hello { protocol: u32, session: String },
    /// Application-level keepalive; answered with [`ServerMessage::Pong`].
    Ping,
    /// The agent picks a status.
    SetStatus { status: RequestedStatus },
    /// The widget shows the ringing offer (it must say so within the offer's `ack_timeout_ms`,
    /// or the call moves on to another agent).
    AckOffer { offer: OfferId },
    /// The agent refuses the ringing offer.
    DeclineOffer { offer: OfferId },
    /// The agent finished after-call work before the wrap-up time ran out; the disposition and
    /// notes are saved to the conversation.
    EndWrapUp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disposition: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
    },
    /// The agent on the call hands the caller to someone else (a blind transfer): their own leg
    /// ends and they go to wrap-up; the caller rings the target, and if nobody there answers,
    /// goes back to the tenant's usual routing.
    Transfer {
        conversation: InteractionId,
        to: TransferTo,
    },
    /// The widget's page is unloading (reload, closed tab); sent first, so the hub knows before
    /// anything else reports what dies with the page. The socket counts as closed.
    Leaving,
    /// After [`ServerMessage::Resume`] with `rejoin`: this widget's phone line is registered
    /// again, so the holding caller can be rung through to it. For a web call (after a `Resume`
    /// with `web`, or on its own right after `Welcome` when the socket came back): this page
    /// holds the web call's peer connection, so its signalling is relayed to this socket.
    Rejoin { conversation: InteractionId },
    /// Puts the caller on hold (they hear the hold message and music; the agent's phone leg
    /// ends) or, with `held: false`, rings the agent's phone with them again.
    Hold {
        conversation: InteractionId,
        held: bool,
    },
    /// The agent answers a ringing web call (a phone call is answered on the phone line instead).
    AcceptOffer { offer: OfferId },
    /// WebRTC signalling for the web call the agent accepted in this widget, relayed to the
    /// customer's page.
    Signal {
        conversation: InteractionId,
        signal: Signal,
    },
    /// The agent hangs up the web call they are on (a phone call is hung up on the phone line).
    HangUp { conversation: InteractionId },
    /// `everyone: true`: this socket hears the whole tenant's presence for now (the transfer
    /// list is open), starting with a full [`ServerMessage::Roster`]; `false`: back to its own
    /// scope (its teams), again with a full roster. Any agent may ask.
    WatchRoster { everyone: bool },
}

/// Where an agent transfers a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferTo {
    /// One colleague, who must be available now.
    Agent { agent: AgentId },
    /// Whoever of the team has been free longest.
    Team { team: TeamId },
    /// A phone number outside the center, as the agent typed it (Japanese national or E.164).
    Number { number: String },
}

/// The longest disposition and notes a wrap-up keeps (characters); longer text is cut.
pub const DISPOSITION_MAX_CHARS: usize = 64;
pub const NOTES_MAX_CHARS: usize = 2000;

/// What the worker sends over the widget's WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The socket is accepted: who the agent is, their status, and the presence of everyone in
    /// the tenant. Later changes come as [`ServerMessage::Roster`] and [`ServerMessage::Status`].
    Welcome {
        agent: AgentId,
        name: String,
        tenant: TenantId,
        tenant_name: Localized,
        status: PresenceStatus,
        roster: Vec<AgentPresence>,
        /// The agent's own teams (for transfers to their team).
        #[serde(default)]
        teams: Vec<TeamId>,
    },
    /// Agents whose presence changed since the last roster (only those in the socket's scope:
    /// its teams, or everyone); coalesced, so it comes at most once per broadcast interval however
    /// many agents changed. `full`: the whole roster of the socket's scope, which replaces the
    /// one shown (after [`ClientMessage::WatchRoster`]).
    Roster {
        agents: Vec<AgentPresence>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        full: bool,
    },
    /// A call rings this agent: show it and acknowledge with [`ClientMessage::AckOffer`] within
    /// `ack_timeout_ms`. The phone (Twilio) rings for at most `ring_timeout_ms`.
    /// A web call (`channel` = `web_call`) has no phone leg: the widget answers it with
    /// [`ClientMessage::AcceptOffer`] and then carries the audio itself (WebRTC).
    Offer {
        offer: OfferId,
        conversation: InteractionId,
        screen_pop: ScreenPop,
        ring_timeout_ms: u64,
        ack_timeout_ms: u64,
        /// Absent from servers before web calls: a phone call.
        #[serde(default = "voice")]
        channel: Channel,
    },
    /// The agent is on this call (sent to a widget that opens during it, e.g. after a reload):
    /// show the call view. When `rejoin`, the agent's audio leg was lost with the old page and
    /// the caller holds: once the phone line is registered, send [`ClientMessage::Rejoin`] and
    /// answer the ring for this conversation at once.
    Resume {
        conversation: InteractionId,
        screen_pop: ScreenPop,
        /// Unix ms when the agent answered, for the call timer.
        since: Timestamp,
        rejoin: bool,
        /// A web call whose widget socket dropped (a blip, not a page going away): its audio is
        /// peer to peer and may still flow, and the call waits a while for the page holding its
        /// peer connection. That page sends [`ClientMessage::Rejoin`] and the hub relays its
        /// signalling to this socket again; the tab that owns the agent's phone without it (a
        /// fresh page after a crash) sends [`ClientMessage::HangUp`]; other tabs say nothing.
        /// Absent from servers before this: a phone call.
        #[serde(default)]
        web: bool,
    },
    /// The call is on hold now (or no longer, and the phone rings with the caller: answer it).
    Held {
        conversation: InteractionId,
        held: bool,
    },
    /// The offer no longer rings at this agent; stop showing it.
    OfferWithdrawn {
        offer: OfferId,
        reason: WithdrawReason,
    },
    /// This agent's own status changed (by the agent, a call, or a timer).
    Status {
        status: PresenceStatus,
        since: Timestamp,
    },
    /// WebRTC signalling from the customer of the web call this widget accepted.
    Signal {
        conversation: InteractionId,
        signal: Signal,
    },
    /// A CRM backend asks this agent to call a number (the server API, `POST
    /// /api/agents/<id>/calls`; the number already passed the tenant's dial policy). With
    /// `confirm` the widget shows the number (and the customer) with Call / Cancel and calls on the
    /// agent's click, as for `Tsunagu.dial()`; without it (the tenant allows direct dialing) it
    /// calls at once. Only the tab that owns the agent's phone acts on it.
    DialRequest {
        /// E.164, what the widget asks `POST /api/calls` to dial.
        to: String,
        /// `to` as the agent reads it (`03-1234-5678`).
        to_display: String,
        /// The CRM record the backend named, or the number's, if the directory knows it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<CustomerCard>,
        confirm: bool,
    },
    /// A CRM backend asks this agent's widget to show a record (`POST
    /// /api/agents/<id>/screen-pop`): a customer of the directory, or one the CRM describes.
    ShowRecord { record: PushedRecord },
    /// Answer to [`ClientMessage::Ping`].
    Pong,
    /// The peer speaks a different protocol version; the widget must reload when idle.
    IncompatibleProtocol { server: u32, client: u32 },
    /// The session was refused; `reason` is ours, never an echo of the input.
    Unauthorized { reason: String },
    /// The message could not be understood or is not allowed now; `reason` is ours, never an
    /// echo of the input.
    Rejected { reason: String },
}

fn voice() -> Channel {
    Channel::Voice
}

/// A text in the two languages every UI string ships in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub ja: String,
    pub en: String,
}

/// One ring of one conversation at one agent. A conversation may ring several agents in turn and
/// the same agent twice, so `attempt` tells a late answer about an earlier ring apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OfferId {
    pub interaction: InteractionId,
    pub attempt: u32,
}

/// Why an agent is away. Reasons this build does not know (from a newer server) read as
/// [`AwayReason::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwayReason {
    Break,
    Meeting,
    Lunch,
    Training,
    /// Set by the server: an offer was not acknowledged in time.
    MissedOffer,
    /// Set by the server: an offer rang out unanswered.
    NoAnswer,
    #[serde(other)]
    Other,
}

/// What an agent is doing, as everyone in the tenant sees it:
/// `{"kind":"away","reason":"lunch"}`, `{"kind":"on_call"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PresenceStatus {
    Offline,
    Available,
    Away {
        reason: AwayReason,
    },
    /// A call rings this agent.
    Reserved,
    OnCall,
    WrapUp,
}

/// A status the agent may pick in the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestedStatus {
    Available,
    Away { reason: AwayReason },
    Offline,
}

/// One agent's presence in a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub agent: AgentId,
    pub name: String,
    pub status: PresenceStatus,
    /// When the current status began.
    pub since: Timestamp,
}

/// What the widget shows when a call rings: who is calling and their history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenPop {
    /// The caller's number in E.164, when the network sent one (for a web call: the number the
    /// customer typed, if it is a valid one; unverified).
    pub caller_number: Option<String>,
    /// `caller_number` as the agent reads it: `03-5555-0101` for a Japanese number, `+44 20 7946
    /// 0107` for a foreign one. Absent when there is no number (or from an older hub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_display: Option<String>,
    /// The name a web-call customer typed on the page (unverified); absent for phone calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_name: Option<String>,
    /// The CRM record the number belongs to, if the lookup found one.
    pub customer: Option<CustomerCard>,
    /// The latest contacts with this caller, newest first.
    pub recent: Vec<RecentContact>,
    /// The skills the call needs (from its line), each with the lowest level routing asked for;
    /// absent when it needs none (or from an older hub).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<NeededSkill>,
    /// The labels of the IVR menu's choices and nodes the caller passed (`請求`, `料金チーム`),
    /// shown as one line (`IVR: 請求 → 料金チーム`); absent when the call ran no menu (or from an
    /// older hub); empty when the menu labelled nothing on the caller's way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ivr_path: Option<Vec<String>>,
    /// Set when the caller booked a callback instead of waiting: the number (E.164) the agent
    /// calls back. The offer then rings only the widget; accepting it dials this number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
}

/// A skill a call needs, and the lowest level (1–5) an agent offered it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededSkill {
    pub skill: String,
    pub level: u8,
}

impl ScreenPop {
    /// The caller's number for a person to read: the display form, else the E.164 one.
    pub fn caller_for_people(&self) -> Option<&str> {
        self.caller_display
            .as_deref()
            .or(self.caller_number.as_deref())
    }
}

/// The CRM record of a caller, as the worker looked it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCard {
    pub id: CustomerId,
    pub name: String,
    /// The agent who owns this customer; routing rings them first.
    pub owner: Option<AgentId>,
    /// The owner's team; routing rings it second.
    pub team: Option<TeamId>,
}

/// The longest title, subtitle (characters) and link (bytes) of a [`PushedRecord`]; the worker
/// refuses longer ones.
pub const RECORD_TITLE_MAX_CHARS: usize = 120;
pub const RECORD_SUBTITLE_MAX_CHARS: usize = 200;
pub const RECORD_URL_MAX_BYTES: usize = 2048;

/// A record a CRM backend asks an agent's widget to show: a customer's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedRecord {
    /// The directory's customer, when the record is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerId>,
    /// The customer's name (or the CRM's title for the record).
    pub title: String,
    /// The company, or the CRM's second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// The customer's number as people read it (`03-1234-5678`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The record in the CRM (`https://` only), opened in a new tab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One earlier contact with the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentContact {
    pub at: Timestamp,
    pub channel: Channel,
    /// The agent who handled it, if one did.
    pub agent: Option<AgentId>,
    /// A one-line note or disposition, written by the agent.
    pub summary: Option<String>,
}

/// Why an offer stopped ringing at this agent. Reasons this build does not know read as
/// [`WithdrawReason::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawReason {
    /// The caller hung up.
    CallerHungUp,
    /// No widget acknowledged the offer in time; the call went to someone else.
    NotAcknowledged,
    /// It rang until the ring timeout.
    NoAnswer,
    /// The agent declined it.
    Declined,
    /// The phone leg failed or was cancelled.
    Failed,
    #[serde(other)]
    Other,
}

/// The protocol version a `hello` claims, read leniently: a widget of another version may send a
/// `hello` this build cannot parse as [`ClientMessage::Hello`] (version 1 had no `session`), and
/// it must still be told [`ServerMessage::IncompatibleProtocol`] rather than `rejected`.
pub fn hello_version(json: &str) -> Option<u32> {
    #[derive(Deserialize)]
    struct AnyHello {
        #[serde(rename = "type")]
        kind: String,
        protocol: u32,
    }
    serde_json::from_str::<AnyHello>(json)
        .ok()
        .filter(|hello| hello.kind == "hello")
        .map(|hello| hello.protocol)
}

impl ServerMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
