//! `PresenceHub`: one Durable Object per tenant, a thin shell around the tenant's `tsunagu_center::Center`.
//!
//! It feeds the center what happens (widget sockets, call events from the stateless handlers) with
//! the time, performs the center's outputs (socket sends, Twilio REST redirects, call-log writes),
//! stores the center's snapshot after every batch, and turns the center's next deadline into the
//! object's alarm. Sockets use the hibernation API: the runtime keeps them open while the object
//! is evicted, and each socket's attachment says which connection of the center it is, and
//! whether it is an agent's widget or a customer's "call us" page (a web call).

mod crm_lookup;
mod directory;
mod push;
mod requests;
pub(crate) mod sessions;
mod sockets;

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use tsunagu_auth::{Permission, RosterScope, SOCKET_RATE_LIMIT, TokenBucket};
use tsunagu_center::{
    AddressKey, AgentCard, CallInput, CallerRefusal, Center, CenterConfig, CenterError, Delta,
    Input, OpenCallerSocket, Output, Quarantined, Recovered, Reply, Snapshot, WebCallStart,
    skill_levels,
};
use tsunagu_core::{TenantId, Timestamp};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{
    CallEndReason, CallerEvent, CallerMessage, ClientMessage, MESSAGE_MAX_BYTES, PROTOCOL_VERSION,
    ServerMessage, close_code, hello_version,
};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{
    DurableObject, Env, ListOptions, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::{
    auth, clock,
    error::AppError,
    hub::{
        AgentSkillsReply, AgentSkillsRequest, DryRunRequest, HubReply, HubRequest, Refusal,
        WebhookEvent,
    },
    log,
    log_outbox::{self, OutboxKeys, PendingWrite},
    routes::webcall,
    store,
    twilio_rest::{self, Redirect},
};

/// Storage keys.
/// Where an earlier build kept the whole center as one value; read once and replaced by entries.
const LEGACY_SNAPSHOT_KEY: &str = "center";
/// The storage API takes at most this many keys per `put`/`delete` call.
const MAX_KEYS_PER_CALL: usize = 128;
const NEXT_CONN_KEY: &str = "next_conn";
const ORIGIN_KEY: &str = "origin";
/// Entries a restore could not use, kept for an operator: `quarantine/<original key>`.
const QUARANTINE_PREFIX: &str = "quarantine/";
/// At most this many quarantined entries and dead letters are listed per report.
const REPORT_MAX: usize = 200;

/// A snapshot write slower than this is logged (the snapshot grows with agents and queued calls).
const SLOW_PERSIST_MS: u64 = 50;

/// Default wait before the alarm retries call-log writes D1 has not confirmed.
const DEFAULT_LOG_RETRY_MS: u64 = 10_000;
const DEFAULT_LOG_DEAD_LETTER_AFTER: u32 = 360;

/// WebSocket close codes: documented in `tsunagu_protocol::close_code`.
const CLOSE_INCOMPATIBLE: u16 = close_code::INCOMPATIBLE;
const CLOSE_UNAUTHORIZED: u16 = close_code::UNAUTHORIZED;
const CLOSE_CALL_ENDED: u16 = close_code::CALL_ENDED;
const CLOSE_START_OVERDUE: u16 = close_code::START_OVERDUE;

/// The tag every customer socket carries besides its connection tag, to count them.
const CALLER_TAG: &str = "caller";

/// What a socket carries across hibernation: its connection id, and whether it has signed in
/// (a widget) or started its call (a customer page).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SocketTag {
    conn: u64,
    signed_in: bool,
    /// A customer's "call us" page, not an agent's widget. Absent in attachments written before
    /// web calls existed: those are widgets.
    #[serde(default)]
    caller: bool,
    /// When the socket was accepted (ms since the epoch): a customer socket must start its call
    /// within the tenant's `web_call_start_within`. 0 in attachments written before.
    #[serde(default)]
    opened_at: u64,
    /// A customer socket's network address as a keyed hash (never the address): at most a few
    /// sockets per address. Absent for widgets and in attachments written before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<AddressKey>,
    /// The session id a widget signed in with, so that revoking the session closes the socket.
    #[serde(default)]
    session: Option<String>,
}

