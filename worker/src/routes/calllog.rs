//! The call log: `GET /api/conversations` (search, paged), one conversation, and `GET /api/kpi`.
//!
//! The tenant is always the caller's own (a session's, or an API key's): no parameter can name
//! another tenant, so a token of tenant A cannot read tenant B by construction. Within the
//! tenant, the session's roles decide whose conversations, notes and KPIs it reads
//! (`tsunagu_auth::LogScope`): an agent their own, a supervisor their teams' (or the tenant's, by
//! the tenant's setting), an admin everything; so does an API key with `conversations:read`.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::Value;
use tsunagu_auth::{LogScope, Permission};
use tsunagu_core::{AgentId, TenantId};
use tsunagu_kpi::{GroupBy, GroupKey, KpiConfig, PresenceInterval};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_stitch::{Conversation, RoutingDecision};
use worker::{Env, Request, Response};

use crate::{
    auth::{self, Principal},
    clock,
    error::AppError,
    store::{self, ScopeFilter, TenantRow},
    tenant_config,
};

/// At most this many conversations per search page.
const MAX_PAGE: u32 = 200;
/// At most this many conversations feed one KPI report (a day of a large tenant).
const MAX_KPI_CONVERSATIONS: u32 = 20_000;
/// A KPI window longer than this is refused (it would not fit the Worker's CPU budget).
const MAX_KPI_WINDOW_MS: u64 = 31 * 24 * 60 * 60 * 1000;

#[derive(Deserialize)]
struct SearchQuery {
    /// A phone number in any common format (03-…, 090…, +81…).
    number: Option<String>,
    customer: Option<String>,
    agent: Option<String>,
    /// Unix milliseconds, inclusive.
    from: Option<u64>,
    /// Unix milliseconds, exclusive.
    to: Option<u64>,
    limit: Option<u32>,
    /// The `next` of the previous page.
    cursor: Option<String>,
}

/// Whose log `principal` (a session, or an API key: the whole tenant) reads, the same as SQL
/// filters, and the tenant's row (its settings say the time zone of the routing audit).
async fn scope_of(
    env: &Env,
    principal: &Principal,
) -> Result<(LogScope, ScopeFilter, TenantRow), AppError> {
    let tenant = store::tenant(env, &principal.tenant).await?;
    let reach = tenant.supervisor_reach;
    let scope = principal
        .log_scope(reach)
        .ok_or(AppError::MissingRole(Permission::ReadLog))?;
    let filter = match &scope {
        LogScope::Tenant => ScopeFilter::default(),
        LogScope::Own(agent) => ScopeFilter {
            agent: Some(agent.as_str().to_owned()),
            teams_json: None,
        },
        LogScope::Teams { teams, own } => ScopeFilter {
            agent: Some(own.as_str().to_owned()),
            teams_json: Some(
                serde_json::to_string(&teams.iter().map(|t| t.as_str()).collect::<Vec<_>>())
                    .map_err(|e| AppError::Internal(format!("teams: {e}")))?,
            ),
        },
    };
    Ok((scope, filter, tenant))
}

/// The routing audit of a stored conversation as `principal` may read it. Agents do not see it
/// (it names colleagues and why they were skipped); supervisors, admins and API keys with
/// `conversations:read` get each decision with its Japanese and English text beside the
/// structured explanation, clock times in the tenant's time zone (English: UTC, as in the logs).
fn present_routing(conversation: &mut Value, principal: &Principal, tenant: &TenantRow) {
    let Some(fields) = conversation.as_object_mut() else {
        return;
    };
    if !principal.permits(Permission::ReadRoutingAudit) {
        fields.remove("routing");
        return;
    }
    let Some(Value::Array(decisions)) = fields.get_mut("routing") else {
        return;
    };
    let calendar = tenant_config::parse_row(tenant)
        .ok()
        .map(|config| config.hours);
    for decision in decisions.iter_mut() {
        let Ok(parsed) = serde_json::from_value::<RoutingDecision>(decision.clone()) else {
            continue;
        };
        let offset = calendar.as_ref().map_or(JAPAN_UTC_OFFSET_MINUTES, |c| {
            c.utc_offset_minutes(parsed.at)
        });
        if let Some(item) = decision.as_object_mut() {
            item.insert("ja".into(), parsed.explanation.ja(offset).into());
            item.insert("en".into(), parsed.explanation.to_string().into());
        }
    }
}

/// Japan's offset, for a tenant whose settings cannot be read.
const JAPAN_UTC_OFFSET_MINUTES: i32 = 540;

