//! The number a CRM page asked to call (`Tsunagu.dial()`), with Call / Cancel: nothing is dialled until the agent clicks.

use leptos::prelude::*;

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

#[component]
pub(crate) fn DialConfirm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let number = move || {
        state
            .pending_dial
            .with(|pending| pending.as_ref().map(|p| p.number.clone()))
    };
    view! {
        <Show when=move || state.pending_dial.with(Option::is_some)>
            <div class="dial-confirm" role="alertdialog" data-testid="dial-confirm"
                aria-label=move || state.texts().dial_confirm>
                <p class="dial-confirm__question">{move || state.texts().dial_confirm}</p>
                <p class="dial-confirm__number tel" data-testid="dial-confirm-number">{number}</p>
                <div class="dial-confirm__actions">
                    <button
                        type="button"
                        class="btn btn--primary"
                        data-testid="dial-confirm-call"
                        on:click=move |_| command(Command::ConfirmDial)
                    >
                        {move || state.texts().dial_label}
                    </button>
                    <button
                        type="button"
                        class="btn"
                        data-testid="dial-confirm-cancel"
                        on:click=move |_| command(Command::CancelDial)
                    >
                        {move || state.texts().dial_cancel}
                    </button>
                </div>
            </div>
        </Show>
    }
}