impl SocketTag {
    /// A widget socket that has signed in: it hears broadcasts and is a connection of an agent.
    fn is_agent(&self) -> bool {
        self.signed_in && !self.caller
    }

    /// A customer socket whose call has started: it is a caller of the center.
    fn is_caller(&self) -> bool {
        self.signed_in && self.caller
    }
}

fn conn_tag(conn: u64) -> String {
    format!("c{conn}")
}

fn internal(err: impl std::fmt::Display) -> worker::Error {
    worker::Error::RustError(err.to_string())
}

#[durable_object]
pub struct PresenceHub {
    state: State,
    env: Env,
    /// The tenant's center; `None` until the first event after a wake-up loads it.
    center: RefCell<Option<Center>>,
    /// Names the call-log writes put in the outbox.
    outbox_keys: OutboxKeys,
    /// The outbox's writes in flight and when to retry the others.
    outbox: log_outbox::Tracker,
    /// Call events the webhooks sent with their request, for the outbox of the next `settle`.
    webhook_log: RefCell<Vec<WebhookEvent>>,
    /// The session ledger and the sockets owing a hello.
    sessions: sessions::HubSessions,
    /// Whether the directory copy's tables were checked since this start.
    directory_schema: Cell<bool>,
    /// The copy's `directory_meta` as last read or written in this life: every incoming call
    /// reads it (two queries each, ~3% of the hub's CPU at 100 calls/s), only a refresh changes it.
    copy_meta: RefCell<Option<directory::CopyMeta>>,
    /// A call found the directory copy older than `DIRECTORY_MAX_AGE_MS`: the alarm refreshes it.
    directory_refresh_due: Cell<bool>,
    /// The CRM's recent answers to live lookups, by caller number (a minute each).
    crm_answers: RefCell<tsunagu_webhooks::LookupCache>,
    /// Each agent's bucket of server API pushes (`tsunagu_auth::PUSH_RATE_LIMIT`). In memory: a
    /// restarted hub starts them full, which a limit against floods can afford.
    push_buckets: RefCell<std::collections::BTreeMap<tsunagu_core::AgentId, TokenBucket>>,
    /// Each socket's bucket of messages (`SOCKET_RATE_LIMIT`), by connection. In memory, like
    /// the push buckets: kept in the attachment, every message re-serialised the attachment only
    /// to store it (~1% of the hub's CPU with answering agents, profiled). A hub wakes from hibernation
    /// only after its sockets were quiet for seconds, when their buckets would be full anyway.
    socket_buckets: RefCell<std::collections::HashMap<u64, TokenBucket>>,
    /// When `socket_buckets` next drops the entries of sockets that are gone.
    socket_buckets_prune_at: Cell<usize>,
    /// The alarm as this life last set it (`Some(None)`: deleted) while it has not rung; `None`
    /// when not known (at the start of a life, and from the moment an alarm rings). Most settles
    /// compute the same deadline as the one before, and setting it again was a storage call
    /// each: ~12% of the hub's CPU under a presence load (2,000 sockets, 100 changes/s).
    /// `log_outbox` may bring the alarm forward behind its back; an alarm that then rings early
    /// finds nothing due, and the next settle sets it again.
    alarm_set: Cell<Option<Option<u64>>>,
}

