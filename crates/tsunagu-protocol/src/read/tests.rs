//! The hand reader checked against serde's derive: every message the hub writes, fixed and generated, reads back equal; broken ones are refused alike.
//!
//! Here the fixed messages; generated ones in `tests/generated.rs`, broken ones and the
//! properties in `tests/broken.rs`.

use expect_test::expect;
use proptest::prelude::*;
use serde_json::{Value, json};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, TenantId, Timestamp};

use crate::{
    AgentPresence, AwayReason, CustomerCard, Localized, OfferId, PROTOCOL_VERSION, PresenceStatus,
    PushedRecord, RecentContact, ScreenPop, ServerMessage, Signal, WithdrawReason,
};

mod broken;
mod generated;

pub(crate) use generated::{agent_id, interaction_id, offer_id, signal, team_id, text};

/// What the widget read before: serde's derive over the JSON text.
fn derived(json: &str) -> Option<ServerMessage> {
    serde_json::from_str(json).ok()
}

/// The message written by serde reads back equal by hand, and as the derive reads it.
#[track_caller]
fn reads_back(message: &ServerMessage) {
    let json = message.to_json();
    assert_eq!(ServerMessage::read(&json).as_ref(), Ok(message), "{json}");
    assert_eq!(derived(&json).as_ref(), Some(message), "{json}");
}

/// Every variant, so a new one cannot go untested: this match stops compiling.
fn variant(message: &ServerMessage) -> &'static str {
    match message {
        ServerMessage::Welcome { .. } => "welcome",
        ServerMessage::Roster { .. } => "roster",
        ServerMessage::Offer { .. } => "offer",
        ServerMessage::Resume { .. } => "resume",
        ServerMessage::Held { .. } => "held",
        ServerMessage::OfferWithdrawn { .. } => "offer_withdrawn",
        ServerMessage::Status { .. } => "status",
        ServerMessage::Signal { .. } => "signal",
        ServerMessage::DialRequest { .. } => "dial_request",
        ServerMessage::ShowRecord { .. } => "show_record",
        ServerMessage::Pong => "pong",
        ServerMessage::IncompatibleProtocol { .. } => "incompatible_protocol",
        ServerMessage::Unauthorized { .. } => "unauthorized",
        ServerMessage::Rejected { .. } => "rejected",
    }
}

const VARIANTS: usize = 14;

fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).expect("test agent ids are valid")
}

fn conversation(raw: &str) -> InteractionId {
    InteractionId::new(raw).expect("test interaction ids are valid")
}

fn team(raw: &str) -> TeamId {
    TeamId::new(raw).expect("test team ids are valid")
}

const AWAY_REASONS: [AwayReason; 7] = [
    AwayReason::Break,
    AwayReason::Meeting,
    AwayReason::Lunch,
    AwayReason::Training,
    AwayReason::MissedOffer,
    AwayReason::NoAnswer,
    AwayReason::Other,
];

const WITHDRAW_REASONS: [WithdrawReason; 6] = [
    WithdrawReason::CallerHungUp,
    WithdrawReason::NotAcknowledged,
    WithdrawReason::NoAnswer,
    WithdrawReason::Declined,
    WithdrawReason::Failed,
    WithdrawReason::Other,
];

fn statuses() -> Vec<PresenceStatus> {
    let mut statuses = vec![
        PresenceStatus::Offline,
        PresenceStatus::Available,
        PresenceStatus::Reserved,
        PresenceStatus::OnCall,
        PresenceStatus::WrapUp,
    ];
    statuses.extend(AWAY_REASONS.map(|reason| PresenceStatus::Away { reason }));
    statuses
}

fn full_screen_pop() -> ScreenPop {
    ScreenPop {
        caller_number: Some("+81312345678".into()),
        caller_display: Some("03-1234-5678".into()),
        caller_name: Some("山田 太郎 \"\\\n\u{1F600}".into()),
        customer: Some(CustomerCard {
            id: CustomerId::new("cust-42").expect("valid"),
            name: "山田商事".into(),
            owner: Some(agent("sato")),
            team: Some(team("sales")),
        }),
        recent: Channel::ALL
            .iter()
            .enumerate()
            .map(|(n, &channel)| RecentContact {
                at: Timestamp(1_699_000_000_000 + n as u64),
                channel,
                agent: (n % 2 == 0).then(|| agent("suzuki")),
                summary: (n % 3 == 0).then(|| "見積もりの件".to_owned()),
            })
            .collect(),
        skills: vec![
            crate::NeededSkill {
                skill: "billing".into(),
                level: 2,
            },
            crate::NeededSkill {
                skill: "korean".into(),
                level: 1,
            },
        ],
        ivr_path: Some(vec!["請求".into(), "料金チーム".into()]),
        callback: None,
    }
}

