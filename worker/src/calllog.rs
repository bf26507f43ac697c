//! Writes the call log: stores call events once (Twilio retries collapse) and re-stitches their conversation.

// Each webhook of a call adds events to its conversation, so the hub writes one conversation
// several times. The first write of a conversation in a life of the hub reads back every event
// D1 holds for it (two batches: store and read back, then the conversation); from then on the
// hub keeps those events in memory (`LogCache`) and stores the new events with the conversation
// re-stitched from them in one batch, reading nothing back. Writes of one conversation take its
// lock in turn, so what the hub holds for it is exactly what D1 holds (a D1 batch is one
// transaction); a failed write forgets the conversation, and the next one reads it back.

use std::{
    cell::RefCell,
    collections::{HashMap, HashSet, VecDeque},
    rc::Rc,
};

use futures_util::lock::Mutex;
use tsunagu_core::{InteractionId, TenantId};
use tsunagu_stitch::{
    CallEvent, CallEventKind, Conversation, ConversationOutcome, EventIdentity, stitch,
};
use worker::Env;

use crate::{
    error::AppError,
    log,
    store::{self, hub_directory::RecentEntry},
};

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

/// How many conversations the hub keeps the events of (the oldest forgotten first; a forgotten
/// one is read back on its next write). About 15 events of ~300 B per answered call: a few MB.
const CACHED_CONVERSATIONS: usize = 1024;

/// The call log this life of the hub has written, per interaction (see the top of this file).
#[derive(Default)]
pub(crate) struct LogCache {
    entries: RefCell<HashMap<InteractionId, Rc<Mutex<Known>>>>,
    /// Interactions in the order they were first written, for forgetting the oldest.
    order: RefCell<VecDeque<InteractionId>>,
    /// The CRM webhook subscriptions the events are enqueued for.
    pub(crate) subscriptions: crate::webhooks::SubscriptionCache,
}

/// One interaction's stored events as D1 holds them, once read back.
#[derive(Default)]
struct Known {
    loaded: bool,
    keys: HashSet<String>,
    events: Vec<CallEvent>,
    /// The recent contact last put in the hub's directory copy, per conversation id.
    recent: HashMap<String, String>,
}

impl LogCache {
    fn entry(&self, interaction: &InteractionId) -> Rc<Mutex<Known>> {
        let mut entries = self.entries.borrow_mut();
        if let Some(known) = entries.get(interaction) {
            return Rc::clone(known);
        }
        let known = Rc::new(Mutex::new(Known::default()));
        entries.insert(interaction.clone(), Rc::clone(&known));
        self.order.borrow_mut().push_back(interaction.clone());
        known
    }

    /// Forgets the oldest interactions over the limit, except those a write holds or waits for
    /// (forgetting one of those would let a second copy of it race the first).
    fn trim(&self) {
        let mut entries = self.entries.borrow_mut();
        let mut order = self.order.borrow_mut();
        let mut busy = Vec::new();
        while entries.len() > CACHED_CONVERSATIONS {
            let Some(oldest) = order.pop_front() else {
                break;
            };
            if entries
                .get(&oldest)
                .is_some_and(|known| Rc::strong_count(known) > 1)
            {
                busy.push(oldest);
            } else {
                entries.remove(&oldest);
            }
        }
        for interaction in busy.into_iter().rev() {
            order.push_front(interaction);
        }
    }
}

/// What storing call events did: the conversations it rebuilt, whether it enqueued CRM webhook
/// deliveries (to drain), and the callers' recent contacts that changed (for the hub's copy).
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) conversations: Vec<Conversation>,
    pub(crate) deliveries: bool,
    pub(crate) recent: Vec<RecentEntry>,
}

