//! The administration views (admins only): directory, customers and CSV, phone lines, business
//! hours, call routing, queues, IVR menus, API keys, webhooks and the tenant's settings, over the admin API with the widget's own session.
//!
//! A feature module: the header's 管理 / Admin button is part of the phone, everything here is
//! downloaded the first time an admin opens it (`#[wasm_split]`, split out by `cargo xtask
//! build`; see ARCHITECTURE.md), so agents who never open it never download it. Its strings
//! (`i18n/admin.rs`) and styles (`style.rs`) are only reached from here, so they travel with it.

mod calling;
mod customers;
mod directory;
mod forms;
mod hours;
mod http;
mod ivr;
mod js;
mod keys;
mod lines;
mod queues;
mod replies;
mod routing;
mod settings;
mod style;
mod webhooks;

use leptos::prelude::*;
use tsunagu_protocol::json::Value;
use wasm_bindgen::JsValue;

use crate::{
    i18n::{
        Lang,
        admin::{AdminTexts, texts},
    },
    state::WidgetState,
};
use replies::{FieldError, Problem};

/// The open administration view: the tabs, each section its own module in turn (below). Its
/// own wasm module, fetched once on first use (`fallible`: a failed download is an error the
/// caller handles, not a panic).
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(tsunagu_admin, wasm_split_path = ::leptos::wasm_split, fallible)]
pub(crate) fn admin_view(
    state: WidgetState,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel(state))
}

/// Component tests run an unsplit wasm (no link module to load from): the view is called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
pub(crate) async fn admin_view(
    state: WidgetState,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel(state))
}

/// Sections in modules of their own: each is fetched when one of its tabs is first shown, so no
/// module outgrows its budget and an admin downloads only what they open. The directory (the
/// first tab, shown on every open) travels with the tabs themselves; the other sections are
/// grouped by what they share, which keeps the shared chunks (and the link module that names
/// them, which every agent downloads) few.
macro_rules! section_module {
    ($function:ident, $point:ident, $render:path) => {
        #[cfg(not(test))]
        #[leptos::wasm_split::wasm_split($point, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $function(
            state: WidgetState,
            section: Section,
        ) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok($render(state, section))
        }

        #[cfg(test)]
        #[allow(
            clippy::unused_async,
            reason = "the same signature as the split point's"
        )]
        async fn $function(
            state: WidgetState,
            section: Section,
        ) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok($render(state, section))
        }
    };
}

section_module!(customers_view, tsunagu_admin_customers, render_customers);
section_module!(phone_view, tsunagu_admin_phone, render_phone);
section_module!(routing_view, tsunagu_admin_routing, render_routing);
section_module!(queues_view, tsunagu_admin_queues, render_queues);
section_module!(settings_view, tsunagu_admin_settings, render_settings);
section_module!(
    integration_view,
    tsunagu_admin_integration,
    render_integration
);

fn render_customers(state: WidgetState, _: Section) -> AnyView {
    customers::view(state)
}

/// Phone lines and their IVR menus (which share the lines' strings).
fn render_phone(state: WidgetState, section: Section) -> AnyView {
    match section {
        Section::Ivr => ivr::view(state),
        _ => lines::view(state),
    }
}

/// The tenant's settings, its calling and web-call settings, its Twilio SIDs, and the business
/// hours. (The calling and web-call forms filled this module: the IVR menus moved from it to the
/// lines, whose strings they share, and the hours from the lines to here, where they fit; a split
/// point of their own would cost every agent's download the link module's ≈280 B more.)
fn render_settings(state: WidgetState, section: Section) -> AnyView {
    match section {
        Section::Hours => hours::view(state),
        _ => settings::view(state),
    }
}

/// The routing ladder and its dry run (a module of its own: with the lines and hours it was
/// within 5 KB of the 60 KB module budget).
fn render_routing(state: WidgetState, _: Section) -> AnyView {
    routing::view(state)
}

/// Queues: where a line's callers wait (a module of its own: with the IVR menus it was 5 KB over
/// the 60 KB module budget).
fn render_queues(state: WidgetState, _: Section) -> AnyView {
    queues::view(state)
}

/// API keys and webhooks: what a CRM backend is given.
fn render_integration(state: WidgetState, section: Section) -> AnyView {
    match section {
        Section::ApiKeys => keys::view(state),
        _ => webhooks::view(state),
    }
}

