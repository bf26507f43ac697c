//! Writes the call log: stores call events once (Twilio retries collapse) and re-stitches their conversation.

use tsunagu_core::{InteractionId, TenantId};
use tsunagu_stitch::{
    CallEvent, CallEventKind, Conversation, ConversationOutcome, EventIdentity, stitch,
};
use worker::Env;

use crate::{error::AppError, log, store};

/// The de-duplication key of an event: the stitcher's own notion of "the same event", spelled out
/// so a retried callback hits the primary key of `call_events` and is not stored twice.
fn event_key(event: &CallEvent) -> String {
    match event.identity() {
        EventIdentity::LegStatus {
            call_sid,
            status,
            sequence_number,
        } => {
            let sequence = sequence_number.map_or_else(|| "-".to_owned(), |n| n.to_string());
            format!("leg:{call_sid}:{status:?}:{sequence}")
        }
        EventIdentity::Recording {
            recording_sid,
            status,
        } => format!("recording:{recording_sid}:{status:?}"),
        EventIdentity::DialResult {
            parent_call_sid,
            dial_call_sid,
        } => format!("dial:{parent_call_sid}:{dial_call_sid}"),
        EventIdentity::Token(token) => format!("token:{}", token.0),
        EventIdentity::Content(kind) => {
            format!(
                "content:{}",
                serde_json::to_string(&kind).unwrap_or_default()
            )
        }
    }
}

fn kind_name(event: &CallEvent) -> &'static str {
    match &event.kind {
        CallEventKind::ConversationStarted(_) => "conversation_started",
        CallEventKind::LegStatus(_) => "leg_status",
        CallEventKind::DialResult(_) => "dial_result",
        CallEventKind::Recording(_) => "recording",
        CallEventKind::Offered(_) => "offered",
        CallEventKind::AgentResponded(_) => "agent_responded",
        CallEventKind::Queued(_) => "queued",
        CallEventKind::Dequeued(_) => "dequeued",
        CallEventKind::Hold(_) => "hold",
        CallEventKind::Unhold(_) => "unhold",
        CallEventKind::Transferred(_) => "transferred",
        CallEventKind::WrapUpEnded(_) => "wrap_up_ended",
        CallEventKind::Ended(_) => "ended",
        CallEventKind::Routed(_) => "routed",
        CallEventKind::MenuPassed(_) => "menu_passed",
        _ => "other",
    }
}

/// What storing call events did: the conversations it rebuilt, and whether it enqueued CRM
/// webhook deliveries (to drain).
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) conversations: Vec<Conversation>,
    pub(crate) deliveries: bool,
}

/// Stores `events` of one interaction; when any was new, rebuilds the interaction's conversation
/// and returns it (nothing when every event was stored before). A `retry` (an outbox entry an
/// earlier attempt or an earlier life of the hub left) rebuilds it anyway: the attempt that stored
/// the events may have stopped before it wrote the conversation.
pub(crate) async fn record(
    env: &Env,
    tenant: &TenantId,
    interaction: &InteractionId,
    events: &[CallEvent],
    retry: bool,
) -> Result<Recorded, AppError> {
    let keys: Vec<String> = events.iter().map(event_key).collect();
    let bodies = events
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Internal(format!("call event: {e}")))?;
    let rows: Vec<store::NewCallEvent<'_>> = events
        .iter()
        .zip(keys.iter().zip(&bodies))
        .map(|(event, (key, body))| store::NewCallEvent {
            key,
            interaction: interaction.as_str(),
            kind: kind_name(event),
            at_ms: event.at().0,
            body,
        })
        .collect();
    let (any_new, stored) =
        store::insert_call_events(env, tenant, interaction.as_str(), &rows).await?;
    // A retry of a write whose webhooks failed to enqueue finds its events stored: it restitches
    // and enqueues anyway (both idempotent), or the CRM would never hear of them.
    let emits = events.iter().any(crate::webhooks::may_emit);
    if any_new || emits || retry {
        let conversations = restitch(env, tenant, interaction, &stored).await?;
        let deliveries =
            emits && crate::webhooks::enqueue(env, tenant, events, &conversations).await?;
        return Ok(Recorded {
            conversations,
            deliveries,
        });
    }
    Ok(Recorded::default())
}

/// Folds every stored event of the interaction (`rows`) into its conversation and stores the
/// result.
async fn restitch(
    env: &Env,
    tenant: &TenantId,
    interaction: &InteractionId,
    rows: &[store::CallEventRow],
) -> Result<Vec<Conversation>, AppError> {
    let events = rows
        .iter()
        .filter_map(|row| serde_json::from_str::<CallEvent>(&row.body).ok())
        .collect::<Vec<_>>();
    let stitched = stitch(tenant, &events);
    for warning in &stitched.warnings {
        log::warn(
            "calllog.stitch_warning",
            &[
                ("tenant", tenant.as_str().into()),
                ("interaction", interaction.as_str().into()),
                ("warning", warning.to_string().into()),
            ],
        );
    }
    let event_count = u32::try_from(events.len()).unwrap_or(u32::MAX);
    for conversation in &stitched.conversations {
        save(env, tenant, conversation, event_count).await?;
    }
    Ok(stitched.conversations)
}

async fn save(
    env: &Env,
    tenant: &TenantId,
    conversation: &Conversation,
    event_count: u32,
) -> Result<(), AppError> {
    let id = conversation.id.to_string();
    let body = serde_json::to_string(conversation)
        .map_err(|e| AppError::Internal(format!("conversation: {e}")))?;
    let outcome = match &conversation.outcome {
        ConversationOutcome::InProgress => "in_progress",
        ConversationOutcome::Answered => "answered",
        ConversationOutcome::Abandoned { .. } => "abandoned",
        ConversationOutcome::Fallback { .. } => "fallback",
        ConversationOutcome::NotReached => "not_reached",
        _ => "other",
    };
    let mut agents: Vec<&str> = conversation
        .agent_legs
        .iter()
        .map(|leg| leg.agent.as_str())
        .collect();
    agents.sort_unstable();
    agents.dedup();
    store::upsert_conversation(
        env,
        tenant,
        &store::ConversationRecord {
            id: &id,
            customer_id: conversation.customer.as_ref().map(|c| c.as_str()),
            customer_number: conversation.customer_number.as_deref(),
            started_at_ms: conversation.started_at.0,
            ended_at_ms: conversation.ended_at.map(|t| t.0),
            answered_by: conversation.answered_by.as_ref().map(|a| a.as_str()),
            outcome,
            agents,
            event_count,
            body: &body,
        },
    )
    .await
}
