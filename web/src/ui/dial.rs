//! Click-to-call from the widget itself: a number field and a call button, while the agent is free.

use leptos::prelude::*;
use tsunagu_protocol::PresenceStatus;

use crate::{
    controller::{Command, command},
    state::{VoiceState, WidgetState},
};

#[component]
pub(crate) fn DialForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let number = RwSignal::new(String::new());
    let free = move || {
        matches!(
            state.status.get(),
            Some(PresenceStatus::Available | PresenceStatus::Away { .. })
        ) && state.call.with(Option::is_none)
            && state.voice.get() == VoiceState::Ready
    };
    view! {
        <Show when=free>
            <form
                class="dial"
                data-testid="dial-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let typed = number.get_untracked();
                    if !typed.trim().is_empty() {
                        command(Command::Dial(typed.trim().to_owned()));
                    }
                }
            >
                <input
                    type="tel"
                    inputmode="tel"
                    autocomplete="tel"
                    data-testid="dial-number"
                    aria-label=move || state.texts().dial_placeholder
                    placeholder=move || state.texts().dial_placeholder
                    prop:value=move || number.get()
                    on:input=move |ev| number.set(event_target_value(&ev))
                />
                <button type="submit" class="btn btn--primary" data-testid="dial-go">
                    {move || state.texts().dial_label}
                </button>
            </form>
        </Show>
    }
}