impl DurableObject for PresenceHub {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            center: RefCell::new(None),
            webhook_log: RefCell::new(Vec::new()),
            outbox_keys: OutboxKeys::default(),
            outbox: log_outbox::Tracker::new(log_retry_ms(&env), log_dead_letter_after(&env)),
            sessions: sessions::HubSessions::default(),
            directory_schema: Cell::new(false),
            copy_meta: RefCell::new(None),
            directory_refresh_due: Cell::new(false),
            crm_answers: RefCell::new(tsunagu_webhooks::LookupCache::default()),
            push_buckets: RefCell::new(std::collections::BTreeMap::new()),
            socket_buckets: RefCell::new(std::collections::HashMap::new()),
            socket_buckets_prune_at: Cell::new(sockets::SOCKET_BUCKETS_PRUNE_MIN),
            alarm_set: Cell::new(None),
            env,
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let url = req.url()?;
        match url.path() {
            "/connect" => self.accept_socket(&url).await,
            "/connect-caller" => self.accept_caller_socket(&url).await,
            "/call" => self.call(req).await,
            "/dry-run" => self.dry_run(req).await,
            "/agent-skills" => self.agent_skills(req).await,
            "/directory-sync" => self.directory_sync(req).await,
            "/push" => self.push(req).await,
            "/storage-report" => self.storage_report().await,
            path if path.starts_with("/sessions/") => {
                let path = path.to_owned();
                self.sessions_request(req, &path).await
            }
            _ => Response::error("not found", 404),
        }
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        // Limits first, before anything is parsed or loaded.
        let size = match &message {
            WebSocketIncomingMessage::String(text) => text.len(),
            WebSocketIncomingMessage::Binary(bytes) => bytes.len(),
        };
        if size > MESSAGE_MAX_BYTES {
            ws.close(
                Some(close_code::MESSAGE_TOO_LARGE),
                Some("message too large"),
            )?;
            return self.socket_gone(&ws).await;
        }
        let Some(mut tag) = ws.deserialize_attachment::<SocketTag>()? else {
            return ws.close(Some(CLOSE_UNAUTHORIZED), Some("unknown socket"));
        };
        if !self.socket_may_send(tag.conn) {
            ws.close(Some(close_code::RATE_LIMITED), Some("too many messages"))?;
            return self.socket_gone(&ws).await;
        }
        let WebSocketIncomingMessage::String(text) = message else {
            return send(&ws, &rejected("binary frames are not part of the protocol"));
        };
        self.load(None).await?;
        let now = clock::now();
        if tag.caller {
            return self.caller_message(&ws, &mut tag, &text, now).await;
        }
        if !tag.signed_in {
            return self.hello(&ws, &mut tag, &text, now).await;
        }
        let Ok(message) = serde_json::from_str::<ClientMessage>(&text) else {
            return send(&ws, &rejected("unrecognised message"));
        };
        if matches!(message, ClientMessage::Hello { .. }) {
            return send(&ws, &rejected("this socket has already said hello"));
        }
        let result = self.with_center(|center| {
            center.handle_input(
                now,
                Input::ClientMessage {
                    conn: ConnectionId(tag.conn),
                    message,
                },
            )
        });
        if let Some(Err(err)) = result {
            send(&ws, &rejected(&err.to_string()))?;
        }
        self.settle().await
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> Result<()> {
        // Completing the closing handshake is our job under the hibernation API.
        let _ = ws.close(Some(1000), Some("closed"));
        self.socket_gone(&ws).await
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.socket_gone(&ws).await
    }

    async fn alarm(&self) -> Result<Response> {
        // The alarm that rang is gone: the next settle sets one whatever it was.
        self.alarm_set.set(None);
        self.sweep_sessions().await?;
        if self.load(None).await? {
            // The center's timers first: a ring timeout must not wait for D1.
            let now = clock::now();
            self.with_center(|center| center.handle_input(now, Input::Timeout));
            self.settle().await?;
            if self.outbox.retry_due()
                && let Some(tenant) = self.with_center(|center| center.config().tenant.clone())
            {
                log_outbox::retry(&self.env, &self.state.storage(), &tenant, &self.outbox).await;
                // The retry moved or cleared its due time; the alarm follows.
                self.settle().await?;
            }
            // The directory copy, when a call found it old (after the call was answered).
            self.refresh_directory_if_due().await?;
            // CRM webhook deliveries waiting in D1 (after the call-log retry, which may add some).
            if self.outbox.webhooks_due()
                && let Some(tenant) = self.with_center(|center| center.config().tenant.clone())
            {
                self.outbox
                    .drain_webhooks(&self.env, &self.state.storage(), &tenant)
                    .await;
                self.settle().await?;
            }
        } else if let Some(at) = self.sessions_deadline().await? {
            // No center to settle (only sockets that never signed in): the sweep's next turn.
            sessions::set_alarm_at(self, at).await?;
        }
        Response::ok("")
    }
}

