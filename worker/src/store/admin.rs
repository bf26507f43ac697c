//! D1 access for the admin API: tenant settings, the directory (teams, agents, customers) and
//! API keys. Writes report how many rows they changed, so a route can tell "not found" apart.

use serde::Deserialize;
use tsunagu_admin::{Agent, Customer, CustomerSearch, PhoneLine, Team, TenantSettings, TwilioSids};
use tsunagu_core::TenantId;
use worker::{D1PreparedStatement, Env, wasm_bindgen::JsValue};

use super::{DB, millis, opt_text, text};
use crate::error::AppError;

/// Runs one statement and answers how many rows it changed.
async fn changes(statement: D1PreparedStatement) -> Result<usize, AppError> {
    let result = statement.run().await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// Runs statements in one transaction and answers how many rows the last one changed.
async fn batch_changes(env: &Env, statements: Vec<D1PreparedStatement>) -> Result<usize, AppError> {
    let results = env.d1(DB)?.batch(statements).await?;
    Ok(results
        .last()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0))
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SettingsRow {
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
    pub(crate) allowed_origins: String,
    pub(crate) voice_edge: String,
    pub(crate) supervisor_reach: String,
    #[serde(default)]
    pub(crate) crm_lookup_url: Option<String>,
    pub(crate) session_lifetime_secs: u32,
}

pub(crate) async fn settings(env: &Env, tenant: &TenantId) -> Result<SettingsRow, AppError> {
    env.d1(DB)?
        .prepare(
            "SELECT name_ja, name_en, allowed_origins, voice_edge, supervisor_reach, crm_lookup_url,
                    session_lifetime_secs
             FROM tenants WHERE id = ?1",
        )
        .bind(&[text(tenant.as_str())])?
        .first::<SettingsRow>(None)
        .await?
        .ok_or(AppError::UnknownTenant)
}

pub(crate) async fn put_settings(
    env: &Env,
    tenant: &TenantId,
    settings: &TenantSettings,
) -> Result<(), AppError> {
    let reach = match settings.supervisor_reach {
        tsunagu_auth::SupervisorReach::Teams => "teams",
        tsunagu_auth::SupervisorReach::Tenant => "tenant",
    };
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE tenants SET name_ja = ?2, name_en = ?3, allowed_origins = ?4, voice_edge = ?5,
                supervisor_reach = ?6, crm_lookup_url = ?7,
                session_lifetime_secs = COALESCE(?8, session_lifetime_secs)
             WHERE id = ?1",
        )
        .bind(&[
            text(tenant.as_str()),
            text(&settings.name.ja),
            text(&settings.name.en),
            text(&settings.allowed_origins.join(" ")),
            text(settings.voice_edge.as_str()),
            text(reach),
            opt_text(settings.crm_lookup_url.as_deref()),
            settings
                .session_lifetime_minutes
                .map_or(JsValue::NULL, |minutes| JsValue::from(minutes * 60)),
        ])?;
    match changes(statement).await? {
        0 => Err(AppError::UnknownTenant),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TeamRow {
    pub(crate) id: String,
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
}

pub(crate) async fn teams(env: &Env, tenant: &TenantId) -> Result<Vec<TeamRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare("SELECT id, name_ja, name_en FROM teams WHERE tenant_id = ?1 ORDER BY id")
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<TeamRow>()?)
}

/// Creates a team; `false` when the id is taken.
pub(crate) async fn insert_team(
    env: &Env,
    tenant: &TenantId,
    team: &Team,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "INSERT INTO teams (tenant_id, id, name_ja, name_en) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )
        .bind(&[
            text(tenant.as_str()),
            text(team.id.as_str()),
            text(&team.name.ja),
            text(&team.name.en),
        ])?;
    Ok(changes(statement).await? > 0)
}