/// The agents a conversation names: who answered, every agent offered it, who transferred it
/// and to whom.
fn agents_named(conversation: &Value) -> Vec<&str> {
    let list = |key: &str| {
        conversation
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    let named = std::iter::once(conversation.get("answered_by"))
        .chain(list("agent_legs").map(|leg| leg.get("agent")))
        .chain(list("transfers").flat_map(|transfer| {
            [
                transfer.get("from_agent"),
                transfer.get("to").and_then(|to| to.get("agent")),
            ]
        }));
    named.flatten().filter_map(Value::as_str).collect()
}

/// Adds what people read beside a conversation's ids: `customer_name` (the directory's, when
/// it lists the customer), `agent_names` (id → display name of every agent it names and the
/// directory lists; absent when there is none) and `customer_display` (the number as a
/// Japanese agent reads it: national for Japanese numbers). One D1 query for the whole page.
async fn present_people(
    env: &Env,
    tenant: &TenantId,
    conversations: &mut [Value],
) -> Result<(), AppError> {
    let mut agents: Vec<String> = Vec::new();
    let mut customers: Vec<String> = Vec::new();
    for conversation in conversations.iter() {
        agents.extend(agents_named(conversation).into_iter().map(str::to_owned));
        if let Some(customer) = conversation.get("customer").and_then(Value::as_str) {
            customers.push(customer.to_owned());
        }
    }
    agents.sort_unstable();
    agents.dedup();
    customers.sort_unstable();
    customers.dedup();
    let names = if agents.is_empty() && customers.is_empty() {
        Vec::new()
    } else {
        let json = |ids: &[String]| {
            serde_json::to_string(ids).map_err(|e| AppError::Internal(format!("ids: {e}")))
        };
        store::names::names(env, tenant, &json(&agents)?, &json(&customers)?).await?
    };
    let name_of = |kind: &str, id: &str| {
        names
            .iter()
            .find(|row| row.kind == kind && row.id == id)
            .map(|row| row.name.clone())
    };
    for conversation in conversations.iter_mut() {
        let agent_names: serde_json::Map<String, Value> = agents_named(conversation)
            .into_iter()
            .filter_map(|agent| Some((agent.to_owned(), Value::from(name_of("agent", agent)?))))
            .collect();
        let customer_name = conversation
            .get("customer")
            .and_then(Value::as_str)
            .and_then(|customer| name_of("customer", customer));
        let customer_display = conversation
            .get("customer_number")
            .and_then(Value::as_str)
            .and_then(|number| PhoneNumber::from_e164(number).ok())
            .map(|number| number.display_in_japan().to_owned());
        let Some(fields) = conversation.as_object_mut() else {
            continue;
        };
        if !agent_names.is_empty() {
            fields.insert("agent_names".into(), Value::Object(agent_names));
        }
        if let Some(name) = customer_name {
            fields.insert("customer_name".into(), name.into());
        }
        if let Some(display) = customer_display {
            fields.insert("customer_display".into(), display.into());
        }
    }
    Ok(())
}

/// The IANA time zone of the tenant's business calendar (the clock times of the audit's
/// Japanese text), for clients that show times as the tenant reads them.
fn time_zone(tenant: &TenantRow) -> String {
    tenant_config::parse_row(tenant).map_or_else(
        |_| "Asia/Tokyo".to_owned(),
        |config| config.hours.time_zone.tz().name().to_owned(),
    )
}

/// A page cursor: the last conversation's start and id, opaque to the caller.
fn encode_cursor(started_at_ms: u64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{started_at_ms}~{id}"))
}

fn decode_cursor(raw: &str) -> Result<(u64, String), AppError> {
    const BAD: AppError = AppError::BadRequest("`cursor` is not one this API returned");
    if raw.len() > MAX_CURSOR_CHARS {
        return Err(BAD);
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| BAD)?;
    let text = String::from_utf8(bytes).map_err(|_| BAD)?;
    let (ms, id) = text.split_once('~').ok_or(BAD)?;
    let ms = ms.parse::<u64>().map_err(|_| BAD)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BAD);
    }
    Ok((ms, id.to_owned()))
}

/// A cursor is base64 of `<ms>~<conversation id>`; ids are short, so this is generous.
const MAX_CURSOR_CHARS: usize = 400;

pub(crate) async fn conversations(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::ReadLog).await?;
    let query: SearchQuery = req
        .query()
        .map_err(|_| AppError::BadRequest("malformed query string"))?;
    let number = match query.number.as_deref() {
        Some(raw) => Some(
            PhoneNumber::parse(raw, Region::Jp)
                .map_err(|_| AppError::BadRequest("`number` is not a valid phone number"))?
                .as_e164()
                .to_owned(),
        ),
        None => None,
    };
    let (scope, filter, tenant) = scope_of(env, &principal).await?;
    if let Some(agent) = &query.agent {
        let agent = AgentId::new(agent.as_str())
            .map_err(|_| AppError::BadRequest("`agent` is not a valid agent id"))?;
        if !scope.allows_agent_filter(&agent) {
            return Err(AppError::Forbidden(
                "agents read only their own conversations; ask a supervisor",
            ));
        }
    }
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let search = store::ConversationSearch {
        number,
        customer: query.customer,
        agent: query.agent,
        from_ms: query.from,
        to_ms: query.to,
        before: query.cursor.as_deref().map(decode_cursor).transpose()?,
        // One more than the page, to know whether another page follows.
        limit: limit + 1,
    };
    let mut rows = store::search_conversations(env, &principal.tenant, &filter, &search).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last()
            .map(|last| encode_cursor(last.started_at_ms, &last.id))
    } else {
        None
    };
    let mut conversations = rows
        .iter()
        .map(|row| serde_json::from_str::<Value>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    for conversation in &mut conversations {
        present_routing(conversation, &principal, &tenant);
    }
    present_people(env, &principal.tenant, &mut conversations).await?;
    Ok(Response::from_json(&serde_json::json!({
        "conversations": conversations,
        "scope": scope.name(),
        "time_zone": time_zone(&tenant),
        "next": next,
    }))?)
}

