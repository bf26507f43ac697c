//! Phone lines: the tenant's numbers (main, or legacy with the new number's announcement): list,
//! add, remove.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem, forms,
    http::{Body, segment},
    ignore, input,
    replies::{self, PhoneLine},
    submit, t,
};
use crate::state::WidgetState;

pub(super) fn view(state: WidgetState) -> AnyView {
    let lines = RwSignal::new(Vec::<PhoneLine>::new());
    let loading = Form::new();
    loading.send(
        "GET",
        "/api/admin/phone-lines",
        Body::None,
        |v| replies::list(v, "phone_lines", PhoneLine::read),
        move |list| lines.set(list),
    );
    let remove = move |number: String| {
        let path = format!("/api/admin/phone-lines/{}", segment(&number));
        loading.send("DELETE", &path, Body::None, ignore, move |()| {
            lines.update(|list| list.retain(|line| line.number != number));
        });
    };
    view! {
        <h3>{move || t(state).section_lines}</h3>
        {form_problem(state, loading, &[])}
        <ul class="admin__list" data-testid="admin-lines">
            {move || lines.get().into_iter().map(|line| {
                let number = line.number.clone();
                view! {
                    <li class="admin__item" data-testid="admin-line" data-number=line.number.clone()>
                        <span class="tel"><b>{line.number.clone()}</b></span>
                        <span class="admin__meta">
                            {move || if line.legacy { t(state).line_legacy } else { t(state).line_main }}
                            {line.announce.clone().map(|a| format!(" · {a}"))}
                        </span>
                        <button class="btn btn--small" data-testid="admin-line-remove" on:click=move |_| remove(number.clone())>
                            {move || t(state).remove}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
        {add_form(state, lines)}
    }
    .into_any()
}

fn add_form(state: WidgetState, lines: RwSignal<Vec<PhoneLine>>) -> AnyView {
    let form = Form::new();
    let number = RwSignal::new(String::new());
    let legacy = RwSignal::new(false);
    let announce = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_legacy = legacy.get_untracked();
        let announce_text = announce.get_untracked();
        let body = Value::object([
            ("number", Value::from(number.get_untracked().trim())),
            (
                "kind",
                Value::from(if is_legacy { "legacy" } else { "main" }),
            ),
            (
                "announce",
                Value::from(forms::optional(&announce_text).filter(|_| is_legacy)),
            ),
        ]);
        form.send(
            "POST",
            "/api/admin/phone-lines",
            Body::Json(body.to_string()),
            |v| replies::object(v, PhoneLine::read),
            move |line| {
                lines.update(|list| list.push(line));
                number.set(String::new());
                announce.set(String::new());
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-line-form" on:submit=save>
            <h3>{move || t(state).add_line}</h3>
            {form_problem(state, form, &["number", "kind", "announce"])}
            {input(state, form, |t| t.phone, "number", number)}
            <label class="field">
                <span>{move || t(state).line_kind}</span>
                <select data-testid="admin-input-kind" on:change=move |ev| legacy.set(event_target_value(&ev) == "legacy")>
                    <option value="main" selected=move || !legacy.get()>{move || t(state).line_main}</option>
                    <option value="legacy" selected=move || legacy.get()>{move || t(state).line_legacy}</option>
                </select>
                {field_errors(state, form, "kind")}
            </label>
            <Show when=move || legacy.get()>
                {input(state, form, |t| t.announce, "announce", announce)}
            </Show>
            {submit(state, form, |t| t.add, "admin-line-save")}
        </form>
    }
    .into_any()
}
