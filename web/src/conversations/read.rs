//! The call log's replies read into what the conversations view shows: a page of rows (newest
//! first, with the API's cursor), each row's timeline and its routing audit. Pure (no DOM, no
//! clock): tested natively against the JSON the worker writes.

use tsunagu_core::Channel;
use tsunagu_protocol::json::{Map, Value};

use crate::i18n::{Lang, Texts, conversations::ConversationTexts};

/// A page of `GET /api/conversations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) rows: Vec<Row>,
    /// The cursor of the next (older) page; `None` on the last one.
    pub(crate) next: Option<String>,
    /// The tenant's IANA time zone (its business calendar's), in which times are shown.
    pub(crate) time_zone: Option<String>,
}

/// One conversation as a line of the list, and what opening it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The conversation's interaction (else its root call): what names it in the list.
    pub(crate) key: String,
    pub(crate) started_at: u64,
    /// The customer's number as people read it (`03-5555-0101`), else as stored.
    pub(crate) number: Option<String>,
    pub(crate) customer_name: Option<String>,
    pub(crate) channel: Option<Channel>,
    pub(crate) outbound: bool,
    pub(crate) outcome: Outcome,
    /// The display name of the agent who answered (their id when the directory has no name).
    pub(crate) answered_by: Option<String>,
    pub(crate) timeline: Vec<Moment>,
    pub(crate) audit: Vec<Decision>,
}

/// How a conversation ended up (`ConversationOutcome` on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    InProgress,
    Answered,
    Abandoned {
        after_ms: u64,
    },
    Fallback {
        number: String,
        answered: bool,
    },
    NotReached,
    /// An outcome this build does not know (a newer worker's).
    Other,
}

/// One thing that happened to a conversation, at a time when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Moment {
    pub(crate) at: u64,
    pub(crate) event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    Arrived,
    /// The IVR menu's labels on the caller's way (empty: the menu labelled none).
    Menu(Vec<String>),
    /// An agent was offered it (rung); `outcome` is the leg's (`answered`, `missed`, …).
    Offered {
        agent: String,
        outcome: String,
    },
    Answered {
        agent: String,
    },
    Transferred {
        from: Option<String>,
        to: String,
    },
    Ended(Outcome),
    WrapUp {
        agent: String,
        disposition: Option<String>,
        notes: Option<String>,
    },
}

/// One routing decision of the audit: its time and its text in both languages, line breaks kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) at: u64,
    pub(crate) ja: String,
    pub(crate) en: String,
}

