//! The directory through the admin API: teams, agents and customers (`/api/admin/teams`, …).
//!
//! Each write decodes JSON, validates it in `tsunagu-admin` (every field at once, ja/en
//! messages), checks that the team or agent it names exists, and stores it. Creations answer
//! 201, a taken id is a field error; updates and deletions of unknown ids answer 404.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tsunagu_admin::{Agent, Customer, CustomerSearch, ErrorCode, FieldError, Invalid, Team};
use tsunagu_auth::Permission;
use tsunagu_center::skill_levels;
use tsunagu_core::{AgentId, TenantId};
use worker::{Env, Request, Response};

use crate::{
    auth::{self, Principal},
    error::AppError,
    hub, log,
    routes::admin::json_body,
    store::admin::{self as store, AdminCustomerRow, AgentRow, DirectoryTable, TeamRow},
    store::hub_directory::DirectoryChange,
};

/// `/api/admin/teams/<id>`.
pub(crate) const TEAMS_PREFIX: &str = "/api/admin/teams/";
/// `/api/admin/agents/<id>`.
pub(crate) const AGENTS_PREFIX: &str = "/api/admin/agents/";
/// `/api/admin/customers/<id>`.
pub(crate) const CUSTOMERS_PREFIX: &str = "/api/admin/customers/";

/// The id segment after `prefix`: one non-empty segment, else 404.
pub(crate) fn item<'a>(path: &'a str, prefix: &str) -> Result<&'a str, AppError> {
    path.strip_prefix(prefix)
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .ok_or(AppError::NotFound)
}

async fn reader(req: &Request, env: &Env) -> Result<Principal, AppError> {
    auth::require_principal(req, env, Permission::ReadDirectory).await
}

async fn writer(req: &Request, env: &Env) -> Result<Principal, AppError> {
    auth::require_principal(req, env, Permission::WriteDirectory).await
}

fn created(body: &impl serde::Serialize) -> Result<Response, AppError> {
    Ok(Response::from_json(body)?.with_status(201))
}

fn taken() -> AppError {
    AppError::Invalid(Invalid::one("id", ErrorCode::Taken))
}

fn logged(principal: &Principal, event: &str, id: &str) {
    log::info(
        event,
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("by", principal.actor.as_str().into()),
            ("id", id.into()),
        ],
    );
}

fn deleted(found: bool) -> Result<Response, AppError> {
    if found {
        Ok(Response::from_json(&json!({ "deleted": true }))?)
    } else {
        Err(AppError::NotFound)
    }
}

fn team_json(row: &TeamRow) -> Value {
    json!({ "id": row.id, "name": { "ja": row.name_ja, "en": row.name_en } })
}

pub(crate) async fn teams(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = reader(&req, env).await?;
    let teams = store::teams(env, &principal.tenant).await?;
    let teams: Vec<Value> = teams.iter().map(team_json).collect();
    Ok(Response::from_json(&json!({ "teams": teams }))?)
}

pub(crate) async fn create_team(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let team = Team::validate(&json_body(&mut req).await?, None)?;
    if !store::insert_team(env, &principal.tenant, &team).await? {
        return Err(taken());
    }
    logged(&principal, "admin.team_created", team.id.as_str());
    created(&team)
}

pub(crate) async fn update_team(
    mut req: Request,
    env: &Env,
    path: &str,
) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let team = Team::validate(&json_body(&mut req).await?, Some(item(path, TEAMS_PREFIX)?))?;
    if !store::update_team(env, &principal.tenant, &team).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.team_changed", team.id.as_str());
    Ok(Response::from_json(&team)?)
}

pub(crate) async fn delete_team(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let id = item(path, TEAMS_PREFIX)?;
    if store::team_size(env, &principal.tenant, id).await? > 0 {
        return Err(AppError::Conflict {
            code: "team_not_empty",
            message: "this team still has agents; move them to another team first",
        });
    }
    let found = store::delete_team(env, &principal.tenant, id).await?;
    if found {
        logged(&principal, "admin.team_deleted", id);
    }
    deleted(found)
}

