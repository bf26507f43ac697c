//! The Tsunagu agent widget: a Leptos CSR app that runs in the iframe `embed.js` creates.

mod i18n;
mod socket;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{
    i18n::{Lang, texts},
    socket::{ConnectionState, HubConnection},
};

/// Entry point: runs as soon as the wasm module is instantiated by the boot script.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole widget.
#[component]
fn App() -> impl IntoView {
    let lang = RwSignal::new(Lang::from_browser());
    let tenant = socket::tenant_from_location();
    // Sign-in through the host API (`window.Tsunagu.init({ getEmbedToken })`) arrives with the
    // softphone; until then the widget shows that it needs a session.
    let hub = HubConnection::open(tenant.clone(), None);
    let state = hub.state;
    let tenant_name = hub.tenant_name;

    let status_text = move || {
        let t = texts(lang.get());
        match state.get() {
            ConnectionState::Connecting => t.connecting,
            ConnectionState::Connected => t.connected,
            ConnectionState::Reconnecting => t.reconnecting,
            ConnectionState::Incompatible => t.incompatible,
            ConnectionState::Misconfigured => t.misconfigured,
            ConnectionState::SignedOut => t.signed_out,
        }
    };
    let status_class = move || match state.get() {
        ConnectionState::Connected => "status status--ok",
        ConnectionState::Connecting
        | ConnectionState::Reconnecting
        | ConnectionState::SignedOut => "status status--wait",
        ConnectionState::Incompatible | ConnectionState::Misconfigured => "status status--error",
    };
    let tenant_name = move || {
        tenant_name.get().map(|name| match lang.get() {
            Lang::Ja => name.ja,
            Lang::En => name.en,
        })
    };

    view! {
        <div class="widget" role="region" aria-label=move || texts(lang.get()).widget_label>
            <header class="widget__header">
                <span class="widget__brand">"Tsunagu"</span>
                <span class="widget__tenant" data-testid="tenant-name">{tenant_name}</span>
                <button
                    class="widget__lang"
                    data-testid="lang-toggle"
                    on:click=move |_| lang.update(|l| *l = l.other())
                    aria-label=move || texts(lang.get()).switch_language
                >
                    {move || texts(lang.get()).other_language_short}
                </button>
            </header>
            <p
                class=status_class
                role="status"
                aria-live="polite"
                data-testid="connection-status"
                data-state=move || state.get().as_str()
            >
                {status_text}
            </p>
            <p class="widget__detail widget__tenant-id">{tenant.map(|t| t.to_string()).unwrap_or_default()}</p>
        </div>
    }
}