impl PresenceHub {
    /// Makes sure the center is in memory: restored from storage, else created from `config`.
    /// A newer `config` replaces the stored one. Returns whether there is a center at all.
    async fn load(&self, config: Option<CenterConfig>) -> Result<bool> {
        if self.center.borrow().is_none() {
            let storage = self.state.storage();
            let entries = self.stored_entries().await?;
            let legacy = storage.get::<String>(LEGACY_SNAPSHOT_KEY).await?;
            let center = if !entries.is_empty() {
                let recovered = match Center::recover_entries(entries, config.as_ref()) {
                    Ok(recovered) => recovered,
                    // Nothing readable to start from and no settings in this request (a socket
                    // message, an alarm): wait for one that brings them (every webhook and
                    // socket upgrade does) rather than fail; the entries stay as they are.
                    Err(_) if config.is_none() => return Ok(false),
                    Err(err) => return Err(internal(err)),
                };
                self.quarantine(&recovered).await?;
                Some(recovered.center)
            } else if let Some(json) = legacy {
                // Its first delta holds every entry; `settle` writes them.
                match serde_json::from_str::<Snapshot>(&json)
                    .map_err(|e| e.to_string())
                    .and_then(|snapshot| Center::restore(snapshot).map_err(|e| e.to_string()))
                {
                    Ok(center) => {
                        storage.delete(LEGACY_SNAPSHOT_KEY).await?;
                        Some(center)
                    }
                    Err(reason) => {
                        let Some(config) = &config else {
                            return Err(internal(reason));
                        };
                        let recovered = Recovered {
                            center: Center::new(config.clone()).map_err(internal)?,
                            quarantined: vec![Quarantined {
                                key: LEGACY_SNAPSHOT_KEY.to_owned(),
                                value: json,
                                reason,
                            }],
                            fresh: true,
                        };
                        self.quarantine(&recovered).await?;
                        Some(recovered.center)
                    }
                }
            } else if let Some(config) = &config {
                Some(Center::new(config.clone()).map_err(internal)?)
            } else {
                None
            };
            let Some(center) = center else {
                return Ok(false);
            };
            *self.center.borrow_mut() = Some(center);
            self.forget_vanished_sockets();
        }
        if let Some(config) = config {
            self.with_center(|center| {
                if center.config() != &config {
                    center.set_config(config)
                } else {
                    Ok(())
                }
            })
            .transpose()
            .map_err(internal)?;
        }
        Ok(true)
    }

    /// After a restart the snapshot may list connections whose sockets are gone; the agents get
    /// the disconnect grace, as if the sockets had just closed, and web calls whose customer
    /// socket is gone end as if the customer had left.
    fn forget_vanished_sockets(&self) {
        let tags: Vec<SocketTag> = self
            .state
            .get_websockets()
            .iter()
            .filter_map(|ws| ws.deserialize_attachment::<SocketTag>().ok().flatten())
            .collect();
        let live_agents: Vec<u64> = tags
            .iter()
            .filter(|t| t.is_agent())
            .map(|t| t.conn)
            .collect();
        let live_callers: Vec<u64> = tags
            .iter()
            .filter(|t| t.is_caller())
            .map(|t| t.conn)
            .collect();
        let now = clock::now();
        self.with_center(|center| {
            let vanished: Vec<ConnectionId> = center
                .connections()
                .filter(|conn| !live_agents.contains(&conn.0))
                .collect();
            for conn in vanished {
                let _ = center.handle_input(now, Input::AgentDisconnected { conn });
            }
            let gone: Vec<ConnectionId> = center
                .callers()
                .filter(|conn| !live_callers.contains(&conn.0))
                .collect();
            for conn in gone {
                let _ = center.handle_input(now, Input::CallerDisconnected { conn });
            }
        });
    }

