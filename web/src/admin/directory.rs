//! The directory: teams (list, add) and agents (list, add, edit name, team, roles and skills).

use leptos::prelude::*;
use tsunagu_protocol::json::Value;

use super::{
    Form, checkboxes, field_errors, form_problem,
    forms::{self, ROLES},
    http::{Body, segment},
    input,
    replies::{self, Agent, Team},
    submit, t,
};
use crate::{i18n::Lang, state::WidgetState};

pub(super) fn view(state: WidgetState) -> AnyView {
    let teams = RwSignal::new(Vec::<Team>::new());
    let agents = RwSignal::new(Vec::<Agent>::new());
    let loading = Form::new();
    let reload = move || {
        loading.send(
            "GET",
            "/api/admin/teams",
            Body::None,
            |v| replies::list(v, "teams", Team::read),
            move |list| teams.set(list),
        );
        loading.send(
            "GET",
            "/api/admin/agents",
            Body::None,
            |v| replies::list(v, "agents", Agent::read),
            move |list| agents.set(list),
        );
    };
    reload();
    let editing = RwSignal::new(None::<String>);
    let team_name = move |id: &str| {
        let lang = state.lang.get();
        teams.with(|teams| {
            teams.iter().find(|team| team.id == id).map_or_else(
                || id.to_owned(),
                |team| match lang {
                    Lang::Ja => team.ja.clone(),
                    Lang::En => team.en.clone(),
                },
            )
        })
    };
    view! {
        {form_problem(state, loading, &[])}
        <h3>{move || t(state).teams}</h3>
        <ul class="admin__list" data-testid="admin-teams">
            {move || {
                let lang = state.lang.get();
                teams.get().into_iter().map(|team| {
                    let name = match lang { Lang::Ja => team.ja, Lang::En => team.en };
                    view! {
                        <li class="admin__item" data-testid="admin-team" data-id=team.id>
                            <span>{name} <span class="admin__meta">{format!(" ({})", team.id)}</span></span>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        {team_form(state, teams)}
        <h3>{move || t(state).agents}</h3>
        <ul class="admin__list" data-testid="admin-agents">
            {move || agents.get().into_iter().map(|agent| {
                let id = agent.id.clone();
                let shown = id.clone();
                let editing_this = move || editing.get().as_deref() == Some(shown.as_str());
                let item_id = id.clone();
                let team = agent.team.clone().map(|team| team_name(&team));
                let skills = forms::skills_text(&agent.skills);
                let roles = agent.roles.join(", ");
                let edited = agent.clone();
                view! {
                    <li class="admin__item" data-testid="admin-agent" data-id=item_id>
                        <span><b>{agent.name.clone()}</b> <span class="admin__meta">{format!(" ({})", agent.id)}</span></span>
                        <span class="admin__meta">
                            {move || t(state).team} ": " {team.unwrap_or_else(|| "—".to_owned())} " · "
                            {move || t(state).roles} ": " {roles}
                            {(!skills.is_empty()).then(|| format!(" · {skills}"))}
                        </span>
                        <Show
                            when=editing_this
                            fallback=move || {
                                let id = id.clone();
                                view! {
                                    <button class="btn btn--small" data-testid="admin-agent-edit" on:click=move |_| editing.set(Some(id.clone()))>
                                        {move || t(state).edit}
                                    </button>
                                }
                            }
                        >
                            {agent_form(state, teams, Some(edited.clone()), move |saved| {
                                agents.update(|list| {
                                    if let Some(slot) = list.iter_mut().find(|a| a.id == saved.id) {
                                        *slot = saved;
                                    }
                                });
                                editing.set(None);
                            })}
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ul>
        <h3>{move || t(state).add_agent}</h3>
        {agent_form(state, teams, None, move |created| agents.update(|list| list.push(created)))}
    }
    .into_any()
}

fn team_form(state: WidgetState, teams: RwSignal<Vec<Team>>) -> AnyView {
    let form = Form::new();
    let id = RwSignal::new(String::new());
    let ja = RwSignal::new(String::new());
    let en = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Value::object([
            ("id", Value::from(id.get_untracked().trim())),
            (
                "name",
                Value::object([
                    ("ja", Value::from(ja.get_untracked().trim())),
                    ("en", Value::from(en.get_untracked().trim())),
                ]),
            ),
        ]);
        form.send(
            "POST",
            "/api/admin/teams",
            Body::Json(body.to_string()),
            |v| replies::object(v, Team::read),
            move |team| {
                teams.update(|list| list.push(team));
                id.set(String::new());
                ja.set(String::new());
                en.set(String::new());
            },
        );
    };
    view! {
        <form class="admin__form" data-testid="admin-team-form" on:submit=save>
            <h3>{move || t(state).add_team}</h3>
            {form_problem(state, form, &["id", "name"])}
            {input(state, form, |t| t.team_id, "id", id)}
            {input(state, form, |t| t.name_ja, "name.ja", ja)}
            {input(state, form, |t| t.name_en, "name.en", en)}
            {field_errors(state, form, "name")}
            {submit(state, form, |t| t.add, "admin-team-save")}
        </form>
    }
    .into_any()
}

/// The form for a new agent (`existing` none) or an agent's edit; `saved` gets the stored agent.
fn agent_form(
    state: WidgetState,
    teams: RwSignal<Vec<Team>>,
    existing: Option<Agent>,
    saved: impl Fn(Agent) + Clone + Send + Sync + 'static,
) -> AnyView {
    let form = Form::new();
    let is_new = existing.is_none();
    let id = RwSignal::new(existing.as_ref().map(|a| a.id.clone()).unwrap_or_default());
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    );
    let team = RwSignal::new(
        existing
            .as_ref()
            .and_then(|a| a.team.clone())
            .unwrap_or_default(),
    );
    let roles = RwSignal::new(
        existing
            .as_ref()
            .map_or_else(|| vec!["agent".to_owned()], |a| a.roles.clone()),
    );
    let skills = RwSignal::new(
        existing
            .as_ref()
            .map(|a| forms::skills_text(&a.skills))
            .unwrap_or_default(),
    );
    let record = StoredValue::new(existing.map(|a| a.record).unwrap_or_default());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let skill_levels = match forms::skills(&skills.get_untracked()) {
            Ok(levels) => levels,
            Err(error) => return form.errors.set(vec![error]),
        };
        // An edit sends back what it does not show (capacity) as it was read.
        let mut body = record.get_value();
        let agent_id = id.get_untracked().trim().to_owned();
        body.insert("id".to_owned(), Value::from(agent_id.as_str()));
        body.insert(
            "display_name".to_owned(),
            Value::from(name.get_untracked().trim()),
        );
        body.insert(
            "team".to_owned(),
            Value::from(forms::optional(&team.get_untracked())),
        );
        body.insert(
            "roles".to_owned(),
            forms::chosen(&ROLES, &roles.get_untracked()),
        );
        body.insert("skills".to_owned(), skill_levels);
        let (method, path) = if is_new {
            ("POST", "/api/admin/agents".to_owned())
        } else {
            ("PUT", format!("/api/admin/agents/{}", segment(&agent_id)))
        };
        let saved = saved.clone();
        form.send(
            method,
            &path,
            Body::Json(Value::Object(body).to_string()),
            |v| replies::object(v, Agent::read),
            move |agent| {
                if is_new {
                    id.set(String::new());
                    name.set(String::new());
                    skills.set(String::new());
                }
                saved(agent);
            },
        );
    };
    view! {
        <form class="admin__form" data-testid=if is_new { "admin-agent-form" } else { "admin-agent-edit-form" } on:submit=save>
            {form_problem(state, form, &["id", "display_name", "team", "roles", "skills"])}
            {is_new.then(|| input(state, form, |t| t.agent_id, "id", id))}
            {input(state, form, |t| t.display_name, "display_name", name)}
            <label class="field">
                <span>{move || t(state).team}</span>
                <select data-testid="admin-input-team" prop:value=move || team.get() on:change=move |ev| team.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || {
                        let lang = state.lang.get();
                        let current = team.get_untracked();
                        teams.get().into_iter().map(|option| {
                            let label = match lang { Lang::Ja => option.ja, Lang::En => option.en };
                            let selected = option.id == current;
                            view! { <option value=option.id selected=selected>{label}</option> }
                        }).collect_view()
                    }}
                </select>
                {field_errors(state, form, "team")}
            </label>
            <fieldset class="field">
                <legend>{move || t(state).roles}</legend>
                {checkboxes(&ROLES, roles, "admin-role")}
                {field_errors(state, form, "roles")}
            </fieldset>
            {input(state, form, |t| t.skills, "skills", skills)}
            {submit(state, form, |t| t.save, "admin-agent-save")}
        </form>
    }
    .into_any()
}
