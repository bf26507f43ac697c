//! Call-side inputs: Twilio's webhooks and callbacks about a call, each answered with a plan.

use tsunagu_core::{AgentId, CallSid, InteractionId, Timestamp};
use tsunagu_interaction::{Event, Interaction};
use tsunagu_presence as presence;
use tsunagu_protocol::{ServerMessage, WithdrawReason};
use tsunagu_routing::Contact;
use tsunagu_stitch::{CallEventKind, ContactRef, ConversationDirection, ConversationStarted, Mark};

use crate::{
    AgentLegStatus, CallArrival, CallPlan, Center, CenterError, DialOutcome, FallbackReason, Line,
    QueueResult,
    state::{CallEntry, Ending, Place, Served},
};

impl Center {
    /// The incoming-call webhook. A new call is routed (ring an agent, or queue) or, after hours,
    /// sent to the fallback numbers or closed; a call on a legacy line is only announced. The
    /// same CallSid again (a Twilio retry) returns the call's current plan and changes nothing.
    /// The interaction id is the CallSid.
    pub(crate) fn call_arrived(&mut self, now: Timestamp, arrival: CallArrival) -> CallPlan {
        let id = interaction_of(&arrival.call_sid);
        let now = self.begin(now);
        let plan = self.arrive(now, id, arrival);
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    /// Twilio's `<Dial action>` for ring `attempt` of the call. `Completed` ends the call (the
    /// agent's wrap-up starts); no answer, busy (a softphone decline), failed or canceled ends
    /// the ring and the call goes to the next agent, the queue, or the fallback numbers. A result
    /// about an earlier attempt changes nothing. When `caller_left`, a ring that did not end in
    /// a conversation is the caller's hang-up: the offer is withdrawn and the call abandoned, never
    /// routed again. Returns the plan to continue with.
    pub(crate) fn dial_finished(
        &mut self,
        now: Timestamp,
        interaction: &InteractionId,
        attempt: u32,
        outcome: DialOutcome,
        caller_left: bool,
    ) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, interaction);
        let talked = matches!(outcome, DialOutcome::Completed | DialOutcome::Answered);
        let plan = if caller_left && !talked {
            self.caller_left(now, interaction);
            match self.calls.get(interaction) {
                Some(call) => self.plan_of(call),
                None => self.unknown_call_plan(interaction.clone()),
            }
        } else {
            self.dial_result(now, interaction, attempt, outcome)
        };
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    /// A status callback of an agent's `<Client>` leg: `Answered` connects the call, `Ended`
    /// after that ends it (the agent hung up). A leg that is not the call's current ring or
    /// connection is refused with [`CenterError::StaleLeg`] and changes nothing.
    pub(crate) fn agent_leg(
        &mut self,
        now: Timestamp,
        interaction: &InteractionId,
        agent: &AgentId,
        status: AgentLegStatus,
        call_sid: CallSid,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = self.leg_status(now, interaction, agent, status, call_sid);
        if result.is_ok() {
            self.heard(now, interaction);
        }
        self.finish();
        result
    }

    /// The caller's leg ended (its status callback said `completed`, …). A ringing offer is
    /// withdrawn, a queued call is abandoned, a connected call is complete. Idempotent; unknown
    /// calls (legacy announcements, forgotten calls) are ignored.
    pub(crate) fn call_ended(&mut self, now: Timestamp, call_sid: &CallSid) {
        let now = self.begin(now);
        if let Some(id) = self.by_call_sid.get(call_sid).cloned() {
            self.caller_left(now, &id);
        }
        self.finish();
    }

