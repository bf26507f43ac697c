//! The call-side vocabulary: what the worker reports about a Twilio call, and the plans it gets back.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CallSid, InteractionId, Millis, TeamId};
use tsunagu_interaction::ExternalNumber;
use tsunagu_protocol::{CustomerCard, RecentContact};
use tsunagu_routing::Skill;

use crate::ClosedBecause;

/// An incoming call, as the worker knows it after looking the caller up in D1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallArrival {
    pub call_sid: CallSid,
    /// The caller's number in E.164, if the network sent one.
    pub customer_number: Option<String>,
    /// The CRM record of the number, if found. Its owner and team steer routing.
    pub customer: Option<CustomerCard>,
    /// The record's attributes (`plan` → `gold`), which the line's IVR menu may branch on
    /// (`branch_attribute`); empty for an unknown caller. Not shown in the screen pop.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub customer_attributes: BTreeMap<String, String>,
    /// Earlier contacts with this number (newest first), for the screen pop. Kept apart from the
    /// card because a number without a CRM record can still have a history.
    pub recent: Vec<RecentContact>,
    pub line: Line,
    /// What the call needs of an agent and how urgent it is: from the line called (its admin
    /// settings), later from an IVR's outcome or a queue. Absent: no skill, priority 0.
    #[serde(default, skip_serializing_if = "CallRequirements::is_empty")]
    pub requirements: CallRequirements,
    /// The line's IVR menu, if it has one: the call runs it before it is routed (see `ivr.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<tsunagu_ivr::ValidMenu>,
    /// The tenant's number that was called (E.164), if known: a line with hours of its own
    /// (`CenterConfig::line_hours`) answers by them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called: Option<String>,
    /// The line's queue, if it has one (a queue the tenant no longer has is ignored): the call
    /// is routed by its ladder and waits by its rules. An IVR menu's `route` node may name
    /// another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<crate::QueueId>,
}

/// What a call needs from routing: the one place a line, an IVR outcome or a queue puts the
/// skills (each with its minimum level) and the priority a call is routed by.
///
/// The router offers the call only to agents with every skill at its level until the call has
/// waited `relax_after` since it arrived; from then on anyone its ladder targets may take it
/// (skill relaxation, said so in the routing audit). A queued call is routed again at that
/// moment (the center's timer). Priority orders the queue: higher first, whatever the wait.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRequirements {
    /// Skill → the lowest level (1–5) an agent must have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skills: BTreeMap<Skill, u8>,
    /// Higher is more urgent (0 by default).
    #[serde(default)]
    pub priority: u8,
    /// How long the call waits for a skilled agent before anyone may take it; `None`: it waits
    /// for a skilled agent however long it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relax_after: Option<Millis>,
}

impl CallRequirements {
    /// The default wait before a call needing skills may go to anyone (lines that do not say).
    pub const DEFAULT_RELAX_AFTER: Millis = Millis::from_secs(60);

    /// No skills and priority 0: routed as a call always was.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty() && self.priority == 0
    }
}

/// Which of the tenant's numbers was called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum Line {
    /// The contact center's number.
    Main,
    /// An old number that could not be ported: callers hear the new number first.
    Legacy { new_number: String },
}

/// Who an agent is, from a verified session, and what they can do, from the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCard {
    pub id: AgentId,
    pub name: String,
    pub teams: BTreeSet<TeamId>,
    /// Skill → level (1–5) as the directory lists them; `None` when the directory could not
    /// be read: the center keeps the skills it already knows for the agent.
    #[serde(default)]
    pub skills: Option<BTreeMap<Skill, u8>>,
    /// Whose presence the agent's sockets hear ([`RosterScope::of`](tsunagu_auth::RosterScope::of)
    /// the session); absent: the whole tenant.
    #[serde(default)]
    pub roster: tsunagu_auth::RosterScope,
}

