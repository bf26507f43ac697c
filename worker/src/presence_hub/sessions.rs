//! The hub's session ledger and socket limits: single-use embed tokens, revocation, and closing
//! the sockets of revoked or expired sessions and of sockets that never sign in.
//!
//! The ledger (`tsunagu_auth::SessionLedger`) lives in the hub's storage under `ledger/` keys,
//! loaded on the first use after a wake-up. The worker asks the hub over `POST /sessions/…`:
//! `open` (consume the embed token's `jti` and list the new session), `check` (is a session still
//! listed; asked on every authenticated HTTP request) and `revoke` (one session, an agent's, or
//! the tenant's). Revocation closes the sessions' sockets at once with
//! [`close_code::SESSION_REVOKED`]; expiry closes them at the session's `expires_at` (the alarm)
//! with [`close_code::SESSION_EXPIRED`].

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use tsunagu_auth::{LEDGER_MAX_ENTRIES, LedgerError, Opening, SessionLedger};
use tsunagu_core::AgentId;
use tsunagu_protocol::{HELLO_WITHIN_MS, close_code};
use worker::{Request, Response, Result, WebSocket};

use super::{PresenceHub, SocketTag, internal, write_entries};
use crate::clock;

/// The hub's session state in memory: the ledger (once loaded) and when the oldest socket that
/// has not said hello is due (ms; recomputed from the sockets after a wake-up).
#[derive(Default)]
pub(super) struct HubSessions {
    ledger: RefCell<Option<SessionLedger>>,
    hello_due: Cell<Option<u64>>,
}

/// `POST /sessions/open`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OpenRequest {
    pub(crate) embed_token_id: String,
    pub(crate) embed_expires_at: u64,
    pub(crate) session_id: String,
    pub(crate) agent: AgentId,
    pub(crate) session_expires_at: u64,
}

/// `POST /sessions/check`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CheckRequest {
    pub(crate) session_id: String,
}

/// `POST /sessions/revoke`: which sessions.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub(crate) enum RevokeRequest {
    Session { session_id: String },
    Agent { agent: AgentId },
    All,
}

/// The hub's answer to every `/sessions/…` request.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct SessionsReply {
    /// `open`: why not, if refused.
    #[serde(default)]
    pub(crate) refused: Option<OpenRefusal>,
    /// `check`: whether the session is listed and unexpired.
    #[serde(default)]
    pub(crate) valid: bool,
    /// `revoke`: how many sessions were revoked.
    #[serde(default)]
    pub(crate) revoked: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OpenRefusal {
    Replayed,
    Full,
}

impl PresenceHub {
    /// `POST /sessions/{open,check,revoke}` from the worker.
    pub(super) async fn sessions_request(&self, mut req: Request, path: &str) -> Result<Response> {
        self.load_ledger().await?;
        let now = clock::now_unix();
        let mut reply = SessionsReply::default();
        match path {
            "/sessions/open" => {
                let open: OpenRequest = req.json().await?;
                let result = self.with_ledger(|ledger| {
                    ledger.open_session(
                        &Opening {
                            embed_token_id: &open.embed_token_id,
                            embed_expires_at: open.embed_expires_at,
                            session_id: &open.session_id,
                            agent: &open.agent,
                            session_expires_at: open.session_expires_at,
                        },
                        now,
                    )
                });
                reply.refused = match result {
                    Ok(()) => None,
                    Err(LedgerError::Replayed) => Some(OpenRefusal::Replayed),
                    Err(LedgerError::Full) => Some(OpenRefusal::Full),
                };
            }
            "/sessions/check" => {
                // Asked on every authenticated request: a read, nothing to store or schedule.
                let check: CheckRequest = req.json().await?;
                reply.valid = self.session_is_valid(&check.session_id, now);
                return Response::from_json(&reply);
            }
            "/sessions/revoke" => {
                let revoke: RevokeRequest = req.json().await?;
                let ids = self.with_ledger(|ledger| match &revoke {
                    RevokeRequest::Session { session_id } => {
                        if ledger.revoke_session(session_id) {
                            vec![session_id.clone()]
                        } else {
                            Vec::new()
                        }
                    }
                    RevokeRequest::Agent { agent } => ledger.revoke_agent(agent),
                    RevokeRequest::All => ledger.revoke_all(),
                });
                reply.revoked = ids.len();
                self.persist_ledger().await?;
                self.close_sessions(&ids, close_code::SESSION_REVOKED, "session revoked")
                    .await?;
            }
            _ => return Response::error("not found", 404),
        }
        self.persist_ledger().await?;
        self.settle().await?;
        Response::from_json(&reply)
    }

