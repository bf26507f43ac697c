//! Each agent's presence machine, fed and drained: status changes go to the widgets and the
//! roster, lost offers ring the next agent, and the router's view of the agent and their timer
//! follow what presence says; a freed agent takes queued work.

use tsunagu_core::{AgentId, Timestamp};
use tsunagu_interaction::Event;
use tsunagu_presence::{self as presence, OfferLostReason, Rejected, Status};
use tsunagu_protocol::{ServerMessage, WithdrawReason};
use tsunagu_routing::{Availability, NotRoutableReason};
use tsunagu_stitch::{AgentResponse, CallEventKind, ContactRef, OfferStep, WrapUpEnded};

use crate::{Center, Output, wire};

impl Center {
    /// Feeds one input to an agent's presence machine and reacts to what it says.
    pub(crate) fn presence_input(
        &mut self,
        at: Timestamp,
        agent: &AgentId,
        input: presence::Input,
    ) -> Result<(), Rejected> {
        let result = match self.agents.get_mut(agent) {
            Some(entry) => entry.presence.handle_input(at, input),
            None => return Ok(()),
        };
        self.drain_presence(agent);
        result
    }

    /// Reacts to every output of `agent`'s presence machine, then brings the router's view of
    /// the agent and the timer index up to date and, if they are free, hands them queued work.
    pub(crate) fn drain_presence(&mut self, agent: &AgentId) {
        // Presence changed (or may have: its outputs are drained here).
        self.journal.agent(agent);
        while let Some(output) = self
            .agents
            .get_mut(agent)
            .and_then(|entry| entry.presence.poll_output())
        {
            self.on_presence_output(agent, output);
        }
        self.sync_agent(agent);
        self.offer_queued_work(agent);
    }

    fn on_presence_output(&mut self, agent: &AgentId, output: presence::Output) {
        match output {
            presence::Output::StatusChanged { from, to, at } => {
                self.mark_dirty(at, agent);
                self.send_to_agent(
                    agent,
                    &ServerMessage::Status {
                        status: wire::status(&to),
                        since: at,
                    },
                );
                if let Status::WrapUp { interaction } = from {
                    let (disposition, notes) = self.wrap_up_note.take().unwrap_or_default();
                    self.record(CallEventKind::WrapUpEnded(WrapUpEnded {
                        contact: ContactRef::Interaction(interaction),
                        agent: agent.clone(),
                        disposition,
                        notes,
                        at,
                    }));
                }
            }
            // Zero-length spans (two changes at one instant) carry no time.
            presence::Output::IntervalClosed(interval) if interval.end > interval.start => {
                self.outputs.push_back(Output::PresenceInterval {
                    agent: agent.clone(),
                    interval,
                });
            }
            presence::Output::OfferLost { offer, reason } => {
                let at = self
                    .agents
                    .get(agent)
                    .map_or(self.now, |entry| entry.presence.status_since());
                let ringing = self
                    .calls
                    .get(&offer.interaction)
                    .and_then(|call| call.ringing(agent));
                if ringing != Some(offer.attempt) {
                    return;
                }
                let who = agent.clone();
                let (event, response, withdrawn) = match reason {
                    OfferLostReason::NotAcknowledged => (
                        Event::NotAcknowledged { agent: who },
                        Some(AgentResponse::Missed),
                        Some(WithdrawReason::NotAcknowledged),
                    ),
                    OfferLostReason::Declined => (
                        Event::Decline { agent: who },
                        Some(AgentResponse::Declined),
                        Some(WithdrawReason::Declined),
                    ),
                    OfferLostReason::AgentDisconnected => {
                        (Event::WithdrawOffer { agent: who }, None, None)
                    }
                    _ => (
                        Event::NoAnswer { agent: who },
                        Some(AgentResponse::NoAnswer),
                        Some(WithdrawReason::NoAnswer),
                    ),
                };
                self.ring_failed(at, &offer.interaction, agent, event, response, withdrawn);
            }
            // Empty intervals, and outputs added to presence later that the center does not know.
            _ => {}
        }
    }

    /// Tells the router what presence says about `agent`, and re-arms their timer.
    pub(crate) fn sync_agent(&mut self, agent: &AgentId) {
        let Some(entry) = self.agents.get(agent) else {
            return;
        };
        let presence = &entry.presence;
        let availability = match presence.status() {
            Status::Available if presence.is_routable() => Availability::Routable {
                idle_since: presence.idle_since().unwrap_or(presence.status_since()),
            },
            Status::Available | Status::Offline => Availability::NotRoutable {
                why: NotRoutableReason::Offline,
            },
            Status::Away { reason } => Availability::NotRoutable {
                why: NotRoutableReason::Away {
                    label: Some(reason.as_str().to_owned()),
                },
            },
            Status::Reserved { .. } => Availability::NotRoutable {
                why: NotRoutableReason::Reserved,
            },
            Status::OnCall { .. } => Availability::NotRoutable {
                why: NotRoutableReason::OnCall,
            },
            Status::WrapUp { .. } => Availability::NotRoutable {
                why: NotRoutableReason::WrapUp,
            },
        };
        let deadline = presence.poll_timeout();
        if self.router.availability(agent) != Some(&availability) {
            self.router_set_availability(agent, availability);
        }
        if let Some(old) = self.deadlines.remove(agent) {
            self.timers.remove(&(old, agent.clone()));
        }
        if let Some(deadline) = deadline {
            self.deadlines.insert(agent.clone(), deadline);
            self.timers.insert((deadline, agent.clone()));
        }
    }

    /// A free agent takes the head-most queued call they may serve.
    pub(crate) fn offer_queued_work(&mut self, agent: &AgentId) {
        let routable = self
            .agents
            .get(agent)
            .is_some_and(|entry| entry.presence.is_routable());
        if !routable
            || self.dialling_back.as_ref() == Some(agent)
            || self.router.queued_total() == 0
            || self.router.pending_offer(agent).is_some()
        {
            return;
        }
        if let Ok(Some(offer)) = self.router_next_for_agent(agent, self.now) {
            self.make_offer(&offer, (OfferStep::Queue, None), true);
        }
    }
}
