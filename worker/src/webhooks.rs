//! Webhooks to the tenant's CRM backend: events enqueued in D1 beside the call-log write that
//! produced them, delivered (signed) by the tenant's hub after the response and from its alarm.
//!
//! The call log's outbox (`log_outbox`) already holds every call event in the hub's storage until
//! D1 has it; `calllog::record` enqueues the webhook deliveries right after storing the event, and
//! a failed enqueue fails the write, so the outbox retries both (every step is idempotent: events
//! collapse on their key, deliveries on their id). From D1 the hub POSTs each due delivery;
//! failures back off (`tsunagu_webhooks::RetryPolicy`) for 24 h, then become dead letters that an
//! admin can read and redeliver. Nothing here runs on a Twilio webhook's critical path.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use serde_json::Value;
use tsunagu_core::TenantId;
use tsunagu_secrets::{NONCE_BYTES, open_named, seal_named};
use tsunagu_stitch::{CallEvent, CallEventKind, Conversation};
use tsunagu_webhooks::{Attempt, EventTypes, RetryPolicy, WebhookEvent, delivery_id, signature};
use wasm_bindgen::JsCast;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

use crate::{
    clock,
    error::AppError,
    log, random, secrets,
    store::webhooks::{self as store, AttemptResult, DeliveryRow, NewDelivery, SubscriptionRow},
};

/// How long one delivery may take before it counts as failed.
pub(crate) const DELIVERY_TIMEOUT_MS: u32 = 10_000;
/// Deliveries attempted per drain (the rest on the next alarm, at once).
const DRAIN_BATCH: u32 = 25;
/// How long to wait before draining again when D1 could not be read.
const DRAIN_RETRY_MS: u64 = 10_000;
/// Longest `last_error` kept.
const ERROR_MAX_CHARS: usize = 200;

/// The sealing name of a subscription's signing secret (the associated data binds it to the
/// tenant and the subscription, so it opens as no other record's).
fn sealing_name(subscription_id: &str) -> String {
    format!("webhook/{subscription_id}")
}

