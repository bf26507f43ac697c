//! The presence control: the agent's status in large type, and available / away (with reason) / offline.

use leptos::prelude::*;
use tsunagu_protocol::{AwayReason, PresenceStatus, RequestedStatus};

use super::status_kind;
use crate::{
    controller::{Command, command},
    state::WidgetState,
};

/// The reasons an agent may pick (the server sets the others).
const REASONS: [(AwayReason, &str); 5] = [
    (AwayReason::Break, "break"),
    (AwayReason::Lunch, "lunch"),
    (AwayReason::Meeting, "meeting"),
    (AwayReason::Training, "training"),
    (AwayReason::Other, "other"),
];

#[component]
pub(crate) fn PresenceControl() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let reason = RwSignal::new(AwayReason::Break);
    let status = move || state.status.get();
    // While a call rings or is open, the status follows the call, not the buttons.
    let busy = move || {
        matches!(
            status(),
            Some(PresenceStatus::Reserved | PresenceStatus::OnCall | PresenceStatus::WrapUp) | None
        )
    };
    let is_away = move || matches!(status(), Some(PresenceStatus::Away { .. }));
    let pressed =
        move |wanted: &'static str| move || (status().map(status_kind) == Some(wanted)).to_string();
    let choose_reason = move |value: String| {
        let picked = REASONS
            .iter()
            .find(|(_, name)| *name == value)
            .map_or(AwayReason::Other, |(reason, _)| *reason);
        reason.set(picked);
        if is_away() {
            command(Command::SetStatus(RequestedStatus::Away { reason: picked }));
        }
    };
    view! {
        <section class="presence" aria-label=move || state.texts().presence_label>
            <p
                class="presence__now"
                data-testid="presence-status"
                data-status=move || status().map_or("unknown", status_kind)
                role="status"
                aria-live="polite"
            >
                {move || status().map(|s| state.texts().status(s)).unwrap_or_default()}
            </p>
            <div class="presence__choices" role="group" aria-label=move || state.texts().presence_label>
                <button
                    class="choice choice--available"
                    data-testid="presence-available"
                    aria-pressed=pressed("available")
                    disabled=busy
                    on:click=move |_| command(Command::SetStatus(RequestedStatus::Available))
                >
                    {move || state.texts().available}
                </button>
                <button
                    class="choice choice--away"
                    data-testid="presence-away"
                    aria-pressed=pressed("away")
                    disabled=busy
                    on:click=move |_| {
                        command(Command::SetStatus(RequestedStatus::Away { reason: reason.get_untracked() }))
                    }
                >
                    {move || state.texts().away}
                </button>
                <button
                    class="choice choice--offline"
                    data-testid="presence-offline"
                    aria-pressed=pressed("offline")
                    disabled=busy
                    on:click=move |_| command(Command::SetStatus(RequestedStatus::Offline))
                >
                    {move || state.texts().offline}
                </button>
            </div>
            <label class="presence__reason">
                <span>{move || state.texts().away_reason_label}</span>
                <select
                    data-testid="away-reason"
                    disabled=busy
                    on:change=move |event| choose_reason(event_target_value(&event))
                >
                    {REASONS
                        .iter()
                        .map(|(option, name)| {
                            let option = *option;
                            view! {
                                <option value=*name selected=move || reason.get() == option>
                                    {move || state.texts().reason(option)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </section>
    }
}
