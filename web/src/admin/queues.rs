//! Queues (`/api/admin/queues`): the tenant's queues listed in words (whom each rings, its
//! longest wait, its overflow, its callback key), and one form to create or edit a queue
//! (`PUT /api/admin/queues/<id>`) with the worker's refusals beside their fields; delete (a
//! queue in use is refused, and the refusal shown). A queue's hours stay API-only.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem,
    forms::{CALLBACK_KEYS, OVERFLOWS, QueueForm, WHOM},
    http::{Body, segment},
    ignore, submit, t,
};
use crate::{
    i18n::{
        Lang,
        admin_queues::{QueueTexts, queue_texts},
    },
    state::WidgetState,
};

/// The fields whose errors show beside them; the rest (hours, after-hours) show atop the form.
const SHOWN: &[&str] = &[
    "id",
    "name.ja",
    "name.en",
    "ladder",
    "max_wait",
    "overflow",
    "hold_music_url",
    "callback_digit",
    "required_skills",
    "priority",
];

/// The queue strings in the agent's language (reactive).
pub(super) fn q(state: WidgetState) -> &'static QueueTexts {
    queue_texts(state.lang.get())
}

fn place(list: &[&str], item: &str) -> usize {
    list.iter()
        .position(|known| *known == item)
        .unwrap_or_default()
}

/// Whom a listed queue rings, in words.
fn rings_in_words(texts: &QueueTexts, form: &QueueForm) -> String {
    let whom = texts.whom[place(&WHOM, &form.whom)];
    match form.whom.as_str() {
        "team" => format!(
            "{whom} {} ({}{})",
            form.team, form.ring_seconds, texts.seconds
        ),
        "anyone" => format!("{whom} ({}{})", form.ring_seconds, texts.seconds),
        "kept" => texts.stored_rungs.to_owned(),
        _ => whom.to_owned(),
    }
}

/// A listed queue's overflow, in words.
fn overflow_in_words(texts: &QueueTexts, form: &QueueForm) -> String {
    let action = texts.overflows[place(&OVERFLOWS, &form.overflow)];
    match form.overflow.as_str() {
        "queue" => format!("{action}: {}", form.overflow_queue),
        "forward" => format!("{action}: {}", form.forward_numbers),
        "voicemail" => format!("{action} ({}{})", form.voicemail_seconds, texts.seconds),
        _ => action.to_owned(),
    }
}

/// The draft's field that `field` points at (one accessor serves reading and writing: the copy
/// it is read from is a few short strings).
fn read(draft: RwSignal<QueueForm>, field: fn(&mut QueueForm) -> &mut String) -> String {
    draft.with(|d| field(&mut d.clone()).clone())
}

/// A text input of the draft queue, with its field's errors under it.
fn text_field(
    state: WidgetState,
    form: Form,
    draft: RwSignal<QueueForm>,
    label: fn(&QueueTexts) -> &'static str,
    key: &'static str,
    field: fn(&mut QueueForm) -> &mut String,
) -> AnyView {
    view! {
        <label class="field">
            <span>{move || label(q(state))}</span>
            <input
                data-testid=format!("admin-queue-{key}")
                aria-invalid=move || form.errors.with(|e| e.iter().any(|e| e.is_about(key))).to_string()
                prop:value=move || read(draft, field)
                on:input=move |ev| draft.update(|d| *field(d) = event_target_value(&ev))
            />
            {field_errors(state, form, key)}
        </label>
    }
    .into_any()
}

/// A select of the draft queue over `values`, each labelled by `labels`.
fn select(
    state: WidgetState,
    draft: RwSignal<QueueForm>,
    testid: &'static str,
    values: &'static [&'static str],
    labels: fn(&QueueTexts, usize) -> &'static str,
    field: fn(&mut QueueForm) -> &mut String,
) -> AnyView {
    view! {
        <select data-testid=testid on:change=move |ev| draft.update(|d| *field(d) = event_target_value(&ev))>
            {values.iter().enumerate().map(|(index, value)| view! {
                <option value=*value selected=move || read(draft, field) == *value>
                    {move || labels(q(state), index)}
                </option>
            }).collect_view()}
        </select>
    }
    .into_any()
}

