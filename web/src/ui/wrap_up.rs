//! After-call work: shown in wrap-up, with the button that ends it early.

use leptos::prelude::*;
use tsunagu_protocol::PresenceStatus;

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

#[component]
pub(crate) fn WrapUpPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let in_wrap_up = move || state.status.get() == Some(PresenceStatus::WrapUp);
    view! {
        <Show when=in_wrap_up>
            <section class="wrap-up" data-testid="wrap-up" aria-label=move || state.texts().wrap_up>
                <p class="wrap-up__hint">{move || state.texts().wrap_up_hint}</p>
                <button
                    class="btn btn--primary"
                    data-testid="end-wrap-up"
                    on:click=move |_| command(Command::EndWrapUp)
                >
                    {move || state.texts().end_wrap_up}
                </button>
            </section>
        </Show>
    }
}
