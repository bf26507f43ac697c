//! The hub's copy of the tenant's directory: what routing reads on a call (the caller's CRM record,
//! the line called, recent contacts), kept in the tenant's Durable Object SQLite and refreshed from D1.
//!
//! Why a copy: a webhook must be answered without D1 (issue 11, "D1 not on a call's critical
//! path"); the hub holds what a call needs. Every write through the API tells the hub (the copy is
//! current when the write answers); edits made in D1 by hand reach the copy when it is refreshed:
//! on the first call after `DIRECTORY_MAX_AGE_MS`, in the background, or at once through
//! `POST /api/admin/directory/sync`. The D1 queries are here too, so this file is the whole
//! contract between the two copies.

use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;
use worker::{Env, SqlStorage, SqlStorageValue, wasm_bindgen::JsValue};

use super::{CallerRow, ConversationRow, DB, PhoneLineRow, text};
use crate::error::AppError;

/// Customers read from D1 per query while the copy is refreshed (bounded by D1's result size;
/// one page is also one SQLite statement in the hub, its rows bound as one JSON text).
const CUSTOMER_PAGE: u32 = 2_000;
/// The newest conversations a full refresh reads to fill the recent contacts of their callers.
const RECENT_BACKFILL: u32 = 2_000;
/// Recent contacts kept per caller (the screen pop shows this many).
pub(crate) const RECENT_PER_CALLER: u32 = 5;

/// The copy's tables. `CREATE … IF NOT EXISTS` on every hub start is cheap (SQLite checks its
/// schema in memory); a copy of an older shape is set aside by [`ensure_schema`] (see
/// [`COPY_VERSION`]).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS directory_customers (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, company TEXT NOT NULL, phone_e164 TEXT NOT NULL,
  owner_agent_id TEXT, attributes_json TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS directory_customers_phone ON directory_customers (phone_e164, id);
CREATE TABLE IF NOT EXISTS directory_agents (id TEXT PRIMARY KEY, team_id TEXT);
CREATE TABLE IF NOT EXISTS directory_lines (
  e164 TEXT PRIMARY KEY, kind TEXT NOT NULL, announce_e164 TEXT, required_skills_json TEXT NOT NULL,
  priority INTEGER NOT NULL, skill_relax_after_secs INTEGER NOT NULL, menu_json TEXT,
  queue_id TEXT);
CREATE TABLE IF NOT EXISTS directory_recent (
  customer_number TEXT NOT NULL, interaction TEXT NOT NULL, started_at_ms INTEGER NOT NULL,
  contact_json TEXT NOT NULL, PRIMARY KEY (customer_number, interaction));
CREATE TABLE IF NOT EXISTS directory_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// What changed in D1, as a write route tells the hub: the hub re-reads exactly that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum DirectoryChange {
    /// The tenant row: settings, routing, calling (the center's `CenterConfig`).
    Settings,
    /// Agents (their teams decide an owner's team).
    Agents,
    /// Phone lines and their IVR menus.
    Lines,
    /// These customers (created, updated or deleted).
    Customers { ids: Vec<String> },
    /// The CRM webhook subscriptions (not part of the copy: the hub forgets the list it holds
    /// and reads it again at the next call event that may emit a webhook).
    Subscriptions,
    /// Everything (a CSV import, an operator's hand edit).
    Everything,
}

/// A customer as the copy keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CustomerEntry {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) company: String,
    pub(crate) phone_e164: String,
    pub(crate) owner_agent_id: Option<String>,
    /// `customers.attributes_json`, as stored (a JSON object).
    #[serde(default = "super::no_attributes")]
    pub(crate) attributes_json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentEntry {
    pub(crate) id: String,
    pub(crate) team_id: Option<String>,
}

/// A phone line with its menu, as the copy keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LineEntry {
    pub(crate) e164: String,
    pub(crate) kind: String,
    pub(crate) announce_e164: Option<String>,
    pub(crate) required_skills_json: String,
    pub(crate) priority: u32,
    pub(crate) skill_relax_after_secs: u32,
    pub(crate) menu_json: Option<String>,
    #[serde(default)]
    pub(crate) queue_id: Option<String>,
}