fn agent_json(row: &AgentRow) -> Value {
    let skills: Value = serde_json::from_str(&row.skills_json).unwrap_or_else(|_| json!({}));
    let capacity: Value = serde_json::from_str(&row.capacity_json)
        .unwrap_or_else(|_| json!({ "voice": 1, "chat": 0 }));
    json!({
        "id": row.id,
        "display_name": row.display_name,
        "team": row.team_id,
        "roles": row.roles.split_whitespace().collect::<Vec<_>>(),
        "skills": skills,
        "capacity": capacity,
    })
}

pub(crate) async fn agents(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = reader(&req, env).await?;
    let agents = store::agents(env, &principal.tenant).await?;
    let agents: Vec<Value> = agents.iter().map(agent_json).collect();
    Ok(Response::from_json(&json!({ "agents": agents }))?)
}

/// Refuses a record naming a team or agent the tenant does not have.
async fn must_exist(
    env: &Env,
    tenant: &TenantId,
    table: DirectoryTable,
    id: Option<&str>,
    field: &str,
    code: ErrorCode,
) -> Result<(), AppError> {
    match id {
        Some(id) if !store::exists(env, tenant, table, id).await? => Err(AppError::Invalid(
            Invalid(vec![FieldError::new(field, code)]),
        )),
        _ => Ok(()),
    }
}

pub(crate) async fn create_agent(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let agent = Agent::validate(&json_body(&mut req).await?, None)?;
    let team = agent.team.as_ref().map(|team| team.as_str());
    must_exist(
        env,
        &principal.tenant,
        DirectoryTable::Teams,
        team,
        "team",
        ErrorCode::UnknownTeam,
    )
    .await?;
    if !store::insert_agent(env, &principal.tenant, &agent).await? {
        return Err(taken());
    }
    logged(&principal, "admin.agent_created", agent.id.as_str());
    tell_hub_skills(env, &principal.tenant, &agent.id, &agent.skills).await;
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Agents).await;
    created(&agent)
}

pub(crate) async fn update_agent(
    mut req: Request,
    env: &Env,
    path: &str,
) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let agent = Agent::validate(
        &json_body(&mut req).await?,
        Some(item(path, AGENTS_PREFIX)?),
    )?;
    let team = agent.team.as_ref().map(|team| team.as_str());
    must_exist(
        env,
        &principal.tenant,
        DirectoryTable::Teams,
        team,
        "team",
        ErrorCode::UnknownTeam,
    )
    .await?;
    if !store::update_agent(env, &principal.tenant, &agent).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.agent_changed", agent.id.as_str());
    tell_hub_skills(env, &principal.tenant, &agent.id, &agent.skills).await;
    hub::directory_changed(env, &principal.tenant, DirectoryChange::Agents).await;
    Ok(Response::from_json(&agent)?)
}

pub(crate) async fn delete_agent(
    req: Request,
    env: &Env,
    path: &str,
) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let id = item(path, AGENTS_PREFIX)?;
    let found = store::delete_agent(env, &principal.tenant, id).await?;
    if found {
        logged(&principal, "admin.agent_deleted", id);
        if let Ok(agent) = AgentId::new(id) {
            tell_hub_skills(env, &principal.tenant, &agent, &BTreeMap::new()).await;
        }
        hub::directory_changed(env, &principal.tenant, DirectoryChange::Agents).await;
    }
    deleted(found)
}

/// Tells the tenant's hub an agent's skills as just stored, so calls route by them at once (a
/// signed-in agent would otherwise keep the old ones until they sign in again). D1 has them
/// already: a hub that cannot be reached is logged, not an error, and the agent's next sign-in
/// reads them.
async fn tell_hub_skills(
    env: &Env,
    tenant: &TenantId,
    agent: &AgentId,
    skills: &BTreeMap<String, u32>,
) {
    let skills =
        serde_json::to_string(skills).map_or_else(|_| BTreeMap::new(), |json| skill_levels(&json));
    let request = hub::AgentSkillsRequest {
        agent: agent.clone(),
        skills,
    };
    if let Err(err) = hub::agent_skills(env, tenant, &request).await {
        log::warn(
            "admin.agent_skills_not_pushed",
            &[
                ("tenant", tenant.as_str().into()),
                ("agent", agent.as_str().into()),
                ("detail", err.to_string().into()),
            ],
        );
    }
}

