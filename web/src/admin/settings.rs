//! The tenant's settings (`/api/admin/settings`: its name, the CRM origins allowed to embed the
//! widget, the Twilio edge, how far supervisors read the log, the live CRM lookup URL), its
//! calling and web-call settings (`calling.rs`) and its Twilio SIDs (`/api/admin/twilio`). Each
//! form replaces its resource as a whole.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{Form, field_errors, form_problem, http::Body, input, submit, t};
use crate::state::WidgetState;

/// The Twilio edges the worker accepts (`tsunagu_admin::VoiceEdge`; a native test keeps them equal).
pub(super) const VOICE_EDGES: [&str; 9] = [
    "tokyo",
    "singapore",
    "sydney",
    "ashburn",
    "umatilla",
    "dublin",
    "frankfurt",
    "sao-paulo",
    "roaming",
];

const SETTINGS_SHOWN: &[&str] = &[
    "name.ja",
    "name.en",
    "allowed_origins",
    "voice_edge",
    "supervisor_reach",
    "crm_lookup_url",
    "session_lifetime_minutes",
];

const TWILIO_SHOWN: &[&str] = &["account_sid", "api_key_sid", "twiml_app_sid"];

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Minutes for the API: a number when it reads as one, the text as typed otherwise (the worker
/// names what is wrong with it), `null` when blank (the stored value stays).
fn minutes(text: &str) -> Value {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(minutes) => Value::from(minutes),
        Err(_) if text.is_empty() => Value::Null,
        Err(_) => Value::from(text),
    }
}

/// A text field for the API: `null` when blank.
fn or_null(text: &str) -> Value {
    super::forms::optional(text).map_or(Value::Null, Value::from)
}

pub(super) fn view(state: WidgetState) -> AnyView {
    view! {
        {tenant_form(state)}
        {super::calling::calling_form(state)}
        {super::calling::web_calls_form(state)}
        {twilio_form(state)}
    }
    .into_any()
}