    /// Sets aside the entries a restore could not use: each moves to `quarantine/<key>` (with its
    /// value, the reason and the time) in one atomic write, and is logged. A center that had to
    /// start afresh knows none of the open sockets, so they are closed to make widgets sign in
    /// again (1012, "service restart").
    async fn quarantine(&self, recovered: &Recovered) -> Result<()> {
        if recovered.quarantined.is_empty() {
            return Ok(());
        }
        let now_ms = clock::now_ms();
        let mut delta = Delta::default();
        for entry in &recovered.quarantined {
            log::warn(
                "hub.entry_quarantined",
                &[
                    ("key", entry.key.as_str().into()),
                    ("reason", entry.reason.as_str().into()),
                    ("bytes", entry.value.len().into()),
                ],
            );
            let kept = serde_json::json!({
                "reason": entry.reason,
                "value": entry.value,
                "at_ms": now_ms,
            });
            delta.puts.push((
                format!("{QUARANTINE_PREFIX}{}", entry.key),
                kept.to_string(),
            ));
            delta.deletes.push(entry.key.clone());
        }
        self.persist(delta).await?;
        if recovered.fresh {
            log::warn(
                "hub.restarted_empty",
                &[("quarantined", recovered.quarantined.len().into())],
            );
            for ws in self.state.get_websockets() {
                let _ = ws.close(Some(1012), Some("service restart"));
            }
        }
        Ok(())
    }

    /// Every stored entry of the center (other keys, such as the origin, are the shell's own).
    async fn stored_entries(&self) -> Result<Vec<(String, String)>> {
        let map = self.state.storage().list().await?;
        let mut entries = Vec::new();
        let mut outbox_waiting = false;
        map.for_each(&mut |value, key| {
            if let (Some(key), Some(value)) = (key.as_string(), value.as_string()) {
                if Center::is_entry_key(&key) {
                    entries.push((key, value));
                } else if log_outbox::is_outbox_key(&key) {
                    outbox_waiting = true;
                }
            }
        });
        if outbox_waiting {
            // Left by an earlier life of this object: retried at the next alarm, set now.
            self.outbox.found_leftovers();
        }
        Ok(entries)
    }

    /// Writes a delta atomically (see `write_entries`); returns the bytes written.
    async fn persist(&self, delta: Delta) -> Result<usize> {
        write_entries(&self.state.storage(), &delta.puts, &delta.deletes).await
    }

    fn with_center<T>(&self, f: impl FnOnce(&mut Center) -> T) -> Option<T> {
        self.center.borrow_mut().as_mut().map(f)
    }

    async fn remember_origin(&self, origin: &str) -> Result<()> {
        let storage = self.state.storage();
        if storage.get::<String>(ORIGIN_KEY).await?.as_deref() != Some(origin) {
            storage.put(ORIGIN_KEY, origin).await?;
        }
        Ok(())
    }

    /// Drains the center's outputs and performs them, stores the snapshot, and sets the alarm.
    /// Outputs can lead to more input (a redirect of a call that is already over), so it loops.
    async fn settle(&self) -> Result<()> {
        loop {
            let Some((outputs, mut delta, deadline, tenant)) = self.with_center(|center| {
                let outputs: Vec<Output> = std::iter::from_fn(|| center.poll_output()).collect();
                let tenant = center.config().tenant.clone();
                (outputs, center.take_delta(), center.poll_timeout(), tenant)
            }) else {
                return Ok(());
            };
            // Call-log writes go in the outbox, stored in the same batch as the state change
            // that made them; the other outputs are effects, performed below.
            let (log_writes, effects): (Vec<Output>, Vec<Output>) =
                outputs.into_iter().partition(log_outbox::is_log_write);
            let mut pending = self.outbox_entries(log_writes);
            let webhook_log = std::mem::take(&mut *self.webhook_log.borrow_mut());
            let now_ms = clock::now_ms();
            pending.extend(webhook_log.into_iter().map(|logged| {
                (
                    self.outbox_keys.next(now_ms),
                    PendingWrite {
                        output: Output::Record(logged.event),
                        team: None,
                        attempts: 0,
                        interaction: Some(logged.interaction),
                    },
                )
            }));
            for (key, write) in &pending {
                delta
                    .puts
                    .push((key.clone(), serde_json::to_string(write).map_err(internal)?));
            }
            // Persist before effects: if the object dies mid-way, the effects are idempotent
            // (call-log writes) or re-derived (the alarm fires again). Only what this batch
            // changed is written: a handful of small entries, however many agents and calls.
            let started = clock::now_ms();
            let bytes = self.persist(delta).await?;
            let persist_ms = clock::now_ms().saturating_sub(started);
            if persist_ms >= SLOW_PERSIST_MS {
                log::warn(
                    "hub.slow_persist",
                    &[("bytes", bytes.into()), ("ms", persist_ms.into())],
                );
            }
            // Read after the await: a background write that failed meanwhile set a retry, and
            // this alarm must not come later than it (nor be deleted under it).
            let deadline = [
                deadline.map(|at| at.0),
                self.outbox.alarm_at(),
                self.sessions_deadline().await?,
                self.directory_refresh_due.get().then(clock::now_ms),
            ]
            .into_iter()
            .flatten()
            .min();
            sessions::keep_alarm_at(self, deadline).await?;
            if pending.is_empty() && effects.is_empty() {
                return Ok(());
            }
            // Call-log writes leave the hub's critical path: they are idempotent and order-free,
            // and awaiting a dozen D1 round trips per call would serialise every webhook.
            self.write_log_in_background(tenant, pending);
            for output in effects {
                if let Err(err) = self.perform(output).await {
                    log::warn("hub.effect_failed", &[("detail", err.to_string().into())]);
                }
            }
        }
    }