fn customer_json(row: &AdminCustomerRow) -> Value {
    json!({
        "id": row.id,
        "name": row.name,
        "company": row.company,
        "phone": row.phone_e164,
        "owner": row.owner_agent_id,
        "attributes": tsunagu_center::customer_attributes(&row.attributes_json),
    })
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /api/admin/customers?q=&after=&limit=`: a page by id, and the cursor of the next.
pub(crate) async fn customers(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = reader(&req, env).await?;
    let query: SearchQuery = req
        .query()
        .map_err(|_| AppError::BadRequest("malformed query string"))?;
    let search = CustomerSearch::validate(
        query.q.as_deref(),
        query.after.as_deref(),
        query.limit.as_deref(),
    )?;
    let mut rows = store::search_customers(env, &principal.tenant, &search).await?;
    let more = rows.len() > search.limit as usize;
    rows.truncate(search.limit as usize);
    let next = more
        .then(|| rows.last().map(|row| row.id.clone()))
        .flatten();
    let customers: Vec<Value> = rows.iter().map(customer_json).collect();
    Ok(Response::from_json(
        &json!({ "customers": customers, "next_after": next }),
    )?)
}

pub(crate) async fn customer(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let principal = reader(&req, env).await?;
    let row = store::customer(env, &principal.tenant, item(path, CUSTOMERS_PREFIX)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Response::from_json(&customer_json(&row))?)
}

pub(crate) async fn create_customer(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let customer = Customer::validate(&json_body(&mut req).await?, None)?;
    let owner = customer.owner.as_ref().map(|owner| owner.as_str());
    must_exist(
        env,
        &principal.tenant,
        DirectoryTable::Agents,
        owner,
        "owner",
        ErrorCode::UnknownAgent,
    )
    .await?;
    if !store::insert_customer(env, &principal.tenant, &customer).await? {
        return Err(taken());
    }
    logged(&principal, "admin.customer_created", customer.id.as_str());
    customer_changed(env, &principal.tenant, customer.id.as_str()).await;
    created(&customer)
}

pub(crate) async fn update_customer(
    mut req: Request,
    env: &Env,
    path: &str,
) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let customer = Customer::validate(
        &json_body(&mut req).await?,
        Some(item(path, CUSTOMERS_PREFIX)?),
    )?;
    let owner = customer.owner.as_ref().map(|owner| owner.as_str());
    must_exist(
        env,
        &principal.tenant,
        DirectoryTable::Agents,
        owner,
        "owner",
        ErrorCode::UnknownAgent,
    )
    .await?;
    if !store::update_customer(env, &principal.tenant, &customer).await? {
        return Err(AppError::NotFound);
    }
    logged(&principal, "admin.customer_changed", customer.id.as_str());
    customer_changed(env, &principal.tenant, customer.id.as_str()).await;
    Ok(Response::from_json(&customer)?)
}

pub(crate) async fn delete_customer(
    req: Request,
    env: &Env,
    path: &str,
) -> Result<Response, AppError> {
    let principal = writer(&req, env).await?;
    let id = item(path, CUSTOMERS_PREFIX)?;
    let found = store::delete_customer(env, &principal.tenant, id).await?;
    if found {
        logged(&principal, "admin.customer_deleted", id);
        customer_changed(env, &principal.tenant, id).await;
    }
    deleted(found)
}

/// The hub's directory copy re-reads the customer, so the next call from their number sees the
/// change.
async fn customer_changed(env: &Env, tenant: &TenantId, id: &str) {
    let change = DirectoryChange::Customers {
        ids: vec![id.to_owned()],
    };
    hub::directory_changed(env, tenant, change).await;
}
