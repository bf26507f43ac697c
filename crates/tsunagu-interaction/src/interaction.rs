//! The interaction record and its transition function `handle(now, event)`.

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Timestamp};

use crate::{
    Change, EndedBy, Event, ExternalNumber, OfferOutcome, OfferRecord, RejectReason, Rejected,
    State, Timeline, TransferLeg, TransferOutcome, TransferRecord, TransferTarget,
};

/// One customer contact from arrival to its end: the state machine and its own record.
///
/// Serialisable as is: the interaction's Durable Object stores it after every accepted event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    id: InteractionId,
    channel: Channel,
    customer: Option<CustomerId>,
    state: State,
    offers: Vec<OfferRecord>,
    transfers: Vec<TransferRecord>,
    timeline: Timeline,
}

/// Which part of the state holds the agent being offered or connecting: the interaction itself,
/// or the transfer leg of the agent who has the customer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Main,
    Transfer,
}

type Step = Result<(), RejectReason>;

impl Interaction {
    /// A contact that just arrived and waits for routing.
    pub fn arrive(
        id: InteractionId,
        channel: Channel,
        customer: Option<CustomerId>,
        now: Timestamp,
    ) -> Interaction {
        Interaction {
            id,
            channel,
            customer,
            state: State::Queued,
            offers: Vec::new(),
            transfers: Vec::new(),
            timeline: Timeline {
                arrived_at: now,
                first_offered_at: None,
                connected_at: None,
                hold_total: tsunagu_core::Millis(0),
                held_since: None,
                ended_at: None,
                last_event_at: now,
            },
        }
    }

    pub fn id(&self) -> &InteractionId {
        &self.id
    }

    pub fn channel(&self) -> Channel {
        self.channel
    }

