//! The widget's logic: sign-in through the host page, the hub socket, the phone line and the ringtone.
//!
//! Everything that happens (host messages, hub messages, phone-line events, the agent's clicks as
//! [`Command`]s) lands in the one [`Controller`], which writes [`WidgetState`] and tells the host.
//! The session token stays in this module's memory: it is never stored and never posted to the host.

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
    time::Duration,
};

use leptos::prelude::*;
use serde_json::{Value, json};
use tsunagu_core::TenantId;
use tsunagu_protocol::{
    AgentPresence, AwayReason, ClientMessage, PresenceStatus, RequestedStatus, ServerMessage,
    TransferTo,
};

use crate::{
    api,
    config::{self, HostOrigin},
    host::{FromHost, HostInput, HostLink},
    i18n::Lang,
    json::Fields,
    ring::Ringtone,
    socket::{Hub, HubEvent},
    state::{CallView, Me, Notice, OfferView, Phase, VoiceState, WidgetState},
    voice::{self, IncomingCall, VoiceEvent, VoiceLine, VoiceProblem, VoiceToken},
};

/// What the agent asks for in the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    SetStatus(RequestedStatus),
    Accept,
    Reject,
    HangUp,
    ToggleMute,
    Digits(&'static str),
    /// Puts the caller on hold, or takes them back.
    ToggleHold,
    /// Calls a number the agent typed.
    Dial(String),
    /// Calls the number `Tsunagu.dial()` asked for, or drops it.
    ConfirmDial,
    CancelDial,
    /// Hands the call on; the agent goes to wrap-up once the center takes it.
    Transfer(TransferTo),
    EndWrapUp {
        disposition: Option<String>,
        notes: Option<String>,
    },
    DismissNotice,
}

/// Runs `command` on the widget's controller.
pub(crate) fn command(command: Command) {
    if let Some(app) = current() {
        app.command(command);
    }
}

thread_local! {
    static APP: RefCell<Option<Rc<Controller>>> = const { RefCell::new(None) };
}

fn current() -> Option<Rc<Controller>> {
    APP.with(|app| app.borrow().clone())
}

/// Why a sign-in runs; a refresh keeps the open socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignIn {
    First,
    AfterUnauthorized,
    Refresh,
}

/// `POST /api/session`'s reply.
struct SessionReply {
    session: String,
    expires_at: u64,
    agent: String,
    name: String,
    direct_dial: bool,
}

impl SessionReply {
    fn read(json: &str) -> Option<SessionReply> {
        let mut fields = Fields::parse(json)?;
        Some(SessionReply {
            session: fields.text("session")?,
            expires_at: fields.number("expires_at")?,
            agent: fields.text("agent")?,
            name: fields.text("name")?,
            direct_dial: fields
                .take("direct_dial_from_host")
                .and_then(|flag| flag.as_bool())
                .unwrap_or(false),
        })
    }
}

/// The `message` of an error reply; empty when there is none or the reply is unreadable.
fn error_message(json: &str) -> String {
    Fields::parse(json)
        .and_then(|mut fields| fields.text_or_empty("message"))
        .unwrap_or_default()
}

/// Refresh the session this long before it expires.
const REFRESH_BEFORE_MS: f64 = 5.0 * 60_000.0;

/// At most this many phone calls wait for their offer.
const MAX_UNMATCHED_CALLS: usize = 8;

pub(crate) struct Controller {
    state: WidgetState,
    tenant: Option<TenantId>,
    host: RefCell<Option<Rc<HostLink>>>,
    session: RefCell<Option<String>>,
    hub: RefCell<Option<Rc<Hub>>>,
    voice: RefCell<Option<Rc<dyn VoiceLine>>>,
    ringtone: RefCell<Option<Ringtone>>,
    /// Id of the outstanding `token-request` (0: none) and why it was sent.
    token_request: Cell<u32>,
    next_request: Cell<u32>,
    sign_in_kind: Cell<SignIn>,
    initialized: Cell<bool>,
    /// A new token was already asked for after an `unauthorized`; the next one signs out.
    retried: Cell<bool>,
    /// Invalidates refresh timers of earlier sessions.
    session_generation: Cell<u32>,
    /// Phone calls that rang before their hub offer arrived.
    unmatched_calls: RefCell<Vec<IncomingCall>>,
    /// The latest offer, kept for the call view once it is answered.
    last_offer: RefCell<Option<OfferView>>,
    /// The outbound call the agent placed, until they are on it.
    dialing: RefCell<Option<Dialing>>,
    /// Whether this tab owns the agent's phone, as the host page's loader says (`None` until
    /// it says; a widget without a host page owns its phone). Only the owner registers the line,
    /// rings and notifies.
    phone_owner: Cell<Option<bool>>,
    /// The desktop notification showing, by conversation.
    notified: RefCell<Option<String>>,
    /// This build's version, and a newer one the worker serves (applied when no call is active).
    version: String,
    update_to: RefCell<Option<String>>,
    /// `ended` events waiting for their call log (an update waits for them too).
    endings: Cell<u32>,
    /// The conversation whose ring is this agent's own call coming back after a reload.
    rejoining: RefCell<Option<String>>,
    /// A `POST /api/calls` is on its way: the hub may put the agent on the call before its reply
    /// says which call it is, so the call view waits for it.
    dial_pending: Cell<bool>,
    /// A fresh phone-line token is on its way.
    voice_refreshing: Cell<bool>,
    /// The tenant lets `Tsunagu.dial()` call without the agent's click (from the session).
    direct_dial: Cell<bool>,
    /// The phone-line problem already told (the SDK repeats one on every retry).
    voice_problem_told: Cell<Option<Notice>>,
}

/// `POST /api/calls`' reply: the outbound call the worker created.
#[derive(Debug, Clone)]
struct Dialing {
    conversation: String,
    call_sid: String,
    to_display: String,
    customer: Option<DialledCustomer>,
}

impl Dialing {
    fn read(json: &str) -> Option<Dialing> {
        let mut fields = Fields::parse(json)?;
        Some(Dialing {
            conversation: fields.text("conversation")?,
            call_sid: fields.text("call_sid")?,
            to_display: fields.text("to_display")?,
            customer: match fields.optional_object("customer")? {
                Some(mut customer) => Some(DialledCustomer {
                    id: customer.text("id")?,
                    name: customer.text("name")?,
                }),
                None => None,
            },
        })
    }
}