    async fn perform(&self, output: Output) -> std::result::Result<(), AppError> {
        let Some(tenant) = self.with_center(|center| center.config().tenant.clone()) else {
            return Ok(());
        };
        match output {
            Output::Send { conn, message } => {
                for ws in self.state.get_websockets_with_tag(&conn_tag(conn.0)) {
                    let _ = send(&ws, &message);
                }
            }
            Output::Multicast { conns, message } => {
                // Serialised once for every socket of the group.
                let text = message.to_json();
                for conn in conns {
                    for ws in self.state.get_websockets_with_tag(&conn_tag(conn.0)) {
                        // One dead socket must not stop the others from hearing the news.
                        let _ = ws.send_with_str(&text);
                    }
                }
            }
            Output::ToCaller { conn, message } => {
                // A started call gets its ICE servers next: TURN credentials for it alone.
                let ice = match &message {
                    CallerEvent::Started { conversation } => self.with_center(|center| {
                        webcall::ice_servers_event(&self.env, center.config(), conversation)
                    }),
                    _ => None,
                };
                for ws in self.state.get_websockets_with_tag(&conn_tag(conn.0)) {
                    let _ = if matches!(message, CallerEvent::Ended { .. }) {
                        end_caller(&ws, &message)
                    } else {
                        send_caller(&ws, &message)
                    };
                    if let Some(ice) = &ice {
                        let _ = send_caller(&ws, ice);
                    }
                }
            }
            Output::RedirectCall {
                call_sid,
                interaction,
            } => {
                let origin = self
                    .state
                    .storage()
                    .get::<String>(ORIGIN_KEY)
                    .await?
                    .ok_or(AppError::Internal("no webhook origin known yet".into()))?;
                let outcome = twilio_rest::redirect_call(
                    &self.env,
                    &tenant,
                    &origin,
                    &call_sid,
                    &interaction,
                )
                .await?;
                log::info(
                    "voice.redirect",
                    &[
                        ("tenant", tenant.as_str().into()),
                        ("conversation", interaction.as_str().into()),
                        ("call_over", (outcome == Redirect::CallOver).into()),
                    ],
                );
                if outcome == Redirect::CallOver {
                    let now = clock::now();
                    self.with_center(|center| {
                        center.handle_input(now, Input::Call(CallInput::CallEnded { call_sid }))
                    });
                }
            }
            // Partitioned off in `settle`, which puts them in the outbox.
            Output::CallWatchdog { interaction } => log::warn(
                "hub.call_watchdog",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("conversation", interaction.as_str().into()),
                ],
            ),
            Output::Record(_) | Output::PresenceInterval { .. } => {}
        }
        Ok(())
    }

    /// Names each call-log write for the outbox, with the agent's team read now for intervals.
    fn outbox_entries(&self, writes: Vec<Output>) -> Vec<(String, PendingWrite)> {
        let now = clock::now_ms();
        writes
            .into_iter()
            .map(|output| {
                let team = match &output {
                    Output::PresenceInterval { agent, .. } => self
                        .with_center(|center| center.agent_team(agent))
                        .flatten(),
                    _ => None,
                };
                (
                    self.outbox_keys.next(now),
                    PendingWrite {
                        output,
                        team,
                        attempts: 0,
                        interaction: None,
                    },
                )
            })
            .collect()
    }

    /// Writes the outbox's entries to D1 after the current request, in order, each deleted from
    /// the outbox once D1 has it.
    fn write_log_in_background(&self, tenant: TenantId, pending: Vec<(String, PendingWrite)>) {
        if pending.is_empty() {
            return;
        }
        self.state.wait_until(log_outbox::deliver_fresh(
            self.env.clone(),
            self.state.storage(),
            tenant,
            self.outbox.clone(),
            pending,
        ));
    }
}

