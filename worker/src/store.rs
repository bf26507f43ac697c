//! D1 access: the only place with SQL strings. Rows come back as plain structs.

use serde::Deserialize;
use tsunagu_auth::SupervisorReach;
use tsunagu_core::TenantId;
use worker::{D1Database, D1PreparedStatement, Env, wasm_bindgen::JsValue};

use crate::error::AppError;

pub(crate) mod admin;
pub(crate) mod center_settings;
pub(crate) mod customer_csv;
pub(crate) mod hub_directory;
pub(crate) mod ivr;
pub(crate) mod names;
pub(crate) mod operator;
pub(crate) mod queues;
pub(crate) mod secrets;
pub(crate) mod webhooks;

/// The D1 binding name in wrangler.toml.
const DB: &str = "DB";

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TenantRow {
    pub(crate) id: String,
    pub(crate) name_ja: String,
    pub(crate) name_en: String,
    pub(crate) allowed_origins: String,
    /// The tenant's stored contact-center settings, one JSON object of `CenterConfig` fields
    /// read from their typed columns (`center_settings`; `null` is the default).
    pub(crate) center_json: String,
    /// How far supervisors read the log: their teams or the whole tenant.
    pub(crate) supervisor_reach: SupervisorReach,
    /// Where calls ask the CRM who is calling (`tsunagu_webhooks::lookup`), if anywhere.
    #[serde(default)]
    pub(crate) crm_lookup_url: Option<String>,
    /// How long the tenant's widget sessions last (`PUT /api/admin/settings`); eight hours when
    /// the column is not there yet.
    #[serde(default = "eight_hours")]
    pub(crate) session_lifetime_secs: u64,
    /// The lines that keep hours of their own: a JSON object, E.164 → hours (the center's
    /// `line_hours`); `None` when no line does.
    #[serde(default)]
    pub(crate) line_hours_json: Option<String>,
    /// `{e164: after-hours rule}` of the lines with one (`CenterConfig::line_after_hours`).
    #[serde(default)]
    pub(crate) line_after_hours_json: Option<String>,
    /// `{id: queue}` of the tenant's queues (`CenterConfig::queues`); `None` when it has none.
    #[serde(default)]
    pub(crate) queues_json: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CustomerRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: String,
    pub(crate) phone_e164: String,
    pub(crate) owner_name: Option<String>,
}

fn eight_hours() -> u64 {
    tsunagu_auth::SESSION_TTL_SECS
}

pub(crate) async fn tenant(env: &Env, tenant: &TenantId) -> Result<TenantRow, AppError> {
    let sql = format!(
        "SELECT id, name_ja, name_en, allowed_origins, {} AS center_json, supervisor_reach,
                    crm_lookup_url, session_lifetime_secs,
                    (SELECT json_group_object(e164, json(hours_json)) FROM phone_lines
                      WHERE tenant_id = tenants.id AND hours_json IS NOT NULL) AS line_hours_json,
                    (SELECT json_group_object(e164, json(after_hours_json)) FROM phone_lines
                      WHERE tenant_id = tenants.id AND after_hours_json IS NOT NULL)
                      AS line_after_hours_json,
                    (SELECT json_group_object(id, json_object(
                         'id', id, 'name', json_object('ja', name_ja, 'en', name_en),
                         'ladder', CASE WHEN ladder_json IS NULL THEN NULL
                                        ELSE json_object('steps', json(ladder_json)) END,
                         'max_wait', max_wait_ms,
                         'overflow', json(overflow_json),
                         'announce_position', json(CASE announce_position WHEN 1 THEN 'true' ELSE 'false' END),
                         'hold_music_url', hold_music_url, 'callback_digit', callback_digit,
                         'required_skills', json(required_skills_json), 'priority', priority,
                         'hours', json(hours_json), 'after_hours', json(after_hours_json)))
                       FROM queues WHERE tenant_id = tenants.id) AS queues_json
             FROM tenants WHERE id = ?1",
        center_settings::select_expression()
    );
    let row = env
        .d1(DB)?
        .prepare(sql)
        .bind(&[JsValue::from_str(tenant.as_str())])?
        .first::<TenantRow>(None)
        .await?;
    row.ok_or(AppError::UnknownTenant)
}