fn empty_screen_pop() -> ScreenPop {
    ScreenPop {
        caller_number: None,
        caller_display: None,
        caller_name: None,
        customer: Some(CustomerCard {
            id: CustomerId::new("c").expect("valid"),
            name: String::new(),
            owner: None,
            team: None,
        }),
        recent: vec![],
        skills: vec![],
        ivr_path: None,
        callback: None,
    }
}

/// Every message the hub sends, with real values, each variant and each enum value at least once.
fn hub_messages() -> Vec<ServerMessage> {
    let roster: Vec<AgentPresence> = statuses()
        .into_iter()
        .enumerate()
        .map(|(n, status)| AgentPresence {
            agent: agent(&format!("agent_{n}")),
            name: format!("エージェント {n}"),
            status,
            since: Timestamp(1_700_000_000_000 + n as u64),
        })
        .collect();
    let offer = OfferId {
        interaction: conversation("CA0123"),
        attempt: u32::MAX,
    };
    let mut messages = vec![
        ServerMessage::Welcome {
            agent: agent("sato"),
            name: "佐藤 花子".into(),
            tenant: TenantId::new("demo-jp").expect("valid"),
            tenant_name: Localized {
                ja: "デモ株式会社".into(),
                en: "Demo Corp.".into(),
            },
            status: PresenceStatus::Available,
            roster: roster.clone(),
            teams: vec![team("sales"), team("support-2")],
        },
        ServerMessage::Welcome {
            agent: agent("A_1"),
            name: String::new(),
            tenant: TenantId::new("t").expect("valid"),
            tenant_name: Localized {
                ja: String::new(),
                en: String::new(),
            },
            status: PresenceStatus::Offline,
            roster: vec![],
            teams: vec![],
        },
        ServerMessage::Roster {
            agents: roster,
            full: false,
        },
        ServerMessage::Roster {
            agents: vec![],
            full: true,
        },
        ServerMessage::Resume {
            conversation: conversation("CA0123"),
            screen_pop: full_screen_pop(),
            since: Timestamp(u64::MAX),
            rejoin: true,
            web: false,
        },
        ServerMessage::Resume {
            conversation: conversation("WC00ff"),
            screen_pop: empty_screen_pop(),
            since: Timestamp(0),
            rejoin: false,
            web: true,
        },
        ServerMessage::Held {
            conversation: conversation("CA0123"),
            held: true,
        },
        ServerMessage::Held {
            conversation: conversation("CA0123"),
            held: false,
        },
        ServerMessage::Signal {
            conversation: conversation("WC00ff"),
            signal: Signal::Offer {
                sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
            },
        },
        ServerMessage::Signal {
            conversation: conversation("WC00ff"),
            signal: Signal::Answer { sdp: String::new() },
        },
        ServerMessage::Signal {
            conversation: conversation("WC00ff"),
            signal: Signal::Candidate {
                candidate: "candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(u16::MAX),
            },
        },
        ServerMessage::Signal {
            conversation: conversation("WC00ff"),
            signal: Signal::Candidate {
                candidate: String::new(),
                sdp_mid: None,
                sdp_m_line_index: None,
            },
        },
        ServerMessage::DialRequest {
            to: "+81312345678".into(),
            to_display: "03-1234-5678".into(),
            customer: full_screen_pop().customer,
            confirm: true,
        },
        ServerMessage::DialRequest {
            to: "+442079460107".into(),
            to_display: String::new(),
            customer: None,
            confirm: false,
        },
        ServerMessage::ShowRecord {
            record: PushedRecord {
                customer: Some(CustomerId::new("cust-42").expect("valid")),
                title: "山田 太郎 \"\\\n".into(),
                subtitle: Some("山田商事".into()),
                number: Some("03-1234-5678".into()),
                url: Some("https://crm.example.jp/customers/42?tab=log#top".into()),
            },
        },
        ServerMessage::ShowRecord {
            record: PushedRecord {
                customer: None,
                title: String::new(),
                subtitle: None,
                number: None,
                url: None,
            },
        },
        ServerMessage::Pong,
        ServerMessage::IncompatibleProtocol {
            server: PROTOCOL_VERSION,
            client: 1,
        },
        ServerMessage::Unauthorized {
            reason: "session expired".into(),
        },
        ServerMessage::Rejected {
            reason: "not allowed now".into(),
        },
    ];
    for (n, &channel) in Channel::ALL.iter().enumerate() {
        messages.push(ServerMessage::Offer {
            offer: offer.clone(),
            conversation: conversation("CA0123"),
            screen_pop: if n % 2 == 0 {
                full_screen_pop()
            } else {
                empty_screen_pop()
            },
            ring_timeout_ms: 15_000,
            ack_timeout_ms: u64::MAX - n as u64,
            channel,
        });
    }
    for reason in WITHDRAW_REASONS {
        messages.push(ServerMessage::OfferWithdrawn {
            offer: offer.clone(),
            reason,
        });
    }
    for status in statuses() {
        messages.push(ServerMessage::Status {
            status,
            since: Timestamp(1_700_000_000_000),
        });
    }
    messages
}