    /// The queue's waitUrl poll: the caller's position (1-based) and wait so far, or
    /// `LeaveQueue` once the tenant's `max_wait` is reached and fallback numbers exist (also
    /// when the call should leave the queue for another reason).
    pub(crate) fn queue_wait(&mut self, now: Timestamp, interaction: &InteractionId) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, interaction);
        let plan = self.wait(now, interaction);
        self.finish();
        plan
    }

    /// The `<Enqueue>` action: the call left Twilio's queue. After `LeaveQueue` it goes to the
    /// fallback numbers; after a redirect it gets its current plan; after a hang-up it is
    /// abandoned. When the caller left the queue without being told to (or the queue failed)
    /// and there are no fallback numbers, the call is queued again (it kept its place).
    pub(crate) fn queue_left(
        &mut self,
        now: Timestamp,
        interaction: &InteractionId,
        result: QueueResult,
    ) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, interaction);
        let plan = self.left_queue(now, interaction, result);
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    /// The route URL, reached after an [`Output::RedirectCall`](crate::Output::RedirectCall):
    /// the plan decided meanwhile (ring the next agent, enqueue, fall back).
    pub(crate) fn call_redirected(
        &mut self,
        now: Timestamp,
        interaction: &InteractionId,
    ) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, interaction);
        self.give_up_rejoin(now, interaction);
        let plan = match self.phone_call(interaction) {
            Some(call) => self.plan_of(call),
            None => self.unknown_call_plan(interaction.clone()),
        };
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    // ----- Implementations -----------------------------------------------------------------

    /// A caller who held for their agent longer than the disconnect grace: the agent is not
    /// coming back, so their part ends and the caller is routed again (the tenant's ladder, as
    /// if the agent had transferred them to their team).
    fn give_up_rejoin(&mut self, now: Timestamp, id: &InteractionId) {
        let grace = self.config.presence.disconnect_grace;
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let (Some(since), Place::Connected { agent, .. }) = (call.dropped_at, &call.place) else {
            return;
        };
        if now.saturating_since(since) < grace {
            return;
        }
        let agent = agent.clone();
        call.dropped_at = None;
        self.journal.call(id);
        self.changed.insert(id.clone());
        let team = call
            .owner_team
            .clone()
            .or_else(|| self.agents.get(&agent)?.teams.first().cloned());
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Some(team) = team else {
            // Nowhere to hand the caller to by team: the call ends for them as for the agent.
            self.end_leg(now, id, false);
            return;
        };
        let _ = call.interaction.handle(
            now,
            Event::RequestTransfer {
                by: agent.clone(),
                to: tsunagu_interaction::TransferTarget::Team(team),
            },
        );
        let _ = call.interaction.handle(
            now,
            Event::AgentHungUp {
                agent: agent.clone(),
            },
        );
        call.place = Place::Queued;
        let contact = call.contact(call.owner_team.clone());
        self.router_release(&agent, id);
        let _ = self.presence_input(now, &agent, presence::Input::CallEnded(id.clone()));
        match self.router_route(contact, now) {
            Ok(decision) => self.act(now, decision),
            Err(_) => self.lose(now, id),
        }
    }

    fn arrive(&mut self, now: Timestamp, id: InteractionId, arrival: CallArrival) -> CallPlan {
        if let Some(call) = self.calls.get(&id) {
            return match call.web {
                None => self.plan_of(call),
                Some(_) => self.unknown_call_plan(id),
            };
        }
        if let Line::Legacy { new_number } = arrival.line {
            return CallPlan::AnnounceNewNumber { new_number };
        }
        let customer = arrival.customer.as_ref().map(|card| card.id.clone());
        let owner_team = arrival.customer.as_ref().and_then(|card| {
            card.team.clone().or_else(|| {
                // The CRM named no team: take the owner's, when they have exactly one.
                let teams = &self.agents.get(card.owner.as_ref()?)?.teams;
                let mut teams = teams.iter();
                match (teams.next(), teams.next()) {
                    (Some(team), None) => Some(team.clone()),
                    _ => None,
                }
            })
        });
        let mut call = CallEntry {
            interaction: Interaction::arrive(
                id.clone(),
                tsunagu_core::Channel::Voice,
                customer.clone(),
                now,
            ),
            call_sid: Some(arrival.call_sid.clone()),
            caller_number: arrival.customer_number.clone(),
            customer: arrival.customer,
            recent: arrival.recent,
            owner_team: owner_team.clone(),
            arrived_at: now,
            attempts: 0,
            place: Place::Queued,
            served: Served::Nothing,
            leg_call_sid: None,
            ended_at: None,
            hung_up: false,
            transfer: None,
            menu: None,
            ivr_path: None,
            outbound: None,
            placed_by: None,
            dropped_at: None,
            held_since: None,
            last_heard: None,
            web: None,
            requirements: arrival.requirements,
            called: arrival.called,
            queue: arrival
                .queue
                .filter(|queue| self.config.queue(queue).is_some()),
            waiting_since: None,
            callback: None,
            say_first: Vec::new(),
        };
        let menu = arrival.menu;
        if menu.is_none() {
            // The line's queue; a menu's end decides its own.
            crate::queue_calls::join_requirements(&self.config, &mut call);
        }
        let contact = call.contact(owner_team);
        if let Some(relax_at) = call.relax_skills_at().filter(|_| menu.is_none()) {
            self.relax_waits.insert((relax_at, id.clone()));
        }
        self.by_call_sid
            .insert(arrival.call_sid.clone(), id.clone());
        self.calls.insert(id.clone(), call);
        self.journal.call(&id);
        self.record(CallEventKind::ConversationStarted(ConversationStarted {
            interaction: id.clone(),
            root_call_sid: Some(arrival.call_sid),
            customer,
            customer_number: arrival.customer_number,
            channel: tsunagu_core::Channel::Voice,
            direction: ConversationDirection::Inbound,
            at: now,
        }));
        if let Some(menu) = menu {
            // The menu first (it may branch on the hours itself); routed when it ends.
            self.start_menu(now, &id, menu, arrival.customer_attributes);
        } else {
            self.route_arrived(now, &id, contact);
        }
        match self.calls.get(&id) {
            Some(call) => self.plan_of(call),
            None => self.unknown_call_plan(id),
        }
    }

    /// Routes a call that arrived (or left its IVR menu): after hours to the fallback numbers or
    /// closed, else along the tenant's ladder (or `ladder`, an IVR target's).
    pub(crate) fn route_arrived(&mut self, now: Timestamp, id: &InteractionId, contact: Contact) {
        self.route_arrived_along(now, id, contact, None);
    }

    pub(crate) fn route_arrived_along(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        contact: Contact,
        ladder: Option<&tsunagu_routing::Ladder>,
    ) {
        let id = id.clone();
        if !self.hours_of_call(&id).is_open(now) {
            self.close_call(now, &id);
        } else {
            let decision = match ladder {
                Some(ladder) => self.router_route_with(contact, ladder, now),
                None => self.router_route(contact, now),
            };
            match decision {
                Ok(decision) => self.act(now, decision),
                Err(_) => self.lose(now, &id),
            }
        }
    }

    fn dial_result(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        attempt: u32,
        outcome: DialOutcome,
    ) -> CallPlan {
        let Some(call) = self.phone_call(id) else {
            return self.unknown_call_plan(id.clone());
        };
        match call.place.clone() {
            Place::Ringing {
                agent,
                attempt: current,
                ..
            } if current == attempt => {
                let offer = presence::OfferId {
                    interaction: id.clone(),
                    attempt,
                };
                match outcome {
                    DialOutcome::Completed | DialOutcome::Answered => {
                        // The answer's own callback is late or lost: the agent did talk.
                        if self.connect(now, id, &agent) {
                            self.end_leg(now, id, false);
                        }
                    }
                    DialOutcome::Busy => {
                        let _ =
                            self.presence_input(now, &agent, presence::Input::OfferDeclined(offer));
                    }
                    DialOutcome::Canceled => {
                        self.router_abandon(id);
                        let _ = self.presence_input(
                            now,
                            &agent,
                            presence::Input::OfferCancelled(offer.clone()),
                        );
                        // The ring was cancelled by someone else, not missed: route the call
                        // again from the top, this agent included.
                        self.withdraw_and_reroute(now, id, &agent, &offer);
                    }
                    DialOutcome::NoAnswer | DialOutcome::Failed | DialOutcome::Other => {
                        let _ = self.presence_input(
                            now,
                            &agent,
                            presence::Input::OfferUnanswered(offer),
                        );
                    }
                }
            }
            Place::Connected {
                attempt: current, ..
            } if current == attempt => self.end_leg(now, id, false),
            _ => {}
        }
        match self.calls.get(id) {
            Some(call) => self.plan_of(call),
            None => self.unknown_call_plan(id.clone()),
        }
    }

    /// After a cancelled ring: the offer is withdrawn (no fault of the agent) and the call routed
    /// again from the top.
    fn withdraw_and_reroute(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        agent: &AgentId,
        offer: &presence::OfferId,
    ) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let _ = call.interaction.handle(
            now,
            Event::WithdrawOffer {
                agent: agent.clone(),
            },
        );
        let contact = call.contact(call.owner_team.clone());
        self.journal.call(id);
        self.changed.insert(id.clone());
        self.send_to_agent(
            agent,
            &ServerMessage::OfferWithdrawn {
                offer: crate::wire::offer_id(offer),
                reason: WithdrawReason::Failed,
            },
        );
        match self.router_route(contact, now) {
            Ok(decision) => self.act(now, decision),
            Err(_) => self.lose(now, id),
        }
    }

    fn leg_status(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        agent: &AgentId,
        status: AgentLegStatus,
        leg: CallSid,
    ) -> Result<(), CenterError> {
        self.phone_call(id).ok_or(CenterError::UnknownCall)?;
        let call = self.calls.get_mut(id).ok_or(CenterError::UnknownCall)?;
        let (ringing, connected) = match &call.place {
            Place::Ringing { agent: a, .. } => (a == agent, false),
            Place::Connected { agent: a, .. } => (false, a == agent),
            Place::Queued | Place::InMenu => (false, false),
            Place::Ended { .. } => {
                // Late callbacks about a finished call are expected; nothing to do.
                return Ok(());
            }
        };
        match status {
            AgentLegStatus::Ringing | AgentLegStatus::Answered if ringing => {
                call.leg_call_sid = Some(leg);
                self.journal.call(id);
                if status == AgentLegStatus::Answered && !self.connect(now, id, agent) {
                    return Err(CenterError::StaleLeg);
                }
                Ok(())
            }
            AgentLegStatus::Answered if connected => Ok(()),
            // A ring that ended unanswered is reported by the dial action, with its reason.
            AgentLegStatus::Ended if ringing => Ok(()),
            AgentLegStatus::Ended if connected => {
                self.end_leg(now, id, false);
                Ok(())
            }
            _ => Err(CenterError::StaleLeg),
        }
    }

    /// The caller hung up (a phone call's leg ended, or a web call's customer left): a ringing
    /// offer is withdrawn, a queued call is abandoned, a connected call is complete.
    pub(crate) fn caller_left(&mut self, now: Timestamp, id: &InteractionId) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        if std::mem::replace(&mut call.hung_up, true) {
            return;
        }
        let web = call.web.is_some();
        self.journal.call(id);
        let contact = ContactRef::Interaction(id.clone());
        match call.place.clone() {
            Place::Ringing { agent, attempt, .. } => {
                let _ = call.interaction.handle(now, Event::CustomerHungUp);
                let offer = call.offer_id_for(attempt);
                // Freed in the router first, so the agent can take the next call at once.
                self.router_abandon(id);
                self.end(now, id, Ending::Abandoned);
                self.send_to_agent(
                    &agent,
                    &ServerMessage::OfferWithdrawn {
                        offer: crate::wire::offer_id(&offer),
                        reason: WithdrawReason::CallerHungUp,
                    },
                );
                let _ = self.presence_input(now, &agent, presence::Input::OfferCancelled(offer));
            }
            // The caller booked a callback: they keep their place in line, and their agent
            // calls them back (the conversation ends then).
            Place::Queued if call.callback.is_some() => return,
            Place::Queued => {
                let _ = call.interaction.handle(now, Event::CustomerHungUp);
                self.router_abandon(id);
                self.end(now, id, Ending::Abandoned);
            }
            Place::Connected { .. } => self.end_leg(now, id, true),
            Place::InMenu => self.hung_up_in_menu(now, id),
            Place::Ended { .. } => {}
        }
        // A web call's end is recorded as it ends (`Center::end`).
        if !web {
            self.record(CallEventKind::Ended(Mark { contact, at: now }));
        }
    }

    pub(crate) fn wait(&mut self, now: Timestamp, id: &InteractionId) -> CallPlan {
        let Some(call) = self.phone_call(id) else {
            return self.unknown_call_plan(id.clone());
        };
        let waited = now.saturating_since(call.arrived_at);
        let interaction = id.clone();
        match &call.place {
            Place::Queued if call.callback.is_some() => CallPlan::LeaveQueue { interaction },
            Place::Queued => match self.overflow_due(id, now) {
                Some(overflow) => {
                    self.router_abandon(id);
                    self.record_dequeued(now, id);
                    self.overflow(now, id, overflow);
                    // Moved to another queue: Twilio's queue is the same, the caller waits on.
                    match self.calls.get(id).map(|call| &call.place) {
                        Some(Place::Queued) => {
                            self.hold_plan(id, self.position_in_queue(id), waited)
                        }
                        _ => CallPlan::LeaveQueue { interaction },
                    }
                }
                None => self.hold_plan(id, self.position_in_queue(id), waited),
            },
            // An agent was found and the redirect is on its way: the caller is next.
            Place::Ringing { .. } => self.hold_plan(id, 1, waited),
            Place::Connected { .. } | Place::Ended { .. } | Place::InMenu => {
                CallPlan::LeaveQueue { interaction }
            }
        }
    }

    fn left_queue(&mut self, now: Timestamp, id: &InteractionId, result: QueueResult) -> CallPlan {
        let Some(call) = self.phone_call(id) else {
            return self.unknown_call_plan(id.clone());
        };
        let queued = call.place == Place::Queued;
        match result {
            QueueResult::Hangup => {
                self.caller_left(now, id);
                return CallPlan::Hangup {
                    interaction: id.clone(),
                };
            }
            QueueResult::Bridged => {
                return CallPlan::Hangup {
                    interaction: id.clone(),
                };
            }
            QueueResult::Error if queued && !self.config.fallback_numbers.is_empty() => {
                let contact = ContactRef::Interaction(id.clone());
                self.router_abandon(id);
                self.record(CallEventKind::Dequeued(Mark { contact, at: now }));
                self.fall_back(now, id, FallbackReason::Unavailable);
            }
            QueueResult::Leave | QueueResult::Redirected | QueueResult::Error => {}
        }
        match self.calls.get(id) {
            Some(call) => self.plan_of(call),
            None => self.unknown_call_plan(id.clone()),
        }
    }
}