/// Writes entries in as few storage calls as the API allows; returns the bytes written.
async fn write_entries(
    storage: &worker::Storage,
    puts: &[(String, String)],
    deletes: &[String],
) -> Result<usize> {
    // Every storage call is issued before any is awaited: Durable Objects commit the writes made
    // with no await between them as one atomic batch, so a crash or eviction never leaves half a
    // delta (an agent's new state without the call it points at). The API takes at most 128 keys
    // per call, hence the chunks.
    let raw = storage.as_raw();
    let mut bytes = 0;
    let mut pending = Vec::new();
    for chunk in puts.chunks(MAX_KEYS_PER_CALL) {
        // A plain object: `put_multiple` with a serde map would pass a JS `Map`, whose entries
        // the storage API does not see (it silently writes nothing).
        let values = js_sys::Object::new();
        for (key, value) in chunk {
            bytes += key.len() + value.len();
            js_sys::Reflect::set(&values, &key.into(), &value.into())?;
        }
        pending.push(raw.put_multiple(values.into())?);
    }
    for chunk in deletes.chunks(MAX_KEYS_PER_CALL) {
        let keys = chunk.iter().map(|key| key.as_str().into()).collect();
        pending.push(raw.delete_multiple(keys)?);
    }
    for promise in pending {
        JsFuture::from(promise).await?;
    }
    Ok(bytes)
}

/// How long failed call-log writes wait in the outbox before the alarm writes them again
/// (`LOG_RETRY_MS`; tests shorten it; default 10 s).
fn log_retry_ms(env: &Env) -> u64 {
    env.var("LOG_RETRY_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_LOG_RETRY_MS)
}

/// After how many failed retries a call-log write is set aside as a dead letter
/// (`LOG_DEAD_LETTER_AFTER`; default 360, an hour at the default retry interval).
fn log_dead_letter_after(env: &Env) -> u32 {
    env.var("LOG_DEAD_LETTER_AFTER")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_LOG_DEAD_LETTER_AFTER)
}

fn send(ws: &WebSocket, message: &ServerMessage) -> Result<()> {
    ws.send_with_str(message.to_json())
}

fn send_caller(ws: &WebSocket, event: &CallerEvent) -> Result<()> {
    ws.send_with_str(event.to_json())
}

/// Tells a customer page its call is over, then closes its socket.
fn end_caller(ws: &WebSocket, event: &CallerEvent) -> Result<()> {
    send_caller(ws, event)?;
    ws.close(Some(CLOSE_CALL_ENDED), Some("call ended"))
}

fn incompatible_caller(ws: &WebSocket, client: u32) -> Result<()> {
    send_caller(
        ws,
        &CallerEvent::IncompatibleProtocol {
            server: PROTOCOL_VERSION,
            client,
        },
    )?;
    ws.close(Some(CLOSE_INCOMPATIBLE), Some("incompatible protocol"))
}

fn caller_rejected(reason: &str) -> CallerEvent {
    CallerEvent::Rejected {
        reason: reason.to_owned(),
    }
}

/// Sixteen bytes from the runtime's CSPRNG: a web call's id.
fn random_bytes() -> Result<[u8; 16]> {
    crate::random::bytes::<16>()
}

fn refuse(ws: &WebSocket, reason: &str) -> Result<()> {
    send(
        ws,
        &ServerMessage::Unauthorized {
            reason: reason.to_owned(),
        },
    )?;
    ws.close(Some(CLOSE_UNAUTHORIZED), Some("unauthorized"))
}

fn rejected(reason: &str) -> ServerMessage {
    ServerMessage::Rejected {
        reason: reason.to_owned(),
    }
}
