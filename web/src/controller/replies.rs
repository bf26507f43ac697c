//! The worker's replies the controller reads (session, dial, refusals), as the controller uses
//! them, and the web-call resume rule. The replies themselves, and their one reader, are
//! `tsunagu_protocol::http`'s, shared with the worker that writes them.

use tsunagu_protocol::{ClientMessage, http};

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
        let reply = http::SessionReply::read(json)?;
        let admin = reply.has_role("admin");
        Some(SessionReply {
            admin,
            phone: reply.has_role("agent"),
            audit: admin || reply.has_role("supervisor"),
            direct_dial: reply.direct_dial_from_host,
            session: reply.session,
            expires_at: reply.expires_at,
            agent: reply.agent,
            name: reply.name,
        })
    }
}

/// The `message` of an error reply; empty when there is none or the reply is unreadable.
pub(super) fn error_message(json: &str) -> String {
    http::ErrorReply::read(json).message
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
        let reply = http::DialReply::read(json)?;
        Some(Dialing {
            conversation: reply.conversation,
            call_sid: reply.call_sid,
            to_display: reply.to_display,
            customer: reply.customer.map(|customer| DialledCustomer {
                id: customer.id,
                name: customer.name,
            }),
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
        let http::ErrorReply { error, message } = http::ErrorReply::read(json);
        DialRefusal { error, message }
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
