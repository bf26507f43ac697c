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

mod attempts;

use self::{
    attempts::{Attempt, attach_offers, attach_responses, pair_marks, tree_root},
    facts::{Facts, LegFacts},
    legs::{LegSummary, Party, classify, is_phone_number, summarize},
    link::Graph,
};

mod facts;
mod legs;
mod link;

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
