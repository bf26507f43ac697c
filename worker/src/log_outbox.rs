//! The hub's call-log outbox: log writes stored with the state change that made them, deleted once D1 has them, retried until then.

// The center's `Record` and `PresenceInterval` outputs become D1 rows after the request that made
// them (awaiting a dozen D1 round trips per call would serialise every webhook). Done by
// `wait_until` alone, a failed write or an object evicted mid-way lost the row for good. So each
// write is first put in Durable Object storage beside the delta (same batch, so both or neither),
// written to D1 in the background, and deleted when D1 has it; whatever is left is written again
// from the alarm. Every write is idempotent (call events collapse on their key, intervals replace
// on theirs), so a write done twice — a retry racing a slow first try — stores one row.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use tsunagu_center::Output;
use tsunagu_core::{AgentId, InteractionId, TeamId, TenantId};
use tsunagu_presence::{PresenceInterval, StatusKind};
use worker::{Env, ListOptions, Storage};

use crate::{calllog, error::AppError, store};

/// Storage key prefix of the writes D1 has not confirmed yet.
const PREFIX: &str = "outbox/";

/// At most this many waiting writes are retried per alarm (the rest on the next one).
const RETRY_BATCH: usize = 128;

/// One call-log write waiting for D1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingWrite {
    pub(crate) output: Output,
    /// The agent's team when a presence interval closed (read then: teams change later).
    pub(crate) team: Option<TeamId>,
}

/// Names the writes of one hub in the order they were made (time, then a counter within it).
#[derive(Default)]
pub(crate) struct OutboxKeys {
    last_ms: Cell<u64>,
    seq: Cell<u32>,
}

impl OutboxKeys {
    pub(crate) fn next(&self, now_ms: u64) -> String {
        let seq = if self.last_ms.replace(now_ms) == now_ms {
            self.seq.get().wrapping_add(1)
        } else {
            0
        };
        self.seq.set(seq);
        format!("{PREFIX}{now_ms:013}-{seq:010}")
    }
}

/// Whether a storage key is an outbox entry.
pub(crate) fn is_outbox_key(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// Whether an output is a call-log write (the outbox's business) rather than an effect.
pub(crate) fn is_log_write(output: &Output) -> bool {
    matches!(output, Output::Record(_) | Output::PresenceInterval { .. })
}

/// Writes one entry to D1 and, once D1 has it, deletes it from the outbox.
pub(crate) async fn deliver(
    env: &Env,
    storage: &Storage,
    tenant: &TenantId,
    key: &str,
    write: PendingWrite,
) -> Result<(), AppError> {
    write_to_d1(env, tenant, write).await?;
    storage
        .delete(key)
        .await
        .map_err(|e| AppError::Internal(format!("outbox delete: {e}")))?;
    Ok(())
}

/// Retries the oldest waiting writes, in order; returns how many are still waiting after it
/// (a write that fails again stays for the next alarm).
pub(crate) async fn retry(
    env: &Env,
    storage: &Storage,
    tenant: &TenantId,
) -> Result<usize, AppError> {
    let map = storage
        .list_with_options(ListOptions::new().prefix(PREFIX).limit(RETRY_BATCH))
        .await
        .map_err(|e| AppError::Internal(format!("outbox list: {e}")))?;
    let mut waiting = Vec::new();
    map.for_each(&mut |value, key| {
        if let (Some(key), Some(value)) = (key.as_string(), value.as_string()) {
            waiting.push((key, value));
        }
    });
    let listed = waiting.len();
    let mut left = 0;
    for (key, value) in waiting {
        let Ok(write) = serde_json::from_str::<PendingWrite>(&value) else {
            // Written by another build and unreadable by this one: kept for it, not retried.
            left += 1;
            continue;
        };
        if let Err(err) = deliver(env, storage, tenant, &key, write).await {
            crate::log::warn(
                "hub.log_retry_failed",
                &[("detail", err.to_string().into())],
            );
            left += 1;
        }
    }
    // A full batch means there may be more behind it.
    Ok(if listed == RETRY_BATCH {
        left.max(1)
    } else {
        left
    })
}

async fn write_to_d1(env: &Env, tenant: &TenantId, write: PendingWrite) -> Result<(), AppError> {
    match write.output {
        Output::Record(event) => match interaction_of(&event) {
            Some(interaction) => calllog::record(env, tenant, &interaction, &[event]).await,
            None => Err(AppError::Internal("call event without a contact".into())),
        },
        Output::PresenceInterval { agent, interval } => {
            store_interval(env, tenant, &agent, write.team, &interval).await
        }
        _ => Ok(()),
    }
}

/// Stores one closed presence interval in the shape the KPIs read.
async fn store_interval(
    env: &Env,
    tenant: &TenantId,
    agent: &AgentId,
    team: Option<TeamId>,
    interval: &PresenceInterval,
) -> Result<(), AppError> {
    use tsunagu_kpi::PresenceState;
    let state = match interval.status_kind {
        StatusKind::Offline => PresenceState::Offline,
        StatusKind::Available => PresenceState::Available,
        StatusKind::Away(_) => PresenceState::Away,
        StatusKind::Reserved => PresenceState::Reserved,
        StatusKind::OnCall => PresenceState::OnCall,
        StatusKind::WrapUp => PresenceState::WrapUp,
    };
    let kpi_interval = tsunagu_kpi::PresenceInterval {
        agent: agent.clone(),
        team,
        state,
        start: interval.start,
        end: interval.end,
    };
    let body = serde_json::to_string(&kpi_interval)
        .map_err(|e| AppError::Internal(format!("presence interval: {e}")))?;
    store::insert_presence_interval(
        env,
        tenant,
        &store::PresenceIntervalRecord {
            agent: agent.as_str(),
            status: &interval.status_kind.to_string(),
            start_ms: interval.start.0,
            end_ms: interval.end.0,
            body: &body,
        },
    )
    .await
}

/// The interaction a center event is about (voice interactions are named after their CallSid).
fn interaction_of(event: &tsunagu_stitch::CallEvent) -> Option<InteractionId> {
    use tsunagu_stitch::{CallEventKind as K, ContactRef};
    let contact = match &event.kind {
        K::ConversationStarted(e) => return Some(e.interaction.clone()),
        K::Offered(e) => &e.contact,
        K::AgentResponded(e) => &e.contact,
        K::Queued(e) => &e.contact,
        K::Transferred(e) => &e.contact,
        K::WrapUpEnded(e) => &e.contact,
        K::Dequeued(e) | K::Hold(e) | K::Unhold(e) | K::Ended(e) => &e.contact,
        _ => return None,
    };
    match contact {
        ContactRef::Interaction(id) => Some(id.clone()),
        ContactRef::Call(sid) => Some(tsunagu_center::interaction_of(sid)),
    }
}
