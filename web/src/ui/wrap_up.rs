//! After-call work: the outcome and notes saved to the conversation, and the button that ends it.

use leptos::prelude::*;
use tsunagu_protocol::{NOTES_MAX_CHARS, PresenceStatus};

use crate::{
    controller::{Command, command},
    i18n::Texts,
    state::WidgetState,
};

/// The outcomes an agent picks from: the stored code and its label.
fn dispositions(t: &Texts) -> [(&'static str, &'static str); 4] {
    [
        ("resolved", t.disposition_resolved),
        ("follow_up", t.disposition_follow_up),
        ("escalated", t.disposition_escalated),
        ("wrong_number", t.disposition_wrong_number),
    ]
}

#[component]
pub(crate) fn WrapUpPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let in_wrap_up = move || state.status.get() == Some(PresenceStatus::WrapUp);
    let disposition = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
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
    view! {
        <Show when=in_wrap_up>
            <section class="wrap-up" data-testid="wrap-up" aria-label=move || state.texts().wrap_up>
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
                            dispositions(state.texts())
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