pub(crate) async fn customers(env: &Env, tenant: &TenantId) -> Result<Vec<CustomerRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT c.id, c.name, c.company, c.phone_e164, a.display_name AS owner_name
             FROM customers c
             LEFT JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.owner_agent_id
             WHERE c.tenant_id = ?1
             ORDER BY c.id",
        )
        .bind(&[JsValue::from_str(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results::<CustomerRow>()?)
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn opt_text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "milliseconds since 1970 stay below 2^53 for the next 285,000 years"
)]
fn millis(value: u64) -> JsValue {
    JsValue::from_f64(value as f64)
}

/// A tenant's voice settings: everything about Twilio except the secrets.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VoiceSettingsRow {
    pub(crate) twilio_account_sid: Option<String>,
    pub(crate) twilio_api_key_sid: Option<String>,
    pub(crate) voice_edge: String,
}

pub(crate) async fn voice_settings(
    env: &Env,
    tenant: &TenantId,
) -> Result<VoiceSettingsRow, AppError> {
    env.d1(DB)?
        .prepare(
            "SELECT twilio_account_sid, twilio_api_key_sid, voice_edge FROM tenants WHERE id = ?1",
        )
        .bind(&[text(tenant.as_str())])?
        .first::<VoiceSettingsRow>(None)
        .await?
        .ok_or(AppError::UnknownTenant)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PhoneLineRow {
    pub(crate) kind: String,
    pub(crate) announce_e164: Option<String>,
    /// What the line's calls need from routing (`tsunagu_center::CallRequirements::from_line`).
    pub(crate) required_skills_json: String,
    pub(crate) priority: u32,
    pub(crate) skill_relax_after_secs: u32,
    /// The line's IVR menu (`line_ivr_menus`), as the admin API validated and stored it.
    #[serde(default)]
    pub(crate) menu_json: Option<String>,
    /// The queue the line's calls wait in (`queues`), if any.
    #[serde(default)]
    pub(crate) queue_id: Option<String>,
}

/// The caller as the CRM knows them: screen pop and the routing ladder's owner.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CallerRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: String,
    pub(crate) owner_agent_id: Option<String>,
    pub(crate) owner_team_id: Option<String>,
    /// The customer's attributes as stored (`customers.attributes_json`, a JSON object); read
    /// with `tsunagu_center::customer_attributes`.
    #[serde(default = "no_attributes")]
    pub(crate) attributes_json: String,
}

/// `customers.attributes_json` of a customer without attributes.
pub(crate) fn no_attributes() -> String {
    "{}".to_owned()
}

/// Everything an incoming call needs from D1, in one round trip: the caller's CRM record, their
/// recent conversations (newest first), and the line they called.
pub(crate) async fn caller_context(
    env: &Env,
    tenant: &TenantId,
    caller: Option<&str>,
    called: Option<&str>,
    recent_limit: u32,
) -> Result<
    (
        Option<CallerRow>,
        Vec<ConversationRow>,
        Option<PhoneLineRow>,
    ),
    AppError,
> {
    let db = env.d1(DB)?;
    let caller = opt_text(caller);
    let statements = vec![
        db.prepare(CUSTOMER_BY_PHONE)
            .bind(&[text(tenant.as_str()), caller.clone()])?,
        db.prepare(RECENT_CONVERSATIONS).bind(&[
            text(tenant.as_str()),
            caller,
            JsValue::from(recent_limit),
        ])?,
        db.prepare(PHONE_LINE)
            .bind(&[text(tenant.as_str()), opt_text(called)])?,
    ];
    let results = db.batch(statements).await?;
    let [customer, recent, line] = results.as_slice() else {
        return Err(AppError::Internal(
            "D1 batch returned the wrong number of results".into(),
        ));
    };
    Ok((
        customer.results::<CallerRow>()?.into_iter().next(),
        recent.results::<ConversationRow>()?,
        line.results::<PhoneLineRow>()?.into_iter().next(),
    ))
}

/// The CRM record of an outbound call's customer: the one the host named, else the number's.
pub(crate) async fn dialled_customer(
    env: &Env,
    tenant: &TenantId,
    customer_id: Option<&str>,
    number: &str,
) -> Result<Option<CallerRow>, AppError> {
    let db = env.d1(DB)?;
    let by_id = match customer_id {
        Some(id) => {
            db.prepare(CUSTOMER_BY_ID)
                .bind(&[text(tenant.as_str()), text(id)])?
                .first::<CallerRow>(None)
                .await?
        }
        None => None,
    };
    if by_id.is_some() {
        return Ok(by_id);
    }
    Ok(db
        .prepare(CUSTOMER_BY_PHONE)
        .bind(&[text(tenant.as_str()), text(number)])?
        .first::<CallerRow>(None)
        .await?)
}

