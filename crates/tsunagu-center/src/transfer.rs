//! Blind transfers: the agent on a call hands the caller to a colleague, a team or an outside number.

// Twilio side: the caller's call is redirected to its new plan, which ends the transferring
// agent's `<Dial>` (their leg hangs up) and rings the target, so nothing here waits for the
// transferring agent's leg. Their late callbacks about the old ring are stale and ignored.

use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_interaction::{Event, ExternalNumber, TransferTarget};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_presence as presence;
use tsunagu_protocol::TransferTo;
use tsunagu_routing::Target;
use tsunagu_stitch::{CallEventKind, ContactRef, Transferred};

use crate::{
    Center, CenterError,
    state::{Ending, Place},
};

impl Center {
    /// `by` transfers the call `id` they are connected to. Refused without any change when they
    /// are not on it, or when the target cannot take it now (an agent who is not free, a team
    /// with nobody free, a number that cannot be dialled).
    ///
    /// To an agent or a team: `by` leaves for wrap-up and the call is routed along the target,
    /// then the tenant's usual ladder (so a transfer nobody answers is not lost). To a number:
    /// the call leaves the center for that number.
    pub(crate) fn transfer(
        &mut self,
        now: Timestamp,
        by: &AgentId,
        id: &InteractionId,
        to: TransferTo,
    ) -> Result<(), CenterError> {
        let call = self.calls.get(id).ok_or(CenterError::NotOnThisCall)?;
        match &call.place {
            Place::Connected { agent, .. } if agent == by && !call.hung_up => {}
            _ => return Err(CenterError::NotOnThisCall),
        }
        if call.web.is_some() {
            // The customer's page would have to start a new peer connection with the target.
            return Err(CenterError::WebCallNotTransferable);
        }
        let destination = self.destination(by, to)?;
        let target = match &destination {
            Destination::Inside { target, .. } => target.clone(),
            Destination::Outside(number) => TransferTarget::Number(number.clone()),
        };
        let Some(call) = self.calls.get_mut(id) else {
            return Err(CenterError::NotOnThisCall);
        };
        self.journal.call(id);
        self.changed.insert(id.clone());
        let _ = call.interaction.handle(
            now,
            Event::RequestTransfer {
                by: by.clone(),
                to: target.clone(),
            },
        );
        self.record(CallEventKind::Transferred(Transferred {
            contact: ContactRef::Interaction(id.clone()),
            from_agent: Some(by.clone()),
            to: stitch_target(&target),
            new_call_sid: None,
            at: now,
        }));
        match destination {
            Destination::Outside(number) => self.transfer_out(now, by, id, number),
            Destination::Inside { target, first_step } => {
                self.transfer_in(now, by, id, target, first_step);
            }
        }
        Ok(())
    }

    /// Checks the target now, so that a refused transfer changes nothing.
    fn destination(&self, by: &AgentId, to: TransferTo) -> Result<Destination, CenterError> {
        match to {
            TransferTo::Agent { agent } => {
                if &agent == by {
                    return Err(CenterError::TransferToSelf);
                }
                let free = self
                    .agents
                    .get(&agent)
                    .is_some_and(|entry| entry.presence.is_routable());
                if !free {
                    return Err(CenterError::TransferTargetUnavailable);
                }
                Ok(Destination::Inside {
                    target: TransferTarget::Agent(agent.clone()),
                    first_step: Target::Agents(vec![agent]),
                })
            }
            TransferTo::Team { team } => {
                let anyone_free = self.agents.iter().any(|(id, entry)| {
                    id != by && entry.teams.contains(&team) && entry.presence.is_routable()
                });
                if !anyone_free {
                    return Err(CenterError::TransferTargetUnavailable);
                }
                Ok(Destination::Inside {
                    target: TransferTarget::Team(team.clone()),
                    first_step: Target::Team(team),
                })
            }
            TransferTo::Number { number } => {
                let parsed = PhoneNumber::parse(&number, Region::Jp)
                    .map_err(|_| CenterError::InvalidTransferNumber)?;
                // The center does not know the agent's roles: a transfer abroad needs the
                // country open to everyone, or the number on the allow-list.
                self.config
                    .dial_policy
                    .check(&parsed, false)
                    .map_err(CenterError::DialRefused)?;
                ExternalNumber::new(parsed.as_e164())
                    .map(Destination::Outside)
                    .map_err(|_| CenterError::InvalidTransferNumber)
            }
        }
    }

    fn transfer_out(
        &mut self,
        now: Timestamp,
        by: &AgentId,
        id: &InteractionId,
        number: ExternalNumber,
    ) {
        if let Some(call) = self.calls.get_mut(id) {
            // The center's part ends here; the number's leg is reported by its own callbacks.
            let _ = call.interaction.handle(now, Event::ExternalAnswered);
        }
        self.router_release(by, id);
        self.end(now, id, Ending::TransferredOut { number });
        let _ = self.presence_input(now, by, presence::Input::CallEnded(id.clone()));
    }

    fn transfer_in(
        &mut self,
        now: Timestamp,
        by: &AgentId,
        id: &InteractionId,
        target: TransferTarget,
        first_step: Target,
    ) {
        let ladder = self.ladder_from(id, first_step);
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        // With the transfer pending, the agent leaving makes it blind: the caller waits for the
        // target.
        let _ = call
            .interaction
            .handle(now, Event::AgentHungUp { agent: by.clone() });
        call.transfer = Some(target);
        call.place = Place::Queued;
        let contact = call.contact(call.owner_team.clone());
        // Released and in wrap-up before routing, so the call never rings them back at once.
        self.router_release(by, id);
        let _ = self.presence_input(now, by, presence::Input::CallEnded(id.clone()));
        match self.router_route_with(contact, &ladder, now) {
            Ok(decision) => self.act(now, decision),
            Err(_) => self.lose(now, id),
        }
    }
}

/// Where a transfer takes the caller.
enum Destination {
    /// To agents of the center: routed along `first_step`, then the tenant's ladder.
    Inside {
        target: TransferTarget,
        first_step: Target,
    },
    /// Out of the center.
    Outside(ExternalNumber),
}

fn stitch_target(target: &TransferTarget) -> tsunagu_stitch::TransferTarget {
    match target {
        TransferTarget::Agent(agent) => tsunagu_stitch::TransferTarget::Agent(agent.clone()),
        TransferTarget::Team(team) => tsunagu_stitch::TransferTarget::Team(team.clone()),
        TransferTarget::Number(number) => {
            tsunagu_stitch::TransferTarget::Number(number.as_str().to_owned())
        }
    }
}
