//! The widget's header: brand, tenant name, the conversations button (supervisors, admins), the administration button (admins) and the language toggle.

use leptos::prelude::*;

use crate::{
    i18n::{Lang, Texts},
    state::WidgetState,
};

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
            // Supervisors and admins (the worker leaves the audit out for anyone else anyway).
            {view_button(
                state,
                state.audit_reader,
                state.conversations_open,
                state.admin_open,
                "conversations-toggle",
                |t| t.conversations,
            )}
            // Admins only (the worker refuses every admin route to anyone else anyway).
            {view_button(
                state,
                state.is_admin,
                state.admin_open,
                state.conversations_open,
                "admin-toggle",
                |t| t.admin,
            )}
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

/// A header button that opens or closes one feature view (closing the other), shown while
/// `allowed`. One function for both buttons: the phone carries its closures once.
fn view_button(
    state: WidgetState,
    allowed: RwSignal<bool>,
    open: RwSignal<bool>,
    other: RwSignal<bool>,
    testid: &'static str,
    label: fn(&Texts) -> &'static str,
) -> impl IntoView {
    move || {
        allowed.get().then(|| {
            view! {
                <button
                    class="widget__lang"
                    data-testid=testid
                    aria-pressed=move || open.get().to_string()
                    on:click=move |_| {
                        other.set(false);
                        open.update(|open| *open = !*open);
                    }
                >
                    {move || label(state.texts())}
                </button>
            }
        })
    }
}
