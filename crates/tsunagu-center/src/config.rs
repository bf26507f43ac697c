//! The tenant's settings the center runs under: routing ladder, presence policy, hours, overflow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsunagu_core::{Millis, TenantId, Timestamp};
use tsunagu_interaction::ExternalNumber;
use tsunagu_phone::{DialPolicy, PhoneNumber};
use tsunagu_presence::PresencePolicy;
use tsunagu_protocol::Localized;
use tsunagu_routing::Ladder;

use crate::{
    BusinessCalendar, ConfigError, QueueProblem,
    queue_id::QueueId,
    queues::{AfterHours, CallQueue, validate_queues},
};

/// How long an ended call is remembered, so that Twilio's retries and late callbacks about it
/// are recognised (and answered with its last plan) instead of starting a new call. (Here because
/// the dial policy's rate window must fit in it.)
pub(crate) const ENDED_RETENTION: Millis = Millis::from_secs(600);

/// One tenant's contact-center settings. Everything but the tenant is optional in the stored
/// JSON; durations are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterConfig {
    pub tenant: TenantId,
    /// Display name of the tenant, shown in the widget.
    pub tenant_name: Localized,
    /// Whom a call rings, in order. Default: owner 15 s, owner's team 20 s, anyone 30 s.
    #[serde(default)]
    pub ladder: Ladder,
    /// Presence timers and the statuses after missed, unanswered and declined offers.
    #[serde(default)]
    pub presence: PresencePolicy,
    /// When calls are answered. Default: always.
    #[serde(default)]
    pub hours: BusinessCalendar,
    /// Lines (by their E.164 number) with hours of their own: their calls are open or closed by
    /// these instead of `hours` (a sales line that closes at 18:00 while support stays open).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub line_hours: BTreeMap<String, BusinessCalendar>,
    /// Lines (by their E.164 number) with an after-hours rule of their own (a message, voicemail,
    /// forwarding); the others send closed calls to the fallback numbers, else announce it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub line_after_hours: BTreeMap<String, AfterHours>,
    /// The tenant's named queues: a line (`CallArrival::queue`) or an IVR branch sends its
    /// calls to one; each has its own ladder, wait, overflow, music and callback key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub queues: BTreeMap<QueueId, CallQueue>,
    /// How long a caller may wait (from arrival, or from the end of the line's IVR menu; ringing
    /// and queue together) before the call goes
    /// to the fallback numbers. Applies only when there are fallback numbers: without them a
    /// caller who is willing to wait keeps waiting. Default: 120 s.
    #[serde(default = "default_max_wait")]
    pub max_wait: Millis,
    /// Backup phones (the old PBX, company mobiles) dialled, all at once, after hours and when
    /// nobody answers within `max_wait`. Twilio dials at most 10 numbers in one `<Dial>`.
    #[serde(default)]
    pub fallback_numbers: Vec<ExternalNumber>,
    /// Presence changes are sent to every widget at most once per interval. Default: 250 ms.
    #[serde(default = "default_broadcast_interval")]
    pub broadcast_interval: Millis,
    /// At most this many web calls (from the public "call us" page) wait, ring or talk at once;
    /// more are turned away as busy, so the public page cannot exhaust the hub. 0 turns web calls
    /// off (as does `web_calls_enabled: false`). Default: 20.
    #[serde(default = "default_max_web_calls")]
    pub max_web_calls: u32,
    /// A customer socket counts against `max_web_calls` from the moment it opens; one that has not
    /// started its call within this long may be closed to free the line for the next caller (so
    /// idle sockets cannot hold every line). Default: 10 s.
    #[serde(default = "default_web_call_start_within")]
    pub web_call_start_within: Millis,
    /// A connected phone call the center has heard nothing about from Twilio for this long is
    /// taken as over (its hang-up callback was lost, as in a D1 or network outage) and its agent
    /// freed for wrap-up, so nobody stays "on a call" for ever. Default: 4 h 15 min (Twilio
    /// ends calls after 4 h by default).
    #[serde(default = "default_call_watchdog")]
    pub call_watchdog: Millis,
    /// Which numbers may be dialled (click-to-call, transfers to a number, fallback numbers) and
    /// how often: against toll fraud. Default: Japanese fixed, mobile, 050 and free dial only.
    #[serde(default)]
    pub dial_policy: DialPolicy,
    /// Whether `Tsunagu.dial()` from the host page calls at once. Default: false, so the widget
    /// shows the number with Call / Cancel and the call starts on the agent's click (a script on
    /// the CRM page cannot dial silently). Only for CRMs the tenant trusts.
    #[serde(default)]
    pub direct_dial_from_host: bool,
    /// How far supervisors reach (a tenant setting, `tenants.supervisor_reach`): their teams'
    /// presence, or the whole tenant's. Decides each socket's roster scope at sign-in.
    #[serde(default)]
    pub supervisor_reach: tsunagu_auth::SupervisorReach,
    /// Whether the public "call us" page takes calls at all. Off unless the tenant turns it on
    /// (anyone on the internet can open the page). Default: false.
    #[serde(default)]
    pub web_calls_enabled: bool,
    /// At most this many customer sockets (idle or in a call) from one network address at once,
    /// so one machine cannot hold every line. Default: 2.
    #[serde(default = "default_max_web_calls_per_address")]
    pub max_web_calls_per_address: u32,
    /// A web call not answered this long after it arrived (queued, or back in the queue after
    /// rings nobody answered) ends with `wait_too_long`, so a page left open cannot hold a line
    /// for ever. Default: 5 min.
    #[serde(default = "default_max_web_queue_wait")]
    pub max_web_queue_wait: Millis,
    /// The longest a connected web call is expected to last. With `max_web_queue_wait` it bounds
    /// the TURN credentials handed out for one call. Default: 1 h.
    #[serde(default = "default_max_web_call_length")]
    pub max_web_call_length: Millis,
    /// Cloudflare Turnstile site key: when set, the page shows the challenge and the worker
    /// checks its token (with the secret `TENANT_<ID>_TURNSTILE_SECRET`) before a call starts.
    /// Default: none (no challenge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile_site_key: Option<String>,
}

