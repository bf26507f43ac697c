//! The call log: `GET /api/conversations` (search) and `GET /api/kpi`, for signed-in agents of the tenant.
//!
//! The tenant is always the session's own: no parameter can name another tenant, so a token of
//! tenant A cannot read tenant B by construction.

use serde::Deserialize;
use tsunagu_kpi::{GroupBy, KpiConfig, PresenceInterval};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_stitch::Conversation;
use worker::{Env, Request, Response};

use crate::{auth, clock, error::AppError, store};

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
}

pub(crate) async fn conversations(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::session(&req, env)?;
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
    let search = store::ConversationSearch {
        number,
        customer: query.customer,
        agent: query.agent,
        from_ms: query.from,
        to_ms: query.to,
        limit: query.limit.unwrap_or(50).clamp(1, MAX_PAGE),
    };
    let rows = store::search_conversations(env, &session.tenant, &search).await?;
    let conversations = rows
        .iter()
        .map(|row| serde_json::from_str::<serde_json::Value>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    Ok(Response::from_json(
        &serde_json::json!({ "conversations": conversations }),
    )?)
}

/// `GET /api/conversations/<interaction>`: one conversation (404 until its first event is stitched).
pub(crate) async fn conversation(
    req: Request,
    env: &Env,
    interaction: &str,
) -> Result<Response, AppError> {
    let session = auth::session(&req, env)?;
    let interaction = tsunagu_core::InteractionId::new(interaction)
        .map_err(|_| AppError::BadRequest("invalid conversation id"))?;
    let body = store::conversation_of_interaction(env, &session.tenant, interaction.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let conversation: serde_json::Value = serde_json::from_str(&body)
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    Ok(Response::from_json(&conversation)?)
}

#[derive(Deserialize)]
struct KpiQuery {
    from: Option<u64>,
    to: Option<u64>,
    group: Option<GroupBy>,
}

pub(crate) async fn kpi(req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::session(&req, env)?;
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
    let search = store::ConversationSearch {
        from_ms: Some(from_ms),
        to_ms: Some(to_ms),
        limit: MAX_KPI_CONVERSATIONS,
        ..Default::default()
    };
    let rows = store::search_conversations(env, &session.tenant, &search).await?;
    let conversations = rows
        .iter()
        .map(|row| serde_json::from_str::<Conversation>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored conversation: {e}")))?;
    let presence = store::presence_intervals(env, &session.tenant, from_ms, to_ms)
        .await?
        .iter()
        .map(|row| serde_json::from_str::<PresenceInterval>(&row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("stored presence interval: {e}")))?;
    let report = tsunagu_kpi::compute(
        &conversations,
        &presence,
        query.group.unwrap_or(GroupBy::All),
        &KpiConfig::default(),
    );
    Ok(Response::from_json(&report)?)
}
