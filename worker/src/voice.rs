//! One handler per Twilio voice hook: decode the verified parameters, log the call event, ask the hub, answer TwiML.

use tsunagu_center::{
    AgentLegStatus, CallArrival, CallInput, CallPlan, CallRequirements, DialOutcome,
    DirectoryCustomer, Line, MenuAnswer, QueueResult, ends_the_call, interaction_of,
    recent_contact,
};
use tsunagu_core::{AgentId, CallSid, InteractionId, TenantId};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_protocol::{CustomerCard, RecentContact};
use tsunagu_stitch::{CallEvent, CallEventKind, Conversation, DedupKey};
use tsunagu_twilio::params::{
    CallStatusCallback, DialActionCallback, EnqueueActionCallback, ParamsError,
    RecordingStatusCallback, VoiceRequest,
};
pub(crate) use tsunagu_voice::Hook;
use tsunagu_voice::Webhooks;
use worker::{Env, Response};

use crate::{
    clock,
    error::AppError,
    hub::{self, HubRequest, IncomingCall, WebhookEvent},
    log, store,
};

/// Screen pop shows this many earlier conversations.
const RECENT_CONTACTS: u32 = 5;

fn bad_params(_: ParamsError) -> AppError {
    AppError::BadRequest("the webhook's parameters are incomplete or malformed")
}

fn query<'a>(webhook: &'a Webhook, name: &str) -> Option<&'a str> {
    webhook
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The `conversation` query parameter our own callback URLs carry.
fn conversation(webhook: &Webhook) -> Result<InteractionId, AppError> {
    query(webhook, "conversation")
        .and_then(|raw| InteractionId::new(raw).ok())
        .ok_or(AppError::BadRequest(
            "missing or invalid `conversation` parameter",
        ))
}

fn call_sid(raw: &str) -> Result<CallSid, AppError> {
    CallSid::new(raw).map_err(|_| AppError::BadRequest("invalid CallSid"))
}

fn twiml(xml: String) -> Result<Response, AppError> {
    let mut response = Response::ok(xml)?;
    response
        .headers_mut()
        .set("Content-Type", "text/xml; charset=utf-8")?;
    Ok(response)
}

/// A verified webhook: who it is for, which hook, its parameters and URL query.
pub(crate) struct Webhook {
    pub(crate) tenant: TenantId,
    pub(crate) hook: Hook,
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    /// `I-Twilio-Idempotency-Token`: the same across retries of one delivery.
    pub(crate) idempotency_token: Option<String>,
    /// Scheme and host Twilio called, for the callback URLs in our answer.
    pub(crate) origin: String,
}