fn default_max_wait() -> Millis {
    Millis::from_secs(120)
}

fn default_broadcast_interval() -> Millis {
    Millis(250)
}

fn default_max_web_calls() -> u32 {
    20
}

fn default_web_call_start_within() -> Millis {
    Millis::from_secs(10)
}

/// Twilio ends a call after 4 h unless told otherwise (`<Dial timeLimit>` defaults to 14,400 s);
/// a quarter of an hour later no callback can still be on its way.
fn default_call_watchdog() -> Millis {
    Millis::from_secs(4 * 60 * 60 + 15 * 60)
}

fn default_max_web_calls_per_address() -> u32 {
    2
}

fn default_max_web_queue_wait() -> Millis {
    Millis::from_secs(5 * 60)
}

fn default_max_web_call_length() -> Millis {
    Millis::from_secs(60 * 60)
}

/// Twilio rings at most ten numbers in one `<Dial>`.
const MAX_FALLBACK_NUMBERS: usize = 10;

impl CenterConfig {
    /// The defaults for `tenant`.
    pub fn new(tenant: TenantId, tenant_name: Localized) -> Self {
        Self {
            tenant,
            tenant_name,
            ladder: Ladder::default(),
            presence: PresencePolicy::default(),
            hours: BusinessCalendar::default(),
            line_hours: BTreeMap::new(),
            line_after_hours: BTreeMap::new(),
            queues: BTreeMap::new(),
            max_wait: default_max_wait(),
            fallback_numbers: Vec::new(),
            broadcast_interval: default_broadcast_interval(),
            max_web_calls: default_max_web_calls(),
            web_call_start_within: default_web_call_start_within(),
            call_watchdog: default_call_watchdog(),
            dial_policy: DialPolicy::default(),
            direct_dial_from_host: false,
            supervisor_reach: tsunagu_auth::SupervisorReach::default(),
            web_calls_enabled: false,
            max_web_calls_per_address: default_max_web_calls_per_address(),
            max_web_queue_wait: default_max_web_queue_wait(),
            max_web_call_length: default_max_web_call_length(),
            turnstile_site_key: None,
        }
    }

    /// Whether the public page takes web calls: turned on, with at least one line.
    pub fn web_calls_on(&self) -> bool {
        self.web_calls_enabled && self.max_web_calls > 0
    }

    /// How long one web call may last at most, from its start: the queue wait, then the call.
    pub fn web_call_lifetime(&self) -> Millis {
        Millis(
            self.max_web_queue_wait
                .0
                .saturating_add(self.max_web_call_length.0),
        )
    }

