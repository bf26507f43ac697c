//! The incoming offer: screen pop (caller, customer, owner, needed skills, IVR path, recent contacts) with Accept and Reject.

use leptos::prelude::*;
use tsunagu_core::{Channel, Timestamp};
use wasm_bindgen::JsValue;

use crate::{
    controller::{Command, command},
    i18n::Lang,
    state::{VoiceState, WidgetState},
};

/// A timestamp as the agent's locale writes a short date and time.
pub(crate) fn local_time(at: Timestamp, lang: Lang) -> String {
    // Unix milliseconds are exact in an f64 for the next 280,000 years.
    let date = js_sys::Date::new(&JsValue::from_f64(at.0 as f64));
    String::from(date.to_locale_string(lang.tag(), &JsValue::UNDEFINED))
}

#[component]
pub(crate) fn OfferCard() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    move || {
        let offer = state.offer.get()?;
        let t = state.texts();
        let lang = state.lang.get();
        let pop = offer.screen_pop;
        let web = offer.channel == Channel::WebCall;
        let caller = if web {
            // What the customer typed on the call page: shown as theirs, never as verified.
            let typed: Vec<&str> = [pop.caller_name.as_deref(), pop.caller_for_people()]
                .into_iter()
                .flatten()
                .collect();
            if typed.is_empty() {
                t.unknown_caller.to_owned()
            } else {
                format!("{}{}", typed.join(" "), t.web_caller_unverified)
            }
        } else {
            pop.caller_for_people()
                .map_or_else(|| t.unknown_caller.to_owned(), str::to_owned)
        };
        let customer = pop
            .customer
            .as_ref()
            .map_or_else(|| t.no_customer.to_owned(), |c| c.name.clone());
        let owner = pop
            .customer
            .as_ref()
            .and_then(|c| c.owner.as_ref())
            .map(|owner| format!("{}: {}", t.owner, state.agent_name(owner.as_str())));
        // What the line asked routing for: the agent learns what the caller needs before answering.
        let skills = (!pop.skills.is_empty()).then(|| {
            let named: Vec<String> = pop
                .skills
                .iter()
                .map(|needed| {
                    if needed.level > 1 {
                        format!(
                            "{}{}{}{}",
                            needed.skill, t.level_from, needed.level, t.level_to
                        )
                    } else {
                        needed.skill.clone()
                    }
                })
                .collect();
            format!("{}: {}", t.needs_skills, named.join(t.list_separator))
        });
        // The IVR menu's choices on the caller's way, in one line: `IVR: 請求 → 料金チーム`.
        let ivr_path = pop.ivr_path.as_ref().map(|path| {
            let path = if path.is_empty() {
                t.ivr_no_label.to_owned()
            } else {
                path.join(" → ")
            };
            format!("{}: {path}", t.ivr_path)
        });
        // The caller booked a callback: accepting dials them, nothing rings.
        let callback = pop.callback.as_ref().map(|_| t.callback_request);
        let recent = if pop.recent.is_empty() {
            view! { <li class="recent__none">{t.no_recent}</li> }.into_any()
        } else {
            pop.recent
                .iter()
                .map(|contact| {
                    let who = contact.agent.as_ref().map(|a| state.agent_name(a.as_str()));
                    view! {
                        <li>
                            <time>{local_time(contact.at, lang)}</time>
                            " · "
                            {t.channel(contact.channel)}
                            {who.map(|who| format!(" · {who}"))}
                            {contact.summary.as_deref().map(|s| t.disposition_label(s).to_owned()).map(|s| view! { <span class="recent__summary">{s}</span> })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        };
        // A web call is answered in the widget itself: no phone line has to ring first.
        let voice_ready = offer.call_sid.is_some() || web;
        let voice_hint = match (voice_ready, state.voice.get()) {
            (true, _) => None,
            (false, VoiceState::NotAvailable) => Some(t.voice_not_available),
            (false, VoiceState::Failed) => Some(t.voice_error),
            (false, VoiceState::OtherTab) => Some(t.voice_other_tab),
            (false, _) => Some(t.voice_waiting),
        };
        Some(view! {
            <section
                class="offer"
                data-testid="offer"
                data-conversation=offer.offer.interaction.as_str().to_owned()
                data-channel=offer.channel.as_str()
                data-ringtone=move || state.ringtone.get().to_string()
                aria-labelledby="offer-title"
            >
                <h2 id="offer-title" class="offer__title" role="alert">
                    {if web { t.incoming_web_call } else { t.incoming_call }}
                </h2>
                <p class=if web { "offer__caller" } else { "offer__caller tel" } data-testid="offer-caller">{caller}</p>
                <p class="offer__customer" data-testid="offer-customer">{customer}</p>
                {owner.map(|owner| view! { <p class="offer__owner" data-testid="offer-owner">{owner}</p> })}
                {skills.map(|skills| view! { <p class="offer__skills" data-testid="offer-skills">{skills}</p> })}
                {ivr_path.map(|path| view! { <p class="offer__ivr" data-testid="offer-ivr-path">{path}</p> })}
                {callback.map(|note| view! { <p class="offer__callback" data-testid="offer-callback">{note}</p> })}
                <h3 class="offer__recent-title">{t.recent}</h3>
                <ul class="recent" data-testid="offer-recent">{recent}</ul>
                <div class="offer__actions">
                    <button
                        class="btn btn--accept"
                        data-testid="offer-accept"
                        disabled=!voice_ready
                        aria-describedby="offer-voice"
                        on:click=move |_| command(Command::Accept)
                    >
                        {t.accept}
                    </button>
                    <button
                        class="btn btn--reject"
                        data-testid="offer-reject"
                        on:click=move |_| command(Command::Reject)
                    >
                        {t.reject}
                    </button>
                </div>
                <p id="offer-voice" class="offer__voice" data-testid="offer-voice">{voice_hint}</p>
            </section>
        })
    }
}