impl Decision {
    pub(crate) fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

/// The page a successful reply's body is; `None` when it is not one.
pub(crate) fn page(body: &str) -> Option<Page> {
    let Value::Object(mut reply) = Value::parse(body)? else {
        return None;
    };
    let Some(Value::Array(items)) = reply.remove("conversations") else {
        return None;
    };
    Some(Page {
        // A conversation this build cannot read is left out rather than hiding the rest.
        rows: items.into_iter().filter_map(row).collect(),
        next: text(&mut reply, "next"),
        time_zone: text(&mut reply, "time_zone"),
    })
}

/// One conversation of the reply (the stitched `Conversation` with the names the API adds).
pub(crate) fn row(value: Value) -> Option<Row> {
    let Value::Object(mut map) = value else {
        return None;
    };
    let names = match map.remove("agent_names") {
        Some(Value::Object(names)) => names,
        _ => Map::new(),
    };
    let name = |agent: String| -> String {
        names
            .get(&agent)
            .and_then(Value::as_str)
            .map_or(agent, str::to_owned)
    };
    let started_at = map.get("started_at")?.as_u64()?;
    let outcome = outcome(map.get("outcome"));
    let mut timeline = vec![Moment {
        at: started_at,
        event: Event::Arrived,
    }];
    if let Some(Value::Array(path)) = map.remove("ivr_path") {
        let labels = path
            .into_iter()
            .filter_map(|label| match label {
                Value::String(label) => Some(label),
                _ => None,
            })
            .collect();
        timeline.push(Moment {
            at: started_at,
            event: Event::Menu(labels),
        });
    }
    for mut leg in objects(map.remove("agent_legs")) {
        let Some(agent) = text(&mut leg, "agent").map(&name) else {
            continue;
        };
        let offered = time(&leg, "offered_at").or_else(|| time(&leg, "ringing_at"));
        timeline.push(Moment {
            at: offered.unwrap_or(started_at),
            event: Event::Offered {
                agent: agent.clone(),
                outcome: text(&mut leg, "outcome").unwrap_or_default(),
            },
        });
        if let Some(at) = time(&leg, "answered_at") {
            timeline.push(Moment {
                at,
                event: Event::Answered {
                    agent: agent.clone(),
                },
            });
        }
        if let Some(Value::Object(mut wrap_up)) = leg.remove("wrap_up") {
            timeline.push(Moment {
                at: time(&wrap_up, "ended_at").unwrap_or(started_at),
                event: Event::WrapUp {
                    agent,
                    disposition: text(&mut wrap_up, "disposition").filter(|d| !d.is_empty()),
                    notes: text(&mut wrap_up, "notes").filter(|n| !n.is_empty()),
                },
            });
        }
    }
    for mut transfer in objects(map.remove("transfers")) {
        let Some(at) = time(&transfer, "at") else {
            continue;
        };
        let to = match transfer.remove("to") {
            Some(Value::Object(mut to)) => match to.remove("agent") {
                Some(Value::String(agent)) => name(agent),
                _ => to
                    .iter()
                    .find_map(|(_, target)| target.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            },
            _ => String::new(),
        };
        timeline.push(Moment {
            at,
            event: Event::Transferred {
                from: text(&mut transfer, "from_agent").map(&name),
                to,
            },
        });
    }
    if let Some(at) = time(&map, "ended_at") {
        timeline.push(Moment {
            at,
            event: Event::Ended(outcome.clone()),
        });
    }
    // In time order; what happened at the same moment keeps the order written above.
    timeline.sort_by_key(|moment| moment.at);
    let audit = objects(map.remove("routing"))
        .into_iter()
        .filter_map(|mut decision| {
            Some(Decision {
                at: time(&decision, "at")?,
                ja: text(&mut decision, "ja")?,
                en: text(&mut decision, "en")?,
            })
        })
        .collect();
    let number = text(&mut map, "customer_display").or_else(|| text(&mut map, "customer_number"));
    Some(Row {
        key: text(&mut map, "interaction")
            .or_else(|| text(&mut map, "root_call_sid"))
            .unwrap_or_else(|| started_at.to_string()),
        started_at,
        number,
        customer_name: text(&mut map, "customer_name"),
        channel: map
            .get("channel")
            .and_then(Value::as_str)
            .and_then(|wire| Channel::ALL.into_iter().find(|c| c.as_str() == wire)),
        outbound: map.get("direction").and_then(Value::as_str) == Some("outbound"),
        outcome,
        answered_by: text(&mut map, "answered_by").map(&name),
        timeline,
        audit,
    })
}

fn outcome(value: Option<&Value>) -> Outcome {
    match value {
        Some(Value::String(kind)) => match kind.as_str() {
            "in_progress" => Outcome::InProgress,
            "answered" => Outcome::Answered,
            "not_reached" => Outcome::NotReached,
            _ => Outcome::Other,
        },
        Some(Value::Object(tagged)) => {
            if let Some(abandoned) = tagged.get("abandoned") {
                Outcome::Abandoned {
                    after_ms: abandoned.get("after").and_then(Value::as_u64).unwrap_or(0),
                }
            } else if let Some(fallback) = tagged.get("fallback") {
                Outcome::Fallback {
                    number: fallback
                        .get("number")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    answered: fallback.get("answered").and_then(Value::as_bool) == Some(true),
                }
            } else {
                Outcome::Other
            }
        }
        _ => Outcome::Other,
    }
}

fn objects(value: Option<Value>) -> Vec<Map> {
    match value {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(map) => Some(map),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn text(map: &mut Map, key: &str) -> Option<String> {
    match map.remove(key)? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

fn time(map: &Map, key: &str) -> Option<u64> {
    map.get(key)?.as_u64()
}

/// An outcome in words.
pub(crate) fn outcome_text(t: &ConversationTexts, outcome: &Outcome) -> String {
    match outcome {
        Outcome::InProgress => t.in_progress.to_owned(),
        Outcome::Answered => t.answered.to_owned(),
        Outcome::Abandoned { after_ms } => t
            .abandoned_after
            .replace("{s}", &(after_ms / 1000).to_string()),
        Outcome::Fallback { number, answered } => {
            let template = if *answered {
                t.fallback_answered
            } else {
                t.fallback_unanswered
            };
            template.replace("{number}", number)
        }
        Outcome::NotReached => t.not_reached.to_owned(),
        Outcome::Other => t.outcome_other.to_owned(),
    }
}

/// A channel as the phone names it. The phone's labels are read as data, not through its
/// `Texts::channel`: a call from this module would keep that function out of line in the
/// phone's download, which every agent pays for.
pub(crate) fn channel_label(phone: &Texts, channel: Channel) -> &'static str {
    match channel {
        Channel::Voice => phone.channel_voice,
        Channel::WebCall => phone.channel_web_call,
        Channel::Chat => phone.channel_chat,
        Channel::Sms => "SMS",
        Channel::Line => "LINE",
        Channel::Email => phone.channel_email,
        _ => phone.channel_other,
    }
}

/// A wrap-up outcome as the wrap-up screen names it (a tenant's own code as written); read as
/// data for the same reason as [`channel_label`].
fn disposition_label<'a>(phone: &Texts, code: &'a str) -> &'a str {
    match code {
        "resolved" => phone.disposition_resolved,
        "follow_up" => phone.disposition_follow_up,
        "escalated" => phone.disposition_escalated,
        "wrong_number" => phone.disposition_wrong_number,
        other => other,
    }
}

/// A leg's outcome (`answered`, `missed`, …) in words; one this build does not know as written.
fn leg_outcome<'a>(t: &ConversationTexts, code: &'a str) -> &'a str {
    match code {
        "pending" => t.leg_pending,
        "answered" => t.leg_answered,
        "no_answer" => t.leg_no_answer,
        "busy" => t.leg_busy,
        "declined" => t.leg_declined,
        "failed" => t.leg_failed,
        "canceled" => t.leg_canceled,
        "missed" => t.leg_missed,
        other => other,
    }
}

