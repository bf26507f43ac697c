//! The widget's view: one component per file, all reading [`WidgetState`] from context.
// Leptos' `#[component]` expands a `pub(crate) fn` into items rustc's `unreachable_pub` flags.
#![allow(unreachable_pub, reason = "false positive on #[component] expansions")]

mod admin;
mod banner;
mod call;
mod dial;
mod dial_confirm;
mod header;
mod offer;
mod presence;
mod pushed_record;
mod roster;
mod transfer;
mod wrap_up;

// Component tests need a DOM: they run in headless Chromium through wasm-bindgen-test-runner.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

use leptos::prelude::*;
use tsunagu_protocol::PresenceStatus;

use crate::state::{Phase, WidgetState};

/// The whole widget.
#[component]
pub(crate) fn App(state: WidgetState) -> impl IntoView {
    provide_context(state);
    // The page's language follows the toggle, for screen readers and hyphenation.
    Effect::new(move || {
        let tag = state.lang.get().tag();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
    });
    let signed_in = move || {
        matches!(
            state.phase.get(),
            Phase::Connected | Phase::Reconnecting | Phase::Connecting
        ) && state.me.with(Option::is_some)
    };
    view! {
        <div
            class="widget"
            role="region"
            aria-label=move || state.texts().widget_label
            data-update=move || if state.update_pending.get() { "pending" } else { "none" }
        >
            <header::Header />
            <banner::Banner />
            <Show when=signed_in>
                <offer::OfferCard />
                <call::CallPanel />
                <wrap_up::WrapUpPanel />
                // The administration views (open only for admins) and the conversations view
                // (supervisors, admins) take the place of the idle phone's controls; calls,
                // wrap-up and a host's dial request stay in view.
                <Show
                    when=move || {
                        !state.admin_open.get() && !state.conversations_open.get() && state.phone_role.get()
                    }
                    fallback=move || view! {
                    <Show when=move || !state.phone_role.get() && state.is_admin.get()>
                        <p class="muted" data-testid="admin-only">{move || state.texts().admin_only}</p>
                    </Show>
                    <dial_confirm::DialConfirm />
                    <pushed_record::PushedRecordCard />
                    <Show when=move || state.admin_open.get() || state.conversations_open.get()>
                        <admin::FeaturePanel />
                    </Show>
                }
                >
                    <presence::PresenceControl />
                    <dial_confirm::DialConfirm />
                    <pushed_record::PushedRecordCard />
                    <dial::DialForm />
                    <banner::VoiceLineState />
                    <roster::Roster />
                </Show>
            </Show>
        </div>
    }
}

/// A stable name of a status for `data-status` and CSS: `available`, `away`, `on_call`, …
pub(crate) fn status_kind(status: PresenceStatus) -> &'static str {
    match status {
        PresenceStatus::Offline => "offline",
        PresenceStatus::Available => "available",
        PresenceStatus::Away { .. } => "away",
        PresenceStatus::Reserved => "reserved",
        PresenceStatus::OnCall => "on_call",
        PresenceStatus::WrapUp => "wrap_up",
    }
}
