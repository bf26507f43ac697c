//! Signing in through the host page (embed token → session → hub socket), refreshing the session, signing out.

use std::{rc::Rc, time::Duration};

use crate::json::object;
use leptos::prelude::*;

use super::{Controller, REFRESH_BEFORE_MS, SessionReply, SignIn, current, error_message};
use crate::{
    api,
    socket::Hub,
    state::{Me, Notice, Phase, VoiceState},
};

impl Controller {
    /// Asks the host for an embed token (`getEmbedToken()`); the answer continues in `open_session`.
    pub(super) fn sign_in(&self, kind: SignIn) {
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
        host.post(object! { "type": "token-request", "id": id });
    }

    pub(super) fn open_session(&self, embed_token: &str) {
        let body = object! { "embed_token": embed_token }.to_string();
        api::post_json("/api/session", &body, None, |reply| {
            if let Some(app) = current() {
                app.session_reply(reply);
            }
        });
    }

    pub(super) fn session_reply(&self, reply: api::Reply) {
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

    pub(super) fn sign_in_failed(&self, notice: Notice, message: &str) {
        self.notify(notice, message);
        self.sign_out(notice.code());
    }

    pub(super) fn signed_in(&self, reply: SessionReply) {
        let Some(tenant) = self.tenant.clone() else {
            return;
        };
        self.state.notice.set(None);
        self.direct_dial.set(reply.direct_dial);
        self.state.is_admin.set(reply.admin);
        if !reply.admin {
            self.state.admin_open.set(false);
        }
        self.state.phone_role.set(reply.phone);
        self.state.audit_reader.set(reply.audit);
        if !reply.audit {
            self.state.conversations_open.set(false);
        }
        *self.session.borrow_mut() = Some(reply.session.clone());
        let generation = self.session_generation.get().wrapping_add(1);
        self.session_generation.set(generation);
        self.schedule_refresh(reply.expires_at, generation);

        let me = Me {
            agent: reply.agent,
            name: reply.name,
        };
        if self.state.me.get_untracked().as_ref() != Some(&me) {
            self.emit(
                "signed-in",
                object! { "agent": &me.agent, "name": &me.name },
            );
            self.state.me.set(Some(me));
        }
        if !reply.phone {
            // Not a phone (the hub would refuse its socket, the worker its line): signed in for
            // the administration views alone, which open at once.
            self.state.phase.set(Phase::Connected);
            if reply.admin {
                self.state.admin_open.set(true);
            } else if reply.audit {
                // A supervisor who takes no calls: the call log is what they came for.
                self.state.conversations_open.set(true);
            }
            return;
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

    pub(super) fn owns_phone(&self) -> bool {
        self.phone_owner.get() == Some(true) || self.host.borrow().is_none()
    }

    /// Registers the phone line if this tab owns the agent's phone and it is not registered yet;
    /// otherwise shows that another tab has it.
    pub(super) fn start_phone(&self) {
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

    pub(super) fn schedule_refresh(&self, expires_at: u64, generation: u32) {
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
    pub(super) fn sign_out(&self, reason: &str) {
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
        self.feed(tsunagu_agent::Input::SignedOut);
        let state = self.state;
        state.roster.set(Vec::new());
        state.voice.set(VoiceState::Off);
        state.phase.set(Phase::SignedOut);
        state.is_admin.set(false);
        state.admin_open.set(false);
        state.phone_role.set(true);
        state.audit_reader.set(false);
        state.conversations_open.set(false);
        if state.me.get_untracked().is_some() {
            state.me.set(None);
            self.emit("signed-out", object! { "reason": reason });
        }
    }
}
