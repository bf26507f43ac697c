//! One leg, summarised from its status callbacks and its `<Dial>` action callback, and who the
//! leg's party is (an agent, a customer, an external number).

use super::*;

pub(super) struct LegSummary<'a> {
    pub(super) call_sid: &'a CallSid,
    pub(super) parent: Option<&'a CallSid>,
    pub(super) direction: &'a LegDirection,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) first_at: Timestamp,
    pub(super) ringing_at: Option<Timestamp>,
    pub(super) answered_at: Option<Timestamp>,
    pub(super) ended_at: Option<Timestamp>,
    pub(super) outcome: LegOutcome,
}

impl LegSummary<'_> {
    /// When the leg began, as far as its callbacks tell: with only a `completed` callback, the
    /// inferred answer time is earlier than the callback.
    pub(super) fn began_at(&self) -> Timestamp {
        self.answered_at
            .map_or(self.first_at, |answered| answered.min(self.first_at))
    }
}

fn dial_outcome(status: &DialStatus) -> Option<LegOutcome> {
    match status {
        DialStatus::Completed | DialStatus::Answered => Some(LegOutcome::Answered),
        DialStatus::Busy => Some(LegOutcome::Busy),
        DialStatus::NoAnswer => Some(LegOutcome::NoAnswer),
        DialStatus::Failed => Some(LegOutcome::Failed),
        DialStatus::Canceled => Some(LegOutcome::Canceled),
        DialStatus::Unknown(_) => None,
    }
}

fn status_outcome(status: &CallStatus) -> Option<LegOutcome> {
    match status {
        CallStatus::Completed | CallStatus::InProgress => Some(LegOutcome::Answered),
        CallStatus::Busy => Some(LegOutcome::Busy),
        CallStatus::NoAnswer => Some(LegOutcome::NoAnswer),
        CallStatus::Failed => Some(LegOutcome::Failed),
        CallStatus::Canceled => Some(LegOutcome::Canceled),
        CallStatus::Queued
        | CallStatus::Initiated
        | CallStatus::Ringing
        | CallStatus::Unknown(_) => None,
    }
}

fn before(at: Timestamp, duration: Millis) -> Timestamp {
    Timestamp(at.0.saturating_sub(duration.0))
}

pub(super) fn summarize<'a>(call_sid: &'a CallSid, leg: &LegFacts<'a>) -> Option<LegSummary<'a>> {
    let first = leg.statuses.first()?;
    let in_progress_at = leg
        .statuses
        .iter()
        .filter(|s| s.status == CallStatus::InProgress)
        .map(|s| s.at)
        .min();
    let ringing_at = leg
        .statuses
        .iter()
        .filter(|s| s.status == CallStatus::Ringing)
        .map(|s| s.at)
        .min();
    // Canonical order is time order, so `find` gives the earliest terminal status.
    let terminal = leg.statuses.iter().find(|s| s.status.is_terminal());
    let dial = leg
        .dial
        .and_then(|dial| dial_outcome(&dial.dial_status).map(|outcome| (dial, outcome)));
    let ended_at = terminal.map(|t| t.at).or(dial.map(|(d, _)| d.at));
    let answered = in_progress_at.is_some()
        || terminal.is_some_and(|t| t.status == CallStatus::Completed)
        || dial.is_some_and(|(_, outcome)| outcome == LegOutcome::Answered);
    let outcome = if answered {
        LegOutcome::Answered
    } else {
        terminal
            .and_then(|t| status_outcome(&t.status))
            .or(dial.map(|(_, outcome)| outcome))
            .unwrap_or(LegOutcome::Pending)
    };
    // Only `completed` fires unless more events were asked for, so the answer time is often
    // inferred: end minus Twilio's duration (which counts from the answer).
    let answered_at = answered
        .then(|| {
            in_progress_at
                .or_else(|| {
                    terminal
                        .filter(|t| t.status == CallStatus::Completed)
                        .and_then(|t| t.call_duration.map(|d| before(t.at, d)))
                })
                .or_else(|| {
                    dial.filter(|(_, outcome)| *outcome == LegOutcome::Answered)
                        .and_then(|(d, _)| d.dial_call_duration.map(|dur| before(d.at, dur)))
                })
                .or(ended_at)
        })
        .flatten();
    Some(LegSummary {
        call_sid,
        parent: Facts::parent_of(leg),
        direction: &first.direction,
        from: &first.from,
        to: &first.to,
        first_at: first.at,
        ringing_at,
        answered_at,
        ended_at,
        outcome,
    })
}

fn client_identity(address: &str) -> Option<&str> {
    address.strip_prefix("client:")
}

pub(super) fn is_phone_number(address: &str) -> bool {
    client_identity(address).is_none() && !address.is_empty()
}

/// Who is on the far end of a leg.
pub(super) enum Party {
    Agent(AgentId),
    /// The customer's own leg (the conversation's root).
    Customer,
    /// A number that is not an agent.
    External,
}

fn agent_from(
    tenant: &TenantId,
    call_sid: &CallSid,
    address: &str,
    warnings: &mut BTreeSet<StitchWarning>,
) -> Option<AgentId> {
    let identity = client_identity(address)?;
    match ClientIdentity::parse(identity) {
        Ok(client) if client.tenant() == tenant => Some(client.into_agent()),
        // Another tenant's agent on this tenant's call (two tenants on one Twilio account): never
        // counted as one of ours.
        Ok(_) => {
            warnings.insert(StitchWarning::ForeignClientIdentity {
                call_sid: call_sid.clone(),
                identity: identity.to_owned(),
            });
            None
        }
        Err(_) => {
            warnings.insert(StitchWarning::InvalidClientIdentity {
                call_sid: call_sid.clone(),
                identity: identity.to_owned(),
            });
            None
        }
    }
}

pub(super) fn classify(
    tenant: &TenantId,
    leg: &LegSummary<'_>,
    is_root: bool,
    warnings: &mut BTreeSet<StitchWarning>,
) -> Party {
    if is_root {
        // The SDK calling out (`From=client:x`), or a REST call that rings the agent first.
        if let Some(agent) = agent_from(tenant, leg.call_sid, leg.from, warnings) {
            return Party::Agent(agent);
        }
        if *leg.direction == LegDirection::OutboundApi
            && let Some(agent) = agent_from(tenant, leg.call_sid, leg.to, warnings)
        {
            return Party::Agent(agent);
        }
        return Party::Customer;
    }
    // The root of another call tree pulled in (an agent's consult or dequeue call from the
    // widget): its `From` is the agent who placed it.
    if leg.parent.is_none()
        && let Some(agent) = agent_from(tenant, leg.call_sid, leg.from, warnings)
    {
        return Party::Agent(agent);
    }
    if client_identity(leg.to).is_some() {
        return agent_from(tenant, leg.call_sid, leg.to, warnings)
            .map_or(Party::External, Party::Agent);
    }
    Party::External
}
