//! Property tests: random inputs never panic, keep every invariant, and survive a snapshot. Here
//! the operations and their strategies and the properties; applying them in `props/run.rs`.

use proptest::prelude::*;
use tsunagu_core::{Millis, Timestamp};
use tsunagu_interaction::ExternalNumber;
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{
    AwayReason, CallEndReason, CallerEvent, CallerMessage, ClientMessage, RequestedStatus, Signal,
    TransferTo,
};

use super::{T0, agent, arrival, card, config, interaction, invariants, sid};
use crate::{
    AgentLegStatus, BusinessCalendar, CallPlan, Center, CenterConfig, ClockTime, DialOutcome, Line,
    MenuAnswer, OpeningHours, Output, QueueResult, WebCallStart, Weekday,
};

mod run;

pub(super) use run::Run;

const AGENTS: u8 = 4;
const CONNS: u8 = 6;
const CALLS: u8 = 5;
/// Customer sockets are numbered from here; the lowest overlap the agents' sockets.
const FIRST_CALLER: u8 = 4;
const CALLERS: u8 = 5;

#[derive(Debug, Clone)]
pub(super) enum Op {
    Connect {
        conn: u8,
        agent: u8,
    },
    Disconnect {
        conn: u8,
    },
    SetStatus {
        conn: u8,
        status: u8,
    },
    /// Acknowledges the offer ringing at the socket's agent, or a made-up one.
    Ack {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    Decline {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    EndWrapUp {
        conn: u8,
    },
    /// The socket's agent places an outbound call (the worker created it as `call`).
    PlaceCall {
        conn: u8,
        call: u8,
    },
    /// The socket's agent puts a call on hold or takes it back.
    Hold {
        conn: u8,
        call: u8,
        held: bool,
    },
    /// The socket's agent transfers a call (to an agent, a team, a number, or a bad number).
    Transfer {
        conn: u8,
        call: u8,
        target: u8,
    },
    Ping {
        conn: u8,
    },
    Hello {
        conn: u8,
    },
    Arrive {
        call: u8,
        owner: Option<u8>,
        team: Option<u8>,
        legacy: bool,
    },
    /// A dial result for the call's current attempt, or for another one.
    Dial {
        call: u8,
        attempt: Option<u8>,
        outcome: u8,
    },
    /// A leg callback of the agent the call rings (or talks to), or of another agent.
    Leg {
        call: u8,
        other_agent: Option<u8>,
        status: u8,
    },
    Ended {
        call: u8,
    },
    Wait {
        call: u8,
    },
    /// The caller presses a key during the hold music (`9` books a callback in queue `q0`).
    PressKey {
        call: u8,
        key: u8,
    },
    Left {
        call: u8,
        result: u8,
    },
    Redirected {
        call: u8,
    },
    /// The IVR hook of a call: an answer (keys 1, 2, 9, 5, speech 「請求」, none) to the menu's
    /// question `node` (0: the real one, 1: one never asked) at `retry`.
    MenuAnswer {
        call: u8,
        node: u8,
        retry: u8,
        answer: u8,
    },
    /// A customer socket places a web call; `seed` makes its id (the same seed twice collides).
    WebCall {
        caller: u8,
        seed: u8,
        named: bool,
    },
    /// The customer page sends signalling (`large`: over the size limit).
    CallerSignal {
        caller: u8,
        large: bool,
    },
    CallerHangUp {
        caller: u8,
    },
    /// The customer socket closes.
    CallerGone {
        caller: u8,
    },
    /// The socket's agent accepts the web call ringing them, or a made-up one.
    Accept {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    /// The socket's agent sends signalling for the web call they are on (or another one).
    AgentSignal {
        conn: u8,
        seed: Option<u8>,
    },
    /// The socket's agent hangs up the call they are on (or another one).
    AgentHangUp {
        conn: u8,
        seed: Option<u8>,
    },
    /// The socket's page says it is going away (the socket counts as closed).
    Leaving {
        conn: u8,
    },
    /// The socket's widget takes back the call its agent is on (or another web call).
    Rejoin {
        conn: u8,
        seed: Option<u8>,
    },
    /// Time passes; a punctual alarm fires at every deadline, a late one once at the end.
    Advance {
        ms: u32,
        punctual: bool,
    },
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let conn = 0..CONNS;
    let call = 0..CALLS;
    let made_up = proptest::option::weighted(0.3, (0..CALLS, 0..4u8));
    let caller = FIRST_CALLER..FIRST_CALLER + CALLERS;
    let seed = proptest::option::weighted(0.2, 0..CALLS);
    prop_oneof![
        4 => (caller.clone(), 0..CALLS, any::<bool>())
            .prop_map(|(caller, seed, named)| Op::WebCall { caller, seed, named }),
        3 => (caller.clone(), proptest::bool::weighted(0.1))
            .prop_map(|(caller, large)| Op::CallerSignal { caller, large }),
        1 => caller.clone().prop_map(|caller| Op::CallerHangUp { caller }),
        1 => caller.prop_map(|caller| Op::CallerGone { caller }),
        6 => (conn.clone(), made_up.clone()).prop_map(|(conn, made_up)| Op::Accept { conn, made_up }),
        3 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentSignal { conn, seed }),
        1 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentHangUp { conn, seed }),
        1 => conn.clone().prop_map(|conn| Op::Leaving { conn }),
        3 => (conn.clone(), seed).prop_map(|(conn, seed)| Op::Rejoin { conn, seed }),
        4 => (conn.clone(), 0..AGENTS).prop_map(|(conn, agent)| Op::Connect { conn, agent }),
        2 => conn.clone().prop_map(|conn| Op::Disconnect { conn }),
        3 => (conn.clone(), 0..5u8).prop_map(|(conn, status)| Op::SetStatus { conn, status }),
        4 => (conn.clone(), made_up.clone()).prop_map(|(conn, made_up)| Op::Ack { conn, made_up }),
        1 => (conn.clone(), made_up).prop_map(|(conn, made_up)| Op::Decline { conn, made_up }),
        1 => conn.clone().prop_map(|conn| Op::EndWrapUp { conn }),
        1 => (conn.clone(), call.clone()).prop_map(|(conn, call)| Op::PlaceCall { conn, call }),
        2 => (conn.clone(), call.clone(), any::<bool>())
            .prop_map(|(conn, call, held)| Op::Hold { conn, call, held }),
        2 => (conn.clone(), call.clone(), 0..AGENTS + 4)
            .prop_map(|(conn, call, target)| Op::Transfer { conn, call, target }),
        1 => conn.clone().prop_map(|conn| Op::Ping { conn }),
        1 => conn.prop_map(|conn| Op::Hello { conn }),
        5 => (
            call.clone(),
            proptest::option::of(0..AGENTS + 1),
            proptest::option::of(0..2u8),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(call, owner, team, legacy)| Op::Arrive { call, owner, team, legacy }),
        3 => (call.clone(), proptest::option::weighted(0.3, 0..5u8), 0..7u8)
            .prop_map(|(call, attempt, outcome)| Op::Dial { call, attempt, outcome }),
        4 => (call.clone(), proptest::option::weighted(0.2, 0..AGENTS), 0..3u8)
            .prop_map(|(call, other_agent, status)| Op::Leg { call, other_agent, status }),
        2 => call.clone().prop_map(|call| Op::Ended { call }),
        2 => call.clone().prop_map(|call| Op::Wait { call }),
        2 => (call.clone(), 0..3u8).prop_map(|(call, key)| Op::PressKey { call, key }),
        1 => (call.clone(), 0..5u8).prop_map(|(call, result)| Op::Left { call, result }),
        2 => call.clone().prop_map(|call| Op::Redirected { call }),
        4 => (call, 0..2u8, 0..3u8, 0..6u8)
            .prop_map(|(call, node, retry, answer)| Op::MenuAnswer { call, node, retry, answer }),
        4 => (0..40_000u32, any::<bool>()).prop_map(|(ms, punctual)| Op::Advance { ms, punctual }),
    ]
}

/// What may happen around a connected web call of agent 0: their sockets (0 to 2) drop, come
/// back (sometimes as another agent's), leave, take the call back, signal and hang up, and the
/// customer signals, while time passes.
fn blip_op() -> impl Strategy<Value = Op> {
    let conn = 0..3u8;
    let seed = proptest::option::weighted(0.2, 0..2u8);
    prop_oneof![
        3 => conn.clone().prop_map(|conn| Op::Disconnect { conn }),
        3 => (conn.clone(), prop::sample::select(vec![0u8, 0, 0, 1]))
            .prop_map(|(conn, agent)| Op::Connect { conn, agent }),
        1 => conn.clone().prop_map(|conn| Op::Leaving { conn }),
        4 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::Rejoin { conn, seed }),
        2 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentSignal { conn, seed }),
        1 => (conn, seed).prop_map(|(conn, seed)| Op::AgentHangUp { conn, seed }),
        2 => Just(Op::CallerSignal { caller: FIRST_CALLER + 1, large: false }),
        2 => (0..20_000u32, any::<bool>()).prop_map(|(ms, punctual)| Op::Advance { ms, punctual }),
    ]
}