#[derive(Debug, Clone)]
struct DialledCustomer {
    id: String,
    name: String,
}

#[derive(Debug, Clone)]
struct DialRefusal {
    error: String,
    message: String,
}

impl DialRefusal {
    /// The refusal in `json`; both empty when it is unreadable.
    fn read(json: &str) -> DialRefusal {
        let refusal = Fields::parse(json).and_then(|mut fields| {
            Some(DialRefusal {
                error: fields.text_or_empty("error")?,
                message: fields.text_or_empty("message")?,
            })
        });
        refusal.unwrap_or(DialRefusal {
            error: String::new(),
            message: String::new(),
        })
    }
}

/// The answer to a `Resume` of a web call: `Rejoin` when this page's line carries it; `HangUp`
/// when this tab owns the agent's phone but has no line (a fresh page after a crash: the peer
/// connection died with the old page); nothing from a tab that does not own the phone, since
/// the owner (the only tab that rings and accepts) may hold the call and take it back itself.
fn web_resume_reply(
    holds_line: bool,
    owns_phone: bool,
    conversation: tsunagu_core::InteractionId,
) -> Option<ClientMessage> {
    if holds_line {
        Some(ClientMessage::Rejoin { conversation })
    } else if owns_phone {
        Some(ClientMessage::HangUp { conversation })
    } else {
        None
    }
}

/// Starts the controller for the widget page; `version` is the build's, for the host's `ready`.
pub(crate) fn start(state: WidgetState, version: &str) {
    let tenant = crate::socket::tenant_from_location();
    let app = Rc::new(Controller {
        state,
        tenant,
        host: RefCell::new(None),
        session: RefCell::new(None),
        hub: RefCell::new(None),
        voice: RefCell::new(None),
        ringtone: RefCell::new(None),
        token_request: Cell::new(0),
        next_request: Cell::new(1),
        sign_in_kind: Cell::new(SignIn::First),
        initialized: Cell::new(false),
        retried: Cell::new(false),
        session_generation: Cell::new(0),
        unmatched_calls: RefCell::new(Vec::new()),
        last_offer: RefCell::new(None),
        dialing: RefCell::new(None),
        dial_pending: Cell::new(false),
        rejoining: RefCell::new(None),
        version: version.to_owned(),
        update_to: RefCell::new(None),
        endings: Cell::new(0),
        phone_owner: Cell::new(None),
        notified: RefCell::new(None),
        voice_refreshing: Cell::new(false),
        direct_dial: Cell::new(false),
        voice_problem_told: Cell::new(None),
    });
    APP.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&app)));
    // Tell the hub first when the page goes away: a reload during a call then holds the caller
    // for this agent instead of ending the call when the phone leg dies with the page. One
    // listener for the page's life.
    let leaving = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(hub) = current().and_then(|app| app.hub()) {
            hub.send(&ClientMessage::Leaving);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback(
            "pagehide",
            wasm_bindgen::JsCast::unchecked_ref(leaving.as_ref()),
        );
    }
    leaving.forget();
    // Checks for a new build now and then; see `maybe_update`.
    let _ = set_interval_with_handle(
        || {
            if let Some(app) = current() {
                app.check_version();
            }
        },
        Duration::from_millis(config::version_check_ms()),
    );
    if app.tenant.is_none() {
        return state.phase.set(Phase::Misconfigured);
    }
    match config::host_origin() {
        HostOrigin::None => state.phase.set(Phase::SignedOut),
        HostOrigin::Refused => state.phase.set(Phase::HostRefused),
        HostOrigin::Allowed(origin) => {
            state.phase.set(Phase::SignedOut);
            let link = HostLink::open(origin, version, |input| {
                if let Some(app) = current() {
                    app.host_input(input);
                }
            });
            *app.host.borrow_mut() = link.map(Rc::new);
        }
    }
}

impl Controller {
    fn emit(&self, event: &str, detail: Value) {
        let host = self.host.borrow().clone();
        if let Some(host) = host {
            host.emit(event, detail);
        }
    }

    fn emit_error(&self, code: &str, message: &str) {
        self.emit("error", json!({ "code": code, "message": message }));
    }

    /// Shows `notice` to the agent and tells the host.
    fn notify(&self, notice: Notice, message: &str) {
        self.state.notice.set(Some(notice));
        self.emit_error(notice.code(), message);
    }

    fn hub(&self) -> Option<Rc<Hub>> {
        self.hub.borrow().clone()
    }

    fn voice(&self) -> Option<Rc<dyn VoiceLine>> {
        self.voice.borrow().clone()
    }

    // ---- the host page -------------------------------------------------------------------

    fn host_input(&self, input: HostInput) {
        let message = match input {
            HostInput::Message(message) => message,
            HostInput::Incompatible(major) => {
                self.state.phase.set(Phase::IncompatibleHost);
                let text = format!("host messages version {major} are not supported");
                return self.emit_error("incompatible_host", &text);
            }
        };
        match message {
            FromHost::Hello => {}
            FromHost::Init { lang } => {
                match lang.as_deref() {
                    Some(tag) if tag.starts_with("ja") => self.state.lang.set(Lang::Ja),
                    Some(tag) if tag.starts_with("en") => self.state.lang.set(Lang::En),
                    _ => {}
                }
                if !self.initialized.replace(true) {
                    self.sign_in(SignIn::First);
                }
            }
            FromHost::Token { id, token } if id == self.token_request.get() => {
                self.token_request.set(0);
                self.open_session(&token);
            }
            FromHost::TokenError { id } if id == self.token_request.get() => {
                self.token_request.set(0);
                // The host already emitted its own `token_unavailable` error.
                self.state.notice.set(Some(Notice::TokenUnavailable));
                self.sign_out("token_unavailable");
            }
            FromHost::Token { .. } | FromHost::TokenError { .. } => {}
            FromHost::SetPresence { status } => match requested_status(&status) {
                Some(status) => self.set_status(status),
                None => self.emit_error("invalid_presence", "unknown presence state"),
            },
            FromHost::Phone { owner } => {
                self.phone_owner.set(Some(owner));
                self.start_phone();
            }
            FromHost::Dial {
                number,
                customer_id,
            } => self.host_dial(number, customer_id),
        }
    }

