//! The wire format written out, so that any change to it shows up in review.

use expect_test::{Expect, expect};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, TenantId, Timestamp};

use crate::{
    AgentPresence, AwayReason, CallEndReason, CallerEvent, CallerMessage, ClientMessage,
    CustomerCard, Localized, OfferId, PROTOCOL_VERSION, PresenceStatus, RecentContact,
    RequestedStatus, SDP_MAX_BYTES, ScreenPop, ServerMessage, Signal, TransferTo, WithdrawReason,
    hello_version,
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
            full: false,
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
                caller_display: Some("03-1234-5678".into()),
                caller_name: None,
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
                skills: vec![crate::NeededSkill {
                    skill: "billing".into(),
                    level: 2,
                }],
                ivr_path: None,
                callback: None,
            },
            ring_timeout_ms: 15_000,
            ack_timeout_ms: 3_000,
            channel: Channel::Voice,
        },
        &expect![[
            r#"{"type":"offer","offer":{"interaction":"CA0123","attempt":2},"conversation":"CA0123","screen_pop":{"caller_number":"+81312345678","caller_display":"03-1234-5678","customer":{"id":"cust-42","name":"山田商事","owner":"sato","team":"sales"},"recent":[{"at":1699000000000,"channel":"voice","agent":"sato","summary":"見積もりの件"}],"skills":[{"skill":"billing","level":2}]},"ring_timeout_ms":15000,"ack_timeout_ms":3000,"channel":"voice"}"#
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

#[test]
fn an_offer_from_a_server_before_web_calls_is_a_phone_call() {
    let old = r#"{"type":"offer","offer":{"interaction":"CA1","attempt":1},"conversation":"CA1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"ring_timeout_ms":15000,"ack_timeout_ms":3000}"#;
    let ServerMessage::Offer { channel, .. } = serde_json::from_str(old).expect("reads") else {
        panic!("not an offer");
    };
    assert_eq!(channel, Channel::Voice);
}

fn web_call() -> InteractionId {
    InteractionId::new("WC00ff").expect("valid")
}

#[test]
fn web_call_messages_of_the_widget_on_the_wire() {
    client(
        &ClientMessage::AcceptOffer { offer: offer() },
        &expect![[r#"{"type":"accept_offer","offer":{"interaction":"CA0123","attempt":2}}"#]],
    );
    client(
        &ClientMessage::Signal {
            conversation: web_call(),
            signal: Signal::Answer {
                sdp: "v=0\r\n".into(),
            },
        },
        &expect![[
            r#"{"type":"signal","conversation":"WC00ff","signal":{"kind":"answer","sdp":"v=0\r\n"}}"#
        ]],
    );
    client(
        &ClientMessage::HangUp {
            conversation: web_call(),
        },
        &expect![[r#"{"type":"hang_up","conversation":"WC00ff"}"#]],
    );
    server(
        &ServerMessage::Offer {
            offer: OfferId {
                interaction: web_call(),
                attempt: 1,
            },
            conversation: web_call(),
            screen_pop: ScreenPop {
                caller_number: Some("+81312345678".into()),
                caller_display: None,
                caller_name: Some("山田 太郎".into()),
                customer: None,
                recent: vec![],
                skills: vec![],
                ivr_path: None,
                callback: None,
            },
            ring_timeout_ms: 15_000,
            ack_timeout_ms: 3_000,
            channel: Channel::WebCall,
        },
        &expect![[
            r#"{"type":"offer","offer":{"interaction":"WC00ff","attempt":1},"conversation":"WC00ff","screen_pop":{"caller_number":"+81312345678","caller_name":"山田 太郎","customer":null,"recent":[]},"ring_timeout_ms":15000,"ack_timeout_ms":3000,"channel":"web_call"}"#
        ]],
    );
    server(
        &ServerMessage::Signal {
            conversation: web_call(),
            signal: Signal::Candidate {
                candidate: "candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
            },
        },
        &expect![[
            r#"{"type":"signal","conversation":"WC00ff","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}"#
        ]],
    );
}

#[track_caller]
fn caller(message: &CallerMessage, expect: &Expect) {
    let json = message.to_json();
    expect.assert_eq(&json);
    let back: CallerMessage = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, message);
}

#[track_caller]
fn to_caller(event: &CallerEvent, expect: &Expect) {
    let json = event.to_json();
    expect.assert_eq(&json);
    let back: CallerEvent = serde_json::from_str(&json).expect("reads back");
    assert_eq!(&back, event);
}

#[test]
fn the_customer_page_socket_on_the_wire() {
    caller(
        &CallerMessage::Start {
            protocol: PROTOCOL_VERSION,
            name: Some("山田 太郎".into()),
            number: Some("03-5555-0101".into()),
        },
        &expect![[r#"{"type":"start","protocol":2,"name":"山田 太郎","number":"03-5555-0101"}"#]],
    );
    caller(
        &CallerMessage::Start {
            protocol: PROTOCOL_VERSION,
            name: None,
            number: None,
        },
        &expect![[r#"{"type":"start","protocol":2}"#]],
    );
    caller(
        &CallerMessage::Signal {
            signal: Signal::Offer {
                sdp: "v=0\r\n".into(),
            },
        },
        &expect![[r#"{"type":"signal","signal":{"kind":"offer","sdp":"v=0\r\n"}}"#]],
    );
    caller(&CallerMessage::HangUp, &expect![[r#"{"type":"hang_up"}"#]]);
    caller(&CallerMessage::Ping, &expect![[r#"{"type":"ping"}"#]]);
    to_caller(
        &CallerEvent::Started {
            conversation: web_call(),
        },
        &expect![[r#"{"type":"started","conversation":"WC00ff"}"#]],
    );
    to_caller(
        &CallerEvent::Queued { position: 2 },
        &expect![[r#"{"type":"queued","position":2}"#]],
    );
    to_caller(&CallerEvent::Ringing, &expect![[r#"{"type":"ringing"}"#]]);
    to_caller(
        &CallerEvent::Connected,
        &expect![[r#"{"type":"connected"}"#]],
    );
    to_caller(
        &CallerEvent::Ended {
            reason: CallEndReason::AgentHungUp,
        },
        &expect![[r#"{"type":"ended","reason":"agent_hung_up"}"#]],
    );
    to_caller(
        &CallerEvent::IncompatibleProtocol {
            server: PROTOCOL_VERSION,
            client: 1,
        },
        &expect![[r#"{"type":"incompatible_protocol","server":2,"client":1}"#]],
    );
    let ended: CallerEvent =
        serde_json::from_str(r#"{"type":"ended","reason":"merged"}"#).expect("reads");
    assert_eq!(
        ended,
        CallerEvent::Ended {
            reason: CallEndReason::Other
        }
    );
}

#[test]
fn signals_are_checked_against_the_relay_limits() {
    let sdp = |len: usize| Signal::Offer {
        sdp: "a".repeat(len),
    };
    assert!(sdp(SDP_MAX_BYTES).within_limits());
    assert!(!sdp(SDP_MAX_BYTES + 1).within_limits());
    let candidate = |len: usize, mid: usize| Signal::Candidate {
        candidate: "c".repeat(len),
        sdp_mid: Some("m".repeat(mid)),
        sdp_m_line_index: None,
    };
    assert!(candidate(1024, 1024).within_limits());
    assert!(!candidate(1025, 1).within_limits());
    assert!(!candidate(1, 1025).within_limits());
    let unknown =
        serde_json::from_str::<CallerMessage>(r#"{"type":"signal","signal":{"kind":"rollback"}}"#);
    assert!(unknown.is_err());
}
