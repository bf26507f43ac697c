//! `PresenceHub`: one Durable Object per tenant that holds the widgets' WebSockets (hibernation API).
//!
//! Sockets are accepted with `accept_web_socket`, so the runtime owns them and the object may be
//! evicted between messages without dropping a single agent. Everything the hub must remember
//! across an eviction lives in its storage, never only in fields.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;
use tsunagu_protocol::{
    ClientMessage, Localized, PROTOCOL_VERSION, PresenceSnapshot, ServerMessage,
};
use worker::{
    DurableObject, Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object, wasm_bindgen::JsValue,
};

/// The Durable Object binding name in wrangler.toml.
pub(crate) const BINDING: &str = "PRESENCE_HUB";

/// Storage key of the tenant's directory entry.
const TENANT_KEY: &str = "tenant";

/// WebSocket close code for a widget that speaks another protocol version (4000–4999: ours).
const CLOSE_INCOMPATIBLE: u16 = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TenantEntry {
    id: TenantId,
    name: Localized,
}

#[durable_object]
pub struct PresenceHub {
    state: State,
    /// Cache of the storage entry; empty after every wake-up from hibernation.
    tenant: RefCell<Option<TenantEntry>>,
}

impl DurableObject for PresenceHub {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            tenant: RefCell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let url = req.url()?;
        if url.path() != "/connect" {
            return Response::error("not found", 404);
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        let (Some(id), Some(ja), Some(en)) = (param("tenant"), param("name_ja"), param("name_en"))
        else {
            return Response::error("missing tenant entry", 400);
        };
        let id = TenantId::new(id).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.remember_tenant(TenantEntry {
            id,
            name: Localized { ja, en },
        })
        .await?;

        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        self.broadcast_snapshot(None).await?;
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let WebSocketIncomingMessage::String(text) = message else {
            return send(&ws, &rejected("binary frames are not part of the protocol"));
        };
        match serde_json::from_str::<ClientMessage>(&text) {
            Ok(ClientMessage::Hello { protocol }) if protocol != PROTOCOL_VERSION => {
                send(
                    &ws,
                    &ServerMessage::IncompatibleProtocol {
                        server: PROTOCOL_VERSION,
                        client: protocol,
                    },
                )?;
                ws.close(Some(CLOSE_INCOMPATIBLE), Some("incompatible protocol"))
            }
            Ok(ClientMessage::Hello { .. } | ClientMessage::Ping) => {
                let snapshot = self.snapshot(None).await?;
                send(&ws, &snapshot)
            }
            Err(_) => send(&ws, &rejected("unrecognised message")),
        }
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        // Completing the closing handshake is our job under the hibernation API. The socket may
        // already be gone, in which case there is nothing to complete.
        let _ = ws.close(Some(1000), Some("closed"));
        self.broadcast_snapshot(Some(&ws)).await
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.broadcast_snapshot(Some(&ws)).await
    }
}

impl PresenceHub {
    async fn remember_tenant(&self, entry: TenantEntry) -> Result<()> {
        let known = self.tenant_entry().await?;
        if known.as_ref() != Some(&entry) {
            self.state.storage().put(TENANT_KEY, &entry).await?;
            *self.tenant.borrow_mut() = Some(entry);
        }
        Ok(())
    }

    async fn tenant_entry(&self) -> Result<Option<TenantEntry>> {
        if let Some(entry) = self.tenant.borrow().clone() {
            return Ok(Some(entry));
        }
        let stored = self.state.storage().get::<TenantEntry>(TENANT_KEY).await?;
        self.tenant.borrow_mut().clone_from(&stored);
        Ok(stored)
    }

    /// Live sockets, leaving out `departing` (a socket whose close we are handling). A socket
    /// accepted a moment ago may still report CONNECTING; it counts, and messages to it are queued.
    fn open_sockets(&self, departing: Option<&WebSocket>) -> Vec<WebSocket> {
        const OPEN: u16 = 1;
        self.state
            .get_websockets()
            .into_iter()
            .filter(|ws| {
                let raw: &JsValue = ws.as_ref().as_ref();
                let is_departing = departing.is_some_and(|d| {
                    let departing_raw: &JsValue = d.as_ref().as_ref();
                    raw == departing_raw
                });
                !is_departing && ws.as_ref().ready_state() <= OPEN
            })
            .collect()
    }

    async fn snapshot(&self, departing: Option<&WebSocket>) -> Result<ServerMessage> {
        let entry = self
            .tenant_entry()
            .await?
            .ok_or_else(|| worker::Error::RustError("hub has no tenant entry".into()))?;
        let connections = u32::try_from(self.open_sockets(departing).len()).unwrap_or(u32::MAX);
        Ok(ServerMessage::PresenceSnapshot(PresenceSnapshot {
            tenant: entry.id,
            tenant_name: entry.name,
            connections,
        }))
    }

    async fn broadcast_snapshot(&self, departing: Option<&WebSocket>) -> Result<()> {
        let snapshot = self.snapshot(departing).await?;
        for ws in self.open_sockets(departing) {
            // One dead socket must not stop the others from hearing the news.
            let _ = send(&ws, &snapshot);
        }
        Ok(())
    }
}

fn send(ws: &WebSocket, message: &ServerMessage) -> Result<()> {
    ws.send_with_str(message.to_json())
}

fn rejected(reason: &str) -> ServerMessage {
    ServerMessage::Rejected {
        reason: reason.to_owned(),
    }
}
