//! The Tsunagu agent widget: a Leptos CSR app that runs in the iframe `embed.js` creates.

mod admin;
mod api;
mod config;
mod controller;
mod conversations;
mod dial_policy;
mod host;
mod i18n;
mod json;
mod origin;
mod ring;
mod socket;
mod state;
mod ui;
mod voice;
mod webcall;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: runs as soon as the wasm module is instantiated by the boot script.
#[wasm_bindgen(start)]
pub fn start() {
    // Debug builds only: the hook links panic formatting and `Error().stack` glue (1.2 KB
    // gzipped) into the release download, where a panic aborts the widget either way.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let state = state::WidgetState::new(i18n::Lang::from_browser());
    controller::start(state, &build_version());
    leptos::mount::mount_to_body(move || leptos::prelude::view! { <ui::App state=state /> });
}

/// The build's version, from `<meta name="tsunagu-version">` (the boot script's content hash).
fn build_version() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=tsunagu-version]")
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default()
}