fn tenant_form(state: WidgetState) -> AnyView {
    let form = Form::new();
    let loaded = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let name_ja = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let edge = RwSignal::new(String::new());
    let reach = RwSignal::new(String::new());
    let lookup = RwSignal::new(String::new());
    let lifetime = RwSignal::new(String::new());
    let show = move |read: &Value| {
        let name = read.get("name").cloned().unwrap_or(Value::Null);
        name_ja.set(text(&name, "ja"));
        name_en.set(text(&name, "en"));
        origins.set(
            read.get("allowed_origins")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
        );
        edge.set(text(read, "voice_edge"));
        reach.set(text(read, "supervisor_reach"));
        lookup.set(text(read, "crm_lookup_url"));
        lifetime.set(
            read.get("session_lifetime_minutes")
                .and_then(Value::as_u64)
                .map(|minutes| minutes.to_string())
                .unwrap_or_default(),
        );
        loaded.set(true);
    };
    form.send(
        "GET",
        "/api/admin/settings",
        Body::None,
        Some,
        move |read: Value| show(&read),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let origins_text = origins.get_untracked();
        let body = Value::object([
            (
                "name",
                Value::object([
                    ("ja", Value::from(name_ja.get_untracked().trim())),
                    ("en", Value::from(name_en.get_untracked().trim())),
                ]),
            ),
            (
                "allowed_origins",
                Value::Array(
                    origins_text
                        .split(['\n', ',', ' '])
                        .map(str::trim)
                        .filter(|origin| !origin.is_empty())
                        .map(Value::from)
                        .collect(),
                ),
            ),
            ("voice_edge", Value::from(edge.get_untracked())),
            ("supervisor_reach", Value::from(reach.get_untracked())),
            ("crm_lookup_url", or_null(&lookup.get_untracked())),
            (
                "session_lifetime_minutes",
                minutes(&lifetime.get_untracked()),
            ),
        ]);
        form.send(
            "PUT",
            "/api/admin/settings",
            Body::Json(body.to_string()),
            Some,
            move |read: Value| {
                show(&read);
                saved.set(true);
            },
        );
    };
    let select = move |testid: &'static str,
                       key: &'static str,
                       value: RwSignal<String>,
                       options: Vec<(&'static str, String)>| {
        view! {
            <select data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(option, label)| view! {
                    <option value=option selected=move || value.get() == option>{label}</option>
                }).collect_view()}
            </select>
            {field_errors(state, form, key)}
        }
    };
    let fields = move || {
        let tx = t(state);
        view! {
            {input(state, form, |t| t.tenant_name_ja, "name.ja", name_ja)}
            {input(state, form, |t| t.tenant_name_en, "name.en", name_en)}
            <label class="field">
                <span>{move || t(state).allowed_origins}</span>
                <textarea data-testid="admin-settings-origins" rows="3" placeholder="https://crm.example.jp"
                    prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
                {field_errors(state, form, "allowed_origins")}
            </label>
            <label class="field">
                <span>{move || t(state).voice_edge}</span>
                {select("admin-settings-edge", "voice_edge", edge, VOICE_EDGES.iter().map(|e| (*e, (*e).to_owned())).collect())}
            </label>
            <label class="field">
                <span>{move || t(state).supervisor_reach}</span>
                {select("admin-settings-reach", "supervisor_reach", reach,
                    vec![("teams", tx.reach_teams.to_owned()), ("tenant", tx.reach_tenant.to_owned())])}
            </label>
            {input(state, form, |t| t.crm_lookup_url, "crm_lookup_url", lookup)}
            {input(state, form, |t| t.session_lifetime, "session_lifetime_minutes", lifetime)}
            {submit(state, form, |t| t.save, "admin-settings-save")}
        }
    };
    view! {
        <form class="admin__form" data-testid="admin-settings-form" data-loaded=move || loaded.get().to_string() on:submit=save>
            <h3>{move || t(state).section_settings}</h3>
            {form_problem(state, form, SETTINGS_SHOWN)}
            <Show when=move || loaded.get() fallback=|| view! { <p class="admin__meta">"…"</p> }>{fields()}</Show>
            {move || saved.get().then(|| view! { <p class="admin__meta" role="status" data-testid="admin-settings-saved">{move || t(state).saved}</p> })}
        </form>
    }
    .into_any()
}

fn twilio_form(state: WidgetState) -> AnyView {
    let form = Form::new();
    let saved = RwSignal::new(false);
    let account = RwSignal::new(String::new());
    let api_key = RwSignal::new(String::new());
    let app = RwSignal::new(String::new());
    let show = move |read: &Value| {
        account.set(text(read, "account_sid"));
        api_key.set(text(read, "api_key_sid"));
        app.set(text(read, "twiml_app_sid"));
    };
    form.send(
        "GET",
        "/api/admin/twilio",
        Body::None,
        Some,
        move |read: Value| show(&read),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let body = Value::object([
            ("account_sid", or_null(&account.get_untracked())),
            ("api_key_sid", or_null(&api_key.get_untracked())),
            ("twiml_app_sid", or_null(&app.get_untracked())),
        ]);
        form.send(
            "PUT",
            "/api/admin/twilio",
            Body::Json(body.to_string()),
            Some,
            move |read: Value| {
                show(&read);
                saved.set(true);
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-twilio-form" on:submit=save>
            <h3>{move || t(state).twilio_account}</h3>
            <p class="admin__meta">{move || t(state).twilio_hint}</p>
            {form_problem(state, form, TWILIO_SHOWN)}
            {input(state, form, |t| t.account_sid, "account_sid", account)}
            {input(state, form, |t| t.api_key_sid, "api_key_sid", api_key)}
            {input(state, form, |t| t.twiml_app_sid, "twiml_app_sid", app)}
            {submit(state, form, |t| t.save, "admin-twilio-save")}
            {move || saved.get().then(|| view! { <p class="admin__meta" role="status" data-testid="admin-twilio-saved">{move || t(state).saved}</p> })}
        </form>
    }
    .into_any()
}
