//! Tests of the stitcher: readable spec scenarios and order/duplicate-independence properties.

mod props;
mod routing;
mod spec;

use std::fmt::Write as _;

use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Millis, TenantId, Timestamp};

use crate::{
    AgentResponded, AgentResponse, CallEvent, CallEventKind, CallSid, CallStatus, ContactRef,
    Conversation, ConversationDirection, ConversationOutcome, ConversationStarted, DialResult,
    DialStatus, LegDirection, LegStatus, Mark, OfferStep, Offered, Queued, RecordingSid,
    RecordingStatus, RecordingUpdate, Stitched, TransferTarget, Transferred, WrapUpEnded,
};

/// Every scenario starts at this instant; rendered times are offsets from it.
const T0: u64 = 1_775_000_000_000;
const CALLER: &str = "+819012345678";
const OUR_NUMBER: &str = "+81501234567";
const ROOT: &str = "CA-root";
const INTERACTION: &str = "I1";

/// The tenant whose calls every scenario stitches (`client:demo_<agent>`).
fn tenant() -> TenantId {
    TenantId::new("demo").expect("valid tenant id")
}

fn at(secs: u64) -> Timestamp {
    Timestamp(T0 + secs * 1000)
}

fn sid(raw: &str) -> CallSid {
    CallSid::new(raw).expect("test call sids are valid")
}

fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).expect("test agent ids are valid")
}

fn interaction() -> ContactRef {
    ContactRef::Interaction(InteractionId::new(INTERACTION).expect("valid"))
}

fn event(kind: CallEventKind) -> CallEvent {
    CallEvent::new(kind)
}

/// The worker's `ConversationStarted` for interaction I1 on root CA-root (a known customer).
fn started(secs: u64) -> CallEvent {
    started_at(at(secs))
}

fn started_at(at: Timestamp) -> CallEvent {
    event(CallEventKind::ConversationStarted(ConversationStarted {
        interaction: InteractionId::new(INTERACTION).expect("valid"),
        root_call_sid: Some(sid(ROOT)),
        customer: Some(CustomerId::new("alice").expect("valid")),
        customer_number: Some(CALLER.to_owned()),
        channel: Channel::Voice,
        direction: ConversationDirection::Inbound,
        at,
    }))
}

fn leg_status(
    call_sid: &str,
    parent: Option<&str>,
    direction: LegDirection,
    (from, to): (&str, &str),
    status: &str,
    sequence_number: u32,
    secs: u64,
) -> CallEvent {
    event(CallEventKind::LegStatus(LegStatus {
        call_sid: sid(call_sid),
        parent_call_sid: parent.map(sid),
        direction,
        from: from.to_owned(),
        to: to.to_owned(),
        status: CallStatus::from_twilio(status),
        sequence_number: Some(sequence_number),
        at: at(secs),
        call_duration: None,
    }))
}

/// A status callback of the caller's leg CA-root (Alice → our number).
fn root_leg(status: &str, sequence_number: u32, secs: u64) -> CallEvent {
    leg_status(
        ROOT,
        None,
        LegDirection::Inbound,
        (CALLER, OUR_NUMBER),
        status,
        sequence_number,
        secs,
    )
}

/// A status callback of a `<Dial><Client>` leg of CA-root that rings `agent_id`'s widget.
fn agent_leg(call_sid: &str, agent_id: &str, status: &str, seq: u32, secs: u64) -> CallEvent {
    leg_status(
        call_sid,
        Some(ROOT),
        LegDirection::OutboundDial,
        (CALLER, &format!("client:demo_{agent_id}")),
        status,
        seq,
        secs,
    )
}

/// Adds Twilio's `CallDuration` to a terminal status callback.
fn lasting(mut event: CallEvent, secs: u64) -> CallEvent {
    if let CallEventKind::LegStatus(leg) = &mut event.kind {
        leg.call_duration = Some(Millis::from_secs(secs));
    }
    event
}

