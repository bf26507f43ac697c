//! After-call work: which call it is for, how long it has run, the outcome and notes saved to the conversation, the button that ends it, and a confirmation once saved.

use std::time::Duration;

use leptos::prelude::*;
use tsunagu_agent::{Direction, WrapUpView};
use tsunagu_protocol::{NOTES_MAX_CHARS, PresenceStatus};

use crate::{
    controller::{Command, command},
    i18n::Texts,
    state::WidgetState,
    ui::call::clock,
};

/// "着信 · 山田商事 (03-5555-0101)": the direction, then the customer and number as known.
fn which_call(t: &Texts, call: &WrapUpView) -> String {
    let direction = match call.direction {
        Direction::Inbound => t.direction_inbound,
        Direction::Outbound => t.direction_outbound,
    };
    let (open, close) = t.parentheses;
    let who = match (&call.customer, &call.caller) {
        (Some(customer), Some(caller)) => format!("{customer}{open}{caller}{close}"),
        (Some(name), None) | (None, Some(name)) => name.clone(),
        (None, None) => t.unknown_caller.to_owned(),
    };
    format!("{direction} · {who}")
}

#[component]
pub(crate) fn WrapUpPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let in_wrap_up = move || state.status.get() == Some(PresenceStatus::WrapUp);
    let disposition = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(
        move || {
            if state.wrap_up.with_untracked(Option::is_some) {
                now.set(js_sys::Date::now());
            }
        },
        Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(tick) = tick {
            tick.clear();
        }
    });
    let submit = move |_| {
        let picked = disposition.get_untracked();
        let written = notes.get_untracked();
        command(Command::EndWrapUp {
            disposition: (!picked.is_empty()).then_some(picked),
            notes: (!written.trim().is_empty()).then_some(written),
        });
        disposition.set(String::new());
        notes.set(String::new());
    };
    let call = move || {
        let wrap_up = state.wrap_up.get()?;
        let t = state.texts();
        let known = wrap_up
            .conversation
            .is_some()
            .then(|| which_call(t, &wrap_up));
        let since = wrap_up.since_ms as f64;
        Some(view! {
            {known.map(|known| view! {
                <p class="wrap-up__call" data-testid="wrap-up-call">
                    {format!("{}: {known}", t.wrap_up_for)}
                </p>
            })}
            <p class="wrap-up__timer" data-testid="wrap-up-timer" role="timer" aria-label=t.wrap_up_timer>
                {move || clock(now.get().max(js_sys::Date::now()) - since)}
            </p>
        })
    };
    let saved = move || {
        let saved = state.wrap_up_saved.get()?;
        let t = state.texts();
        let which = saved.conversation.is_some().then(|| which_call(t, &saved));
        Some(view! {
            <p class="wrap-up__saved" data-testid="wrap-up-saved" role="status">
                {t.wrap_up_saved}
                {which.map(|which| format!(": {which}"))}
            </p>
        })
    };
    view! {
        {saved}
        <Show when=in_wrap_up>
            <section class="wrap-up" data-testid="wrap-up" aria-label=move || state.texts().wrap_up>
                {call}
                <p class="wrap-up__hint">{move || state.texts().wrap_up_hint}</p>
                <label class="field">
                    <span>{move || state.texts().disposition}</span>
                    <select
                        data-testid="wrap-up-disposition"
                        prop:value=move || disposition.get()
                        on:change=move |ev| disposition.set(event_target_value(&ev))
                    >
                        <option value="">{move || state.texts().disposition_none}</option>
                        {move || {
                            state
                                .texts()
                                .dispositions()
                                .into_iter()
                                .map(|(code, label)| view! { <option value=code>{label}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field">
                    <span>{move || state.texts().notes}</span>
                    <textarea
                        data-testid="wrap-up-notes"
                        rows="3"
                        maxlength=NOTES_MAX_CHARS.to_string()
                        prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button class="btn btn--primary" data-testid="end-wrap-up" on:click=submit>
                    {move || state.texts().end_wrap_up}
                </button>
            </section>
        </Show>
    }
}
