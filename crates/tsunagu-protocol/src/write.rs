//! The widget's messages to the hub written by hand, byte for byte as serde's derive writes them.
//!
//! `serde_json::to_string` on the derive linked serde_json's serializer into the widget's
//! download; this writer needs only [`ObjectWriter`]. The tests (`write/tests.rs`) compare it
//! with the derive on every variant and on generated messages. The worker reads these messages
//! with the derive, which stays.

use crate::{ClientMessage, OfferId, RequestedStatus, Signal, TransferTo, json::ObjectWriter};

impl ClientMessage {
    /// The message as JSON text, as `serde_json::to_string` writes it.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut message = ObjectWriter::open(&mut out);
        let m = &mut message;
        match self {
            ClientMessage::Hello { protocol, session } => {
                m.text("type", "hello")
                    .number("protocol", u64::from(*protocol))
                    .text("session", session);
            }
            ClientMessage::Ping => {
                m.text("type", "ping");
            }
            ClientMessage::SetStatus { status } => {
                m.text("type", "set_status")
                    .object("status", |o| requested_status(o, *status));
            }
            ClientMessage::WatchRoster { everyone } => {
                m.text("type", "watch_roster")
                    .boolean("everyone", *everyone);
            }
            ClientMessage::AckOffer { offer } => {
                m.text("type", "ack_offer")
                    .object("offer", |o| offer_id(o, offer));
            }
            ClientMessage::DeclineOffer { offer } => {
                m.text("type", "decline_offer")
                    .object("offer", |o| offer_id(o, offer));
            }
            ClientMessage::EndWrapUp { disposition, notes } => {
                m.text("type", "end_wrap_up")
                    .text_if_some("disposition", disposition.as_deref())
                    .text_if_some("notes", notes.as_deref());
            }
            ClientMessage::Transfer { conversation, to } => {
                m.text("type", "transfer")
                    .text("conversation", conversation.as_str())
                    .object("to", |o| transfer_to(o, to));
            }
            ClientMessage::Leaving => {
                m.text("type", "leaving");
            }
            ClientMessage::Rejoin { conversation } => {
                m.text("type", "rejoin")
                    .text("conversation", conversation.as_str());
            }
            ClientMessage::Hold { conversation, held } => {
                m.text("type", "hold")
                    .text("conversation", conversation.as_str())
                    .boolean("held", *held);
            }
            ClientMessage::AcceptOffer { offer } => {
                m.text("type", "accept_offer")
                    .object("offer", |o| offer_id(o, offer));
            }
            ClientMessage::Signal {
                conversation,
                signal: s,
            } => {
                m.text("type", "signal")
                    .text("conversation", conversation.as_str())
                    .object("signal", |o| signal(o, s));
            }
            ClientMessage::HangUp { conversation } => {
                m.text("type", "hang_up")
                    .text("conversation", conversation.as_str());
            }
        }
        message.close();
        out
    }
}

fn requested_status(o: &mut ObjectWriter<'_>, status: RequestedStatus) {
    match status {
        RequestedStatus::Available => o.text("kind", "available"),
        RequestedStatus::Away { reason } => o.text("kind", "away").text("reason", reason.as_wire()),
        RequestedStatus::Offline => o.text("kind", "offline"),
    };
}

fn offer_id(o: &mut ObjectWriter<'_>, offer: &OfferId) {
    o.text("interaction", offer.interaction.as_str())
        .number("attempt", u64::from(offer.attempt));
}

fn transfer_to(o: &mut ObjectWriter<'_>, to: &TransferTo) {
    match to {
        TransferTo::Agent { agent } => o.text("kind", "agent").text("agent", agent.as_str()),
        TransferTo::Team { team } => o.text("kind", "team").text("team", team.as_str()),
        TransferTo::Number { number } => o.text("kind", "number").text("number", number),
    };
}

fn signal(o: &mut ObjectWriter<'_>, signal: &Signal) {
    match signal {
        Signal::Offer { sdp } => o.text("kind", "offer").text("sdp", sdp),
        Signal::Answer { sdp } => o.text("kind", "answer").text("sdp", sdp),
        Signal::Candidate {
            candidate,
            sdp_mid,
            sdp_m_line_index,
        } => {
            o.text("kind", "candidate")
                .text("candidate", candidate)
                .text_if_some("sdp_mid", sdp_mid.as_deref());
            if let Some(index) = sdp_m_line_index {
                o.number("sdp_m_line_index", u64::from(*index));
            }
            o
        }
    };
}

#[cfg(test)]
mod tests;
