//! The calling settings (`/api/admin/calling`: 発信ルール, dialling from the host page, the
//! sign-in status, the wrap-up time) and the web-call settings (`/api/admin/web-calls`: the
//! "call us" page's limits and its Turnstile site key), each form replacing its resource whole.
//! Shown with the tenant's settings; the worker's refusals appear beside their fields.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem,
    forms::{CallingForm, SIGN_IN_STATUSES, WebCallsForm},
    http::Body,
    submit, t,
};
use crate::{
    i18n::admin_settings::{SettingsTexts, settings_texts},
    state::WidgetState,
};

const CALLING_SHOWN: &[&str] = &[
    "dial_policy.allowed_countries",
    "dial_policy.allowed_numbers",
    "dial_policy.max_calls_per_agent",
    "dial_policy.rate_window_secs",
    "dial_policy.max_concurrent_outbound",
    "sign_in_status",
    "wrap_up_secs",
];

const WEB_CALLS_SHOWN: &[&str] = &[
    "max_web_calls",
    "max_web_calls_per_address",
    "web_call_start_within_secs",
    "max_web_queue_wait_secs",
    "max_web_call_length_minutes",
    "turnstile_site_key",
];

/// These forms' strings in the agent's language (reactive).
fn s(state: WidgetState) -> &'static SettingsTexts {
    settings_texts(state.lang.get())
}

/// A labelled text input bound to `value`, with its field's errors under it (the admin's
/// `input`, for this module's strings).
fn input(
    state: WidgetState,
    form: Form,
    label: fn(&SettingsTexts) -> &'static str,
    key: &'static str,
    value: RwSignal<String>,
) -> AnyView {
    view! {
        <label class="field">
            <span>{move || label(s(state))}</span>
            <input
                data-testid=format!("admin-input-{key}")
                aria-invalid=move || form.errors.with(|e| e.iter().any(|e| e.is_about(key))).to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {field_errors(state, form, key)}
        </label>
    }
    .into_any()
}

/// A labelled checkbox bound to `on`.
fn check(
    state: WidgetState,
    label: fn(&SettingsTexts) -> &'static str,
    testid: &'static str,
    on: RwSignal<bool>,
) -> AnyView {
    view! {
        <label class="admin__check">
            <input type="checkbox" data-testid=testid prop:checked=move || on.get()
                on:change=move |ev| on.set(super::js::checked(&ev)) />
            <span>{move || label(s(state))}</span>
        </label>
    }
    .into_any()
}

/// "Saved." under a form once its last save succeeded.
fn saved_note(state: WidgetState, saved: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    move || {
        saved.get().then(|| {
            view! { <p class="admin__meta" role="status" data-testid=testid>{move || t(state).saved}</p> }
        })
    }
}

pub(super) fn calling_form(state: WidgetState) -> AnyView {
    let form = Form::new();
    let loaded = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let countries = RwSignal::new(String::new());
    let supervisors_only = RwSignal::new(false);
    let numbers = RwSignal::new(String::new());
    let per_agent = RwSignal::new(String::new());
    let window = RwSignal::new(String::new());
    let concurrent = RwSignal::new(String::new());
    let direct_dial = RwSignal::new(false);
    let sign_in = RwSignal::new(String::new());
    let wrap_up = RwSignal::new(String::new());
    let show = move |read: &Value| {
        let shown = CallingForm::from_json(read);
        countries.set(shown.countries);
        supervisors_only.set(shown.countries_for_supervisors_only);
        numbers.set(shown.numbers);
        per_agent.set(shown.max_calls_per_agent);
        window.set(shown.rate_window_secs);
        concurrent.set(shown.max_concurrent_outbound);
        direct_dial.set(shown.direct_dial_from_host);
        sign_in.set(shown.sign_in_status);
        wrap_up.set(shown.wrap_up_secs);
        loaded.set(true);
    };
    form.send(
        "GET",
        "/api/admin/calling",
        Body::None,
        Some,
        move |read: Value| show(&read),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let typed = CallingForm {
            countries: countries.get_untracked(),
            countries_for_supervisors_only: supervisors_only.get_untracked(),
            numbers: numbers.get_untracked(),
            max_calls_per_agent: per_agent.get_untracked(),
            rate_window_secs: window.get_untracked(),
            max_concurrent_outbound: concurrent.get_untracked(),
            direct_dial_from_host: direct_dial.get_untracked(),
            sign_in_status: sign_in.get_untracked(),
            wrap_up_secs: wrap_up.get_untracked(),
        };
        form.send(
            "PUT",
            "/api/admin/calling",
            Body::Json(typed.to_body().to_string()),
            Some,
            move |read: Value| {
                show(&read);
                saved.set(true);
            },
        );
    };
    let fields = move || {
        view! {
            <p class="admin__meta">{move || s(state).calling_hint}</p>
            <fieldset class="admin__try">
                <legend>{move || s(state).dial_rules}</legend>
                {input(state, form, |s| s.allowed_countries, "dial_policy.allowed_countries", countries)}
                {check(state, |s| s.countries_for_supervisors_only, "admin-calling-supervisors-only", supervisors_only)}
                <label class="field">
                    <span>{move || s(state).allowed_numbers}</span>
                    <textarea data-testid="admin-input-dial_policy.allowed_numbers" rows="2"
                        prop:value=move || numbers.get() on:input=move |ev| numbers.set(event_target_value(&ev))></textarea>
                    {field_errors(state, form, "dial_policy.allowed_numbers")}
                </label>
                {input(state, form, |s| s.max_calls_per_agent, "dial_policy.max_calls_per_agent", per_agent)}
                {input(state, form, |s| s.rate_window, "dial_policy.rate_window_secs", window)}
                {input(state, form, |s| s.max_concurrent_outbound, "dial_policy.max_concurrent_outbound", concurrent)}
            </fieldset>
            {check(state, |s| s.direct_dial, "admin-calling-direct-dial", direct_dial)}
            <label class="field">
                <span>{move || s(state).sign_in_status}</span>
                <select data-testid="admin-calling-sign-in" on:change=move |ev| sign_in.set(event_target_value(&ev))>
                    {SIGN_IN_STATUSES.iter().enumerate().map(|(index, status)| view! {
                        <option value=*status selected=move || sign_in.get() == *status>
                            {move || s(state).sign_in_statuses[index]}
                        </option>
                    }).collect_view()}
                </select>
                {field_errors(state, form, "sign_in_status")}
            </label>
            {input(state, form, |s| s.wrap_up, "wrap_up_secs", wrap_up)}
            {submit(state, form, |t| t.save, "admin-calling-save")}
        }
    };
    view! {
        <form class="admin__form" data-testid="admin-calling-form" data-loaded=move || loaded.get().to_string() on:submit=save>
            <h3>{move || s(state).calling}</h3>
            {form_problem(state, form, CALLING_SHOWN)}
            <Show when=move || loaded.get() fallback=|| view! { <p class="admin__meta">"…"</p> }>{fields()}</Show>
            {saved_note(state, saved, "admin-calling-saved")}
        </form>
    }
    .into_any()
}

