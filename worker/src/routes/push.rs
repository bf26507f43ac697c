//! The server API's pushes to one agent, for CRM backends with an API key (`calls:write` or `admin`): click-to-call on the agent's behalf (`POST /api/agents/<agent>/calls`) and a screen pop (`POST /api/agents/<agent>/screen-pop`).
//!
//! Decode, look the agent and the customer up in the directory, and hand the push to the
//! tenant's hub, whose center decides (`tsunagu_center::AgentPush`): whether the agent can be
//! reached, whether the number may be dialled, what the widget is told. Nothing is dialled here:
//! the agent's widget shows the number with Call / Cancel (or, with direct dialing allowed, places
//! the call at once) through `POST /api/calls`, which applies the dial policy again.

use serde::{Deserialize, Serialize};
use tsunagu_auth::Permission;
use tsunagu_center::{AgentPush, PushRefusal, Pushed, RecordProblem};
use tsunagu_core::{AgentId, CustomerId};
use tsunagu_phone::{PhoneNumber, Region};
use worker::{Env, Request, Response};

use crate::{
    auth::{self, Principal},
    error::AppError,
    hub::{self, PushRequest},
    log,
    routes::sessions::{self, AGENTS_PREFIX},
    store, tenant_config, voice,
};

/// `POST /api/agents/<agent>/…`: the per-agent routes (revoking sessions, and the pushes here).
pub(crate) async fn agents_post(req: Request, env: &Env, path: &str) -> Result<Response, AppError> {
    let (agent, action) = path
        .strip_prefix(AGENTS_PREFIX)
        .and_then(|rest| rest.split_once('/'))
        .filter(|(agent, _)| !agent.is_empty())
        .ok_or(AppError::NotFound)?;
    match action {
        "sessions/revoke" => sessions::revoke_agent(req, env, agent).await,
        "calls" => dial(req, env, agent).await,
        "screen-pop" => screen_pop(req, env, agent).await,
        _ => Err(AppError::NotFound),
    }
}

#[derive(Deserialize)]
struct DialBody {
    /// As the CRM shows it: `03-1234-5678`, `090…`, `+81…`.
    to: String,
    #[serde(default)]
    customer_id: Option<String>,
}

#[derive(Deserialize)]
struct ScreenPopBody {
    /// A customer of the directory…
    #[serde(default)]
    customer_id: Option<String>,
    /// …or a record the CRM describes.
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    subtitle: Option<String>,
    /// The record in the CRM (`https://` only), with either.
    #[serde(default)]
    url: Option<String>,
}

#[derive(Serialize)]
struct PushedReply {
    /// `offered_to_agent`, `dialing` or `shown`.
    status: Pushed,
    agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_display: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<PushedCustomer>,
}

#[derive(Serialize)]
struct PushedCustomer {
    id: String,
    name: String,
}

/// The directory's agent `raw`, or 404; with whether the agent is a supervisor (the dial
/// policy's country list may be theirs only).
async fn directory_agent(
    env: &Env,
    principal: &Principal,
    raw: &str,
) -> Result<(AgentId, bool), AppError> {
    let agent = AgentId::new(raw).map_err(|_| AppError::NotFound)?;
    let row = store::agent(env, &principal.tenant, agent.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let supervisor = row
        .roles
        .split_whitespace()
        .any(|role| role == "supervisor");
    Ok((agent, supervisor))
}

/// Sends `push` to the tenant's hub; the center's refusal as the error.
async fn push(
    env: &Env,
    principal: &Principal,
    agent: &AgentId,
    push: AgentPush,
) -> Result<Result<Pushed, PushRefusal>, AppError> {
    let row = store::tenant(env, &principal.tenant).await?;
    let config = tenant_config::from_row(&row)?;
    let reply = hub::push(
        env,
        &principal.tenant,
        &PushRequest {
            config: Some(config),
            agent: agent.clone(),
            push,
        },
    )
    .await?;
    match (reply.pushed, reply.refused) {
        (Some(pushed), _) => Ok(Ok(pushed)),
        (None, Some(refused)) => Ok(Err(refused)),
        (None, None) => Err(AppError::Internal("the hub answered no push".into())),
    }
}

fn accepted(reply: &PushedReply) -> Result<Response, AppError> {
    Ok(Response::from_json(reply)?.with_status(202))
}

/// `POST /api/agents/<agent>/calls`: the agent's widget is asked to call `to`.
async fn dial(mut req: Request, env: &Env, raw_agent: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::PushToAgents).await?;
    let body: DialBody = req.json().await.map_err(|_| {
        AppError::BadRequest("expected a JSON body {\"to\": \"03-…\", \"customer_id\"?: \"…\"}")
    })?;
    let number = PhoneNumber::parse(&body.to, Region::Jp)
        .map_err(|_| AppError::BadRequest("`to` is not a phone number that can be dialled"))?;
    let (agent, supervisor) = directory_agent(env, &principal, raw_agent).await?;
    let customer = store::dialled_customer(
        env,
        &principal.tenant,
        body.customer_id.as_deref(),
        number.as_e164(),
    )
    .await?
    .and_then(voice::customer_card);
    let asked = AgentPush::Dial {
        to: number.clone(),
        customer: customer.clone(),
        supervisor,
    };
    let pushed = match push(env, &principal, &agent, asked).await? {
        Ok(pushed) => pushed,
        Err(refusal) => {
            refused(&principal, &agent, refusal, Some(&number));
            return Err(AppError::PushRefused(refusal));
        }
    };
    log::info(
        "push.dial",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("agent", agent.as_str().into()),
            ("actor", principal.actor.as_str().into()),
            ("status", status_name(pushed).into()),
        ],
    );
    accepted(&PushedReply {
        status: pushed,
        agent: agent.as_str().to_owned(),
        to: Some(number.as_e164().to_owned()),
        to_display: Some(number.national_display().to_owned()),
        customer: customer.map(|card| PushedCustomer {
            id: card.id.as_str().to_owned(),
            name: card.name,
        }),
    })
}

