//! The widget's header: brand, tenant name, the administration button (admins) and the language toggle.

use leptos::prelude::*;

use crate::{i18n::Lang, state::WidgetState};

#[component]
pub(crate) fn Header() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let tenant_name = move || {
        state.tenant_name.get().map(|name| match state.lang.get() {
            Lang::Ja => name.ja,
            Lang::En => name.en,
        })
    };
    view! {
        <header class="widget__header">
            <span class="widget__brand">"Tsunagu"</span>
            <span class="widget__tenant" data-testid="tenant-name">{tenant_name}</span>
            // Admins only (the worker refuses every admin route to anyone else anyway).
            <Show when=move || state.is_admin.get()>
                <button
                    class="widget__lang"
                    data-testid="admin-toggle"
                    aria-pressed=move || state.admin_open.get().to_string()
                    on:click=move |_| state.admin_open.update(|open| *open = !*open)
                >
                    {move || state.texts().admin}
                </button>
            </Show>
            <button
                class="widget__lang"
                data-testid="lang-toggle"
                on:click=move |_| state.lang.update(|l| *l = l.other())
                aria-label=move || state.texts().switch_language
            >
                {move || state.texts().other_language_short}
            </button>
        </header>
    }
}