fn dial(dialled: &str, status: &str, duration: Option<u64>, secs: u64) -> CallEvent {
    event(CallEventKind::DialResult(DialResult {
        parent_call_sid: sid(ROOT),
        dial_call_sid: Some(sid(dialled)),
        dial_status: DialStatus::from_twilio(status),
        dial_call_duration: duration.map(Millis::from_secs),
        at: at(secs),
    }))
}

fn recording(status: &str, secs: u64) -> CallEvent {
    let completed = status == "completed";
    event(CallEventKind::Recording(RecordingUpdate {
        call_sid: sid(ROOT),
        recording_sid: RecordingSid::new("RE1").expect("valid"),
        status: RecordingStatus::from_twilio(status),
        duration: completed.then_some(Millis::from_secs(120)),
        channels: Some(2),
        url: completed.then(|| "https://api.twilio.com/rec/RE1".to_owned()),
        at: at(secs),
    }))
}

fn offered(agent_id: &str, step: OfferStep, secs: u64) -> CallEvent {
    event(CallEventKind::Offered(Offered {
        contact: interaction(),
        leg_call_sid: None,
        agent: agent(agent_id),
        team: Some(tsunagu_core::TeamId::new("support").expect("valid")),
        step,
        at: at(secs),
    }))
}

fn responded(agent_id: &str, response: AgentResponse, secs: u64) -> CallEvent {
    event(CallEventKind::AgentResponded(AgentResponded {
        contact: interaction(),
        leg_call_sid: None,
        agent: agent(agent_id),
        response,
        at: at(secs),
    }))
}

fn mark(kind: fn(Mark) -> CallEventKind, secs: u64) -> CallEvent {
    event(kind(Mark {
        contact: interaction(),
        at: at(secs),
    }))
}

fn queued(secs: u64) -> CallEvent {
    event(CallEventKind::Queued(Queued {
        contact: interaction(),
        queue: Some("support".to_owned()),
        at: at(secs),
    }))
}

fn transferred(from: &str, to: &str, new_call: Option<&str>, secs: u64) -> CallEvent {
    event(CallEventKind::Transferred(Transferred {
        contact: interaction(),
        from_agent: Some(agent(from)),
        to: TransferTarget::Agent(agent(to)),
        new_call_sid: new_call.map(sid),
        at: at(secs),
    }))
}

fn wrapped(agent_id: &str, disposition: &str, secs: u64) -> CallEvent {
    event(CallEventKind::WrapUpEnded(WrapUpEnded {
        contact: interaction(),
        agent: agent(agent_id),
        disposition: Some(disposition.to_owned()),
        notes: None,
        at: at(secs),
    }))
}

/// The seed story: Alice calls; her owner sato rings, no answer; team member suzuki rings, no
/// answer; takahashi answers; they talk two minutes; Alice hangs up; takahashi wraps up; the
/// recording callback comes last.
fn seed_story() -> Vec<CallEvent> {
    vec![
        started(0),
        root_leg("ringing", 0, 0),
        offered("sato", OfferStep::Owner, 1),
        agent_leg("CA-sato", "sato", "initiated", 0, 1),
        agent_leg("CA-sato", "sato", "ringing", 1, 2),
        agent_leg("CA-sato", "sato", "no-answer", 2, 22),
        dial("CA-sato", "no-answer", None, 22),
        offered("suzuki", OfferStep::Team, 22),
        agent_leg("CA-suzuki", "suzuki", "initiated", 0, 22),
        agent_leg("CA-suzuki", "suzuki", "ringing", 1, 23),
        agent_leg("CA-suzuki", "suzuki", "no-answer", 2, 43),
        dial("CA-suzuki", "no-answer", None, 43),
        offered("takahashi", OfferStep::Team, 43),
        agent_leg("CA-takahashi", "takahashi", "initiated", 0, 43),
        agent_leg("CA-takahashi", "takahashi", "ringing", 1, 44),
        agent_leg("CA-takahashi", "takahashi", "in-progress", 2, 50),
        lasting(
            agent_leg("CA-takahashi", "takahashi", "completed", 3, 170),
            120,
        ),
        dial("CA-takahashi", "completed", Some(120), 170),
        lasting(root_leg("completed", 1, 171), 171),
        wrapped("takahashi", "resolved", 200),
        recording("completed", 175),
    ]
}

