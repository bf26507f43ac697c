//! Hold: the agent parks the caller on hold music and later has the caller rung through to them again.

// Twilio side: the caller's call is redirected to the hold plan (a message and a pause that poll the
// route hook), which ends the agent's `<Dial>`; taking the caller back rings the agent's phone with
// them anew (the widget answers it at once). The caller never waits in the queue meanwhile.

use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_interaction::Event;
use tsunagu_protocol::ServerMessage;
use tsunagu_stitch::{CallEventKind, ContactRef, Mark};

use crate::{Center, CenterError, state::Place};

impl Center {
    /// `agent` puts the call `id` they are on on hold (`held`) or takes it back. Refused, changing
    /// nothing, when they are not on it, it is an outbound call (its root leg is the agent's own
    /// phone, so there is no caller call to park), or it already is in that state.
    pub(crate) fn set_hold(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        id: &InteractionId,
        held: bool,
    ) -> Result<(), CenterError> {
        let call = self.calls.get_mut(id).ok_or(CenterError::NotOnThisCall)?;
        let mine = matches!(&call.place, Place::Connected { agent: a, .. } if a == agent);
        if !mine || call.hung_up || call.dropped_at.is_some() {
            return Err(CenterError::NotOnThisCall);
        }
        // An outbound call's root leg is the agent's own phone; a web call has no phone call at
        // all (its audio is the widget's peer connection): neither has a caller call to park.
        if call.outbound.is_some() || call.web.is_some() {
            return Err(CenterError::CannotHold);
        }
        if call.held_since.is_some() == held {
            return Err(CenterError::CannotHold);
        }
        if held {
            call.held_since = Some(now);
            let _ = call.interaction.handle(
                now,
                Event::Hold {
                    agent: agent.clone(),
                },
            );
        } else {
            call.held_since = None;
            let _ = call.interaction.handle(
                now,
                Event::Resume {
                    agent: agent.clone(),
                },
            );
            // A new ring of the agent's phone, so results about the old one are stale.
            call.attempts = call.attempts.saturating_add(1);
            if let Place::Connected { attempt, .. } = &mut call.place {
                *attempt = call.attempts;
            }
        }
        self.journal.call(id);
        self.changed.insert(id.clone());
        let mark = Mark {
            contact: ContactRef::Interaction(id.clone()),
            at: now,
        };
        self.record(if held {
            CallEventKind::Hold(mark)
        } else {
            CallEventKind::Unhold(mark)
        });
        self.send_to_agent(
            agent,
            &ServerMessage::Held {
                conversation: id.clone(),
                held,
            },
        );
        Ok(())
    }
}
