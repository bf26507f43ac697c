//! The stitching fold: links legs into call trees, then builds one conversation per tree.
//!
//! Everything here walks events in canonical order and takes minima, maxima or "first by
//! canonical order", never "last arrived", which is what makes the result independent of delivery
//! order.

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_core::{AgentId, Channel, ClientIdentity, InteractionId, Millis, TenantId, Timestamp};

use crate::{
    AgentLeg, AgentResponded, AgentResponse, CallEvent, CallEventKind, CallSid, CallStatus,
    ContactRef, Conversation, ConversationDirection, ConversationId, ConversationOutcome,
    ConversationStarted, DialResult, DialStatus, ExternalLeg, LegDirection, LegOutcome, LegStatus,
    MenuPassed, Offered, Recording, RecordingSid, RecordingUpdate, Routed, RoutingDecision,
    StitchWarning, Stitched, Transfer, Transferred, WrapUp, WrapUpEnded,
    hash::FxHashMap,
    interval::{self, OPEN, Span},
};

pub(crate) fn fold(tenant: &TenantId, mut events: Vec<&CallEvent>) -> Stitched {
    // Equal under the canonical order means identical, so an unstable sort is deterministic
    // (and the batch path hands the events over sorted already, which this sort notices).
    events.sort_unstable_by(|a, b| a.canonical_cmp(b));
    let mut graph = Graph::with_capacity(events.len());
    let homes: Vec<usize> = events.iter().map(|event| graph.place(event)).collect();
    let mut components: BTreeMap<usize, Vec<&CallEvent>> = BTreeMap::new();
    for (event, home) in events.iter().zip(homes) {
        components.entry(graph.find(home)).or_default().push(event);
    }
    let mut warnings = BTreeSet::new();
    let mut conversations: Vec<Conversation> = components
        .values()
        .filter_map(|component| build(tenant, component, &mut warnings))
        .collect();
    conversations.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    Stitched {
        conversations,
        warnings: warnings.into_iter().collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Linking: a union-find over calls and interactions. Two nodes are linked when an event says they
// belong together (child and parent leg, interaction and root call, ...).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node<'a> {
    Interaction(&'a InteractionId),
    Call(&'a CallSid),
}

impl<'a> Node<'a> {
    fn contact(contact: &'a ContactRef) -> Self {
        match contact {
            ContactRef::Interaction(id) => Node::Interaction(id),
            ContactRef::Call(sid) => Node::Call(sid),
        }
    }
}

struct Graph<'a> {
    /// Only looked up, never iterated: node numbers follow the canonical event order.
    index: FxHashMap<Node<'a>, usize>,
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl<'a> Graph<'a> {
    fn with_capacity(events: usize) -> Self {
        Self {
            index: FxHashMap::with_capacity_and_hasher(events, Default::default()),
            parent: Vec::with_capacity(events),
            size: Vec::with_capacity(events),
        }
    }

    fn node(&mut self, node: Node<'a>) -> usize {
        let next = self.parent.len();
        let id = *self.index.entry(node).or_insert(next);
        if id == next {
            self.parent.push(next);
            self.size.push(1);
        }
        id
    }

    fn find(&mut self, mut node: usize) -> usize {
        // Path halving; every stored parent is a valid index, so the `get`s never miss.
        while let Some(&up) = self.parent.get(node) {
            if up == node {
                break;
            }
            let grand = self.parent.get(up).copied().unwrap_or(up);
            if let Some(slot) = self.parent.get_mut(node) {
                *slot = grand;
            }
            node = grand;
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let size_a = self.size.get(a).copied().unwrap_or(1);
        let size_b = self.size.get(b).copied().unwrap_or(1);
        let (big, small) = if size_a >= size_b { (a, b) } else { (b, a) };
        if let Some(slot) = self.parent.get_mut(small) {
            *slot = big;
        }
        if let Some(slot) = self.size.get_mut(big) {
            *slot = size_a + size_b;
        }
    }

    /// Adds `home` (and `other`, linked to it) and returns `home`'s index.
    fn place_at(&mut self, home: Node<'a>, other: Option<Node<'a>>) -> usize {
        let home = self.node(home);
        if let Some(other) = other {
            let other = self.node(other);
            self.union(home, other);
        }
        home
    }

    fn place(&mut self, event: &'a CallEvent) -> usize {
        match &event.kind {
            CallEventKind::ConversationStarted(e) => self.place_at(
                Node::Interaction(&e.interaction),
                e.root_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::LegStatus(e) => self.place_at(
                Node::Call(&e.call_sid),
                e.parent_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::DialResult(e) => self.place_at(
                Node::Call(&e.parent_call_sid),
                e.dial_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Recording(e) => self.place_at(Node::Call(&e.call_sid), None),
            CallEventKind::Offered(e) => self.place_at(
                Node::contact(&e.contact),
                e.leg_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::AgentResponded(e) => self.place_at(
                Node::contact(&e.contact),
                e.leg_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Transferred(e) => self.place_at(
                Node::contact(&e.contact),
                e.new_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Queued(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::WrapUpEnded(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::Dequeued(e)
            | CallEventKind::Hold(e)
            | CallEventKind::Unhold(e)
            | CallEventKind::Ended(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::Routed(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::MenuPassed(e) => self.place_at(Node::contact(&e.contact), None),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sorting one linked group's events by what they say.

#[derive(Default)]
struct LegFacts<'a> {
    statuses: Vec<&'a LegStatus>,
    dial: Option<&'a DialResult>,
}

#[derive(Default)]
struct Facts<'a> {
    starts: Vec<&'a ConversationStarted>,
    legs: BTreeMap<&'a CallSid, LegFacts<'a>>,
    dials: Vec<&'a DialResult>,
    recordings: BTreeMap<&'a RecordingSid, Vec<&'a RecordingUpdate>>,
    offers: Vec<&'a Offered>,
    responses: Vec<&'a AgentResponded>,
    /// `(at, true)` for queued, `(at, false)` for dequeued.
    queue_marks: Vec<(Timestamp, bool)>,
    queue_names: Vec<&'a str>,
    /// `(at, true)` for hold, `(at, false)` for unhold.
    hold_marks: Vec<(Timestamp, bool)>,
    transfers: Vec<&'a Transferred>,
    wrap_ups: Vec<&'a WrapUpEnded>,
    ended_marks: Vec<Timestamp>,
    routings: Vec<&'a Routed>,
    menus: Vec<&'a MenuPassed>,
    /// Application events by the contact they name, for warnings when nothing anchors them.
    app_contacts: Vec<(&'a ContactRef, &'static str)>,
    earliest: Option<Timestamp>,
}

impl<'a> Facts<'a> {
    fn collect(events: &[&'a CallEvent]) -> Self {
        let mut facts = Facts::default();
        for event in events {
            facts.earliest = Some(facts.earliest.map_or(event.at(), |t| t.min(event.at())));
            match &event.kind {
                CallEventKind::ConversationStarted(e) => facts.starts.push(e),
                CallEventKind::LegStatus(e) => {
                    facts.legs.entry(&e.call_sid).or_default().statuses.push(e);
                }
                CallEventKind::DialResult(e) => {
                    facts.dials.push(e);
                    if let Some(dialled) = &e.dial_call_sid {
                        let leg = facts.legs.entry(dialled).or_default();
                        // Canonical order: the first one seen is the one kept.
                        leg.dial.get_or_insert(e);
                    }
                }
                CallEventKind::Recording(e) => {
                    facts
                        .recordings
                        .entry(&e.recording_sid)
                        .or_default()
                        .push(e);
                }
                CallEventKind::Offered(e) => {
                    facts.offers.push(e);
                    facts.app_contacts.push((&e.contact, "offer"));
                }
                CallEventKind::AgentResponded(e) => {
                    facts.responses.push(e);
                    facts.app_contacts.push((&e.contact, "agent response"));
                }
                CallEventKind::Queued(e) => {
                    facts.queue_marks.push((e.at, true));
                    if let Some(name) = &e.queue {
                        facts.queue_names.push(name);
                    }
                    facts.app_contacts.push((&e.contact, "queued"));
                }
                CallEventKind::Dequeued(e) => {
                    facts.queue_marks.push((e.at, false));
                    facts.app_contacts.push((&e.contact, "dequeued"));
                }
                CallEventKind::Hold(e) => {
                    facts.hold_marks.push((e.at, true));
                    facts.app_contacts.push((&e.contact, "hold"));
                }
                CallEventKind::Unhold(e) => {
                    facts.hold_marks.push((e.at, false));
                    facts.app_contacts.push((&e.contact, "unhold"));
                }
                CallEventKind::Transferred(e) => {
                    facts.transfers.push(e);
                    facts.app_contacts.push((&e.contact, "transfer"));
                }
                CallEventKind::WrapUpEnded(e) => {
                    facts.wrap_ups.push(e);
                    facts.app_contacts.push((&e.contact, "wrap-up"));
                }
                CallEventKind::Ended(e) => {
                    facts.ended_marks.push(e.at);
                    facts.app_contacts.push((&e.contact, "end"));
                }
                CallEventKind::Routed(e) => {
                    facts.routings.push(e);
                    facts.app_contacts.push((&e.contact, "routing decision"));
                }
                CallEventKind::MenuPassed(e) => {
                    facts.menus.push(e);
                    facts.app_contacts.push((&e.contact, "IVR path"));
                }
            }
        }
        facts
    }

    /// The parent a leg's callbacks name (the first that names one).
    fn parent_of(leg: &LegFacts<'a>) -> Option<&'a CallSid> {
        leg.statuses
            .iter()
            .find_map(|status| status.parent_call_sid.as_ref())
    }

    /// A group is a conversation once something says where it starts: the worker's
    /// `ConversationStarted`, or a callback of a leg without a parent (a root leg).
    fn is_anchored(&self) -> bool {
        !self.starts.is_empty()
            || self
                .legs
                .values()
                .any(|leg| !leg.statuses.is_empty() && Self::parent_of(leg).is_none())
    }

    fn warn_unplaced(&self, warnings: &mut BTreeSet<StitchWarning>) {
        for (call_sid, leg) in &self.legs {
            if let Some(parent) = Self::parent_of(leg) {
                warnings.insert(StitchWarning::UnknownParent {
                    call_sid: (*call_sid).clone(),
                    parent_call_sid: parent.clone(),
                });
            }
        }
        for dial in &self.dials {
            warnings.insert(StitchWarning::DialResultForUnknownCall {
                parent_call_sid: dial.parent_call_sid.clone(),
                dial_call_sid: dial.dial_call_sid.clone(),
            });
        }
        for updates in self.recordings.values() {
            for update in updates {
                warnings.insert(StitchWarning::RecordingForUnknownCall {
                    recording_sid: update.recording_sid.clone(),
                    call_sid: update.call_sid.clone(),
                });
            }
        }
        for (contact, event) in &self.app_contacts {
            warnings.insert(StitchWarning::UnknownContact {
                contact: (*contact).clone(),
                event: (*event).to_owned(),
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One leg, summarised from its status callbacks and its `<Dial>` action callback.

struct LegSummary<'a> {
    call_sid: &'a CallSid,
    parent: Option<&'a CallSid>,
    direction: &'a LegDirection,
    from: &'a str,
    to: &'a str,
    first_at: Timestamp,
    ringing_at: Option<Timestamp>,
    answered_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    outcome: LegOutcome,
}

impl LegSummary<'_> {
    /// When the leg began, as far as its callbacks tell: with only a `completed` callback, the
    /// inferred answer time is earlier than the callback.
    fn began_at(&self) -> Timestamp {
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

fn summarize<'a>(call_sid: &'a CallSid, leg: &LegFacts<'a>) -> Option<LegSummary<'a>> {
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

fn is_phone_number(address: &str) -> bool {
    client_identity(address).is_none() && !address.is_empty()
}

/// Who is on the far end of a leg.
enum Party {
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

fn classify(
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

// ---------------------------------------------------------------------------------------------
// Agent attempts: Twilio legs that rang an agent, matched with the application's offers and
// responses.

struct Attempt<'a> {
    agent: AgentId,
    leg: Option<LegSummary<'a>>,
    offer: Option<&'a Offered>,
    response: Option<&'a AgentResponded>,
    /// The root leg of an agent-placed call: the agent's own side, never offered.
    placed_call: bool,
    /// A leg of a consult call named by a transfer: agents talking to each other.
    consult: bool,
    // Filled in by `finish`.
    outcome: LegOutcome,
    answered_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    talk_time: Millis,
    hold_time: Millis,
    wrap_up: Option<WrapUp>,
}

impl<'a> Attempt<'a> {
    fn new(agent: AgentId) -> Self {
        Self {
            agent,
            leg: None,
            offer: None,
            response: None,
            placed_call: false,
            consult: false,
            outcome: LegOutcome::Pending,
            answered_at: None,
            ended_at: None,
            talk_time: Millis(0),
            hold_time: Millis(0),
            wrap_up: None,
        }
    }

    fn start(&self) -> Timestamp {
        self.offer
            .map(|o| o.at)
            .or(self.leg.as_ref().map(LegSummary::began_at))
            .or(self.response.map(|r| r.at))
            .unwrap_or(Timestamp(0))
    }

    fn call_sid(&self) -> Option<&'a CallSid> {
        self.leg.as_ref().map(|l| l.call_sid)
    }

    fn sort_key(&self) -> (Timestamp, AgentId, Option<&'a CallSid>) {
        (self.start(), self.agent.clone(), self.call_sid())
    }

    /// Decides outcome and times. Twilio is the authority on whether a call connected; the
    /// application on why an unanswered ring ended (declined, never acknowledged).
    fn finish(&mut self, conversation_ended_at: Option<Timestamp>) {
        let leg_outcome = self.leg.as_ref().map_or(LegOutcome::Pending, |l| l.outcome);
        let leg_answered_at = self.leg.as_ref().and_then(|l| l.answered_at);
        self.outcome = match (leg_outcome, self.response.map(|r| &r.response)) {
            (LegOutcome::Answered, _) => LegOutcome::Answered,
            (_, Some(AgentResponse::Declined)) => LegOutcome::Declined,
            (_, Some(AgentResponse::Missed)) => LegOutcome::Missed,
            (LegOutcome::Pending, Some(AgentResponse::Accepted)) => LegOutcome::Answered,
            (LegOutcome::Pending, Some(AgentResponse::NoAnswer)) => LegOutcome::NoAnswer,
            (other, _) => other,
        };
        self.answered_at = match self.outcome {
            LegOutcome::Answered => leg_answered_at.or(self.response.map(|r| r.at)),
            _ => None,
        };
        self.ended_at = self
            .leg
            .as_ref()
            .and_then(|l| l.ended_at)
            .or_else(|| {
                self.response
                    .filter(|r| r.response != AgentResponse::Accepted)
                    .map(|r| r.at)
            })
            .or_else(|| {
                if self.outcome == LegOutcome::Answered {
                    conversation_ended_at
                } else {
                    None
                }
            });
    }

    /// The time this agent was connected, if it is over.
    fn connected(&self) -> Vec<Span> {
        match (self.answered_at, self.ended_at) {
            (Some(start), Some(end)) => interval::union(vec![(start.0, end.0)]),
            _ => Vec::new(),
        }
    }

    fn into_leg(self) -> AgentLeg {
        AgentLeg {
            call_sid: self.call_sid().cloned(),
            step: self.offer.map(|o| o.step.clone()),
            team: self.offer.and_then(|o| o.team.clone()),
            offered_at: self.offer.map(|o| o.at),
            ringing_at: self.leg.as_ref().and_then(|l| l.ringing_at),
            agent: self.agent,
            consult: self.consult,
            outcome: self.outcome,
            answered_at: self.answered_at,
            ended_at: self.ended_at,
            talk_time: self.talk_time,
            hold_time: self.hold_time,
            wrap_up: self.wrap_up,
        }
    }
}

/// Attaches offers to legs. An offer naming its leg's CallSid takes it; the rest are paired per
/// agent in time order (the k-th offer to an agent with the k-th leg that rang them), which needs
/// no agreement between the worker's clock and Twilio's. Offers without a leg stay attempts of
/// their own (chats; rings whose callbacks have not arrived).
fn attach_offers<'a>(attempts: &mut Vec<Attempt<'a>>, offers: &[&'a Offered]) {
    let mut unmatched: BTreeMap<&AgentId, Vec<&'a Offered>> = BTreeMap::new();
    for offer in offers {
        let named = offer.leg_call_sid.as_ref().and_then(|sid| {
            attempts
                .iter_mut()
                .find(|a| a.offer.is_none() && a.call_sid() == Some(sid))
        });
        match named {
            Some(attempt) => attempt.offer = Some(offer),
            None => unmatched.entry(&offer.agent).or_default().push(offer),
        }
    }
    for (agent, offers) in unmatched {
        let mut free: Vec<usize> = (0..attempts.len())
            .filter(|&i| {
                attempts.get(i).is_some_and(|a| {
                    &a.agent == agent
                        && a.offer.is_none()
                        && a.leg.is_some()
                        && !a.placed_call
                        && !a.consult
                })
            })
            .collect();
        free.sort_by_key(|&i| attempts.get(i).map(Attempt::sort_key));
        for (k, offer) in offers.into_iter().enumerate() {
            match free.get(k).and_then(|&i| attempts.get_mut(i)) {
                Some(attempt) => attempt.offer = Some(offer),
                None => {
                    let mut attempt = Attempt::new(agent.clone());
                    attempt.offer = Some(offer);
                    attempts.push(attempt);
                }
            }
        }
    }
}

/// Attaches each response to the leg it names, else to the agent's latest attempt still without
/// a response that started strictly before it (routing offers the next ring the instant a ring
/// is declined, so "at the same time" means the previous one). The first response of an attempt
/// counts.
fn attach_responses<'a>(attempts: &mut Vec<Attempt<'a>>, responses: &[&'a AgentResponded]) {
    for response in responses {
        let named = response
            .leg_call_sid
            .as_ref()
            .and_then(|sid| attempts.iter().position(|a| a.call_sid() == Some(sid)));
        let target = named.or_else(|| {
            let mut own: Vec<usize> = (0..attempts.len())
                .filter(|&i| attempts.get(i).is_some_and(|a| a.agent == response.agent))
                .collect();
            own.sort_by_key(|&i| attempts.get(i).map(Attempt::sort_key));
            let open_before = |i: &&usize| {
                attempts
                    .get(**i)
                    .is_some_and(|a| a.response.is_none() && a.start() < response.at)
            };
            let open = |i: &&usize| attempts.get(**i).is_some_and(|a| a.response.is_none());
            own.iter()
                .rev()
                .find(open_before)
                .or_else(|| own.iter().find(open))
                .copied()
        });
        let known_agent = attempts.iter().any(|a| a.agent == response.agent);
        match target.and_then(|i| attempts.get_mut(i)) {
            Some(attempt) => {
                attempt.response.get_or_insert(response);
            }
            None if !known_agent => {
                let mut attempt = Attempt::new(response.agent.clone());
                attempt.response = Some(response);
                attempts.push(attempt);
            }
            // Every attempt of this agent already has its response.
            None => {}
        }
    }
}

/// The first leg of the call tree `call_sid` is in (bounded, in case parents form a cycle).
fn tree_root<'a>(
    parents: &BTreeMap<&'a CallSid, &'a CallSid>,
    mut call_sid: &'a CallSid,
) -> &'a CallSid {
    for _ in 0..=parents.len() {
        match parents.get(call_sid) {
            Some(parent) => call_sid = parent,
            None => break,
        }
    }
    call_sid
}

/// Pairs on/off marks (hold/unhold, queued/dequeued) into spans. A repeated "on" keeps the first;
/// an "off" without an "on" is ignored; a span still open at the end is returned separately.
fn pair_marks(marks: &[(Timestamp, bool)]) -> (Vec<Span>, Option<u64>) {
    let mut spans = Vec::new();
    let mut open = None;
    for &(at, on) in marks {
        match (on, open) {
            (true, None) => open = Some(at.0),
            (false, Some(start)) => {
                spans.push((start, at.0));
                open = None;
            }
            _ => {}
        }
    }
    (spans, open)
}

// ---------------------------------------------------------------------------------------------
// Building the conversation.

fn build(
    tenant: &TenantId,
    events: &[&CallEvent],
    warnings: &mut BTreeSet<StitchWarning>,
) -> Option<Conversation> {
    let facts = Facts::collect(events);
    if !facts.is_anchored() {
        facts.warn_unplaced(warnings);
        return None;
    }

    let interactions: BTreeSet<&InteractionId> = if facts.starts.is_empty() {
        facts
            .app_contacts
            .iter()
            .filter_map(|(contact, _)| match contact {
                ContactRef::Interaction(id) => Some(id),
                ContactRef::Call(_) => None,
            })
            .collect()
    } else {
        facts.starts.iter().map(|s| &s.interaction).collect()
    };
    let interaction = interactions.first().map(|id| (*id).clone());

    let mut summaries: BTreeMap<&CallSid, LegSummary<'_>> = BTreeMap::new();
    for (call_sid, leg) in &facts.legs {
        match summarize(call_sid, leg) {
            Some(summary) => {
                summaries.insert(call_sid, summary);
            }
            None => {
                warnings.insert(StitchWarning::LegWithoutStatus {
                    call_sid: (*call_sid).clone(),
                });
            }
        }
    }
    let root_call_sid: Option<CallSid> = facts
        .starts
        .iter()
        .find_map(|s| s.root_call_sid.clone())
        .or_else(|| {
            summaries
                .values()
                .filter(|leg| leg.parent.is_none())
                .min_by_key(|leg| (leg.began_at(), leg.call_sid))
                .map(|leg| leg.call_sid.clone())
        });
    let id = match (&interaction, &root_call_sid) {
        (Some(interaction), _) => ConversationId::Interaction(interaction.clone()),
        (None, Some(root)) => ConversationId::Call(root.clone()),
        (None, None) => {
            facts.warn_unplaced(warnings);
            return None;
        }
    };
    for merged in interactions.iter().skip(1) {
        warnings.insert(StitchWarning::MergedInteractions {
            conversation: id.clone(),
            merged: ConversationId::Interaction((*merged).clone()),
        });
    }

    // Who is on each leg.
    let root = root_call_sid.as_ref().and_then(|sid| summaries.remove(sid));
    let mut attempts: Vec<Attempt<'_>> = Vec::new();
    let mut customer_root = None;
    if let Some(root) = root {
        match classify(tenant, &root, true, warnings) {
            Party::Agent(agent) => {
                let mut attempt = Attempt::new(agent);
                attempt.leg = Some(root);
                attempt.placed_call = true;
                attempts.push(attempt);
            }
            Party::Customer | Party::External => customer_root = Some(root),
        }
    }
    let parents: BTreeMap<&CallSid, &CallSid> = facts
        .legs
        .iter()
        .filter_map(|(sid, leg)| Some((*sid, Facts::parent_of(leg)?)))
        .collect();
    let consult_calls: BTreeSet<&CallSid> = facts
        .transfers
        .iter()
        .filter_map(|t| t.new_call_sid.as_ref())
        .filter(|sid| Some(*sid) != root_call_sid.as_ref())
        .collect();
    let mut external: Vec<LegSummary<'_>> = Vec::new();
    for (_, leg) in summaries {
        match classify(tenant, &leg, false, warnings) {
            Party::Agent(agent) => {
                let mut attempt = Attempt::new(agent);
                attempt.consult = consult_calls.contains(tree_root(&parents, leg.call_sid));
                attempt.leg = Some(leg);
                attempts.push(attempt);
            }
            Party::Customer | Party::External => external.push(leg),
        }
    }
    external.sort_by_key(|leg| (leg.began_at(), leg.call_sid));
    attach_offers(&mut attempts, &facts.offers);
    attach_responses(&mut attempts, &facts.responses);

    // The contact center's own start event, on its millisecond clock, is when the conversation
    // began. Twilio's times come in whole seconds (an answer derived from `CallDuration` can land
    // two seconds early), so they only stand in when no start event was stored.
    let started_at = facts
        .starts
        .iter()
        .map(|s| s.at)
        .min()
        .or_else(|| {
            customer_root
                .as_ref()
                .map(LegSummary::began_at)
                .into_iter()
                .chain(
                    attempts
                        .iter()
                        .filter(|a| a.placed_call)
                        .map(Attempt::start),
                )
                .min()
        })
        .or(facts.earliest)
        .unwrap_or(Timestamp(0));
    let placed_root_end = attempts
        .iter()
        .find(|a| a.placed_call)
        .and_then(|a| a.leg.as_ref())
        .and_then(|l| l.ended_at);
    let ended_at = customer_root
        .as_ref()
        .and_then(|r| r.ended_at)
        .or(placed_root_end)
        .or(facts.ended_marks.iter().copied().min());
    let direction = facts.starts.first().map_or_else(
        || {
            let outbound = attempts.iter().any(|a| a.placed_call)
                || customer_root
                    .as_ref()
                    .is_some_and(|r| *r.direction == LegDirection::OutboundApi);
            if outbound {
                ConversationDirection::Outbound
            } else {
                ConversationDirection::Inbound
            }
        },
        |s| s.direction,
    );

    for attempt in &mut attempts {
        attempt.finish(ended_at);
    }

    // When the customer was on the line: the whole contact inbound; only their answered legs
    // outbound (ringing a customer is not talking to them).
    let customer_legs: Vec<&LegSummary<'_>> = match direction {
        ConversationDirection::Outbound => customer_root.iter().chain(external.iter()).collect(),
        ConversationDirection::Inbound => Vec::new(),
    };
    let customer_spans = if customer_legs.is_empty() {
        interval::union(vec![(started_at.0, ended_at.map_or(OPEN, |t| t.0))])
    } else {
        interval::union(
            customer_legs
                .iter()
                .filter_map(|leg| {
                    let start = leg.answered_at?;
                    let end = leg.ended_at.or(ended_at).map_or(OPEN, |t| t.0);
                    Some((start.0, end))
                })
                .collect(),
        )
    };
    let (mut holds, open_hold) = pair_marks(&facts.hold_marks);
    holds.extend(open_hold.map(|start| (start, OPEN)));
    let holds = interval::union(holds);
    for attempt in attempts.iter_mut().filter(|a| !a.consult) {
        let with_customer = interval::intersection(&attempt.connected(), &customer_spans);
        let held = interval::total(&interval::intersection(&with_customer, &holds));
        attempt.hold_time = Millis(held);
        attempt.talk_time = Millis(interval::total(&with_customer).saturating_sub(held));
    }
    // Parking the caller on hold music ends the agent's phone leg (the caller's call is redirected)
    // and rings the same agent again when they take the caller back, so such a hold lies between
    // two legs of one agent. It belongs to that agent's earlier leg. Hold time outside every leg
    // otherwise (the caller alone, nobody rung back) counts for nobody, as before.
    let connected_any = interval::union(
        attempts
            .iter()
            .filter(|a| !a.consult)
            .flat_map(Attempt::connected)
            .collect(),
    );
    let parked = interval::difference(
        &interval::intersection(&holds, &customer_spans),
        &connected_any,
    );
    for (start, end) in parked.into_iter().filter(|(_, end)| *end != OPEN) {
        let Some(holder) = attempts
            .iter()
            .filter(|a| !a.consult && a.answered_at.is_some_and(|at| at.0 <= start))
            .max_by_key(|a| a.answered_at)
            .map(|a| (a.agent.clone(), a.answered_at))
        else {
            continue;
        };
        let rung_back = attempts.iter().any(|a| {
            !a.consult && a.agent == holder.0 && a.answered_at.is_some_and(|at| at.0 >= end)
        });
        if !rung_back {
            continue;
        }
        if let Some(attempt) = attempts
            .iter_mut()
            .find(|a| !a.consult && a.agent == holder.0 && a.answered_at == holder.1)
        {
            attempt.hold_time = attempt.hold_time + Millis(end - start);
        }
    }

    for wrap in &facts.wrap_ups {
        let mut answered: Vec<&mut Attempt<'_>> = attempts
            .iter_mut()
            .filter(|a| a.agent == wrap.agent && a.outcome == LegOutcome::Answered)
            .collect();
        answered.sort_by_key(|a| (a.ended_at.is_some_and(|end| end <= wrap.at), a.ended_at));
        // Sorted so the last is the latest leg that ended before the wrap-up did.
        match answered.pop() {
            Some(attempt) => {
                let duration = attempt
                    .ended_at
                    .map_or(Millis(0), |end| wrap.at.saturating_since(end));
                attempt.wrap_up = Some(WrapUp {
                    ended_at: wrap.at,
                    duration,
                    disposition: wrap.disposition.clone(),
                    notes: wrap.notes.clone(),
                });
            }
            None => {
                warnings.insert(StitchWarning::WrapUpWithoutAnsweredLeg {
                    conversation: id.clone(),
                    agent: wrap.agent.clone(),
                });
            }
        }
    }

    attempts.sort_by_key(Attempt::sort_key);
    // The customer's answer: not the agent's own side of a call they placed, not a consult.
    let first_answer = attempts
        .iter()
        .filter(|a| !a.placed_call && !a.consult)
        .filter_map(|a| a.answered_at.map(|at| (at, a)))
        .min_by_key(|(at, a)| (*at, a.sort_key()));

    let (mut queue_spans, open_queue) = pair_marks(&facts.queue_marks);
    if let Some(start) = open_queue {
        let answered_after = attempts
            .iter()
            .filter_map(|a| a.answered_at)
            .filter(|at| at.0 >= start)
            .min();
        if let Some(end) = answered_after.into_iter().chain(ended_at).min() {
            queue_spans.push((start, end.0));
        }
    }

    let external_answered = external
        .iter()
        .find(|leg| leg.outcome == LegOutcome::Answered);
    let (answered_by, answered_at, outcome) = match direction {
        ConversationDirection::Inbound => match (first_answer, external_answered) {
            (Some((at, attempt)), _) => (
                Some(attempt.agent.clone()),
                Some(at),
                ConversationOutcome::Answered,
            ),
            (None, Some(leg)) => (
                None,
                None,
                ConversationOutcome::Fallback {
                    number: leg.to.to_owned(),
                    answered: true,
                },
            ),
            (None, None) => match (ended_at, external.first()) {
                (None, _) => (None, None, ConversationOutcome::InProgress),
                (Some(_), Some(leg)) => (
                    None,
                    None,
                    ConversationOutcome::Fallback {
                        number: leg.to.to_owned(),
                        answered: false,
                    },
                ),
                (Some(end), None) => (
                    None,
                    None,
                    ConversationOutcome::Abandoned {
                        after: end.saturating_since(started_at),
                    },
                ),
            },
        },
        ConversationDirection::Outbound => {
            let reached_at = if customer_legs.is_empty() {
                first_answer.map(|(at, _)| at)
            } else {
                customer_legs.iter().filter_map(|leg| leg.answered_at).min()
            };
            let placed_by = attempts
                .iter()
                .find(|a| a.placed_call)
                .or(attempts.first())
                .map(|a| a.agent.clone());
            match (reached_at, ended_at) {
                (Some(at), _) => (placed_by, Some(at), ConversationOutcome::Answered),
                (None, None) => (None, None, ConversationOutcome::InProgress),
                (None, Some(_)) => (None, None, ConversationOutcome::NotReached),
            }
        }
    };
    let team = first_answer
        .and_then(|(_, a)| a.offer)
        .and_then(|o| o.team.clone())
        .or_else(|| {
            attempts
                .iter()
                .rev()
                .find_map(|a| a.offer.and_then(|o| o.team.clone()))
        });

    let customer_number = facts
        .starts
        .iter()
        .find_map(|s| s.customer_number.clone())
        .or_else(|| {
            let root_number = customer_root.as_ref().map(|root| match direction {
                ConversationDirection::Inbound => root.from,
                ConversationDirection::Outbound => root.to,
            });
            root_number
                .into_iter()
                .chain(external.iter().map(|leg| leg.to))
                .find(|n| is_phone_number(n))
                .map(str::to_owned)
        });

    let mut recordings: Vec<(Timestamp, Recording)> = facts
        .recordings
        .values()
        .filter_map(|updates| merge_recording(updates))
        .collect();
    recordings.sort_by(|a, b| (a.0, &a.1.recording_sid).cmp(&(b.0, &b.1.recording_sid)));

    let hold_time = attempts.iter().fold(Millis(0), |sum, a| sum + a.hold_time);
    let talk_time = attempts.iter().fold(Millis(0), |sum, a| sum + a.talk_time);
    let wrap_up_time = attempts.iter().fold(Millis(0), |sum, a| {
        sum + a.wrap_up.as_ref().map_or(Millis(0), |w| w.duration)
    });

    Some(Conversation {
        id,
        interaction,
        root_call_sid,
        customer: facts.starts.iter().find_map(|s| s.customer.clone()),
        customer_number,
        channel: facts
            .starts
            .first()
            .map_or(Channel::Voice, |start| start.channel),
        direction,
        started_at,
        ended_at,
        queue: facts.queue_names.first().map(|name| (*name).to_owned()),
        queue_time: Millis(interval::total(&interval::union(queue_spans))),
        external_legs: external
            .iter()
            .map(|leg| ExternalLeg {
                call_sid: leg.call_sid.clone(),
                number: leg.to.to_owned(),
                outcome: leg.outcome,
                answered_at: leg.answered_at,
                ended_at: leg.ended_at,
            })
            .collect(),
        answered_by,
        answered_at,
        time_to_answer: answered_at.map(|at| at.saturating_since(started_at)),
        team,
        talk_time,
        hold_time,
        wrap_up_time,
        agent_legs: attempts.into_iter().map(Attempt::into_leg).collect(),
        transfers: facts
            .transfers
            .iter()
            .map(|t| Transfer {
                from_agent: t.from_agent.clone(),
                to: t.to.clone(),
                at: t.at,
            })
            .collect(),
        recordings: recordings.into_iter().map(|(_, r)| r).collect(),
        // Events arrive in canonical order (time, then content), so the audit reads oldest first.
        routing: facts
            .routings
            .iter()
            .map(|r| RoutingDecision {
                at: r.at,
                explanation: r.explanation.clone(),
            })
            .collect(),
        // A call runs its line's menu once: the first path recorded is the one.
        ivr_path: facts.menus.first().map(|menu| menu.path.clone()),
        outcome,
    })
}

/// One recording from its callbacks: the most final status wins, and each detail comes from the
/// most final callback that has it. Returns the first callback's time for ordering.
fn merge_recording(updates: &[&RecordingUpdate]) -> Option<(Timestamp, Recording)> {
    let first_at = updates.iter().map(|u| u.at).min()?;
    let mut by_finality: Vec<&RecordingUpdate> = updates.to_vec();
    // Stable sort: among equally final callbacks the canonical order stands.
    by_finality.sort_by_key(|u| std::cmp::Reverse(u.status.finality()));
    let best = by_finality.first()?;
    Some((
        first_at,
        Recording {
            recording_sid: best.recording_sid.clone(),
            call_sid: best.call_sid.clone(),
            status: best.status.clone(),
            url: by_finality.iter().find_map(|u| u.url.clone()),
            duration: by_finality.iter().find_map(|u| u.duration),
            channels: by_finality.iter().find_map(|u| u.channels),
        },
    ))
}