#[test]
fn every_message_the_hub_sends_reads_as_the_derive_reads_it() {
    let messages = hub_messages();
    let mut seen: Vec<&str> = messages.iter().map(variant).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), VARIANTS, "every variant is checked");
    for message in &messages {
        reads_back(message);
    }
}

#[test]
fn messages_of_servers_before_web_calls_and_teams_read_as_the_derive_reads_them() {
    let old = [
        // No `channel` (a phone call), no `caller_name`.
        r#"{"type":"offer","offer":{"interaction":"CA1","attempt":1},"conversation":"CA1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"ring_timeout_ms":15000,"ack_timeout_ms":3000}"#,
        // No `web` (a phone call).
        r#"{"type":"resume","conversation":"CA1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"since":1,"rejoin":true}"#,
        // No `teams`.
        r#"{"type":"welcome","agent":"sato","name":"佐藤","tenant":"demo","tenant_name":{"ja":"デモ","en":"Demo"},"status":{"kind":"available"},"roster":[]}"#,
        // Reasons from a newer server, and fields this build does not know.
        r#"{"type":"offer_withdrawn","offer":{"interaction":"c1","attempt":1},"reason":"merged","new":[1,{"a":null}]}"#,
        r#"{"type":"status","status":{"kind":"away","reason":"vacation","until":5},"since":1}"#,
        r#"{"since":1,"status":{"reason":"lunch","kind":"away"},"type":"status"}"#,
        r#"{"type":"pong","extra":{"kind":"x"}}"#,
    ];
    for json in old {
        let read = ServerMessage::read(json);
        assert_eq!(read.as_ref().ok(), derived(json).as_ref(), "{json}");
        assert!(read.is_ok(), "{json}");
    }
    let ServerMessage::Offer { channel, .. } = ServerMessage::read(old[0]).expect("reads") else {
        panic!("not an offer");
    };
    assert_eq!(channel, Channel::Voice);
    let ServerMessage::Resume { web, .. } = ServerMessage::read(old[1]).expect("reads") else {
        panic!("not a resume");
    };
    assert!(!web);
}