const CUSTOMER_BY_ID: &str =
    "SELECT c.id, c.name, c.company, c.owner_agent_id, a.team_id AS owner_team_id,
            c.attributes_json
     FROM customers c
     LEFT JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.owner_agent_id
     WHERE c.tenant_id = ?1 AND c.id = ?2";

const CUSTOMER_BY_PHONE: &str =
    "SELECT c.id, c.name, c.company, c.owner_agent_id, a.team_id AS owner_team_id,
            c.attributes_json
     FROM customers c
     LEFT JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.owner_agent_id
     WHERE c.tenant_id = ?1 AND c.phone_e164 = ?2
     ORDER BY c.id LIMIT 1";

const RECENT_CONVERSATIONS: &str = "SELECT body FROM conversations
     WHERE tenant_id = ?1 AND customer_number = ?2
     ORDER BY started_at_ms DESC LIMIT ?3";

const PHONE_LINE: &str = "SELECT p.kind, p.announce_e164, p.required_skills_json, p.priority,
        p.skill_relax_after_secs, m.menu_json, p.queue_id
     FROM phone_lines p
     LEFT JOIN line_ivr_menus m ON m.e164 = p.e164 AND m.tenant_id = p.tenant_id
     WHERE p.tenant_id = ?1 AND p.e164 = ?2";

/// A stitched conversation as stored (the searchable columns stay in SQL).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConversationRow {
    pub(crate) body: String,
}

/// One call event to store; `key` is its de-duplication identity.
pub(crate) struct NewCallEvent<'a> {
    pub(crate) key: &'a str,
    pub(crate) interaction: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) at_ms: u64,
    pub(crate) body: &'a str,
}