pub(super) fn center_config() -> impl Strategy<Value = CenterConfig> {
    (
        any::<bool>(),
        1..120u64,
        any::<bool>(),
        any::<bool>(),
        0..500u64,
        any::<bool>(),
    )
        .prop_map(|(fallback, max_wait, wrap_up, hours, broadcast, queues)| {
            let mut config = config();
            if queues {
                config.queues = queues_for_props(max_wait);
            }
            if fallback {
                config.fallback_numbers =
                    vec![ExternalNumber::new("+81355550000").unwrap_or_else(|e| panic!("{e}"))];
            }
            config.max_wait = Millis::from_secs(max_wait);
            if !wrap_up {
                config.presence.wrap_up = Millis(0);
            }
            if hours {
                // Open Monday 10:00 to 10:02 in Japan: T0 and the two minutes after it.
                config.hours = BusinessCalendar {
                    weekly: Some(vec![OpeningHours {
                        day: Weekday::Mon,
                        open: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
                        close: ClockTime::new(10, 2).unwrap_or_else(|e| panic!("{e}")),
                    }]),
                    ..Default::default()
                };
            }
            config.broadcast_interval = Millis(broadcast);
            config
        })
}

/// Two queues: `q0` rings team t0 only, offers the callback key 9 and overflows into `q1`,
/// which keeps places to itself and takes a message once its own wait is over.
fn queues_for_props(max_wait: u64) -> std::collections::BTreeMap<crate::QueueId, crate::CallQueue> {
    let queue = |id: &str| crate::CallQueue {
        id: crate::QueueId::new(id).unwrap_or_else(|| panic!("{id}")),
        name: tsunagu_protocol::Localized {
            ja: id.into(),
            en: id.into(),
        },
        ladder: None,
        max_wait: Some(Millis::from_secs(max_wait)),
        overflow: crate::Overflow::KeepWaiting,
        announce_position: true,
        hold_music_url: None,
        callback_digit: None,
        required_skills: std::collections::BTreeMap::new(),
        priority: 0,
        hours: None,
        after_hours: None,
    };
    let mut first = queue("q0");
    first.ladder = Some(tsunagu_routing::Ladder {
        steps: vec![tsunagu_routing::Step {
            target: tsunagu_routing::Target::Team(
                tsunagu_core::TeamId::new("t0").unwrap_or_else(|e| panic!("{e}")),
            ),
            timeout: Millis::from_secs(15),
        }],
    });
    first.callback_digit = Some('9');
    first.overflow = crate::Overflow::Queue {
        queue: crate::QueueId::new("q1").unwrap_or_else(|| panic!("q1")),
    };
    let mut second = queue("q1");
    second.announce_position = false;
    second.overflow = crate::Overflow::Voicemail(crate::VoicemailRule {
        prompt: None,
        max_length_secs: 60,
    });
    [first, second]
        .into_iter()
        .map(|queue| (queue.id.clone(), queue))
        .collect()
}

