//! What the center keeps about each agent and each call: the data its `agent/…` and `call/…`
//! entries and its snapshot store (a call's place, how it ended, what Twilio executes, its web
//! caller, its IVR menu), and what is read straight off a call (its router contact, screen pop,
//! plan deadlines).
//!
//! The modules that act on the center (`center.rs` and every `impl Center` beside it) and the
//! ones that persist it (`entries.rs`, `snapshot.rs`) import these; this module imports none of
//! them, so the dependencies go one way.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CallSid, Channel, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_interaction::{ExternalNumber, Interaction, TransferTarget};
use tsunagu_ivr::{CallState, Prompt};
use tsunagu_presence::{self as presence, ConnectionId, Presence};
use tsunagu_protocol::{CallEndReason, CustomerCard, NeededSkill, RecentContact, ScreenPop};
use tsunagu_routing::Contact;
use tsunagu_stitch::ContactRef;

use crate::{CallRequirements, CenterConfig, FallbackReason, queue_id::QueueId};

/// One agent of the directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentEntry {
    pub(crate) name: String,
    pub(crate) teams: BTreeSet<TeamId>,
    pub(crate) presence: Presence,
    /// The agent's open sockets (derived from `Center::connections`).
    #[serde(skip)]
    pub(crate) conns: BTreeSet<ConnectionId>,
    /// Whose presence the agent's sockets hear (from the session at the latest sign-in).
    #[serde(default)]
    pub(crate) roster: tsunagu_auth::RosterScope,
    /// Sockets that hear the whole tenant for now (`watch_roster`, e.g. the transfer list).
    #[serde(default)]
    pub(crate) widened: BTreeSet<ConnectionId>,
}

/// One call the center handles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CallEntry {
    pub(crate) interaction: Interaction,
    /// The caller's Twilio call; `None` for a web call.
    #[serde(default)]
    pub(crate) call_sid: Option<CallSid>,
    pub(crate) caller_number: Option<String>,
    pub(crate) customer: Option<CustomerCard>,
    pub(crate) recent: Vec<RecentContact>,
    pub(crate) owner_team: Option<TeamId>,
    pub(crate) arrived_at: Timestamp,
    /// Offers made so far; the latest one's number is the current attempt.
    pub(crate) attempts: u32,
    pub(crate) place: Place,
    pub(crate) served: Served,
    /// The current agent leg's CallSid, once a status callback named it.
    pub(crate) leg_call_sid: Option<CallSid>,
    pub(crate) ended_at: Option<Timestamp>,
    /// The caller's leg has ended (Twilio said so).
    pub(crate) hung_up: bool,
    /// Set once an agent transferred the call: it is then routed along a ladder whose first
    /// step is this target, followed by the tenant's ladder.
    #[serde(default)]
    pub(crate) transfer: Option<TransferTarget>,
    /// An agent placed this call to this number (click-to-call).
    #[serde(default)]
    pub(crate) outbound: Option<ExternalNumber>,
    /// The agent who placed it: their calls within the dial policy's window count against its
    /// per-agent cap (ended calls are kept longer than the longest window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) placed_by: Option<AgentId>,
    /// The connected agent's leg dropped while their widget was gone (a page reload): since when.
    /// The caller holds, and the agent is rung again when their widget is back.
    #[serde(default)]
    pub(crate) dropped_at: Option<Timestamp>,
    /// The agent put the caller on hold (since when); their phone leg is gone meanwhile.
    #[serde(default)]
    pub(crate) held_since: Option<Timestamp>,
    /// When Twilio last told the center anything about this call (a callback or a hook); the
    /// call watchdog counts from it (from `arrived_at` when unset, as in older entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_heard: Option<Timestamp>,
    /// Set for a web call: the customer's socket and what it was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) web: Option<WebCaller>,
    /// Skills and priority the call is routed by (from its line, and its IVR menu's outcome).
    #[serde(default, skip_serializing_if = "CallRequirements::is_empty")]
    pub(crate) requirements: CallRequirements,
    /// The line's IVR menu and where the caller is in it, while the call is
    /// [`Place::InMenu`] (dropped once the menu ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) menu: Option<CallMenu>,
    /// The labels the caller passed in the menu, once it ended (for the screen pop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ivr_path: Option<Vec<String>>,
    /// The tenant's number the caller dialled (E.164), whose hours the call is answered by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) called: Option<String>,
    /// The named queue the call is routed by (its line's, or its IVR branch's); `None`: the
    /// tenant's ladder and wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) queue: Option<QueueId>,
    /// When the call began waiting for an agent: the end of its IVR menu, or its move into
    /// another queue by an overflow. Its queue's longest wait and its skill relaxation count
    /// from here; `None`: from its arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) waiting_since: Option<Timestamp>,
    /// The caller pressed the queue's callback key: they hung up keeping their place, and the
    /// agent who takes the call calls this number back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) callback: Option<CallbackRequest>,
    /// Said to the caller before the next ring or the queue (the IVR menu's sentences after its
    /// last question), once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) say_first: Vec<String>,
}

