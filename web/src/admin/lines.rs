//! Phone lines: the tenant's numbers (main, or legacy with the new number's announcement): list,
//! add, remove, and put a line on a queue (`PUT /api/admin/phone-lines/<number>` with the line as
//! read and only its `queue` changed).

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem, forms,
    http::{Body, segment},
    ignore, input,
    replies::{self, PhoneLine},
    submit, t,
};
use crate::{
    i18n::{Lang, admin_queues::queue_texts},
    state::WidgetState,
};

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
    // The tenant's queues (id, names) for each line's queue select.
    let queues = RwSignal::new(Vec::<(String, String, String)>::new());
    loading.send(
        "GET",
        "/api/admin/queues",
        Body::None,
        |v| replies::list(v, "queues", replies::queue_choice),
        move |list| queues.set(list),
    );
    let put_on_queue = move |line: PhoneLine, queue: String| {
        let path = format!("/api/admin/phone-lines/{}", segment(&line.number));
        let body = forms::line_with_queue(&line.record, &queue);
        loading.send(
            "PUT",
            &path,
            Body::Json(body.to_string()),
            |v| replies::object(v, PhoneLine::read),
            move |saved| {
                lines.update(|list| {
                    for line in list.iter_mut().filter(|line| line.number == saved.number) {
                        *line = saved.clone();
                    }
                });
            },
        );
    };
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
                let current = line.queue.clone().unwrap_or_default();
                let read = line.clone();
                view! {
                    <li class="admin__item" data-testid="admin-line" data-number=line.number.clone()>
                        <span class="tel"><b>{line.number.clone()}</b></span>
                        <span class="admin__meta">
                            {move || if line.legacy { t(state).line_legacy } else { t(state).line_main }}
                            {line.announce.clone().map(|a| format!(" · {a}"))}
                        </span>
                        <label class="admin__inline">
                            <span>{move || queue_texts(state.lang.get()).line_queue}</span>
                            <select data-testid="admin-line-queue" on:change=move |ev| put_on_queue(read.clone(), event_target_value(&ev))>
                                <option value="" selected=current.is_empty()>{move || queue_texts(state.lang.get()).no_queue}</option>
                                {move || queues.get().into_iter().map(|(id, ja, en)| {
                                    let chosen = id == current;
                                    view! { <option value=id selected=chosen>{move || if state.lang.get() == Lang::Ja { ja.clone() } else { en.clone() }}</option> }
                                }).collect_view()}
                            </select>
                        </label>
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