    /// Places an outbound call (`Tsunagu.dial` or the widget's dial form): the worker rings this
    /// widget's line first, which `voice_event` answers at once.
    pub(crate) fn dial(&self, number: &str, customer_id: Option<&str>) {
        let session = self.session.borrow().clone();
        let Some(session) =
            session.filter(|_| self.state.phase.get_untracked() == Phase::Connected)
        else {
            return self.notify(Notice::NotSignedIn, "not signed in");
        };
        if self.state.voice.get_untracked() != VoiceState::Ready {
            return self.notify(Notice::DialFailed, "the phone line is not ready");
        }
        let body = json!({ "to": number, "customer_id": customer_id }).to_string();
        self.dial_pending.set(true);
        api::post_json("/api/calls", &body, Some(&session), |reply| {
            if let Some(app) = current() {
                app.dial_reply(reply);
            }
        });
    }

    fn dial_reply(&self, reply: api::Reply) {
        self.dial_pending.set(false);
        match reply {
            Ok((200, body)) => match Dialing::read(&body) {
                Some(dialing) => {
                    self.emit(
                        "dialing",
                        json!({
                            "conversation": dialing.conversation,
                            "to": dialing.to_display,
                            "customer": dialing.customer.as_ref().map(|c| json!({ "id": c.id, "name": c.name })),
                        }),
                    );
                    let rang_already = self.take_unmatched_sid(&dialing.call_sid);
                    let call_sid = dialing.call_sid.clone();
                    *self.dialing.borrow_mut() = Some(dialing);
                    if rang_already && let Some(voice) = self.voice() {
                        voice.accept(&call_sid);
                    }
                    if self.state.status.get_untracked() == Some(PresenceStatus::OnCall) {
                        // The hub was quicker than this reply: the call view opens now.
                        self.begin_call(Some(call_sid));
                    }
                }
                None => self.notify(Notice::DialFailed, "unreadable reply"),
            },
            Ok((status, body)) => {
                let refusal = DialRefusal::read(&body);
                if (status, refusal.error.as_str()) == (403, "dial_refused") {
                    return self.dial_refused(&body);
                }
                let notice = match (status, refusal.error.as_str()) {
                    (400, _) => Notice::InvalidNumber,
                    (409, "agent_busy") => Notice::AgentBusy,
                    (409, "not_signed_in") => Notice::NotSignedIn,
                    _ => Notice::DialFailed,
                };
                self.notify(notice, &refusal.message);
            }
            Err(()) => self.notify(Notice::DialFailed, "the call request failed"),
        }
    }

    /// Asks the host for an embed token (`getEmbedToken()`); the answer continues in `open_session`.
    fn sign_in(&self, kind: SignIn) {
        let host = self.host.borrow().clone();
        let Some(host) = host else {
            return self.state.phase.set(Phase::SignedOut);
        };
        if self.token_request.get() != 0 {
            return;
        }
        if kind != SignIn::Refresh {
            self.state.phase.set(Phase::SigningIn);
        }
        let id = self.next_request.get();
        self.next_request.set(id.wrapping_add(1).max(1));
        self.token_request.set(id);
        self.sign_in_kind.set(kind);
        host.post(json!({ "type": "token-request", "id": id }));
    }

    fn open_session(&self, embed_token: &str) {
        let body = json!({ "embed_token": embed_token }).to_string();
        api::post_json("/api/session", &body, None, |reply| {
            if let Some(app) = current() {
                app.session_reply(reply);
            }
        });
    }

    fn session_reply(&self, reply: api::Reply) {
        match reply {
            Ok((200, body)) => match SessionReply::read(&body) {
                Some(session) => self.signed_in(session),
                None => self.sign_in_failed(Notice::SessionRefused, "unreadable session reply"),
            },
            Ok((status, body)) => {
                let message = error_message(&body);
                let notice = if status == 401 {
                    Notice::from_session_refusal(&message)
                } else {
                    Notice::SessionRefused
                };
                self.sign_in_failed(notice, &message);
            }
            Err(()) => self.sign_in_failed(Notice::Network, "the session request failed"),
        }
    }

    fn sign_in_failed(&self, notice: Notice, message: &str) {
        self.notify(notice, message);
        self.sign_out(notice.code());
    }

    fn signed_in(&self, reply: SessionReply) {
        let Some(tenant) = self.tenant.clone() else {
            return;
        };
        self.state.notice.set(None);
        self.direct_dial.set(reply.direct_dial);
        *self.session.borrow_mut() = Some(reply.session.clone());
        let generation = self.session_generation.get().wrapping_add(1);
        self.session_generation.set(generation);
        self.schedule_refresh(reply.expires_at, generation);

        let me = Me {
            agent: reply.agent,
            name: reply.name,
        };
        if self.state.me.get_untracked().as_ref() != Some(&me) {
            self.emit("signed-in", json!({ "agent": me.agent, "name": me.name }));
            self.state.me.set(Some(me));
        }
        match self.hub() {
            Some(hub) => hub.set_session(reply.session),
            None => {
                let hub = Hub::open(&tenant, reply.session, |event| {
                    if let Some(app) = current() {
                        app.hub_event(event);
                    }
                });
                *self.hub.borrow_mut() = hub.map(Rc::new);
            }
        }
        self.start_phone();
    }

    fn owns_phone(&self) -> bool {
        self.phone_owner.get() == Some(true) || self.host.borrow().is_none()
    }

    /// Registers the phone line if this tab owns the agent's phone and it is not registered yet;
    /// otherwise shows that another tab has it.
    fn start_phone(&self) {
        let session = self.session.borrow().clone();
        let Some(session) = session else {
            return;
        };
        if self.owns_phone() {
            let starting = self.state.voice.get_untracked() == VoiceState::Connecting;
            if self.voice().is_none() && !starting {
                self.fetch_voice_token(&session);
            }
        } else if self.phone_owner.get() == Some(false) {
            self.state.voice.set(VoiceState::OtherTab);
        }
    }

    fn schedule_refresh(&self, expires_at: u64, generation: u32) {
        let expires_ms = expires_at as f64 * 1000.0;
        let delay = (expires_ms - js_sys::Date::now() - REFRESH_BEFORE_MS).max(10_000.0);
        // A positive delay of at most hours: the cast neither truncates nor loses a sign.
        let delay = Duration::from_millis(delay as u64);
        set_timeout(
            move || {
                if let Some(app) = current()
                    && app.session_generation.get() == generation
                {
                    app.sign_in(SignIn::Refresh);
                }
            },
            delay,
        );
    }