/// Stores `events` (each once: a retried one hits its key) and reads back every stored event of
/// `interaction`, in one batch (one round trip where two were, per interaction written). Answers
/// whether any was new, and the stored events.
pub(crate) async fn insert_call_events(
    env: &Env,
    tenant: &TenantId,
    interaction: &str,
    events: &[NewCallEvent<'_>],
) -> Result<(bool, Vec<CallEventRow>), AppError> {
    let db = env.d1(DB)?;
    let mut statements = events
        .iter()
        .map(|event| call_event_statement(&db, tenant, event))
        .collect::<Result<Vec<_>, _>>()?;
    statements.push(
        db.prepare("SELECT body FROM call_events WHERE tenant_id = ?1 AND interaction_id = ?2")
            .bind(&[text(tenant.as_str()), text(interaction)])?,
    );
    let mut results = db.batch(statements).await?;
    let stored = match results.pop() {
        Some(read) => read.results::<CallEventRow>()?,
        None => Vec::new(),
    };
    let mut any_new = false;
    for result in results {
        any_new |= result.meta()?.and_then(|m| m.changes).unwrap_or(0) > 0;
    }
    Ok((any_new, stored))
}

/// Stores new call events and the conversations stitched with them in one batch (one D1
/// transaction: both or neither), for a writer that already knows the interaction's other events.
pub(crate) async fn store_call_log(
    env: &Env,
    tenant: &TenantId,
    events: &[NewCallEvent<'_>],
    conversations: &[ConversationRecord<'_>],
) -> Result<(), AppError> {
    let db = env.d1(DB)?;
    let mut statements = events
        .iter()
        .map(|event| call_event_statement(&db, tenant, event))
        .collect::<Result<Vec<_>, _>>()?;
    for record in conversations {
        statements.extend(conversation_statements(&db, tenant, record)?);
    }
    if !statements.is_empty() {
        db.batch(statements).await?;
    }
    Ok(())
}

fn call_event_statement(
    db: &D1Database,
    tenant: &TenantId,
    event: &NewCallEvent<'_>,
) -> Result<D1PreparedStatement, AppError> {
    Ok(db
        .prepare(
            "INSERT INTO call_events (tenant_id, event_key, interaction_id, kind, at_ms, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )
        .bind(&[
            text(tenant.as_str()),
            text(event.key),
            text(event.interaction),
            text(event.kind),
            millis(event.at_ms),
            text(event.body),
        ])?)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CallEventRow {
    pub(crate) body: String,
}

/// A conversation's searchable columns, written next to its JSON.
pub(crate) struct ConversationRecord<'a> {
    pub(crate) id: &'a str,
    pub(crate) customer_id: Option<&'a str>,
    pub(crate) customer_number: Option<&'a str>,
    pub(crate) started_at_ms: u64,
    pub(crate) ended_at_ms: Option<u64>,
    pub(crate) answered_by: Option<&'a str>,
    pub(crate) outcome: &'a str,
    pub(crate) agents: Vec<&'a str>,
    /// How many stored events this row was folded from.
    pub(crate) event_count: u32,
    pub(crate) body: &'a str,
}

/// Writes a conversation and its agent index in one batch (one transaction in D1). A row folded
/// from fewer events than the stored one is older and is not written.
pub(crate) async fn upsert_conversation(
    env: &Env,
    tenant: &TenantId,
    record: &ConversationRecord<'_>,
) -> Result<(), AppError> {
    let db = env.d1(DB)?;
    db.batch(conversation_statements(&db, tenant, record)?)
        .await?;
    Ok(())
}

/// A conversation's row and its agent index rows.
fn conversation_statements(
    db: &D1Database,
    tenant: &TenantId,
    record: &ConversationRecord<'_>,
) -> Result<Vec<D1PreparedStatement>, AppError> {
    let mut statements = vec![
        db.prepare(
            "INSERT INTO conversations
             (tenant_id, id, customer_id, customer_number, started_at_ms, ended_at_ms, answered_by, outcome, body, event_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (tenant_id, id) DO UPDATE SET
                customer_id = excluded.customer_id, customer_number = excluded.customer_number,
                started_at_ms = excluded.started_at_ms, ended_at_ms = excluded.ended_at_ms,
                answered_by = excluded.answered_by, outcome = excluded.outcome, body = excluded.body,
                event_count = excluded.event_count
             WHERE excluded.event_count >= conversations.event_count",
        )
        .bind(&[
            text(tenant.as_str()),
            text(record.id),
            opt_text(record.customer_id),
            opt_text(record.customer_number),
            millis(record.started_at_ms),
            record.ended_at_ms.map_or(JsValue::NULL, millis),
            opt_text(record.answered_by),
            text(record.outcome),
            text(record.body),
            JsValue::from(record.event_count),
        ])?,
    ];
    for agent in &record.agents {
        statements.push(
            db.prepare(
                "INSERT OR IGNORE INTO conversation_agents (tenant_id, conversation_id, agent_id)
                 VALUES (?1, ?2, ?3)",
            )
            .bind(&[text(tenant.as_str()), text(record.id), text(agent)])?,
        );
    }
    Ok(statements)
}

/// Whose conversations a read may return: the SQL form of `tsunagu_auth::LogScope`. Both
/// `None` reads the whole tenant.
#[derive(Debug, Default, Clone)]
pub(crate) struct ScopeFilter {
    /// Conversations this agent took part in or whose customer they own.
    pub(crate) agent: Option<String>,
    /// Also those of agents of these teams (directory membership), as a JSON array.
    pub(crate) teams_json: Option<String>,
}

/// The scope as a SQL condition on `c` (a `conversations` row), with the agent as `?2` and the
/// teams as `?3`. One text for every query that reads conversations, so no read can skip it.
macro_rules! scope_condition {
    () => {
        "(?2 IS NULL
          OR EXISTS (SELECT 1 FROM conversation_agents ca
                     WHERE ca.tenant_id = c.tenant_id AND ca.conversation_id = c.id AND ca.agent_id = ?2)
          OR EXISTS (SELECT 1 FROM customers cu
                     WHERE cu.tenant_id = c.tenant_id AND cu.id = c.customer_id AND cu.owner_agent_id = ?2)
          OR (?3 IS NOT NULL AND (
               EXISTS (SELECT 1 FROM conversation_agents ca
                       JOIN agents ag ON ag.tenant_id = ca.tenant_id AND ag.id = ca.agent_id
                       WHERE ca.tenant_id = c.tenant_id AND ca.conversation_id = c.id
                         AND ag.team_id IN (SELECT value FROM json_each(?3)))
               OR EXISTS (SELECT 1 FROM customers cu
                          JOIN agents ag ON ag.tenant_id = cu.tenant_id AND ag.id = cu.owner_agent_id
                          WHERE cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
                            AND ag.team_id IN (SELECT value FROM json_each(?3))))))"
    };
}

/// One conversation of the tenant by its interaction id, as stored (JSON), if it is there yet
/// and inside `scope`.
pub(crate) async fn conversation_of_interaction(
    env: &Env,
    tenant: &TenantId,
    scope: &ScopeFilter,
    interaction: &str,
) -> Result<Option<String>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(concat!(
            "SELECT c.body FROM conversations c
             WHERE c.tenant_id = ?1 AND c.id = 'interaction:' || ?4 AND ",
            scope_condition!()
        ))
        .bind(&[
            text(tenant.as_str()),
            opt_text(scope.agent.as_deref()),
            opt_text(scope.teams_json.as_deref()),
            text(interaction),
        ])?
        .first::<String>(Some("body"))
        .await?)
}

/// Filters of `GET /api/conversations`; all optional, combined with AND.
#[derive(Debug, Default)]
pub(crate) struct ConversationSearch {
    pub(crate) number: Option<String>,
    pub(crate) customer: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) from_ms: Option<u64>,
    pub(crate) to_ms: Option<u64>,
    /// Only conversations before this one in the newest-first order (the page cursor).
    pub(crate) before: Option<(u64, String)>,
    pub(crate) limit: u32,
}

/// A conversation of a search page: its order key and its JSON.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConversationPageRow {
    pub(crate) id: String,
    pub(crate) started_at_ms: u64,
    pub(crate) body: String,
}

