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

use std::collections::BTreeMap;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLedger {
    used: BTreeMap<String, u64>,
    sessions: BTreeMap<String, LiveSession>,
    max_entries: usize,
    changed: BTreeMap<String, Option<String>>,
}

impl SessionLedger {
    pub fn new(max_entries: usize) -> SessionLedger {
        SessionLedger {
            used: BTreeMap::new(),
            sessions: BTreeMap::new(),
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
                ledger.used.insert(jti.to_owned(), expires_at);
            } else if let Some(sid) = key.strip_prefix(SESSION_PREFIX) {
                let session = serde_json::from_str(&value).map_err(|_| CorruptEntry)?;
                ledger.sessions.insert(sid.to_owned(), session);
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
        self.used
            .insert(opening.embed_token_id.to_owned(), opening.embed_expires_at);
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
        self.sessions.insert(opening.session_id.to_owned(), session);
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
        let spent: Vec<String> = self
            .used
            .iter()
            .filter(|(_, expires_at)| **expires_at <= now)
            .map(|(jti, _)| jti.clone())
            .collect();
        for jti in spent {
            self.used.remove(&jti);
            self.changed.insert(format!("{USED_PREFIX}{jti}"), None);
        }
        self.remove_sessions(|_, session| session.expires_at <= now)
    }

    /// When the next entry expires (unix seconds), if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        let next_used = self.used.values().min().copied();
        let next_session = self.sessions.values().map(|s| s.expires_at).min();
        match (next_used, next_session) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
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
            self.sessions.remove(id);
            self.changed.insert(format!("{SESSION_PREFIX}{id}"), None);
        }
        ids
    }
}