/// Renames a team; `false` when there is no such team.
pub(crate) async fn update_team(
    env: &Env,
    tenant: &TenantId,
    team: &Team,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare("UPDATE teams SET name_ja = ?3, name_en = ?4 WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[
            text(tenant.as_str()),
            text(team.id.as_str()),
            text(&team.name.ja),
            text(&team.name.en),
        ])?;
    Ok(changes(statement).await? > 0)
}

/// How many agents a team has (a team with members cannot be deleted).
pub(crate) async fn team_size(env: &Env, tenant: &TenantId, team: &str) -> Result<u32, AppError> {
    Ok(env
        .d1(DB)?
        .prepare("SELECT COUNT(*) AS n FROM agents WHERE tenant_id = ?1 AND team_id = ?2")
        .bind(&[text(tenant.as_str()), text(team)])?
        .first::<u32>(Some("n"))
        .await?
        .unwrap_or(0))
}

pub(crate) async fn delete_team(
    env: &Env,
    tenant: &TenantId,
    team: &str,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare("DELETE FROM teams WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[text(tenant.as_str()), text(team)])?;
    Ok(changes(statement).await? > 0)
}

/// Whether the tenant has this team / agent (checked before a write names it).
pub(crate) async fn exists(
    env: &Env,
    tenant: &TenantId,
    table: DirectoryTable,
    id: &str,
) -> Result<bool, AppError> {
    let sql = match table {
        DirectoryTable::Teams => "SELECT 1 AS found FROM teams WHERE tenant_id = ?1 AND id = ?2",
        DirectoryTable::Agents => "SELECT 1 AS found FROM agents WHERE tenant_id = ?1 AND id = ?2",
    };
    Ok(env
        .d1(DB)?
        .prepare(sql)
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<u32>(Some("found"))
        .await?
        .is_some())
}

/// The directory tables a write may name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DirectoryTable {
    Teams,
    Agents,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AgentRow {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) team_id: Option<String>,
    pub(crate) roles: String,
    pub(crate) skills_json: String,
    pub(crate) capacity_json: String,
}

const AGENT_COLUMNS: &str = "id, display_name, team_id, roles, skills_json, capacity_json";

pub(crate) async fn agents(env: &Env, tenant: &TenantId) -> Result<Vec<AgentRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE tenant_id = ?1 ORDER BY id"
        ))
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<AgentRow>()?)
}

fn agent_values(tenant: &TenantId, agent: &Agent) -> Result<Vec<JsValue>, AppError> {
    Ok(vec![
        text(tenant.as_str()),
        text(agent.id.as_str()),
        text(&agent.display_name),
        opt_text(agent.team.as_ref().map(|team| team.as_str())),
        text(&agent.roles_column()),
        text(&serde_json::to_string(&agent.skills).map_err(|e| AppError::Internal(e.to_string()))?),
        text(
            &serde_json::to_string(&agent.capacity)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        ),
    ])
}

/// Creates an agent; `false` when the id is taken.
pub(crate) async fn insert_agent(
    env: &Env,
    tenant: &TenantId,
    agent: &Agent,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "INSERT INTO agents (tenant_id, id, display_name, team_id, roles, skills_json, capacity_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        )
        .bind(&agent_values(tenant, agent)?)?;
    Ok(changes(statement).await? > 0)
}

/// Replaces an agent's record; `false` when there is no such agent.
pub(crate) async fn update_agent(
    env: &Env,
    tenant: &TenantId,
    agent: &Agent,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE agents SET display_name = ?3, team_id = ?4, roles = ?5, skills_json = ?6,
                capacity_json = ?7
             WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&agent_values(tenant, agent)?)?;
    Ok(changes(statement).await? > 0)
}

