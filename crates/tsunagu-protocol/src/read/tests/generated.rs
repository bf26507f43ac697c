//! Generated messages: a strategy for every `ServerMessage` the hub writes, over any text the
//! fields may hold (`write/tests.rs` uses the field strategies too).

use super::*;

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
        prop::option::of(text()),
    )
        .prop_map(
            |(
                caller_number,
                caller_display,
                caller_name,
                customer,
                recent,
                skills,
                ivr_path,
                callback,
            )| {
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
                    callback,
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

pub(super) fn server_message() -> impl Strategy<Value = ServerMessage> {
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
