//! Routing: the ladder (whom a call rings, in order, and for how long), the longest wait before
//! the fallback numbers, the fallback numbers and whether the "call us" page takes calls, written
//! with the business hours kept as read (`PUT /api/admin/routing`).

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem,
    forms::{DryRunPreview, RoutingForm, RungForm, TARGETS},
    http::Body,
    replies, submit, t,
};
use crate::state::WidgetState;

/// At most this many rungs (the worker's `LADDER_MAX_STEPS`).
const RUNGS_MAX: usize = 10;

/// The fields whose errors show beside them; the rest show atop the form.
const SHOWN: &[&str] = &[
    "routing.ladder",
    "routing.rung",
    "routing.max_wait",
    "routing.fallback_numbers",
];

/// One rung's inputs.
#[derive(Clone, Copy)]
struct Rung {
    id: usize,
    target: RwSignal<String>,
    team: RwSignal<String>,
    agents: RwSignal<String>,
    seconds: RwSignal<String>,
}

impl Rung {
    fn new(id: usize, form: RungForm) -> Rung {
        Rung {
            id,
            target: RwSignal::new(form.target),
            team: RwSignal::new(form.team),
            agents: RwSignal::new(form.agents),
            seconds: RwSignal::new(form.seconds),
        }
    }

    fn form(self) -> RungForm {
        RungForm {
            target: self.target.get_untracked(),
            team: self.team.get_untracked(),
            agents: self.agents.get_untracked(),
            seconds: self.seconds.get_untracked(),
        }
    }
}

/// `target`'s place in `TARGETS` (the labels' order).
fn index_of(target: &str) -> usize {
    TARGETS
        .iter()
        .position(|known| *known == target)
        .unwrap_or_default()
}