/// A caller's request to be called back instead of waiting on the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CallbackRequest {
    /// The caller's number (E.164), to be dialled through the dial policy.
    pub(crate) number: String,
    pub(crate) requested_at: Timestamp,
    /// The agent who accepted the callback offer and whose widget is dialling: they stay
    /// reserved for it until their call to `number` is placed (or the offer's ring runs out,
    /// and the callback goes to the next agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) accepted_by: Option<AgentId>,
}

/// Where a call is. Exactly one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub(crate) enum Place {
    /// Offered to `agent`: their widget shows it and Twilio dials them (or is about to, after a
    /// redirect).
    Ringing {
        agent: AgentId,
        attempt: u32,
        timeout: Millis,
    },
    /// Waiting in the router's line.
    Queued,
    /// In the line's IVR menu: not routed yet (the router does not know it).
    InMenu,
    /// The agent answered.
    Connected {
        agent: AgentId,
        attempt: u32,
        timeout: Millis,
    },
    /// The center is done with it.
    Ended { ending: Ending },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ending", rename_all = "snake_case")]
pub(crate) enum Ending {
    Completed,
    Abandoned,
    FellBack {
        reason: FallbackReason,
        numbers: Vec<ExternalNumber>,
    },
    /// An agent transferred the caller to a number outside the center.
    TransferredOut {
        number: ExternalNumber,
    },
    Closed,
    /// The IVR menu ended the call itself (voicemail, a hang-up node, the caller hung up in it).
    Menu {
        outcome: tsunagu_ivr::Outcome,
    },
    /// The caller booked a callback and `agent` took it (their widget dials the caller).
    CalledBack {
        agent: AgentId,
    },
}

/// What Twilio is executing for the call, as far as the center knows: the plan it last answered
/// with, or a redirect on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "served", rename_all = "snake_case")]
pub(crate) enum Served {
    Nothing,
    Dial {
        attempt: u32,
    },
    Queue,
    /// Holding for the connected agent to come back (`HoldForAgent`).
    Hold,
    /// Asking an IVR question (`Ask`): only its own answer moves the call on.
    Menu,
    Redirect,
    Done,
}

impl CallEntry {
    pub(crate) fn id(&self) -> &InteractionId {
        self.interaction.id()
    }

    pub(crate) fn channel(&self) -> Channel {
        if self.web.is_some() {
            Channel::WebCall
        } else {
            Channel::Voice
        }
    }

    /// The call as the router routes it: customer, owner and team, and the call's requirements
    /// (priority, and skills until `relax_after` has passed). A call an agent transferred keeps
    /// its priority but needs no skill: the agent chose where it goes.
    pub(crate) fn contact(&self, owner_team: Option<TeamId>) -> Contact {
        let mut contact = Contact::new(self.id().clone(), self.channel(), self.arrived_at);
        contact.customer = self.customer.as_ref().map(|card| card.id.clone());
        contact.owner = self.customer.as_ref().and_then(|card| card.owner.clone());
        contact.owner_team = owner_team;
        contact.priority = self.requirements.priority;
        if self.transfer.is_none() {
            contact.require(&self.requirements.skills);
            contact.relax_skills_at = self.relax_skills_at();
        }
        contact
    }

    /// When the call's skills stop being required, if it needs any and they ever do.
    pub(crate) fn relax_skills_at(&self) -> Option<Timestamp> {
        if self.requirements.skills.is_empty() || self.transfer.is_some() {
            return None;
        }
        Some(self.waiting_since.unwrap_or(self.arrived_at) + self.requirements.relax_after?)
    }

    pub(crate) fn screen_pop(&self) -> ScreenPop {
        ScreenPop {
            caller_number: self.caller_number.clone(),
            caller_display: self.caller_number.as_deref().and_then(caller_display),
            caller_name: self.web.as_ref().and_then(|web| web.name.clone()),
            customer: self.customer.clone(),
            recent: self.recent.clone(),
            // What the line asked for, even once relaxed: the agent learns what the caller needs.
            skills: self
                .requirements
                .skills
                .iter()
                .map(|(skill, level)| NeededSkill {
                    skill: skill.to_string(),
                    level: *level,
                })
                .collect(),
            ivr_path: self.ivr_path.clone(),
            callback: self
                .callback
                .as_ref()
                .map(|callback| callback.number.clone()),
        }
    }