pub(super) fn view(state: WidgetState) -> AnyView {
    let queues = RwSignal::new(Vec::<Value>::new());
    let listing = Form::new();
    let load = move || {
        listing.send(
            "GET",
            "/api/admin/queues",
            Body::None,
            |v| match v.get("queues") {
                Some(Value::Array(list)) => Some(list.clone()),
                _ => None,
            },
            move |list| queues.set(list),
        );
    };
    load();
    let form = Form::new();
    let draft = RwSignal::new(QueueForm::new_queue());
    // Whether the draft is a stored queue (its id fixed) or a new one.
    let stored = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let has_stored = Memo::new(move |_| draft.with(|d| d.kept_ladder.is_some()));
    let edit = move |queue: &Value| {
        form.clear();
        saved.set(false);
        draft.set(QueueForm::from_json(queue));
        stored.set(true);
    };
    let remove = move |id: String| {
        let path = format!("/api/admin/queues/{}", segment(&id));
        listing.send("DELETE", &path, Body::None, ignore, move |()| load());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let typed = draft.get_untracked();
        let body = match typed.to_body() {
            Ok(body) => body,
            Err(errors) => {
                form.errors.set(errors);
                return;
            }
        };
        let path = format!("/api/admin/queues/{}", segment(typed.id.trim()));
        form.send(
            "PUT",
            &path,
            Body::Json(body.to_string()),
            Some,
            move |read: Value| {
                draft.set(QueueForm::from_json(&read));
                stored.set(true);
                saved.set(true);
                load();
            },
        );
    };
    let row = move |queue: Value| {
        let shown = QueueForm::from_json(&queue);
        let id = shown.id.clone();
        let remove_id = id.clone();
        let shown_id = id.clone();
        let words = shown.clone();
        let max_wait = shown.max_wait_seconds.clone();
        let callback = shown.callback_digit.clone();
        view! {
            <li class="admin__item" data-testid="admin-queue" data-id=id>
                <b>{move || if state.lang.get() == Lang::Ja { shown.name_ja.clone() } else { shown.name_en.clone() }}</b>
                <code class="admin__meta">{shown_id}</code>
                <span class="admin__meta" data-testid="admin-queue-words">
                    {move || {
                        let texts = q(state);
                        let wait = if max_wait.is_empty() { texts.tenants.to_owned() } else { format!("{max_wait}{}", texts.seconds) };
                        let key = if callback.is_empty() { texts.none } else { callback.as_str() };
                        format!(
                            "{} · {}: {wait} · {}: {} · {}: {key}",
                            rings_in_words(texts, &words),
                            texts.longest_wait,
                            texts.overflow,
                            overflow_in_words(texts, &words),
                            texts.callback_key,
                        )
                    }}
                </span>
                <button type="button" class="btn btn--small" data-testid="admin-queue-edit" on:click=move |_| edit(&queue)>
                    {move || t(state).edit}
                </button>
                <button type="button" class="btn btn--small" data-testid="admin-queue-remove" on:click=move |_| remove(remove_id.clone())>
                    {move || t(state).remove}
                </button>
            </li>
        }
    };
    let is = move |key: &'static str, value: &'static str| {
        move || {
            draft.with(|d| match key {
                "whom" => d.whom == value,
                _ => d.overflow == value,
            })
        }
    };
    view! {
        <h3>{move || t(state).section_queues}</h3>
        <p class="admin__meta" data-testid="admin-queues-help">{move || q(state).help}</p>
        {form_problem(state, listing, &[])}
        <ul class="admin__list" data-testid="admin-queues">
            {move || queues.get().into_iter().map(row).collect_view()}
        </ul>
        <button type="button" class="btn btn--small" data-testid="admin-queue-new" on:click=move |_| {
            form.clear();
            saved.set(false);
            stored.set(false);
            draft.set(QueueForm::new_queue());
        }>
            {move || q(state).new_queue}
        </button>
        <form class="admin__form" data-testid="admin-queue-form" data-stored=move || stored.get().to_string() on:submit=save>
            <h3>{move || if stored.get() { draft.with(|d| d.id.clone()) } else { q(state).new_queue.to_owned() }}</h3>
            {form_problem(state, form, SHOWN)}
            <Show when=move || !stored.get()>
                {text_field(state, form, draft, |q| q.queue_id, "id", |d| &mut d.id)}
            </Show>
            <label class="field">
                <span>{move || t(state).name_ja}</span>
                <input data-testid="admin-queue-name-ja" prop:value=move || draft.with(|d| d.name_ja.clone())
                    on:input=move |ev| draft.update(|d| d.name_ja = event_target_value(&ev)) />
                {field_errors(state, form, "name.ja")}
            </label>
            <label class="field">
                <span>{move || t(state).name_en}</span>
                <input data-testid="admin-queue-name-en" prop:value=move || draft.with(|d| d.name_en.clone())
                    on:input=move |ev| draft.update(|d| d.name_en = event_target_value(&ev)) />
                {field_errors(state, form, "name.en")}
            </label>
            <label class="field">
                <span>{move || q(state).rings}</span>
                {move || {
                    // "The stored ladder" is offered only for a queue that has one.
                    let offered: &'static [&'static str] = if has_stored.get() { &WHOM } else { &WHOM[..3] };
                    select(state, draft, "admin-queue-whom", offered, |q, i| q.whom[i], |d| &mut d.whom)
                }}
                {field_errors(state, form, "ladder")}
            </label>
            <Show when=move || draft.with(|d| d.whom == "kept")>
                <ol class="admin__list" data-testid="admin-queue-stored-rungs">
                    {move || draft.with(|d| match &d.kept_ladder {
                        Some(Value::Array(rungs)) => rungs.iter().map(|rung| {
                            let target = rung.get("target").map(|target| match target.as_str() {
                                Some(name) => name.to_owned(),
                                None => target.to_string(),
                            }).unwrap_or_default();
                            let secs = rung.get("timeout").and_then(Value::as_u64).unwrap_or(0) / 1000;
                            view! { <li class="admin__meta">{format!("{target} · {secs}")}{move || q(state).seconds}</li> }
                        }).collect_view().into_any(),
                        _ => ().into_any(),
                    })}
                </ol>
            </Show>
            <Show when=is("whom", "team")>
                <input data-testid="admin-queue-team" placeholder="support" aria-label=move || t(state).team
                    prop:value=move || draft.with(|d| d.team.clone()) on:input=move |ev| draft.update(|d| d.team = event_target_value(&ev)) />
            </Show>
            <Show when=move || draft.with(|d| d.whom == "team" || d.whom == "anyone")>
                <label class="admin__inline">
                    <input data-testid="admin-queue-ring-seconds" inputmode="numeric" size="4"
                        prop:value=move || draft.with(|d| d.ring_seconds.clone()) on:input=move |ev| draft.update(|d| d.ring_seconds = event_target_value(&ev)) />
                    <span>{move || t(state).seconds_ringing}</span>
                </label>
            </Show>
            {text_field(state, form, draft, |q| q.max_wait, "max_wait", |d| &mut d.max_wait_seconds)}
            <label class="field">
                <span>{move || q(state).overflow}</span>
                {select(state, draft, "admin-queue-overflow", &OVERFLOWS, |q, i| q.overflows[i], |d| &mut d.overflow)}
                {field_errors(state, form, "overflow")}
            </label>
            <Show when=is("overflow", "voicemail")>
                {text_field(state, form, draft, |q| q.voicemail_prompt, "voicemail-prompt", |d| &mut d.voicemail_prompt)}
                {text_field(state, form, draft, |q| q.voicemail_seconds, "voicemail-seconds", |d| &mut d.voicemail_seconds)}
            </Show>
            <Show when=is("overflow", "queue")>
                {text_field(state, form, draft, |q| q.overflow_queue, "overflow-queue", |d| &mut d.overflow_queue)}
            </Show>
            <Show when=is("overflow", "forward")>
                {text_field(state, form, draft, |q| q.forward_numbers, "forward-numbers", |d| &mut d.forward_numbers)}
            </Show>
            <label class="admin__check">
                <input type="checkbox" data-testid="admin-queue-announce" prop:checked=move || draft.with(|d| d.announce_position)
                    on:change=move |ev| draft.update(|d| d.announce_position = super::js::checked(&ev)) />
                <span>{move || q(state).announce_position}</span>
            </label>
            {text_field(state, form, draft, |q| q.hold_music, "hold_music_url", |d| &mut d.hold_music_url)}
            <label class="field">
                <span>{move || q(state).callback_key}</span>
                <select data-testid="admin-queue-callback" on:change=move |ev| draft.update(|d| d.callback_digit = event_target_value(&ev))>
                    <option value="" selected=move || draft.with(|d| d.callback_digit.is_empty())>{move || q(state).none}</option>
                    {CALLBACK_KEYS.iter().map(|key| view! {
                        <option value=*key selected=move || draft.with(|d| d.callback_digit == *key)>{*key}</option>
                    }).collect_view()}
                </select>
                {field_errors(state, form, "callback_digit")}
            </label>
            {text_field(state, form, draft, |q| q.required_skills, "required_skills", |d| &mut d.skills)}
            {text_field(state, form, draft, |q| q.priority, "priority", |d| &mut d.priority)}
            {submit(state, form, |t| t.save, "admin-queue-save")}
            {move || saved.get().then(|| view! { <p class="admin__meta" role="status" data-testid="admin-queue-saved">{move || t(state).saved}</p> })}
        </form>
    }
    .into_any()
}
