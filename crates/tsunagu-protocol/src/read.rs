//! The hub's messages read by hand from parsed JSON, for the widget's download weight.
//!
//! `serde_json::from_str::<ServerMessage>` buffers every message in serde's `Content` (the price
//! of `#[serde(tag = "type")]`) and instantiates the derive for every type below it: 23 KB gzipped
//! of the widget's wasm. The message is parsed into this crate's small [`json::Value`](crate::json)
//! instead (the widget links no serde_json), and [`ServerMessage::from_value`] takes it apart.
//! The worker keeps the derive.
//!
//! It reads every message serde writes as the derive does (the tests check this against the
//! derive): unknown fields are ignored, absent `Option`s are `None`, `#[serde(default)]` fields
//! fall back only when absent, unknown reasons read as `Other`, ids are validated. It refuses
//! forms serde never writes that the derive accepts: a struct or message as a JSON array of its
//! fields, a variant by its index, `{"variant": null}` for a unit enum. Where a key repeats, the
//! last one counts (`Value` keeps one); the derive refuses such a message.

use crate::json::{Map, Value};
use tsunagu_core::{Channel, Timestamp};

use crate::{
    AgentPresence, AwayReason, CustomerCard, Localized, NeededSkill, OfferId, PresenceStatus,
    PushedRecord, RecentContact, ScreenPop, ServerMessage, Signal, WithdrawReason,
};

/// Why a hub message could not be read. Never echoes the input: field names are ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("not JSON")]
    NotJson,
    #[error("not a JSON object with a string `type`")]
    NoType,
    #[error("unknown message type")]
    UnknownType,
    #[error("field `{0}` is missing or invalid")]
    Field(&'static str),
}

impl ServerMessage {
    /// Reads one hub message from its JSON text; what `serde_json::from_str` with the derive
    /// reads (JSON text apart: see [`crate::json`]), for a fraction of the code.
    pub fn read(json: &str) -> Result<ServerMessage, ReadError> {
        let value = Value::parse(json).ok_or(ReadError::NotJson)?;
        ServerMessage::from_value(value)
    }

    /// Reads one hub message from JSON already parsed.
    pub fn from_value(value: Value) -> Result<ServerMessage, ReadError> {
        let Value::Object(map) = value else {
            return Err(ReadError::NoType);
        };
        let mut message = Fields(map);
        let Some(Value::String(kind)) = message.0.remove("type") else {
            return Err(ReadError::NoType);
        };
        let m = &mut message;
        Ok(match kind.as_str() {
            "welcome" => ServerMessage::Welcome {
                agent: m.field("agent", id)?,
                name: m.field("name", text)?,
                tenant: m.field("tenant", id)?,
                tenant_name: m.field("tenant_name", localized)?,
                status: m.field("status", presence)?,
                roster: m.field("roster", |v| list(v, agent_presence))?,
                teams: m
                    .defaulted("teams", Vec::new(), |v| list(v, id))
                    .ok_or(ReadError::Field("teams"))?,
            },
            "roster" => ServerMessage::Roster {
                agents: m.field("agents", |v| list(v, agent_presence))?,
                full: m
                    .defaulted("full", false, boolean)
                    .ok_or(ReadError::Field("full"))?,
            },
            "offer" => ServerMessage::Offer {
                offer: m.field("offer", offer_id)?,
                conversation: m.field("conversation", id)?,
                screen_pop: m.field("screen_pop", screen_pop)?,
                ring_timeout_ms: m.field("ring_timeout_ms", number)?,
                ack_timeout_ms: m.field("ack_timeout_ms", number)?,
                channel: m
                    .defaulted("channel", Channel::Voice, channel)
                    .ok_or(ReadError::Field("channel"))?,
            },
            "resume" => ServerMessage::Resume {
                conversation: m.field("conversation", id)?,
                screen_pop: m.field("screen_pop", screen_pop)?,
                since: m.field("since", timestamp)?,
                rejoin: m.field("rejoin", boolean)?,
                web: m
                    .defaulted("web", false, boolean)
                    .ok_or(ReadError::Field("web"))?,
            },
            "held" => ServerMessage::Held {
                conversation: m.field("conversation", id)?,
                held: m.field("held", boolean)?,
            },
            "offer_withdrawn" => ServerMessage::OfferWithdrawn {
                offer: m.field("offer", offer_id)?,
                reason: m.field("reason", withdraw_reason)?,
            },
            "status" => ServerMessage::Status {
                status: m.field("status", presence)?,
                since: m.field("since", timestamp)?,
            },
            "signal" => ServerMessage::Signal {
                conversation: m.field("conversation", id)?,
                signal: m.field("signal", signal)?,
            },
            "dial_request" => ServerMessage::DialRequest {
                to: m.field("to", text)?,
                to_display: m.field("to_display", text)?,
                customer: m
                    .optional("customer", customer_card)
                    .ok_or(ReadError::Field("customer"))?,
                confirm: m.field("confirm", boolean)?,
            },
            "show_record" => ServerMessage::ShowRecord {
                record: m.field("record", pushed_record)?,
            },
            "pong" => ServerMessage::Pong,
            "incompatible_protocol" => ServerMessage::IncompatibleProtocol {
                server: m.field("server", number)?,
                client: m.field("client", number)?,
            },
            "unauthorized" => ServerMessage::Unauthorized {
                reason: m.field("reason", text)?,
            },
            "rejected" => ServerMessage::Rejected {
                reason: m.field("reason", text)?,
            },
            _ => return Err(ReadError::UnknownType),
        })
    }
}

