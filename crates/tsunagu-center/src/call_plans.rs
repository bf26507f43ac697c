//! What Twilio is told about a call: the plan a call's place makes, remembering what Twilio now
//! executes (so a later change knows whether to redirect it), and the plan for a call the center
//! does not know.

use tsunagu_core::InteractionId;

use crate::{
    CallPlan, Center, FallbackReason, Openness,
    state::{CallEntry, Ending, Place, Served},
};

impl Center {
    pub(crate) fn plan_of(&self, call: &CallEntry) -> CallPlan {
        let interaction = call.id().clone();
        match &call.place {
            Place::Connected { .. } if call.held_since.is_some() => {
                CallPlan::OnHold { interaction }
            }
            Place::Connected { agent, .. } if call.dropped_at.is_some() => CallPlan::HoldForAgent {
                interaction,
                agent: agent.clone(),
            },
            Place::Ringing {
                agent,
                attempt,
                timeout,
            }
            | Place::Connected {
                agent,
                attempt,
                timeout,
            } => match &call.outbound {
                Some(number) => CallPlan::DialOut {
                    interaction,
                    number: number.clone(),
                },
                None => CallPlan::Ring {
                    interaction,
                    agent: agent.clone(),
                    attempt: *attempt,
                    timeout: *timeout,
                    say_first: call.say_first.clone(),
                },
            },
            Place::Queued if call.callback.is_some() => CallPlan::CallbackBooked {
                interaction,
                number: call
                    .callback
                    .as_ref()
                    .map(|callback| callback.number.clone())
                    .unwrap_or_default(),
            },
            Place::Queued => CallPlan::Enqueue {
                position: self.position_in_queue(&interaction),
                interaction,
                say_first: call.say_first.clone(),
            },
            Place::InMenu => match call.menu.as_ref().and_then(|menu| menu.asked()) {
                Some(prompt) => CallPlan::Ask {
                    interaction,
                    prompt: prompt.clone(),
                },
                // Not reachable: a call in the menu is always asked something.
                None => CallPlan::Hangup { interaction },
            },
            Place::Ended { ending } => match ending {
                Ending::Completed | Ending::Abandoned => CallPlan::Hangup { interaction },
                Ending::FellBack { reason, numbers } => CallPlan::Fallback {
                    interaction,
                    numbers: numbers.clone(),
                    reason: *reason,
                },
                Ending::Closed => CallPlan::Closed {
                    interaction,
                    // The calendar is a pure function of the arrival time: no need to store it.
                    because: match self
                        .hours_of_call(call.id())
                        .openness(call.waiting_since.unwrap_or(call.arrived_at))
                    {
                        Openness::Closed { because } => Some(because),
                        Openness::Open => None,
                    },
                },
                Ending::TransferredOut { number } => CallPlan::TransferOut {
                    interaction,
                    number: number.clone(),
                },
                // The caller's leg is long gone: nothing to tell Twilio but to hang up.
                Ending::CalledBack { .. } => CallPlan::Hangup { interaction },
                Ending::Menu { outcome } => CallPlan::MenuEnd {
                    interaction,
                    outcome: outcome.clone(),
                },
            },
        }
    }

    /// Answers Twilio with `plan` for the call, remembering what Twilio now executes.
    pub(crate) fn serve(&mut self, plan: CallPlan) -> CallPlan {
        let served = match &plan {
            CallPlan::Ring { attempt, .. } => Served::Dial { attempt: *attempt },
            CallPlan::DialOut { .. } => Served::Dial { attempt: 0 },
            CallPlan::HoldForAgent { .. } | CallPlan::OnHold { .. } => Served::Hold,
            CallPlan::Enqueue { .. } | CallPlan::Hold { .. } | CallPlan::LeaveQueue { .. } => {
                Served::Queue
            }
            CallPlan::Ask { .. } => Served::Menu,
            CallPlan::Fallback { .. }
            | CallPlan::TransferOut { .. }
            | CallPlan::Closed { .. }
            | CallPlan::MenuEnd { .. }
            | CallPlan::CallbackBooked { .. }
            | CallPlan::Hangup { .. } => Served::Done,
            CallPlan::AnnounceNewNumber { .. } => return plan,
        };
        if let Some(call) = plan
            .interaction()
            .and_then(|interaction| self.calls.get_mut(interaction))
        {
            let said = matches!(&plan, CallPlan::Ring { say_first, .. } | CallPlan::Enqueue { say_first, .. } if !say_first.is_empty());
            if call.served != served || said {
                call.served = served;
                if said {
                    call.say_first.clear();
                }
                self.journal.call(call.interaction.id());
            }
        }
        plan
    }

    /// The plan for a call the center does not know (forgotten, or state lost).
    pub(crate) fn unknown_call_plan(&self, interaction: InteractionId) -> CallPlan {
        if self.config.fallback_numbers.is_empty() {
            CallPlan::Hangup { interaction }
        } else {
            CallPlan::Fallback {
                interaction,
                numbers: self.config.fallback_numbers.clone(),
                reason: FallbackReason::Unavailable,
            }
        }
    }
}
