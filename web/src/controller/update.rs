//! Switching to a newer build of the widget when no call is active.

use leptos::prelude::*;
use tsunagu_protocol::{PresenceStatus, http::WidgetVersionReply};

use super::{Controller, current};
use crate::{api, config};

impl Controller {
    pub(super) fn check_version(&self) {
        api::get("/widget/version", None, |reply| {
            let Some(app) = current() else {
                return;
            };
            let served = match reply {
                Ok((200, body)) => WidgetVersionReply::read(&body).map(|reply| reply.version),
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
    pub(super) fn maybe_update(&self) {
        let Some(target) = self.update_to.borrow().clone() else {
            return;
        };
        let state = self.state;
        let busy = state.offer.with_untracked(Option::is_some)
            || state.call.with_untracked(Option::is_some)
            || self.desk.borrow().view().dialing
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
}