impl AwayReason {
    /// The reason a wire name stands for; names this build does not know are [`AwayReason::Other`].
    pub fn from_wire(name: &str) -> AwayReason {
        match name {
            "break" => AwayReason::Break,
            "meeting" => AwayReason::Meeting,
            "lunch" => AwayReason::Lunch,
            "training" => AwayReason::Training,
            "missed_offer" => AwayReason::MissedOffer,
            "no_answer" => AwayReason::NoAnswer,
            _ => AwayReason::Other,
        }
    }

    /// The reason's wire name, as serde writes it.
    pub fn as_wire(self) -> &'static str {
        match self {
            AwayReason::Break => "break",
            AwayReason::Meeting => "meeting",
            AwayReason::Lunch => "lunch",
            AwayReason::Training => "training",
            AwayReason::MissedOffer => "missed_offer",
            AwayReason::NoAnswer => "no_answer",
            AwayReason::Other => "other",
        }
    }
}

/// An object's fields, taken out one by one (each is read once). The HTTP replies' readers
/// (`http.rs`) use it too.
pub(crate) struct Fields(Map);

impl Fields {
    pub(crate) fn of(value: Value) -> Option<Fields> {
        match value {
            Value::Object(map) => Some(Fields(map)),
            _ => None,
        }
    }

    pub(crate) fn required<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Option<T> {
        self.0.remove(name).and_then(read)
    }

    /// An `Option` field: absent or `null` is `None` (as the derive reads it).
    pub(crate) fn optional<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Option<Option<T>> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => read(value).map(Some),
        }
    }

    /// A `#[serde(default)]` field: only absence falls back (`null` is refused, as by the derive).
    pub(crate) fn defaulted<T>(
        &mut self,
        name: &str,
        default: T,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Option<T> {
        match self.0.remove(name) {
            None => Some(default),
            Some(value) => read(value),
        }
    }

    /// A field of the message itself, whose name the error gives.
    fn field<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Result<T, ReadError> {
        self.required(name, read).ok_or(ReadError::Field(name))
    }

    /// The tag of an internally tagged enum (`kind`).
    fn tag(&mut self) -> Option<String> {
        self.required("kind", text)
    }
}

pub(crate) fn text(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "every reader takes the value it reads, so all fit `Fields::required`"
)]
fn boolean(value: Value) -> Option<bool> {
    value.as_bool()
}

/// A whole number that fits `T` (`u16`, `u32`, `u64`); fractions and negatives are refused.
#[allow(
    clippy::needless_pass_by_value,
    reason = "every reader takes the value it reads, so all fit `Fields::required`"
)]
pub(crate) fn number<T: TryFrom<u64>>(value: Value) -> Option<T> {
    T::try_from(value.as_u64()?).ok()
}

fn timestamp(value: Value) -> Option<Timestamp> {
    number(value).map(Timestamp)
}

/// An identifier, validated as its own `Deserialize` does (`try_from = "String"`).
fn id<T: TryFrom<String>>(value: Value) -> Option<T> {
    T::try_from(text(value)?).ok()
}

pub(crate) fn list<T>(value: Value, read: fn(Value) -> Option<T>) -> Option<Vec<T>> {
    match value {
        Value::Array(items) => items.into_iter().map(read).collect(),
        _ => None,
    }
}

fn localized(value: Value) -> Option<Localized> {
    let mut fields = Fields::of(value)?;
    Some(Localized {
        ja: fields.required("ja", text)?,
        en: fields.required("en", text)?,
    })
}