fn agent_name(n: u8) -> String {
    format!("a{n}")
}

fn call_name(n: u8) -> String {
    format!("CA{n}")
}

/// The id of the web call made with `seed` (`WC` + the random bytes in hex).
fn web_call_name(seed: u8) -> String {
    format!("WC{}", format!("{seed:02x}").repeat(16))
}

fn candidate() -> Signal {
    Signal::Candidate {
        candidate: "candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_inputs_never_panic_and_keep_every_invariant(
        config in center_config(),
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let mut run = Run::new(config);
        for op in &ops {
            run.apply(op);
        }
    }

    #[test]
    fn a_center_restored_from_json_behaves_exactly_as_before(
        config in center_config(),
        ops in prop::collection::vec(op(), 1..100),
        split in any::<prop::sample::Index>(),
    ) {
        let split = split.index(ops.len() + 1);
        let (before, after) = ops.split_at(split);
        let mut original = Run::new(config);
        for op in before {
            original.apply(op);
        }
        let mut restored = Run {
            center: original.center.clone(),
            now: original.now,
            transcript: Vec::new(),
            silent_callers: original.silent_callers.clone(),
            explained_offers: original.explained_offers.clone(),
        };
        restored.restore_from_json();
        original.transcript.clear();
        for op in after {
            original.apply(op);
            restored.apply(op);
        }
        prop_assert_eq!(&restored.transcript, &original.transcript);
        let snapshot = |run: &Run| serde_json::to_string(&run.center.snapshot()).unwrap_or_default();
        prop_assert_eq!(snapshot(&restored), snapshot(&original));
    }

    #[test]
    fn a_web_call_through_socket_blips_is_never_bound_to_a_closed_socket(
        ops in prop::collection::vec(blip_op(), 1..60),
        restore_at in any::<prop::sample::Index>(),
    ) {
        let mut run = Run::new(config());
        run.apply(&Op::Connect { conn: 0, agent: 0 });
        run.apply(&Op::WebCall { caller: FIRST_CALLER + 1, seed: 0, named: false });
        run.apply(&Op::Accept { conn: 0, made_up: None });
        let call = interaction(&web_call_name(0));
        let connected = matches!(
            run.center.calls.get(&call).map(|call| &call.place),
            Some(crate::state::Place::Connected { .. })
        );
        prop_assert!(connected, "the web call is connected before the blips");
        let restore_at = restore_at.index(ops.len());
        for (i, op) in ops.iter().enumerate() {
            if i == restore_at {
                run.restore_from_json();
            }
            // `drain` checks every invariant after each input: a connected web call is bound
            // to an open socket of its agent, or waits (with a deadline) for one.
            run.apply(op);
        }
    }

    #[test]
    fn call_sids_are_interaction_ids(raw in "[A-Za-z0-9_-]{1,64}") {
        let call_sid = sid(&raw);
        let id = crate::calls::interaction_of(&call_sid);
        prop_assert_eq!(id.as_str(), raw.as_str());
    }
}