/// The section's view, once its module is there; a module that cannot be downloaded says so
/// (switching tabs and back retries).
async fn section_view(state: WidgetState, section: Section) -> AnyView {
    let view = match section {
        Section::Directory => return directory::view(state),
        Section::Customers => customers_view(state, section).await,
        Section::Lines | Section::Ivr => phone_view(state, section).await,
        Section::Routing => routing_view(state, section).await,
        Section::Queues => queues_view(state, section).await,
        Section::Hours | Section::Settings => settings_view(state, section).await,
        Section::ApiKeys | Section::Webhooks => integration_view(state, section).await,
    };
    view.unwrap_or_else(|_| {
        view! { <p class="notice" role="alert" data-testid="form-problem">{move || t(state).err_network}</p> }
            .into_any()
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Directory,
    Customers,
    Lines,
    Hours,
    Routing,
    Queues,
    Ivr,
    ApiKeys,
    Webhooks,
    Settings,
}

const SECTIONS: [Section; 10] = [
    Section::Directory,
    Section::Customers,
    Section::Lines,
    Section::Hours,
    Section::Routing,
    Section::Queues,
    Section::Ivr,
    Section::ApiKeys,
    Section::Webhooks,
    Section::Settings,
];

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Directory => "directory",
            Section::Customers => "customers",
            Section::Lines => "lines",
            Section::Hours => "hours",
            Section::Routing => "routing",
            Section::Queues => "queues",
            Section::Ivr => "ivr",
            Section::ApiKeys => "api-keys",
            Section::Webhooks => "webhooks",
            Section::Settings => "settings",
        }
    }

    fn label(self, t: &AdminTexts) -> &'static str {
        match self {
            Section::Directory => t.section_directory,
            Section::Customers => t.section_customers,
            Section::Lines => t.section_lines,
            Section::Hours => t.section_hours,
            Section::Routing => t.section_routing,
            Section::Queues => t.section_queues,
            Section::Ivr => t.section_ivr,
            Section::ApiKeys => t.section_api_keys,
            Section::Webhooks => t.section_webhooks,
            Section::Settings => t.section_settings,
        }
    }
}

/// The admin strings in the agent's language (reactive).
fn t(state: WidgetState) -> &'static AdminTexts {
    texts(state.lang.get())
}

fn panel(state: WidgetState) -> AnyView {
    style::install();
    let section = RwSignal::new(Section::Directory);
    let tabs = SECTIONS
        .into_iter()
        .map(|s| {
            view! {
                <button
                    role="tab"
                    class="admin__tab"
                    data-testid="admin-tab"
                    data-section=s.key()
                    aria-selected=move || (section.get() == s).to_string()
                    on:click=move |_| section.set(s)
                >
                    {move || s.label(t(state))}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="admin" data-testid="admin" aria-label=move || t(state).title>
            <h2 class="admin__title">{move || t(state).title}</h2>
            <nav class="admin__tabs" role="tablist">{tabs}</nav>
            <div class="admin__body" role="tabpanel" data-section=move || section.get().key()>
                {move || {
                    let shown = section.get();
                    view! {
                        <Suspense fallback=|| view! { <p class="admin__meta">"…"</p> }>
                            {move || Suspend::new(section_view(state, shown))}
                        </Suspense>
                    }
                }}
            </div>
        </section>
    }
    .into_any()
}

/// A form's request state: busy while a request runs, the field errors of the last reply
/// (shown beside their inputs) and any other problem (shown atop it).
#[derive(Clone, Copy)]
struct Form {
    busy: RwSignal<bool>,
    errors: RwSignal<Vec<FieldError>>,
    problem: RwSignal<Option<Problem>>,
}

impl Form {
    fn new() -> Form {
        Form {
            busy: RwSignal::new(false),
            errors: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
        }
    }

    fn clear(self) {
        self.errors.set(Vec::new());
        self.problem.set(None);
    }

    fn fail(self, problem: Problem) {
        match problem {
            Problem::Invalid(fields) => self.errors.set(fields),
            other => self.problem.set(Some(other)),
        }
    }

    /// Sends a request for this form; `done` gets the reply read by `read` when it succeeded,
    /// else the form shows why.
    fn send<T: 'static>(
        self,
        method: &str,
        path: &str,
        body: http::Body,
        read: impl FnOnce(Value) -> Option<T> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.clear();
        self.busy.set(true);
        http::send(method, path, body, move |reply| {
            self.busy.set(false);
            match replies::read(reply, read) {
                Ok(value) => done(value),
                Err(problem) => self.fail(problem),
            }
        });
    }
}

/// The reply of a write whose body the view does not need.
#[allow(
    clippy::unnecessary_wraps,
    reason = "the shape `Form::send` reads with"
)]
fn ignore(_: Value) -> Option<()> {
    Some(())
}

