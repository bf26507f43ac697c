//! The router, changed only through these: every change notes the entries whose stored facts it
//! may change (the contact itself, the agent offered it before, whose offer a change may end,
//! and the agent offered or holding it after), and every decision is logged with its
//! explanation for the routing audit.

use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_routing::{Availability, Contact, Decision, Offer, RoutingError};
use tsunagu_stitch::{CallEventKind, ContactRef, Routed};

use crate::Center;

impl Center {
    pub(crate) fn router_upsert_agent(&mut self, profile: tsunagu_routing::AgentProfile) {
        self.journal.agent(&profile.id);
        self.router.upsert_agent(profile);
    }

    pub(crate) fn router_set_availability(&mut self, agent: &AgentId, availability: Availability) {
        self.journal.agent(agent);
        // The agent is in the directory (upserted on connect), so this cannot fail. An agent who
        // comes back may be offered again the contacts they missed: those records changed.
        for contact in self
            .router
            .set_availability(agent, availability)
            .unwrap_or_default()
        {
            self.journal.call(&contact);
        }
    }

    pub(crate) fn router_route(
        &mut self,
        contact: Contact,
        now: Timestamp,
    ) -> Result<Decision, RoutingError> {
        let ladder = self.base_ladder(&contact.id).clone();
        self.router_route_with(contact, &ladder, now)
    }

    /// Routes `contact` along `ladder` instead of the tenant's (a transfer's own ladder).
    pub(crate) fn router_route_with(
        &mut self,
        contact: Contact,
        ladder: &tsunagu_routing::Ladder,
        now: Timestamp,
    ) -> Result<Decision, RoutingError> {
        self.journal.call(&contact.id);
        let decision = self.router.route(contact, ladder, now);
        self.journal_decision(decision.as_ref().ok());
        self.audit(decision.as_ref().ok(), now);
        decision
    }

    pub(crate) fn router_offer_failed(
        &mut self,
        contact: &InteractionId,
        now: Timestamp,
    ) -> Result<Decision, RoutingError> {
        self.journal_offered(contact);
        let decision = self.router.offer_failed(contact, now);
        self.journal_decision(decision.as_ref().ok());
        self.audit(decision.as_ref().ok(), now);
        decision
    }

    /// The queued contact's skills are relaxed at `now`: routed again (see `Router::relax_skills`).
    pub(crate) fn router_relax_skills(
        &mut self,
        contact: &InteractionId,
        now: Timestamp,
    ) -> Option<Decision> {
        self.journal.call(contact);
        let decision = self.router.relax_skills(contact, now).ok().flatten();
        self.journal_decision(decision.as_ref());
        self.audit(decision.as_ref(), now);
        decision
    }

    pub(crate) fn router_offer_accepted(&mut self, contact: &InteractionId) {
        self.journal.call(contact);
        if let Ok(agent) = self.router.offer_accepted(contact) {
            self.journal.agent(&agent);
        }
    }

    pub(crate) fn router_abandon(&mut self, contact: &InteractionId) {
        self.journal.call(contact);
        if let Ok(Some(agent)) = self.router.abandon(contact) {
            self.journal.agent(&agent);
        }
    }

    pub(crate) fn router_assign(
        &mut self,
        agent: &AgentId,
        contact: &InteractionId,
    ) -> Result<(), RoutingError> {
        self.journal.agent(agent);
        self.journal.call(contact);
        self.router
            .assign(agent, contact.clone(), tsunagu_core::Channel::Voice)
    }

    pub(crate) fn router_release(&mut self, agent: &AgentId, contact: &InteractionId) {
        self.journal.agent(agent);
        self.journal.call(contact);
        let _ = self.router.release(agent, contact);
    }

    pub(crate) fn router_next_for_agent(
        &mut self,
        agent: &AgentId,
        now: Timestamp,
    ) -> Result<Option<Offer>, RoutingError> {
        self.journal.agent(agent);
        let offer = self.router.next_for_agent(agent, now);
        if let Ok(Some(offer)) = &offer {
            self.journal.call(&offer.contact);
            self.record_routing(&offer.contact, &offer.explanation, now);
        }
        offer
    }

    /// Notes the agent the contact is offered to now (whose offer a router change may end).
    fn journal_offered(&mut self, contact: &InteractionId) {
        self.journal.call(contact);
        if let Some(tsunagu_routing::ContactState::Offered { agent, .. }) =
            self.router.contact_state(contact)
        {
            self.journal.agent(&agent);
        }
    }

    /// Logs a decision with its explanation for the routing audit (stitched into the conversation).
    fn audit(&mut self, decision: Option<&Decision>, now: Timestamp) {
        if let Some(decision) = decision {
            self.record_routing(decision.contact(), decision.explanation(), now);
        }
    }

    fn record_routing(
        &mut self,
        contact: &InteractionId,
        explanation: &tsunagu_routing::Explanation,
        now: Timestamp,
    ) {
        self.record(CallEventKind::Routed(Routed {
            contact: ContactRef::Interaction(contact.clone()),
            at: now,
            explanation: explanation.clone(),
        }));
    }

    fn journal_decision(&mut self, decision: Option<&Decision>) {
        if let Some(Decision::Offer(offer)) = decision {
            self.journal.agent(&offer.agent);
        }
    }
}
