//! The hub's call-log outbox: log writes stored with the state change that made them, deleted once D1 has them, retried until then.

// The center's `Record` and `PresenceInterval` outputs become D1 rows after the request that made
// them (awaiting a dozen D1 round trips per call would serialise every webhook). Done by
// `wait_until` alone, a failed write or an object evicted mid-way lost the row for good. So each
// write is first put in Durable Object storage beside the delta (same batch, so both or neither),
// written to D1 in the background, and deleted when D1 has it. A failed write, or one an earlier
// life of the object left behind, is written again from the alarm; writes still in flight are not
// (sending them twice doubled D1's work in a burst). Every write is idempotent (call events
// collapse on their key, intervals replace on theirs), so a retry racing a slow first try still
// stores one row.

use std::{
    cell::{Cell, RefCell},
    collections::BTreeSet,
    rc::Rc,
};

use serde::{Deserialize, Serialize};
use tsunagu_center::Output;
use tsunagu_core::{AgentId, InteractionId, TeamId, TenantId};
use tsunagu_presence::{PresenceInterval, StatusKind};
use worker::{Env, ListOptions, ScheduledTime, Storage, wasm_bindgen_futures::JsFuture};

use crate::{calllog, clock, error::AppError, store};

/// Storage key prefix of the writes D1 has not confirmed yet.
const PREFIX: &str = "outbox/";

/// Storage key prefix of writes that failed too often to keep retrying (`deadletter/<outbox
/// key>`): kept for an admin to read and, once the cause is fixed, to replay.
pub(crate) const DEAD_LETTER_PREFIX: &str = "deadletter/";

/// At most this many waiting writes are retried per alarm (the rest on the next one).
const RETRY_BATCH: usize = 128;

/// Keys per `delete_multiple` call (the storage API's limit).
const DELETE_BATCH: usize = 128;

/// One call-log write waiting for D1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingWrite {
    pub(crate) output: Output,
    /// The agent's team when a presence interval closed (read then: teams change later).
    pub(crate) team: Option<TeamId>,
    /// Retries that failed so far (the first write from the request does not count).
    #[serde(default)]
    pub(crate) attempts: u32,
    /// The conversation of a call event a webhook could not write (Twilio's callbacks name their
    /// call, not our interaction); the center's own events carry theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) interaction: Option<InteractionId>,
}

/// A write that failed `attempts` times, set aside with the last error.
#[derive(Debug, Serialize)]
struct DeadLetter<'a> {
    write: &'a PendingWrite,
    attempts: u32,
    error: &'a str,
    at_ms: u64,
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

/// What the hub knows of its outbox in memory (shared with its background writes): which
/// entries are being written right now, and when the alarm should retry the others.
#[derive(Clone)]
pub(crate) struct Tracker(Rc<TrackerState>);

struct TrackerState {
    in_flight: RefCell<BTreeSet<String>>,
    /// Fresh entries waiting for the writer's next round (see `deliver_fresh`).
    queue: RefCell<Vec<Entry>>,
    /// Whether a writer is running; at most one is.
    writing: Cell<bool>,
    retry_at: Cell<Option<u64>>,
    /// When the CRM webhook deliveries in D1 should be drained next (`webhooks`): the same alarm
    /// serves both.
    webhooks_at: Cell<Option<u64>>,
    retry_ms: u64,
    dead_letter_after: u32,
    /// Whether this life of the object made sure of the directory copy's tables, which the
    /// recent contacts are written to (once, not per delivery: under load the check was a
    /// noticeable share of the hub's CPU).
    directory_schema: Cell<bool>,
    /// The events of the conversations this life has written (the call log's fast path).
    log_cache: calllog::LogCache,
}

impl Tracker {
    /// `retry_ms`: how long a failed write waits before the alarm writes it again;
    /// `dead_letter_after`: how many failed retries set a write aside for good.
    pub(crate) fn new(retry_ms: u64, dead_letter_after: u32) -> Self {
        Self(Rc::new(TrackerState {
            in_flight: RefCell::new(BTreeSet::new()),
            queue: RefCell::new(Vec::new()),
            writing: Cell::new(false),
            retry_at: Cell::new(None),
            // A new life of the object checks D1 for deliveries an earlier one left waiting.
            webhooks_at: Cell::new(Some(clock::now_ms())),
            retry_ms,
            dead_letter_after: dead_letter_after.max(1),
            directory_schema: Cell::new(false),
            log_cache: calllog::LogCache::default(),
        }))
    }

