//! The events a CRM backend can subscribe to, derived from call events and stitched conversations.
//!
//! Each event has an id that depends only on the fact it reports, so deriving it twice (a retried
//! webhook, a hub replaying its outbox) yields the same id and, per subscription, the same delivery
//! id: receivers de-duplicate on it. A call event's fact is its type, tenant, time and data; a
//! conversation's end is its conversation id alone (a wrap-up stitched in later changes the
//! conversation's figures, not the fact that it ended).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tsunagu_core::{AgentId, TeamId, TenantId, Timestamp};
use tsunagu_stitch::{
    AgentResponse, CallEvent, CallEventKind, ContactRef, Conversation, ConversationDirection,
    ConversationOutcome, OfferStep,
};

/// The kinds of event, as spelled on the wire (`Tsunagu-Event`, the payload's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// Routing offered the call to an agent: their widget rings.
    #[serde(rename = "call.ringing")]
    CallRinging,
    /// An agent took the call.
    #[serde(rename = "call.answered")]
    CallAnswered,
    /// The call is over; carries the stitched conversation.
    #[serde(rename = "call.ended")]
    CallEnded,
    /// An inbound call no agent answered (abandoned in the queue or while ringing, sent to a
    /// fallback number, or ended before reaching anyone, e.g. after hours).
    #[serde(rename = "call.missed")]
    CallMissed,
    /// An agent finished the after-call work: outcome and notes.
    #[serde(rename = "wrap_up.saved")]
    WrapUpSaved,
}