    /// Whether the session `id` is listed and unexpired (the ledger must be loaded).
    pub(super) fn session_is_valid(&self, id: &str, now_unix: u64) -> bool {
        self.sessions
            .ledger
            .borrow()
            .as_ref()
            .is_some_and(|ledger| ledger.is_valid(id, now_unix))
    }

    /// A widget socket was accepted at `now_ms`: it must say hello within [`HELLO_WITHIN_MS`].
    /// The alarm is brought forward if it would ring later; nothing is stored.
    pub(super) async fn expect_hello(&self, now_ms: u64) -> Result<()> {
        let due = now_ms + HELLO_WITHIN_MS;
        let earlier = self.sessions.hello_due.get().is_none_or(|at| due < at);
        if earlier {
            self.sessions.hello_due.set(Some(due));
        }
        // An alarm this life set at or before `due` rings in time (nothing but the alarm
        // itself moves it later); else storage says when it rings.
        if self.alarm_set.get().flatten().is_some_and(|at| at <= due) {
            return Ok(());
        }
        let storage = self.state.storage();
        let alarm = storage.get_alarm().await?;
        let later = alarm.is_none_or(|at| u64::try_from(at).is_ok_and(|at| at > due));
        if later {
            set_alarm_at(self, due).await?;
        }
        Ok(())
    }

    /// At the alarm: closes sockets that did not say hello in time and the sockets of sessions
    /// that expired, and forgets the ledger's expired entries.
    pub(super) async fn sweep_sessions(&self) -> Result<()> {
        self.load_ledger().await?;
        let now_ms = clock::now_ms();
        let mut next_hello = None::<u64>;
        for ws in self.state.get_websockets() {
            let Some(tag) = ws.deserialize_attachment::<SocketTag>().ok().flatten() else {
                continue;
            };
            if tag.signed_in || tag.caller {
                continue;
            }
            let due = tag.opened_at + HELLO_WITHIN_MS;
            if due <= now_ms {
                let _ = ws.close(Some(close_code::HELLO_OVERDUE), Some("say hello first"));
            } else {
                next_hello = Some(next_hello.map_or(due, |at| at.min(due)));
            }
        }
        self.sessions.hello_due.set(next_hello);
        let expired = self.with_ledger(|ledger| ledger.expire(clock::now_unix()));
        self.persist_ledger().await?;
        self.close_sessions(&expired, close_code::SESSION_EXPIRED, "session expired")
            .await
    }

