//! Customers: search, add, CSV import (a dry run that previews every bad row, then the import)
//! and export.

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, form_problem, forms,
    http::{self, Body, segment},
    input,
    replies::{self, Customer, ImportReport, Problem},
    submit, t,
};
use crate::state::WidgetState;

pub(super) fn view(state: WidgetState) -> AnyView {
    view! {
        {search(state)}
        {add_form(state)}
        {csv_import(state)}
        {export(state)}
    }
    .into_any()
}

fn search(state: WidgetState) -> AnyView {
    let form = Form::new();
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<Customer>>);
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
            replies::customer_page,
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
                    {list.into_iter().map(|customer| view! {
                        <li class="admin__item" data-testid="admin-customer" data-id=customer.id>
                            <span><b>{customer.name}</b>{customer.company.map(|c| format!(" · {c}"))}</span>
                            <span class="admin__meta">
                                <span class="tel">{customer.phone}</span>
                                {format!(" · {}", customer.id)}
                                {customer.owner.map(|o| format!(" · {o}"))}
                            </span>
                        </li>
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

fn add_form(state: WidgetState) -> AnyView {
    let form = Form::new();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let added = RwSignal::new(None::<Customer>);
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
        ]);
        form.send(
            "POST",
            "/api/admin/customers",
            Body::Json(body.to_string()),
            |v| replies::object(v, Customer::read),
            move |customer| {
                for field in [id, name, company, phone, owner] {
                    field.set(String::new());
                }
                added.set(Some(customer));
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-customer-form" on:submit=save>
            <h3>{move || t(state).add_customer}</h3>
            {form_problem(state, form, &["id", "name", "company", "phone", "owner"])}
            {input(state, form, |t| t.customer_id, "id", id)}
            {input(state, form, |t| t.customer_name, "name", name)}
            {input(state, form, |t| t.company, "company", company)}
            {input(state, form, |t| t.phone, "phone", phone)}
            {input(state, form, |t| t.owner, "owner", owner)}
            {submit(state, form, |t| t.add, "admin-customer-save")}
            {move || added.get().map(|c| view! {
                <p class="admin__meta" role="status" data-testid="admin-customer-added">
                    {format!("{} {} ({}, {})", t(state).added, c.name, c.id, c.phone)}
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