fn offset(t: Timestamp) -> String {
    let ms = t.0 as i128 - T0 as i128;
    if ms % 1000 == 0 {
        format!("+{}s", ms / 1000)
    } else {
        format!("+{ms}ms")
    }
}

fn maybe(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_owned(), offset)
}

fn snake<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(err) => format!("<{err}>"),
    }
}

fn outcome(outcome: &ConversationOutcome) -> String {
    match outcome {
        ConversationOutcome::Abandoned { after } => format!("abandoned after {after}"),
        ConversationOutcome::Fallback { number, answered } => {
            format!("fallback to {number} (answered: {answered})")
        }
        other => snake(other),
    }
}

/// A conversation as a supervisor would read it.
fn render_conversation(out: &mut String, c: &Conversation) {
    let _ = writeln!(
        out,
        "{} {} {} customer={} number={}",
        c.id,
        c.channel,
        snake(&c.direction),
        c.customer.as_ref().map_or("-", |id| id.as_str()),
        c.customer_number.as_deref().unwrap_or("-"),
    );
    let _ = writeln!(
        out,
        "  root={} started={} ended={} outcome: {}",
        c.root_call_sid.as_ref().map_or("-", |s| s.as_str()),
        offset(c.started_at),
        maybe(c.ended_at),
        outcome(&c.outcome),
    );
    let _ = writeln!(
        out,
        "  answered_by={} at={} waited={} team={} queue={} queued={}",
        c.answered_by.as_ref().map_or("-", |a| a.as_str()),
        maybe(c.answered_at),
        c.time_to_answer
            .map_or_else(|| "-".to_owned(), |m| m.to_string()),
        c.team.as_ref().map_or("-", |t| t.as_str()),
        c.queue.as_deref().unwrap_or("-"),
        c.queue_time,
    );
    let _ = writeln!(
        out,
        "  talk={} hold={} wrap_up={}",
        c.talk_time, c.hold_time, c.wrap_up_time
    );
    for leg in &c.agent_legs {
        let _ = write!(
            out,
            "  agent {} [{}] {}: offered={} ringing={} answered={} ended={}",
            leg.agent,
            leg.step.as_ref().map_or_else(|| "-".to_owned(), snake),
            snake(&leg.outcome),
            maybe(leg.offered_at),
            maybe(leg.ringing_at),
            maybe(leg.answered_at),
            maybe(leg.ended_at),
        );
        if leg.outcome == crate::LegOutcome::Answered {
            let _ = write!(out, " talk={} hold={}", leg.talk_time, leg.hold_time);
        }
        if let Some(wrap) = &leg.wrap_up {
            let _ = write!(
                out,
                " wrap_up={} ({})",
                wrap.duration,
                wrap.disposition.as_deref().unwrap_or("-")
            );
        }
        if leg.consult {
            let _ = write!(out, " consult");
        }
        let _ = writeln!(
            out,
            " {}",
            leg.call_sid.as_ref().map_or("(no leg)", |s| s.as_str())
        );
    }
    for leg in &c.external_legs {
        let _ = writeln!(
            out,
            "  number {} {}: answered={} ended={} {}",
            leg.number,
            snake(&leg.outcome),
            maybe(leg.answered_at),
            maybe(leg.ended_at),
            leg.call_sid,
        );
    }
    for t in &c.transfers {
        let _ = writeln!(
            out,
            "  transfer {} -> {} at {}",
            t.from_agent.as_ref().map_or("-", |a| a.as_str()),
            t.to,
            offset(t.at),
        );
    }
    for r in &c.recordings {
        let _ = writeln!(
            out,
            "  recording {} on {} {} duration={} channels={} url={}",
            r.recording_sid,
            r.call_sid,
            snake(&r.status),
            r.duration.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            r.channels.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            r.url.as_deref().unwrap_or("-"),
        );
    }
}

fn render(stitched: &Stitched) -> String {
    let mut out = String::new();
    for c in &stitched.conversations {
        render_conversation(&mut out, c);
    }
    for w in &stitched.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    if out.is_empty() {
        out.push_str("(nothing)\n");
    }
    out
}
