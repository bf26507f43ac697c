//! The per-tenant presence configuration: timeouts and which status each event leads to.

use serde::{Deserialize, Serialize};
use tsunagu_core::Millis;

use crate::{AwayReason, RequestedStatus};

/// How presence behaves for one tenant. Stored with the tenant's configuration; every field is
/// optional in the stored JSON (`#[serde(default)]`), and durations are in milliseconds, e.g.
/// `{"wrap_up": 60000, "status_after_decline": {"away": "other"}}`.
///
/// Changing the policy of a running [`Presence`](crate::Presence) affects only timers started
/// afterwards: a ring or wrap-up already running keeps the deadline it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresencePolicy {
    /// The status an agent gets when their first widget connection opens while offline.
    /// `Offline` means "stay offline until the agent picks a status". Default: available.
    pub status_on_login: RequestedStatus,
    /// How long an agent with no open connection keeps their status before going offline, so that
    /// a page reload or a short network drop does not log them out. Default: 30 s.
    pub disconnect_grace: Millis,
    /// How long the widget has to acknowledge an offer before it counts as missed. A widget in a
    /// throttled background tab or on a dead socket never acknowledges; this is how routing learns
    /// it within seconds instead of losing the call silently. Default: 3 s.
    pub offer_ack_timeout: Millis,
    /// How long an offer may ring, counted from the offer (not from the acknowledgement), before
    /// it counts as not answered. Default: 15 s.
    pub ring_no_answer: Millis,
    /// Status after an offer was not acknowledged in time. Default: away (missed offer).
    pub status_after_missed_offer: RequestedStatus,
    /// Status after an acknowledged offer rang out. Default: away (no answer).
    pub status_after_no_answer: RequestedStatus,
    /// Status after the agent declined an offer. Default: available.
    pub status_after_decline: RequestedStatus,
    /// After-call work time; the agent becomes available (or their chosen next status) when it
    /// elapses or when they finish early. Zero skips wrap-up. Default: 30 s.
    pub wrap_up: Millis,
}

impl Default for PresencePolicy {
    fn default() -> Self {
        Self {
            status_on_login: RequestedStatus::Available,
            disconnect_grace: Millis::from_secs(30),
            offer_ack_timeout: Millis::from_secs(3),
            ring_no_answer: Millis::from_secs(15),
            status_after_missed_offer: RequestedStatus::Away(AwayReason::MissedOffer),
            status_after_no_answer: RequestedStatus::Away(AwayReason::NoAnswer),
            status_after_decline: RequestedStatus::Available,
            wrap_up: Millis::from_secs(30),
        }
    }
}