/// Stores `events` of one interaction; when any was new, rebuilds the interaction's conversation
/// and returns it (nothing when every event was stored before). A `retry` (an outbox entry an
/// earlier attempt or an earlier life of the hub left) rebuilds it anyway: the attempt that stored
/// the events may have stopped before it wrote the conversation.
pub(crate) async fn record(
    env: &Env,
    tenant: &TenantId,
    cache: &LogCache,
    interaction: &InteractionId,
    events: &[CallEvent],
    retry: bool,
) -> Result<Recorded, AppError> {
    let write = Write {
        env,
        tenant,
        cache,
        interaction,
        events,
        retry,
        emits: events.iter().any(crate::webhooks::may_emit),
    };
    let entry = cache.entry(interaction);
    let recorded = {
        let mut known = entry.lock().await;
        let written = if known.loaded {
            write.known(&mut known).await
        } else {
            write.read_back(&mut known).await
        };
        match written {
            Ok(mut recorded) => {
                recorded.recent = changed_recent(&mut known, &recorded.conversations);
                Ok(recorded)
            }
            Err(err) => {
                // D1 may hold more or less than the hub thought: read it back next time.
                *known = Known::default();
                Err(err)
            }
        }
    };
    drop(entry);
    cache.trim();
    recorded
}

/// One call to `record`: the events of one interaction to store.
struct Write<'a> {
    env: &'a Env,
    tenant: &'a TenantId,
    cache: &'a LogCache,
    interaction: &'a InteractionId,
    events: &'a [CallEvent],
    retry: bool,
    /// Whether any of the events may produce a CRM webhook.
    emits: bool,
}

impl Write<'_> {
    /// The first write of an interaction in this life of the hub: stores the events and reads
    /// back every stored event of the interaction in one batch, then stores the re-stitched
    /// conversation.
    async fn read_back(&self, known: &mut Known) -> Result<Recorded, AppError> {
        let (env, tenant, interaction) = (self.env, self.tenant, self.interaction);
        let keys: Vec<String> = self.events.iter().map(event_key).collect();
        let new = EventRows::of(self.events, &keys)?;
        let (any_new, stored) =
            store::insert_call_events(env, tenant, interaction.as_str(), &new.rows(interaction))
                .await?;
        known.events = stored
            .iter()
            .filter_map(|row| serde_json::from_str::<CallEvent>(&row.body).ok())
            .collect();
        known.keys = known.events.iter().map(event_key).collect();
        known.loaded = true;
        // A retry of a write whose webhooks failed to enqueue finds its events stored: it
        // restitches and enqueues anyway (both idempotent), or the CRM would never hear of them.
        if !(any_new || self.emits || self.retry) {
            return Ok(Recorded::default());
        }
        let conversations = stitch_logged(tenant, interaction, &known.events);
        let event_count = count(&known.events);
        for conversation in &conversations {
            let row = ConversationRow::of(conversation, event_count)?;
            store::upsert_conversation(env, tenant, &row.record()).await?;
        }
        self.finish(conversations).await
    }

    /// Every later write: the hub holds every stored event of the interaction, so the new ones
    /// and the conversation re-stitched with them go to D1 in one batch, and nothing is read back.
    async fn known(&self, known: &mut Known) -> Result<Recorded, AppError> {
        let stored = known.events.len();
        let mut fresh_keys: Vec<String> = Vec::new();
        for event in self.events {
            let key = event_key(event);
            if !known.keys.contains(&key) && !fresh_keys.contains(&key) {
                fresh_keys.push(key);
                known.events.push(event.clone());
            }
        }
        if fresh_keys.is_empty() && !self.emits && !self.retry {
            return Ok(Recorded::default());
        }
        let conversations = stitch_logged(self.tenant, self.interaction, &known.events);
        // A Twilio retry of an event already stored changes nothing in D1; only its webhooks
        // are enqueued again (idempotent), as before.
        if !fresh_keys.is_empty() || self.retry {
            let new = EventRows::of(&known.events[stored..], &fresh_keys)?;
            let event_count = count(&known.events);
            let rows = conversations
                .iter()
                .map(|conversation| ConversationRow::of(conversation, event_count))
                .collect::<Result<Vec<_>, _>>()?;
            let records: Vec<store::ConversationRecord<'_>> =
                rows.iter().map(ConversationRow::record).collect();
            let events = new.rows(self.interaction);
            store::store_call_log(self.env, self.tenant, &events, &records).await?;
        }
        known.keys.extend(fresh_keys);
        self.finish(conversations).await
    }

    /// Enqueues the CRM webhooks of the events when any may emit one.
    async fn finish(&self, conversations: Vec<Conversation>) -> Result<Recorded, AppError> {
        let subscriptions = &self.cache.subscriptions;
        let deliveries = self.emits
            && crate::webhooks::enqueue(
                self.env,
                self.tenant,
                subscriptions,
                self.events,
                &conversations,
            )
            .await?;
        Ok(Recorded {
            conversations,
            deliveries,
            recent: Vec::new(),
        })
    }
}