/// Conversations inside `scope` matching `search`, newest first (ties by id), at most
/// `search.limit`.
pub(crate) async fn search_conversations(
    env: &Env,
    tenant: &TenantId,
    scope: &ScopeFilter,
    search: &ConversationSearch,
) -> Result<Vec<ConversationPageRow>, AppError> {
    // Fixed SQL with "?n IS NULL OR …" so no query text is ever built from input.
    let result = env
        .d1(DB)?
        .prepare(concat!(
            "SELECT c.id, c.started_at_ms, c.body FROM conversations c
             WHERE c.tenant_id = ?1
               AND (?4 IS NULL OR c.customer_number = ?4)
               AND (?5 IS NULL OR c.customer_id = ?5)
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM conversation_agents a
                    WHERE a.tenant_id = c.tenant_id AND a.conversation_id = c.id AND a.agent_id = ?6))
               AND (?7 IS NULL OR c.started_at_ms >= ?7)
               AND (?8 IS NULL OR c.started_at_ms < ?8)
               AND (?9 IS NULL OR c.started_at_ms < ?9 OR (c.started_at_ms = ?9 AND c.id < ?10))
               AND ",
            scope_condition!(),
            " ORDER BY c.started_at_ms DESC, c.id DESC LIMIT ?11"
        ))
        .bind(&[
            text(tenant.as_str()),
            opt_text(scope.agent.as_deref()),
            opt_text(scope.teams_json.as_deref()),
            opt_text(search.number.as_deref()),
            opt_text(search.customer.as_deref()),
            opt_text(search.agent.as_deref()),
            search.from_ms.map_or(JsValue::NULL, millis),
            search.to_ms.map_or(JsValue::NULL, millis),
            search.before.as_ref().map_or(JsValue::NULL, |(ms, _)| millis(*ms)),
            opt_text(search.before.as_ref().map(|(_, id)| id.as_str())),
            JsValue::from(search.limit),
        ])?
        .all()
        .await?;
    Ok(result.results::<ConversationPageRow>()?)
}

/// A closed presence interval to store for KPIs.
#[derive(serde::Serialize)]
pub(crate) struct PresenceIntervalRow {
    pub(crate) agent: String,
    pub(crate) status: String,
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
    pub(crate) body: String,
}

/// Intervals per insert statement at most: two bound values each (the tenant, and the rows as one
/// JSON array that `json_each` unrolls, also cut at `hub_directory::JSON_CHUNK_MAX_BYTES`). An
/// interval's row is about 300 B.
const INTERVAL_CHUNK_ROWS: usize = 500;

