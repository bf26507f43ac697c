//! The tenant's session ledger: embed tokens already used, and the sessions still alive.
//!
//! Embed tokens are single-use: opening a session records the token's `jti` until the token
//! expires, and a second use is refused. Every session opened is listed (id, agent, expiry) until
//! it expires, so a session is valid only while it is listed: revoking one, all of an agent's, or
//! all of the tenant's is removing them. Listing sessions rather than keeping "not before" times
//! makes revocation exact: a session opened in the same second as a revocation is unaffected,
//! and a widget signing in again right after a rotation gets a session that works.
//!
//! The ledger is bounded: entries leave when their token expires, and beyond
//! [`SessionLedger::max_entries`] new sessions are refused rather than the ledger growing. Time is
//! an input (unix seconds); changes since the last [`SessionLedger::take_delta`] are given as
//! storage entries, as the center does.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tsunagu_core::AgentId;

/// The default cap on a tenant's ledger entries (used embed tokens plus live sessions).
pub const LEDGER_MAX_ENTRIES: usize = 20_000;

const KEY_PREFIX: &str = "ledger/";
const USED_PREFIX: &str = "ledger/jti/";
const SESSION_PREFIX: &str = "ledger/sid/";

/// Why a session could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("this embed token was already used")]
    Replayed,
    #[error("too many sessions are open for this tenant; try again later")]
    Full,
}

/// A stored entry that cannot be read back (written by a newer or broken build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable session ledger entry")]
pub struct CorruptEntry;

/// A session the ledger lists until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSession {
    pub agent: AgentId,
    /// Unix seconds.
    pub expires_at: u64,
}

/// Storage writes since the last [`SessionLedger::take_delta`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerDelta {
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
}

impl LedgerDelta {
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

/// What opening a session records: the embed token used and the session it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening<'a> {
    pub embed_token_id: &'a str,
    /// The embed token's `exp`: until then a replay must be refused.
    pub embed_expires_at: u64,
    pub session_id: &'a str,
    pub agent: &'a AgentId,
    pub session_expires_at: u64,
}