    /// The earliest time (ms) the sessions need the alarm: a hello due, or a ledger entry expiring.
    pub(super) async fn sessions_deadline(&self) -> Result<Option<u64>> {
        self.load_ledger().await?;
        let ledger_at = self
            .sessions
            .ledger
            .borrow()
            .as_ref()
            .and_then(SessionLedger::poll_timeout)
            .map(|secs| secs.saturating_mul(1000));
        Ok(match (self.sessions.hello_due.get(), ledger_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Loads the ledger from storage once per wake-up, and finds the sockets still owing a hello.
    pub(super) async fn load_ledger(&self) -> Result<()> {
        if self.sessions.ledger.borrow().is_some() {
            return Ok(());
        }
        let options = worker::ListOptions::new().prefix("ledger/");
        let map = self.state.storage().list_with_options(options).await?;
        let mut entries = Vec::new();
        map.for_each(&mut |value, key| {
            if let (Some(key), Some(value)) = (key.as_string(), value.as_string()) {
                entries.push((key, value));
            }
        });
        let ledger = SessionLedger::restore(entries, self.ledger_capacity()).map_err(internal)?;
        *self.sessions.ledger.borrow_mut() = Some(ledger);
        let hello_due = self
            .state
            .get_websockets()
            .iter()
            .filter_map(|ws| ws.deserialize_attachment::<SocketTag>().ok().flatten())
            .filter(|tag| !tag.signed_in && !tag.caller)
            .map(|tag| tag.opened_at + HELLO_WITHIN_MS)
            .min();
        self.sessions.hello_due.set(hello_due);
        Ok(())
    }

    fn with_ledger<T>(&self, f: impl FnOnce(&mut SessionLedger) -> T) -> T {
        let capacity = self.ledger_capacity();
        let mut ledger = self.sessions.ledger.borrow_mut();
        f(ledger.get_or_insert_with(|| SessionLedger::new(capacity)))
    }

    /// [`LEDGER_MAX_ENTRIES`], or fewer if `SESSION_LEDGER_MAX_ENTRIES` in the environment says so
    /// (tests fill a small ledger; the variable can only lower the cap).
    fn ledger_capacity(&self) -> usize {
        self.env
            .var("SESSION_LEDGER_MAX_ENTRIES")
            .ok()
            .and_then(|v| v.to_string().parse::<usize>().ok())
            .map_or(LEDGER_MAX_ENTRIES, |cap| cap.min(LEDGER_MAX_ENTRIES))
    }

    async fn persist_ledger(&self) -> Result<()> {
        let delta = self.with_ledger(SessionLedger::take_delta);
        if !delta.is_empty() {
            write_entries(&self.state.storage(), &delta.puts, &delta.deletes).await?;
        }
        Ok(())
    }

    /// Closes the sockets signed in with any of `ids`; their agents get the disconnect grace, so
    /// a live call survives while the widget signs in again.
    async fn close_sessions(&self, ids: &[String], code: u16, reason: &str) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut closed: Vec<WebSocket> = Vec::new();
        for ws in self.state.get_websockets() {
            let doomed = ws
                .deserialize_attachment::<SocketTag>()
                .ok()
                .flatten()
                .and_then(|tag| tag.session)
                .is_some_and(|sid| ids.contains(&sid));
            if doomed {
                let _ = ws.close(Some(code), Some(reason));
                closed.push(ws);
            }
        }
        for ws in closed {
            // The client's close frame may never come; the center hears of it now.
            self.socket_gone(&ws).await?;
        }
        Ok(())
    }
}

/// Makes the object's alarm ring at `at_ms` (none: no alarm), calling storage only when that is
/// not what `alarm_set` says it already is.
pub(super) async fn keep_alarm_at(hub: &PresenceHub, at_ms: Option<u64>) -> Result<()> {
    if hub.alarm_set.get() == Some(at_ms) {
        return Ok(());
    }
    let Some(at_ms) = at_ms else {
        hub.alarm_set.set(Some(None));
        let deleted = hub.state.storage().delete_alarm().await;
        if deleted.is_err() {
            hub.alarm_set.set(None);
        }
        return deleted;
    };
    set_alarm_at(hub, at_ms).await
}

/// Sets the object's alarm to `at_ms` (absolute ms since the epoch). Noted in `alarm_set` before
/// the call is made, so that of two settles in flight the one whose call is issued last (which
/// storage applies last) is what `alarm_set` says; forgotten if the call fails.
pub(super) async fn set_alarm_at(hub: &PresenceHub, at_ms: u64) -> Result<()> {
    hub.alarm_set.set(Some(Some(at_ms)));
    #[expect(clippy::cast_precision_loss, reason = "epoch ms stay below 2^53")]
    let date = js_sys::Date::new(&js_sys::Number::from(at_ms as f64));
    let set = hub
        .state
        .storage()
        .set_alarm(worker::ScheduledTime::new(date))
        .await;
    if set.is_err() {
        hub.alarm_set.set(None);
    }
    set
}

/// A widget socket's connection id: drawn, not counted in storage, so that a socket that never
/// signs in writes nothing. Random in [2^52, 2^53): exact as a JS number, and never one of the
/// counted ids of customer sockets (or of widget sockets of earlier builds).
pub(super) fn random_connection() -> Result<u64> {
    let random = u64::from_le_bytes(crate::random::bytes::<8>()?);
    Ok((1 << 52) | (random & ((1 << 52) - 1)))
}
