//! The call the agent is on: who, a running timer, a call-quality warning, mute, hold, transfer, keypad and hang-up.

use std::time::Duration;

use leptos::prelude::*;
use tsunagu_protocol::PresenceStatus;

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

const KEYS: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/// `m:ss`, or `h:mm:ss` past an hour.
pub(crate) fn clock(elapsed_ms: f64) -> String {
    // Non-negative whole seconds; a call lasts hours at most.
    let secs = (elapsed_ms.max(0.0) / 1000.0) as u64;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[component]
pub(crate) fn CallPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(
        move || {
            if state.call.with_untracked(Option::is_some) {
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
    move || {
        let call = state.call.get()?;
        let t = state.texts();
        // A number (no customer on file) is one unit for line breaking: `.tel`.
        let who_class = if call.customer.is_some() {
            "call__who"
        } else {
            "call__who tel"
        };
        let who = call
            .customer
            .clone()
            .or_else(|| call.caller.clone())
            .unwrap_or_default();
        // A web call's audio is the widget's own peer connection: no phone line, no keypad,
        // no transfer, no hold (the customer's page talks to this widget only).
        let web = call.web;
        let has_line = call.call_sid.is_some() || web;
        let held = call.held;
        let started = call.started_ms;
        Some(view! {
            <section
                class="call"
                data-testid="call"
                data-held=held.to_string()
                data-channel=if web { "web_call" } else { "voice" }
                aria-labelledby="call-title"
            >
                <h2 id="call-title" class="call__title">{format!("{}: ", t.on_call)}<span class=who_class>{who}</span></h2>
                {held.then(|| view! { <p class="call__held" data-testid="call-held" role="status">{t.on_hold}</p> })}
                <p class="call__timer" data-testid="call-timer" role="timer" aria-label=t.call_time>
                    {move || clock(now.get().max(js_sys::Date::now()) - started)}
                </p>
                {move || {
                    state.call_warning.get().map(|warning| view! {
                        <p class="call__warning" role="status" data-testid="call-warning" data-kind=warning.as_str()>
                            {state.texts().call_warning(warning)}
                        </p>
                    })
                }}
                <div class="call__actions">
                    <button
                        class="btn"
                        data-testid="call-mute"
                        aria-pressed=move || state.muted.get().to_string()
                        disabled=!has_line
                        on:click=move |_| command(Command::ToggleMute)
                    >
                        {move || if state.muted.get() { state.texts().unmute } else { state.texts().mute }}
                    </button>
                    <button
                        class="btn"
                        data-testid="call-hold"
                        aria-pressed=held.to_string()
                        // Hold moves the caller off the agent's line, which the hub does only once
                        // it has heard (from Twilio) that the line is connected: until the hub says
                        // "on a call", a click would only be refused.
                        disabled=move || {
                            let connected =
                                has_line && state.status.get() == Some(PresenceStatus::OnCall);
                            !(held || connected)
                        }
                        on:click=move |_| command(Command::ToggleHold)
                    >
                        {if held { t.unhold } else { t.hold }}
                    </button>
                    <button
                        class="btn btn--reject"
                        data-testid="call-hang-up"
                        disabled=!has_line
                        on:click=move |_| command(Command::HangUp)
                    >
                        {t.hang_up}
                    </button>
                </div>
                {(!web).then(|| view! { <super::transfer::TransferPanel /> })}
                <div class="keypad" role="group" aria-label="DTMF" hidden=web>
                    {KEYS
                        .iter()
                        .map(|key| {
                            let key: &'static str = key;
                            view! {
                                <button
                                    class="keypad__key"
                                    disabled=!has_line
                                    on:click=move |_| command(Command::Digits(key))
                                >
                                    {key}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </section>
        })
    }
}