    pub fn customer(&self) -> Option<&CustomerId> {
        self.customer.as_ref()
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Every offer made, oldest first. At most one is pending: the one ringing now.
    pub fn offers(&self) -> &[OfferRecord] {
        &self.offers
    }

    /// Every transfer requested, oldest first. At most one is pending: the last.
    pub fn transfers(&self) -> &[TransferRecord] {
        &self.transfers
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The transfer in progress, if any (also after the transferring agent left: a blind
    /// transfer waiting for its target).
    pub fn pending_transfer(&self) -> Option<&TransferRecord> {
        self.transfers
            .last()
            .filter(|transfer| transfer.outcome == TransferOutcome::Pending)
    }

    /// Applies `event` at `now`; see the crate documentation for the contract. On `Err` the
    /// interaction is unchanged.
    pub fn handle(&mut self, now: Timestamp, event: Event) -> Result<Vec<Change>, Rejected> {
        let now = now.max(self.timeline.last_event_at);
        let rejected = Rejected {
            event: event.name(),
            state: self.state.name(),
            reason: RejectReason::AlreadyEnded,
        };
        if self.state.is_ended() {
            return Err(rejected);
        }
        // Transitions work on a copy that replaces the original only on success, so a rejection
        // found halfway cannot leave a half-applied record. Records are small (a few offers).
        let mut next = self.clone();
        let mut changes = Vec::new();
        match next.apply(now, event, &mut changes) {
            Ok(()) => {
                next.timeline.last_event_at = now;
                *self = next;
                Ok(changes)
            }
            Err(reason) => Err(Rejected { reason, ..rejected }),
        }
    }

    fn apply(&mut self, now: Timestamp, event: Event, changes: &mut Vec<Change>) -> Step {
        match event {
            Event::Offer { agent, step } => self.offer(now, agent, step, changes),
            Event::Accept { agent } => self.accept(now, &agent, changes),
            Event::Decline { agent } => self.refuse(now, &agent, OfferOutcome::Declined, changes),
            Event::NoAnswer { agent } => self.refuse(now, &agent, OfferOutcome::NoAnswer, changes),
            Event::NotAcknowledged { agent } => {
                self.refuse(now, &agent, OfferOutcome::NotAcknowledged, changes)
            }
            Event::WithdrawOffer { agent } => {
                self.refuse(now, &agent, OfferOutcome::Cancelled, changes)
            }
            Event::ConnectFailed { agent } => self.connect_failed(&agent, changes),
            Event::Connected { agent } => self.connected(now, agent, changes),
            Event::Hold { agent } => self.hold(now, &agent, changes),
            Event::Resume { agent } => self.resume(now, &agent, changes),
            Event::RequestTransfer { by, to } => self.request_transfer(now, by, to, changes),
            Event::CancelTransfer => self.cancel_transfer(now, changes),
            Event::ExternalAnswered => self.external_answered(now, changes),
            Event::AgentHungUp { agent } => self.agent_hung_up(now, agent, changes),
            Event::CustomerHungUp => self.customer_hung_up(now, changes),
            Event::FallBack { number } => self.fall_back(now, number, changes),
            Event::IdentifyCustomer { customer } => {
                self.customer = Some(customer.clone());
                changes.push(Change::CustomerIdentified { customer });
                Ok(())
            }
        }
    }

    // --- Offers -------------------------------------------------------------------------------

    fn offer(
        &mut self,
        now: Timestamp,
        agent: AgentId,
        step: u32,
        changes: &mut Vec<Change>,
    ) -> Step {
        if let Some(transfer) = self.pending_transfer() {
            let addressed_elsewhere = match &transfer.to {
                TransferTarget::Agent(wanted) => *wanted != agent,
                TransferTarget::Team(_) => false,
                TransferTarget::Number(_) => true,
            };
            if addressed_elsewhere {
                return Err(RejectReason::TransferTargetMismatch {
                    target: transfer.to.clone(),
                });
            }
        }
        match &mut self.state {
            State::Queued => {
                self.state = State::Offered {
                    agent: agent.clone(),
                    step,
                };
            }
            State::Offered { agent: open, .. } | State::Accepted { agent: open } => {
                return Err(RejectReason::OfferOpen {
                    agent: open.clone(),
                });
            }
            State::Connected {
                agent: current,
                transfer,
            }
            | State::Held {
                agent: current,
                transfer,
            } => match transfer {
                None => {
                    return Err(RejectReason::AlreadyConnected {
                        agent: current.clone(),
                    });
                }
                Some(
                    TransferLeg::Offered { agent: open, .. }
                    | TransferLeg::Accepted { agent: open },
                ) => {
                    return Err(RejectReason::OfferOpen {
                        agent: open.clone(),
                    });
                }
                Some(TransferLeg::Pending) if *current == agent => {
                    return Err(RejectReason::AlreadyConnected { agent });
                }
                Some(TransferLeg::Pending) => {
                    *transfer = Some(TransferLeg::Offered {
                        agent: agent.clone(),
                        step,
                    });
                }
            },
            State::Completed { .. }
            | State::Abandoned
            | State::FellBack { .. }
            | State::TransferredOut { .. } => return Err(RejectReason::AlreadyEnded),
        }
        self.offers.push(OfferRecord {
            agent: agent.clone(),
            step,
            via_transfer: self.pending_transfer().is_some(),
            offered_at: now,
            outcome: OfferOutcome::Pending,
            decided_at: None,
            connected_at: None,
        });
        self.timeline.first_offered_at.get_or_insert(now);
        changes.push(Change::OfferOpened { agent, step });
        Ok(())
    }

    /// The agent whose offer is ringing, and where.
    fn ringing(&self) -> Option<(&AgentId, Slot)> {
        match &self.state {
            State::Offered { agent, .. } => Some((agent, Slot::Main)),
            State::Connected {
                transfer: Some(TransferLeg::Offered { agent, .. }),
                ..
            }
            | State::Held {
                transfer: Some(TransferLeg::Offered { agent, .. }),
                ..
            } => Some((agent, Slot::Transfer)),
            _ => None,
        }
    }

    /// The agent who accepted and whose media is connecting, and where.
    fn connecting(&self) -> Option<(&AgentId, Slot)> {
        match &self.state {
            State::Accepted { agent } => Some((agent, Slot::Main)),
            State::Connected {
                transfer: Some(TransferLeg::Accepted { agent }),
                ..
            }
            | State::Held {
                transfer: Some(TransferLeg::Accepted { agent }),
                ..
            } => Some((agent, Slot::Transfer)),
            _ => None,
        }
    }

    /// The slot `agent` is ringing in, or why not.
    fn ringing_slot(&self, agent: &AgentId) -> Result<Slot, RejectReason> {
        match self.ringing() {
            Some((open, slot)) if open == agent => Ok(slot),
            _ => Err(RejectReason::NotOffered {
                agent: agent.clone(),
            }),
        }
    }

    fn set_transfer_leg(&mut self, leg: Option<TransferLeg>) {
        if let State::Connected { transfer, .. } | State::Held { transfer, .. } = &mut self.state {
            *transfer = leg;
        }
    }

    /// Decides the pending offer, which the caller has checked belongs to `agent`.
    fn close_offer(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        outcome: OfferOutcome,
        changes: &mut Vec<Change>,
    ) {
        let pending = self
            .offers
            .iter_mut()
            .rev()
            .find(|offer| offer.outcome == OfferOutcome::Pending && offer.agent == *agent);
        if let Some(offer) = pending {
            offer.outcome = outcome;
            offer.decided_at = Some(now);
            changes.push(Change::OfferClosed {
                agent: agent.clone(),
                outcome,
            });
        }
    }

    /// Cancels whatever offer is ringing, main or transfer.
    fn cancel_ringing(&mut self, now: Timestamp, changes: &mut Vec<Change>) {
        if let Some((agent, _)) = self.ringing() {
            let agent = agent.clone();
            self.close_offer(now, &agent, OfferOutcome::Cancelled, changes);
        }
    }

    fn needs_agent(&self, changes: &mut Vec<Change>) {
        let transfer_to = self.pending_transfer().map(|transfer| transfer.to.clone());
        if matches!(transfer_to, Some(TransferTarget::Number(_))) {
            // The external number is being dialled; there is no agent to route to.
            return;
        }
        changes.push(Change::NeedsAgent { transfer_to });
    }

    fn accept(&mut self, now: Timestamp, agent: &AgentId, changes: &mut Vec<Change>) -> Step {
        match self.ringing_slot(agent)? {
            Slot::Main => {
                self.state = State::Accepted {
                    agent: agent.clone(),
                }
            }
            Slot::Transfer => self.set_transfer_leg(Some(TransferLeg::Accepted {
                agent: agent.clone(),
            })),
        }
        self.close_offer(now, agent, OfferOutcome::Accepted, changes);
        Ok(())
    }

    /// A decline, a ring timeout, an unacknowledged ring or a withdrawal: the offer is over and
    /// routing must find someone else.
    fn refuse(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        outcome: OfferOutcome,
        changes: &mut Vec<Change>,
    ) -> Step {
        match self.ringing_slot(agent)? {
            Slot::Main => self.state = State::Queued,
            Slot::Transfer => self.set_transfer_leg(Some(TransferLeg::Pending)),
        }
        self.close_offer(now, agent, outcome, changes);
        self.needs_agent(changes);
        Ok(())
    }

    fn connect_failed(&mut self, agent: &AgentId, changes: &mut Vec<Change>) -> Step {
        match self.connecting() {
            Some((accepted, Slot::Main)) if accepted == agent => self.state = State::Queued,
            Some((accepted, Slot::Transfer)) if accepted == agent => {
                self.set_transfer_leg(Some(TransferLeg::Pending));
            }
            _ => {
                return Err(RejectReason::NotAccepted {
                    agent: agent.clone(),
                });
            }
        }
        // The offer stays `Accepted` with no `connected_at`: the record of a lost leg.
        self.needs_agent(changes);
        Ok(())
    }

    // --- Connection, hold and transfer ----------------------------------------------------------

    fn connected(&mut self, now: Timestamp, agent: AgentId, changes: &mut Vec<Change>) -> Step {
        if self.state.connected_agent() == Some(&agent) {
            return Err(RejectReason::AlreadyConnected { agent });
        }
        // A softphone answer is the accept and the connection at once.
        if self.ringing().is_some_and(|(open, _)| *open == agent) {
            self.accept(now, &agent, changes)?;
        }
        let handing_over = match self.connecting() {
            Some((accepted, Slot::Main)) if *accepted == agent => None,
            Some((accepted, Slot::Transfer)) if *accepted == agent => {
                self.state.connected_agent().cloned()
            }
            _ => return Err(RejectReason::NotAccepted { agent }),
        };
        if let Some(previous) = handing_over {
            self.end_hold(now, changes);
            changes.push(Change::AgentLeft { agent: previous });
        }
        self.state = State::Connected {
            agent: agent.clone(),
            transfer: None,
        };
        if let Some(offer) = self
            .offers
            .iter_mut()
            .rev()
            .find(|offer| offer.agent == agent && offer.outcome == OfferOutcome::Accepted)
        {
            offer.connected_at = Some(now);
        }
        self.timeline.connected_at.get_or_insert(now);
        changes.push(Change::AgentJoined {
            agent: agent.clone(),
        });
        if self.pending_transfer().is_some() {
            self.close_transfer(now, TransferOutcome::Completed, Some(agent), changes);
        }
        Ok(())
    }

    /// The connected agent and the state's hold flag, or why there is none for `agent`.
    fn connected_as(&self, agent: &AgentId) -> Result<bool, RejectReason> {
        match &self.state {
            State::Connected { agent: current, .. } if current == agent => Ok(false),
            State::Held { agent: current, .. } if current == agent => Ok(true),
            State::Connected { .. } | State::Held { .. } => Err(RejectReason::NotConnectedAgent {
                agent: agent.clone(),
            }),
            _ => Err(RejectReason::NoAgentConnected),
        }
    }

    fn hold(&mut self, now: Timestamp, agent: &AgentId, changes: &mut Vec<Change>) -> Step {
        if self.connected_as(agent)? {
            return Err(RejectReason::AlreadyHeld);
        }
        if let State::Connected { agent, transfer } = &self.state {
            self.state = State::Held {
                agent: agent.clone(),
                transfer: transfer.clone(),
            };
        }
        self.timeline.held_since = Some(now);
        changes.push(Change::HoldStarted);
        Ok(())
    }

    fn resume(&mut self, now: Timestamp, agent: &AgentId, changes: &mut Vec<Change>) -> Step {
        if !self.connected_as(agent)? {
            return Err(RejectReason::NotHeld);
        }
        if let State::Held { agent, transfer } = &self.state {
            self.state = State::Connected {
                agent: agent.clone(),
                transfer: transfer.clone(),
            };
        }
        self.end_hold(now, changes);
        Ok(())
    }

    /// Adds a hold in progress to the total; called whenever the held agent stops holding.
    fn end_hold(&mut self, now: Timestamp, changes: &mut Vec<Change>) {
        if let Some(since) = self.timeline.held_since.take() {
            let held = now.saturating_since(since);
            self.timeline.hold_total = self.timeline.hold_total + held;
            changes.push(Change::HoldEnded { held });
        }
    }

    fn request_transfer(
        &mut self,
        now: Timestamp,
        by: AgentId,
        to: TransferTarget,
        changes: &mut Vec<Change>,
    ) -> Step {
        self.connected_as(&by)?;
        if self.pending_transfer().is_some() {
            return Err(RejectReason::TransferInProgress);
        }
        if to == TransferTarget::Agent(by.clone()) {
            return Err(RejectReason::TransferToSelf);
        }
        self.set_transfer_leg(Some(TransferLeg::Pending));
        self.transfers.push(TransferRecord {
            from: by.clone(),
            to: to.clone(),
            requested_at: now,
            outcome: TransferOutcome::Pending,
            decided_at: None,
            handed_to: None,
        });
        changes.push(Change::TransferRequested { from: by, to });
        self.needs_agent(changes);
        Ok(())
    }

    fn close_transfer(
        &mut self,
        now: Timestamp,
        outcome: TransferOutcome,
        handed_to: Option<AgentId>,
        changes: &mut Vec<Change>,
    ) {
        if let Some(transfer) = self
            .transfers
            .last_mut()
            .filter(|transfer| transfer.outcome == TransferOutcome::Pending)
        {
            transfer.outcome = outcome;
            transfer.decided_at = Some(now);
            transfer.handed_to = handed_to;
            changes.push(Change::TransferClosed { outcome });
        }
    }

    fn cancel_transfer(&mut self, now: Timestamp, changes: &mut Vec<Change>) -> Step {
        if self.pending_transfer().is_none() {
            return Err(RejectReason::NoTransfer);
        }
        if self.state.connected_agent().is_some() {
            // The transferring agent keeps the customer; a ringing transfer offer stops.
            self.cancel_ringing(now, changes);
            self.set_transfer_leg(None);
            self.close_transfer(now, TransferOutcome::Cancelled, None, changes);
        } else {
            // A blind transfer given up: the customer stays, now for anyone routing finds. An
            // agent already ringing or connecting may still take them.
            self.close_transfer(now, TransferOutcome::Cancelled, None, changes);
            if self.state == State::Queued {
                self.needs_agent(changes);
            }
        }
        Ok(())
    }

    fn external_answered(&mut self, now: Timestamp, changes: &mut Vec<Change>) -> Step {
        let Some(TransferTarget::Number(number)) =
            self.pending_transfer().map(|transfer| transfer.to.clone())
        else {
            return Err(RejectReason::NoTransfer);
        };
        self.leave_agent(now, changes);
        self.close_transfer(now, TransferOutcome::Completed, None, changes);
        self.finish(now, State::TransferredOut { number }, changes);
        Ok(())
    }

    // --- Endings ------------------------------------------------------------------------------

    /// The connected agent, if any, stops being with the customer.
    fn leave_agent(&mut self, now: Timestamp, changes: &mut Vec<Change>) {
        if let Some(agent) = self.state.connected_agent().cloned() {
            self.end_hold(now, changes);
            changes.push(Change::AgentLeft { agent });
        }
    }

    fn finish(&mut self, now: Timestamp, end: State, changes: &mut Vec<Change>) {
        self.state = end;
        self.timeline.ended_at = Some(now);
        changes.push(Change::Ended);
    }

    fn agent_hung_up(&mut self, now: Timestamp, agent: AgentId, changes: &mut Vec<Change>) -> Step {
        self.connected_as(&agent)?;
        let leg = match &self.state {
            State::Connected { transfer, .. } | State::Held { transfer, .. } => transfer.clone(),
            _ => None,
        };
        self.leave_agent(now, changes);
        match leg {
            None => self.finish(
                now,
                State::Completed {
                    by: EndedBy::Agent(agent),
                },
                changes,
            ),
            // A blind transfer: the customer waits for the target as a new contact would.
            Some(TransferLeg::Pending) => {
                self.state = State::Queued;
                self.needs_agent(changes);
            }
            Some(TransferLeg::Offered { agent, step }) => {
                self.state = State::Offered { agent, step }
            }
            Some(TransferLeg::Accepted { agent }) => self.state = State::Accepted { agent },
        }
        Ok(())
    }

    fn customer_hung_up(&mut self, now: Timestamp, changes: &mut Vec<Change>) -> Step {
        self.cancel_ringing(now, changes);
        self.close_transfer(now, TransferOutcome::CustomerLeft, None, changes);
        self.leave_agent(now, changes);
        // Abandonment is about never reaching an agent; a customer who talked to one and hung
        // up while a blind transfer was pending completed a contact.
        let end = if self.timeline.connected_at.is_some() {
            State::Completed {
                by: EndedBy::Customer,
            }
        } else {
            State::Abandoned
        };
        self.finish(now, end, changes);
        Ok(())
    }

    fn fall_back(
        &mut self,
        now: Timestamp,
        number: ExternalNumber,
        changes: &mut Vec<Change>,
    ) -> Step {
        if self.state.connected_agent().is_some() {
            return Err(RejectReason::FallBackAfterConnect);
        }
        self.cancel_ringing(now, changes);
        self.close_transfer(now, TransferOutcome::Cancelled, None, changes);
        self.finish(now, State::FellBack { number }, changes);
        Ok(())
    }
}
