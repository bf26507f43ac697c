//! The record a CRM backend asked this widget to show (the server API's screen pop): name, company, number and a link to it in the CRM, until the agent closes it.

use leptos::prelude::*;

use crate::{
    controller::{Command, command},
    state::WidgetState,
};

#[component]
pub(crate) fn PushedRecordCard() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    move || {
        let record = state.pushed_record.get()?;
        let t = state.texts();
        let subtitle = record.subtitle.map(|subtitle| {
            view! { <p class="pushed-record__subtitle" data-testid="pushed-record-subtitle">{subtitle}</p> }
        });
        let number = record.number.map(|number| {
            view! { <p class="pushed-record__number tel" data-testid="pushed-record-number">{number}</p> }
        });
        // Only `https://` links reach the widget (the worker checks them); opened apart from
        // the widget, without telling the CRM page who opened it.
        let link = record.url.map(|url| {
            view! {
                <a class="pushed-record__link" data-testid="pushed-record-link" href=url
                    target="_blank" rel="noopener noreferrer">{t.record_open}</a>
            }
        });
        Some(view! {
            <section class="pushed-record" data-testid="pushed-record" aria-label=t.record_heading>
                <p class="pushed-record__heading">{t.record_heading}</p>
                <p class="pushed-record__title" data-testid="pushed-record-title">{record.title}</p>
                {subtitle}
                {number}
                <div class="pushed-record__actions">
                    {link}
                    <button
                        type="button"
                        class="btn"
                        data-testid="pushed-record-close"
                        on:click=move |_| command(Command::CloseRecord)
                    >
                        {t.record_close}
                    </button>
                </div>
            </section>
        })
    }
}