    /// Leaves the signed-in state: closes the socket and the phone line, forgets the session.
    fn sign_out(&self, reason: &str) {
        self.session_generation
            .set(self.session_generation.get().wrapping_add(1));
        if let Some(hub) = self.hub.borrow_mut().take() {
            hub.close();
        }
        if let Some(voice) = self.voice.borrow_mut().take() {
            voice.unregister();
        }
        self.voice_refreshing.set(false);
        self.voice_problem_told.set(None);
        *self.session.borrow_mut() = None;
        self.set_offer(None);
        self.end_call();
        self.unmatched_calls.borrow_mut().clear();
        let state = self.state;
        state.status.set(None);
        state.roster.set(Vec::new());
        state.voice.set(VoiceState::Off);
        state.phase.set(Phase::SignedOut);
        if state.me.get_untracked().is_some() {
            state.me.set(None);
            self.emit("signed-out", json!({ "reason": reason }));
        }
    }

    // ---- updates -----------------------------------------------------------------------------

    fn check_version(&self) {
        api::get("/widget/version", None, |reply| {
            let Some(app) = current() else {
                return;
            };
            let served = match reply {
                Ok((200, body)) => {
                    Fields::parse(&body).and_then(|mut fields| fields.text("version"))
                }
                _ => None,
            };
            let Some(served) = served else {
                return;
            };
            // After an update that did not take (a stale cache), never loop on the same target.
            let tried = config::query_param("updating_to");
            if served != app.version && tried.as_deref() != Some(&served) {
                *app.update_to.borrow_mut() = Some(served);
                app.state.update_pending.set(true);
                app.maybe_update();
            }
        });
    }