/// Deletes an agent; the customers they owned keep their records without an owner.
pub(crate) async fn delete_agent(
    env: &Env,
    tenant: &TenantId,
    agent: &str,
) -> Result<bool, AppError> {
    let db = env.d1(DB)?;
    let statements = vec![
        db.prepare(
            "UPDATE customers SET owner_agent_id = NULL WHERE tenant_id = ?1 AND owner_agent_id = ?2",
        )
        .bind(&[text(tenant.as_str()), text(agent)])?,
        db.prepare("DELETE FROM agents WHERE tenant_id = ?1 AND id = ?2")
            .bind(&[text(tenant.as_str()), text(agent)])?,
    ];
    Ok(batch_changes(env, statements).await? > 0)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AdminCustomerRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: String,
    pub(crate) phone_e164: String,
    pub(crate) owner_agent_id: Option<String>,
    /// `customers.attributes_json` (a JSON object; `tsunagu_center::customer_attributes`).
    #[serde(default = "super::no_attributes")]
    pub(crate) attributes_json: String,
}

/// A page of customers matching `search`, by id, one more than the limit (to tell whether a
/// next page exists).
pub(crate) async fn search_customers(
    env: &Env,
    tenant: &TenantId,
    search: &CustomerSearch,
) -> Result<Vec<AdminCustomerRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id, name, company, phone_e164, owner_agent_id, attributes_json FROM customers
             WHERE tenant_id = ?1
               AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR company LIKE ?2 ESCAPE '\\'
                    OR id LIKE ?2 ESCAPE '\\' OR phone_e164 = ?3)
               AND (?4 IS NULL OR id > ?4)
             ORDER BY id LIMIT ?5",
        )
        .bind(&[
            text(tenant.as_str()),
            opt_text(search.like_prefix().as_deref()),
            opt_text(search.phone.as_deref()),
            opt_text(search.after.as_deref()),
            JsValue::from(search.limit + 1),
        ])?
        .all()
        .await?;
    Ok(result.results::<AdminCustomerRow>()?)
}

pub(crate) async fn customer(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<AdminCustomerRow>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(
            "SELECT id, name, company, phone_e164, owner_agent_id, attributes_json FROM customers
             WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<AdminCustomerRow>(None)
        .await?)
}

fn customer_values(tenant: &TenantId, customer: &Customer) -> Result<Vec<JsValue>, AppError> {
    Ok(vec![
        text(tenant.as_str()),
        text(customer.id.as_str()),
        text(&customer.name),
        text(&customer.company),
        text(&customer.phone),
        opt_text(customer.owner.as_ref().map(|owner| owner.as_str())),
        text(&super::customer_csv::attributes_json(customer)?),
    ])
}

/// Creates a customer; `false` when the id is taken.
pub(crate) async fn insert_customer(
    env: &Env,
    tenant: &TenantId,
    customer: &Customer,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "INSERT INTO customers
               (tenant_id, id, name, company, phone_e164, owner_agent_id, attributes_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        )
        .bind(&customer_values(tenant, customer)?)?;
    Ok(changes(statement).await? > 0)
}

/// Replaces a customer's record; `false` when there is no such customer.
pub(crate) async fn update_customer(
    env: &Env,
    tenant: &TenantId,
    customer: &Customer,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE customers SET name = ?3, company = ?4, phone_e164 = ?5, owner_agent_id = ?6,
               attributes_json = ?7
             WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&customer_values(tenant, customer)?)?;
    Ok(changes(statement).await? > 0)
}

pub(crate) async fn delete_customer(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare("DELETE FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[text(tenant.as_str()), text(id)])?;
    Ok(changes(statement).await? > 0)
}

/// An API key as stored (the hash never leaves the worker).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ApiKeyRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scopes: String,
    pub(crate) secret_sha256: String,
    pub(crate) created_by: String,
    pub(crate) created_at_ms: u64,
    pub(crate) last_used_at_ms: Option<u64>,
    pub(crate) revoked_at_ms: Option<u64>,
}

const API_KEY_COLUMNS: &str = "id, name, scopes, secret_sha256, created_by, created_at_ms,
    last_used_at_ms, revoked_at_ms";