/// What Twilio should do with a call now; the worker writes the TwiML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum CallPlan {
    /// `<Dial answerOnBridge="true" timeout=… action="…?attempt=N"><Client>agent</Client></Dial>`;
    /// the action reports back through [`CallInput::DialFinished`](crate::CallInput::DialFinished).
    Ring {
        interaction: InteractionId,
        agent: AgentId,
        attempt: u32,
        timeout: Millis,
        /// Said first (the IVR menu's last sentences), when the ring follows the menu.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        say_first: Vec<String>,
    },
    /// `<Enqueue action=… waitUrl=…>`; the caller is number `position` in line.
    Enqueue {
        interaction: InteractionId,
        position: usize,
        /// Said first (the IVR menu's last sentences), when the queue follows the menu.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        say_first: Vec<String>,
    },
    /// The answer to a waitUrl poll: announce the position, play music, and poll again.
    Hold {
        interaction: InteractionId,
        position: usize,
        /// Since the call arrived.
        waited: Millis,
        /// Whether `position` is said (the queue's setting; always without a named queue).
        #[serde(default = "said", skip_serializing_if = "is_said")]
        announce_position: bool,
        /// The queue's hold music (`https`); `None`: the bundled tune.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        music: Option<String>,
        /// The key that books a callback instead of waiting, offered while the caller listens;
        /// its `<Gather>` action reports through
        /// [`CallInput::QueueKeyPressed`](crate::CallInput::QueueKeyPressed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callback_digit: Option<char>,
    },
    /// The caller booked a callback and left the queue keeping their place: confirm the number
    /// they will be called on, and hang up.
    CallbackBooked {
        interaction: InteractionId,
        /// E.164.
        number: String,
    },
    /// The answer to a waitUrl poll: `<Leave/>`; the Enqueue action then asks
    /// [`CallInput::QueueLeft`](crate::CallInput::QueueLeft) what comes next.
    LeaveQueue { interaction: InteractionId },
    /// Dial the backup numbers (all at once). Give this `<Dial>` no action back to the center:
    /// the call is out of the center's hands.
    Fallback {
        interaction: InteractionId,
        numbers: Vec<ExternalNumber>,
        reason: FallbackReason,
    },
    /// The agent put the caller on hold: the hold message, a pause, and a poll of the route hook
    /// (which rings the agent again once they take the caller back).
    OnHold { interaction: InteractionId },
    /// The connected agent's leg dropped (their page reloaded): tell the caller, play a short
    /// wait, and ask the route hook again; the agent is rung anew once their widget is back.
    HoldForAgent {
        interaction: InteractionId,
        agent: AgentId,
    },
    /// An agent's outbound call: their leg answered; `<Dial>` the customer's number, with the
    /// dial action of attempt 0 (its result ends the call).
    DialOut {
        interaction: InteractionId,
        number: ExternalNumber,
    },
    /// An agent transferred the caller out of the center: tell them, then dial `number`. Like a
    /// fallback, the call is out of the center's hands.
    TransferOut {
        interaction: InteractionId,
        number: ExternalNumber,
    },
    /// After hours and nowhere to send the caller: play the closed message and hang up.
    Closed {
        interaction: InteractionId,
        /// Which rule of the business calendar closed it (a holiday, the year end, a one-off
        /// closure, the hours), for the announcement. Absent in plans stored by older builds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        because: Option<ClosedBecause>,
    },
    /// A legacy number was called: announce the new number, then send the call to the incoming
    /// webhook again as a call to the main line (same CallSid).
    AnnounceNewNumber { new_number: String },
    /// The caller is in the line's IVR menu: say what comes first, then `<Gather>` the answer
    /// to `prompt` (its action reports back through
    /// [`CallInput::MenuAnswered`](crate::CallInput::MenuAnswered)).
    Ask {
        interaction: InteractionId,
        prompt: tsunagu_ivr::Prompt,
    },
    /// The menu ended the call itself (voicemail, or a hang-up node, or the caller hung up in
    /// it): play that end (`tsunagu_voice::render_ivr_end`). Out of the center's hands.
    MenuEnd {
        interaction: InteractionId,
        outcome: tsunagu_ivr::Outcome,
    },
    /// `<Hangup/>`: the call is over (or unknown and there is no fallback).
    Hangup { interaction: InteractionId },
}