    /// Reloads the widget into the new build if one is waiting and the agent has no call ringing,
    /// live or in wrap-up: an update never cuts a call.
    fn maybe_update(&self) {
        let Some(target) = self.update_to.borrow().clone() else {
            return;
        };
        let state = self.state;
        let busy = state.offer.with_untracked(Option::is_some)
            || state.call.with_untracked(Option::is_some)
            || self.dial_pending.get()
            || self.endings.get() > 0
            || matches!(
                state.status.get_untracked(),
                Some(PresenceStatus::Reserved | PresenceStatus::OnCall | PresenceStatus::WrapUp)
            );
        if busy {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let search = location.search().unwrap_or_default();
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
        if let Some(params) = &params {
            params.set("updating_to", &target);
        }
        let query = params
            .map(|p| String::from(p.to_string()))
            .unwrap_or_default();
        let path = location.pathname().unwrap_or_default();
        let _ = location.replace(&format!("{path}?{query}"));
    }

    // ---- the hub -----------------------------------------------------------------------------

    fn hub_event(&self, event: HubEvent) {
        let message = match event {
            HubEvent::Connecting { retry } => {
                let phase = if retry {
                    Phase::Reconnecting
                } else {
                    Phase::Connecting
                };
                return self.state.phase.set(phase);
            }
            HubEvent::Message(message) => *message,
            // Revoked or expired: a fresh embed token and session, then the socket reconnects
            // by itself; the phone line and any call stay up meanwhile.
            HubEvent::SessionEnded => {
                self.state.phase.set(Phase::Reconnecting);
                return self.sign_in(SignIn::Refresh);
            }
        };
        let state = self.state;
        match message {
            ServerMessage::Welcome {
                tenant_name,
                status,
                roster,
                teams,
                ..
            } => {
                if let Some(hub) = self.hub() {
                    hub.reset_backoff();
                    // Back after a drop with a web call's audio still flowing: take the call
                    // back at once, even if the hub has not noticed the old socket is gone.
                    if let Some(conversation) = crate::webcall::held() {
                        hub.send(&ClientMessage::Rejoin { conversation });
                    }
                }
                self.retried.set(false);
                state.tenant_name.set(Some(tenant_name));
                state.roster.set(roster);
                state.teams.set(teams);
                state.phase.set(Phase::Connected);
                self.status_changed(status);
            }
            ServerMessage::Roster { agents } => state.roster.update(|roster| merge(roster, agents)),
            ServerMessage::Status { status, .. } => self.status_changed(status),
            ServerMessage::Offer {
                offer,
                conversation,
                screen_pop,
                channel,
                ..
            } => {
                if let Some(hub) = self.hub() {
                    hub.send(&ClientMessage::AckOffer {
                        offer: offer.clone(),
                    });
                }
                let call_sid = self.take_unmatched_call(conversation.as_str());
                self.emit(
                    "ring",
                    json!({
                        "conversation": conversation.as_str(),
                        "caller": screen_pop.caller_number,
                        "channel": channel.as_str(),
                        "customer": screen_pop.customer.as_ref().map(|c| json!({
                            "id": c.id.as_str(), "name": c.name, "owner": c.owner.as_ref().map(|o| o.as_str()),
                        })),
                    }),
                );
                self.set_offer(Some(OfferView {
                    offer,
                    screen_pop,
                    call_sid,
                    channel,
                }));
            }
            ServerMessage::Resume {
                conversation,
                web: true,
                ..
            } => {
                // A web call whose widget socket dropped: the page that holds its peer
                // connection takes it back (the call view and audio never stopped); the tab
                // that owns the phone without it hangs it up; other tabs leave it be.
                let reply = web_resume_reply(
                    crate::webcall::holds(&conversation),
                    self.owns_phone(),
                    conversation,
                );
                if let (Some(hub), Some(reply)) = (self.hub(), reply) {
                    hub.send(&reply);
                }
            }
            ServerMessage::Resume {
                conversation,
                screen_pop,
                since,
                rejoin,
                web: false,
            } => {
                let shown = state.call.with_untracked(|c| {
                    c.as_ref()
                        .is_some_and(|c| c.conversation == conversation.as_str())
                });
                if shown && !rejoin {
                    // The socket came back but this page never lost the call.
                    return;
                }
                let call_sid = rejoin
                    .then(|| self.take_unmatched_call(conversation.as_str()))
                    .flatten();
                if rejoin {
                    *self.rejoining.borrow_mut() = Some(conversation.as_str().to_owned());
                }
                state.call.set(Some(CallView {
                    conversation: conversation.as_str().to_owned(),
                    call_sid: call_sid.clone(),
                    caller: screen_pop.caller_for_people().map(str::to_owned),
                    customer: screen_pop.customer.map(|c| c.name),
                    // The agent's own clock: a timer that started before the page did.
                    started_ms: since.0 as f64,
                    held: false,
                    web: false,
                }));
                if let (Some(voice), Some(call_sid)) = (self.voice(), call_sid) {
                    voice.accept(&call_sid);
                }
                self.request_rejoin();
            }
            ServerMessage::Held { conversation, held } => {
                state.call.update(|call| {
                    if let Some(call) = call
                        && call.conversation == conversation.as_str()
                    {
                        call.held = held;
                        if held {
                            call.call_sid = None;
                        }
                    }
                });
                if !held {
                    // The phone rings with the caller again: answered in `voice_event`.
                    *self.rejoining.borrow_mut() = Some(conversation.as_str().to_owned());
                    let rang = self.take_unmatched_call(conversation.as_str());
                    if let Some(call_sid) = rang {
                        self.rejoining.borrow_mut().take();
                        state.call.update(|c| {
                            if let Some(c) = c {
                                c.call_sid = Some(call_sid.clone());
                            }
                        });
                        if let Some(voice) = self.voice() {
                            voice.accept(&call_sid);
                        }
                    }
                }
            }
            ServerMessage::Signal {
                conversation,
                signal,
            } => crate::webcall::remote_signal(&conversation, signal),
            ServerMessage::OfferWithdrawn { offer, .. } => {
                let current = state
                    .offer
                    .with_untracked(|o| o.as_ref().is_some_and(|o| o.offer == offer));
                if current {
                    self.set_offer(None);
                }
            }
            ServerMessage::Pong => {}
            ServerMessage::IncompatibleProtocol { .. } => {
                if let Some(hub) = self.hub.borrow_mut().take() {
                    hub.close();
                }
                state.phase.set(Phase::Incompatible);
                self.emit_error("incompatible_protocol", "the widget must reload");
            }
            ServerMessage::Unauthorized { reason } => {
                if let Some(hub) = self.hub.borrow_mut().take() {
                    hub.close();
                }
                if self.retried.replace(true) {
                    self.notify(Notice::SessionLost, &reason);
                    self.sign_out("unauthorized");
                } else {
                    self.sign_in(SignIn::AfterUnauthorized);
                }
            }
            // The widget acknowledges offers by itself: a tab that was frozen acks one that has
            // moved on meanwhile (its withdrawal follows). Not the agent's doing: no notice.
            ServerMessage::Rejected { reason } if reason.contains("offer is not ringing") => {}
            ServerMessage::Rejected { reason } => {
                self.notify(Notice::from_rejection(&reason), &reason);
            }
        }
    }

    fn status_changed(&self, status: PresenceStatus) {
        self.status_changed_inner(status);
        self.maybe_update();
    }

    fn status_changed_inner(&self, status: PresenceStatus) {
        let state = self.state;
        let before = state.status.get_untracked();
        state.status.set(Some(status));
        if before != Some(status) {
            self.emit("presence", json!({ "status": presence_json(status) }));
        }
        match status {
            PresenceStatus::OnCall => {
                let call_sid = state
                    .offer
                    .with_untracked(|o| o.as_ref().and_then(|o| o.call_sid.clone()));
                self.begin_call(call_sid);
            }
            PresenceStatus::Reserved => {}
            _ => {
                if before == Some(PresenceStatus::OnCall) {
                    self.end_call();
                }
                // A web call accepted too late (the offer moved on) never connected.
                crate::webcall::close();
                if status != PresenceStatus::WrapUp {
                    self.set_offer(None);
                }
            }
        }
    }

    /// Shows (or clears) the ringing offer, and rings while one shows.
    fn set_offer(&self, offer: Option<OfferView>) {
        // Only the tab that owns the phone rings and notifies; the others show the card.
        let ringing = offer.is_some() && self.owns_phone();
        match &offer {
            Some(offer) => {
                *self.last_offer.borrow_mut() = Some(offer.clone());
                if ringing {
                    self.notify_desktop(offer);
                }
            }
            None => self.close_desktop_notification(),
        }
        self.state.offer.set(offer);
        let mut ringtone = self.ringtone.borrow_mut();
        if ringing && ringtone.is_none() {
            *ringtone = Ringtone::start();
        } else if !ringing {
            *ringtone = None;
        }
        self.state.ringtone.set(ringtone.is_some());
    }

    /// Asks the host page to show a desktop notification for `offer` (once per offer): the
    /// host shows it if the agent allowed notifications there (`Tsunagu.enableNotifications()`).
    fn notify_desktop(&self, offer: &OfferView) {
        let tag = offer.offer.interaction.as_str().to_owned();
        if self.notified.borrow().as_deref() == Some(tag.as_str()) {
            return;
        }
        let host = self.host.borrow().clone();
        let Some(host) = host else {
            return;
        };
        let t = self.state.texts();
        let pop = &offer.screen_pop;
        let who = pop
            .customer
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| pop.caller_for_people().map(str::to_owned))
            .unwrap_or_else(|| t.unknown_caller.to_owned());
        let body = pop.caller_for_people().unwrap_or_default().to_owned();
        host.post(json!({
            "type": "notify",
            "tag": tag,
            "title": format!("{}: {who}", t.incoming_call),
            "body": body,
        }));
        *self.notified.borrow_mut() = Some(tag);
    }

    fn close_desktop_notification(&self) {
        let Some(tag) = self.notified.borrow_mut().take() else {
            return;
        };
        let host = self.host.borrow().clone();
        if let Some(host) = host {
            host.post(json!({ "type": "notify-close", "tag": tag }));
        }
    }