/// A new key to store.
pub(crate) struct NewApiKey<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) scopes: &'a str,
    pub(crate) secret_sha256: &'a str,
    pub(crate) created_by: &'a str,
    pub(crate) created_at_ms: u64,
}

pub(crate) async fn insert_api_key(
    env: &Env,
    tenant: &TenantId,
    key: &NewApiKey<'_>,
) -> Result<(), AppError> {
    env.d1(DB)?
        .prepare(
            "INSERT INTO api_keys (tenant_id, id, name, scopes, secret_sha256, created_by, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            text(tenant.as_str()),
            text(key.id),
            text(key.name),
            text(key.scopes),
            text(key.secret_sha256),
            text(key.created_by),
            millis(key.created_at_ms),
        ])?
        .run()
        .await?;
    Ok(())
}

pub(crate) async fn api_keys(env: &Env, tenant: &TenantId) -> Result<Vec<ApiKeyRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = ?1 ORDER BY created_at_ms, id"
        ))
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<ApiKeyRow>()?)
}

pub(crate) async fn api_key(
    env: &Env,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<ApiKeyRow>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = ?1 AND id = ?2"
        ))
        .bind(&[text(tenant.as_str()), text(id)])?
        .first::<ApiKeyRow>(None)
        .await?)
}

/// Revokes a key (idempotent); `false` when there is no such key.
pub(crate) async fn revoke_api_key(
    env: &Env,
    tenant: &TenantId,
    id: &str,
    now_ms: u64,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, ?3)
             WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&[text(tenant.as_str()), text(id), millis(now_ms)])?;
    Ok(changes(statement).await? > 0)
}

/// Records a use of a key, unless one was recorded less than `min_gap_ms` ago (the condition is
/// in SQL too, so concurrent requests write at most once per gap).
pub(crate) async fn touch_api_key(
    env: &Env,
    tenant: &TenantId,
    id: &str,
    now_ms: u64,
    min_gap_ms: u64,
) -> Result<(), AppError> {
    env.d1(DB)?
        .prepare(
            "UPDATE api_keys SET last_used_at_ms = ?3
             WHERE tenant_id = ?1 AND id = ?2 AND (last_used_at_ms IS NULL OR last_used_at_ms <= ?4)",
        )
        .bind(&[
            text(tenant.as_str()),
            text(id),
            millis(now_ms),
            millis(now_ms.saturating_sub(min_gap_ms)),
        ])?
        .run()
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PhoneLineAdminRow {
    pub(crate) e164: String,
    pub(crate) kind: String,
    pub(crate) announce_e164: Option<String>,
    pub(crate) required_skills_json: String,
    pub(crate) priority: u32,
    pub(crate) skill_relax_after_secs: u32,
    /// The line's own hours (the admin API's `hours` shape), if it keeps any.
    #[serde(default)]
    pub(crate) hours_json: Option<String>,
    #[serde(default)]
    pub(crate) queue_id: Option<String>,
    #[serde(default)]
    pub(crate) after_hours_json: Option<String>,
}

/// A line's columns after the number and the tenant, as `insert_phone_line` and
/// `update_phone_line` bind them (?3 onwards).
fn line_values(tenant: &TenantId, line: &PhoneLine) -> Result<Vec<JsValue>, AppError> {
    Ok(vec![
        text(&line.number),
        text(tenant.as_str()),
        text(line.kind.as_str()),
        opt_text(line.announce.as_deref()),
        text(
            &serde_json::to_string(&line.required_skills)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        JsValue::from(line.priority),
        JsValue::from(line.skill_relax_after_secs),
        match &line.hours {
            Some(hours) => {
                text(&serde_json::to_string(hours).map_err(|e| AppError::Internal(e.to_string()))?)
            }
            None => JsValue::NULL,
        },
        opt_text(line.queue.as_deref()),
        match &line.after_hours {
            Some(rule) => {
                text(&serde_json::to_string(rule).map_err(|e| AppError::Internal(e.to_string()))?)
            }
            None => JsValue::NULL,
        },
    ])
}

pub(crate) async fn phone_lines(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<PhoneLineAdminRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT e164, kind, announce_e164, required_skills_json, priority, skill_relax_after_secs,
                    hours_json, queue_id, after_hours_json
             FROM phone_lines WHERE tenant_id = ?1 ORDER BY e164",
        )
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<PhoneLineAdminRow>()?)
}

