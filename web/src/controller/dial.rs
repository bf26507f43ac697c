//! The controller's part of the dial policy: `Tsunagu.dial()` waits for the agent's click, and refusals reach the agent and the host.

use crate::json::object;
use leptos::prelude::*;

use super::Controller;
use crate::{
    dial_policy::{DialRefusal, PendingDial},
    json::Fields,
    state::Notice,
};

impl Controller {
    /// `Tsunagu.dial(number)` from the host page: shown with Call / Cancel, so a script on the
    /// page cannot dial (and take the agent's microphone) silently; called at once only when the
    /// tenant trusts its CRM (`direct_dial_from_host`). A newer request replaces one waiting.
    pub(super) fn host_dial(&self, number: String, customer_id: Option<String>) {
        if self.direct_dial.get() {
            return self.dial(&number, customer_id.as_deref());
        }
        self.state.pending_dial.set(Some(PendingDial {
            number,
            display: None,
            customer_id,
            customer_name: None,
        }));
    }

    /// A CRM backend's click-to-call (the hub's `dial_request`): only the tab that owns the
    /// agent's phone acts on it, so two tabs never both ask. With `confirm` it waits for the
    /// agent's click like `Tsunagu.dial()`; without (the tenant allows direct dialing) it calls.
    pub(super) fn pushed_dial(
        &self,
        to: String,
        to_display: String,
        customer: Option<tsunagu_protocol::CustomerCard>,
        confirm: bool,
    ) {
        if !self.owns_phone() {
            return;
        }
        let customer_id = customer.as_ref().map(|card| card.id.as_str().to_owned());
        if !confirm {
            return self.dial(&to, customer_id.as_deref());
        }
        self.state.pending_dial.set(Some(PendingDial {
            number: to,
            display: Some(to_display),
            customer_id,
            customer_name: customer.map(|card| card.name),
        }));
    }

    /// The agent pressed Call on the waiting number.
    pub(super) fn confirm_dial(&self) {
        if let Some(pending) = self.state.pending_dial.get_untracked() {
            self.state.pending_dial.set(None);
            self.dial(&pending.number, pending.customer_id.as_deref());
        }
    }

    /// The agent pressed Cancel: nothing is dialled; the host hears `dial_cancelled`.
    pub(super) fn cancel_dial(&self) {
        if let Some(pending) = self.state.pending_dial.get_untracked() {
            self.state.pending_dial.set(None);
            self.emit("dial_cancelled", object! { "to": pending.number });
        }
    }

    /// `POST /api/calls` answered 403 `dial_refused`: the agent reads why in their language, the
    /// host gets an `error` with code `dial_refused`, the `reason` code and the worker's message.
    pub(super) fn dial_refused(&self, body: &str) {
        let mut fields = Fields::parse(body);
        let mut text = |name: &str| {
            fields
                .as_mut()
                .and_then(|f| f.text_or_empty(name))
                .unwrap_or_default()
        };
        let reason = text("reason");
        let message = text("message");
        let refusal = DialRefusal::from_code(&reason);
        self.state.notice.set(Some(Notice::DialRefused(refusal)));
        self.emit(
            "error",
            object! { "code": "dial_refused", "reason": refusal.code(), "message": message },
        );
    }
}