    /// The agent is on the call: the offer becomes the call view (once) and the host hears `accepted`.
    fn begin_call(&self, call_sid: Option<String>) {
        let state = self.state;
        if state.call.with_untracked(Option::is_some) {
            if call_sid.is_some() {
                state.call.update(|call| {
                    if let Some(call) = call
                        && call.call_sid.is_none()
                    {
                        call.call_sid.clone_from(&call_sid);
                    }
                });
            }
            return self.set_offer(None);
        }
        if self.dial_pending.get() {
            // An outbound call placed by this widget; its reply names it (see `dial_reply`).
            return;
        }
        let dialing = self.dialing.borrow_mut().take();
        if let Some(dialing) = dialing {
            state.call.set(Some(CallView {
                conversation: dialing.conversation.clone(),
                call_sid: Some(dialing.call_sid),
                caller: Some(dialing.to_display),
                customer: dialing.customer.map(|c| c.name),
                started_ms: js_sys::Date::now(),
                held: false,
                web: false,
            }));
            self.set_offer(None);
            return self.emit("accepted", json!({ "conversation": dialing.conversation }));
        }
        let offer = self.last_offer.borrow_mut().take();
        if offer.is_none() {
            // On a call this widget did not see start (it opened during it): the hub's `Resume`
            // that follows says which.
            return;
        }
        let conversation = offer
            .as_ref()
            .map(|o| o.offer.interaction.as_str().to_owned())
            .unwrap_or_default();
        let pop = offer.as_ref().map(|o| &o.screen_pop);
        let web = offer
            .as_ref()
            .is_some_and(|o| o.channel == tsunagu_core::Channel::WebCall);
        state.call.set(Some(CallView {
            conversation: conversation.clone(),
            call_sid: call_sid.or_else(|| offer.as_ref().and_then(|o| o.call_sid.clone())),
            caller: pop.and_then(|p| {
                p.caller_for_people()
                    .map(str::to_owned)
                    .or_else(|| p.caller_name.clone())
            }),
            customer: pop.and_then(|p| p.customer.as_ref().map(|c| c.name.clone())),
            started_ms: js_sys::Date::now(),
            held: false,
            web,
        }));
        self.set_offer(None);
        self.emit("accepted", json!({ "conversation": conversation }));
    }

    fn end_call(&self) {
        crate::webcall::close();
        let Some(call) = self.state.call.get_untracked() else {
            return;
        };
        self.state.call.set(None);
        self.state.muted.set(false);
        self.state.call_warning.set(None);
        self.endings.set(self.endings.get() + 1);
        self.emit_ended(call.conversation, 0);
    }

    /// Tells the host the call ended, with its stitched log for the CRM: Twilio's last callbacks
    /// reach the log a moment after the hang-up, so this waits (briefly) until the log shows the
    /// end, and sends `log: null` if it never does.
    fn emit_ended(&self, conversation: String, attempt: u32) {
        const ATTEMPTS: u32 = 12;
        let session = self.session.borrow().clone();
        let Some(session) = session else {
            return self.emit(
                "ended",
                json!({ "conversation": conversation, "log": null }),
            );
        };
        let path = format!("/api/conversations/{conversation}");
        api::get(&path, Some(&session), move |reply| {
            let Some(app) = current() else {
                return;
            };
            let log = match reply {
                Ok((200, body)) => serde_json::from_str::<Value>(&body).ok(),
                _ => None,
            };
            // Ended for this agent: the whole conversation, or their own leg (after a transfer
            // the caller talks on with a colleague).
            let me = app
                .state
                .me
                .with_untracked(|me| me.as_ref().map(|me| me.agent.clone()));
            let settled = log.as_ref().is_some_and(|log| {
                !log["ended_at"].is_null()
                    || log["agent_legs"].as_array().is_some_and(|legs| {
                        legs.iter().any(|leg| {
                            leg["agent"].as_str() == me.as_deref() && !leg["ended_at"].is_null()
                        })
                    })
            });
            if settled || attempt + 1 >= ATTEMPTS {
                let log = log.filter(|_| settled).unwrap_or(Value::Null);
                app.emit("ended", json!({ "conversation": conversation, "log": log }));
                app.endings.set(app.endings.get().saturating_sub(1));
                app.maybe_update();
            } else {
                set_timeout(
                    move || {
                        if let Some(app) = current() {
                            app.emit_ended(conversation, attempt + 1);
                        }
                    },
                    Duration::from_millis(400),
                );
            }
        });
    }

    // ---- the phone line ------------------------------------------------------------------

    fn fetch_voice_token(&self, session: &str) {
        self.state.voice.set(VoiceState::Connecting);
        api::post_json("/api/token", "{}", Some(session), |reply| {
            if let Some(app) = current() {
                app.voice_token(reply);
            }
        });
    }

    fn voice_token(&self, reply: api::Reply) {
        let token = match reply {
            Ok((200, body)) => VoiceToken::read(&body),
            _ => None,
        };
        let Some(token) = token else {
            self.state.voice.set(VoiceState::Failed);
            return self.emit_error("voice_unavailable", "no voice token");
        };
        let sink: voice::VoiceSink = Rc::new(|event| {
            if let Some(app) = current() {
                app.voice_event(event);
            }
        });
        match voice::line_for(&token, sink) {
            Some(line) => {
                *self.voice.borrow_mut() = Some(Rc::clone(&line));
                line.register(&token.token, &token.edge);
            }
            None => self.state.voice.set(VoiceState::NotAvailable),
        }
    }

    /// Asks the worker for a fresh phone-line token and hands it to the line.
    fn refresh_voice_token(&self) {
        let (Some(session), Some(line)) = (self.session.borrow().clone(), self.voice()) else {
            return;
        };
        if self.voice_refreshing.replace(true) {
            return;
        }
        let line = Rc::downgrade(&line);
        api::post_json("/api/token", "{}", Some(&session), move |reply| {
            if let Some(app) = current() {
                app.voice_token_refreshed(&line, reply);
            }
        });
    }

    fn voice_token_refreshed(&self, line: &Weak<dyn VoiceLine>, reply: api::Reply) {
        self.voice_refreshing.set(false);
        // A token asked for by a line since replaced (signed out, signed in again) is dropped.
        let line = line.upgrade().filter(|line| {
            self.voice()
                .is_some_and(|current| std::ptr::addr_eq(Rc::as_ptr(&current), Rc::as_ptr(line)))
        });
        let Some(line) = line else {
            return;
        };
        match reply {
            Ok((200, body)) => match VoiceToken::read(&body) {
                Some(token) => line.update_token(&token.token),
                None => self.tell_voice_problem(Notice::VoiceTokenExpired),
            },
            // The line keeps its token until it expires; it reports that, which tries again.
            _ => self.tell_voice_problem(Notice::VoiceTokenExpired),
        }
    }

