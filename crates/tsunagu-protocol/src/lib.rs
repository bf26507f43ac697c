//! Wire types between the widget and the worker; the only crate that defines what goes over the wire.
//!
//! A widget may run an older build than the worker for as long as an agent keeps a call open, so
//! every message is explicit JSON with a `type` tag, and the socket opens with a version check.

use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;

/// Bumped on any incompatible change to the messages below.
pub const PROTOCOL_VERSION: u32 = 1;

/// Path (on the worker's origin) of the widget's WebSocket.
pub const SOCKET_PATH: &str = "/api/socket";

/// What the widget sends over its WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message on a new socket.
    Hello { protocol: u32 },
    /// Asks for the current presence snapshot (also serves as an application-level keepalive).
    Ping,
}

/// What the worker sends over the widget's WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The current presence of the tenant, sent on connect, on request and after every change.
    PresenceSnapshot(PresenceSnapshot),
    /// The peer speaks a different protocol version; the widget must reload when idle.
    IncompatibleProtocol { server: u32, client: u32 },
    /// The message could not be understood; `reason` is ours, never an echo of the input.
    Rejected { reason: String },
}

/// The presence of one tenant as the presence hub sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceSnapshot {
    pub tenant: TenantId,
    /// Display name of the tenant, from D1.
    pub tenant_name: Localized,
    /// Widget sockets currently open on this tenant's hub.
    pub connections: u32,
}

/// A text in the two languages every UI string ships in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub ja: String,
    pub en: String,
}

impl ClientMessage {
    pub fn to_json(&self) -> String {
        // Serializing these plain enums cannot fail: no maps with non-string keys, no floats.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ServerMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
