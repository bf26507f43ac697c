//! The feature views opened from the header in place of the idle phone: the administration
//! views (admins) and the conversations view (supervisors, admins). Each is fetched as its own
//! module the first time it is opened (see `crate::admin`, `crate::conversations`); the phone
//! holds only this and the header's buttons. One `Suspense` serves both, so the phone carries
//! one copy of the code that awaits a module.

use leptos::prelude::*;

use crate::state::{Notice, WidgetState};

#[component]
pub(crate) fn FeaturePanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    view! {
        <Suspense fallback=move || view! { <p class="muted" data-testid="feature-loading">"…"</p> }>
            {move || {
                // Read here, outside the future, so that switching views runs this again.
                let admin = state.admin_open.get();
                Suspend::new(async move {
                    let view = if admin {
                        crate::admin::admin_view(state).await
                    } else {
                        crate::conversations::conversations_view(state).await
                    };
                    // A module that cannot be downloaded (offline): the view closes and says
                    // so; the button opens it again, which retries.
                    view.unwrap_or_else(|_| {
                        state.admin_open.set(false);
                        state.conversations_open.set(false);
                        state.notice.set(Some(Notice::Network));
                        ().into_any()
                    })
                })
            }}
        </Suspense>
    }
}