    fn voice_problem(&self, problem: VoiceProblem) {
        match problem {
            VoiceProblem::TokenExpired => return self.refresh_voice_token(),
            VoiceProblem::TokenInvalid | VoiceProblem::Network => {
                self.state.voice.set(VoiceState::Failed);
            }
            VoiceProblem::Microphone | VoiceProblem::Other => {}
        }
        self.tell_voice_problem(Notice::voice(problem));
    }

    /// Shows a phone-line problem and tells the host, once while it lasts.
    fn tell_voice_problem(&self, notice: Notice) {
        if self.voice_problem_told.replace(Some(notice)) != Some(notice) {
            self.notify(notice, notice.english());
        }
    }

    fn voice_event(&self, event: VoiceEvent) {
        let state = self.state;
        match event {
            VoiceEvent::Registered => {
                state.voice.set(VoiceState::Ready);
                self.voice_problem_told.set(None);
                if state
                    .notice
                    .get_untracked()
                    .is_some_and(Notice::is_voice_line_down)
                {
                    state.notice.set(None);
                }
                // A `Resume` that came before the line was up left its re-join waiting for this.
                self.request_rejoin();
            }
            VoiceEvent::Reconnecting => state.voice.set(VoiceState::Connecting),
            VoiceEvent::TokenNeeded => self.refresh_voice_token(),
            VoiceEvent::Error(problem) => self.voice_problem(problem),
            VoiceEvent::Warning { call_sid, warning } => {
                let on_this_call = state.call.with_untracked(|c| {
                    c.as_ref()
                        .is_some_and(|c| c.call_sid.as_deref() == Some(&call_sid))
                });
                if on_this_call {
                    state.call_warning.set(warning);
                }
            }
            VoiceEvent::Ringing(call) => {
                // A new call may fail (or succeed) on its own: its problems are told afresh.
                self.voice_problem_told.set(None);
                let rejoined = call.conversation.is_some()
                    && self.rejoining.borrow().as_deref() == call.conversation.as_deref();
                if rejoined {
                    // The call this agent was on before their page reloaded, rung again.
                    self.rejoining.borrow_mut().take();
                    state.call.update(|c| {
                        if let Some(c) = c {
                            c.call_sid = Some(call.call_sid.clone());
                        }
                    });
                    if let Some(voice) = self.voice() {
                        voice.accept(&call.call_sid);
                    }
                    return;
                }
                let placed = self
                    .dialing
                    .borrow()
                    .as_ref()
                    .is_some_and(|d| d.call_sid == call.call_sid);
                if placed {
                    // The agent's own outbound call: they asked for it, so it connects at once.
                    if let Some(voice) = self.voice() {
                        voice.accept(&call.call_sid);
                    }
                    return;
                }
                let matched = state.offer.with_untracked(|o| {
                    o.as_ref().is_some_and(|o| {
                        Some(o.offer.interaction.as_str()) == call.conversation.as_deref()
                    })
                });
                if matched {
                    state.offer.update(|o| {
                        if let Some(o) = o {
                            o.call_sid = Some(call.call_sid.clone());
                        }
                    });
                } else {
                    let mut unmatched = self.unmatched_calls.borrow_mut();
                    unmatched.push(call);
                    let excess = unmatched.len().saturating_sub(MAX_UNMATCHED_CALLS);
                    unmatched.drain(..excess);
                }
            }
            VoiceEvent::Connected { call_sid } => self.begin_call(Some(call_sid)),
            VoiceEvent::Disconnected { call_sid } => {
                self.unmatched_calls
                    .borrow_mut()
                    .retain(|c| c.call_sid != call_sid);
                state.offer.update(|o| {
                    if let Some(o) = o
                        && o.call_sid.as_deref() == Some(&call_sid)
                    {
                        o.call_sid = None;
                    }
                });
                // A hold ends the phone leg on purpose: the call goes on.
                let on_this_call = state.call.with_untracked(|c| {
                    c.as_ref()
                        .is_some_and(|c| !c.held && c.call_sid.as_deref() == Some(&call_sid))
                });
                if on_this_call {
                    self.end_call();
                }
            }
        }
    }

    // ---- web calls -----------------------------------------------------------------------

    /// The web call the agent is on, if the call view shows one.
    fn web_call(&self) -> Option<tsunagu_core::InteractionId> {
        self.state.call.with_untracked(|c| {
            c.as_ref()
                .filter(|c| c.web)
                .and_then(|c| tsunagu_core::InteractionId::new(&c.conversation).ok())
        })
    }

    /// Answers a ringing web call: the hub connects it, and the widget's own line (WebRTC)
    /// carries the audio (see `webcall.rs`).
    fn accept_web_call(&self, offer: tsunagu_protocol::OfferId) {
        let Some(hub) = self.hub() else {
            return self.notify(Notice::NotSignedIn, "not signed in");
        };
        hub.send(&ClientMessage::AcceptOffer {
            offer: offer.clone(),
        });
        let send: crate::webcall::Sender = Rc::new(|message| {
            if let Some(hub) = current().and_then(|app| app.hub()) {
                hub.send(&message);
            }
        });
        let conversation = offer.interaction.clone();
        let on_failure: crate::webcall::OnFailure = Rc::new(move || {
            crate::webcall::close();
            if let Some(app) = current() {
                app.notify(Notice::Microphone, "the microphone is not available");
                if let Some(hub) = app.hub() {
                    hub.send(&ClientMessage::HangUp {
                        conversation: conversation.clone(),
                    });
                }
            }
        });
        let session = self.session.borrow().clone();
        crate::webcall::start(offer.interaction, session.as_deref(), send, on_failure);
    }

    /// Whether the line already rang with `call_sid` (and forgets it).
    fn take_unmatched_sid(&self, call_sid: &str) -> bool {
        let mut unmatched = self.unmatched_calls.borrow_mut();
        let before = unmatched.len();
        unmatched.retain(|c| c.call_sid != call_sid);
        unmatched.len() != before
    }

