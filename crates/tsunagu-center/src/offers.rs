//! Ringing agents: carrying out the router's decisions (an offer, or the queue), the offer to an
//! agent's widgets and Twilio, a ring that failed (the next agent, the queue or the fallback
//! numbers) and the agent answering.

use tsunagu_core::{AgentId, InteractionId, TeamId, Timestamp};
use tsunagu_interaction::{Event, TransferTarget};
use tsunagu_presence as presence;
use tsunagu_protocol::{ServerMessage, WithdrawReason};
use tsunagu_routing::{Decision, Offer, Target};
use tsunagu_stitch::{
    AgentResponded, AgentResponse, CallEventKind, Mark, OfferStep, Offered, Queued,
};

use crate::{Center, state::Place, wire};

impl Center {
    /// Carries out the router's decision about a call.
    pub(crate) fn act(&mut self, at: Timestamp, decision: Decision) {
        match decision {
            Decision::Offer(offer) => {
                let step = self.step_of(&offer);
                self.make_offer(&offer, step, false);
            }
            Decision::Queued(queued) => {
                let Some(call) = self.calls.get_mut(&queued.contact) else {
                    return;
                };
                call.place = Place::Queued;
                self.journal.call(&queued.contact);
                let contact = call.contact_ref();
                // The named queue, else the channel's line.
                let queue = match &call.queue {
                    Some(queue) => queue.to_string(),
                    None => call.channel().as_str().to_owned(),
                };
                self.changed.insert(queued.contact);
                self.record(CallEventKind::Queued(Queued {
                    contact,
                    queue: Some(queue),
                    at,
                }));
            }
        }
    }

    /// Carries out a decision about a call that was waiting in the queue: an offer takes it out
    /// (recorded as dequeued, like a freed agent's pick-up).
    pub(crate) fn act_on_queued(&mut self, at: Timestamp, decision: Decision) {
        match decision {
            Decision::Offer(offer) => {
                let step = self.step_of(&offer);
                self.make_offer(&offer, step, true);
            }
            queued @ Decision::Queued(_) => self.act(at, queued),
        }
    }

    fn step_of(&self, offer: &Offer) -> (OfferStep, Option<TeamId>) {
        let call = self.calls.get(&offer.contact);
        // A transferred call's ladder is the transfer's target, then the tenant's ladder.
        let step_index = match call.and_then(|call| call.transfer.as_ref()) {
            None => offer.step_index,
            Some(TransferTarget::Team(team)) if offer.step_index == 0 => {
                return (OfferStep::Transfer, Some(team.clone()));
            }
            Some(_) if offer.step_index == 0 => return (OfferStep::Transfer, None),
            Some(_) => offer.step_index - 1,
        };
        let target = self
            .base_ladder(&offer.contact)
            .steps
            .get(step_index)
            .map(|step| &step.target);
        match target {
            Some(Target::Owner) => (OfferStep::Owner, None),
            Some(Target::OwnerTeam) => {
                let team = self
                    .calls
                    .get(&offer.contact)
                    .and_then(|call| call.owner_team.clone());
                (OfferStep::Team, team)
            }
            Some(Target::Team(team)) => (OfferStep::Team, Some(team.clone())),
            Some(Target::Anyone) => (OfferStep::Anyone, None),
            Some(Target::Agents(_)) => (OfferStep::Direct, None),
            _ => (OfferStep::Other("unknown".to_owned()), None),
        }
    }