/// A moment of the timeline in words (`phone` gives the channels and wrap-up outcomes, the
/// phone's own labels).
pub(crate) fn moment_text(
    t: &ConversationTexts,
    phone: &Texts,
    row: &Row,
    event: &Event,
) -> String {
    match event {
        Event::Arrived => {
            let channel = row
                .channel
                .map(|c| channel_label(phone, c))
                .unwrap_or_default();
            let template = if row.outbound { t.dialled } else { t.arrived };
            template.replace("{channel}", channel)
        }
        Event::Menu(path) => {
            let path = if path.is_empty() {
                phone.ivr_no_label.to_owned()
            } else {
                path.join(" → ")
            };
            format!("{}: {path}", phone.ivr_path)
        }
        Event::Offered { agent, outcome } => t
            .offered
            .replace("{agent}", agent)
            .replace("{outcome}", leg_outcome(t, outcome)),
        Event::Answered { agent } => t.answered_by.replace("{agent}", agent),
        Event::Transferred { from, to } => t
            .transferred
            .replace("{from}", from.as_deref().unwrap_or("—"))
            .replace("{to}", to),
        Event::Ended(outcome) => t.ended.replace("{outcome}", &outcome_text(t, outcome)),
        Event::WrapUp {
            agent,
            disposition,
            notes,
        } => {
            let mut line = t.wrap_up.replace("{agent}", agent);
            if let Some(disposition) = disposition {
                line.push_str(" · ");
                line.push_str(disposition_label(phone, disposition));
            }
            if let Some(notes) = notes {
                line.push_str(" · ");
                line.push_str(t.notes);
                line.push_str(notes);
            }
            line
        }
    }
}

// Native only: they check against `tsunagu-stitch`, a native dev-dependency of this crate.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