    /// After a reload during a call: once the line is registered, asks the hub to ring it with
    /// the caller who is holding (the ring is answered in `voice_event`).
    fn request_rejoin(&self) {
        let conversation = self.rejoining.borrow().clone();
        let ready = self.state.voice.get_untracked() == VoiceState::Ready;
        let (Some(conversation), true, Some(hub)) = (conversation, ready, self.hub()) else {
            return;
        };
        if let Ok(conversation) = tsunagu_core::InteractionId::new(&conversation) {
            hub.send(&ClientMessage::Rejoin { conversation });
        }
    }

    fn take_unmatched_call(&self, conversation: &str) -> Option<String> {
        let mut unmatched = self.unmatched_calls.borrow_mut();
        let at = unmatched
            .iter()
            .position(|c| c.conversation.as_deref() == Some(conversation))?;
        Some(unmatched.remove(at).call_sid)
    }

    // ---- the agent's commands ------------------------------------------------------------

    fn set_status(&self, status: RequestedStatus) {
        match self.hub() {
            Some(hub) if self.state.phase.get_untracked() == Phase::Connected => {
                hub.send(&ClientMessage::SetStatus { status });
            }
            _ => self.notify(Notice::NotSignedIn, "not signed in"),
        }
    }

    #[allow(
        clippy::needless_pass_by_value,
        reason = "commands are values, consumed by intent"
    )]
    fn command(&self, command: Command) {
        let state = self.state;
        match command {
            Command::SetStatus(status) => self.set_status(status),
            Command::Accept => {
                let web_offer = state.offer.with_untracked(|o| {
                    o.as_ref()
                        .filter(|o| o.channel == tsunagu_core::Channel::WebCall)
                        .map(|o| o.offer.clone())
                });
                if let Some(offer) = web_offer {
                    return self.accept_web_call(offer);
                }
                let call_sid = state
                    .offer
                    .with_untracked(|o| o.as_ref().and_then(|o| o.call_sid.clone()));
                if let (Some(voice), Some(call_sid)) = (self.voice(), call_sid) {
                    voice.accept(&call_sid);
                }
            }
            Command::Reject => {
                let Some(offer) = state.offer.get_untracked() else {
                    return;
                };
                if let Some(hub) = self.hub() {
                    hub.send(&ClientMessage::DeclineOffer { offer: offer.offer });
                }
                self.set_offer(None);
                if let (Some(voice), Some(call_sid)) = (self.voice(), offer.call_sid) {
                    voice.reject(&call_sid);
                }
            }
            Command::HangUp => {
                if let (Some(hub), Some(conversation)) = (self.hub(), self.web_call()) {
                    return hub.send(&ClientMessage::HangUp { conversation });
                }
                let call_sid = state
                    .call
                    .with_untracked(|c| c.as_ref().and_then(|c| c.call_sid.clone()));
                if let (Some(voice), Some(call_sid)) = (self.voice(), call_sid) {
                    voice.hangup(&call_sid);
                }
            }
            Command::ToggleMute => {
                if self.web_call().is_some() {
                    let muted = !state.muted.get_untracked();
                    if crate::webcall::set_muted(muted) {
                        state.muted.set(muted);
                    }
                    return;
                }
                let call_sid = state
                    .call
                    .with_untracked(|c| c.as_ref().and_then(|c| c.call_sid.clone()));
                let muted = !state.muted.get_untracked();
                if let (Some(voice), Some(call_sid)) = (self.voice(), call_sid) {
                    voice.mute(&call_sid, muted);
                    state.muted.set(muted);
                }
            }
            Command::Digits(digits) => {
                let call_sid = state
                    .call
                    .with_untracked(|c| c.as_ref().and_then(|c| c.call_sid.clone()));
                if let (Some(voice), Some(call_sid)) = (self.voice(), call_sid) {
                    voice.send_digits(&call_sid, digits);
                }
            }
            Command::Transfer(to) => {
                let conversation = state.call.with_untracked(|c| {
                    c.as_ref()
                        .and_then(|c| tsunagu_core::InteractionId::new(&c.conversation).ok())
                });
                if let (Some(hub), Some(conversation)) = (self.hub(), conversation) {
                    hub.send(&ClientMessage::Transfer { conversation, to });
                }
            }
            Command::EndWrapUp { disposition, notes } => {
                if let Some(hub) = self.hub() {
                    hub.send(&ClientMessage::EndWrapUp { disposition, notes });
                }
            }
            Command::Dial(number) => self.dial(&number, None),
            Command::ConfirmDial => self.confirm_dial(),
            Command::CancelDial => self.cancel_dial(),
            Command::ToggleHold => {
                let call = state.call.get_untracked();
                let (Some(call), Some(hub)) = (call, self.hub()) else {
                    return;
                };
                if let Ok(conversation) = tsunagu_core::InteractionId::new(&call.conversation) {
                    hub.send(&ClientMessage::Hold {
                        conversation,
                        held: !call.held,
                    });
                }
            }
            Command::DismissNotice => state.notice.set(None),
        }
    }
}

/// Applies a roster delta: changed agents replace their entry, new ones are added.
fn merge(roster: &mut Vec<AgentPresence>, changed: Vec<AgentPresence>) {
    for entry in changed {
        match roster.iter_mut().find(|e| e.agent == entry.agent) {
            Some(existing) => *existing = entry,
            None => roster.push(entry),
        }
    }
}

/// The presence as the host API shows it: `'available'`, `'on_call'`, `{ away: 'lunch' }`, …
fn presence_json(status: PresenceStatus) -> Value {
    match status {
        PresenceStatus::Offline => "offline".into(),
        PresenceStatus::Available => "available".into(),
        PresenceStatus::Reserved => "reserved".into(),
        PresenceStatus::OnCall => "on_call".into(),
        PresenceStatus::WrapUp => "wrap_up".into(),
        PresenceStatus::Away { reason } => {
            json!({ "away": reason.as_wire() })
        }
    }
}

/// `Tsunagu.setPresence(state)`'s argument as a status the agent may pick.
fn requested_status(value: &Value) -> Option<RequestedStatus> {
    match value {
        Value::String(name) if name == "available" => Some(RequestedStatus::Available),
        Value::String(name) if name == "offline" => Some(RequestedStatus::Offline),
        Value::Object(fields) => {
            let reason = fields.get("away")?;
            let reason = AwayReason::from_wire(reason.as_str()?);
            Some(RequestedStatus::Away { reason })
        }
        _ => None,
    }
}

mod dial;
#[cfg(test)]
mod tests;
