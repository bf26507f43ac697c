//! HS256 JWTs, CRM embed tokens and widget session tokens: verify and mint, with time as an input.
//!
//! Two tokens carry a signed-in agent. The tenant's CRM backend signs an *embed token*
//! ([`embed`], HS256 with the tenant's embed secret, at most ten minutes long); the worker verifies
//! it and answers with a *session token* ([`session`], signed with the worker's own secret, eight
//! hours) that only the widget holds. Both rest on the compact JWS code in [`jwt`]. Web calls'
//! TURN servers get time-limited credentials from [`turn`]. The tenant's [`SessionLedger`] makes embed tokens single-use
//! and sessions revocable; a [`TokenBucket`] limits how fast a socket may talk.

mod address;
mod bucket;
mod claims;
mod error;
mod ledger;
mod roster;

pub mod access;
pub mod embed;
pub mod jwt;
pub mod session;
pub mod turn;

pub use access::{ApiScope, LogScope, Permission, SupervisorReach};
pub use address::address_key;
pub use bucket::{PUSH_RATE_LIMIT, RateLimit, SOCKET_RATE_LIMIT, TokenBucket};
pub use claims::{CLOCK_SKEW_SECS, MIN_SECRET_LEN, Role, TOKEN_ID_MAX_CHARS};
pub use embed::{
    EMBED_AUDIENCE, EMBED_MAX_LIFETIME_SECS, EmbedClaims, mint_embed_token, peek_tenant,
    verify_embed_token,
};
pub use error::AuthError;
pub use ledger::{
    CorruptEntry, LEDGER_MAX_ENTRIES, LedgerDelta, LedgerError, LiveSession, Opening, SessionLedger,
};
pub use roster::RosterScope;
pub use session::{SESSION_AUDIENCE, SESSION_TTL_SECS, Session, mint_session, verify_session};
pub use turn::{TURN_MAX_TTL_SECS, TurnCredential, TurnError, mint_turn_credential};

#[cfg(test)]
mod tests;