const INSERT_INTERVALS: &str = "INSERT OR REPLACE INTO presence_intervals
        (tenant_id, agent_id, status, start_ms, end_ms, body)
     SELECT ?1, json_extract(value, '$.agent'), json_extract(value, '$.status'),
            json_extract(value, '$.start_ms'), json_extract(value, '$.end_ms'),
            json_extract(value, '$.body')
     FROM json_each(?2)";

/// Stores closed presence intervals in one batch of a statement per few hundred (a rewrite of
/// the same span replaces it). One statement for many rows, not one per row: under a presence
/// load the D1 client's work per statement was a fifth of the hub's CPU.
pub(crate) async fn insert_presence_intervals(
    env: &Env,
    tenant: &TenantId,
    rows: &[PresenceIntervalRow],
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let db = env.d1(DB)?;
    let statements = hub_directory::json_chunks(rows, INTERVAL_CHUNK_ROWS)?
        .iter()
        .map(|chunk| {
            db.prepare(INSERT_INTERVALS)
                .bind(&[text(tenant.as_str()), text(chunk)])
        })
        .collect::<Result<Vec<_>, _>>()?;
    db.batch(statements).await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BodyRow {
    pub(crate) body: String,
}

/// Presence intervals overlapping `[from, to)` of the agents inside `scope` (the agent
/// themself, and the directory members of the scope's teams).
pub(crate) async fn presence_intervals(
    env: &Env,
    tenant: &TenantId,
    scope: &ScopeFilter,
    from_ms: u64,
    to_ms: u64,
) -> Result<Vec<BodyRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT p.body FROM presence_intervals p
             WHERE p.tenant_id = ?1 AND p.end_ms > ?4 AND p.start_ms < ?5
               AND (?2 IS NULL OR p.agent_id = ?2
                    OR (?3 IS NOT NULL AND EXISTS (SELECT 1 FROM agents ag
                        WHERE ag.tenant_id = p.tenant_id AND ag.id = p.agent_id
                          AND ag.team_id IN (SELECT value FROM json_each(?3)))))",
        )
        .bind(&[
            text(tenant.as_str()),
            opt_text(scope.agent.as_deref()),
            opt_text(scope.teams_json.as_deref()),
            millis(from_ms),
            millis(to_ms),
        ])?
        .all()
        .await?;
    Ok(result.results::<BodyRow>()?)
}

/// The directory's members of `teams_json` (a JSON array of team ids).
pub(crate) async fn team_members(
    env: &Env,
    tenant: &TenantId,
    teams_json: &str,
) -> Result<Vec<String>, AppError> {
    #[derive(Deserialize)]
    struct IdRow {
        id: String,
    }
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id FROM agents
             WHERE tenant_id = ?1 AND team_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(&[text(tenant.as_str()), text(teams_json)])?
        .all()
        .await?;
    Ok(result
        .results::<IdRow>()?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// An agent of the directory (the demo CRM signs its embed tokens from these rows).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AgentRow {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) team_id: Option<String>,
    pub(crate) roles: String,
}

pub(crate) async fn agent(
    env: &Env,
    tenant: &TenantId,
    agent: &str,
) -> Result<Option<AgentRow>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare(
            "SELECT id, display_name, team_id, roles FROM agents WHERE tenant_id = ?1 AND id = ?2",
        )
        .bind(&[text(tenant.as_str()), text(agent)])?
        .first::<AgentRow>(None)
        .await?)
}

/// An agent's skills as the directory stores them (`agents.skills_json`), or `None` for an agent
/// the directory does not list. Read by the hub when the agent's widget signs in.
pub(crate) async fn agent_skills_json(
    env: &Env,
    tenant: &TenantId,
    agent: &str,
) -> Result<Option<String>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare("SELECT skills_json FROM agents WHERE tenant_id = ?1 AND id = ?2")
        .bind(&[text(tenant.as_str()), text(agent)])?
        .first::<String>(Some("skills_json"))
        .await?)
}

/// The tenant's main line (the number the simulated caller dials in the demo).
pub(crate) async fn main_line(env: &Env, tenant: &TenantId) -> Result<Option<String>, AppError> {
    Ok(env
        .d1(DB)?
        .prepare("SELECT e164 FROM phone_lines WHERE tenant_id = ?1 AND kind = 'main' ORDER BY e164 LIMIT 1")
        .bind(&[text(tenant.as_str())])?
        .first::<String>(Some("e164"))
        .await?)
}
