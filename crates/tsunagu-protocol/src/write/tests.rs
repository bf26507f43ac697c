//! The hand writer checked against serde's derive: every message the widget sends is written byte for byte as `serde_json::to_string` writes it.

use proptest::{prelude::*, strategy::ValueTree};

use crate::{
    AwayReason, ClientMessage, RequestedStatus, TransferTo,
    read::tests::{agent_id, interaction_id, offer_id, signal, team_id, text},
};

/// Every variant, so a new one cannot go unwritten: this match stops compiling.
fn variant(message: &ClientMessage) -> &'static str {
    match message {
        ClientMessage::Hello { .. } => "hello",
        ClientMessage::Ping => "ping",
        ClientMessage::SetStatus { .. } => "set_status",
        ClientMessage::AckOffer { .. } => "ack_offer",
        ClientMessage::DeclineOffer { .. } => "decline_offer",
        ClientMessage::EndWrapUp { .. } => "end_wrap_up",
        ClientMessage::Transfer { .. } => "transfer",
        ClientMessage::Leaving => "leaving",
        ClientMessage::Rejoin { .. } => "rejoin",
        ClientMessage::Hold { .. } => "hold",
        ClientMessage::AcceptOffer { .. } => "accept_offer",
        ClientMessage::Signal { .. } => "signal",
        ClientMessage::HangUp { .. } => "hang_up",
        ClientMessage::WatchRoster { .. } => "watch_roster",
    }
}

const REASONS: [AwayReason; 7] = [
    AwayReason::Break,
    AwayReason::Meeting,
    AwayReason::Lunch,
    AwayReason::Training,
    AwayReason::MissedOffer,
    AwayReason::NoAnswer,
    AwayReason::Other,
];

fn requested_status() -> impl Strategy<Value = RequestedStatus> {
    prop_oneof![
        Just(RequestedStatus::Available),
        Just(RequestedStatus::Offline),
        prop::sample::select(REASONS.to_vec()).prop_map(|reason| RequestedStatus::Away { reason }),
    ]
}

fn transfer_to() -> impl Strategy<Value = TransferTo> {
    prop_oneof![
        agent_id().prop_map(|agent| TransferTo::Agent { agent }),
        team_id().prop_map(|team| TransferTo::Team { team }),
        text().prop_map(|number| TransferTo::Number { number }),
    ]
}

fn client_message() -> impl Strategy<Value = ClientMessage> {
    prop_oneof![
        (any::<u32>(), text())
            .prop_map(|(protocol, session)| ClientMessage::Hello { protocol, session }),
        Just(ClientMessage::Ping),
        requested_status().prop_map(|status| ClientMessage::SetStatus { status }),
        offer_id().prop_map(|offer| ClientMessage::AckOffer { offer }),
        offer_id().prop_map(|offer| ClientMessage::DeclineOffer { offer }),
        (prop::option::of(text()), prop::option::of(text()))
            .prop_map(|(disposition, notes)| ClientMessage::EndWrapUp { disposition, notes }),
        (interaction_id(), transfer_to())
            .prop_map(|(conversation, to)| ClientMessage::Transfer { conversation, to }),
        Just(ClientMessage::Leaving),
        interaction_id().prop_map(|conversation| ClientMessage::Rejoin { conversation }),
        (interaction_id(), any::<bool>())
            .prop_map(|(conversation, held)| ClientMessage::Hold { conversation, held }),
        offer_id().prop_map(|offer| ClientMessage::AcceptOffer { offer }),
        (interaction_id(), signal()).prop_map(|(conversation, signal)| ClientMessage::Signal {
            conversation,
            signal
        }),
        interaction_id().prop_map(|conversation| ClientMessage::HangUp { conversation }),
        any::<bool>().prop_map(|everyone| ClientMessage::WatchRoster { everyone }),
    ]
}

/// Written as serde writes it, byte for byte.
#[track_caller]
fn writes_as_serde(message: &ClientMessage) {
    let derived = serde_json::to_string(message).expect("serializes");
    assert_eq!(message.to_json(), derived, "{message:?}");
}

#[test]
fn every_variant_and_option_is_written_as_the_derive_writes_it() {
    let mut seen = std::collections::BTreeSet::new();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    // Deterministic draws until every variant was written at least once.
    for _ in 0..10_000 {
        let message = client_message()
            .new_tree(&mut runner)
            .expect("draws")
            .current();
        writes_as_serde(&message);
        seen.insert(variant(&message));
    }
    assert_eq!(seen.len(), 14, "{seen:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_messages_are_written_as_the_derive_writes_them(message in client_message()) {
        let derived = serde_json::to_string(&message).expect("serializes");
        prop_assert_eq!(message.to_json(), derived);
    }
}
