//! How a call ends: lost (no agent, no route), sent to the fallback numbers, ended with an
//! `Ending` and remembered for `ENDED_RETENTION`, or completed when the connected leg hangs up.

use tsunagu_core::{InteractionId, Timestamp};
use tsunagu_interaction::Event;
use tsunagu_presence as presence;
use tsunagu_stitch::{CallEventKind, ContactRef, Mark};

use crate::{
    Center, FallbackReason,
    config::ENDED_RETENTION,
    state::{Ending, Place},
};

impl Center {
    /// Ends a call the center can no longer route: to the fallback numbers, or hung up.
    pub(crate) fn lose(&mut self, at: Timestamp, id: &InteractionId) {
        let web = self.calls.get(id).is_some_and(|call| call.web.is_some());
        if self.config.fallback_numbers.is_empty() || web {
            if let Some(call) = self.calls.get_mut(id) {
                let _ = call.interaction.handle(at, Event::CustomerHungUp);
                self.journal.call(id);
            }
            self.end(at, id, Ending::Abandoned);
        } else {
            self.fall_back(at, id, FallbackReason::Unavailable);
        }
    }

    /// Sends the call to the backup numbers; the router must no longer hold it.
    pub(crate) fn fall_back(&mut self, at: Timestamp, id: &InteractionId, reason: FallbackReason) {
        let numbers = self.config.fallback_numbers.clone();
        self.fall_back_to(at, id, reason, numbers);
    }

    /// Sends the call to `numbers` (a queue's or a line's own); the router must no longer hold it.
    pub(crate) fn fall_back_to(
        &mut self,
        at: Timestamp,
        id: &InteractionId,
        reason: FallbackReason,
        numbers: Vec<tsunagu_interaction::ExternalNumber>,
    ) {
        if let (Some(call), Some(first)) = (self.calls.get_mut(id), numbers.first()) {
            self.journal.call(id);
            let _ = call.interaction.handle(
                at,
                Event::FallBack {
                    number: first.clone(),
                },
            );
        }
        self.end(at, id, Ending::FellBack { reason, numbers });
    }

    pub(crate) fn end(&mut self, at: Timestamp, id: &InteractionId, ending: Ending) {
        if let Some(call) = self.calls.get_mut(id) {
            self.journal.call(id);
            call.place = Place::Ended { ending };
            let first_end = call.ended_at.is_none();
            if first_end {
                call.ended_at = Some(at);
                self.expiries.insert((at + ENDED_RETENTION, id.clone()));
            }
            let web = call.web.is_some();
            if let Some(web) = call.web.as_mut() {
                // Over, so no longer waiting for its widget (its `web_waits` entry is skipped).
                web.agent_lost_at = None;
            }
            self.changed.insert(id.clone());
            // Twilio reports a phone call's end; a web call's end is only known here.
            if web && first_end {
                self.record(CallEventKind::Ended(Mark {
                    contact: ContactRef::Interaction(id.clone()),
                    at,
                }));
            }
        }
    }

    /// The connected agent's leg ended: the call is complete and the agent goes to wrap-up.
    /// Unless their widget is gone and the caller still there: a page reload dropped the leg, so
    /// the caller holds for the agent to come back (see `rejoin`).
    pub(crate) fn end_leg(&mut self, at: Timestamp, id: &InteractionId, by_customer: bool) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Place::Connected { agent, .. } = &call.place else {
            return;
        };
        let agent = agent.clone();
        let widget_gone = self
            .agents
            .get(&agent)
            .is_some_and(|entry| entry.conns.is_empty());
        if !by_customer && call.held_since.is_some() {
            // The hold itself ended the agent's leg (the caller was redirected to the music).
            return;
        }
        // Only a phone call can be rung through again; a web call's audio was the page itself.
        let phone = call.outbound.is_none() && call.web.is_none();
        if !by_customer && !call.hung_up && phone && widget_gone {
            if call.dropped_at.is_none() {
                call.dropped_at = Some(at);
                self.journal.call(id);
                self.changed.insert(id.clone());
            }
            return;
        }
        call.dropped_at = None;
        call.held_since = None;
        self.journal.call(id);
        let event = if by_customer {
            Event::CustomerHungUp
        } else {
            Event::AgentHungUp {
                agent: agent.clone(),
            }
        };
        let _ = call.interaction.handle(at, event);
        // Released before presence moves on, so an agent without wrap-up can take the next call.
        self.router_release(&agent, id);
        self.end(at, id, Ending::Completed);
        let _ = self.presence_input(at, &agent, presence::Input::CallEnded(id.clone()));
    }
}