    /// Rings `offer.agent`: reserves their presence, shows the offer on their widgets, records it.
    /// `from_queue`: the router took the call out of the queue for this agent.
    ///
    /// An offer is made now, even when a deadline that passed while the alarm was late led to
    /// it: the widget gets the offer now, so its acknowledgement time starts now.
    pub(crate) fn make_offer(
        &mut self,
        offer: &Offer,
        (step, team): (OfferStep, Option<TeamId>),
        from_queue: bool,
    ) {
        let at = self.now;
        let ring_cap = self.config.presence.ring_no_answer;
        let ack_timeout = self.config.presence.offer_ack_timeout;
        let Some(call) = self.calls.get_mut(&offer.contact) else {
            // The router routes only calls the center holds; drop a stranger rather than ring.
            self.router_abandon(&offer.contact);
            return;
        };
        self.journal.call(&offer.contact);
        call.attempts = call.attempts.saturating_add(1);
        let attempt = call.attempts;
        // A web call or a callback has no phone ring to time out: presence's own ring deadline
        // ends it.
        let in_widget = call.web.is_some() || call.callback.is_some();
        let timeout = if in_widget {
            ring_cap
        } else {
            offer.timeout.min(ring_cap)
        };
        call.place = Place::Ringing {
            agent: offer.agent.clone(),
            attempt,
            timeout,
        };
        call.leg_call_sid = None;
        let offer_id = call.offer_id(attempt);
        let ring = if in_widget {
            presence::Input::WebOffer(offer_id.clone())
        } else {
            presence::Input::Offer(offer_id.clone())
        };
        let id = offer.contact.clone();
        self.changed.insert(id.clone());
        if self.presence_input(at, &offer.agent, ring).is_err() {
            // Presence and router disagree about this agent: never ring them for it.
            self.reroute_after_failure(at, &id);
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let step_number = u32::try_from(offer.step_index).unwrap_or(u32::MAX);
        let _ = call.interaction.handle(
            at,
            Event::Offer {
                agent: offer.agent.clone(),
                step: step_number,
            },
        );
        let contact = call.contact_ref();
        let screen_pop = call.screen_pop();
        let channel = call.channel();
        if from_queue {
            self.record(CallEventKind::Dequeued(Mark {
                contact: contact.clone(),
                at,
            }));
        }
        self.record(CallEventKind::Offered(Offered {
            contact,
            leg_call_sid: None,
            agent: offer.agent.clone(),
            team,
            step,
            at,
        }));
        self.send_to_agent(
            &offer.agent,
            &ServerMessage::Offer {
                offer: wire::offer_id(&offer_id),
                conversation: id,
                screen_pop,
                ring_timeout_ms: timeout.0,
                ack_timeout_ms: ack_timeout.0,
                channel,
            },
        );
    }

    /// The ring at `agent` is over without an answer: records why, then rings the next agent,
    /// queues the call, or (past the tenant's maximum wait) sends it to the fallback numbers.
    pub(crate) fn ring_failed(
        &mut self,
        at: Timestamp,
        id: &InteractionId,
        agent: &AgentId,
        event: Event,
        response: Option<AgentResponse>,
        withdrawn: Option<WithdrawReason>,
    ) {
        let overflow = self.overflow_due(id, at);
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Some(attempt) = call.ringing(agent) else {
            return;
        };
        self.journal.call(id);
        let _ = call.interaction.handle(at, event);
        if matches!(call.transfer, Some(TransferTarget::Agent(_)))
            && call.interaction.pending_transfer().is_some()
        {
            // The colleague named by the transfer did not take it: the caller goes on to the
            // tenant's usual routing.
            let _ = call.interaction.handle(at, Event::CancelTransfer);
        }
        let contact = call.contact_ref();
        let leg_call_sid = call.leg_call_sid.take();
        let offer = wire::offer_id(&call.offer_id(attempt));
        self.changed.insert(id.clone());
        if let Some(response) = response {
            self.record(CallEventKind::AgentResponded(AgentResponded {
                contact,
                leg_call_sid,
                agent: agent.clone(),
                response,
                at,
            }));
        }
        if let Some(reason) = withdrawn {
            self.send_to_agent(agent, &ServerMessage::OfferWithdrawn { offer, reason });
        }
        // Past the queue's longest wait (never a web call's: it cannot be sent to a phone
        // number): the queue's overflow; else the next agent.
        if let Some(overflow) = overflow {
            self.router_abandon(id);
            self.overflow(at, id, overflow);
        } else {
            self.reroute_after_failure(at, id);
        }
        self.sync_agent(agent);
        self.offer_queued_work(agent);
    }

    /// Asks the router for the next agent after a failed ring, recovering if it lost track.
    fn reroute_after_failure(&mut self, at: Timestamp, id: &InteractionId) {
        // Routed now (see `make_offer`); `at` dates what is recorded about the failure.
        let now = self.now;
        match self.router_offer_failed(id, now) {
            Ok(decision) => self.act(at, decision),
            Err(_) => {
                // The router does not hold the call as offered: route it again from scratch.
                self.router_abandon(id);
                let Some(call) = self.calls.get(id) else {
                    return;
                };
                let contact = call.contact(call.owner_team.clone());
                match self.router_route(contact, now) {
                    Ok(decision) => self.act(at, decision),
                    Err(_) => self.lose(at, id),
                }
            }
        }
    }

    /// The agent answered: the call connects and the agent goes on the call.
    pub(crate) fn connect(&mut self, at: Timestamp, id: &InteractionId, agent: &AgentId) -> bool {
        let Some((attempt, timeout)) = self.calls.get(id).and_then(|call| match &call.place {
            Place::Ringing {
                agent: ringing,
                attempt,
                timeout,
            } if ringing == agent => Some((*attempt, *timeout)),
            _ => None,
        }) else {
            return false;
        };
        if self
            .presence_input(at, agent, presence::Input::CallConnected(id.clone()))
            .is_err()
        {
            return false;
        }
        self.router_offer_accepted(id);
        let Some(call) = self.calls.get_mut(id) else {
            return false;
        };
        self.journal.call(id);
        let _ = call.interaction.handle(
            at,
            Event::Connected {
                agent: agent.clone(),
            },
        );
        call.place = Place::Connected {
            agent: agent.clone(),
            attempt,
            timeout,
        };
        let event = AgentResponded {
            contact: call.contact_ref(),
            leg_call_sid: call.leg_call_sid.clone(),
            agent: agent.clone(),
            response: AgentResponse::Accepted,
            at,
        };
        self.changed.insert(id.clone());
        self.record(CallEventKind::AgentResponded(event));
        true
    }
}