/// An empty TwiML document: the answer to callbacks, which Twilio does not execute.
fn acknowledged() -> Result<Response, AppError> {
    twiml(r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#.to_owned())
}

pub(crate) async fn handle(webhook: Webhook, env: &Env) -> Result<Response, AppError> {
    let now = clock::now();
    // The callback's event for the call log: the hub stores it in its outbox with the state change
    // it causes and writes it to D1 after answering, so no webhook waits on (or fails with) D1.
    let mut log_events = Vec::new();
    let mut incoming_call = None;
    let call = match webhook.hook {
        Hook::Incoming => {
            incoming_call = Some(incoming(&webhook)?);
            None
        }
        Hook::Route => Some(CallInput::CallRedirected {
            interaction: conversation(&webhook)?,
        }),
        // The agent answered the outbound call the worker created: the plan dials the customer.
        Hook::Outbound => {
            let request = VoiceRequest::from_pairs(&webhook.pairs).map_err(bad_params)?;
            Some(CallInput::CallRedirected {
                interaction: interaction_of(&call_sid(&request.call.call_sid)?),
            })
        }
        Hook::DialResult => {
            let interaction = conversation(&webhook)?;
            let callback = DialActionCallback::from_pairs(&webhook.pairs).map_err(bad_params)?;
            let attempt = query(&webhook, "attempt")
                .and_then(|raw| raw.parse::<u32>().ok())
                .ok_or(AppError::BadRequest(
                    "missing or invalid `attempt` parameter",
                ))?;
            let result = tsunagu_stitch::dial_result(&callback, now)
                .map_err(|_| AppError::BadRequest("invalid CallSid"))?;
            record(
                &webhook,
                &interaction,
                CallEventKind::DialResult(result),
                &mut log_events,
            );
            Some(CallInput::DialFinished {
                interaction,
                attempt,
                outcome: DialOutcome::from_twilio(callback.dial_call_status.as_str()),
                caller_left: callback.call.call_status.is_final(),
            })
        }
        Hook::Ivr => {
            if query(&webhook, "recorded").is_some() {
                // The voicemail's `<Record action>`: the message is taken (its recording
                // callback reports it); the call ends here.
                return twiml(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#
                        .to_owned(),
                );
            }
            Some(menu_answer(&webhook)?)
        }
        Hook::QueueWait => Some(CallInput::QueueWait {
            interaction: conversation(&webhook)?,
        }),
        Hook::QueueKey => Some(CallInput::QueueKeyPressed {
            interaction: conversation(&webhook)?,
            // At most one key is gathered; anything longer is not a key the queue knows.
            digits: webhook
                .pairs
                .iter()
                .find(|(name, _)| name == "Digits")
                .map(|(_, digits)| digits.chars().take(1).collect())
                .unwrap_or_default(),
        }),
        Hook::QueueResult => {
            let callback = EnqueueActionCallback::from_pairs(&webhook.pairs).map_err(bad_params)?;
            Some(CallInput::QueueLeft {
                interaction: conversation(&webhook)?,
                result: QueueResult::from_twilio(callback.queue_result.as_str()),
            })
        }
        Hook::AgentStatus => {
            let interaction = conversation(&webhook)?;
            let agent = query(&webhook, "agent")
                .and_then(|raw| AgentId::new(raw).ok())
                .ok_or(AppError::BadRequest("missing or invalid `agent` parameter"))?;
            let callback = CallStatusCallback::from_pairs(&webhook.pairs).map_err(bad_params)?;
            let leg = tsunagu_stitch::leg_status(&callback, now)
                .map_err(|_| AppError::BadRequest("invalid CallSid"))?;
            let sid = leg.call_sid.clone();
            record(
                &webhook,
                &interaction,
                CallEventKind::LegStatus(leg),
                &mut log_events,
            );
            AgentLegStatus::from_twilio(callback.call.call_status.as_str()).map(|status| {
                CallInput::AgentLeg {
                    interaction,
                    agent,
                    status,
                    call_sid: sid,
                }
            })
        }
        Hook::Status | Hook::NumberStatus => {
            let callback = CallStatusCallback::from_pairs(&webhook.pairs).map_err(bad_params)?;
            let leg = tsunagu_stitch::leg_status(&callback, now)
                .map_err(|_| AppError::BadRequest("invalid CallSid"))?;
            let interaction = match webhook.hook {
                Hook::Status => {
                    interaction_of(leg.parent_call_sid.as_ref().unwrap_or(&leg.call_sid))
                }
                _ => conversation(&webhook)?,
            };
            let ended = webhook.hook == Hook::Status && ends_the_call(&leg);
            let sid = leg.call_sid.clone();
            record(
                &webhook,
                &interaction,
                CallEventKind::LegStatus(leg),
                &mut log_events,
            );
            if ended {
                Some(CallInput::CallEnded { call_sid: sid })
            } else {
                None
            }
        }
        Hook::Recording => {
            let interaction = conversation(&webhook)?;
            let callback =
                RecordingStatusCallback::from_pairs(&webhook.pairs).map_err(bad_params)?;
            let update = tsunagu_stitch::recording_update(&callback, now)
                .map_err(|_| AppError::BadRequest("invalid recording callback"))?;
            record(
                &webhook,
                &interaction,
                CallEventKind::Recording(update),
                &mut log_events,
            );
            None
        }
    };
    if call.is_none() && incoming_call.is_none() && log_events.is_empty() {
        return acknowledged();
    }
    // No settings from D1: the hub holds them (its directory copy, refreshed on every write).
    let request = HubRequest {
        tenant: webhook.tenant.clone(),
        config: None,
        origin: webhook.origin.clone(),
        call,
        incoming: incoming_call,
        log: log_events,
    };
    let decoded_at = clock::now_ms();
    let reply = hub::call(env, &webhook.tenant, &request).await?;
    let Some(plan) = reply.plan else {
        return acknowledged();
    };
    let timing = Timing {
        received: now.0,
        decoded: decoded_at,
        decided: clock::now_ms(),
    };
    log_plan(&webhook, &plan, &timing);
    let hooks = Webhooks {
        origin: webhook.origin.clone(),
        tenant: webhook.tenant.clone(),
    };
    let xml = tsunagu_voice::render(&plan, &hooks)
        .map_err(|e| AppError::Internal(format!("twiml: {e}")))?;
    twiml(xml)
}

/// When a webhook's stages finished (Workers' clock advances only across I/O, so these measure
/// D1 and the hub, which is what they are for).
struct Timing {
    received: u64,
    decoded: u64,
    decided: u64,
}

fn log_plan(webhook: &Webhook, plan: &CallPlan, timing: &Timing) {
    let name = plan.name();
    let mut fields = vec![
        ("tenant", webhook.tenant.as_str().into()),
        ("hook", webhook.hook.name().into()),
        ("plan", name.into()),
        (
            "d1_ms",
            timing.decoded.saturating_sub(timing.received).into(),
        ),
        (
            "hub_ms",
            timing.decided.saturating_sub(timing.decoded).into(),
        ),
    ];
    if let Some(interaction) = plan.interaction() {
        fields.push(("conversation", interaction.as_str().into()));
    }
    if let CallPlan::Ring { agent, attempt, .. } = plan {
        fields.push(("agent", agent.as_str().into()));
        fields.push(("attempt", (*attempt).into()));
    }
    log::info("voice.plan", &fields);
}

/// The longest IVR node id a hook URL may name (ids are validated names, far shorter).
const MAX_NODE_ID_CHARS: usize = 64;
/// What of a caller's answer is kept: keys (a choice is one key) and recognised speech.
const MAX_DIGITS: usize = 32;
const MAX_SPEECH_CHARS: usize = 200;

/// The IVR hook's request as the center's [`CallInput::MenuAnswered`]: which question (from the
/// URL we gave Twilio) and the answer (`SpeechResult` with `Confidence`, else `Digits`, else none:
/// the `<Redirect>` after a gather nobody answered).
fn menu_answer(webhook: &Webhook) -> Result<CallInput, AppError> {
    let request = VoiceRequest::from_pairs(&webhook.pairs).map_err(bad_params)?;
    let interaction = interaction_of(&call_sid(&request.call.call_sid)?);
    let param = |name: &str| {
        webhook
            .pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    };
    let speech = param("SpeechResult");
    let digits = param("Digits");
    let node = query(webhook, "node")
        .filter(|node| node.chars().count() <= MAX_NODE_ID_CHARS)
        .ok_or(AppError::BadRequest("missing or invalid `node` parameter"))?;
    let prompt = tsunagu_voice::ivr_answered(
        node,
        query(webhook, "retry"),
        query(webhook, "visit"),
        speech.is_some() || digits.is_some(),
    )
    .ok_or(AppError::BadRequest("invalid `retry` or `visit` parameter"))?;
    let answer = match (speech, digits) {
        (Some(text), _) => MenuAnswer::Speech {
            text: text.chars().take(MAX_SPEECH_CHARS).collect(),
            confidence_percent: param("Confidence")
                .and_then(|raw| raw.parse::<f32>().ok())
                .filter(|confidence| confidence.is_finite())
                .map(|confidence| (confidence.clamp(0.0, 1.0) * 100.0).round() as u8),
        },
        (None, Some(digits)) => MenuAnswer::Digits {
            digits: digits.chars().take(MAX_DIGITS).collect(),
        },
        (None, None) => MenuAnswer::NoInput,
    };
    Ok(CallInput::MenuAnswered {
        interaction,
        prompt,
        answer,
    })
}

/// Adds one Twilio callback to the events the hub logs. The hub keeps it in its outbox, in the
/// same storage batch as the state change it causes, and writes it to D1 after the webhook has its
/// answer (a retry with the same identity stores one row): a slow or failing database neither
/// delays nor drops the caller, and never loses a hang-up.
fn record(
    webhook: &Webhook,
    interaction: &InteractionId,
    kind: CallEventKind,
    log_events: &mut Vec<WebhookEvent>,
) {
    log_events.push(WebhookEvent {
        interaction: interaction.clone(),
        event: CallEvent {
            dedup_key: webhook.idempotency_token.clone().map(DedupKey),
            kind,
        },
    });
}

/// The CRM row of a number as the screen pop and routing show it (the wording is the center's).
pub(crate) fn customer_card(row: store::CallerRow) -> Option<CustomerCard> {
    DirectoryCustomer {
        id: row.id,
        name: row.name,
        company: row.company,
        owner: row.owner_agent_id,
        owner_team: row.owner_team_id,
    }
    .card()
}

/// The incoming call as the hub needs it to look the caller up in its directory copy: who
/// called which number (the hub builds the center's `CallArrival`; D1 is not read here).
fn incoming(webhook: &Webhook) -> Result<IncomingCall, AppError> {
    let request = VoiceRequest::from_pairs(&webhook.pairs).map_err(bad_params)?;
    Ok(IncomingCall {
        call_sid: call_sid(&request.call.call_sid)?,
        from: request.call.from.clone(),
        called: request.call.to.clone(),
        // An announced legacy call comes back as a call to the main line (`line=main`), keeping
        // the requirements of the number the caller dialled.
        main_line: query(webhook, "line") == Some("main"),
    })
}

/// The caller's number in E.164; withheld and unknown callers ("anonymous", "+266696687")
/// simply have none.
pub(crate) fn e164_of_caller(from: &str) -> Option<String> {
    PhoneNumber::parse(from, Region::Jp)
        .ok()
        .map(|n| n.as_e164().to_owned())
}

/// A call from `from` to the tenant's number `called` (`None`: the main line) as D1 has it now:
/// what a routing dry run asks about (calls read the hub's copy instead, `arrival_from`).
pub(crate) async fn caller_arrival(
    env: &Env,
    tenant: &TenantId,
    call_sid: CallSid,
    from: &str,
    called: Option<&str>,
) -> CallArrival {
    let customer_number = e164_of_caller(from);
    // Without D1 the dry run still answers: as for an unknown caller on the main line.
    let (customer, recent, line) = match store::caller_context(
        env,
        tenant,
        customer_number.as_deref(),
        called,
        RECENT_CONTACTS,
    )
    .await
    {
        Ok(context) => context,
        Err(err) => {
            log::warn(
                "voice.caller_lookup_failed",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("detail", err.to_string().into()),
                ],
            );
            (None, Vec::new(), None)
        }
    };
    let recent = recent
        .iter()
        .filter_map(|row| serde_json::from_str::<Conversation>(&row.body).ok())
        .map(|conversation| recent_contact(&conversation))
        .collect();
    let called = called.map(str::to_owned);
    arrival_from(
        tenant,
        call_sid,
        customer_number,
        customer,
        recent,
        (called, line),
    )
}

