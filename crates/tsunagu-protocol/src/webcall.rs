//! Web calls: the customer page's socket messages and the WebRTC signalling both sides relay.
//!
//! The customer's "call us" page (served by the worker) opens its own WebSocket to the tenant's
//! hub at [`WEBCALL_SOCKET_PATH`] and says [`CallerMessage::Start`]. The center routes the call
//! like a phone call and tells the page where it stands ([`CallerEvent`]). Once an agent accepts,
//! the page sends the SDP offer and both sides trickle ICE candidates as [`Signal`]s; the hub
//! relays them, opaque and size-limited, between the customer socket and the one widget socket
//! that accepted. Audio flows peer to peer; nothing here carries media.

use serde::{Deserialize, Serialize};
use tsunagu_core::InteractionId;

use crate::http::IceServer;

/// Path (on the worker's origin) of the customer page's WebSocket; `?tenant=…` picks the hub.
pub const WEBCALL_SOCKET_PATH: &str = "/api/webcall/socket";

/// The longest SDP (offer or answer) relayed, in bytes. An audio-only SDP is 1–4 KB.
pub const SDP_MAX_BYTES: usize = 16 * 1024;
/// The longest ICE candidate line (and `sdpMid`) relayed, in bytes. A candidate is ~100–300 B.
pub const CANDIDATE_MAX_BYTES: usize = 1024;
/// At most this many signals are relayed per side of one web call (a few dozen are normal), so a
/// public page cannot flood an agent's widget.
pub const SIGNALS_PER_SIDE_MAX: u32 = 200;
/// The name and number a customer types on the page are cut to these lengths (characters).
pub const CALLER_NAME_MAX_CHARS: usize = 64;
pub const CALLER_NUMBER_MAX_CHARS: usize = 32;

/// What the customer page sends over its socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallerMessage {
    /// First message: place the call. Name and number are what the customer typed: untrusted,
    /// shown to the agent as typed (trimmed and cut), never used to look anything up.
    Start {
        protocol: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
    },
    /// SDP or ICE for the agent's peer connection (only once connected).
    Signal { signal: Signal },
    /// The customer hangs up (or gives up waiting).
    HangUp,
    /// Keepalive; answered with [`CallerEvent::Pong`].
    Ping,
}

/// What the hub tells the customer page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallerEvent {
    /// The call exists; its id is the conversation's in the call log.
    Started { conversation: InteractionId },
    /// The STUN/TURN servers for this call's peer connection (`RTCIceServer`s), sent right
    /// after `started`: TURN credentials are minted for this call only and expire when it can
    /// last no longer, so nobody gets them without placing a call.
    IceServers { ice_servers: Vec<IceServer> },
    /// Nobody is free: the customer is number `position` in line (sent again when it changes).
    Queued { position: u32 },
    /// An agent's widget rings.
    Ringing,
    /// The agent answered: create the peer connection's offer now.
    Connected,
    /// SDP or ICE from the agent's widget.
    Signal { signal: Signal },
    /// The call is over; the hub closes the socket after this.
    Ended { reason: CallEndReason },
    /// Answer to [`CallerMessage::Ping`].
    Pong,
    /// The page speaks another protocol version (an old page left open across a deploy).
    IncompatibleProtocol { server: u32, client: u32 },
    /// The message could not be understood or is not allowed now; fixed text of ours.
    Rejected { reason: String },
}

/// Why a web call ended, as the customer page explains it. Reasons this build does not know read
/// as [`CallEndReason::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEndReason {
    /// The customer hung up.
    CallerHungUp,
    /// The agent hung up.
    AgentHungUp,
    /// The agent's widget closed (their page was closed or lost its connection).
    AgentDisconnected,
    /// Outside business hours.
    Closed,
    /// Too many web calls at once for this tenant; try again later.
    Busy,
    /// The call could not be routed.
    Unavailable,
    /// Nobody answered within the tenant's longest wait for a web call.
    WaitTooLong,
    #[serde(other)]
    Other,
}

/// One WebRTC signalling message, relayed verbatim between the two peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// `RTCSessionDescription` of type `offer` (the customer page makes it).
    Offer { sdp: String },
    /// `RTCSessionDescription` of type `answer` (the agent's widget makes it).
    Answer { sdp: String },
    /// One trickled `RTCIceCandidate`.
    Candidate {
        candidate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_m_line_index: Option<u16>,
    },
}

impl Signal {
    /// Whether every string is within the relay's limits ([`SDP_MAX_BYTES`],
    /// [`CANDIDATE_MAX_BYTES`]).
    pub fn within_limits(&self) -> bool {
        match self {
            Signal::Offer { sdp } | Signal::Answer { sdp } => sdp.len() <= SDP_MAX_BYTES,
            Signal::Candidate {
                candidate, sdp_mid, ..
            } => {
                candidate.len() <= CANDIDATE_MAX_BYTES
                    && sdp_mid
                        .as_ref()
                        .is_none_or(|mid| mid.len() <= CANDIDATE_MAX_BYTES)
            }
        }
    }
}

impl CallerMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl CallerEvent {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
