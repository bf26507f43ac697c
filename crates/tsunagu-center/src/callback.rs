//! Callback instead of waiting: a queued caller presses the queue's callback key, hangs up keeping
//! their place, and the agent the call reaches calls them back.

// Twilio side: the hold's `<Gather>` action reports the key (`QueueKeyPressed`); the answer is
// `<Leave/>`, whose `<Enqueue>` action gets `CallbackBooked` (the confirmation, then a hang-up).
// The router keeps the call queued; its offer rings the agent's widget only (no phone leg, like
// a web call's). Accepting it ends the callback request and asks the widget to dial the number
// at once, through `POST /api/calls` and so through the dial policy, as every outbound call.

use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_interaction::Event;
use tsunagu_presence as presence;
use tsunagu_protocol::{OfferId, ServerMessage};
use tsunagu_stitch::{CallEventKind, ContactRef, Mark};

use crate::{
    CallPlan, Center, CenterError,
    state::{CallbackRequest, Ending, Place, caller_display},
};

impl Center {
    /// The caller pressed `digits` while waiting in the queue: the queue's callback key books a
    /// callback ([`CallPlan::LeaveQueue`]); anything else keeps them waiting (the hold again).
    pub(crate) fn queue_key_pressed(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        digits: &str,
    ) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, id);
        let key = self.queue_of(id).and_then(|queue| queue.callback_digit);
        let booked = match self.phone_call(id) {
            Some(call)
                if call.place == Place::Queued
                    && call.callback.is_none()
                    && key.is_some_and(|key| digits.starts_with(key)) =>
            {
                self.can_call_back(call)
            }
            _ => None,
        };
        let plan = match (booked, self.calls.get_mut(id)) {
            (Some(number), Some(call)) => {
                call.callback = Some(CallbackRequest {
                    number: number.as_str().to_owned(),
                    requested_at: now,
                    accepted_by: None,
                });
                self.journal.call(id);
                self.changed.insert(id.clone());
                CallPlan::LeaveQueue {
                    interaction: id.clone(),
                }
            }
            _ => self.wait(now, id),
        };
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    /// `agent` accepts the callback offered to them in their widget: their widget is asked to
    /// dial the caller at once, and they stay reserved for it until that call is placed
    /// ([`Center::dialled_back`]).
    pub(crate) fn accept_callback(
        &mut self,
        agent: &AgentId,
        offer: &OfferId,
    ) -> Result<(), CenterError> {
        let id = &offer.interaction;
        let call = self.calls.get_mut(id).ok_or(CenterError::UnknownOffer)?;
        if call.ringing(agent) != Some(offer.attempt) {
            return Err(CenterError::UnknownOffer);
        }
        let Some(callback) = call.callback.as_mut() else {
            return Err(CenterError::NotAWebCall);
        };
        callback.accepted_by = Some(agent.clone());
        let number = callback.number.clone();
        let customer = call.customer.clone();
        self.journal.call(id);
        let to_display = caller_display(&number).unwrap_or_else(|| number.clone());
        self.send_to_agent(
            agent,
            &ServerMessage::DialRequest {
                to: number,
                to_display,
                customer,
                confirm: false,
            },
        );
        Ok(())
    }

    /// The callback `agent` accepted and is now dialling `to`, if any: the call they may dial
    /// while reserved for it.
    pub(crate) fn callback_accepted_by(&self, agent: &AgentId, to: &str) -> Option<InteractionId> {
        self.calls.iter().find_map(|(id, call)| {
            let callback = call.callback.as_ref()?;
            (callback.accepted_by.as_ref() == Some(agent)
                && callback.number == to
                && call.ringing(agent).is_some())
            .then(|| id.clone())
        })
    }

    /// `agent` placed the call back for callback `id`: the request is done (its conversation
    /// ends, taken by them), and they are free for the outbound call that follows.
    pub(crate) fn dialled_back(&mut self, now: Timestamp, agent: &AgentId, id: &InteractionId) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Some(attempt) = call.ringing(agent) else {
            return;
        };
        let offer = call.offer_id(attempt);
        for event in [
            Event::Connected {
                agent: agent.clone(),
            },
            Event::AgentHungUp {
                agent: agent.clone(),
            },
        ] {
            let _ = call.interaction.handle(now, event);
        }
        self.journal.call(id);
        self.router_abandon(id);
        self.end(
            now,
            id,
            Ending::CalledBack {
                agent: agent.clone(),
            },
        );
        self.record(CallEventKind::Ended(Mark {
            contact: ContactRef::Interaction(id.clone()),
            at: now,
        }));
        let _ = self.presence_input(now, agent, presence::Input::OfferCancelled(offer));
    }
}