    pub(crate) fn contact_ref(&self) -> ContactRef {
        ContactRef::Interaction(self.id().clone())
    }

    pub(crate) fn ringing(&self, agent: &AgentId) -> Option<u32> {
        match &self.place {
            Place::Ringing {
                agent: ringing,
                attempt,
                ..
            } if ringing == agent => Some(*attempt),
            _ => None,
        }
    }

    pub(crate) fn offer_id(&self, attempt: u32) -> presence::OfferId {
        presence::OfferId {
            interaction: self.id().clone(),
            attempt,
        }
    }

    /// Whether Twilio must be redirected to learn the current plan.
    pub(crate) fn needs_redirect(&self) -> bool {
        match (&self.served, &self.place) {
            (Served::Nothing | Served::Redirect | Served::Done | Served::Menu, _)
            | (
                _,
                Place::Ended {
                    ending: Ending::Completed | Ending::Abandoned | Ending::Closed,
                },
            )
            | (_, Place::InMenu) => false,
            (Served::Dial { attempt: served }, Place::Ringing { attempt, .. })
            | (Served::Dial { attempt: served }, Place::Connected { attempt, .. }) => {
                served != attempt || self.dropped_at.is_some() || self.held_since.is_some()
            }
            // The hold polls the route hook by itself; a redirect only makes the re-ring prompt.
            (Served::Hold, Place::Connected { .. }) => {
                self.dropped_at.is_none() && self.held_since.is_none()
            }
            (Served::Hold, _) => true,
            (Served::Dial { .. }, Place::Queued | Place::Ended { .. }) => true,
            // A fallback decided while queued is announced by the next waitUrl poll (`<Leave>`).
            (Served::Queue, Place::Ringing { .. }) => true,
            (Served::Queue, _) => false,
        }
    }
}

/// The customer side of a web call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebCaller {
    /// The customer page's socket.
    pub(crate) conn: ConnectionId,
    pub(crate) name: Option<String>,
    /// The socket is open and the call not over: the page hears every change.
    pub(crate) socket_open: bool,
    /// The widget socket that accepted the call (or took it back after a blip): the only one
    /// signalling goes to and comes from. Its page's peer connection carries the audio.
    pub(crate) agent_conn: Option<ConnectionId>,
    /// Since when the call waits for its widget: the socket it was bound to dropped without its
    /// page going away. The call ends `disconnect_grace` later unless a widget takes it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) agent_lost_at: Option<Timestamp>,
    /// What the page was last told, so each change is told once.
    pub(crate) told: Told,
    /// Who ended the call, when a side hung up.
    pub(crate) end_reason: Option<CallEndReason>,
    pub(crate) signals_from_caller: u32,
    pub(crate) signals_from_agent: u32,
}

/// The last place the customer page was told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "told", rename_all = "snake_case")]
pub(crate) enum Told {
    Nothing,
    Queued { position: u32 },
    Ringing,
    Connected,
    Ended,
}

/// The deadline web call `id` waits for, if any: its widget's return after a blip while
/// connected, or an answer (`max_web_queue_wait` from its arrival) while queued or ringing.
pub(crate) fn web_deadline(
    config: &CenterConfig,
    id: &InteractionId,
    call: &CallEntry,
) -> Option<(Timestamp, InteractionId)> {
    let web = call.web.as_ref()?;
    let at = match call.place {
        Place::Queued | Place::Ringing { .. } | Place::InMenu => {
            call.arrived_at + config.max_web_queue_wait
        }
        Place::Connected { .. } => web.agent_lost_at? + config.presence.disconnect_grace,
        Place::Ended { .. } => return None,
    };
    Some((at, id.clone()))
}

/// A call's menu and where the caller is in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CallMenu {
    /// The menu as the line had it when the call arrived (an edit meanwhile does not change a
    /// running call's questions).
    pub(crate) menu: tsunagu_ivr::ValidMenu,
    pub(crate) state: CallState,
}

impl CallMenu {
    /// The question asked now.
    pub(crate) fn asked(&self) -> Option<&Prompt> {
        match &self.state.stage {
            tsunagu_ivr::Stage::Asking { prompt, .. } => Some(prompt),
            _ => None,
        }
    }
}

/// A caller's E.164 number as the agent reads it: the national form for a Japanese number
/// (`03-5555-0101`, what a Japanese agent says back to the caller), the international form for
/// any other country; nothing for a number the plan does not know.
pub(crate) fn caller_display(e164: &str) -> Option<String> {
    let number = tsunagu_phone::PhoneNumber::from_e164(e164).ok()?;
    Some(
        if number.country_code() == tsunagu_phone::Region::Jp.calling_code() {
            number.national_display().to_owned()
        } else {
            number.international_display().to_owned()
        },
    )
}
