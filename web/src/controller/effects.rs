//! Feeding the call desk and performing what it asks: hub sends, line operations, web-call audio, host events, the ringtone, and its view copied into the signals.

use std::{rc::Rc, time::Duration};

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use crate::json::object;
use tsunagu_agent::{HostEvent, Input, LineOp, OfferView, Output, WebCallOp};
use tsunagu_protocol::ClientMessage;

use super::{Controller, current, presence_json};
use crate::{ring::Ringtone, state::Notice};

impl Controller {
    /// Hands `input` to the desk at the widget's clock and performs every effect it asks for.
    pub(super) fn feed(&self, input: Input) {
        let now = js_sys::Date::now() as u64;
        self.desk.borrow_mut().handle_input(now, input);
        self.drain();
    }

    fn drain(&self) {
        // Outputs are taken one at a time: performing one may feed the desk again (a line
        // double answering at once), which must find the desk free.
        loop {
            let output = self.desk.borrow_mut().poll_output();
            let Some(output) = output else { break };
            self.perform(output);
        }
        self.schedule_desk_timer();
        self.maybe_update();
    }

    fn schedule_desk_timer(&self) {
        let due = self.desk.borrow().poll_timeout();
        let Some(due) = due.filter(|due| self.desk_timer.get() != Some(*due)) else {
            return;
        };
        self.desk_timer.set(Some(due));
        let delay = due.saturating_sub(js_sys::Date::now() as u64);
        set_timeout(
            move || {
                if let Some(app) = current() {
                    app.desk_timer.set(None);
                    app.desk
                        .borrow_mut()
                        .handle_timeout(js_sys::Date::now() as u64);
                    app.drain();
                }
            },
            Duration::from_millis(delay),
        );
    }

    fn perform(&self, output: Output) {
        match output {
            Output::Hub(message) => {
                if let Some(hub) = self.hub() {
                    hub.send(&message);
                }
            }
            Output::Line(op) => self.line_op(op),
            Output::WebCall(op) => self.web_call_op(op),
            Output::Host(event) => self.host_event(event),
            Output::CallEnded { conversation } => {
                self.state.call_warning.set(None);
                self.endings.set(self.endings.get() + 1);
                self.emit_ended(conversation, 0);
            }
            Output::Alert(Some(offer)) => {
                let mut ringtone = self.ringtone.borrow_mut();
                if ringtone.is_none() {
                    *ringtone = Ringtone::start();
                }
                self.state.ringtone.set(ringtone.is_some());
                drop(ringtone);
                self.notify_desktop(&offer);
            }
            Output::Alert(None) => {
                self.ringtone.borrow_mut().take();
                self.state.ringtone.set(false);
                self.close_desktop_notification();
            }
            Output::ViewChanged => self.copy_view(),
        }
    }

    fn copy_view(&self) {
        let view = self.desk.borrow().view().clone();
        let state = self.state;
        if state.status.get_untracked() != view.status {
            state.status.set(view.status);
        }
        if state.offer.get_untracked() != view.offer {
            state.offer.set(view.offer);
        }
        if state.call.get_untracked() != view.call {
            state.call.set(view.call);
        }
        if state.muted.get_untracked() != view.muted {
            state.muted.set(view.muted);
        }
        if state.wrap_up.get_untracked() != view.wrap_up {
            state.wrap_up.set(view.wrap_up);
        }
        if state.wrap_up_saved.get_untracked() != view.saved {
            state.wrap_up_saved.set(view.saved);
        }
    }

    fn line_op(&self, op: LineOp) {
        let Some(line) = self.voice() else {
            return;
        };
        match op {
            LineOp::Accept(call_sid) => line.accept(&call_sid),
            LineOp::Reject(call_sid) => line.reject(&call_sid),
            LineOp::HangUp(call_sid) => line.hangup(&call_sid),
            LineOp::Mute(call_sid, muted) => line.mute(&call_sid, muted),
            LineOp::Digits(call_sid, digits) => line.send_digits(&call_sid, &digits),
        }
    }

    fn web_call_op(&self, op: WebCallOp) {
        match op {
            WebCallOp::Start(conversation) => {
                if self.hub().is_none() {
                    return self.notify(Notice::NotSignedIn, "not signed in");
                }
                let send: crate::webcall::Sender = Rc::new(|message| {
                    if let Some(hub) = current().and_then(|app| app.hub()) {
                        hub.send(&message);
                    }
                });
                let hang_up = conversation.clone();
                let on_failure: crate::webcall::OnFailure = Rc::new(move || {
                    crate::webcall::close();
                    if let Some(app) = current() {
                        app.notify(Notice::Microphone, "the microphone is not available");
                        if let Some(hub) = app.hub() {
                            hub.send(&ClientMessage::HangUp {
                                conversation: hang_up.clone(),
                            });
                        }
                    }
                });
                let session = self.session.borrow().clone();
                crate::webcall::start(conversation, session.as_deref(), send, on_failure);
            }
            WebCallOp::Mute(muted) => {
                crate::webcall::set_muted(muted);
            }
            WebCallOp::Close => crate::webcall::close(),
        }
    }

    /// The desk's host events as the host API names them (see `web/loader/embed.d.ts`).
    fn host_event(&self, event: HostEvent) {
        let (name, detail): (&str, Value) = match event {
            HostEvent::Ring {
                conversation,
                screen_pop,
                channel,
            } => (
                "ring",
                object! {
                    "conversation": conversation,
                    "caller": screen_pop.caller_number,
                    "channel": channel.as_str(),
                    "customer": screen_pop.customer.as_ref().map(|c| object! {
                        "id": c.id.as_str(), "name": &c.name, "owner": c.owner.as_ref().map(|o| o.as_str()),
                    }),
                },
            ),
            HostEvent::Dialing {
                conversation,
                to,
                customer,
            } => (
                "dialing",
                object! {
                    "conversation": conversation,
                    "to": to,
                    "customer": customer.map(|(id, name)| object! { "id": id, "name": name }),
                },
            ),
            HostEvent::Accepted { conversation } => {
                ("accepted", object! { "conversation": conversation })
            }
            HostEvent::Presence(status) => {
                ("presence", object! { "status": presence_json(status) })
            }
            HostEvent::Hold { conversation } => ("hold", object! { "conversation": conversation }),
            HostEvent::Resumed { conversation } => {
                ("resumed", object! { "conversation": conversation })
            }
            HostEvent::WrapUp {
                conversation,
                outcome,
                notes,
            } => (
                "wrap_up",
                object! { "conversation": conversation, "outcome": outcome, "notes": notes },
            ),
        };
        self.emit(name, detail);
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
        host.post(object! {
            "type": "notify",
            "tag": &tag,
            "title": format!("{}: {who}", t.incoming_call),
            "body": body,
        });
        *self.notified.borrow_mut() = Some(tag);
    }

    fn close_desktop_notification(&self) {
        let Some(tag) = self.notified.borrow_mut().take() else {
            return;
        };
        let host = self.host.borrow().clone();
        if let Some(host) = host {
            host.post(object! { "type": "notify-close", "tag": tag });
        }
    }
}
