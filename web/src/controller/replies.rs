//! The worker's replies the controller reads (session, dial, refusals) and the web-call resume rule.

use tsunagu_protocol::ClientMessage;

use crate::json::Fields;

/// `POST /api/session`'s reply.
pub(super) struct SessionReply {
    pub(super) session: String,
    pub(super) expires_at: u64,
    pub(super) agent: String,
    pub(super) name: String,
    pub(super) direct_dial: bool,
    /// The session holds the `admin` role (the worker checks it again on every admin route).
    pub(super) admin: bool,
    /// The session holds the `agent` role: it is a phone (the hub refuses a socket without it).
    pub(super) phone: bool,
    /// The session reads the routing audit (`supervisor` or `admin`): the conversations view.
    pub(super) audit: bool,
}

impl SessionReply {
    pub(super) fn read(json: &str) -> Option<SessionReply> {
        let mut fields = Fields::parse(json)?;
        let roles = fields.take("roles");
        let has = |name: &str| {
            roles
                .as_ref()
                .and_then(|roles| roles.as_array())
                .is_some_and(|roles| roles.iter().any(|role| role.as_str() == Some(name)))
        };
        let admin = has("admin");
        Some(SessionReply {
            session: fields.text("session")?,
            expires_at: fields.number("expires_at")?,
            agent: fields.text("agent")?,
            name: fields.text("name")?,
            direct_dial: fields
                .take("direct_dial_from_host")
                .and_then(|flag| flag.as_bool())
                .unwrap_or(false),
            admin,
            phone: has("agent"),
            audit: admin || has("supervisor"),
        })
    }
}

/// The `message` of an error reply; empty when there is none or the reply is unreadable.
pub(super) fn error_message(json: &str) -> String {
    Fields::parse(json)
        .and_then(|mut fields| fields.text_or_empty("message"))
        .unwrap_or_default()
}

/// `POST /api/calls`' reply: the outbound call the worker created.
#[derive(Debug, Clone)]
pub(super) struct Dialing {
    pub(super) conversation: String,
    pub(super) call_sid: String,
    pub(super) to_display: String,
    pub(super) customer: Option<DialledCustomer>,
}

impl Dialing {
    pub(super) fn read(json: &str) -> Option<Dialing> {
        let mut fields = Fields::parse(json)?;
        Some(Dialing {
            conversation: fields.text("conversation")?,
            call_sid: fields.text("call_sid")?,
            to_display: fields.text("to_display")?,
            customer: match fields.optional_object("customer")? {
                Some(mut customer) => Some(DialledCustomer {
                    id: customer.text("id")?,
                    name: customer.text("name")?,
                }),
                None => None,
            },
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct DialledCustomer {
    pub(super) id: String,
    pub(super) name: String,
}

#[derive(Debug, Clone)]
pub(super) struct DialRefusal {
    pub(super) error: String,
    pub(super) message: String,
}

impl DialRefusal {
    /// The refusal in `json`; both empty when it is unreadable.
    pub(super) fn read(json: &str) -> DialRefusal {
        let refusal = Fields::parse(json).and_then(|mut fields| {
            Some(DialRefusal {
                error: fields.text_or_empty("error")?,
                message: fields.text_or_empty("message")?,
            })
        });
        refusal.unwrap_or(DialRefusal {
            error: String::new(),
            message: String::new(),
        })
    }
}

/// The answer to a `Resume` of a web call: `Rejoin` when this page's line carries it; `HangUp`
/// when this tab owns the agent's phone but has no line (a fresh page after a crash: the peer
/// connection died with the old page); nothing from a tab that does not own the phone, since
/// the owner (the only tab that rings and accepts) may hold the call and take it back itself.
pub(super) fn web_resume_reply(
    holds_line: bool,
    owns_phone: bool,
    conversation: tsunagu_core::InteractionId,
) -> Option<ClientMessage> {
    if holds_line {
        Some(ClientMessage::Rejoin { conversation })
    } else if owns_phone {
        Some(ClientMessage::HangUp { conversation })
    } else {
        None
    }
}