/// Adds a line; `false` when the number is already a line (of any tenant: a number rings one
/// tenant only).
pub(crate) async fn insert_phone_line(
    env: &Env,
    tenant: &TenantId,
    line: &PhoneLine,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "INSERT INTO phone_lines (e164, tenant_id, kind, announce_e164, required_skills_json,
                priority, skill_relax_after_secs, hours_json, queue_id, after_hours_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
        )
        .bind(&line_values(tenant, line)?)?;
    Ok(changes(statement).await? > 0)
}

/// Changes a line of the tenant; `false` when it has no such line.
pub(crate) async fn update_phone_line(
    env: &Env,
    tenant: &TenantId,
    line: &PhoneLine,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE phone_lines SET kind = ?3, announce_e164 = ?4, required_skills_json = ?5,
                priority = ?6, skill_relax_after_secs = ?7, hours_json = ?8, queue_id = ?9,
                after_hours_json = ?10
             WHERE e164 = ?1 AND tenant_id = ?2",
        )
        .bind(&line_values(tenant, line)?)?;
    Ok(changes(statement).await? > 0)
}

pub(crate) async fn delete_phone_line(
    env: &Env,
    tenant: &TenantId,
    e164: &str,
) -> Result<bool, AppError> {
    let statement = env
        .d1(DB)?
        .prepare("DELETE FROM phone_lines WHERE e164 = ?1 AND tenant_id = ?2")
        .bind(&[text(e164), text(tenant.as_str())])?;
    Ok(changes(statement).await? > 0)
}

/// The tenant's Twilio identifiers (`GET /api/admin/twilio`).
pub(crate) async fn twilio_sids(env: &Env, tenant: &TenantId) -> Result<TwilioSids, AppError> {
    #[derive(Deserialize)]
    struct Row {
        twilio_account_sid: Option<String>,
        twilio_api_key_sid: Option<String>,
        twilio_twiml_app_sid: Option<String>,
    }
    let row = env
        .d1(DB)?
        .prepare(
            "SELECT twilio_account_sid, twilio_api_key_sid, twilio_twiml_app_sid
             FROM tenants WHERE id = ?1",
        )
        .bind(&[text(tenant.as_str())])?
        .first::<Row>(None)
        .await?
        .ok_or(AppError::UnknownTenant)?;
    Ok(TwilioSids {
        account_sid: row.twilio_account_sid,
        api_key_sid: row.twilio_api_key_sid,
        twiml_app_sid: row.twilio_twiml_app_sid,
    })
}

/// Replaces the tenant's Twilio identifiers (their secrets are tenant secrets, apart).
pub(crate) async fn put_twilio_sids(
    env: &Env,
    tenant: &TenantId,
    sids: &TwilioSids,
) -> Result<(), AppError> {
    let statement = env
        .d1(DB)?
        .prepare(
            "UPDATE tenants SET twilio_account_sid = ?2, twilio_api_key_sid = ?3,
                twilio_twiml_app_sid = ?4
             WHERE id = ?1",
        )
        .bind(&[
            text(tenant.as_str()),
            opt_text(sids.account_sid.as_deref()),
            opt_text(sids.api_key_sid.as_deref()),
            opt_text(sids.twiml_app_sid.as_deref()),
        ])?;
    match changes(statement).await? {
        0 => Err(AppError::UnknownTenant),
        _ => Ok(()),
    }
}