/// A fresh signing secret (`whsec_` + 32 random bytes in hex) and its sealed form.
pub(crate) fn new_secret(
    env: &Env,
    tenant: &TenantId,
    subscription_id: &str,
) -> Result<(String, tsunagu_secrets::Sealed), AppError> {
    let keyring = secrets::keyring(env).ok_or(AppError::NoMasterKey)?;
    let bytes = random::bytes::<32>()?;
    let secret = format!(
        "whsec_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let nonce = random::bytes::<NONCE_BYTES>()?;
    let sealed = seal_named(
        keyring.sealing_key(),
        tenant,
        &sealing_name(subscription_id),
        &secret,
        nonce,
    );
    Ok((secret, sealed))
}

/// The retry schedule: `WEBHOOK_RETRY_BASE_MS`, `WEBHOOK_RETRY_CAP_MS` and `WEBHOOK_GIVE_UP_MS`
/// (tests shorten them; defaults 10 s, 1 h, 24 h).
pub(crate) fn policy(env: &Env) -> RetryPolicy {
    let var = |name: &str, default: u64| {
        env.var(name)
            .ok()
            .and_then(|v| v.to_string().parse().ok())
            .unwrap_or(default)
    };
    let default = RetryPolicy::DEFAULT;
    RetryPolicy {
        base_ms: var("WEBHOOK_RETRY_BASE_MS", default.base_ms),
        cap_ms: var("WEBHOOK_RETRY_CAP_MS", default.cap_ms),
        give_up_after_ms: var("WEBHOOK_GIVE_UP_MS", default.give_up_after_ms),
    }
}

/// The tenant's subscriptions as the hub last read them: most call-log writes have an event that
/// may emit a webhook, and reading the subscriptions from D1 for each cost a query per write,
/// for a list that changes only through the admin API. That API tells the hub
/// (`DirectoryChange::Subscriptions`), which forgets the list and reads it at the next event; a
/// hub that could not be told reads it again at its next full directory refresh, as it does the
/// rest of its directory copy.
#[derive(Default)]
pub(crate) struct SubscriptionCache {
    rows: RefCell<Option<Rc<Vec<SubscriptionRow>>>>,
    /// Bumped by `forget`: a read that was under way when the list changed is not kept.
    generation: Cell<u64>,
}

impl SubscriptionCache {
    /// The subscriptions, from memory or, after a change, from D1.
    async fn get(
        &self,
        env: &Env,
        tenant: &TenantId,
    ) -> Result<Rc<Vec<SubscriptionRow>>, AppError> {
        if let Some(rows) = self.rows.borrow().as_ref() {
            return Ok(Rc::clone(rows));
        }
        let generation = self.generation.get();
        let rows = Rc::new(store::subscriptions(env, tenant).await?);
        if self.generation.get() == generation {
            *self.rows.borrow_mut() = Some(Rc::clone(&rows));
        }
        Ok(rows)
    }

    /// The subscriptions changed in D1: read them again when next needed.
    pub(crate) fn forget(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        self.rows.borrow_mut().take();
    }
}

/// Whether storing this event may produce a webhook (so it is worth restitching and enqueuing
/// even when the event itself was stored before).
pub(crate) fn may_emit(event: &CallEvent) -> bool {
    match &event.kind {
        CallEventKind::Offered(_)
        | CallEventKind::AgentResponded(_)
        | CallEventKind::WrapUpEnded(_)
        | CallEventKind::Ended(_)
        | CallEventKind::DialResult(_) => true,
        CallEventKind::LegStatus(leg) => leg.status.is_terminal(),
        _ => false,
    }
}

/// Enqueues the webhooks of freshly stored events and of the conversations they touched (an
/// ended one gives `call.ended`, maybe `call.missed`) for every subscription that wants them.
/// Answers whether it enqueued any delivery (only then is a drain worth its two queries).
pub(crate) async fn enqueue(
    env: &Env,
    tenant: &TenantId,
    subscriptions: &SubscriptionCache,
    events: &[CallEvent],
    conversations: &[Conversation],
) -> Result<bool, AppError> {
    let mut webhook_events: Vec<WebhookEvent> = events
        .iter()
        .filter_map(|event| WebhookEvent::from_call_event(tenant, event))
        .collect();
    for conversation in conversations {
        webhook_events.extend(WebhookEvent::from_ended_conversation(tenant, conversation));
    }
    if webhook_events.is_empty() {
        return Ok(false);
    }
    let subscriptions = subscriptions.get(env, tenant).await?;
    if subscriptions.is_empty() {
        return Ok(false);
    }
    let mut rows = Vec::new();
    for event in &webhook_events {
        let body = event.body();
        for subscription in subscriptions.iter() {
            if EventTypes::from_csv(&subscription.events).contains(event.kind) {
                rows.push((
                    delivery_id(&subscription.id, &event.id),
                    subscription.id.as_str(),
                    event,
                    body.clone(),
                ));
            }
        }
    }
    let deliveries: Vec<NewDelivery<'_>> = rows
        .iter()
        .map(|(id, subscription_id, event, body)| NewDelivery {
            id,
            subscription_id,
            event_id: &event.id,
            event_type: event.kind.as_str(),
            body,
        })
        .collect();
    store::enqueue(env, tenant, &deliveries, clock::now_ms()).await?;
    Ok(!deliveries.is_empty())
}

/// Attempts every due delivery (a batch at a time, oldest first) and answers when the drain should
/// run next: `None` when nothing is pending.
pub(crate) async fn drain(env: &Env, tenant: &TenantId) -> Option<u64> {
    match drain_batch(env, tenant).await {
        Ok(next) => next,
        Err(err) => {
            log::warn(
                "webhooks.drain_failed",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("detail", err.to_string().into()),
                ],
            );
            Some(clock::now_ms() + DRAIN_RETRY_MS)
        }
    }
}

async fn drain_batch(env: &Env, tenant: &TenantId) -> Result<Option<u64>, AppError> {
    let policy = policy(env);
    let due = store::due(env, tenant, clock::now_ms(), DRAIN_BATCH).await?;
    let full = due.len() == DRAIN_BATCH as usize;
    for row in &due {
        attempt(env, tenant, row, &policy, false).await?;
    }
    if full {
        // More may be due already: the alarm comes back at once.
        return Ok(Some(clock::now_ms()));
    }
    store::next_due(env, tenant).await
}