/// Each refusal with its reason, and the derive refuses the same text.
#[test]
fn unknown_and_malformed_messages_are_refused() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases = [
        "",
        "not json",
        "{",
        r#"{"type":"pong""#,
        "null",
        "[]",
        r#""pong""#,
        "{}",
        r#"{"type":5}"#,
        r#"{"type":null}"#,
        r#"{"type":"format_disk"}"#,
        r#"{"type":"Pong"}"#,
        r#"{"type":"welcome"}"#,
        r#"{"type":"held","conversation":"CA1","held":"yes"}"#,
        r#"{"type":"held","conversation":"a b","held":true}"#,
        r#"{"type":"held","conversation":"","held":true}"#,
        r#"{"type":"incompatible_protocol","server":4294967296,"client":1}"#,
        r#"{"type":"incompatible_protocol","server":-1,"client":1}"#,
        r#"{"type":"incompatible_protocol","server":2.0,"client":1}"#,
        r#"{"type":"status","status":{"kind":"asleep"},"since":1}"#,
        r#"{"type":"status","status":{"kind":"away"},"since":1}"#,
        r#"{"type":"status","status":{"kind":"away","reason":7},"since":1}"#,
        r#"{"type":"status","status":"available","since":1}"#,
        r#"{"type":"status","status":{"kind":"available"},"since":1e3}"#,
        r#"{"type":"status","status":{"kind":"available"},"since":18446744073709551616}"#,
        r#"{"type":"signal","conversation":"WC1","signal":{"kind":"rollback"}}"#,
        r#"{"type":"signal","conversation":"WC1","signal":{"kind":"candidate","candidate":"c","sdp_m_line_index":65536}}"#,
        r#"{"type":"offer_withdrawn","offer":{"interaction":"c1"},"reason":"declined"}"#,
        r#"{"type":"welcome","agent":"sa-to","name":"x","tenant":"demo","tenant_name":{"ja":"","en":""},"status":{"kind":"available"},"roster":[]}"#,
        r#"{"type":"welcome","agent":"sato","name":"x","tenant":"demo","tenant_name":{"ja":"","en":""},"status":{"kind":"available"},"roster":[],"teams":null}"#,
        r#"{"type":"offer","offer":{"interaction":"CA1","attempt":1},"conversation":"CA1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"ring_timeout_ms":15000,"ack_timeout_ms":3000,"channel":"fax"}"#,
        r#"{"type":"resume","conversation":"WC1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"since":1,"rejoin":false,"web":null}"#,
        r#"{"type":"resume","conversation":"WC1","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"since":1,"rejoin":false,"web":"yes"}"#,
        r#"{"type":"offer","offer":{"interaction":"CA1","attempt":1},"conversation":"CA1","screen_pop":{"caller_number":null,"customer":null},"ring_timeout_ms":15000,"ack_timeout_ms":3000}"#,
        r#"{"type":"offer","offer":{"interaction":"CA1","attempt":1},"conversation":"CA1","screen_pop":{"caller_number":null,"customer":null,"recent":[{"at":1,"channel":"voice","agent":"no-dash"}]},"ring_timeout_ms":15000,"ack_timeout_ms":3000}"#,
        deep.as_str(),
    ];
    let refusals: Vec<String> = cases
        .iter()
        .map(|json| {
            assert_eq!(derived(json), None, "the derive refuses {json}");
            match ServerMessage::read(json) {
                Ok(message) => panic!("read {json} as {message:?}"),
                Err(error) => error.to_string(),
            }
        })
        .collect();
    expect![[r#"
        not JSON
        not JSON
        not JSON
        not JSON
        not a JSON object with a string `type`
        not a JSON object with a string `type`
        not a JSON object with a string `type`
        not a JSON object with a string `type`
        not a JSON object with a string `type`
        not a JSON object with a string `type`
        unknown message type
        unknown message type
        field `agent` is missing or invalid
        field `held` is missing or invalid
        field `conversation` is missing or invalid
        field `conversation` is missing or invalid
        field `server` is missing or invalid
        field `server` is missing or invalid
        field `server` is missing or invalid
        field `status` is missing or invalid
        field `status` is missing or invalid
        field `status` is missing or invalid
        field `status` is missing or invalid
        field `since` is missing or invalid
        field `since` is missing or invalid
        field `signal` is missing or invalid
        field `signal` is missing or invalid
        field `offer` is missing or invalid
        field `agent` is missing or invalid
        field `teams` is missing or invalid
        field `channel` is missing or invalid
        field `web` is missing or invalid
        field `web` is missing or invalid
        field `screen_pop` is missing or invalid
        field `screen_pop` is missing or invalid
        not JSON
    "#]]
    .assert_eq(&(refusals.join("\n") + "\n"));
}

/// Forms serde never writes, which its derive reads and the reader refuses: a message or struct
/// as a sequence of its fields, a variant by its index, a unit variant as a map.
#[test]
fn forms_serde_never_writes_are_refused() {
    let cases = [
        r#"["pong"]"#,
        r#"["held","CA1",true]"#,
        r#"{"type":"status","status":{"kind":1},"since":1}"#,
        r#"{"type":"offer_withdrawn","offer":["CA1",1],"reason":"declined"}"#,
        r#"{"type":"status","status":{"kind":"away","reason":{"lunch":null}},"since":1}"#,
    ];
    let outcomes: Vec<String> = cases
        .iter()
        .map(|json| {
            let derived = derived(json).map_or("refused".to_owned(), |m| format!("{m:?}"));
            let read =
                ServerMessage::read(json).map_or_else(|e| e.to_string(), |m| format!("{m:?}"));
            format!("{derived} | {read}")
        })
        .collect();
    expect![[r#"
        Pong | not a JSON object with a string `type`
        Held { conversation: InteractionId("CA1"), held: true } | not a JSON object with a string `type`
        Status { status: Available, since: Timestamp(1) } | field `status` is missing or invalid
        OfferWithdrawn { offer: OfferId { interaction: InteractionId("CA1"), attempt: 1 }, reason: Declined } | field `offer` is missing or invalid
        Status { status: Away { reason: Lunch }, since: Timestamp(1) } | field `status` is missing or invalid
    "#]].assert_eq(&(outcomes.join("\n") + "\n"));
}

#[test]
fn reasons_read_from_their_wire_names() {
    for reason in AWAY_REASONS {
        let name = serde_json::to_value(reason).expect("serializes");
        assert_eq!(name.as_str(), Some(reason.as_wire()));
        assert_eq!(AwayReason::from_wire(reason.as_wire()), reason);
    }
    assert_eq!(AwayReason::from_wire("vacation"), AwayReason::Other);
    assert_eq!(AwayReason::from_wire(""), AwayReason::Other);
}