/// One recent contact of a caller, its JSON as `tsunagu_protocol::RecentContact` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RecentEntry {
    pub(crate) customer_number: String,
    pub(crate) interaction: String,
    pub(crate) started_at_ms: u64,
    pub(crate) contact_json: String,
}

/// The copy's entries for a stitched conversation: its caller's recent contact.
pub(crate) fn recent_entries(conversations: &[tsunagu_stitch::Conversation]) -> Vec<RecentEntry> {
    conversations
        .iter()
        .filter_map(|conversation| {
            let number = conversation.customer_number.clone()?;
            let contact = tsunagu_center::recent_contact(conversation);
            Some(RecentEntry {
                customer_number: number,
                interaction: conversation.id.to_string(),
                started_at_ms: conversation.started_at.0,
                contact_json: serde_json::to_string(&contact).ok()?,
            })
        })
        .collect()
}

// ---- D1: what the copy is refreshed from ----

/// One page of the tenant's customers with an id after `after`, in id order.
pub(crate) async fn customers_page(
    env: &Env,
    tenant: &TenantId,
    after: &str,
) -> Result<Vec<CustomerEntry>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id, name, company, phone_e164, owner_agent_id, attributes_json FROM customers
             WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )
        .bind(&[
            text(tenant.as_str()),
            text(after),
            JsValue::from(CUSTOMER_PAGE),
        ])?
        .all()
        .await?;
    Ok(result.results()?)
}

/// Pages of `customers_page` until one comes back short.
pub(crate) async fn all_customers(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<CustomerEntry>, AppError> {
    let mut customers = Vec::new();
    loop {
        let after = customers
            .last()
            .map_or(String::new(), |c: &CustomerEntry| c.id.clone());
        let page = customers_page(env, tenant, &after).await?;
        let full = page.len() == CUSTOMER_PAGE as usize;
        customers.extend(page);
        if !full {
            return Ok(customers);
        }
    }
}

/// These customers as D1 has them now (the ones D1 no longer has are not returned).
pub(crate) async fn customers_by_id(
    env: &Env,
    tenant: &TenantId,
    ids: &[String],
) -> Result<Vec<CustomerEntry>, AppError> {
    let ids = serde_json::to_string(ids).map_err(|e| AppError::Internal(e.to_string()))?;
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT id, name, company, phone_e164, owner_agent_id, attributes_json FROM customers
             WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .bind(&[text(tenant.as_str()), text(&ids)])?
        .all()
        .await?;
    Ok(result.results()?)
}

pub(crate) async fn agents(env: &Env, tenant: &TenantId) -> Result<Vec<AgentEntry>, AppError> {
    let result = env
        .d1(DB)?
        .prepare("SELECT id, team_id FROM agents WHERE tenant_id = ?1")
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results()?)
}

pub(crate) async fn lines(env: &Env, tenant: &TenantId) -> Result<Vec<LineEntry>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT p.e164, p.kind, p.announce_e164, p.required_skills_json, p.priority,
                    p.skill_relax_after_secs, m.menu_json, p.queue_id
             FROM phone_lines p
             LEFT JOIN line_ivr_menus m ON m.e164 = p.e164 AND m.tenant_id = p.tenant_id
             WHERE p.tenant_id = ?1",
        )
        .bind(&[text(tenant.as_str())])?
        .all()
        .await?;
    Ok(result.results()?)
}

/// The tenant's newest conversations with a caller's number (to fill recent contacts).
pub(crate) async fn newest_conversations(
    env: &Env,
    tenant: &TenantId,
) -> Result<Vec<ConversationRow>, AppError> {
    let result = env
        .d1(DB)?
        .prepare(
            "SELECT body FROM conversations
             WHERE tenant_id = ?1 AND customer_number IS NOT NULL
             ORDER BY started_at_ms DESC LIMIT ?2",
        )
        .bind(&[text(tenant.as_str()), JsValue::from(RECENT_BACKFILL)])?
        .all()
        .await?;
    Ok(result.results()?)
}

// ---- the hub's SQLite: the copy itself ----

