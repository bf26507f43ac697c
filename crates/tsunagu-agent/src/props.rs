//! Property tests: random timelines keep the invariants the agent and the host rely on.

use proptest::prelude::*;
use tsunagu_core::Channel;
use tsunagu_protocol::{OfferId, PresenceStatus, ServerMessage, WithdrawReason};

use crate::{
    Command, Desk, Dialled, HostEvent, Input, LineEvent, Output,
    tests::{connected, disconnected, held, id, offer, resume, ring, status},
};

const CONVERSATIONS: [&str; 3] = ["CAa", "CAb", "WCc"];
const SIDS: [&str; 3] = ["CA1", "CA2", "CA3"];

fn conversation() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&CONVERSATIONS[..])
}

fn sid() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&SIDS[..])
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        conversation().prop_map(|c| offer(
            c,
            if c.starts_with("WC") {
                Channel::WebCall
            } else {
                Channel::Voice
            }
        )),
        (sid(), prop::option::of(conversation())).prop_map(|(s, c)| ring(s, c)),
        sid().prop_map(connected),
        sid().prop_map(disconnected),
        prop::sample::select(vec![
            PresenceStatus::Available,
            PresenceStatus::Reserved,
            PresenceStatus::OnCall,
            PresenceStatus::WrapUp,
            PresenceStatus::Offline,
        ])
        .prop_map(status),
        (conversation(), any::<bool>()).prop_map(|(c, r)| resume(c, r)),
        (conversation(), any::<bool>()).prop_map(|(c, h)| held(c, h)),
        conversation().prop_map(|c| Input::Hub(ServerMessage::OfferWithdrawn {
            offer: OfferId {
                interaction: id(c),
                attempt: 1
            },
            reason: WithdrawReason::NoAnswer,
        })),
        prop::sample::select(vec![
            Command::Accept,
            Command::Reject,
            Command::HangUp,
            Command::ToggleMute,
            Command::ToggleHold,
            Command::EndWrapUp {
                disposition: None,
                notes: None
            },
        ])
        .prop_map(Input::Command),
        Just(Input::DialSent),
        (conversation(), sid()).prop_map(|(c, s)| Input::DialReply(Some(Dialled {
            conversation: c.to_owned(),
            call_sid: s.to_owned(),
            to_display: "03-1234-5678".to_owned(),
            customer: None,
        }))),
        Just(Input::DialReply(None)),
        any::<bool>().prop_map(Input::PhoneOwner),
        Just(Input::Line(LineEvent::Registered)),
        Just(Input::Line(LineEvent::Down)),
        Just(Input::SignedOut),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn calls_offers_and_rejoins_keep_their_invariants(timeline in prop::collection::vec(input(), 0..40)) {
        let mut desk = Desk::new();
        // Whether the host heard `accepted` for a call that has not ended yet.
        let mut live: Option<String> = None;
        let mut steps = timeline;
        steps.push(Input::SignedOut);
        for (at, input) in steps.into_iter().enumerate() {
            let now = 1_000 * at as u64;
            let offered = match &input {
                Input::Hub(ServerMessage::Offer { offer, .. }) => Some(offer.clone()),
                _ => None,
            };
            let resumed = match &input {
                Input::Hub(ServerMessage::Resume { conversation, .. }) => Some(conversation.as_str().to_owned()),
                _ => None,
            };
            let call_before = desk.view().call.clone();
            desk.handle_input(now, input);
            let mut acknowledged = false;
            let mut ended = Vec::new();
            while let Some(output) = desk.poll_output() {
                match output {
                    Output::Hub(tsunagu_protocol::ClientMessage::AckOffer { offer })
                    | Output::Hub(tsunagu_protocol::ClientMessage::DeclineOffer { offer }) => {
                        acknowledged |= offered.as_ref() == Some(&offer);
                    }
                    Output::Host(HostEvent::Accepted { conversation }) => {
                        // Never two live calls: `accepted` again only after `ended`.
                        prop_assert_eq!(&live, &None, "accepted {} while {:?} is live", conversation, live);
                        live = Some(conversation);
                    }
                    Output::CallEnded { conversation } => {
                        if live.as_ref() == Some(&conversation) {
                            live = None;
                        }
                        ended.push(conversation);
                    }
                    _ => {}
                }
            }
            // Every offer is acknowledged (or declined) at once.
            prop_assert!(offered.is_none() || acknowledged, "offer not acknowledged");
            // A reload or tab hand-over never loses the call view.
            if let Some(conversation) = resumed {
                let shown = desk.view().call.as_ref().map(|c| c.conversation.clone());
                prop_assert_eq!(shown, Some(conversation));
            }
            // The call view goes away only with its `ended`.
            if let Some(before) = call_before {
                let after = desk.view().call.as_ref().map(|c| c.conversation.clone());
                if after.as_deref() != Some(before.conversation.as_str()) {
                    prop_assert!(ended.contains(&before.conversation), "call view {} dropped without ended", before.conversation);
                }
            }
        }
        // A host `ended` after every `accepted`: signing out ends whatever was live.
        prop_assert_eq!(live, None);
    }
}