pub(super) fn web_calls_form(state: WidgetState) -> AnyView {
    let form = Form::new();
    let loaded = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let max_calls = RwSignal::new(String::new());
    let per_address = RwSignal::new(String::new());
    let start_within = RwSignal::new(String::new());
    let queue_wait = RwSignal::new(String::new());
    let call_length = RwSignal::new(String::new());
    let site_key = RwSignal::new(String::new());
    let secret_missing = RwSignal::new(false);
    let show = move |read: &Value| {
        let shown = WebCallsForm::from_json(read);
        max_calls.set(shown.max_web_calls);
        per_address.set(shown.max_web_calls_per_address);
        start_within.set(shown.start_within_secs);
        queue_wait.set(shown.queue_wait_secs);
        call_length.set(shown.call_length_minutes);
        site_key.set(shown.site_key);
        secret_missing.set(shown.secret_missing);
        loaded.set(true);
    };
    form.send(
        "GET",
        "/api/admin/web-calls",
        Body::None,
        Some,
        move |read: Value| show(&read),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let typed = WebCallsForm {
            max_web_calls: max_calls.get_untracked(),
            max_web_calls_per_address: per_address.get_untracked(),
            start_within_secs: start_within.get_untracked(),
            queue_wait_secs: queue_wait.get_untracked(),
            call_length_minutes: call_length.get_untracked(),
            site_key: site_key.get_untracked(),
            secret_missing: false,
        };
        form.send(
            "PUT",
            "/api/admin/web-calls",
            Body::Json(typed.to_body().to_string()),
            Some,
            move |read: Value| {
                show(&read);
                saved.set(true);
            },
        );
    };
    let fields = move || {
        view! {
            <p class="admin__meta">{move || s(state).web_calls_hint}</p>
            {input(state, form, |s| s.max_web_calls, "max_web_calls", max_calls)}
            {input(state, form, |s| s.per_address, "max_web_calls_per_address", per_address)}
            {input(state, form, |s| s.start_within, "web_call_start_within_secs", start_within)}
            {input(state, form, |s| s.queue_wait, "max_web_queue_wait_secs", queue_wait)}
            {input(state, form, |s| s.call_length, "max_web_call_length_minutes", call_length)}
            {input(state, form, |s| s.site_key, "turnstile_site_key", site_key)}
            {move || secret_missing.get().then(|| view! {
                <p class="notice" role="alert" data-testid="admin-web-calls-secret-missing">{move || s(state).secret_missing}</p>
            })}
            {submit(state, form, |t| t.save, "admin-web-calls-save")}
        }
    };
    view! {
        <form class="admin__form" data-testid="admin-web-calls-form" data-loaded=move || loaded.get().to_string() on:submit=save>
            <h3>{move || s(state).web_calls}</h3>
            {form_problem(state, form, WEB_CALLS_SHOWN)}
            <Show when=move || loaded.get() fallback=|| view! { <p class="admin__meta">"…"</p> }>{fields()}</Show>
            {saved_note(state, saved, "admin-web-calls-saved")}
        </form>
    }
    .into_any()
}