    /// When the alarm should retry waiting writes; `None` while none is known to wait.
    pub(crate) fn retry_at(&self) -> Option<u64> {
        self.0.retry_at.get()
    }

    /// When the alarm should run next for the outbox or the webhooks, whichever is first.
    pub(crate) fn alarm_at(&self) -> Option<u64> {
        [self.retry_at(), self.0.webhooks_at.get()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether the webhook deliveries are due for a drain now.
    pub(crate) fn webhooks_due(&self) -> bool {
        self.0
            .webhooks_at
            .get()
            .is_some_and(|at| at <= clock::now_ms())
    }

    /// Drains the due webhook deliveries and keeps the alarm coming while any wait.
    pub(crate) async fn drain_webhooks(&self, env: &Env, storage: &Storage, tenant: &TenantId) {
        self.0.webhooks_at.set(None);
        let next = crate::webhooks::drain(env, tenant).await;
        if let Some(at) = next {
            let at = self.0.webhooks_at.get().map_or(at, |known| known.min(at));
            self.0.webhooks_at.set(Some(at));
            alarm_by(storage, at).await;
        }
    }

    /// Deliveries were just enqueued: the webhooks are due now.
    fn webhooks_now(&self) {
        let now = clock::now_ms();
        let at = self.0.webhooks_at.get().map_or(now, |known| known.min(now));
        self.0.webhooks_at.set(Some(at));
    }

    /// The CRM webhook subscriptions changed: the next event that may emit one reads them again.
    pub(crate) fn forget_subscriptions(&self) {
        self.0.log_cache.subscriptions.forget();
    }

    /// Entries found in storage on wake-up were left by an earlier life: retried at once.
    pub(crate) fn found_leftovers(&self) {
        self.0.retry_at.set(Some(clock::now_ms()));
    }

    /// Whether a retry is due now.
    pub(crate) fn retry_due(&self) -> bool {
        self.retry_at().is_some_and(|at| at <= clock::now_ms())
    }

    fn retry_later(&self) -> u64 {
        let at = clock::now_ms() + self.0.retry_ms;
        self.0.retry_at.set(Some(at));
        at
    }

    /// After a failed background write: makes sure the alarm comes back for it. `settle` keeps
    /// the alarm at or before `retry_at` from then on; this covers the time until it next runs.
    async fn schedule_retry(&self, storage: &Storage) {
        if self.retry_at().is_some() {
            return;
        }
        let at = self.retry_later();
        alarm_by(storage, at).await;
    }
}

/// Makes sure the alarm comes at `at` or earlier.
async fn alarm_by(storage: &Storage, at: u64) {
    let current = storage.get_alarm().await.ok().flatten();
    if current.is_none_or(|alarm| u64::try_from(alarm).unwrap_or(0) > at) {
        #[expect(clippy::cast_precision_loss, reason = "epoch ms stay below 2^53")]
        let date = js_sys::Date::new(&js_sys::Number::from(at as f64));
        if let Err(err) = storage.set_alarm(ScheduledTime::new(date)).await {
            crate::log::warn(
                "hub.log_retry_unscheduled",
                &[("detail", err.to_string().into())],
            );
        }
    }
}

/// Entries one round of the writer takes at most (the rest wait for its next round).
const ROUND_MAX: usize = 512;

/// Writes freshly stored entries to D1: the future to hand to `wait_until`. The entries count
/// as in flight from this call (not from the future's first poll), so an alarm in between does
/// not write them too. A failure leaves the entry for the alarm and makes sure it comes.
///
/// One writer at a time: the entries join a queue, and the call that finds no writer running
/// starts one, which writes what the queue holds in rounds until it is empty (later calls'
/// futures end at once). Entries queued while a round is under way go to D1 together in the
/// next, so a burst of requests costs a batch per round instead of one per request: under a
/// presence load (2,000 sockets, 100 changes/s) the intervals' D1 calls, one per change, were a
/// fifth of the hub's CPU. Should a D1 call never return, the entries behind it wait with it
/// (and the alarm skips them as in flight) until the object is evicted; the runtime's own
/// timeouts on D1 calls bound that.
pub(crate) fn deliver_fresh(
    env: Env,
    storage: Storage,
    tenant: TenantId,
    tracker: Tracker,
    pending: Vec<(String, PendingWrite)>,
) -> impl Future<Output = ()> + 'static {
    tracker
        .0
        .in_flight
        .borrow_mut()
        .extend(pending.iter().map(|(key, _)| key.clone()));
    tracker.0.queue.borrow_mut().extend(pending);
    let start = !tracker.0.writing.replace(true);
    async move {
        if start {
            write_queue(&env, &storage, &tenant, &tracker).await;
        }
    }
}

/// The writer: rounds of at most [`ROUND_MAX`] queued entries until the queue is empty.
async fn write_queue(env: &Env, storage: &Storage, tenant: &TenantId, tracker: &Tracker) {
    loop {
        let round: Vec<Entry> = {
            let mut queue = tracker.0.queue.borrow_mut();
            let take = queue.len().min(ROUND_MAX);
            queue.drain(..take).collect()
        };
        if round.is_empty() {
            // No await since the queue was seen empty: nothing can have joined it unseen.
            tracker.0.writing.set(false);
            return;
        }
        let keys: Vec<String> = round.iter().map(|(key, _)| key.clone()).collect();
        let failed = deliver(env, storage, tenant, tracker, round, false)
            .await
            .len();
        // CRM webhooks these enqueued go out from the same writer (and nothing is asked of D1
        // when they enqueued none).
        if tracker.webhooks_due() {
            tracker.drain_webhooks(env, storage, tenant).await;
        }
        {
            let mut in_flight = tracker.0.in_flight.borrow_mut();
            for key in &keys {
                in_flight.remove(key);
            }
        }
        if failed > 0 {
            tracker.schedule_retry(storage).await;
        }
    }
}

/// Writes entries to D1 in order and then deletes, in one storage call, those D1 took (one
/// delete per row would double the storage work of every webhook). Returns the ones that
/// failed, with the error. `retry`: the entries were found waiting (see `calllog::record`).
async fn deliver(
    env: &Env,
    storage: &Storage,
    tenant: &TenantId,
    tracker: &Tracker,
    pending: Vec<(String, PendingWrite)>,
    retry: bool,
) -> Vec<(String, PendingWrite, String)> {
    let mut written = Vec::with_capacity(pending.len());
    let mut failed = Vec::new();
    let mut recent = Vec::new();
    let mut deliveries = false;
    for (of, group) in grouped(pending) {
        // One interaction's events together: stored in one statement batch and stitched once,
        // instead of a store and a re-stitch per event (under a burst of calls these writes
        // were the hub's largest CPU cost). Should the group fail, each entry is written on its
        // own, so only the entry that fails waits for a retry (and may end as a dead letter).
        if let Some(recorded) = write_group(env, tenant, tracker, &of, &group, retry).await {
            written.extend(group.into_iter().map(|(key, _)| key));
            recent.extend(recorded.recent);
            deliveries |= recorded.deliveries;
            continue;
        }
        for (key, write) in group {
            match write_to_d1(env, tenant, tracker, write.clone(), retry).await {
                Ok(recorded) => {
                    written.push(key);
                    recent.extend(recorded.recent);
                    deliveries |= recorded.deliveries;
                }
                Err(err) => {
                    crate::log::warn(
                        "hub.log_write_failed",
                        &[("detail", err.to_string().into())],
                    );
                    failed.push((key, write, err.to_string()));
                }
            }
        }
    }
    if deliveries {
        tracker.webhooks_now();
    }
    // The callers' recent contacts in the hub's directory copy: the next call's screen pop
    // shows this one without asking D1 (only those that changed: most writes change none).
    let sql = storage.sql();
    let schema = &tracker.0.directory_schema;
    if !recent.is_empty()
        && let Err(err) = (if schema.get() {
            Ok(())
        } else {
            store::hub_directory::ensure_schema(&sql).map(|()| schema.set(true))
        })
        .and_then(|()| store::hub_directory::remember_recent(&sql, &recent))
    {
        crate::log::warn(
            "hub.recent_contacts_failed",
            &[("detail", err.to_string().into())],
        );
    }
    for chunk in written.chunks(DELETE_BATCH) {
        if let Err(err) = storage
            .delete_multiple(chunk.iter().map(String::as_str).collect())
            .await
        {
            // Written but still listed: the next retry writes them again, which stores nothing new.
            crate::log::warn(
                "hub.log_outbox_delete_failed",
                &[("detail", err.to_string().into())],
            );
        }
    }
    failed
}

/// From the alarm, when a retry is due: writes the oldest waiting entries that are not being
/// written right now, and keeps a retry scheduled while anything is left.
pub(crate) async fn retry(env: &Env, storage: &Storage, tenant: &TenantId, tracker: &Tracker) {
    match retry_batch(env, storage, tenant, tracker).await {
        Ok(0) => tracker.0.retry_at.set(None),
        Ok(left) => {
            crate::log::warn("hub.log_outbox_waiting", &[("entries", left.into())]);
            tracker.retry_later();
        }
        Err(err) => {
            crate::log::warn(
                "hub.log_retry_failed",
                &[("detail", err.to_string().into())],
            );
            tracker.retry_later();
        }
    }
}

/// Returns how many entries still wait after it (a write that fails again stays for the next).
async fn retry_batch(
    env: &Env,
    storage: &Storage,
    tenant: &TenantId,
    tracker: &Tracker,
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
    let mut readable = Vec::with_capacity(listed);
    {
        let in_flight = tracker.0.in_flight.borrow();
        for (key, value) in waiting {
            if in_flight.contains(&key) {
                // Its first write is still under way; should it fail, it schedules its own retry.
                continue;
            }
            match serde_json::from_str::<PendingWrite>(&value) {
                Ok(write) => readable.push((key, write)),
                // Written by another build and unreadable by this one: kept for it, not retried.
                Err(_) => left += 1,
            }
        }
    }
    // A retried call event may enqueue CRM webhooks now: the alarm drains them right after this.
    if readable.iter().any(|(_, write)| match &write.output {
        Output::Record(event) => crate::webhooks::may_emit(event),
        _ => false,
    }) {
        tracker.0.webhooks_at.set(Some(clock::now_ms()));
    }
    for (key, mut write, error) in deliver(env, storage, tenant, tracker, readable, true).await {
        write.attempts = write.attempts.saturating_add(1);
        if write.attempts >= tracker.0.dead_letter_after {
            set_aside(storage, &key, &write, &error).await?;
        } else {
            left += 1;
            let value = serde_json::to_string(&write)
                .map_err(|e| AppError::Internal(format!("outbox entry: {e}")))?;
            storage
                .put(&key, value)
                .await
                .map_err(|e| AppError::Internal(format!("outbox attempts: {e}")))?;
        }
    }
    // A full batch means there may be more behind it.
    Ok(if listed == RETRY_BATCH {
        left.max(1)
    } else {
        left
    })
}

/// Moves a write that keeps failing from the outbox to the dead letters, in one atomic write (both
/// storage calls are issued before either is awaited), and logs it.
async fn set_aside(
    storage: &Storage,
    key: &str,
    write: &PendingWrite,
    error: &str,
) -> Result<(), AppError> {
    let letter = DeadLetter {
        write,
        attempts: write.attempts,
        error,
        at_ms: clock::now_ms(),
    };
    let value = serde_json::to_string(&letter)
        .map_err(|e| AppError::Internal(format!("dead letter: {e}")))?;
    let raw = storage.as_raw();
    let suffix = key.strip_prefix(PREFIX).unwrap_or(key);
    let put = raw.put(&format!("{DEAD_LETTER_PREFIX}{suffix}"), value.into());
    let delete = raw.delete(key);
    for promise in [put, delete] {
        let promise = promise.map_err(|e| AppError::Internal(format!("dead letter: {e:?}")))?;
        JsFuture::from(promise)
            .await
            .map_err(|e| AppError::Internal(format!("dead letter: {e:?}")))?;
    }
    crate::log::warn(
        "hub.log_dead_letter",
        &[
            ("key", key.into()),
            ("attempts", write.attempts.into()),
            ("error", error.into()),
        ],
    );
    Ok(())
}

/// An outbox entry: its storage key and the write.
type Entry = (String, PendingWrite);

/// What a group of outbox entries is written as, at once.
#[derive(PartialEq, Eq)]
enum GroupOf {
    /// One interaction's call events: stored in one batch and stitched once.
    Interaction(InteractionId),
    /// Closed presence intervals (of any agents): one batch of rows.
    Intervals,
    /// Anything else, written alone.
    Alone,
}

/// The entries in groups: each interaction's call events together (in their order, where the
/// interaction first appears), the presence intervals together, every other entry alone. Call-log
/// writes are order-free across interactions and intervals (each is stored once by its key, and
/// a conversation is re-stitched from all of its events).
fn grouped(pending: Vec<Entry>) -> Vec<(GroupOf, Vec<Entry>)> {
    let mut groups: Vec<(GroupOf, Vec<Entry>)> = Vec::new();
    for (key, write) in pending {
        let of = match &write.output {
            Output::Record(event) => write
                .interaction
                .clone()
                .or_else(|| interaction_of(event))
                .map_or(GroupOf::Alone, GroupOf::Interaction),
            Output::PresenceInterval { .. } => GroupOf::Intervals,
            _ => GroupOf::Alone,
        };
        let group = (of != GroupOf::Alone)
            .then(|| groups.iter_mut().find(|(other, _)| *other == of))
            .flatten();
        match group {
            Some((_, entries)) => entries.push((key, write)),
            None => groups.push((of, vec![(key, write)])),
        }
    }
    groups
}

/// Writes a group of two or more entries at once: the conversations it changed, or `None` when
/// it is a single entry or the write failed (the caller then writes its entries one by one).
async fn write_group(
    env: &Env,
    tenant: &TenantId,
    tracker: &Tracker,
    of: &GroupOf,
    group: &[Entry],
    retry: bool,
) -> Option<calllog::Recorded> {
    if group.len() < 2 {
        return None;
    }
    let written = match of {
        GroupOf::Interaction(interaction) => {
            let events: Vec<tsunagu_stitch::CallEvent> = group
                .iter()
                .filter_map(|(_, write)| match &write.output {
                    Output::Record(event) => Some(event.clone()),
                    _ => None,
                })
                .collect();
            calllog::record(
                env,
                tenant,
                &tracker.0.log_cache,
                interaction,
                &events,
                retry,
            )
            .await
        }
        GroupOf::Intervals => store_intervals(env, tenant, group)
            .await
            .map(|()| calllog::Recorded::default()),
        GroupOf::Alone => return None,
    };
    match written {
        Ok(changed) => Some(changed),
        Err(err) => {
            crate::log::warn(
                "hub.log_group_write_failed",
                &[
                    ("entries", group.len().into()),
                    ("detail", err.to_string().into()),
                ],
            );
            None
        }
    }
}

/// Writes one entry; returns the conversations it changed (for the hub's recent contacts).
async fn write_to_d1(
    env: &Env,
    tenant: &TenantId,
    tracker: &Tracker,
    write: PendingWrite,
    retry: bool,
) -> Result<calllog::Recorded, AppError> {
    match write.output {
        Output::Record(event) => match write.interaction.or_else(|| interaction_of(&event)) {
            Some(interaction) => {
                let cache = &tracker.0.log_cache;
                calllog::record(env, tenant, cache, &interaction, &[event], retry).await
            }
            None => Err(AppError::Internal("call event without a contact".into())),
        },
        Output::PresenceInterval { agent, interval } => {
            let row = interval_row(&agent, write.team, &interval)?;
            store::insert_presence_intervals(env, tenant, &[row])
                .await
                .map(|()| calllog::Recorded::default())
        }
        _ => Ok(calllog::Recorded::default()),
    }
}

/// A closed presence interval in the shape the KPIs read, as its row.
fn interval_row(
    agent: &AgentId,
    team: Option<TeamId>,
    interval: &PresenceInterval,
) -> Result<store::PresenceIntervalRow, AppError> {
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
    Ok(store::PresenceIntervalRow {
        agent: agent.as_str().to_owned(),
        status: interval.status_kind.to_string(),
        start_ms: interval.start.0,
        end_ms: interval.end.0,
        body,
    })
}

/// Stores the presence intervals of `group` in one batch.
async fn store_intervals(env: &Env, tenant: &TenantId, group: &[Entry]) -> Result<(), AppError> {
    let rows = group
        .iter()
        .filter_map(|(_, write)| match &write.output {
            Output::PresenceInterval { agent, interval } => {
                Some(interval_row(agent, write.team.clone(), interval))
            }
            _ => None,
        })
        .collect::<Result<Vec<_>, _>>()?;
    store::insert_presence_intervals(env, tenant, &rows).await
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
        K::Routed(e) => &e.contact,
        K::MenuPassed(e) => &e.contact,
        _ => return None,
    };
    match contact {
        ContactRef::Interaction(id) => Some(id.clone()),
        ContactRef::Call(sid) => Some(tsunagu_center::interaction_of(sid)),
    }
}
