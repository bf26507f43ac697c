//! Agent attempts: Twilio legs that rang an agent, matched with the application's offers and
//! responses; and paired marks (queue, hold) into spans.

use super::*;

pub(super) struct Attempt<'a> {
    pub(super) agent: AgentId,
    pub(super) leg: Option<LegSummary<'a>>,
    pub(super) offer: Option<&'a Offered>,
    pub(super) response: Option<&'a AgentResponded>,
    /// The root leg of an agent-placed call: the agent's own side, never offered.
    pub(super) placed_call: bool,
    /// A leg of a consult call named by a transfer: agents talking to each other.
    pub(super) consult: bool,
    // Filled in by `finish`.
    pub(super) outcome: LegOutcome,
    pub(super) answered_at: Option<Timestamp>,
    pub(super) ended_at: Option<Timestamp>,
    pub(super) talk_time: Millis,
    pub(super) hold_time: Millis,
    pub(super) wrap_up: Option<WrapUp>,
}

impl<'a> Attempt<'a> {
    pub(super) fn new(agent: AgentId) -> Self {
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

    pub(super) fn start(&self) -> Timestamp {
        self.offer
            .map(|o| o.at)
            .or(self.leg.as_ref().map(LegSummary::began_at))
            .or(self.response.map(|r| r.at))
            .unwrap_or(Timestamp(0))
    }

    pub(super) fn call_sid(&self) -> Option<&'a CallSid> {
        self.leg.as_ref().map(|l| l.call_sid)
    }

    pub(super) fn sort_key(&self) -> (Timestamp, AgentId, Option<&'a CallSid>) {
        (self.start(), self.agent.clone(), self.call_sid())
    }

    /// Decides outcome and times. Twilio is the authority on whether a call connected; the
    /// application on why an unanswered ring ended (declined, never acknowledged).
    pub(super) fn finish(&mut self, conversation_ended_at: Option<Timestamp>) {
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
    pub(super) fn connected(&self) -> Vec<Span> {
        match (self.answered_at, self.ended_at) {
            (Some(start), Some(end)) => interval::union(vec![(start.0, end.0)]),
            _ => Vec::new(),
        }
    }

    pub(super) fn into_leg(self) -> AgentLeg {
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
pub(super) fn attach_offers<'a>(attempts: &mut Vec<Attempt<'a>>, offers: &[&'a Offered]) {
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
pub(super) fn attach_responses<'a>(
    attempts: &mut Vec<Attempt<'a>>,
    responses: &[&'a AgentResponded],
) {
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
pub(super) fn tree_root<'a>(
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
pub(super) fn pair_marks(marks: &[(Timestamp, bool)]) -> (Vec<Span>, Option<u64>) {
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