fn json<T: Serialize>(rows: &T) -> Result<SqlStorageValue, AppError> {
    serde_json::to_string(rows)
        .map(SqlStorageValue::from)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The largest JSON text bound to one statement: well under the 2 MB a D1 or Durable Object
/// SQLite value may hold, whatever the rows hold (a customer with 20 long attributes takes
/// about 10 KB).
pub(crate) const JSON_CHUNK_MAX_BYTES: usize = 1024 * 1024;

/// `rows` as JSON arrays of at most `max_rows` rows and [`JSON_CHUNK_MAX_BYTES`] bytes each (a
/// single larger row gets a chunk of its own), for `json_each` to unroll.
pub(crate) fn json_chunks<T: Serialize>(
    rows: &[T],
    max_rows: usize,
) -> Result<Vec<String>, AppError> {
    let mut chunks = Vec::new();
    let mut chunk = String::from("[");
    let mut in_chunk = 0;
    for row in rows {
        let row = serde_json::to_string(row).map_err(|e| AppError::Internal(e.to_string()))?;
        if in_chunk > 0
            && (in_chunk >= max_rows || chunk.len() + row.len() + 2 > JSON_CHUNK_MAX_BYTES)
        {
            chunk.push(']');
            chunks.push(std::mem::replace(&mut chunk, String::from("[")));
            in_chunk = 0;
        }
        if in_chunk > 0 {
            chunk.push(',');
        }
        chunk.push_str(&row);
        in_chunk += 1;
    }
    if in_chunk > 0 {
        chunk.push(']');
        chunks.push(chunk);
    }
    Ok(chunks)
}

fn exec(sql: &SqlStorage, query: &str, bindings: Vec<SqlStorageValue>) -> Result<(), AppError> {
    sql.exec(query, bindings)?;
    Ok(())
}

/// The shape of the copy's tables; a copy stored by an older build (no version, or a lower one)
/// is rebuilt: 2 added `directory_customers.attributes_json`.
const COPY_VERSION: &str = "2";

/// Creates the copy's tables if they are not there. A copy of an older shape has its customers
/// dropped and is marked never refreshed, so the next call fills it from D1 (as for a new hub)
/// instead of routing on rows without the new columns.
pub(crate) fn ensure_schema(sql: &SqlStorage) -> Result<(), AppError> {
    exec(sql, SCHEMA, Vec::new())?;
    // Columns added since the first copies were made: a copy made before gains them here (the
    // error when the column is already there is the expected answer; the next full refresh
    // fills them).
    let _ = exec(
        sql,
        "ALTER TABLE directory_lines ADD COLUMN queue_id TEXT",
        Vec::new(),
    );
    if meta(sql, SCHEMA_VERSION)?.as_deref() == Some(COPY_VERSION) {
        return Ok(());
    }
    exec(sql, "DROP TABLE IF EXISTS directory_customers", Vec::new())?;
    exec(sql, SCHEMA, Vec::new())?;
    set_meta(sql, REFRESHED_AT, None)?;
    set_meta(sql, SCHEMA_VERSION, Some(COPY_VERSION))
}

const UPSERT_CUSTOMERS: &str = "INSERT OR REPLACE INTO directory_customers
    (id, name, company, phone_e164, owner_agent_id, attributes_json)
  SELECT json_extract(value, '$.id'), json_extract(value, '$.name'),
         json_extract(value, '$.company'), json_extract(value, '$.phone_e164'),
         json_extract(value, '$.owner_agent_id'), json_extract(value, '$.attributes_json')
  FROM json_each(?1)";

/// Replaces every customer (a full refresh). Synchronous calls with no `await` between them
/// commit together in a Durable Object, so a call never sees half a refresh.
pub(crate) fn replace_customers(
    sql: &SqlStorage,
    customers: &[CustomerEntry],
) -> Result<(), AppError> {
    exec(sql, "DELETE FROM directory_customers", Vec::new())?;
    for page in json_chunks(customers, CUSTOMER_PAGE as usize)? {
        exec(sql, UPSERT_CUSTOMERS, vec![SqlStorageValue::from(page)])?;
    }
    Ok(())
}

/// Makes the copy of `ids` what D1 said of them: `found` replaces them, the rest are deleted.
pub(crate) fn update_customers(
    sql: &SqlStorage,
    ids: &[String],
    found: &[CustomerEntry],
) -> Result<(), AppError> {
    exec(
        sql,
        "DELETE FROM directory_customers WHERE id IN (SELECT value FROM json_each(?1))",
        vec![json(&ids)?],
    )?;
    for page in json_chunks(found, CUSTOMER_PAGE as usize)? {
        exec(sql, UPSERT_CUSTOMERS, vec![SqlStorageValue::from(page)])?;
    }
    Ok(())
}

pub(crate) fn replace_agents(sql: &SqlStorage, agents: &[AgentEntry]) -> Result<(), AppError> {
    exec(sql, "DELETE FROM directory_agents", Vec::new())?;
    exec(
        sql,
        "INSERT OR REPLACE INTO directory_agents (id, team_id)
         SELECT json_extract(value, '$.id'), json_extract(value, '$.team_id') FROM json_each(?1)",
        vec![json(&agents)?],
    )
}

pub(crate) fn replace_lines(sql: &SqlStorage, lines: &[LineEntry]) -> Result<(), AppError> {
    exec(sql, "DELETE FROM directory_lines", Vec::new())?;
    exec(
        sql,
        "INSERT OR REPLACE INTO directory_lines (e164, kind, announce_e164, required_skills_json,
           priority, skill_relax_after_secs, menu_json, queue_id)
         SELECT json_extract(value, '$.e164'), json_extract(value, '$.kind'),
                json_extract(value, '$.announce_e164'), json_extract(value, '$.required_skills_json'),
                json_extract(value, '$.priority'), json_extract(value, '$.skill_relax_after_secs'),
                json_extract(value, '$.menu_json'), json_extract(value, '$.queue_id')
         FROM json_each(?1)",
        vec![json(&lines)?],
    )
}