fn offer_id(value: Value) -> Option<OfferId> {
    let mut fields = Fields::of(value)?;
    Some(OfferId {
        interaction: fields.required("interaction", id)?,
        attempt: fields.required("attempt", number)?,
    })
}

fn channel(value: Value) -> Option<Channel> {
    let name = text(value)?;
    Channel::ALL
        .into_iter()
        .find(|channel| channel.as_str() == name)
}

fn away_reason(value: Value) -> Option<AwayReason> {
    text(value).map(|name| AwayReason::from_wire(&name))
}

fn withdraw_reason(value: Value) -> Option<WithdrawReason> {
    Some(match text(value)?.as_str() {
        "caller_hung_up" => WithdrawReason::CallerHungUp,
        "not_acknowledged" => WithdrawReason::NotAcknowledged,
        "no_answer" => WithdrawReason::NoAnswer,
        "declined" => WithdrawReason::Declined,
        "failed" => WithdrawReason::Failed,
        _ => WithdrawReason::Other,
    })
}

fn presence(value: Value) -> Option<PresenceStatus> {
    let mut fields = Fields::of(value)?;
    Some(match fields.tag()?.as_str() {
        "offline" => PresenceStatus::Offline,
        "available" => PresenceStatus::Available,
        "away" => PresenceStatus::Away {
            reason: fields.required("reason", away_reason)?,
        },
        "reserved" => PresenceStatus::Reserved,
        "on_call" => PresenceStatus::OnCall,
        "wrap_up" => PresenceStatus::WrapUp,
        _ => return None,
    })
}

fn agent_presence(value: Value) -> Option<AgentPresence> {
    let mut fields = Fields::of(value)?;
    Some(AgentPresence {
        agent: fields.required("agent", id)?,
        name: fields.required("name", text)?,
        status: fields.required("status", presence)?,
        since: fields.required("since", timestamp)?,
    })
}

fn screen_pop(value: Value) -> Option<ScreenPop> {
    let mut fields = Fields::of(value)?;
    Some(ScreenPop {
        caller_number: fields.optional("caller_number", text)?,
        caller_display: fields.optional("caller_display", text)?,
        caller_name: fields.optional("caller_name", text)?,
        customer: fields.optional("customer", customer_card)?,
        recent: fields.required("recent", |v| list(v, recent_contact))?,
        skills: fields.defaulted("skills", Vec::new(), |v| list(v, needed_skill))?,
        ivr_path: fields.optional("ivr_path", |v| list(v, text))?,
        callback: fields.optional("callback", text)?,
    })
}

fn needed_skill(value: Value) -> Option<NeededSkill> {
    let mut fields = Fields::of(value)?;
    Some(NeededSkill {
        skill: fields.required("skill", text)?,
        level: fields.required("level", number)?,
    })
}

fn customer_card(value: Value) -> Option<CustomerCard> {
    let mut fields = Fields::of(value)?;
    Some(CustomerCard {
        id: fields.required("id", id)?,
        name: fields.required("name", text)?,
        owner: fields.optional("owner", id)?,
        team: fields.optional("team", id)?,
    })
}

fn pushed_record(value: Value) -> Option<PushedRecord> {
    let mut fields = Fields::of(value)?;
    Some(PushedRecord {
        customer: fields.optional("customer", id)?,
        title: fields.required("title", text)?,
        subtitle: fields.optional("subtitle", text)?,
        number: fields.optional("number", text)?,
        url: fields.optional("url", text)?,
    })
}

fn recent_contact(value: Value) -> Option<RecentContact> {
    let mut fields = Fields::of(value)?;
    Some(RecentContact {
        at: fields.required("at", timestamp)?,
        channel: fields.required("channel", channel)?,
        agent: fields.optional("agent", id)?,
        summary: fields.optional("summary", text)?,
    })
}

fn signal(value: Value) -> Option<Signal> {
    let mut fields = Fields::of(value)?;
    Some(match fields.tag()?.as_str() {
        "offer" => Signal::Offer {
            sdp: fields.required("sdp", text)?,
        },
        "answer" => Signal::Answer {
            sdp: fields.required("sdp", text)?,
        },
        "candidate" => Signal::Candidate {
            candidate: fields.required("candidate", text)?,
            sdp_mid: fields.optional("sdp_mid", text)?,
            sdp_m_line_index: fields.optional("sdp_m_line_index", number)?,
        },
        _ => return None,
    })
}

#[cfg(test)]
pub(crate) mod tests;
