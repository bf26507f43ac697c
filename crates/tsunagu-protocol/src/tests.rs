//! The wire format written out, so that any change to it shows up in review.

use expect_test::{Expect, expect};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, TenantId, Timestamp};

use crate::{
    AgentPresence, AwayReason, ClientMessage, CustomerCard, Localized, OfferId, PROTOCOL_VERSION,
    PresenceStatus, RecentContact, RequestedStatus, ScreenPop, ServerMessage, TransferTo,
    WithdrawReason, hello_version,
};

fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).expect("test agent ids are valid")
}

fn offer() -> OfferId {
    OfferId {
        interaction: InteractionId::new("CA0123").expect("valid"),
        attempt: 2,
    }
}

/// Checks the JSON of `message` and that it reads back as the same message.
#[track_caller]
fn client(message: &ClientMessage, expect: &Expect) {
    let json = message.to_json();
    expect.assert_eq(&json);
    let back: ClientMessage = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, message);
}

#[track_caller]
fn server(message: &ServerMessage, expect: &Expect) {
    let json = message.to_json();
    expect.assert_eq(&json);
    let back: ServerMessage = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, message);
}

#[test]
fn client_messages_on_the_wire() {
    client(
        &ClientMessage::Hello {
            protocol: PROTOCOL_VERSION,
            session: "v1.abc".into(),
        },
        &expect![[r#"{"type":"hello","protocol":2,"session":"v1.abc"}"#]],
    );
    client(&ClientMessage::Ping, &expect![[r#"{"type":"ping"}"#]]);
    client(
        &ClientMessage::SetStatus {
            status: RequestedStatus::Away {
                reason: AwayReason::Lunch,
            },
        },
        &expect![[r#"{"type":"set_status","status":{"kind":"away","reason":"lunch"}}"#]],
    );
    client(
        &ClientMessage::SetStatus {
            status: RequestedStatus::Available,
        },
        &expect![[r#"{"type":"set_status","status":{"kind":"available"}}"#]],
    );
    client(
        &ClientMessage::AckOffer { offer: offer() },
        &expect![[r#"{"type":"ack_offer","offer":{"interaction":"CA0123","attempt":2}}"#]],
    );
    client(
        &ClientMessage::DeclineOffer { offer: offer() },
        &expect![[r#"{"type":"decline_offer","offer":{"interaction":"CA0123","attempt":2}}"#]],
    );
    client(
        &ClientMessage::EndWrapUp {
            disposition: None,
            notes: None,
        },
        &expect![[r#"{"type":"end_wrap_up"}"#]],
    );
    client(
        &ClientMessage::EndWrapUp {
            disposition: Some("resolved".into()),
            notes: Some("見積書を再送".into()),
        },
        &expect![[r#"{"type":"end_wrap_up","disposition":"resolved","notes":"見積書を再送"}"#]],
    );
    client(
        &ClientMessage::Transfer {
            conversation: offer().interaction,
            to: TransferTo::Agent {
                agent: agent("suzuki"),
            },
        },
        &expect![[
            r#"{"type":"transfer","conversation":"CA0123","to":{"kind":"agent","agent":"suzuki"}}"#
        ]],
    );
    client(
        &ClientMessage::Transfer {
            conversation: offer().interaction,
            to: TransferTo::Number {
                number: "03-1234-5678".into(),
            },
        },
        &expect![[
            r#"{"type":"transfer","conversation":"CA0123","to":{"kind":"number","number":"03-1234-5678"}}"#
        ]],
    );
}

#[test]
fn welcome_and_roster_on_the_wire() {
    let sato = AgentPresence {
        agent: agent("sato"),
        name: "佐藤 花子".into(),
        status: PresenceStatus::Available,
        since: Timestamp(1_700_000_000_000),
    };
    let suzuki = AgentPresence {
        agent: agent("suzuki"),
        name: "鈴木 一郎".into(),
        status: PresenceStatus::Away {
            reason: AwayReason::MissedOffer,
        },
        since: Timestamp(1_700_000_005_000),
    };
    server(
        &ServerMessage::Welcome {
            agent: agent("sato"),
            name: "佐藤 花子".into(),
            tenant: TenantId::new("demo").expect("valid"),
            tenant_name: Localized {
                ja: "デモ株式会社".into(),
                en: "Demo Corp.".into(),
            },
            status: PresenceStatus::Available,
            roster: vec![sato, suzuki.clone()],
            teams: vec![TeamId::new("sales").expect("valid")],
        },
        &expect![[
            r#"{"type":"welcome","agent":"sato","name":"佐藤 花子","tenant":"demo","tenant_name":{"ja":"デモ株式会社","en":"Demo Corp."},"status":{"kind":"available"},"roster":[{"agent":"sato","name":"佐藤 花子","status":{"kind":"available"},"since":1700000000000},{"agent":"suzuki","name":"鈴木 一郎","status":{"kind":"away","reason":"missed_offer"},"since":1700000005000}],"teams":["sales"]}"#
        ]],
    );
    server(
        &ServerMessage::Roster {
            agents: vec![suzuki],
        },
        &expect![[
            r#"{"type":"roster","agents":[{"agent":"suzuki","name":"鈴木 一郎","status":{"kind":"away","reason":"missed_offer"},"since":1700000005000}]}"#
        ]],
    );
}

#[test]
fn offers_on_the_wire() {
    server(
        &ServerMessage::Offer {
            offer: offer(),
            conversation: offer().interaction,
            screen_pop: ScreenPop {
                caller_number: Some("+81312345678".into()),
                customer: Some(CustomerCard {
                    id: CustomerId::new("cust-42").expect("valid"),
                    name: "山田商事".into(),
                    owner: Some(agent("sato")),
                    team: Some(TeamId::new("sales").expect("valid")),
                }),
                recent: vec![RecentContact {
                    at: Timestamp(1_699_000_000_000),
                    channel: Channel::Voice,
                    agent: Some(agent("sato")),
                    summary: Some("見積もりの件".into()),
                }],
            },
            ring_timeout_ms: 15_000,
            ack_timeout_ms: 3_000,
        },
        &expect![[
            r#"{"type":"offer","offer":{"interaction":"CA0123","attempt":2},"conversation":"CA0123","screen_pop":{"caller_number":"+81312345678","customer":{"id":"cust-42","name":"山田商事","owner":"sato","team":"sales"},"recent":[{"at":1699000000000,"channel":"voice","agent":"sato","summary":"見積もりの件"}]},"ring_timeout_ms":15000,"ack_timeout_ms":3000}"#
        ]],
    );
    server(
        &ServerMessage::OfferWithdrawn {
            offer: offer(),
            reason: WithdrawReason::CallerHungUp,
        },
        &expect![[
            r#"{"type":"offer_withdrawn","offer":{"interaction":"CA0123","attempt":2},"reason":"caller_hung_up"}"#
        ]],
    );
}

#[test]
fn short_server_messages_on_the_wire() {
    server(
        &ServerMessage::Status {
            status: PresenceStatus::WrapUp,
            since: Timestamp(1_700_000_000_000),
        },
        &expect![[r#"{"type":"status","status":{"kind":"wrap_up"},"since":1700000000000}"#]],
    );
    server(&ServerMessage::Pong, &expect![[r#"{"type":"pong"}"#]]);
    server(
        &ServerMessage::IncompatibleProtocol {
            server: PROTOCOL_VERSION,
            client: 1,
        },
        &expect![[r#"{"type":"incompatible_protocol","server":2,"client":1}"#]],
    );
    server(
        &ServerMessage::Unauthorized {
            reason: "session expired".into(),
        },
        &expect![[r#"{"type":"unauthorized","reason":"session expired"}"#]],
    );
    server(
        &ServerMessage::Rejected {
            reason: "not allowed now".into(),
        },
        &expect![[r#"{"type":"rejected","reason":"not allowed now"}"#]],
    );
}

#[test]
fn reasons_from_a_newer_server_read_as_other() {
    let status: PresenceStatus =
        serde_json::from_str(r#"{"kind":"away","reason":"vacation"}"#).expect("reads");
    assert_eq!(
        status,
        PresenceStatus::Away {
            reason: AwayReason::Other
        }
    );
    let withdrawn: ServerMessage = serde_json::from_str(
        r#"{"type":"offer_withdrawn","offer":{"interaction":"c1","attempt":1},"reason":"merged"}"#,
    )
    .expect("reads");
    expect![[r#"OfferWithdrawn { offer: OfferId { interaction: InteractionId("c1"), attempt: 1 }, reason: Other }"#]]
        .assert_eq(&format!("{withdrawn:?}"));
}

#[test]
fn the_version_of_any_hello_can_be_read() {
    // Version 1 widgets sent no session, so their hello is not a `ClientMessage` any more.
    let v1 = r#"{"type":"hello","protocol":1}"#;
    assert!(serde_json::from_str::<ClientMessage>(v1).is_err());
    assert_eq!(hello_version(v1), Some(1));
    let v2 = ClientMessage::Hello {
        protocol: PROTOCOL_VERSION,
        session: "s".into(),
    }
    .to_json();
    assert_eq!(hello_version(&v2), Some(2));
    assert_eq!(hello_version(r#"{"type":"ping","protocol":2}"#), None);
    assert_eq!(hello_version("{"), None);
}

#[test]
fn unknown_client_messages_are_errors_not_panics() {
    let parsed = serde_json::from_str::<ClientMessage>(r#"{"type":"format_disk"}"#);
    assert!(parsed.is_err());
    let parsed = serde_json::from_str::<ClientMessage>("not json");
    assert!(parsed.is_err());
    let parsed = serde_json::from_str::<ClientMessage>(
        r#"{"type":"ack_offer","offer":{"interaction":"a b","attempt":1}}"#,
    );
    assert!(parsed.is_err(), "ids are validated on the way in");
}
