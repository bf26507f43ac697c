//! The number a CRM page (`Tsunagu.dial()`) or a CRM backend (the server API) asked to call, with Call / Cancel: nothing is dialled until the agent clicks.

use leptos::prelude::*;

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

#[component]
pub(crate) fn DialConfirm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let number = move || {
        state.pending_dial.with(|pending| {
            pending
                .as_ref()
                .map(|p| p.display.clone().unwrap_or_else(|| p.number.clone()))
        })
    };
    let customer = move || {
        state
            .pending_dial
            .with(|pending| pending.as_ref().and_then(|p| p.customer_name.clone()))
    };
    view! {
        <Show when=move || state.pending_dial.with(Option::is_some)>
            <div class="dial-confirm" role="alertdialog" data-testid="dial-confirm"
                aria-label=move || state.texts().dial_confirm>
                <p class="dial-confirm__question">{move || state.texts().dial_confirm}</p>
                <p class="dial-confirm__number tel" data-testid="dial-confirm-number">{number}</p>
                {move || customer().map(|name| view! {
                    <p class="dial-confirm__customer" data-testid="dial-confirm-customer">{name}</p>
                })}
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
