//! The widget's one WebSocket to its tenant's presence hub: hello with the session, reconnection with back-off.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::prelude::set_timeout;
use tsunagu_core::TenantId;
use tsunagu_protocol::{ClientMessage, PROTOCOL_VERSION, SOCKET_PATH, ServerMessage, close_code};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What the connection reports to its owner.
pub(crate) enum HubEvent {
    /// A (re)connection attempt starts; `retry` after a drop.
    Connecting { retry: bool },
    /// Boxed: a welcome with its roster is far larger than the other events.
    Message(Box<ServerMessage>),
    /// The hub closed the socket because its session was revoked or expired. The connection
    /// waits for a fresh session ([`Hub::set_session`]) and then reconnects by itself.
    SessionEnded,
}

/// The `tenant` parameter of the widget page's URL, if valid.
pub(crate) fn tenant_from_location() -> Option<TenantId> {
    TenantId::new(crate::config::query_param("tenant")?).ok()
}

/// A hub connection that keeps itself open until [`Hub::close`].
pub(crate) struct Hub {
    connector: Rc<Connector>,
}

impl Hub {
    /// Connects with `session` (the token `POST /api/session` returned).
    pub(crate) fn open(
        tenant: &TenantId,
        session: String,
        on_event: impl Fn(HubEvent) + 'static,
    ) -> Option<Hub> {
        let connector = Rc::new(Connector {
            url: socket_url(tenant)?,
            session: RefCell::new(session),
            waiting_for_session: Cell::new(false),
            on_event: Box::new(on_event),
            failures: Cell::new(0),
            closed: Cell::new(false),
            live: RefCell::new(None),
        });
        connector.connect();
        Some(Hub { connector })
    }

    pub(crate) fn send(&self, message: &ClientMessage) {
        if let Some(live) = self.connector.live.borrow().as_ref() {
            let _ = live.socket.send_with_str(&message.to_json());
        }
    }

    /// The session to present on the next reconnection (after a refresh); reconnects at once if
    /// the last socket ended with its session.
    pub(crate) fn set_session(&self, session: String) {
        *self.connector.session.borrow_mut() = session;
        if self.connector.waiting_for_session.replace(false) {
            // Shown as a reconnection, as after any drop.
            self.connector
                .failures
                .set(self.connector.failures.get().max(1));
            self.connector.connect();
        }
    }

    /// The socket counts as healthy again: the back-off starts over.
    pub(crate) fn reset_backoff(&self) {
        self.connector.failures.set(0);
    }

    pub(crate) fn close(&self) {
        self.connector.closed.set(true);
        if let Some(live) = self.connector.live.borrow_mut().take() {
            live.detach();
            let _ = live.socket.close();
        }
    }
}

fn socket_url(tenant: &TenantId) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    Some(format!("{scheme}://{host}{SOCKET_PATH}?tenant={tenant}"))
}

/// The socket and the JS callbacks that must live exactly as long as it does.
struct LiveSocket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl LiveSocket {
    /// Detaches the callbacks first so a late event cannot reach a freed closure.
    fn detach(&self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
    }
}

struct Connector {
    url: String,
    session: RefCell<String>,
    /// The hub ended the last socket's session; no reconnection until a new session is set.
    waiting_for_session: Cell<bool>,
    on_event: Box<dyn Fn(HubEvent)>,
    /// Consecutive failed attempts; drives the back-off.
    failures: Cell<u32>,
    closed: Cell<bool>,
    live: RefCell<Option<LiveSocket>>,
}

impl Connector {
    fn connect(self: &Rc<Self>) {
        if self.closed.get() {
            return;
        }
        (self.on_event)(HubEvent::Connecting {
            retry: self.failures.get() > 0,
        });
        let Ok(socket) = WebSocket::new(&self.url) else {
            return self.schedule_reconnect();
        };
        // The session this socket signs in with: if it ends while a newer one is already set
        // (a refresh happened), the socket simply reconnects with the newer one.
        let signed_with = Rc::new(RefCell::new(String::new()));
        let on_open = {
            let this = Rc::clone(self);
            let socket = socket.clone();
            let signed_with = Rc::clone(&signed_with);
            Closure::<dyn FnMut()>::new(move || {
                let session = this.session.borrow().clone();
                signed_with.replace(session.clone());
                let hello = ClientMessage::Hello {
                    protocol: PROTOCOL_VERSION,
                    session,
                };
                let _ = socket.send_with_str(&hello.to_json());
            })
        };
        let on_message = {
            let this = Rc::clone(self);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match ServerMessage::read(&text) {
                    Ok(message) => (this.on_event)(HubEvent::Message(Box::new(message))),
                    Err(err) => leptos::logging::warn!("unreadable hub message: {err}"),
                }
            })
        };
        let on_close = {
            let this = Rc::clone(self);
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                let session_ended = matches!(
                    event.code(),
                    close_code::SESSION_REVOKED | close_code::SESSION_EXPIRED
                );
                if session_ended && *signed_with.borrow() == *this.session.borrow() {
                    this.waiting_for_session.set(true);
                    (this.on_event)(HubEvent::SessionEnded);
                } else {
                    this.schedule_reconnect();
                }
            })
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        if let Some(old) = self.live.borrow_mut().replace(LiveSocket {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        }) {
            old.detach();
        }
    }

    /// Exponential back-off from 1 s up to 10 s, so a restarted worker is not stampeded.
    fn schedule_reconnect(self: &Rc<Self>) {
        if self.closed.get() {
            return;
        }
        let failures = self.failures.get().saturating_add(1);
        self.failures.set(failures);
        let delay_ms = 500u64.saturating_mul(1 << failures.min(5)).min(10_000);
        let this = Rc::clone(self);
        set_timeout(move || this.connect(), Duration::from_millis(delay_ms));
    }
}
