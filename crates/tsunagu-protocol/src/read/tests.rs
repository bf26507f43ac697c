//! The hand reader checked against serde's derive: every message the hub writes, fixed and generated, reads back equal; broken ones are refused alike.

use expect_test::expect;
use proptest::prelude::*;
use serde_json::{Value, json};
use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, TeamId, TenantId, Timestamp};

use crate::{
    AgentPresence, AwayReason, CustomerCard, Localized, OfferId, PROTOCOL_VERSION, PresenceStatus,
    PushedRecord, RecentContact, ScreenPop, ServerMessage, Signal, WithdrawReason,
};

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

// Generated messages.

pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z ]{1,8}",
        any::<String>(),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}\u{2028}\u{ffff}\u{10000}]{0,4}",
    ]
}

fn id_text(dash: bool) -> BoxedStrategy<String> {
    if dash {
        "[A-Za-z0-9_-]{1,12}".boxed()
    } else {
        "[A-Za-z0-9_]{1,12}".boxed()
    }
}

pub(crate) fn agent_id() -> impl Strategy<Value = AgentId> {
    id_text(false).prop_map(|raw| AgentId::new(raw).expect("valid by construction"))
}

pub(crate) fn team_id() -> impl Strategy<Value = TeamId> {
    id_text(true).prop_map(|raw| TeamId::new(raw).expect("valid by construction"))
}

pub(crate) fn interaction_id() -> impl Strategy<Value = InteractionId> {
    id_text(true).prop_map(|raw| InteractionId::new(raw).expect("valid by construction"))
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![Just(Timestamp(u64::MAX)), any::<u64>().prop_map(Timestamp)]
}

fn presence_status() -> impl Strategy<Value = PresenceStatus> {
    prop::sample::select(statuses())
}

fn agent_presence() -> impl Strategy<Value = AgentPresence> {
    (agent_id(), text(), presence_status(), timestamp()).prop_map(|(agent, name, status, since)| {
        AgentPresence {
            agent,
            name,
            status,
            since,
        }
    })
}

fn channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

fn customer_card() -> impl Strategy<Value = CustomerCard> {
    (
        id_text(true),
        text(),
        prop::option::of(agent_id()),
        prop::option::of(team_id()),
    )
        .prop_map(|(id, name, owner, team)| CustomerCard {
            id: CustomerId::new(id).expect("valid by construction"),
            name,
            owner,
            team,
        })
}

fn pushed_record() -> impl Strategy<Value = PushedRecord> {
    (
        prop::option::of(id_text(true)),
        text(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(|(customer, title, subtitle, number, url)| PushedRecord {
            customer: customer.map(|id| CustomerId::new(id).expect("valid by construction")),
            title,
            subtitle,
            number,
            url,
        })
}

fn screen_pop() -> impl Strategy<Value = ScreenPop> {
    let customer = customer_card();
    let recent = (
        timestamp(),
        channel(),
        prop::option::of(agent_id()),
        prop::option::of(text()),
    )
        .prop_map(|(at, channel, agent, summary)| RecentContact {
            at,
            channel,
            agent,
            summary,
        });
    (
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(customer),
        prop::collection::vec(recent, 0..3),
        prop::collection::vec((text(), any::<u8>()), 0..3),
        prop::option::of(prop::collection::vec(text(), 0..3)),
    )
        .prop_map(
            |(caller_number, caller_display, caller_name, customer, recent, skills, ivr_path)| {
                ScreenPop {
                    caller_number,
                    caller_display,
                    caller_name,
                    customer,
                    recent,
                    skills: skills
                        .into_iter()
                        .map(|(skill, level)| crate::NeededSkill { skill, level })
                        .collect(),
                    ivr_path,
                }
            },
        )
}

pub(crate) fn offer_id() -> impl Strategy<Value = OfferId> {
    (interaction_id(), any::<u32>()).prop_map(|(interaction, attempt)| OfferId {
        interaction,
        attempt,
    })
}

pub(crate) fn signal() -> impl Strategy<Value = Signal> {
    prop_oneof![
        text().prop_map(|sdp| Signal::Offer { sdp }),
        text().prop_map(|sdp| Signal::Answer { sdp }),
        (
            text(),
            prop::option::of(text()),
            prop::option::of(any::<u16>())
        )
            .prop_map(|(candidate, sdp_mid, sdp_m_line_index)| Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_m_line_index,
            }),
    ]
}

fn server_message() -> impl Strategy<Value = ServerMessage> {
    prop_oneof![
        (
            agent_id(),
            text(),
            "[a-z0-9-]{1,12}",
            (text(), text()),
            presence_status(),
            prop::collection::vec(agent_presence(), 0..3),
            prop::collection::vec(team_id(), 0..3),
        )
            .prop_map(|(agent, name, tenant, (ja, en), status, roster, teams)| {
                ServerMessage::Welcome {
                    agent,
                    name,
                    tenant: TenantId::new(tenant).expect("valid by construction"),
                    tenant_name: Localized { ja, en },
                    status,
                    roster,
                    teams,
                }
            }),
        (prop::collection::vec(agent_presence(), 0..4), any::<bool>())
            .prop_map(|(agents, full)| ServerMessage::Roster { agents, full }),
        (
            offer_id(),
            interaction_id(),
            screen_pop(),
            any::<u64>(),
            any::<u64>(),
            channel()
        )
            .prop_map(
                |(offer, conversation, screen_pop, ring_timeout_ms, ack_timeout_ms, channel)| {
                    ServerMessage::Offer {
                        offer,
                        conversation,
                        screen_pop,
                        ring_timeout_ms,
                        ack_timeout_ms,
                        channel,
                    }
                }
            ),
        (
            interaction_id(),
            screen_pop(),
            timestamp(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(conversation, screen_pop, since, rejoin, web)| {
                ServerMessage::Resume {
                    conversation,
                    screen_pop,
                    since,
                    rejoin,
                    web,
                }
            }),
        (interaction_id(), any::<bool>())
            .prop_map(|(conversation, held)| ServerMessage::Held { conversation, held }),
        (offer_id(), prop::sample::select(WITHDRAW_REASONS.to_vec()))
            .prop_map(|(offer, reason)| ServerMessage::OfferWithdrawn { offer, reason }),
        (presence_status(), timestamp())
            .prop_map(|(status, since)| ServerMessage::Status { status, since }),
        (interaction_id(), signal()).prop_map(|(conversation, signal)| ServerMessage::Signal {
            conversation,
            signal
        }),
        (
            text(),
            text(),
            proptest::option::of(customer_card()),
            any::<bool>()
        )
            .prop_map(
                |(to, to_display, customer, confirm)| ServerMessage::DialRequest {
                    to,
                    to_display,
                    customer,
                    confirm,
                }
            ),
        pushed_record().prop_map(|record| ServerMessage::ShowRecord { record }),
        Just(ServerMessage::Pong),
        (any::<u32>(), any::<u32>())
            .prop_map(|(server, client)| ServerMessage::IncompatibleProtocol { server, client }),
        text().prop_map(|reason| ServerMessage::Unauthorized { reason }),
        text().prop_map(|reason| ServerMessage::Rejected { reason }),
    ]
}

// Broken messages: a serialized message with fields removed, replaced or added.

/// Values put in place of a field. No non-empty arrays: the derive reads a struct from a
/// sequence of its fields, a form serde never writes and the reader refuses.
fn some_value() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(-0.0),
        json!(65_536),
        json!(4_294_967_296_u64),
        json!(u64::MAX),
        json!(""),
        json!("x"),
        json!("a b"),
        json!("no-dash"),
        json!("pong"),
        json!("status"),
        json!("held"),
        json!("available"),
        json!("away"),
        json!("lunch"),
        json!("vacation"),
        json!("voice"),
        json!("web_call"),
        json!("candidate"),
        json!("declined"),
        json!([]),
        json!({}),
        json!({ "kind": "available" }),
        json!({ "kind": "offer", "sdp": "v=0" }),
        json!({ "lunch": "x" }),
        json!({ "interaction": "CA1", "attempt": 1 }),
        json!({ "ja": "", "en": "" }),
    ])
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    AddUnknown(Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        some_value().prop_map(Mutation::Replace),
        some_value().prop_map(Mutation::AddUnknown),
    ]
}