/// One attempt of one delivery, recorded. `redelivery`: an admin's retry of a dead letter (one
/// attempt; a failure leaves it dead with the new error).
pub(crate) async fn attempt(
    env: &Env,
    tenant: &TenantId,
    row: &DeliveryRow,
    policy: &RetryPolicy,
    redelivery: bool,
) -> Result<bool, AppError> {
    let started = clock::now_ms();
    let outcome = send(env, tenant, row).await;
    let now = clock::now_ms();
    let attempts = row.attempts.saturating_add(1);
    let first = if redelivery {
        started
    } else {
        row.first_attempt_at_ms.unwrap_or(started)
    };
    let error = outcome.as_ref().err().map(|err| truncate(err));
    let (status, next) = match (&outcome, redelivery) {
        (Ok(()), _) => ("delivered", None),
        (Err(_), true) => ("dead", None),
        (Err(_), false) => match policy.after_failure(attempts, first, now) {
            Attempt::RetryAt(at) => ("pending", Some(at)),
            Attempt::DeadLetter => ("dead", None),
        },
    };
    store::record_attempt(
        env,
        tenant,
        &row.id,
        &AttemptResult {
            status,
            attempts,
            first_attempt_at_ms: first,
            next_attempt_at_ms: next,
            at_ms: now,
            error: error.as_deref(),
        },
    )
    .await?;
    if status == "dead" {
        log::warn(
            "webhooks.dead_letter",
            &[
                ("tenant", tenant.as_str().into()),
                ("delivery", row.id.as_str().into()),
                ("attempts", attempts.into()),
            ],
        );
    }
    Ok(outcome.is_ok())
}

fn truncate(error: &str) -> String {
    error.chars().take(ERROR_MAX_CHARS).collect()
}

/// POSTs one delivery, signed; `Err` with a short reason unless the receiver answered 2xx.
async fn send(env: &Env, tenant: &TenantId, row: &DeliveryRow) -> Result<(), String> {
    let Some(body) = row.body.as_deref() else {
        return Err("no body stored".into());
    };
    let signing = store::signing(env, tenant, &row.subscription_id)
        .await
        .map_err(|err| format!("subscription: {err}"))?
        .ok_or("the subscription was deleted")?;
    let keyring = secrets::keyring(env).ok_or("no master key")?;
    let secret = open_named(
        &keyring,
        tenant,
        &sealing_name(&row.subscription_id),
        &signing.sealed,
    )
    .map_err(|err| format!("signing secret: {err}"))?;
    let header = signature::signature_header(secret.as_bytes(), clock::now_unix(), body.as_bytes());
    let headers = Headers::new();
    let set = |name: &str, value: &str| {
        headers
            .set(name, value)
            .map_err(|err| format!("header: {err}"))
    };
    set("Content-Type", "application/json")?;
    set(signature::HEADER, &header)?;
    set("Tsunagu-Delivery", &row.id)?;
    set("Tsunagu-Event", &row.event_type)?;
    set("User-Agent", "Tsunagu-Webhooks/1")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(&signing.url, &init).map_err(|err| err.to_string())?;
    let signal = timeout_signal(DELIVERY_TIMEOUT_MS).map_err(|err| format!("timeout: {err:?}"))?;
    let response = Fetch::Request(request)
        .send_with_signal(&signal)
        .await
        .map_err(|err| {
            if signal.aborted() {
                format!("no answer within {} s", DELIVERY_TIMEOUT_MS / 1000)
            } else {
                format!("connection failed: {err}")
            }
        })?;
    let status = response.status_code();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("HTTP {status}"))
    }
}

/// `AbortSignal.timeout(ms)`: aborts the fetch when the receiver is too slow.
pub(crate) fn timeout_signal(ms: u32) -> Result<worker::AbortSignal, wasm_bindgen::JsValue> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into())?;
    let timeout: js_sys::Function = js_sys::Reflect::get(&class, &"timeout".into())?.dyn_into()?;
    let signal = timeout.call1(&class, &ms.into())?;
    Ok(worker::AbortSignal::from(
        signal.unchecked_into::<web_sys::AbortSignal>(),
    ))
}

/// The JSON of a subscription for the admin API.
pub(crate) fn subscription_json(row: &store::SubscriptionRow) -> Value {
    serde_json::json!({
        "id": row.id,
        "url": row.url,
        "events": EventTypes::from_csv(&row.events),
        "description": row.description,
        "created_by": row.created_by,
        "created_at_ms": row.created_at_ms,
    })
}