impl CallPlan {
    /// The interaction the plan is about (none for an announcement, which precedes it).
    pub fn interaction(&self) -> Option<&InteractionId> {
        match self {
            CallPlan::Ring { interaction, .. }
            | CallPlan::Enqueue { interaction, .. }
            | CallPlan::Hold { interaction, .. }
            | CallPlan::LeaveQueue { interaction }
            | CallPlan::Fallback { interaction, .. }
            | CallPlan::TransferOut { interaction, .. }
            | CallPlan::DialOut { interaction, .. }
            | CallPlan::HoldForAgent { interaction, .. }
            | CallPlan::OnHold { interaction }
            | CallPlan::Closed { interaction, .. }
            | CallPlan::Ask { interaction, .. }
            | CallPlan::MenuEnd { interaction, .. }
            | CallPlan::CallbackBooked { interaction, .. }
            | CallPlan::Hangup { interaction } => Some(interaction),
            CallPlan::AnnounceNewNumber { .. } => None,
        }
    }
}

fn said() -> bool {
    true
}

fn is_said(announce: &bool) -> bool {
    *announce
}

/// Why a call goes to the backup numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FallbackReason {
    AfterHours,
    /// Nobody answered within the tenant's `max_wait`.
    NoAnswerWithinLimit,
    /// The cloud path failed: Twilio's queue reported an error, or the center does not know the
    /// call (its state was lost).
    Unavailable,
}

/// Twilio's `DialCallStatus` of an agent `<Dial>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialOutcome {
    /// The agent answered and the bridged call has ended.
    Completed,
    /// Conferences only; treated as `Completed`.
    Answered,
    NoAnswer,
    /// The agent's softphone rejected the call; treated as a decline.
    Busy,
    Failed,
    Canceled,
    Other,
}

impl DialOutcome {
    /// Parses Twilio's spelling (`completed`, `no-answer`, …).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "completed" => Self::Completed,
            "answered" => Self::Answered,
            "no-answer" => Self::NoAnswer,
            "busy" => Self::Busy,
            "failed" => Self::Failed,
            "canceled" => Self::Canceled,
            _ => Self::Other,
        }
    }
}

/// What the status callback of an agent's `<Client>` leg says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentLegStatus {
    Ringing,
    Answered,
    Ended,
}

impl AgentLegStatus {
    /// From Twilio's `CallStatus`: `ringing`, `in-progress` (answered), or any terminal status.
    pub fn from_twilio(raw: &str) -> Option<Self> {
        match raw {
            "ringing" => Some(Self::Ringing),
            "in-progress" => Some(Self::Answered),
            "completed" | "busy" | "failed" | "no-answer" | "canceled" => Some(Self::Ended),
            _ => None,
        }
    }
}

/// Twilio's `QueueResult` of the `<Enqueue>` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueResult {
    /// The caller left after `<Leave/>`.
    Leave,
    /// Taken out by a REST redirect (ours, when an agent was found).
    Redirected,
    /// The caller hung up in the queue.
    Hangup,
    /// Bridged by `<Dial><Queue>` (the center never does that) and since ended.
    Bridged,
    /// `error`, `queue-full`, `system-error` or anything else.
    Error,
}

impl QueueResult {
    /// Parses Twilio's spelling (`leave`, `redirected`, `hangup`, `bridged`, …).
    pub fn from_twilio(raw: &str) -> Self {
        match raw {
            "leave" => Self::Leave,
            "redirected" | "redirected-from-bridged" => Self::Redirected,
            "hangup" => Self::Hangup,
            "bridged" | "bridging-in-process" => Self::Bridged,
            _ => Self::Error,
        }
    }
}
