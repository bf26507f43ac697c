//! The call's transfer form: a free colleague, one of the agent's teams, or an outside number.
//!
//! A feature module: the button is part of the phone, the form is downloaded the first time an
//! agent opens it (`#[lazy]`, split out by `cargo xtask build`; see ARCHITECTURE.md).

use leptos::prelude::*;
use tsunagu_protocol::{PresenceStatus, TransferTo};

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

#[component]
pub(crate) fn TransferPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let open = RwSignal::new(false);
    // While the form is open the socket hears every colleague's presence, not only the
    // agent's teams (the server fans presence out by team); closed, it narrows again.
    Effect::watch(
        move || open.get(),
        |open, _, _| command(Command::WatchRoster(*open)),
        false,
    );
    on_cleanup(move || {
        if open.get_untracked() {
            command(Command::WatchRoster(false));
        }
    });
    view! {
        <button
            class="btn"
            data-testid="call-transfer"
            aria-expanded=move || open.get().to_string()
            aria-controls="transfer-form"
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {move || state.texts().transfer}
        </button>
        <Show when=move || open.get()>
            <Suspense fallback=|| ()>
                // A module that cannot be downloaded (offline): the button closes again, so
                // the agent can retry; the call goes on.
                {move || Suspend::new(async move {
                    transfer_form(state, open).await.unwrap_or_else(|_| {
                        open.set(false);
                        ().into_any()
                    })
                })}
            </Suspense>
        </Show>
    }
}

/// The open form; its own wasm module, fetched once on first use (`fallible`: a failed download
/// is an error here, not a panic).
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(tsunagu_transfer_form, wasm_split_path = ::leptos::wasm_split, fallible)]
fn transfer_form(
    state: WidgetState,
    open: RwSignal<bool>,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(form(state, open))
}

/// Component tests run an unsplit wasm (no link module to load from): the form is called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
async fn transfer_form(
    state: WidgetState,
    open: RwSignal<bool>,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(form(state, open))
}

fn form(state: WidgetState, open: RwSignal<bool>) -> AnyView {
    let number = RwSignal::new(String::new());
    let transfer = move |to: TransferTo| {
        command(Command::Transfer(to));
        open.set(false);
    };
    // Colleagues who are free now, by name; the agent's own entry is not a target.
    let free_colleagues = move || {
        let me = state.me.with(|me| me.as_ref().map(|me| me.agent.clone()));
        state.roster.with(|roster| {
            roster
                .iter()
                .filter(|a| a.status == PresenceStatus::Available)
                .filter(|a| Some(a.agent.as_str()) != me.as_deref())
                .map(|a| (a.agent.clone(), a.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div id="transfer-form" class="transfer" data-testid="transfer-form" role="group"
            aria-label=move || state.texts().transfer>
            <h3 class="transfer__heading">{move || state.texts().transfer_to_agent}</h3>
            <ul class="transfer__list">
                {move || {
                    let colleagues = free_colleagues();
                    if colleagues.is_empty() {
                        return view! { <li class="muted">{state.texts().transfer_no_one_free}</li> }
                            .into_any();
                    }
                    colleagues
                        .into_iter()
                        .map(|(agent, name)| {
                            let id = agent.as_str().to_owned();
                            view! {
                                <li>
                                    <button
                                        class="btn btn--small"
                                        data-testid="transfer-agent"
                                        data-agent=id
                                        on:click=move |_| transfer(TransferTo::Agent { agent: agent.clone() })
                                    >
                                        {name}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <Show when=move || state.teams.with(|t| !t.is_empty())>
                <h3 class="transfer__heading">{move || state.texts().transfer_to_team}</h3>
                <ul class="transfer__list">
                    {move || {
                        state
                            .teams
                            .get()
                            .into_iter()
                            .map(|team| {
                                let label = team.as_str().to_owned();
                                let data_team = label.clone();
                                view! {
                                    <li>
                                        <button
                                            class="btn btn--small"
                                            data-testid="transfer-team"
                                            data-team=data_team
                                            on:click=move |_| transfer(TransferTo::Team { team: team.clone() })
                                        >
                                            {label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <form
                class="transfer__number"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let typed = number.get_untracked();
                    if !typed.trim().is_empty() {
                        transfer(TransferTo::Number { number: typed.trim().to_owned() });
                        number.set(String::new());
                    }
                }
            >
                <label class="field">
                    <span>{move || state.texts().transfer_to_number}</span>
                    <input
                        type="tel"
                        inputmode="tel"
                        data-testid="transfer-number"
                        placeholder=move || state.texts().transfer_number_placeholder
                        prop:value=move || number.get()
                        on:input=move |ev| number.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="btn btn--small" data-testid="transfer-number-go">
                    {move || state.texts().transfer_go}
                </button>
            </form>
        </div>
    }
    .into_any()
}