impl EventType {
    /// Every type, in wire order.
    pub const ALL: [EventType; 5] = [
        EventType::CallRinging,
        EventType::CallAnswered,
        EventType::CallEnded,
        EventType::CallMissed,
        EventType::WrapUpSaved,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CallRinging => "call.ringing",
            EventType::CallAnswered => "call.answered",
            EventType::CallEnded => "call.ended",
            EventType::CallMissed => "call.missed",
            EventType::WrapUpSaved => "wrap_up.saved",
        }
    }

    /// Reads a wire name; `None` for anything else.
    pub fn parse(raw: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The event types a subscription wants (a small set; stored as its wire names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventTypes(u8);

impl EventTypes {
    /// Every event type.
    pub fn all() -> EventTypes {
        EventType::ALL.into_iter().collect()
    }

    pub fn contains(self, kind: EventType) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn insert(&mut self, kind: EventType) {
        self.0 |= kind.bit();
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in wire order.
    pub fn iter(self) -> impl Iterator<Item = EventType> {
        EventType::ALL
            .into_iter()
            .filter(move |kind| self.contains(*kind))
    }

    /// Comma-separated wire names (the stored form).
    pub fn to_csv(self) -> String {
        self.iter()
            .map(EventType::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; unknown names are skipped (a type retired later matches nothing).
    pub fn from_csv(raw: &str) -> EventTypes {
        raw.split(',').filter_map(EventType::parse).collect()
    }
}

impl FromIterator<EventType> for EventTypes {
    fn from_iter<I: IntoIterator<Item = EventType>>(iter: I) -> Self {
        let mut set = EventTypes::default();
        for kind in iter {
            set.insert(kind);
        }
        set
    }
}

impl Serialize for EventTypes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Why an inbound call counts as missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedReason {
    /// The caller hung up while waiting in a queue.
    AbandonedInQueue,
    /// The caller hung up while agents were being rung, none answered.
    Unanswered,
    /// The caller hung up before any agent was offered the call or it was queued (an
    /// announcement, after hours, nobody signed in).
    NotRouted,
    /// No agent answered and the call went to a fallback number outside the center.
    Fallback,
}

/// What an event says, by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EventData {
    Ringing {
        contact: ContactRef,
        agent: AgentId,
        #[serde(skip_serializing_if = "Option::is_none")]
        team: Option<TeamId>,
        step: OfferStep,
    },
    Answered {
        contact: ContactRef,
        agent: AgentId,
    },
    Ended {
        conversation: Box<Conversation>,
    },
    Missed {
        reason: MissedReason,
        conversation: Box<Conversation>,
    },
    WrapUpSaved {
        contact: ContactRef,
        agent: AgentId,
        /// The disposition the agent chose, if any.
        outcome: Option<String>,
        notes: Option<String>,
    },
}

/// One event for the tenant's subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    /// `evt_` and 32 hex digits, derived from everything else (see the module docs).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub tenant: TenantId,
    /// When it happened (epoch milliseconds).
    pub occurred_at: Timestamp,
    pub data: EventData,
}

impl WebhookEvent {
    fn new(
        kind: EventType,
        tenant: &TenantId,
        occurred_at: Timestamp,
        fact: &str,
        data: EventData,
    ) -> Self {
        let mut hash = Sha256::new();
        hash.update(kind.as_str());
        hash.update([0]);
        hash.update(tenant.as_str());
        hash.update([0]);
        hash.update(fact);
        let id = format!("evt_{}", hex(&hash.finalize()[..16]));
        WebhookEvent {
            id,
            kind,
            tenant: tenant.clone(),
            occurred_at,
            data,
        }
    }

    /// The raw body sent to the receiver (the bytes that are signed).
    pub fn body(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The event a center call event stands for, if any: an offer rings (`call.ringing`), an
    /// accepted offer answers (`call.answered`), a finished wrap-up is `wrap_up.saved`.
    pub fn from_call_event(tenant: &TenantId, event: &CallEvent) -> Option<WebhookEvent> {
        let (kind, at, data) = match &event.kind {
            CallEventKind::Offered(offered) => (
                EventType::CallRinging,
                offered.at,
                EventData::Ringing {
                    contact: offered.contact.clone(),
                    agent: offered.agent.clone(),
                    team: offered.team.clone(),
                    step: offered.step.clone(),
                },
            ),
            CallEventKind::AgentResponded(responded)
                if responded.response == AgentResponse::Accepted =>
            {
                (
                    EventType::CallAnswered,
                    responded.at,
                    EventData::Answered {
                        contact: responded.contact.clone(),
                        agent: responded.agent.clone(),
                    },
                )
            }
            CallEventKind::WrapUpEnded(wrap_up) => (
                EventType::WrapUpSaved,
                wrap_up.at,
                EventData::WrapUpSaved {
                    contact: wrap_up.contact.clone(),
                    agent: wrap_up.agent.clone(),
                    outcome: wrap_up.disposition.clone(),
                    notes: wrap_up.notes.clone(),
                },
            ),
            _ => return None,
        };
        let mut fact = at.0.to_string();
        // Serialising data we built ourselves cannot fail; an empty string would still be stable.
        fact.push_str(&serde_json::to_string(&data).unwrap_or_default());
        Some(WebhookEvent::new(kind, tenant, at, &fact, data))
    }

    /// The events of a conversation that has ended: `call.ended`, and `call.missed` when it was
    /// an inbound call no agent answered. Nothing while it lasts.
    pub fn from_ended_conversation(
        tenant: &TenantId,
        conversation: &Conversation,
    ) -> Vec<WebhookEvent> {
        let Some(ended_at) = conversation.ended_at else {
            return Vec::new();
        };
        let fact = conversation.id.to_string();
        let mut events = vec![WebhookEvent::new(
            EventType::CallEnded,
            tenant,
            ended_at,
            &fact,
            EventData::Ended {
                conversation: Box::new(conversation.clone()),
            },
        )];
        if let Some(reason) = missed_reason(conversation) {
            events.push(WebhookEvent::new(
                EventType::CallMissed,
                tenant,
                ended_at,
                &fact,
                EventData::Missed {
                    reason,
                    conversation: Box::new(conversation.clone()),
                },
            ));
        }
        events
    }
}

/// Why an ended inbound conversation was missed; `None` when it was answered (or outbound).
pub fn missed_reason(conversation: &Conversation) -> Option<MissedReason> {
    if conversation.direction != ConversationDirection::Inbound {
        return None;
    }
    match conversation.outcome {
        ConversationOutcome::Abandoned { .. } if conversation.queue.is_some() => {
            Some(MissedReason::AbandonedInQueue)
        }
        ConversationOutcome::Abandoned { .. } if !conversation.agent_legs.is_empty() => {
            Some(MissedReason::Unanswered)
        }
        ConversationOutcome::Abandoned { .. } => Some(MissedReason::NotRouted),
        ConversationOutcome::Fallback { .. } => Some(MissedReason::Fallback),
        _ => None,
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}