/// The errors about one rung (its target or its seconds), under it.
fn rung_errors(state: WidgetState, form: Form, key: String) -> impl IntoView {
    move || {
        let lang = state.lang.get();
        form.errors.with(|errors| {
            errors
                .iter()
                .filter(|error| error.is_about(&key))
                .map(|error| {
                    view! {
                        <p class="admin__error" role="alert" data-testid="field-error" data-field=error.field.clone() data-code=error.code.clone()>
                            {error.text(lang).to_owned()}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

pub(super) fn view(state: WidgetState) -> AnyView {
    let form = Form::new();
    // The whole routing object as read: the PUT replaces every field, hours included.
    let routing = RwSignal::new(None::<Value>);
    let rungs = RwSignal::new(Vec::<Rung>::new());
    let next_id = StoredValue::new(0_usize);
    let max_wait = RwSignal::new(String::new());
    let fallback = RwSignal::new(String::new());
    let web_calls = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let try_from = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<DryRunPreview>);
    let new_rung = move |rung: RungForm| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        Rung::new(id, rung)
    };
    let show = move |read: &Value| {
        let shown = RoutingForm::from_json(read);
        rungs.set(shown.rungs.into_iter().map(new_rung).collect());
        max_wait.set(shown.max_wait_seconds);
        fallback.set(shown.fallback_numbers);
        web_calls.set(shown.web_calls_enabled);
    };
    form.send(
        "GET",
        "/api/admin/routing",
        Body::None,
        Some,
        move |read: Value| {
            show(&read);
            routing.set(Some(read));
        },
    );
    // The routing as the form has it now (with the hours as read), or the form's own errors.
    let typed_body = move || {
        let Some(Value::Object(read)) = routing.get_untracked() else {
            return None;
        };
        let typed = RoutingForm {
            rungs: rungs.get_untracked().into_iter().map(Rung::form).collect(),
            max_wait_seconds: max_wait.get_untracked(),
            fallback_numbers: fallback.get_untracked(),
            web_calls_enabled: web_calls.get_untracked(),
        };
        match typed.to_body(read) {
            Ok(body) => Some(body),
            Err(errors) => {
                form.errors.set(errors);
                None
            }
        }
    };
    // The worker's answer to a save or a dry run that refused the routing: each error beside
    // the field it is about.
    let refused = move |problem: replies::Problem| {
        let placed = RoutingForm::place(problem.fields().to_vec());
        if placed.is_empty() {
            form.fail(problem);
        } else {
            form.errors.set(placed);
        }
    };
    let try_it = move |_| {
        preview.set(None);
        let Some(body) = typed_body() else {
            return;
        };
        let request = DryRunPreview::request(&try_from.get_untracked(), body).to_string();
        form.clear();
        form.busy.set(true);
        super::http::send(
            "POST",
            "/api/routing/dry-run",
            Body::Json(request),
            move |reply| {
                form.busy.set(false);
                match replies::read(reply, |v| DryRunPreview::read(&v)) {
                    Ok(shown) => preview.set(Some(shown)),
                    Err(problem) => refused(problem),
                }
            },
        );
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Some(body) = typed_body() else {
            return;
        };
        let body = body.to_string();
        form.clear();
        form.busy.set(true);
        super::http::send(
            "PUT",
            "/api/admin/routing",
            Body::Json(body),
            move |reply| {
                form.busy.set(false);
                match replies::read(reply, Some) {
                    Ok(read) => {
                        show(&read);
                        routing.set(Some(read));
                        saved.set(true);
                    }
                    Err(problem) => refused(problem),
                }
            },
        );
    };
    let preview_view = move || {
        preview.get().map(|shown| {
            let lang = state.lang.get();
            let label = t(state)
                .plan_labels
                .iter()
                .find(|(plan, _)| *plan == shown.plan)
                .map_or_else(|| shown.plan.clone(), |(_, label)| (*label).to_owned());
            view! {
                <div class="admin__preview" role="status" data-testid="admin-routing-preview" data-plan=shown.plan>
                    <p><b>{label}</b></p>
                    <ol>
                        {shown.decisions.into_iter().map(|(ja, en)| view! {
                            <li data-testid="admin-routing-decision">{if lang == crate::i18n::Lang::Ja { ja } else { en }}</li>
                        }).collect_view()}
                    </ol>
                </div>
            }
        })
    };
    let rung_row = move |index: usize, rung: Rung| {
        view! {
            <li class="admin__item" data-testid="admin-rung" data-index=index>
                <span class="admin__meta">{index + 1}</span>
                <select data-testid="admin-rung-target" on:change=move |ev| rung.target.set(event_target_value(&ev))>
                    {TARGETS.iter().map(|target| view! {
                        <option value=*target selected=move || rung.target.get() == *target>
                            {move || t(state).rung_targets[index_of(target)]}
                        </option>
                    }).collect_view()}
                </select>
                <Show when=move || rung.target.get() == "team">
                    <input data-testid="admin-rung-team" placeholder="sales" aria-label=move || t(state).team
                        prop:value=move || rung.team.get() on:input=move |ev| rung.team.set(event_target_value(&ev)) />
                </Show>
                <Show when=move || rung.target.get() == "agents">
                    <input data-testid="admin-rung-agents" placeholder="sato, suzuki" aria-label=move || t(state).agents
                        prop:value=move || rung.agents.get() on:input=move |ev| rung.agents.set(event_target_value(&ev)) />
                </Show>
                <label class="admin__inline">
                    <input data-testid="admin-rung-seconds" inputmode="numeric" size="4"
                        prop:value=move || rung.seconds.get() on:input=move |ev| rung.seconds.set(event_target_value(&ev)) />
                    <span>{move || t(state).seconds_ringing}</span>
                </label>
                <button type="button" class="btn btn--small" data-testid="admin-rung-remove"
                    on:click=move |_| rungs.update(|list| list.retain(|r| r.id != rung.id))>
                    {move || t(state).remove}
                </button>
                {rung_errors(state, form, format!("routing.rung.{index}"))}
            </li>
        }
    };
    let loaded = move || routing.with(Option::is_some);
    let fields = move || {
        view! {
            <p class="admin__meta">{move || t(state).ladder_hint}</p>
            <ol class="admin__list" data-testid="admin-rungs">
                {move || rungs.get().into_iter().enumerate().map(|(index, rung)| rung_row(index, rung)).collect_view()}
            </ol>
            {field_errors(state, form, "routing.ladder")}
            <button type="button" class="btn btn--small" data-testid="admin-rung-add"
                disabled=move || rungs.with(|list| list.len() >= RUNGS_MAX)
                on:click=move |_| {
                    let rung = new_rung(RungForm { target: "anyone".to_owned(), seconds: "20".to_owned(), ..RungForm::default() });
                    rungs.update(|list| list.push(rung));
                }>
                {move || t(state).add_rung}
            </button>
            <label class="field">
                <span>{move || t(state).max_wait}</span>
                <input data-testid="admin-routing-max-wait" inputmode="numeric"
                    prop:value=move || max_wait.get() on:input=move |ev| max_wait.set(event_target_value(&ev)) />
                {field_errors(state, form, "routing.max_wait")}
            </label>
            <label class="field">
                <span>{move || t(state).fallback_numbers}</span>
                <textarea data-testid="admin-routing-fallback" rows="2" placeholder="03-1234-0000"
                    prop:value=move || fallback.get() on:input=move |ev| fallback.set(event_target_value(&ev))></textarea>
                {field_errors(state, form, "routing.fallback_numbers")}
            </label>
            <label class="admin__check">
                <input type="checkbox" data-testid="admin-routing-web-calls" prop:checked=move || web_calls.get()
                    on:change=move |ev| web_calls.set(super::js::checked(&ev)) />
                <span>{move || t(state).web_calls_enabled}</span>
            </label>
            <fieldset class="admin__try" data-testid="admin-routing-try">
                <legend>{move || t(state).try_routing}</legend>
                <label class="field">
                    <span>{move || t(state).try_from}</span>
                    <input data-testid="admin-routing-try-from" placeholder="03-5555-0101" inputmode="tel"
                        prop:value=move || try_from.get() on:input=move |ev| try_from.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="btn btn--small" data-testid="admin-routing-try-go"
                    disabled=move || form.busy.get() on:click=try_it>
                    {move || t(state).try_go}
                </button>
                {preview_view}
            </fieldset>
            {submit(state, form, |t| t.save, "admin-routing-save")}
        }
    };
    view! {
        <form class="admin__form" data-testid="admin-routing-form" data-loaded=move || loaded().to_string() on:submit=save>
            <h3>{move || t(state).section_routing}</h3>
            {form_problem(state, form, SHOWN)}
            <Show when=loaded fallback=|| view! { <p class="admin__meta">"…"</p> }>{fields()}</Show>
            {move || saved.get().then(|| view! { <p class="admin__meta" role="status" data-testid="admin-routing-saved">{move || t(state).saved}</p> })}
        </form>
    }
    .into_any()
}