/// The callers' recent contacts of `conversations` that differ from what the hub last put in its
/// directory copy (most writes of a call change nothing there).
fn changed_recent(known: &mut Known, conversations: &[Conversation]) -> Vec<RecentEntry> {
    let mut changed = store::hub_directory::recent_entries(conversations);
    changed.retain(|entry| known.recent.get(&entry.interaction) != Some(&entry.contact_json));
    for entry in &changed {
        known
            .recent
            .insert(entry.interaction.clone(), entry.contact_json.clone());
    }
    changed
}

/// Stitches the interaction's events, logging what the stitcher warns of.
fn stitch_logged(
    tenant: &TenantId,
    interaction: &InteractionId,
    events: &[CallEvent],
) -> Vec<Conversation> {
    let stitched = stitch(tenant, events);
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
    stitched.conversations
}

fn count(events: &[CallEvent]) -> u32 {
    u32::try_from(events.len()).unwrap_or(u32::MAX)
}

/// Events as the rows `store` writes: their keys, kinds and JSON bodies.
struct EventRows<'a> {
    events: &'a [CallEvent],
    keys: &'a [String],
    bodies: Vec<String>,
}

impl<'a> EventRows<'a> {
    fn of(events: &'a [CallEvent], keys: &'a [String]) -> Result<Self, AppError> {
        let bodies = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(format!("call event: {e}")))?;
        Ok(Self {
            events,
            keys,
            bodies,
        })
    }

    fn rows<'b>(&'b self, interaction: &'b InteractionId) -> Vec<store::NewCallEvent<'b>> {
        self.events
            .iter()
            .zip(self.keys.iter().zip(&self.bodies))
            .map(|(event, (key, body))| store::NewCallEvent {
                key,
                interaction: interaction.as_str(),
                kind: kind_name(event),
                at_ms: event.at().0,
                body,
            })
            .collect()
    }
}

/// A stitched conversation's row: its JSON and searchable columns.
struct ConversationRow<'a> {
    conversation: &'a Conversation,
    id: String,
    body: String,
    event_count: u32,
}

impl<'a> ConversationRow<'a> {
    fn of(conversation: &'a Conversation, event_count: u32) -> Result<Self, AppError> {
        let body = serde_json::to_string(conversation)
            .map_err(|e| AppError::Internal(format!("conversation: {e}")))?;
        Ok(Self {
            conversation,
            id: conversation.id.to_string(),
            body,
            event_count,
        })
    }

    fn record(&self) -> store::ConversationRecord<'_> {
        let conversation = self.conversation;
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
        store::ConversationRecord {
            id: &self.id,
            customer_id: conversation.customer.as_ref().map(|c| c.as_str()),
            customer_number: conversation.customer_number.as_deref(),
            started_at_ms: conversation.started_at.0,
            ended_at_ms: conversation.ended_at.map(|t| t.0),
            answered_by: conversation.answered_by.as_ref().map(|a| a.as_str()),
            outcome,
            agents,
            event_count: self.event_count,
            body: &self.body,
        }
    }
}
