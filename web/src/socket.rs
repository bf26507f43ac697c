//! The widget's one WebSocket to its tenant's presence hub, with reconnection and a version check.

use std::{cell::RefCell, rc::Rc, time::Duration};

use leptos::prelude::*;
use tsunagu_core::TenantId;
use tsunagu_protocol::{ClientMessage, Localized, PROTOCOL_VERSION, SOCKET_PATH, ServerMessage};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionState {
    Connecting,
    Connected,
    Reconnecting,
    /// The worker speaks another protocol version; reconnecting would not help.
    Incompatible,
    /// The widget was loaded without a valid tenant; reconnecting would not help.
    Misconfigured,
    /// No session yet (or the worker refused it): the host page must sign the agent in.
    SignedOut,
}

impl ConnectionState {
    /// Stable name for tests and styling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Incompatible => "incompatible",
            ConnectionState::Misconfigured => "misconfigured",
            ConnectionState::SignedOut => "signed-out",
        }
    }
}

/// Reactive view of the hub connection.
pub(crate) struct HubConnection {
    pub(crate) state: RwSignal<ConnectionState>,
    /// The tenant's display name, from the hub's welcome.
    pub(crate) tenant_name: RwSignal<Option<Localized>>,
}

/// The `tenant` parameter of the widget page's URL, if valid.
pub(crate) fn tenant_from_location() -> Option<TenantId> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    TenantId::new(params.get("tenant")?).ok()
}

impl HubConnection {
    /// Connects with `session` (the token `POST /api/session` returned); without one the widget
    /// stays signed out and opens no socket.
    pub(crate) fn open(tenant: Option<TenantId>, session: Option<String>) -> HubConnection {
        let state = RwSignal::new(ConnectionState::Connecting);
        let tenant_name = RwSignal::new(None);
        match (tenant, session) {
            (Some(tenant), Some(session)) => {
                let connector = Rc::new(Connector {
                    tenant,
                    session,
                    state,
                    tenant_name,
                    failures: RefCell::new(0),
                    live: RefCell::new(None),
                });
                connector.connect();
            }
            (Some(_), None) => state.set(ConnectionState::SignedOut),
            (None, _) => state.set(ConnectionState::Misconfigured),
        }
        HubConnection { state, tenant_name }
    }
}

/// The socket and the JS callbacks that must live exactly as long as it does.
struct LiveSocket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

struct Connector {
    tenant: TenantId,
    session: String,
    state: RwSignal<ConnectionState>,
    tenant_name: RwSignal<Option<Localized>>,
    /// Consecutive failed attempts; drives the back-off.
    failures: RefCell<u32>,
    live: RefCell<Option<LiveSocket>>,
}

impl Connector {
    fn socket_url(&self) -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().ok()?;
        Some(format!(
            "{scheme}://{host}{SOCKET_PATH}?tenant={}",
            self.tenant
        ))
    }

    fn connect(self: &Rc<Self>) {
        let Some(url) = self.socket_url() else {
            self.state.set(ConnectionState::Misconfigured);
            return;
        };
        let Ok(socket) = WebSocket::new(&url) else {
            return self.schedule_reconnect();
        };

        let on_open = {
            let socket = socket.clone();
            let session = self.session.clone();
            Closure::<dyn FnMut()>::new(move || {
                let hello = ClientMessage::Hello {
                    protocol: PROTOCOL_VERSION,
                    session: session.clone(),
                };
                let _ = socket.send_with_str(&hello.to_json());
            })
        };
        let on_message = {
            let this = Rc::clone(self);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    this.handle_message(&text);
                }
            })
        };
        let on_close = {
            let this = Rc::clone(self);
            Closure::<dyn FnMut(CloseEvent)>::new(move |_event: CloseEvent| {
                let final_states = [ConnectionState::Incompatible, ConnectionState::SignedOut];
                if !final_states.contains(&this.state.get_untracked()) {
                    this.schedule_reconnect();
                }
            })
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));

        // Replacing the previous socket drops its callbacks; detach them first so a late event
        // from the old socket cannot reach a freed closure.
        if let Some(old) = self.live.borrow_mut().replace(LiveSocket {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        }) {
            old.socket.set_onopen(None);
            old.socket.set_onmessage(None);
            old.socket.set_onclose(None);
        }
    }

    fn handle_message(&self, text: &str) {
        match serde_json::from_str::<ServerMessage>(text) {
            Ok(ServerMessage::Welcome { tenant_name, .. }) => {
                *self.failures.borrow_mut() = 0;
                self.tenant_name.set(Some(tenant_name));
                self.state.set(ConnectionState::Connected);
            }
            Ok(ServerMessage::Unauthorized { reason }) => {
                leptos::logging::warn!("hub refused the session: {reason}");
                self.state.set(ConnectionState::SignedOut);
            }
            Ok(ServerMessage::IncompatibleProtocol { .. }) => {
                self.state.set(ConnectionState::Incompatible);
            }
            Ok(ServerMessage::Rejected { reason }) => {
                leptos::logging::warn!("hub rejected a message: {reason}");
            }
            // Presence, offers and status arrive here once the softphone UI lands (issue 5).
            Ok(_) => {}
            Err(err) => leptos::logging::warn!("unreadable hub message: {err}"),
        }
    }

    /// Exponential back-off from 0.5 s up to 10 s, so a restarted worker is not stampeded.
    fn schedule_reconnect(self: &Rc<Self>) {
        let failures = {
            let mut failures = self.failures.borrow_mut();
            *failures = failures.saturating_add(1);
            *failures
        };
        self.state.set(ConnectionState::Reconnecting);
        let delay_ms = 500u64.saturating_mul(1 << failures.min(5)).min(10_000);
        let this = Rc::clone(self);
        set_timeout(move || this.connect(), Duration::from_millis(delay_ms));
    }
}
