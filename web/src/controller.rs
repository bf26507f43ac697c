//! The widget's driver: browser events in, the call desk's effects out.
//!
//! Everything that happens (host messages, hub messages, phone-line events, the agent's clicks as
//! [`Command`]s) lands in the one [`Controller`]. The call logic itself (offers, rings, dials,
//! rejoins, hold, wrap-up) is `tsunagu_agent::Desk`, a sans-IO machine tested natively; this
//! module feeds it, performs its effects (`effects.rs`) and copies its view into [`WidgetState`].
//! Signing in is `session.rs`, the phone line `line.rs`, build updates `update.rs`.
//! The session token stays in this module's memory: it is never stored and never posted to the host.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use crate::json::object;
use tsunagu_agent::{Command as DeskCommand, Desk, Input};
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
    ring::Ringtone,
    socket::{Hub, HubEvent},
    state::{Notice, Phase, VoiceState, WidgetState},
    voice::VoiceLine,
};

use replies::{DialRefusal, Dialing, SessionReply, error_message, web_resume_reply};

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
    /// Closes the record a CRM backend pushed.
    CloseRecord,
    /// Hands the call on; the agent goes to wrap-up once the center takes it.
    Transfer(TransferTo),
    /// Hear the whole tenant's presence (`true`: the transfer list is open) or only the
    /// agent's teams again.
    WatchRoster(bool),
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

/// The widget's session token, for the admin views' requests (it never leaves this frame).
pub(crate) fn session_token() -> Option<String> {
    current().and_then(|app| app.session.borrow().clone())
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

/// Refresh the session this long before it expires.
const REFRESH_BEFORE_MS: f64 = 5.0 * 60_000.0;

pub(crate) struct Controller {
    state: WidgetState,
    tenant: Option<TenantId>,
    host: RefCell<Option<Rc<HostLink>>>,
    session: RefCell<Option<String>>,
    hub: RefCell<Option<Rc<Hub>>>,
    voice: RefCell<Option<Rc<dyn VoiceLine>>>,
    ringtone: RefCell<Option<Ringtone>>,
    /// The call logic; see `tsunagu_agent`.
    desk: RefCell<Desk>,
    /// The desk's timer already set (its due time), so one is not set twice.
    desk_timer: Cell<Option<u64>>,
    /// Id of the outstanding `token-request` (0: none) and why it was sent.
    token_request: Cell<u32>,
    next_request: Cell<u32>,
    sign_in_kind: Cell<SignIn>,
    initialized: Cell<bool>,
    /// A new token was already asked for after an `unauthorized`; the next one signs out.
    retried: Cell<bool>,
    /// Invalidates refresh timers of earlier sessions.
    session_generation: Cell<u32>,
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
    /// A fresh phone-line token is on its way.
    voice_refreshing: Cell<bool>,
    /// The tenant lets `Tsunagu.dial()` call without the agent's click (from the session).
    direct_dial: Cell<bool>,
    /// The phone-line problem already told (the SDK repeats one on every retry).
    voice_problem_told: Cell<Option<Notice>>,
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
        desk: RefCell::new(Desk::new()),
        desk_timer: Cell::new(None),
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
        HostOrigin::None => {
            // No host page: this widget is the agent's only phone.
            app.feed(Input::PhoneOwner(true));
            state.phase.set(Phase::SignedOut);
        }
        HostOrigin::Refused => state.phase.set(Phase::HostRefused),
        HostOrigin::Allowed(origin) => {
            state.phase.set(Phase::SignedOut);
            let link = HostLink::open(origin, version, |input| {
                if let Some(app) = current() {
                    app.host_input(input);
                }
            });
            *app.host.borrow_mut() = link.map(Rc::new);
            // A host page that could not be linked leaves this widget its own phone.
            app.feed(Input::PhoneOwner(app.owns_phone()));
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
        self.emit("error", object! { "code": code, "message": message });
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
                self.feed(Input::PhoneOwner(self.owns_phone()));
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
        let body = object! { "to": number, "customer_id": customer_id }.to_string();
        self.feed(Input::DialSent);
        api::post_json("/api/calls", &body, Some(&session), |reply| {
            if let Some(app) = current() {
                app.dial_reply(reply);
            }
        });
    }

    fn dial_reply(&self, reply: api::Reply) {
        let dialled = match &reply {
            Ok((200, body)) => Dialing::read(body).map(|d| tsunagu_agent::Dialled {
                conversation: d.conversation,
                call_sid: d.call_sid,
                to_display: d.to_display,
                customer: d.customer.map(|c| (c.id, c.name)),
            }),
            _ => None,
        };
        let placed = dialled.is_some();
        self.feed(Input::DialReply(dialled));
        match reply {
            Ok((200, _)) if placed => {}
            Ok((200, _)) => self.notify(Notice::DialFailed, "unreadable reply"),
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
                // The status began before this page knew: its wrap-up timer counts from now.
                let since = tsunagu_core::Timestamp(js_sys::Date::now() as u64);
                self.feed(Input::Hub(ServerMessage::Status { status, since }));
            }
            // A full roster (after `watch_roster`) replaces the list; a delta updates it.
            ServerMessage::Roster { agents, full: true } => state.roster.set(agents),
            ServerMessage::Roster {
                agents,
                full: false,
            } => state.roster.update(|roster| merge(roster, agents)),
            message @ (ServerMessage::Status { .. }
            | ServerMessage::Offer { .. }
            | ServerMessage::Held { .. }
            | ServerMessage::OfferWithdrawn { .. }
            | ServerMessage::Resume { web: false, .. }) => self.feed(Input::Hub(message)),
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
            ServerMessage::Signal {
                conversation,
                signal,
            } => crate::webcall::remote_signal(&conversation, signal),
            ServerMessage::DialRequest {
                to,
                to_display,
                customer,
                confirm,
            } => self.pushed_dial(to, to_display, customer, confirm),
            ServerMessage::ShowRecord { record } => state.pushed_record.set(Some(record)),
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
            Command::Accept => self.feed(Input::Command(DeskCommand::Accept)),
            Command::Reject => self.feed(Input::Command(DeskCommand::Reject)),
            Command::HangUp => self.feed(Input::Command(DeskCommand::HangUp)),
            Command::ToggleMute => self.feed(Input::Command(DeskCommand::ToggleMute)),
            Command::ToggleHold => self.feed(Input::Command(DeskCommand::ToggleHold)),
            Command::Digits(digits) => {
                self.feed(Input::Command(DeskCommand::Digits(digits.to_owned())));
            }
            Command::Transfer(to) => self.feed(Input::Command(DeskCommand::Transfer(to))),
            Command::WatchRoster(everyone) => {
                // Nothing to widen while signed out: the next welcome carries the team's roster.
                if let Some(hub) = self.hub()
                    && state.phase.get_untracked() == Phase::Connected
                {
                    hub.send(&ClientMessage::WatchRoster { everyone });
                }
            }
            Command::EndWrapUp { disposition, notes } => {
                self.feed(Input::Command(DeskCommand::EndWrapUp {
                    disposition,
                    notes,
                }));
            }
            Command::Dial(number) => self.dial(&number, None),
            Command::ConfirmDial => self.confirm_dial(),
            Command::CancelDial => self.cancel_dial(),
            Command::CloseRecord => state.pushed_record.set(None),
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
            object! { "away": reason.as_wire() }
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
mod effects;
mod line;
mod replies;
mod session;
#[cfg(test)]
mod tests;
mod update;