    /// Whether a customer socket opened at `opened_at` that has not started a call is past its
    /// `web_call_start_within` at `now` (a clock that went backwards is not past it).
    pub fn caller_start_overdue(&self, opened_at: Timestamp, now: Timestamp) -> bool {
        now.saturating_since(opened_at) >= self.web_call_start_within
    }

    /// Checks what serde cannot: a ladder to walk, opening hours that make sense, at most ten
    /// fallback numbers, each one the dial policy allows, and a dial rate window the center can
    /// count.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.ladder.steps.is_empty() {
            return Err(ConfigError::EmptyLadder);
        }
        if self.fallback_numbers.len() > MAX_FALLBACK_NUMBERS {
            return Err(ConfigError::TooManyFallbackNumbers {
                max: MAX_FALLBACK_NUMBERS,
            });
        }
        for (index, number) in self.fallback_numbers.iter().enumerate() {
            self.check_forward_number(number)
                .map_err(|refusal| match refusal {
                    None => ConfigError::FallbackNumberInvalid { index },
                    Some(reason) => ConfigError::FallbackNumberRefused { index, reason },
                })?;
        }
        validate_queues(&self.queues)?;
        for queue in self.queues.values() {
            let after_hours = queue
                .after_hours
                .as_ref()
                .map_or(&[][..], AfterHours::numbers);
            self.check_forward_numbers(queue.overflow.numbers())
                .and_then(|()| {
                    self.check_forward_numbers(after_hours)
                        .map_err(|problem| QueueProblem::AfterHoursRule(Box::new(problem)))
                })
                .map_err(|problem| ConfigError::Queue {
                    queue: queue.id.clone(),
                    problem,
                })?;
        }
        for (line, rule) in &self.line_after_hours {
            rule.validate()
                .and_then(|()| self.check_forward_numbers(rule.numbers()))
                .map_err(|problem| ConfigError::LineAfterHours {
                    line: line.clone(),
                    problem,
                })?;
        }
        let window = u64::from(self.dial_policy.rate_window_secs) * 1000;
        if window == 0 || window > ENDED_RETENTION.0 {
            return Err(ConfigError::DialRateWindow {
                max_secs: ENDED_RETENTION.0 / 1000,
            });
        }
        for (line, hours) in &self.line_hours {
            hours.validate().map_err(|err| ConfigError::LineHours {
                line: line.clone(),
                reason: err.to_string(),
            })?;
        }
        self.hours.validate().map_err(ConfigError::Hours)
    }

    /// Whether the center may dial `number` for the tenant (fallback, overflow and after-hours
    /// forwarding): the tenant set these numbers itself, so its country list applies as to a
    /// supervisor; premium-rate, shared-cost and unopened countries stay refused. `Err(None)`:
    /// not a number.
    fn check_forward_number(
        &self,
        number: &ExternalNumber,
    ) -> Result<(), Option<tsunagu_phone::DialRefusal>> {
        let parsed = PhoneNumber::from_e164(number.as_str()).map_err(|_| None)?;
        self.dial_policy.check(&parsed, true).map_err(Some)
    }

    fn check_forward_numbers(&self, numbers: &[ExternalNumber]) -> Result<(), QueueProblem> {
        for (index, number) in numbers.iter().enumerate() {
            self.check_forward_number(number)
                .map_err(|refusal| match refusal {
                    None => QueueProblem::ForwardNumberInvalid { index },
                    Some(reason) => QueueProblem::ForwardNumberRefused { index, reason },
                })?;
        }
        Ok(())
    }

    /// The queue named `id`, if the tenant has it.
    pub fn queue(&self, id: &QueueId) -> Option<&CallQueue> {
        self.queues.get(id)
    }

    /// The calendar a call to `line` (E.164; `None`: not known) is answered by: the line's own,
    /// else the tenant's.
    pub fn hours_of_line(&self, line: Option<&str>) -> &BusinessCalendar {
        line.and_then(|line| self.line_hours.get(line))
            .unwrap_or(&self.hours)
    }

    /// The dial policy's window for `max_calls_per_agent`.
    pub(crate) fn dial_rate_window(&self) -> Millis {
        Millis::from_secs(u64::from(self.dial_policy.rate_window_secs))
    }
}
