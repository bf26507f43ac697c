//! Everything that happens to a tenant's contact center, as one [`Input`] through
//! [`Center::handle_input`]: the same contract as `tsunagu-presence` (inputs and the time in;
//! [`Output`](crate::Output)s out of `poll_output`; the next deadline from `poll_timeout`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CallSid, InteractionId, Timestamp};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{CallerMessage, ClientMessage};
use tsunagu_routing::Skill;

use crate::{
    AgentCard, AgentLegStatus, AgentPush, CallArrival, CallPlan, Center, CenterError, DialOutcome,
    OutboundCall, Pushed, QueueResult, WebCallStart,
};

/// One thing that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A widget socket of the agent on `card` opened (the shell verified the session). Answers
    /// with a `Welcome` to the socket, then the offer ringing the agent, if one does.
    AgentConnected { conn: ConnectionId, card: AgentCard },
    /// A widget socket closed; the last one starts the disconnect grace.
    AgentDisconnected { conn: ConnectionId },
    /// A message from a widget socket after its hello.
    ClientMessage {
        conn: ConnectionId,
        message: ClientMessage,
    },
    /// A customer socket said `start`: a web call arrives ([`Reply::WebCall`]).
    WebCallStarted {
        conn: ConnectionId,
        start: WebCallStart,
    },
    /// A message from a customer socket after `start`.
    CallerMessage {
        conn: ConnectionId,
        message: CallerMessage,
    },
    /// A customer socket closed: its call ends as if the customer hung up.
    CallerDisconnected { conn: ConnectionId },
    /// A phone call's event, from a Twilio webhook or the worker's own REST calls.
    Call(CallInput),
    /// The directory's skills (skill → level) of an agent changed.
    AgentSkills {
        agent: AgentId,
        skills: BTreeMap<Skill, u8>,
    },
    /// A CRM backend asks something of one agent (the server API): call a number on their
    /// behalf, or show a record ([`Reply::Pushed`]; see `push.rs`).
    PushToAgent { agent: AgentId, push: AgentPush },
    /// Nothing happened but time passed (the shell's alarm for `poll_timeout`).
    Timeout,
}

/// A phone call's event: what the worker's stateless handlers send the tenant's hub. Serialized
/// between the two, so its shape is the wire's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "one input at a time passes through the center and none is kept; boxing the arrival \
              would only add an allocation per call"
)]
pub enum CallInput {
    /// The incoming-call webhook ([`Reply::Plan`]). The same CallSid again (a Twilio retry)
    /// answers the call's current plan and changes nothing.
    CallArrived { arrival: CallArrival },
    /// The route URL, reached after an [`Output::RedirectCall`](crate::Output::RedirectCall)
    /// ([`Reply::Plan`]: the plan decided meanwhile).
    CallRedirected { interaction: InteractionId },
    /// Twilio's `<Dial action>` for ring `attempt` ([`Reply::Plan`]).
    DialFinished {
        interaction: InteractionId,
        attempt: u32,
        outcome: DialOutcome,
        /// The action reports the caller's own leg as over (`CallStatus` final): the caller
        /// hung up while the agent's phone rang, so the call must not ring anyone again.
        caller_left: bool,
    },
    /// The queue's waitUrl poll ([`Reply::Plan`]).
    QueueWait { interaction: InteractionId },
    /// The caller pressed `digits` while waiting (the hold's `<Gather>` action): the queue's
    /// callback key books a callback ([`Reply::Plan`]).
    QueueKeyPressed {
        interaction: InteractionId,
        digits: String,
    },
    /// The `<Enqueue>` action ([`Reply::Plan`]).
    QueueLeft {
        interaction: InteractionId,
        result: QueueResult,
    },
    /// A status callback of an agent's `<Client>` leg; a stale leg is refused
    /// ([`CenterError::StaleLeg`]) and changes nothing.
    AgentLeg {
        interaction: InteractionId,
        agent: AgentId,
        status: AgentLegStatus,
        call_sid: CallSid,
    },
    /// The IVR hook: the caller answered question `prompt` of the line's menu (or the gather
    /// timed out) ([`Reply::Plan`]: the next question, or what the menu's end leads to). An answer
    /// to any other question than the one asked now (a retried or stale webhook) changes nothing
    /// and gets the current plan.
    MenuAnswered {
        interaction: InteractionId,
        prompt: tsunagu_ivr::PromptId,
        answer: MenuAnswer,
    },
    /// The caller's leg ended. Idempotent.
    CallEnded { call_sid: CallSid },
    /// May the agent place a call now? Refused with why not; changes nothing.
    CanDial {
        agent: AgentId,
        /// The number (E.164) to be dialled: an agent reserved for a callback they accepted
        /// may dial that callback's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// The worker created an agent's outbound call; refused when the agent got busy meanwhile
    /// (the worker then cancels the call).
    OutboundPlaced { outbound: OutboundCall },
}

/// A caller's answer to an IVR question, as Twilio's gather action reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum MenuAnswer {
    /// Keys pressed (`Digits`).
    Digits { digits: String },
    /// Speech recognised (`SpeechResult`), with Twilio's `Confidence` as a percentage (0–100)
    /// when it sent one.
    Speech {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence_percent: Option<u8>,
    },
    /// The gather timed out without input (Twilio fell through to its `<Redirect>`).
    NoInput,
}

