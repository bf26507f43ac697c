//! Customers: search, add or edit (with their attributes, `plan=gold`), CSV import (a dry run
//! that previews every bad row, then the import) and export.

use leptos::prelude::*;
use tsunagu_protocol::json::{Map, Value};

use super::{
    Form, form_problem, forms,
    http::{self, Body, segment},
    input,
    replies::{self, Customer, ImportReport, Problem},
    submit, t,
};
use crate::state::WidgetState;

/// A customer as the search lists it, with their attributes (`plan` → `gold`), in name order.
#[derive(Clone)]
struct Found {
    customer: Customer,
    attributes: Vec<(String, String)>,
}

fn read_found(mut map: Map) -> Option<Found> {
    let attributes = match map.remove("attributes") {
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
            .collect(),
        _ => Vec::new(),
    };
    Some(Found {
        customer: Customer::read(map)?,
        attributes,
    })
}

/// `plan=gold, 区分=法人` as the form shows attributes (one `name=value` per entry).
fn attributes_text(attributes: &[(String, String)]) -> String {
    attributes
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form's attributes text as the API's object: entries separated by commas, `、` or line
/// breaks, each `name=value` (a full-width `＝` too). The worker checks the limits; an entry
/// without `=` is sent as an empty value, which the worker refuses on its field.
fn attributes_value(text: &str) -> Value {
    let mut attributes = Map::new();
    for entry in text.split([',', '、', '\n']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let (key, value) = entry.split_once(['=', '＝']).unwrap_or((entry, ""));
        attributes.insert(key.trim().to_owned(), Value::from(value.trim()));
    }
    Value::Object(attributes)
}

/// The add/edit form's fields, shared with the search list's "edit" buttons.
#[derive(Clone, Copy)]
struct Draft {
    /// The id of the customer being edited (`PUT`); `None`: a new one (`POST`).
    editing: RwSignal<Option<String>>,
    id: RwSignal<String>,
    name: RwSignal<String>,
    company: RwSignal<String>,
    phone: RwSignal<String>,
    owner: RwSignal<String>,
    attributes: RwSignal<String>,
}

impl Draft {
    fn new() -> Draft {
        Draft {
            editing: RwSignal::new(None),
            id: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            company: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            owner: RwSignal::new(String::new()),
            attributes: RwSignal::new(String::new()),
        }
    }

    fn clear(self) {
        self.editing.set(None);
        for field in [
            self.id,
            self.name,
            self.company,
            self.phone,
            self.owner,
            self.attributes,
        ] {
            field.set(String::new());
        }
    }

    fn load(self, found: &Found) {
        let customer = &found.customer;
        self.editing.set(Some(customer.id.clone()));
        self.id.set(customer.id.clone());
        self.name.set(customer.name.clone());
        self.company
            .set(customer.company.clone().unwrap_or_default());
        self.phone.set(customer.phone.clone());
        self.owner.set(customer.owner.clone().unwrap_or_default());
        self.attributes.set(attributes_text(&found.attributes));
    }
}

pub(super) fn view(state: WidgetState) -> AnyView {
    let draft = Draft::new();
    view! {
        {search(state, draft)}
        {add_form(state, draft)}
        {csv_import(state)}
        {export(state)}
    }
    .into_any()
}

fn search(state: WidgetState, draft: Draft) -> AnyView {
    let form = Form::new();
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<Found>>);
    let next = RwSignal::new(None::<String>);
    let run = move |after: Option<String>| {
        let mut path = "/api/admin/customers?limit=20".to_owned();
        if let Some(query) = forms::optional(&query.get_untracked()) {
            path.push_str(&format!("&q={}", segment(query)));
        }
        if let Some(after) = &after {
            path.push_str(&format!("&after={}", segment(after)));
        }
        form.send(
            "GET",
            &path,
            Body::None,
            |value| replies::customer_page(value, read_found),
            move |(page, cursor)| {
                if after.is_some() {
                    found.update(|list| list.get_or_insert_with(Vec::new).extend(page));
                } else {
                    found.set(Some(page));
                }
                next.set(cursor);
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-customer-search" on:submit=move |ev| { ev.prevent_default(); run(None); }>
            <h3>{move || t(state).customers}</h3>
            {input(state, form, |t| t.search, "q", query)}
            {form_problem(state, form, &["q"])}
            {submit(state, form, |t| t.search_go, "admin-customer-search-go")}
        </form>
        {move || found.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="muted" data-testid="admin-customers-none">{move || t(state).none_found}</p> }.into_any();
            }
            view! {
                <ul class="admin__list" data-testid="admin-customers">
                    {list.into_iter().map(|found| {
                        let customer = found.customer.clone();
                        let attributes = attributes_text(&found.attributes);
                        let id_shown = format!(" · {}", customer.id);
                        view! {
                            <li class="admin__item" data-testid="admin-customer" data-id=customer.id>
                                <span><b>{customer.name}</b>{customer.company.map(|c| format!(" · {c}"))}</span>
                                <span class="admin__meta">
                                    <span class="tel">{customer.phone}</span>
                                    {id_shown}
                                    {customer.owner.map(|o| format!(" · {o}"))}
                                </span>
                                {(!attributes.is_empty()).then(|| view! {
                                    <span class="admin__meta" data-testid="admin-customer-attributes">
                                        {move || format!("{}: ", t(state).attributes_shown)}{attributes}
                                    </span>
                                })}
                                <button type="button" class="btn btn--small" data-testid="admin-customer-edit" on:click=move |_| draft.load(&found)>
                                    {move || t(state).edit}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
        {move || next.get().map(|cursor| view! {
            <button class="btn btn--small" data-testid="admin-customers-more" on:click=move |_| run(Some(cursor.clone()))>
                {move || t(state).more}
            </button>
        })}
    }
    .into_any()
}

fn add_form(state: WidgetState, draft: Draft) -> AnyView {
    let form = Form::new();
    let Draft {
        editing,
        id,
        name,
        company,
        phone,
        owner,
        attributes,
    } = draft;
    // The customer just written, and whether it was an edit (else an addition).
    let added = RwSignal::new(None::<(Customer, bool)>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Value::object([
            ("id", Value::from(id.get_untracked().trim())),
            ("name", Value::from(name.get_untracked().trim())),
            ("company", Value::from(company.get_untracked().trim())),
            ("phone", Value::from(phone.get_untracked().trim())),
            (
                "owner",
                Value::from(forms::optional(&owner.get_untracked())),
            ),
            ("attributes", attributes_value(&attributes.get_untracked())),
        ]);
        // Editing replaces the stored record (`PUT`), attributes included.
        let edited = editing.get_untracked().is_some();
        let (method, path) = match editing.get_untracked() {
            Some(editing) => ("PUT", format!("/api/admin/customers/{}", segment(&editing))),
            None => ("POST", "/api/admin/customers".to_owned()),
        };
        form.send(
            method,
            &path,
            Body::Json(body.to_string()),
            |v| replies::object(v, Customer::read),
            move |customer| {
                draft.clear();
                added.set(Some((customer, edited)));
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-customer-form" on:submit=save>
            <h3>{move || if editing.get().is_some() { t(state).edit_customer } else { t(state).add_customer }}</h3>
            {form_problem(state, form, &["id", "name", "company", "phone", "owner", "attributes"])}
            {move || editing.get().is_none().then(|| input(state, form, |t| t.customer_id, "id", id))}
            {input(state, form, |t| t.customer_name, "name", name)}
            {input(state, form, |t| t.company, "company", company)}
            {input(state, form, |t| t.phone, "phone", phone)}
            {input(state, form, |t| t.owner, "owner", owner)}
            {input(state, form, |t| t.attributes, "attributes", attributes)}
            {submit(state, form, |t| t.save, "admin-customer-save")}
            {move || editing.get().is_some().then(|| view! {
                <button type="button" class="btn btn--small" data-testid="admin-customer-cancel" on:click=move |_| draft.clear()>
                    {move || t(state).cancel_edit}
                </button>
            })}
            {move || added.get().map(|(c, edited)| view! {
                <p class="admin__meta" role="status" data-testid="admin-customer-added">
                    {format!("{} {} ({}, {})", if edited { t(state).saved } else { t(state).added }, c.name, c.id, c.phone)}
                </p>
            })}
        </form>
    }
    .into_any()
}

/// Picking a file runs a dry run at once; its report lists every bad row. The import button
/// appears only for a file without any, and sends the same file again.
fn csv_import(state: WidgetState) -> AnyView {
    let form = Form::new();
    let file = StoredValue::new_local(None::<wasm_bindgen::JsValue>);
    let report = RwSignal::new(None::<ImportReport>);
    let run = move |dry_run: bool| {
        let Some(picked) = file.get_value() else {
            return;
        };
        report.set(None);
        form.clear();
        form.busy.set(true);
        let path = format!("/api/admin/customers/import?dry_run={dry_run}");
        http::send("POST", &path, Body::Csv(picked), move |reply| {
            form.busy.set(false);
            match replies::read(reply, |v| replies::object(v, ImportReport::from_map)) {
                Ok(read) => report.set(Some(read)),
                Err(Problem::InvalidRows(read)) => report.set(Some(*read)),
                Err(problem) => form.fail(problem),
            }
        });
    };
    let picked = move |ev: leptos::ev::Event| {
        file.set_value(super::js::picked_file(&ev));
        run(true);
    };
    view! {
        <div class="admin__form" data-testid="admin-csv">
            <h3>{move || t(state).csv_import}</h3>
            <p class="admin__meta">{move || t(state).csv_hint}</p>
            <label class="field">
                <span>{move || t(state).csv_file}</span>
                <input type="file" accept=".csv,text/csv" data-testid="admin-csv-file" on:change=picked />
            </label>
            {form_problem(state, form, &[])}
            {move || form.busy.get().then(|| view! { <p class="admin__meta" data-testid="admin-csv-busy">{move || t(state).checking}</p> })}
            {move || report.get().map(|report| report_view(state, report, run))}
        </div>
    }
    .into_any()
}

fn report_view(
    state: WidgetState,
    report: ImportReport,
    run: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> AnyView {
    let t = t(state);
    let lang = state.lang.get();
    let summary = t
        .csv_summary
        .replace("{rows}", &report.rows.to_string())
        .replace("{created}", &report.created.to_string())
        .replace("{updated}", &report.updated.to_string())
        .replace("{unchanged}", &report.unchanged.to_string());
    let state_text = if report.written {
        t.csv_imported
    } else if report.errors.is_empty() {
        t.csv_ready
    } else {
        t.csv_has_errors
    };
    let outcome = if report.written {
        "imported"
    } else if report.errors.is_empty() {
        "ready"
    } else {
        "invalid"
    };
    let can_import = !report.written && report.errors.is_empty();
    let error_count = report.errors.len().to_string();
    view! {
        <div data-testid="admin-csv-report" data-outcome=outcome data-errors=error_count>
            <p role="status"><b>{state_text}</b></p>
            <p class="admin__meta" data-testid="admin-csv-summary">{summary} {format!(" · {}", report.charset)}</p>
            {(!report.ignored_columns.is_empty()).then(|| view! {
                <p class="admin__meta">{format!("{} {}", t.csv_ignored, report.ignored_columns.join(", "))}</p>
            })}
            {(!report.errors.is_empty()).then(|| view! {
                <table class="admin__report" data-testid="admin-csv-errors">
                    <thead><tr><th>{t.csv_line}</th><th>{t.csv_column}</th><th>{t.csv_problem}</th></tr></thead>
                    <tbody>
                        {report.errors.into_iter().map(|row| view! {
                            <tr data-testid="admin-csv-error" data-line=row.line.to_string() data-code=row.error.code>
                                <td>{row.line.to_string()}</td>
                                <td>{row.column.unwrap_or_default()}</td>
                                <td>{row.error.text(lang).to_owned()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {can_import.then(|| view! {
                <button class="btn btn--small btn--primary" data-testid="admin-csv-import" on:click=move |_| run(false)>
                    {t.csv_import_go}
                </button>
            })}
        </div>
    }
    .into_any()
}

fn export(state: WidgetState) -> AnyView {
    let failed = RwSignal::new(false);
    let download = move |charset: &'static str| {
        failed.set(false);
        http::download(
            &format!("/api/admin/customers/export?charset={charset}"),
            "customers.csv",
            move |status| {
                failed.set(status != 200);
            },
        );
    };
    view! {
        <div class="admin__form" data-testid="admin-export">
            <h3>{move || t(state).csv_export}</h3>
            <div class="admin__row">
                <button class="btn btn--small" data-testid="admin-export-utf8" on:click=move |_| download("utf-8")>"UTF-8"</button>
                <button class="btn btn--small" data-testid="admin-export-sjis" on:click=move |_| download("shift_jis")>"Shift_JIS (Excel)"</button>
            </div>
            {move || failed.get().then(|| view! { <p class="notice" role="alert">{move || t(state).err_export}</p> })}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{attributes_text, attributes_value};

    #[test]
    fn the_forms_attributes_text_becomes_the_apis_object_and_back() {
        let value = attributes_value(" plan = gold, 区分＝法人、\n tier=2,, note");
        assert_eq!(
            value.to_string(),
            r#"{"plan":"gold","区分":"法人","tier":"2","note":""}"#,
            "an entry without `=` is sent empty, for the worker to refuse on its field"
        );
        let shown = attributes_text(&[
            ("plan".to_owned(), "gold".to_owned()),
            ("区分".to_owned(), "法人".to_owned()),
        ]);
        assert_eq!(shown, "plan=gold, 区分=法人");
        assert_eq!(
            attributes_value(&shown).to_string(),
            r#"{"plan":"gold","区分":"法人"}"#
        );
        assert_eq!(attributes_value("  ").to_string(), "{}");
    }
}
