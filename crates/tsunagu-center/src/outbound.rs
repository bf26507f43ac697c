//! Outbound calls an agent places (click-to-call): the agent's phone rings first, then the customer's.

// Twilio side: the worker creates a call to the agent's `<Client>` (REST), whose answer fetches the
// outbound hook; its plan dials the customer's number. That REST call is the conversation's root
// leg, so its status callback ends the call like a caller's leg does for inbound calls.

use tsunagu_core::{AgentId, CallSid, Channel, Millis, Timestamp};
use tsunagu_interaction::{Event, ExternalNumber, Interaction};
use tsunagu_phone::DialRefusal;
use tsunagu_presence::{self as presence, Status};
use tsunagu_protocol::CustomerCard;
use tsunagu_stitch::{CallEventKind, ConversationDirection, ConversationStarted};

use crate::{
    Center, CenterError, interaction_of,
    state::{CallEntry, Place, Served},
};

/// A call the worker just created for an agent to a customer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboundCall {
    /// The REST-created call (to the agent's `<Client>`); its CallSid names the conversation.
    pub call_sid: CallSid,
    pub agent: AgentId,
    pub to: ExternalNumber,
    /// The CRM record of the number, if the host named one or the number is known.
    pub customer: Option<CustomerCard>,
}

impl Center {
    /// Whether `agent` may place a call at `now`: signed in and available or away, with no call
    /// ringing them, on the line, or in wrap-up; under the dial policy's caps (their calls placed
    /// within its window, the tenant's outbound calls open at once). Whether the number may be
    /// dialled is [`DialPolicy::check`](tsunagu_phone::DialPolicy::check)'s to say, before this.
    pub(crate) fn can_dial(
        &self,
        now: Timestamp,
        agent: &AgentId,
        to: Option<&str>,
    ) -> Result<(), CenterError> {
        let entry = self.agents.get(agent).ok_or(CenterError::NotSignedIn)?;
        let calling_back = to.is_some_and(|to| self.callback_accepted_by(agent, to).is_some());
        match entry.presence.status() {
            Status::Available | Status::Away { .. } if !entry.conns.is_empty() => {}
            // Reserved for the callback they accepted: dialling that number is what it is for.
            Status::Reserved { .. } if calling_back && !entry.conns.is_empty() => {}
            Status::Available | Status::Away { .. } | Status::Offline => {
                return Err(CenterError::NotSignedIn);
            }
            Status::Reserved { .. } | Status::OnCall { .. } | Status::WrapUp { .. } => {
                return Err(CenterError::AgentBusy);
            }
        }
        let policy = &self.config.dial_policy;
        let window = self.config.dial_rate_window();
        let recent = self
            .calls
            .values()
            .filter(|call| {
                call.placed_by.as_ref() == Some(agent)
                    && now.saturating_since(call.arrived_at) < window
            })
            .count();
        if recent >= usize::try_from(policy.max_calls_per_agent).unwrap_or(usize::MAX) {
            return Err(CenterError::DialRefused(DialRefusal::AgentRateLimit));
        }
        let open = self
            .calls
            .values()
            .filter(|call| call.outbound.is_some() && call.ended_at.is_none())
            .count();
        if open >= usize::try_from(policy.max_concurrent_outbound).unwrap_or(usize::MAX) {
            return Err(CenterError::DialRefused(DialRefusal::TenantOutboundLimit));
        }
        Ok(())
    }

    /// The worker created `call`: the agent is on it from now on (no inbound call rings them),
    /// and the conversation starts. Refused, changing nothing, when the agent cannot dial any
    /// more (a call rang them meanwhile): the worker then cancels the created call.
    pub(crate) fn outbound_placed(
        &mut self,
        now: Timestamp,
        call: OutboundCall,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = self.place_outbound(now, call);
        self.finish();
        result
    }

    fn place_outbound(&mut self, now: Timestamp, call: OutboundCall) -> Result<(), CenterError> {
        self.can_dial(now, &call.agent, Some(call.to.as_str()))?;
        let id = interaction_of(&call.call_sid);
        if self.calls.contains_key(&id) {
            return Err(CenterError::DuplicateCall);
        }
        if let Some(callback) = self.callback_accepted_by(&call.agent, call.to.as_str()) {
            self.dialling_back = Some(call.agent.clone());
            self.dialled_back(now, &call.agent, &callback);
        }
        let placed = self.connect_outbound(now, id, call);
        self.dialling_back = None;
        placed
    }

    fn connect_outbound(
        &mut self,
        now: Timestamp,
        id: tsunagu_core::InteractionId,
        call: OutboundCall,
    ) -> Result<(), CenterError> {
        let customer = call.customer.as_ref().map(|card| card.id.clone());
        let mut interaction =
            Interaction::arrive(id.clone(), Channel::Voice, customer.clone(), now);
        // The agent chose the call: offered and connected at once, in the interaction's terms.
        let _ = interaction.handle(
            now,
            Event::Offer {
                agent: call.agent.clone(),
                step: 0,
            },
        );
        let _ = interaction.handle(
            now,
            Event::Connected {
                agent: call.agent.clone(),
            },
        );
        let entry = CallEntry {
            interaction,
            call_sid: Some(call.call_sid.clone()),
            caller_number: Some(call.to.as_str().to_owned()),
            customer: call.customer,
            recent: Vec::new(),
            owner_team: None,
            arrived_at: now,
            attempts: 0,
            place: Place::Connected {
                agent: call.agent.clone(),
                attempt: 0,
                timeout: Millis(0),
            },
            served: Served::Nothing,
            leg_call_sid: None,
            ended_at: None,
            hung_up: false,
            transfer: None,
            menu: None,
            ivr_path: None,
            outbound: Some(call.to.clone()),
            placed_by: Some(call.agent.clone()),
            dropped_at: None,
            held_since: None,
            last_heard: None,
            web: None,
            requirements: crate::CallRequirements::default(),
            called: None,
            queue: None,
            waiting_since: None,
            callback: None,
            say_first: Vec::new(),
        };
        self.by_call_sid.insert(call.call_sid.clone(), id.clone());
        self.calls.insert(id.clone(), entry);
        self.journal.call(&id);
        if self.router_assign(&call.agent, &id).is_err() {
            // Routing holds the agent for something it did not tell presence: undo, refuse.
            self.calls.remove(&id);
            self.by_call_sid.remove(&call.call_sid);
            return Err(CenterError::AgentBusy);
        }
        self.record(CallEventKind::ConversationStarted(ConversationStarted {
            interaction: id.clone(),
            root_call_sid: Some(call.call_sid),
            customer,
            customer_number: Some(call.to.as_str().to_owned()),
            channel: Channel::Voice,
            direction: ConversationDirection::Outbound,
            at: now,
        }));
        let _ = self.presence_input(now, &call.agent, presence::Input::CallConnected(id));
        Ok(())
    }
}