/// What an input answers at once; everything else comes out of `poll_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Done,
    /// What Twilio does next with the call (the worker renders it as TwiML).
    Plan(CallPlan),
    /// The web call that started.
    WebCall(InteractionId),
    /// What a CRM backend's push did.
    Pushed(Pushed),
}

impl Center {
    /// Applies one input at `now` (first every timer due by then). A refusal changes nothing.
    pub fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<Reply, CenterError> {
        let done = |result: Result<(), CenterError>| result.map(|()| Reply::Done);
        match input {
            Input::AgentConnected { conn, card } => done(self.agent_connected(now, conn, card)),
            Input::AgentDisconnected { conn } => done(self.agent_disconnected(now, conn)),
            Input::ClientMessage { conn, message } => done(self.client_message(now, conn, message)),
            Input::WebCallStarted { conn, start } => {
                self.web_call_started(now, conn, start).map(Reply::WebCall)
            }
            Input::CallerMessage { conn, message } => done(self.caller_message(now, conn, message)),
            Input::CallerDisconnected { conn } => done(self.caller_disconnected(now, conn)),
            Input::Call(call) => self.call_input(now, call),
            Input::AgentSkills { agent, skills } => {
                self.agent_skills_changed(now, &agent, &skills);
                Ok(Reply::Done)
            }
            Input::PushToAgent { agent, push } => {
                self.push_to_agent(now, &agent, push).map(Reply::Pushed)
            }
            Input::Timeout => {
                self.handle_timeout(now);
                Ok(Reply::Done)
            }
        }
    }

    fn call_input(&mut self, now: Timestamp, call: CallInput) -> Result<Reply, CenterError> {
        Ok(Reply::Plan(match call {
            CallInput::CallArrived { arrival } => self.call_arrived(now, arrival),
            CallInput::CallRedirected { interaction } => self.call_redirected(now, &interaction),
            CallInput::DialFinished {
                interaction,
                attempt,
                outcome,
                caller_left,
            } => self.dial_finished(now, &interaction, attempt, outcome, caller_left),
            CallInput::QueueWait { interaction } => self.queue_wait(now, &interaction),
            CallInput::QueueKeyPressed {
                interaction,
                digits,
            } => self.queue_key_pressed(now, &interaction, &digits),
            CallInput::QueueLeft {
                interaction,
                result,
            } => self.queue_left(now, &interaction, result),
            CallInput::AgentLeg {
                interaction,
                agent,
                status,
                call_sid,
            } => {
                return self
                    .agent_leg(now, &interaction, &agent, status, call_sid)
                    .map(|()| Reply::Done);
            }
            CallInput::MenuAnswered {
                interaction,
                prompt,
                answer,
            } => self.menu_answered(now, &interaction, prompt, answer),
            CallInput::CallEnded { call_sid } => {
                self.call_ended(now, &call_sid);
                return Ok(Reply::Done);
            }
            CallInput::CanDial { agent, to } => {
                return self
                    .can_dial(now, &agent, to.as_deref())
                    .map(|()| Reply::Done);
            }
            CallInput::OutboundPlaced { outbound } => {
                return self.outbound_placed(now, outbound).map(|()| Reply::Done);
            }
        }))
    }
}