impl Center {
    /// The skills of call `id` stop being required at `at`: still queued, it is routed again, so
    /// an agent without them may take it (ringing or connected, nothing to do: the next walk of
    /// its ladder is relaxed by itself).
    pub(crate) fn relax_wait_over(&mut self, at: Timestamp, id: &InteractionId) {
        let queued = self
            .calls
            .get(id)
            .is_some_and(|call| call.place == Place::Queued);
        if !queued {
            return;
        }
        if let Some(decision) = self.router_relax_skills(id, at) {
            self.act_on_queued(at, decision);
        }
    }

    /// A phone call the center holds: Twilio's inputs never reach a web call (its id is ours).
    pub(crate) fn phone_call(&self, id: &InteractionId) -> Option<&CallEntry> {
        self.calls.get(id).filter(|call| call.web.is_none())
    }
}

impl CallEntry {
    fn offer_id_for(&self, attempt: u32) -> presence::OfferId {
        presence::OfferId {
            interaction: self.id().clone(),
            attempt,
        }
    }
}

/// The interaction of a call: its CallSid, verbatim. Both ids allow the same characters and the
/// same length (checked by a test), so every CallSid is a valid interaction id.
pub fn interaction_of(call_sid: &CallSid) -> InteractionId {
    InteractionId::new(call_sid.as_str()).expect("a CallSid is a valid interaction id")
}