/// An entry of the ledger, as its expiry index names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Expiring {
    Used(String),
    Session(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLedger {
    used: BTreeMap<String, u64>,
    sessions: BTreeMap<String, LiveSession>,
    /// Every entry above by its expiry, so expiring and the next deadline cost what expires, not
    /// the whole ledger: the hub asks for the deadline after every change it settles, and with
    /// 5,000 agents signed in a scan of both maps each time was ~4% of its CPU.
    expiries: BTreeSet<(u64, Expiring)>,
    max_entries: usize,
    changed: BTreeMap<String, Option<String>>,
}

impl SessionLedger {
    pub fn new(max_entries: usize) -> SessionLedger {
        SessionLedger {
            used: BTreeMap::new(),
            sessions: BTreeMap::new(),
            expiries: BTreeSet::new(),
            max_entries,
            changed: BTreeMap::new(),
        }
    }

    /// Whether `key` is one of the ledger's storage entries.
    pub fn is_entry_key(key: &str) -> bool {
        key.starts_with(KEY_PREFIX)
    }

    /// The ledger whose stored entries are `entries` (other keys are ignored).
    pub fn restore(
        entries: impl IntoIterator<Item = (String, String)>,
        max_entries: usize,
    ) -> Result<SessionLedger, CorruptEntry> {
        let mut ledger = SessionLedger::new(max_entries);
        for (key, value) in entries {
            if let Some(jti) = key.strip_prefix(USED_PREFIX) {
                let expires_at = value.parse().map_err(|_| CorruptEntry)?;
                ledger.insert_used(jti, expires_at);
            } else if let Some(sid) = key.strip_prefix(SESSION_PREFIX) {
                let session = serde_json::from_str(&value).map_err(|_| CorruptEntry)?;
                ledger.insert_session(sid, session);
            }
        }
        Ok(ledger)
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// Entries held: used embed tokens plus live sessions.
    pub fn len(&self) -> usize {
        self.used.len() + self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records a session opened at `now` with an embed token: refused if the token was used
    /// before (and has not expired), or if the ledger is full even after forgetting what expired.
    pub fn open_session(&mut self, opening: &Opening<'_>, now: u64) -> Result<(), LedgerError> {
        self.expire(now);
        if self.used.contains_key(opening.embed_token_id) {
            return Err(LedgerError::Replayed);
        }
        if self.len() + 2 > self.max_entries {
            return Err(LedgerError::Full);
        }
        self.insert_used(opening.embed_token_id, opening.embed_expires_at);
        self.changed.insert(
            format!("{USED_PREFIX}{}", opening.embed_token_id),
            Some(opening.embed_expires_at.to_string()),
        );
        let session = LiveSession {
            agent: opening.agent.clone(),
            expires_at: opening.session_expires_at,
        };
        self.changed.insert(
            format!("{SESSION_PREFIX}{}", opening.session_id),
            Some(serde_json::to_string(&session).unwrap_or_default()),
        );
        self.insert_session(opening.session_id, session);
        Ok(())
    }

    /// Whether the session `id` is listed and unexpired at `now`.
    pub fn is_valid(&self, id: &str, now: u64) -> bool {
        self.sessions
            .get(id)
            .is_some_and(|session| session.expires_at > now)
    }

    /// The live session `id`, if listed.
    pub fn session(&self, id: &str) -> Option<&LiveSession> {
        self.sessions.get(id)
    }

    /// Revokes one session (sign-out). Returns whether it was listed.
    pub fn revoke_session(&mut self, id: &str) -> bool {
        self.remove_sessions(|sid, _| sid == id).len() == 1
    }

    /// Revokes every session of `agent`; returns their ids.
    pub fn revoke_agent(&mut self, agent: &AgentId) -> Vec<String> {
        self.remove_sessions(|_, session| &session.agent == agent)
    }

    /// Revokes every session of the tenant (rotation); returns their ids.
    pub fn revoke_all(&mut self) -> Vec<String> {
        self.remove_sessions(|_, _| true)
    }

    /// Forgets every entry whose token has expired at `now`; returns the ids of the sessions
    /// that expired, whose sockets must close.
    pub fn expire(&mut self, now: u64) -> Vec<String> {
        let mut expired = Vec::new();
        while let Some((at, _)) = self.expiries.first()
            && *at <= now
        {
            let Some((_, entry)) = self.expiries.pop_first() else {
                break;
            };
            match entry {
                Expiring::Used(jti) => {
                    self.used.remove(&jti);
                    self.changed.insert(format!("{USED_PREFIX}{jti}"), None);
                }
                Expiring::Session(id) => {
                    self.sessions.remove(&id);
                    self.changed.insert(format!("{SESSION_PREFIX}{id}"), None);
                    expired.push(id);
                }
            }
        }
        // In the sessions' own order, as a scan of them gave it.
        expired.sort_unstable();
        expired
    }

    /// When the next entry expires (unix seconds), if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.expiries.first().map(|(at, _)| *at)
    }

    /// The storage writes since the last call, each key once (its last state).
    pub fn take_delta(&mut self) -> LedgerDelta {
        let mut delta = LedgerDelta::default();
        for (key, value) in std::mem::take(&mut self.changed) {
            match value {
                Some(value) => delta.puts.push((key, value)),
                None => delta.deletes.push(key),
            }
        }
        delta
    }

    fn remove_sessions(&mut self, doomed: impl Fn(&str, &LiveSession) -> bool) -> Vec<String> {
        let ids: Vec<String> = self
            .sessions
            .iter()
            .filter(|(id, session)| doomed(id, session))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            if let Some(session) = self.sessions.remove(id) {
                self.expiries
                    .remove(&(session.expires_at, Expiring::Session(id.clone())));
            }
            self.changed.insert(format!("{SESSION_PREFIX}{id}"), None);
        }
        ids
    }

    /// Lists a used embed token (replacing an earlier listing of the same id) and indexes it.
    fn insert_used(&mut self, jti: &str, expires_at: u64) {
        if let Some(earlier) = self.used.insert(jti.to_owned(), expires_at) {
            self.expiries
                .remove(&(earlier, Expiring::Used(jti.to_owned())));
        }
        self.expiries
            .insert((expires_at, Expiring::Used(jti.to_owned())));
    }

    /// Lists a session (replacing an earlier listing of the same id) and indexes it.
    fn insert_session(&mut self, id: &str, session: LiveSession) {
        let expires_at = session.expires_at;
        if let Some(earlier) = self.sessions.insert(id.to_owned(), session) {
            self.expiries
                .remove(&(earlier.expires_at, Expiring::Session(id.to_owned())));
        }
        self.expiries
            .insert((expires_at, Expiring::Session(id.to_owned())));
    }
}
