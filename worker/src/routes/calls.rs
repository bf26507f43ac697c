//! Click-to-call: `POST /api/calls` places an outbound call for the signed-in agent.
//!
//! The agent's own phone (their widget's `<Client>`) rings first and the widget answers it at
//! once; the answer fetches the outbound hook, whose TwiML dials the customer from the tenant's
//! main line. The center puts the agent on the call from the moment it is created, so no inbound
//! call rings them meanwhile.

use serde::{Deserialize, Serialize};
use tsunagu_auth::{Permission, Role};
use tsunagu_center::{CallInput, OutboundCall, interaction_of};
use tsunagu_interaction::ExternalNumber;
use tsunagu_phone::{DialRefusal, PhoneNumber, Region};
use worker::{Env, Request, Response};

use crate::{
    auth, deployment,
    error::AppError,
    hub::{self, HubRequest, Refusal},
    log, store, tenant_config, twilio_rest, voice,
};

#[derive(Deserialize)]
struct DialRequest {
    /// As the CRM shows it: `03-1234-5678`, `090…`, `0120…`, `+81…`.
    to: String,
    #[serde(default)]
    customer_id: Option<String>,
}

#[derive(Serialize)]
struct DialReply {
    /// The conversation (and the Twilio call the widget will be rung with).
    conversation: String,
    call_sid: String,
    /// The number dialled, in E.164 and as Japanese callers write it.
    to: String,
    to_display: String,
    customer: Option<DialledCustomer>,
}

#[derive(Serialize)]
struct DialledCustomer {
    id: String,
    name: String,
}

fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::DialRefused(refusal) => AppError::DialRefused(refusal),
        Refusal::NotSignedIn => AppError::Conflict {
            code: "not_signed_in",
            message: "open the widget and sign in before placing a call",
        },
        Refusal::AgentBusy => AppError::Conflict {
            code: "agent_busy",
            message: "finish the current call or wrap-up before placing another",
        },
    }
}

/// Logs a refused dial (the number's last four digits at most) and makes its error.
fn dial_refused(
    session: &tsunagu_auth::Session,
    number: &PhoneNumber,
    refusal: DialRefusal,
) -> AppError {
    let digits = number.as_e164();
    let last_four = digits
        .get(digits.len().saturating_sub(4)..)
        .unwrap_or_default();
    log::warn(
        "call.dial_refused",
        &[
            ("tenant", session.tenant.as_str().into()),
            ("agent", session.agent.as_str().into()),
            ("reason", refusal.code().into()),
            ("kind", number.kind().as_str().into()),
            ("country_code", number.country_code().into()),
            ("last_digits", last_four.into()),
        ],
    );
    AppError::DialRefused(refusal)
}

pub(crate) async fn place(mut req: Request, env: &Env) -> Result<Response, AppError> {
    let session = auth::require(&req, env, Permission::HandleCalls)?;
    let origin = deployment::public_origin(&req, env)?;
    let body: DialRequest = req
        .json()
        .await
        .map_err(|_| AppError::BadRequest("expected a JSON body {\"to\": \"03-…\"}"))?;
    let number = PhoneNumber::parse(&body.to, Region::Jp)
        .map_err(|_| AppError::BadRequest("`to` is not a phone number that can be dialled"))?;
    let to = ExternalNumber::new(number.as_e164())
        .map_err(|_| AppError::BadRequest("`to` is not a phone number that can be dialled"))?;
    let tenant = session.tenant.clone();
    let row = store::tenant(env, &tenant).await?;
    let config = tenant_config::from_row(&row)?;
    // Before anything else is asked: a refused number costs no call and no hub round trip.
    let supervisor = session.roles.contains(&Role::Supervisor);
    if let Err(refusal) = config.dial_policy.check(&number, supervisor) {
        return Err(dial_refused(&session, &number, refusal));
    }
    let ask = |call| HubRequest {
        tenant: session.tenant.clone(),
        config: Some(config.clone()),
        origin: origin.clone(),
        call: Some(call),
        incoming: None,
        log: Vec::new(),
    };
    // Checked before Twilio is asked, so a busy agent costs no call.
    let reply = hub::call(
        env,
        &tenant,
        &ask(CallInput::CanDial {
            agent: session.agent.clone(),
            to: Some(number.as_e164().to_owned()),
        }),
    )
    .await?;
    if let Some(refusal) = reply.refused {
        if let Refusal::DialRefused(refusal) = refusal {
            return Err(dial_refused(&session, &number, refusal));
        }
        return Err(refused(refusal));
    }
    let from = store::main_line(env, &tenant)
        .await?
        .ok_or(AppError::NotConfigured(
            "the tenant has no main line to call from",
        ))?;
    let customer = store::dialled_customer(env, &tenant, body.customer_id.as_deref(), to.as_str())
        .await?
        .and_then(voice::customer_card);
    let call_sid =
        twilio_rest::create_agent_call(env, &tenant, &origin, &session.agent, &from).await?;
    let placed = OutboundCall {
        call_sid: call_sid.clone(),
        agent: session.agent.clone(),
        to: to.clone(),
        customer: customer.clone(),
    };
    let reply = hub::call(
        env,
        &tenant,
        &ask(CallInput::OutboundPlaced { outbound: placed }),
    )
    .await?;
    if let Some(refusal) = reply.refused {
        // A call rang the agent between the check and now: take the created call back.
        let _ = twilio_rest::cancel_call(env, &tenant, &call_sid).await;
        return Err(refused(refusal));
    }
    log::info(
        "call.outbound",
        &[
            ("tenant", tenant.as_str().into()),
            ("agent", session.agent.as_str().into()),
            ("call_sid", call_sid.as_str().into()),
        ],
    );
    Ok(Response::from_json(&DialReply {
        conversation: interaction_of(&call_sid).as_str().to_owned(),
        call_sid: call_sid.as_str().to_owned(),
        to: to.as_str().to_owned(),
        to_display: number.national_display().to_owned(),
        customer: customer.map(|card| DialledCustomer {
            id: card.id.as_str().to_owned(),
            name: card.name,
        }),
    })?)
}
