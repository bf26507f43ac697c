//! The connection banner (who is signed in, or why not), the notice line and the phone-line state.

use leptos::prelude::*;

use crate::{
    config::{self, HostOrigin},
    controller::{Command, command},
    state::{Notice, Phase, VoiceState, WidgetState},
};

/// What to do to sign in, for a widget that is signed out: open it in the CRM, sign in there
/// (or reload), or sign in again after a refusal.
fn sign_in_hint(state: WidgetState) -> Option<&'static str> {
    if state.phase.get() != Phase::SignedOut {
        return None;
    }
    let t = state.texts();
    Some(match (config::host_origin(), state.notice.get()) {
        (HostOrigin::None, _) => t.sign_in_hint_no_host,
        (_, None | Some(Notice::NotSignedIn)) => t.sign_in_hint,
        (_, Some(_)) => t.sign_in_hint_retry,
    })
}

#[component]
pub(crate) fn Banner() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = move || {
        let t = state.texts();
        let phase = state.phase.get();
        match (phase, state.me.get()) {
            (Phase::Connected, Some(me)) => format!("{}: {}", t.signed_in_as, me.name),
            _ => phase.text(t).to_owned(),
        }
    };
    let class = move || match state.phase.get() {
        Phase::Connected => "status status--ok",
        phase if phase.is_error() => "status status--error",
        _ => "status status--wait",
    };
    let notice = move || {
        state.notice.get().map(|notice| {
            let t = state.texts();
            view! {
                <div class="notice" role="alert" data-testid="notice" data-code=notice.code()>
                    <span class="notice__text">{notice.text(t)}</span>
                    <button
                        class="notice__dismiss"
                        aria-label=t.dismiss
                        on:click=move |_| command(Command::DismissNotice)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    };
    view! {
        <p
            class=class
            role="status"
            aria-live="polite"
            data-testid="connection-status"
            data-state=move || state.phase.get().as_str()
        >
            {text}
        </p>
        {move || sign_in_hint(state).map(|hint| view! {
            <p class="status__hint" data-testid="sign-in-hint">{hint}</p>
        })}
        {notice}
    }
}

/// One line saying whether the phone line can ring, and honestly when it cannot.
#[component]
pub(crate) fn VoiceLineState() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = move || {
        let t = state.texts();
        match state.voice.get() {
            VoiceState::Off | VoiceState::Connecting => t.voice_connecting,
            VoiceState::Ready => t.voice_ready,
            VoiceState::NotAvailable => t.voice_not_available,
            VoiceState::Failed => t.voice_error,
            VoiceState::OtherTab => t.voice_other_tab,
        }
    };
    view! {
        <p class="voice-line" data-testid="voice-state" data-state=move || state.voice.get().as_str()>
            {text}
        </p>
    }
}
