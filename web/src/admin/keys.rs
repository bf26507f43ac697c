//! API keys for the CRM's backend: create (the key is shown once), list with the last use, revoke.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, checkboxes, date_time, field_errors, form_problem,
    forms::{self, API_SCOPES},
    http::{Body, segment},
    ignore, input,
    replies::{self, ApiKey},
    secret_once, submit, t,
};
use crate::state::WidgetState;

pub(super) fn view(state: WidgetState) -> AnyView {
    let keys = RwSignal::new(Vec::<ApiKey>::new());
    let loading = Form::new();
    let reload = move || {
        loading.send(
            "GET",
            "/api/admin/api-keys",
            Body::None,
            |v| replies::list(v, "api_keys", ApiKey::read),
            move |list| keys.set(list),
        );
    };
    reload();
    let revoke = move |id: String| {
        let path = format!("/api/admin/api-keys/{}", segment(&id));
        loading.send("DELETE", &path, Body::None, ignore, move |()| reload());
    };
    view! {
        {create_form(state, keys)}
        <h3>{move || t(state).section_api_keys}</h3>
        {form_problem(state, loading, &[])}
        <ul class="admin__list" data-testid="admin-api-keys">
            {move || {
                let lang = state.lang.get();
                let t = t(state);
                keys.get().into_iter().map(|key| {
                    let id = key.id.clone();
                    let used = key.last_used_at_ms.map_or_else(|| t.never_used.to_owned(), |ms| date_time(lang, ms));
                    view! {
                        <li class="admin__item" data-testid="admin-api-key" data-id=key.id.clone() data-revoked=key.revoked.to_string()>
                            <span><b>{key.name.clone()}</b> <span class="admin__meta">{format!(" ({})", key.id)}</span></span>
                            <span class="admin__meta">{key.scopes.join(", ")}</span>
                            <span class="admin__meta">
                                {format!("{} {} · {} ", t.created, date_time(lang, key.created_at_ms), t.last_used)}
                                <span data-testid="admin-api-key-used">{used}</span>
                            </span>
                            {if key.revoked {
                                view! { <span class="admin__meta" data-testid="admin-api-key-revoked">{t.revoked}</span> }.into_any()
                            } else {
                                view! {
                                    <button class="btn btn--small" data-testid="admin-api-key-revoke" on:click=move |_| revoke(id.clone())>
                                        {t.revoke}
                                    </button>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
    }
    .into_any()
}

fn create_form(state: WidgetState, keys: RwSignal<Vec<ApiKey>>) -> AnyView {
    let form = Form::new();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["conversations:read".to_owned()]);
    let secret = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Value::object([
            ("name", Value::from(name.get_untracked().trim())),
            (
                "scopes",
                forms::chosen(&API_SCOPES, &scopes.get_untracked()),
            ),
        ]);
        form.send(
            "POST",
            "/api/admin/api-keys",
            Body::Json(body.to_string()),
            |v| replies::object(v, ApiKey::read_created),
            move |(key, value)| {
                keys.update(|list| list.insert(0, key));
                name.set(String::new());
                secret.set(Some(value));
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-api-key-form" on:submit=save>
            <h3>{move || t(state).create_api_key}</h3>
            {form_problem(state, form, &["name", "scopes"])}
            {input(state, form, |t| t.key_name, "name", name)}
            <fieldset class="field">
                <legend>{move || t(state).scopes}</legend>
                {checkboxes(&API_SCOPES, scopes, "admin-scope")}
                {field_errors(state, form, "scopes")}
            </fieldset>
            {submit(state, form, |t| t.create, "admin-api-key-save")}
            {secret_once(state, secret, "admin-api-key-secret")}
        </form>
    }
    .into_any()
}
