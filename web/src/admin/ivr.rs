//! IVR menus (`/api/admin/ivr-menus/<number>`): per line, its menu as indented JSON in a
//! monospace editor, saved (`PUT`) or removed (`DELETE`); a line without one (404) starts empty.
//! The worker's refusals (`ivr_menu`, each with the path it is about, such as
//! `nodes[3].choices[1].digit`) are listed above the editor in the agent's language.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    forms::{DEMO_MENU, pretty},
    http::{self, Body, segment},
    problem_text,
    queues::q,
    replies::{self, PhoneLine, Problem},
    t, texts,
};
use crate::{i18n::Lang, state::WidgetState};

/// What the last request said: nothing yet, saved or removed, or the problems to list.
#[derive(Clone, PartialEq)]
enum Outcome {
    None,
    Saved,
    Removed,
    Refused(Problem),
    NotJson,
}

/// Each refusal as a line: `nodes[3].choices[1].digit: <the problem>`.
fn refusals(lang: Lang, problem: &Problem) -> Vec<String> {
    match problem {
        Problem::Invalid(fields) => fields
            .iter()
            .map(|error| {
                if error.field.is_empty() {
                    error.text(lang).to_owned()
                } else {
                    format!("{}: {}", error.field, error.text(lang))
                }
            })
            .collect(),
        other => vec![problem_text(texts(lang), other)],
    }
}

pub(super) fn view(state: WidgetState) -> AnyView {
    let lines = RwSignal::new(Vec::<String>::new());
    let line = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    // Whether the chosen line has a menu stored (404: none).
    let has_menu = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::None);
    let path = move || format!("/api/admin/ivr-menus/{}", segment(&line.get_untracked()));
    let shown = move |read: Value| {
        text.set(read.get("menu").map(pretty).unwrap_or_default());
        has_menu.set(true);
    };
    let open = move |number: String| {
        line.set(number);
        loaded.set(false);
        outcome.set(Outcome::None);
        busy.set(true);
        http::send("GET", &path(), Body::None, move |reply| {
            busy.set(false);
            loaded.set(true);
            match replies::read(reply, Some) {
                Ok(read) => shown(read),
                Err(Problem::NotFound) => {
                    text.set(String::new());
                    has_menu.set(false);
                }
                Err(problem) => outcome.set(Outcome::Refused(problem)),
            }
        });
    };
    http::send(
        "GET",
        "/api/admin/phone-lines",
        Body::None,
        move |reply| match replies::read(reply, |v| {
            replies::list(v, "phone_lines", PhoneLine::read)
        }) {
            Ok(list) => {
                let numbers: Vec<String> = list.into_iter().map(|line| line.number).collect();
                if let Some(first) = numbers.first() {
                    open(first.clone());
                }
                lines.set(numbers);
            }
            Err(problem) => outcome.set(Outcome::Refused(problem)),
        },
    );
    let write = move |method: &'static str, body: Body, then: Outcome| {
        busy.set(true);
        http::send(method, &path(), body, move |reply| {
            busy.set(false);
            match replies::read(reply, Some) {
                Ok(read) => {
                    if method == "DELETE" {
                        text.set(String::new());
                        has_menu.set(false);
                    } else {
                        shown(read);
                    }
                    outcome.set(then);
                }
                Err(problem) => outcome.set(Outcome::Refused(problem)),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Value::parse(&text.get_untracked()) {
            Some(menu) => write("PUT", Body::Json(menu.to_string()), Outcome::Saved),
            None => outcome.set(Outcome::NotJson),
        }
    };
    let report = move || {
        let lang = state.lang.get();
        let (lines, status): (Vec<String>, Option<&str>) = match outcome.get() {
            Outcome::None => (Vec::new(), None),
            Outcome::Saved => (Vec::new(), Some(t(state).saved)),
            Outcome::Removed => (Vec::new(), Some(q(state).ivr_removed)),
            Outcome::NotJson => (vec![q(state).not_json.to_owned()], None),
            Outcome::Refused(problem) => (refusals(lang, &problem), None),
        };
        view! {
            {status.map(|status| view! { <p class="admin__meta" role="status" data-testid="admin-ivr-saved">{status}</p> })}
            <Show when={let any = !lines.is_empty(); move || any}>
                <ul class="notice" role="alert" data-testid="admin-ivr-problems">
                    {lines.iter().map(|line| view! { <li data-testid="admin-ivr-problem">{line.clone()}</li> }).collect_view()}
                </ul>
            </Show>
        }
    };
    view! {
        <h3>{move || t(state).section_ivr}</h3>
        <p class="admin__meta">{move || q(state).ivr_help}</p>
        <form class="admin__form" data-testid="admin-ivr-form" data-loaded=move || loaded.get().to_string() on:submit=save>
            <label class="field">
                <span>{move || q(state).ivr_line}</span>
                <select data-testid="admin-ivr-line" on:change=move |ev| open(event_target_value(&ev))>
                    {move || lines.get().into_iter().map(|number| {
                        let value = number.clone();
                        view! { <option value=value.clone() selected=move || line.get() == value>{number}</option> }
                    }).collect_view()}
                </select>
            </label>
            {report}
            <Show when=move || loaded.get() && !has_menu.get()>
                <p class="admin__meta" data-testid="admin-ivr-none">{move || q(state).ivr_none}</p>
            </Show>
            <textarea data-testid="admin-ivr-menu" rows="18" spellcheck="false" style="font-family:ui-monospace,monospace;font-size:.85rem"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="admin__inline">
                <button type="submit" class="btn btn--small" data-testid="admin-ivr-save" disabled=move || busy.get() || !loaded.get()>
                    {move || t(state).save}
                </button>
                <button type="button" class="btn btn--small" data-testid="admin-ivr-demo" on:click=move |_| text.set(DEMO_MENU.to_owned())>
                    {move || q(state).ivr_demo}
                </button>
                <Show when=move || has_menu.get()>
                    <button type="button" class="btn btn--small" data-testid="admin-ivr-remove" disabled=move || busy.get()
                        on:click=move |_| write("DELETE", Body::None, Outcome::Removed)>
                        {move || q(state).ivr_remove}
                    </button>
                </Show>
            </div>
        </form>
    }
    .into_any()
}