/// Remembers contacts (newest wins per conversation) and keeps the newest
/// `RECENT_PER_CALLER` of each caller they touch.
pub(crate) fn remember_recent(sql: &SqlStorage, contacts: &[RecentEntry]) -> Result<(), AppError> {
    if contacts.is_empty() {
        return Ok(());
    }
    exec(
        sql,
        "INSERT OR REPLACE INTO directory_recent
           (customer_number, interaction, started_at_ms, contact_json)
         SELECT json_extract(value, '$.customer_number'), json_extract(value, '$.interaction'),
                json_extract(value, '$.started_at_ms'), json_extract(value, '$.contact_json')
         FROM json_each(?1)",
        vec![json(&contacts)?],
    )?;
    exec(
        sql,
        "DELETE FROM directory_recent WHERE rowid IN (
           SELECT rowid FROM (
             SELECT rowid, ROW_NUMBER() OVER (
               PARTITION BY customer_number ORDER BY started_at_ms DESC, interaction DESC) AS n
             FROM directory_recent
             WHERE customer_number IN (
               SELECT json_extract(value, '$.customer_number') FROM json_each(?1)))
           WHERE n > ?2)",
        vec![
            json(&contacts)?,
            SqlStorageValue::from(i64::from(RECENT_PER_CALLER)),
        ],
    )
}

