//! Business hours: weekly spans in a time zone, national holidays, the year-end closure and
//! one-off closures, written into the tenant's routing settings (`PUT /api/admin/routing`).

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, field_errors, form_problem,
    forms::{DAYS, HoursForm},
    http::Body,
    input, replies, submit, t,
};
use crate::state::WidgetState;

/// The form's fields whose errors show beside them; the rest show atop the form.
const SHOWN: &[&str] = &[
    "hours.time_zone",
    "hours.weekly.mon",
    "hours.weekly.tue",
    "hours.weekly.wed",
    "hours.weekly.thu",
    "hours.weekly.fri",
    "hours.weekly.sat",
    "hours.weekly.sun",
    "hours.closures",
];

pub(super) fn view(state: WidgetState) -> AnyView {
    let form = Form::new();
    // The whole routing object as read: the PUT replaces every field, and only `hours` changes.
    let routing = RwSignal::new(None::<Value>);
    let time_zone = RwSignal::new(String::new());
    let always_open = RwSignal::new(false);
    let days: [RwSignal<String>; 7] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let holidays = RwSignal::new(false);
    let year_end = RwSignal::new(false);
    let closures = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    let show = move |read: &Value| {
        let hours = HoursForm::from_json(read.get("hours").unwrap_or(&Value::Null));
        time_zone.set(hours.time_zone);
        always_open.set(hours.always_open);
        for (signal, text) in days.iter().zip(hours.days) {
            signal.set(text);
        }
        holidays.set(hours.closed_on_national_holidays);
        year_end.set(hours.year_end_closure);
        closures.set(hours.closures);
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
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Some(Value::Object(mut body)) = routing.get_untracked() else {
            return;
        };
        let hours = HoursForm {
            time_zone: time_zone.get_untracked(),
            always_open: always_open.get_untracked(),
            days: days.map(|day| day.get_untracked()),
            closed_on_national_holidays: holidays.get_untracked(),
            year_end_closure: year_end.get_untracked(),
            closures: closures.get_untracked(),
        };
        let json = match hours.to_json() {
            Ok(json) => json,
            Err(errors) => return form.errors.set(errors),
        };
        body.insert("hours".to_owned(), json);
        let body = Value::Object(body).to_string();
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
                    Err(problem) => {
                        let placed = hours.place(problem.fields().to_vec());
                        if placed.is_empty() {
                            form.fail(problem);
                        } else {
                            form.errors.set(placed);
                        }
                    }
                }
            },
        );
    };
    let day_rows = move || {
        DAYS.iter()
            .zip(days)
            .enumerate()
            .map(|(index, (day, value))| {
                let key: &'static str = SHOWN[index + 1];
                view! {
                    <label class="field">
                        <span>{move || t(state).days[index]}</span>
                        <input
                            data-testid=format!("admin-hours-{day}")
                            placeholder="09:00-18:00"
                            prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))
                        />
                        {field_errors(state, form, key)}
                    </label>
                }
            })
            .collect_view()
    };
    // The fields appear once the settings are read, so nothing typed before is overwritten.
    let loaded = move || routing.with(Option::is_some);
    let fields = move || {
        view! {
            {input(state, form, |t| t.time_zone, "hours.time_zone", time_zone)}
            <label class="admin__check">
                <input type="checkbox" data-testid="admin-hours-always" prop:checked=move || always_open.get()
                    on:change=move |ev| always_open.set(super::js::checked(&ev)) />
                <span>{move || t(state).always_open}</span>
            </label>
            <Show when=move || !always_open.get()>
                <p class="admin__meta">{move || t(state).hours_hint}</p>
                {day_rows()}
            </Show>
            <label class="admin__check">
                <input type="checkbox" data-testid="admin-hours-holidays" prop:checked=move || holidays.get()
                    on:change=move |ev| holidays.set(super::js::checked(&ev)) />
                <span>{move || t(state).closed_on_holidays}</span>
            </label>
            <label class="admin__check">
                <input type="checkbox" data-testid="admin-hours-year-end" prop:checked=move || year_end.get()
                    on:change=move |ev| year_end.set(super::js::checked(&ev)) />
                <span>{move || t(state).year_end_closure}</span>
            </label>
            <label class="field">
                <span>{move || t(state).closures}</span>
                <textarea data-testid="admin-hours-closures" rows="3" placeholder="2026-08-13 2026-08-16 夏季休業"
                    prop:value=move || closures.get() on:input=move |ev| closures.set(event_target_value(&ev))></textarea>
                {field_errors(state, form, "hours.closures")}
            </label>
            {submit(state, form, |t| t.save, "admin-hours-save")}
        }
    };
    view! {
        <form class="admin__form" data-testid="admin-hours-form" data-loaded=move || loaded().to_string() on:submit=save>
            <h3>{move || t(state).section_hours}</h3>
            {form_problem(state, form, SHOWN)}
            <Show when=loaded fallback=|| view! { <p class="admin__meta">"…"</p> }>{fields()}</Show>
            {move || saved.get().then(|| view! { <p class="admin__meta" role="status" data-testid="admin-hours-saved">{move || t(state).saved}</p> })}
        </form>
    }
    .into_any()
}