/// `POST /api/agents/<agent>/screen-pop`: the agent's widget is asked to show a customer of
/// the directory (`customer_id`) or a record the CRM describes (`title`, `subtitle`), with an
/// optional `https://` link to it in the CRM.
async fn screen_pop(mut req: Request, env: &Env, raw_agent: &str) -> Result<Response, AppError> {
    let principal = auth::require_principal(&req, env, Permission::PushToAgents).await?;
    let body: ScreenPopBody = req.json().await.map_err(|_| {
        AppError::BadRequest(
            "expected a JSON body {\"customer_id\": \"…\"} or {\"title\": \"…\", \"subtitle\"?: \"…\", \"url\"?: \"https://…\"}",
        )
    })?;
    let (agent, _) = directory_agent(env, &principal, raw_agent).await?;
    let record = match body.customer_id {
        Some(_) if body.title.is_some() || body.subtitle.is_some() => {
            return Err(AppError::BadRequest(
                "give either `customer_id` or `title` (and `subtitle`), not both",
            ));
        }
        Some(id) => {
            let row = store::admin::customer(env, &principal.tenant, &id)
                .await?
                .ok_or(AppError::InvalidRecord(RecordProblem::UnknownCustomer))?;
            let id = CustomerId::new(row.id)
                .map_err(|_| AppError::InvalidRecord(RecordProblem::UnknownCustomer))?;
            let number = PhoneNumber::parse(&row.phone_e164, Region::Jp).ok();
            tsunagu_center::customer_record(
                id,
                &row.name,
                &row.company,
                number.as_ref().map(PhoneNumber::national_display),
                body.url.as_deref(),
            )
        }
        None => tsunagu_center::crm_record(
            body.title.as_deref().unwrap_or_default(),
            body.subtitle.as_deref(),
            body.url.as_deref(),
        ),
    }
    .map_err(AppError::InvalidRecord)?;
    let customer = record.customer.clone().map(|id| PushedCustomer {
        id: id.as_str().to_owned(),
        name: record.title.clone(),
    });
    let pushed = match push(env, &principal, &agent, AgentPush::ShowRecord { record }).await? {
        Ok(pushed) => pushed,
        Err(refusal) => {
            refused(&principal, &agent, refusal, None);
            return Err(AppError::PushRefused(refusal));
        }
    };
    log::info(
        "push.screen_pop",
        &[
            ("tenant", principal.tenant.as_str().into()),
            ("agent", agent.as_str().into()),
            ("actor", principal.actor.as_str().into()),
        ],
    );
    accepted(&PushedReply {
        status: pushed,
        agent: agent.as_str().to_owned(),
        to: None,
        to_display: None,
        customer,
    })
}

fn status_name(pushed: Pushed) -> &'static str {
    match pushed {
        Pushed::OfferedToAgent => "offered_to_agent",
        Pushed::Dialing => "dialing",
        Pushed::Shown => "shown",
    }
}

/// Logs a refused push with its reason (a number by its kind and last four digits at most).
fn refused(
    principal: &Principal,
    agent: &AgentId,
    refusal: PushRefusal,
    number: Option<&PhoneNumber>,
) {
    let reason = match refusal {
        PushRefusal::DialRefused { reason } => reason.code(),
        other => other.code(),
    };
    let mut fields = vec![
        ("tenant", principal.tenant.as_str().into()),
        ("agent", agent.as_str().into()),
        ("actor", principal.actor.as_str().into()),
        ("reason", reason.into()),
    ];
    if let Some(number) = number {
        let digits = number.as_e164();
        let last_four = digits
            .get(digits.len().saturating_sub(4)..)
            .unwrap_or_default();
        fields.push(("kind", number.kind().as_str().into()));
        fields.push(("country_code", number.country_code().into()));
        fields.push(("last_digits", last_four.into()));
    }
    log::warn("push.refused", &fields);
}