/// Every place in `value` below the root, as paths of object keys and array indexes.
fn paths(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, child)| (Step::Key(key.clone()), child))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, child)| (Step::Index(index), child))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        path.push(step);
        out.push(path.clone());
        paths(child, path, out);
        path.pop();
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The value at `path`.
fn at<'v>(mut value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    for step in path {
        value = match (step, value) {
            (Step::Key(key), Value::Object(fields)) => fields.get_mut(key)?,
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Applies `mutation` at `path`: the field or item there is removed or replaced, or, when it is
/// an object (the root included), gets a field this build does not know.
fn mutate(root: &mut Value, path: &[Step], mutation: Mutation) {
    if let Mutation::AddUnknown(value) = mutation {
        if let Some(Value::Object(fields)) = at(root, path) {
            fields.insert("unknown_field".into(), value);
        }
        return;
    }
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    match (mutation, last, at(root, parent_path)) {
        (Mutation::Remove, Step::Key(key), Some(Value::Object(fields))) => {
            fields.remove(key);
        }
        (Mutation::Remove, Step::Index(index), Some(Value::Array(items))) => {
            items.remove(*index);
        }
        (Mutation::Replace(value), Step::Key(key), Some(Value::Object(fields))) => {
            fields.insert(key.clone(), value);
        }
        (Mutation::Replace(value), Step::Index(index), Some(Value::Array(items))) => {
            items[*index] = value;
        }
        _ => {}
    }
}

/// Whether an object in `value` has a number for its `type` or `kind`: a variant index, which
/// the derive reads and the reader refuses ([`forms_serde_never_writes_are_refused`]).
fn has_numeric_tag(value: &Value) -> bool {
    match value {
        Value::Object(fields) => fields.iter().any(|(key, child)| {
            ((key == "type" || key == "kind") && child.is_number()) || has_numeric_tag(child)
        }),
        Value::Array(items) => items.iter().any(has_numeric_tag),
        _ => false,
    }
}

/// A generated message, serialized, with up to three mutations at generated places.
fn broken_message() -> impl Strategy<Value = Value> {
    (
        server_message(),
        prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    )
        .prop_map(|(message, mutations)| {
            let mut value = serde_json::to_value(&message).expect("serializes");
            for (place, mutation) in mutations {
                let mut all = vec![vec![]];
                paths(&value, &mut vec![], &mut all);
                let path = place.get(&all).clone();
                mutate(&mut value, &path, mutation);
            }
            value
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn generated_messages_read_as_the_derive_reads_them(message in server_message()) {
        let json = message.to_json();
        prop_assert_eq!(ServerMessage::read(&json), Ok(message.clone()));
        prop_assert_eq!(derived(&json), Some(message));
    }

    #[test]
    fn broken_messages_are_refused_or_read_as_the_derive_reads_them(value in broken_message()) {
        prop_assume!(!has_numeric_tag(&value));
        let json = value.to_string();
        prop_assert_eq!(ServerMessage::read(&json).ok(), derived(&json), "{}", json);
    }

    #[test]
    fn any_text_is_refused_or_read_without_panicking(json in any::<String>()) {
        prop_assert_eq!(ServerMessage::read(&json).ok(), derived(&json));
    }
}
