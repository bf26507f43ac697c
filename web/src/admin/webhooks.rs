//! CRM webhooks: create (the signing secret is shown once), list, delete, each one's delivery log
//! and the redelivery of a dead letter.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, checkboxes, date_time, field_errors, form_problem,
    forms::{self, WEBHOOK_EVENTS},
    http::{Body, segment},
    ignore, input,
    replies::{self, Delivery, Webhook},
    secret_once, submit, t,
};
use crate::state::WidgetState;

pub(super) fn view(state: WidgetState) -> AnyView {
    let hooks = RwSignal::new(Vec::<Webhook>::new());
    let loading = Form::new();
    loading.send(
        "GET",
        "/api/admin/webhooks",
        Body::None,
        |v| replies::list(v, "webhooks", Webhook::read),
        move |list| hooks.set(list),
    );
    let remove = move |id: String| {
        let path = format!("/api/admin/webhooks/{}", segment(&id));
        loading.send("DELETE", &path, Body::None, ignore, move |()| {
            hooks.update(|list| list.retain(|hook| hook.id != id));
        });
    };
    view! {
        {create_form(state, hooks)}
        <h3>{move || t(state).section_webhooks}</h3>
        {form_problem(state, loading, &[])}
        <ul class="admin__list" data-testid="admin-webhooks">
            {move || hooks.get().into_iter().map(|hook| {
                let id = hook.id.clone();
                let open = RwSignal::new(false);
                view! {
                    <li class="admin__item" data-testid="admin-webhook" data-id=hook.id>
                        <span><b>{hook.url.clone()}</b></span>
                        {hook.description.clone().map(|d| view! { <span>{d}</span> })}
                        <span class="admin__meta">{hook.events.join(", ")}</span>
                        <div class="admin__row">
                            <button class="btn btn--small" data-testid="admin-webhook-log" aria-expanded=move || open.get().to_string()
                                on:click=move |_| open.update(|o| *o = !*o)>
                                {move || t(state).delivery_log}
                            </button>
                            <button class="btn btn--small" data-testid="admin-webhook-remove" on:click={
                                let id = id.clone();
                                move |_| remove(id.clone())
                            }>
                                {move || t(state).remove}
                            </button>
                        </div>
                        <Show when=move || open.get()>
                            {deliveries(state, &id)}
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn deliveries(state: WidgetState, webhook: &str) -> AnyView {
    let form = Form::new();
    let log = RwSignal::new(None::<Vec<Delivery>>);
    let path = format!("/api/admin/webhooks/{}/deliveries", segment(webhook));
    form.send(
        "GET",
        &path,
        Body::None,
        |v| replies::list(v, "deliveries", Delivery::read),
        move |list| log.set(Some(list)),
    );
    let redeliver = move |id: String| {
        let path = format!("/api/admin/webhooks/deliveries/{}/redeliver", segment(&id));
        form.send(
            "POST",
            &path,
            Body::None,
            |v| replies::object(v, Delivery::read),
            move |done| {
                log.update(|list| {
                    if let Some(slot) = list.iter_mut().flatten().find(|d| d.id == done.id) {
                        *slot = done;
                    }
                });
            },
        );
    };
    view! {
        <div data-testid="admin-deliveries">
            {form_problem(state, form, &[])}
            {move || {
                let lang = state.lang.get();
                let t = t(state);
                log.get().map(|list| {
                    if list.is_empty() {
                        return view! { <p class="admin__meta">{t.no_deliveries}</p> }.into_any();
                    }
                    view! {
                        <table class="admin__report">
                            <thead><tr><th>{t.event}</th><th>{t.status}</th><th>{t.attempts}</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|delivery| {
                                    let id = delivery.id.clone();
                                    let dead = delivery.is_dead();
                                    view! {
                                        <tr data-testid="admin-delivery" data-id=delivery.id.clone() data-status=delivery.status>
                                            <td>{delivery.event_type.clone()} <br/> <span class="admin__meta">{date_time(lang, delivery.created_at_ms)}</span></td>
                                            <td>{t.delivery_status(&delivery.status).to_owned()} {delivery.last_error.clone().map(|e| view! { <br/> <span class="admin__meta">{e}</span> })}</td>
                                            <td>{delivery.attempts.to_string()}</td>
                                            <td>{dead.then(|| view! {
                                                <button class="btn btn--small" data-testid="admin-redeliver" on:click=move |_| redeliver(id.clone())>
                                                    {t.redeliver}
                                                </button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                })
            }}
        </div>
    }
    .into_any()
}

fn create_form(state: WidgetState, hooks: RwSignal<Vec<Webhook>>) -> AnyView {
    let form = Form::new();
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let events = RwSignal::new(
        WEBHOOK_EVENTS
            .iter()
            .map(|e| (*e).to_owned())
            .collect::<Vec<_>>(),
    );
    let secret = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Value::object([
            ("url", Value::from(url.get_untracked().trim())),
            (
                "events",
                forms::chosen(&WEBHOOK_EVENTS, &events.get_untracked()),
            ),
            (
                "description",
                Value::from(forms::optional(&description.get_untracked())),
            ),
        ]);
        form.send(
            "POST",
            "/api/admin/webhooks",
            Body::Json(body.to_string()),
            |v| replies::object(v, Webhook::read_created),
            move |(hook, value)| {
                hooks.update(|list| list.insert(0, hook));
                url.set(String::new());
                description.set(String::new());
                secret.set(Some(value));
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-webhook-form" on:submit=save>
            <h3>{move || t(state).create_webhook}</h3>
            {form_problem(state, form, &["url", "events", "description"])}
            {input(state, form, |t| t.webhook_url, "url", url)}
            <fieldset class="field">
                <legend>{move || t(state).events}</legend>
                {checkboxes(&WEBHOOK_EVENTS, events, "admin-event")}
                {field_errors(state, form, "events")}
            </fieldset>
            {input(state, form, |t| t.description, "description", description)}
            {submit(state, form, |t| t.create, "admin-webhook-save")}
            {secret_once(state, secret, "admin-webhook-secret")}
        </form>
    }
    .into_any()
}