/// The field errors of `form` about `key`, in the agent's language, beside that field.
fn field_errors(state: WidgetState, form: Form, key: &'static str) -> impl IntoView {
    move || {
        let lang = state.lang.get();
        form.errors.with(|errors| {
            errors
                .iter()
                .filter(|error| error.is_about(key))
                .map(|error| {
                    view! {
                        <p class="admin__error" role="alert" data-testid="field-error" data-field=key data-code=error.code.clone()>
                            {error.text(lang).to_owned()}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

/// What went wrong that no field shows: errors about fields not in `shown`, and other problems.
fn form_problem(state: WidgetState, form: Form, shown: &'static [&'static str]) -> impl IntoView {
    move || {
        let lang = state.lang.get();
        let mut lines: Vec<String> = form.errors.with(|errors| {
            replies::unplaced(errors, shown)
                .into_iter()
                .map(|error| error.text(lang).to_owned())
                .collect()
        });
        if let Some(problem) = form.problem.get() {
            lines.push(problem_text(texts(lang), &problem));
        }
        lines
            .into_iter()
            .map(|line| view! { <p class="notice" role="alert" data-testid="form-problem">{line}</p> })
            .collect_view()
    }
}

fn problem_text(t: &AdminTexts, problem: &Problem) -> String {
    match problem {
        Problem::Network => t.err_network.to_owned(),
        Problem::Forbidden => t.err_forbidden.to_owned(),
        Problem::SignedOut => t.err_signed_out.to_owned(),
        Problem::NotFound => t.err_not_found.to_owned(),
        Problem::Invalid(_) | Problem::InvalidRows(_) => t.err_invalid.to_owned(),
        Problem::Other(code) => format!("{} ({code})", t.err_other),
    }
}

/// A labelled text input bound to `value`, with its field's errors under it.
fn input(
    state: WidgetState,
    form: Form,
    label: fn(&AdminTexts) -> &'static str,
    key: &'static str,
    value: RwSignal<String>,
) -> AnyView {
    view! {
        <label class="field">
            <span>{move || label(t(state))}</span>
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

/// One checkbox per item of `all` (a role, scope or event), bound to the `chosen` list.
fn checkboxes(
    all: &'static [&'static str],
    chosen: RwSignal<Vec<String>>,
    testid: &'static str,
) -> AnyView {
    all.iter()
        .map(|item| {
            let item = *item;
            view! {
                <label class="admin__check">
                    <input
                        type="checkbox"
                        data-testid=testid
                        value=item
                        prop:checked=move || chosen.with(|c| c.iter().any(|c| c == item))
                        on:change=move |ev| {
                            let on = js::checked(&ev);
                            chosen.update(|c| {
                                c.retain(|c| c != item);
                                if on {
                                    c.push(item.to_owned());
                                }
                            });
                        }
                    />
                    <span>{item}</span>
                </label>
            }
        })
        .collect_view()
        .into_any()
}

/// A submit button that is disabled while its form's request runs.
fn submit(
    state: WidgetState,
    form: Form,
    label: fn(&AdminTexts) -> &'static str,
    testid: &'static str,
) -> AnyView {
    view! {
        <button type="submit" class="btn btn--small" data-testid=testid disabled=move || form.busy.get()>
            {move || label(t(state))}
        </button>
    }
    .into_any()
}

/// A secret the worker shows only once (an API key, a webhook's signing secret), until the
/// admin says they have copied it; nothing keeps it afterwards.
fn secret_once(
    state: WidgetState,
    secret: RwSignal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    move || {
        secret.get().map(|value| {
            view! {
                <div class="admin__secret" role="status" data-testid=testid>
                    <p>{move || t(state).secret_once}</p>
                    <code data-testid=format!("{testid}-value")>{value}</code>
                    <button type="button" class="btn btn--small" data-testid=format!("{testid}-done") on:click=move |_| secret.set(None)>
                        {move || t(state).secret_copied}
                    </button>
                </div>
            }
        })
    }
}

/// Epoch milliseconds as a local date and time, in the agent's language.
fn date_time(lang: Lang, ms: u64) -> String {
    // Milliseconds since 1970 fit an f64 exactly until the year 287,396.
    #[allow(clippy::cast_precision_loss, reason = "exact for any real date")]
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string(lang.tag(), &JsValue::UNDEFINED))
}