/// The caller's CRM record by number, with the owner's team (as D1's `caller_context` joins it).
pub(crate) fn caller(sql: &SqlStorage, number: &str) -> Result<Option<CallerRow>, AppError> {
    let rows: Vec<CallerRow> = sql
        .exec(
            "SELECT c.id, c.name, c.company, c.owner_agent_id, a.team_id AS owner_team_id,
                    c.attributes_json
             FROM directory_customers c LEFT JOIN directory_agents a ON a.id = c.owner_agent_id
             WHERE c.phone_e164 = ?1 ORDER BY c.id LIMIT 1",
            vec![SqlStorageValue::from(number)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

/// The line `e164`, with its menu.
pub(crate) fn line(sql: &SqlStorage, e164: &str) -> Result<Option<PhoneLineRow>, AppError> {
    let rows: Vec<PhoneLineRow> = sql
        .exec(
            "SELECT kind, announce_e164, required_skills_json, priority, skill_relax_after_secs,
                    menu_json, queue_id
             FROM directory_lines WHERE e164 = ?1",
            vec![SqlStorageValue::from(e164)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

#[derive(Deserialize)]
struct ContactJson {
    contact_json: String,
}

/// The caller's recent contacts, newest first, as stored JSON.
pub(crate) fn recent(sql: &SqlStorage, number: &str) -> Result<Vec<String>, AppError> {
    let rows: Vec<ContactJson> = sql
        .exec(
            "SELECT contact_json FROM directory_recent WHERE customer_number = ?1
             ORDER BY started_at_ms DESC, interaction DESC LIMIT ?2",
            vec![
                SqlStorageValue::from(number),
                SqlStorageValue::from(i64::from(RECENT_PER_CALLER)),
            ],
        )?
        .to_array()?;
    Ok(rows.into_iter().map(|row| row.contact_json).collect())
}

#[derive(Deserialize)]
struct MetaValue {
    value: String,
}

/// `directory_meta` keys.
const REFRESHED_AT: &str = "refreshed_at_ms";
const SCHEMA_VERSION: &str = "schema_version";
const CRM_LOOKUP_URL: &str = "crm_lookup_url";

fn meta(sql: &SqlStorage, key: &str) -> Result<Option<String>, AppError> {
    let rows: Vec<MetaValue> = sql
        .exec(
            "SELECT value FROM directory_meta WHERE key = ?1",
            vec![SqlStorageValue::from(key)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().map(|row| row.value))
}

fn set_meta(sql: &SqlStorage, key: &str, value: Option<&str>) -> Result<(), AppError> {
    match value {
        Some(value) => exec(
            sql,
            "INSERT OR REPLACE INTO directory_meta (key, value) VALUES (?1, ?2)",
            vec![SqlStorageValue::from(key), SqlStorageValue::from(value)],
        ),
        None => exec(
            sql,
            "DELETE FROM directory_meta WHERE key = ?1",
            vec![SqlStorageValue::from(key)],
        ),
    }
}

/// When the copy was last refreshed from D1 in full (ms since 1970), if ever.
pub(crate) fn refreshed_at(sql: &SqlStorage) -> Result<Option<u64>, AppError> {
    Ok(meta(sql, REFRESHED_AT)?.and_then(|value| value.parse().ok()))
}

pub(crate) fn set_refreshed_at(sql: &SqlStorage, at_ms: u64) -> Result<(), AppError> {
    set_meta(sql, REFRESHED_AT, Some(&at_ms.to_string()))
}

/// The tenant's live CRM lookup URL as the copy last read it from the tenant row.
pub(crate) fn crm_lookup_url(sql: &SqlStorage) -> Result<Option<String>, AppError> {
    meta(sql, CRM_LOOKUP_URL)
}

pub(crate) fn set_crm_lookup_url(sql: &SqlStorage, url: Option<&str>) -> Result<(), AppError> {
    set_meta(sql, CRM_LOOKUP_URL, url)
}

#[derive(Deserialize)]
struct TeamOf {
    team_id: Option<String>,
}

/// The agent's team in the copy (the owner a live CRM lookup names is only an id).
pub(crate) fn team_of(sql: &SqlStorage, agent: &str) -> Result<Option<String>, AppError> {
    let rows: Vec<TeamOf> = sql
        .exec(
            "SELECT team_id FROM directory_agents WHERE id = ?1",
            vec![SqlStorageValue::from(agent)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().and_then(|row| row.team_id))
}

/// Sizes for the hub's storage report.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct CopySize {
    pub(crate) customers: u64,
    pub(crate) lines: u64,
    pub(crate) recent: u64,
}

pub(crate) fn size(sql: &SqlStorage) -> Result<CopySize, AppError> {
    let rows: Vec<CopySize> = sql
        .exec(
            "SELECT (SELECT COUNT(*) FROM directory_customers) AS customers,
                    (SELECT COUNT(*) FROM directory_lines) AS lines,
                    (SELECT COUNT(*) FROM directory_recent) AS recent",
            Vec::new(),
        )?
        .to_array()?;
    Ok(rows.into_iter().next().unwrap_or_default())
}
