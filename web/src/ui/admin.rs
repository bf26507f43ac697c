//! The administration views' place in the widget: fetched as their own module the first time an
//! admin opens them (see `crate::admin`); the phone holds only this and the header's button.

use leptos::prelude::*;

use crate::state::{Notice, WidgetState};

#[component]
pub(crate) fn AdminPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    view! {
        <Suspense fallback=move || view! { <p class="muted" data-testid="admin-loading">"…"</p> }>
            // A module that cannot be downloaded (offline): the view closes and says so; the
            // button opens it again, which retries.
            {move || Suspend::new(async move {
                crate::admin::admin_view(state).await.unwrap_or_else(|_| {
                    state.admin_open.set(false);
                    state.notice.set(Some(Notice::Network));
                    ().into_any()
                })
            })}
        </Suspense>
    }
}
