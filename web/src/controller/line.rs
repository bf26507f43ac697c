//! The phone line: its token, its problems, its events (handed to the call desk), and the host's `ended`.

use std::{
    rc::{Rc, Weak},
    time::Duration,
};

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use crate::json::object;
use tsunagu_agent::{Input, LineEvent};
use tsunagu_protocol::PresenceStatus;

use super::{Controller, current};
use crate::{
    api,
    state::{Notice, VoiceState},
    voice::{self, NoLine, VoiceEvent, VoiceLine, VoiceProblem, VoiceToken},
};

impl Controller {
    /// Tells the host the call ended, with its stitched log for the CRM: Twilio's last callbacks
    /// reach the log a moment after the hang-up, so this waits (briefly) until the log shows the
    /// end, and sends `log: null` if it never does.
    pub(super) fn emit_ended(&self, conversation: String, attempt: u32) {
        const ATTEMPTS: u32 = 12;
        let session = self.session.borrow().clone();
        let Some(session) = session else {
            let follows = self.wrap_up_follows();
            return self.emit(
                "ended",
                object! { "conversation": conversation, "log": Value::Null, "wrap_up_follows": follows },
            );
        };
        let path = format!("/api/conversations/{conversation}");
        api::get(&path, Some(&session), move |reply| {
            let Some(app) = current() else {
                return;
            };
            let log = match reply {
                Ok((200, body)) => Value::parse(&body),
                _ => None,
            };
            // Ended for this agent: the whole conversation, or their own leg (after a transfer
            // the caller talks on with a colleague).
            let me = app
                .state
                .me
                .with_untracked(|me| me.as_ref().map(|me| me.agent.clone()));
            // An absent field counts as `null`.
            let ended = |value: &Value| value.get("ended_at").is_some_and(|at| !at.is_null());
            let settled = log.as_ref().is_some_and(|log| {
                ended(log)
                    || log
                        .get("agent_legs")
                        .and_then(Value::as_array)
                        .is_some_and(|legs| {
                            legs.iter().any(|leg| {
                                leg.get("agent").and_then(Value::as_str) == me.as_deref()
                                    && ended(leg)
                            })
                        })
            });
            // The hub's word on what follows the call (wrap-up, or available again) travels on
            // the socket, not with the log: on a busy machine the log can settle first, and
            // `wrap_up_follows` read then would say no. Wait for the status to leave the call.
            let status_known = app.state.status.get_untracked() != Some(PresenceStatus::OnCall);
            if (settled && status_known) || attempt + 1 >= ATTEMPTS {
                let log = log.filter(|_| settled).unwrap_or(Value::Null);
                let follows = app.wrap_up_follows();
                app.emit(
                    "ended",
                    object! { "conversation": conversation, "log": log, "wrap_up_follows": follows },
                );
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

    pub(super) fn fetch_voice_token(&self, session: &str) {
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
        // The line's code is a feature module: its first use downloads it, and the agent may
        // sign out meanwhile (a new session asks for its own token and line).
        let generation = self.session_generation.get();
        leptos::task::spawn_local(async move {
            let line = voice::line_for(&token, sink).await;
            let Some(app) = current()
                .filter(|app| app.session_generation.get() == generation && app.voice().is_none())
            else {
                return;
            };
            match line {
                Ok(line) => {
                    *app.voice.borrow_mut() = Some(Rc::clone(&line));
                    line.register(&token.token, &token.edge);
                }
                Err(NoLine::Unsupported) => app.state.voice.set(VoiceState::NotAvailable),
                Err(NoLine::NotLoaded) => {
                    app.state.voice.set(VoiceState::Failed);
                    app.emit_error("voice_unavailable", "the phone line's module did not load");
                }
            }
        });
    }

    /// Asks the worker for a fresh phone-line token and hands it to the line.
    pub(super) fn refresh_voice_token(&self) {
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
                self.feed(tsunagu_agent::Input::Line(LineEvent::Down));
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

    pub(super) fn voice_event(&self, event: VoiceEvent) {
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
                self.feed(Input::Line(LineEvent::Registered));
            }
            VoiceEvent::Reconnecting => {
                state.voice.set(VoiceState::Connecting);
                self.feed(Input::Line(LineEvent::Down));
            }
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
                self.feed(Input::Line(LineEvent::Ringing {
                    call_sid: call.call_sid,
                    conversation: call.conversation,
                }));
            }
            VoiceEvent::Connected { call_sid } => {
                self.feed(Input::Line(LineEvent::Connected { call_sid }));
            }
            VoiceEvent::Disconnected { call_sid } => {
                self.feed(Input::Line(LineEvent::Disconnected { call_sid }));
            }
        }
    }

    /// Whether the agent is in wrap-up (the host's `ended` says so, so a CRM waits for the
    /// outcome in `wrap_up`).
    fn wrap_up_follows(&self) -> bool {
        self.state.status.get_untracked() == Some(PresenceStatus::WrapUp)
    }
}
