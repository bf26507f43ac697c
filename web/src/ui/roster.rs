//! The tenant's roster: who is available, away or on a call, the agent first.

use leptos::prelude::*;

use super::status_kind;
use crate::state::WidgetState;

#[component]
pub(crate) fn Roster() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let rows = move || {
        let t = state.texts();
        let me = state.me.get().map(|me| me.agent).unwrap_or_default();
        let mut roster = state.roster.get();
        roster.sort_by(|a, b| {
            (a.agent.as_str() != me, &a.name).cmp(&(b.agent.as_str() != me, &b.name))
        });
        if roster.is_empty() {
            return view! { <li class="roster__empty">{t.roster_empty}</li> }.into_any();
        }
        roster
            .into_iter()
            .map(|entry| {
                let kind = status_kind(entry.status);
                let you = (entry.agent.as_str() == me).then_some(t.you);
                view! {
                    <li class="roster__row" data-agent=entry.agent.as_str().to_owned() data-status=kind>
                        <span class=format!("dot dot--{kind}") aria-hidden="true"></span>
                        <span class="roster__name">{entry.name}{you}</span>
                        <span class="roster__status">{t.status(entry.status)}</span>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="roster" aria-labelledby="roster-title">
            <h2 id="roster-title" class="roster__title">{move || state.texts().roster_label}</h2>
            <ul class="roster__list" data-testid="roster">{rows}</ul>
        </section>
    }
}