/// The center's `CallArrival` from the directory's rows (the hub's copy or D1): the caller's
/// record as a customer card, their recent contacts, the number called with its line and what
/// its calls need (skills, priority, the IVR menu; its own hours are in the tenant's settings).
pub(crate) fn arrival_from(
    tenant: &TenantId,
    call_sid: CallSid,
    customer_number: Option<String>,
    customer: Option<store::CallerRow>,
    recent: Vec<RecentContact>,
    (called, line): (Option<String>, Option<store::PhoneLineRow>),
) -> CallArrival {
    let customer_attributes = customer.as_ref().map_or_else(Default::default, |row| {
        tsunagu_center::customer_attributes(&row.attributes_json)
    });
    let customer = customer.and_then(customer_card);
    let requirements = line.as_ref().map_or_else(CallRequirements::default, |row| {
        CallRequirements::from_line(
            &row.required_skills_json,
            row.priority,
            row.skill_relax_after_secs,
        )
    });
    let menu = line
        .as_ref()
        .and_then(|row| row.menu_json.as_deref())
        .and_then(
            |json| match serde_json::from_str::<tsunagu_ivr::ValidMenu>(json) {
                Ok(menu) => Some(menu),
                Err(err) => {
                    // Stored menus were validated on save; one that no longer reads (a newer
                    // format?) must not keep the caller from an agent: routed without it.
                    log::warn(
                        "voice.ivr_menu_unreadable",
                        &[
                            ("tenant", tenant.as_str().into()),
                            ("detail", err.to_string().into()),
                        ],
                    );
                    None
                }
            },
        );
    let queue = line
        .as_ref()
        .and_then(|row| row.queue_id.as_deref())
        .and_then(tsunagu_center::QueueId::new);
    let line = line.map_or(Line::Main, |row| {
        Line::from_directory(&row.kind, row.announce_e164)
    });
    CallArrival {
        queue,
        call_sid,
        customer_number,
        customer,
        customer_attributes,
        recent,
        line,
        requirements,
        menu,
        called,
    }
}