/// `GET /api/conversations/<interaction>`: one conversation (404 until its first event is stitched).
pub(crate) async fn conversation(
    req: Request,
    env: &Env,
    interaction: &str,
) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::ReadLog).await?;
    let interaction = tsunagu_core::InteractionId::new(interaction)
        .map_err(|_| AppError::BadRequest("invalid conversation id"))?;
    let (_, filter, tenant) = scope_of(env, &principal).await?;
    // Outside the session's scope reads as not there: the id alone tells nothing.
    let body =
        store::conversation_of_interaction(env, &principal.tenant, &filter, interaction.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
    let mut conversation: Value = serde_json::from_str(&body)
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    present_routing(&mut conversation, &principal, &tenant);
    present_people(
        env,
        &principal.tenant,
        std::slice::from_mut(&mut conversation),
    )
    .await?;
    Ok(Response::from_json(&conversation)?)
}

#[derive(Deserialize)]
struct KpiQuery {
    from: Option<u64>,
    to: Option<u64>,
    group: Option<GroupBy>,
}

/// KPIs of the session's scope: an agent's own (only their row when grouped by agent), a
/// supervisor's teams or the tenant. The reply says the scope, and whether the conversation cap
/// cut the window short.
pub(crate) async fn kpi(req: Request, env: &Env) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::ReadLog).await?;
    let query: KpiQuery = req.query().map_err(|_| {
        AppError::BadRequest(
            "expected from, to (unix ms) and group (all, agent, team, queue, hour, day)",
        )
    })?;
    let to_ms = query.to.unwrap_or_else(clock::now_ms);
    let from_ms = query
        .from
        .unwrap_or(to_ms.saturating_sub(24 * 60 * 60 * 1000));
    if from_ms >= to_ms || to_ms - from_ms > MAX_KPI_WINDOW_MS {
        return Err(AppError::BadRequest(
            "the KPI window must be non-empty and at most 31 days",
        ));
    }
    let (scope, filter, _) = scope_of(env, &principal).await?;
    let search = store::ConversationSearch {
        from_ms: Some(from_ms),
        to_ms: Some(to_ms),
        limit: MAX_KPI_CONVERSATIONS + 1,
        ..Default::default()
    };
    let mut rows = store::search_conversations(env, &principal.tenant, &filter, &search).await?;
    let complete = rows.len() <= MAX_KPI_CONVERSATIONS as usize;
    rows.truncate(MAX_KPI_CONVERSATIONS as usize);
    let conversations = rows
        .iter()
        .map(|row| serde_json::from_str::<Conversation>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    let presence = store::presence_intervals(env, &principal.tenant, &filter, from_ms, to_ms)
        .await?
        .iter()
        .map(|row| serde_json::from_str::<PresenceInterval>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored presence interval: {e}")))?;
    let mut report = tsunagu_kpi::compute(
        &conversations,
        &presence,
        query.group.unwrap_or(GroupBy::All),
        &KpiConfig::default(),
    );
    // A conversation counts toward every agent who touched it, so per-agent rows would show
    // colleagues outside the scope: keep only the agents the scope covers.
    if report.group_by == GroupBy::Agent {
        let visible = match (&scope, &filter.teams_json) {
            (LogScope::Tenant, _) => None,
            (LogScope::Own(own), _) => Some(vec![own.as_str().to_owned()]),
            (LogScope::Teams { own, .. }, Some(teams)) => {
                let mut members = store::team_members(env, &principal.tenant, teams).await?;
                members.push(own.as_str().to_owned());
                Some(members)
            }
            (LogScope::Teams { own, .. }, None) => Some(vec![own.as_str().to_owned()]),
        };
        if let Some(visible) = visible {
            report.rows.retain(|row| match &row.key {
                GroupKey::Agent(agent) => visible.iter().any(|v| v == agent.as_str()),
                _ => false,
            });
        }
    }
    let mut body = serde_json::to_value(&report)
        .map_err(|e| AppError::Internal(format!("kpi report: {e}")))?;
    if let Some(fields) = body.as_object_mut() {
        fields.insert("scope".into(), scope.name().into());
        fields.insert("complete".into(), complete.into());
    }
    Ok(Response::from_json(&body)?)
}
