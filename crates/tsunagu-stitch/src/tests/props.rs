//! Property tests: stitching is a function of the event set, whatever the order and repeats.

use proptest::prelude::*;
use tsunagu_core::{AgentId, CustomerId, InteractionId, Millis, TeamId, Timestamp};

use crate::{
    AgentResponded, AgentResponse, CallEvent, CallEventKind, CallSid, CallStatus, ContactRef,
    ConversationDirection, ConversationStarted, DedupKey, DialResult, DialStatus, LegDirection,
    LegOutcome, LegStatus, Mark, OfferStep, Offered, Queued, RecordingSid, RecordingStatus,
    RecordingUpdate, Stitcher, TransferTarget, Transferred, WrapUpEnded, stitch,
};

const AGENTS: [&str; 3] = ["sato", "suzuki", "takahashi"];

fn sid(raw: &str) -> CallSid {
    CallSid::new(raw).expect("generated sids are valid")
}

fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).expect("generated agent ids are valid")
}

fn interaction(n: usize) -> InteractionId {
    InteractionId::new(format!("I{n}")).expect("valid")
}

// ---------------------------------------------------------------------------------------------
// Well-formed stories: what Twilio and the application would really send for a contact.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ring {
    NoAnswer,
    Busy,
    Declined,
    Missed,
    Answered { talk: u64 },
}

#[derive(Debug, Clone)]
struct Story {
    announced: bool,
    queued: bool,
    rings: Vec<(usize, Ring)>,
    hold: Option<(u64, u64)>,
    recorded: bool,
    wrap_up: Option<u64>,
    start: u64,
}

fn ring() -> impl Strategy<Value = Ring> {
    prop_oneof![
        Just(Ring::NoAnswer),
        Just(Ring::Busy),
        Just(Ring::Declined),
        Just(Ring::Missed),
        (1u64..600).prop_map(|talk| Ring::Answered { talk }),
    ]
}

fn story() -> impl Strategy<Value = Story> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec((0..AGENTS.len(), ring()), 0..5),
        prop::option::of((0u64..30, 1u64..30)),
        any::<bool>(),
        prop::option::of(1u64..120),
        0u64..100_000,
    )
        .prop_map(
            |(announced, queued, rings, hold, recorded, wrap_up, start)| Story {
                announced,
                queued,
                rings,
                hold,
                recorded,
                wrap_up,
                start,
            },
        )
}

/// The events of story `n`, as Twilio and the worker would emit them. Agent legs ring one after
/// another; the first answered ring ends the routing; the caller hangs up afterwards.
fn events_of(n: usize, story: &Story) -> Vec<CallEvent> {
    let root = sid(&format!("CA{n}-root"));
    let contact = if story.announced {
        ContactRef::Interaction(interaction(n))
    } else {
        ContactRef::Call(root.clone())
    };
    let t = |secs: u64| Timestamp((story.start + secs) * 1000);
    let caller = format!("+8190{n:08}");
    let mut events = Vec::new();
    let mut push = |kind| events.push(CallEvent::new(kind));
    let leg = |call_sid: &CallSid,
               parent: Option<&CallSid>,
               to: &str,
               status: CallStatus,
               seq: u32,
               at: Timestamp,
               duration: Option<u64>| {
        CallEventKind::LegStatus(LegStatus {
            call_sid: call_sid.clone(),
            parent_call_sid: parent.cloned(),
            direction: if parent.is_some() {
                LegDirection::OutboundDial
            } else {
                LegDirection::Inbound
            },
            from: caller.clone(),
            to: to.to_owned(),
            status,
            sequence_number: Some(seq),
            at,
            call_duration: duration.map(Millis::from_secs),
        })
    };
    if story.announced {
        push(CallEventKind::ConversationStarted(ConversationStarted {
            interaction: interaction(n),
            root_call_sid: Some(root.clone()),
            customer: Some(CustomerId::new(format!("C{n}")).expect("valid")),
            customer_number: Some(caller.clone()),
            channel: tsunagu_core::Channel::Voice,
            direction: ConversationDirection::Inbound,
            at: t(0),
        }));
    }
    push(leg(
        &root,
        None,
        "+815000000000",
        CallStatus::Ringing,
        0,
        t(0),
        None,
    ));
    let mut now = 1;
    if story.queued {
        push(CallEventKind::Queued(Queued {
            contact: contact.clone(),
            queue: Some("support".to_owned()),
            at: t(now),
        }));
    }
    for (k, (agent_index, outcome)) in story.rings.iter().enumerate() {
        let name = AGENTS.get(*agent_index).copied().unwrap_or("sato");
        let child = sid(&format!("CA{n}-{k}"));
        let to = format!("client:demo_{name}");
        push(CallEventKind::Offered(Offered {
            contact: contact.clone(),
            leg_call_sid: None,
            agent: agent(name),
            team: Some(TeamId::new("support").expect("valid")),
            step: OfferStep::Team,
            at: t(now),
        }));
        push(leg(
            &child,
            Some(&root),
            &to,
            CallStatus::Ringing,
            0,
            t(now + 1),
            None,
        ));
        let respond = |response| {
            CallEventKind::AgentResponded(AgentResponded {
                contact: contact.clone(),
                leg_call_sid: None,
                agent: agent(name),
                response,
                at: t(now + 5),
            })
        };
        let (status, dial_status) = match outcome {
            Ring::NoAnswer => (CallStatus::NoAnswer, DialStatus::NoAnswer),
            Ring::Busy => (CallStatus::Busy, DialStatus::Busy),
            Ring::Declined => {
                push(respond(AgentResponse::Declined));
                (CallStatus::Busy, DialStatus::Busy)
            }
            Ring::Missed => {
                push(respond(AgentResponse::Missed));
                (CallStatus::Canceled, DialStatus::Canceled)
            }
            Ring::Answered { talk } => {
                if story.queued {
                    push(CallEventKind::Dequeued(Mark {
                        contact: contact.clone(),
                        at: t(now + 3),
                    }));
                }
                push(leg(
                    &child,
                    Some(&root),
                    &to,
                    CallStatus::InProgress,
                    1,
                    t(now + 3),
                    None,
                ));
                if let Some((from, length)) = story.hold {
                    let hold_at = now + 3 + from.min(*talk);
                    push(CallEventKind::Hold(Mark {
                        contact: contact.clone(),
                        at: t(hold_at),
                    }));
                    push(CallEventKind::Unhold(Mark {
                        contact: contact.clone(),
                        at: t(hold_at + length),
                    }));
                }
                let end = now + 3 + talk;
                push(leg(
                    &child,
                    Some(&root),
                    &to,
                    CallStatus::Completed,
                    2,
                    t(end),
                    Some(*talk),
                ));
                push(CallEventKind::DialResult(DialResult {
                    parent_call_sid: root.clone(),
                    dial_call_sid: Some(child),
                    dial_status: DialStatus::Completed,
                    dial_call_duration: Some(Millis::from_secs(*talk)),
                    at: t(end),
                }));
                if let Some(wrap) = story.wrap_up {
                    push(CallEventKind::WrapUpEnded(WrapUpEnded {
                        contact: contact.clone(),
                        agent: agent(name),
                        disposition: Some("resolved".to_owned()),
                        notes: None,
                        at: t(end + wrap),
                    }));
                }
                now = end;
                break;
            }
        };
        push(leg(&child, Some(&root), &to, status, 1, t(now + 5), None));
        push(CallEventKind::DialResult(DialResult {
            parent_call_sid: root.clone(),
            dial_call_sid: Some(child),
            dial_status,
            dial_call_duration: None,
            at: t(now + 5),
        }));
        now += 5;
    }
    now += 1;
    push(leg(
        &root,
        None,
        "+815000000000",
        CallStatus::Completed,
        1,
        t(now),
        Some(now),
    ));
    if story.recorded {
        for (status, seconds) in [
            (RecordingStatus::InProgress, 0),
            (RecordingStatus::Completed, now),
        ] {
            push(CallEventKind::Recording(RecordingUpdate {
                call_sid: root.clone(),
                recording_sid: RecordingSid::new(format!("RE{n}")).expect("valid"),
                status,
                duration: Some(Millis::from_secs(seconds)),
                channels: Some(2),
                url: None,
                at: t(now + 1),
            }));
        }
    }
    events
}

/// A copy of `event` as a retry would deliver it: identical, or (for kinds with a natural key)
/// received later.
fn retry_of(event: &CallEvent, later_by: u64) -> CallEvent {
    let mut copy = event.clone();
    match &mut copy.kind {
        CallEventKind::LegStatus(e) => e.at.0 += later_by,
        CallEventKind::Recording(e) => e.at.0 += later_by,
        CallEventKind::DialResult(e) if e.dial_call_sid.is_some() => {
            e.at.0 += later_by;
            copy.dedup_key = Some(DedupKey(format!("retry-{later_by}")));
        }
        _ => {}
    }
    copy
}

/// `events` shuffled, with some of them delivered again.
fn delivered(events: Vec<CallEvent>) -> impl Strategy<Value = (Vec<CallEvent>, Vec<CallEvent>)> {
    let len = events.len().max(1);
    (
        Just(events.clone()).prop_shuffle(),
        prop::collection::vec((0..len, 0u64..5000), 0..len * 2),
    )
        .prop_map(move |(mut shuffled, repeats)| {
            for (index, later_by) in repeats {
                if let Some(event) = events.get(index) {
                    let position = (index * 7 + later_by as usize) % (shuffled.len() + 1);
                    shuffled.insert(position, retry_of(event, later_by));
                }
            }
            (events.clone(), shuffled)
        })
}

fn stories() -> impl Strategy<Value = (Vec<Story>, Vec<CallEvent>, Vec<CallEvent>)> {
    prop::collection::vec(story(), 1..5).prop_flat_map(|stories| {
        let events: Vec<CallEvent> = stories
            .iter()
            .enumerate()
            .flat_map(|(n, story)| events_of(n, story))
            .collect();
        (Just(stories), delivered(events)).prop_map(|(s, (a, b))| (s, a, b))
    })
}

proptest! {
    #[test]
    fn well_formed_stories_stitch_the_same_in_any_order_with_retries(
        (stories, events, delivered) in stories()
    ) {
        let expected = stitch(&crate::tests::tenant(), &events);
        prop_assert_eq!(&stitch(&crate::tests::tenant(), &delivered), &expected);
        let mut stitcher = Stitcher::new(crate::tests::tenant());
        for event in delivered {
            stitcher.ingest(event);
        }
        prop_assert_eq!(&stitcher.stitched(), &expected);

        // And what comes out is one conversation per story, with every ring in it.
        prop_assert!(expected.warnings.is_empty(), "{:?}", expected.warnings);
        prop_assert_eq!(expected.conversations.len(), stories.len());
        for (n, story) in stories.iter().enumerate() {
            let root = sid(&format!("CA{n}-root"));
            let conversation = expected
                .conversations
                .iter()
                .find(|c| c.root_call_sid.as_ref() == Some(&root))
                .expect("every story has its conversation");
            let rang: Vec<(usize, Ring)> = story
                .rings
                .iter()
                .scan(false, |answered, ring| {
                    let before = *answered;
                    *answered |= matches!(ring.1, Ring::Answered { .. });
                    (!before).then_some(*ring)
                })
                .collect();
            prop_assert_eq!(conversation.agent_legs.len(), rang.len());
            for (leg, (agent_index, ring)) in conversation.agent_legs.iter().zip(&rang) {
                prop_assert_eq!(leg.agent.as_str(), AGENTS[*agent_index]);
                let expected_outcome = match ring {
                    Ring::NoAnswer => LegOutcome::NoAnswer,
                    Ring::Busy => LegOutcome::Busy,
                    Ring::Declined => LegOutcome::Declined,
                    Ring::Missed => LegOutcome::Missed,
                    Ring::Answered { .. } => LegOutcome::Answered,
                };
                prop_assert_eq!(leg.outcome, expected_outcome);
            }
            let talk = rang.iter().find_map(|(_, ring)| match ring {
                Ring::Answered { talk } => Some(*talk),
                _ => None,
            });
            match talk {
                Some(talk) => {
                    prop_assert_eq!(
                        conversation.talk_time + conversation.hold_time,
                        Millis::from_secs(talk)
                    );
                    prop_assert_eq!(conversation.wrap_up_time, Millis::from_secs(story.wrap_up.unwrap_or(0)));
                }
                None => {
                    let abandoned =
                        matches!(conversation.outcome, crate::ConversationOutcome::Abandoned { .. });
                    prop_assert!(abandoned, "{:?}", conversation.outcome);
                }
            }
            prop_assert_eq!(conversation.recordings.len(), usize::from(story.recorded));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arbitrary soups: events drawn from small pools so that they collide, contradict each other and
// reference what does not exist. Nothing may panic, and order and repeats still never matter.

fn pooled_sid() -> impl Strategy<Value = CallSid> {
    prop::sample::select(vec!["CA1", "CA2", "CA3", "CA4", "CA5"]).prop_map(sid)
}

fn pooled_agent() -> impl Strategy<Value = AgentId> {
    prop::sample::select(AGENTS.to_vec()).prop_map(agent)
}

fn pooled_contact() -> impl Strategy<Value = ContactRef> {
    prop_oneof![
        (1usize..3).prop_map(|n| ContactRef::Interaction(interaction(n))),
        pooled_sid().prop_map(ContactRef::Call),
    ]
}

fn time() -> impl Strategy<Value = Timestamp> {
    (0u64..300).prop_map(|secs| Timestamp(secs * 1000))
}

fn address() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "+819012345678",
        "+815000000000",
        "client:demo_sato",
        "client:demo_suzuki",
        "client:佐藤",
        "",
    ])
    .prop_map(str::to_owned)
}

fn twilio_word(words: Vec<&'static str>) -> impl Strategy<Value = &'static str> {
    prop::sample::select(words)
}

fn mark() -> impl Strategy<Value = Mark> {
    (pooled_contact(), time()).prop_map(|(contact, at)| Mark { contact, at })
}

fn any_kind() -> impl Strategy<Value = CallEventKind> {
    prop_oneof![
        (
            1usize..3,
            prop::option::of(pooled_sid()),
            any::<bool>(),
            time()
        )
            .prop_map(
                |(n, root, outbound, at)| CallEventKind::ConversationStarted(ConversationStarted {
                    interaction: interaction(n),
                    root_call_sid: root,
                    customer: None,
                    customer_number: None,
                    channel: tsunagu_core::Channel::Voice,
                    direction: if outbound {
                        ConversationDirection::Outbound
                    } else {
                        ConversationDirection::Inbound
                    },
                    at,
                })
            ),
        (
            pooled_sid(),
            prop::option::of(pooled_sid()),
            twilio_word(vec!["inbound", "outbound-api", "outbound-dial"]),
            address(),
            address(),
            twilio_word(vec![
                "queued",
                "initiated",
                "ringing",
                "in-progress",
                "completed",
                "busy",
                "failed",
                "no-answer",
                "canceled",
                "weird"
            ]),
            prop::option::of(0u32..4),
            time(),
            prop::option::of(0u64..400),
        )
            .prop_map(
                |(call_sid, parent, direction, from, to, status, seq, at, duration)| {
                    CallEventKind::LegStatus(LegStatus {
                        call_sid,
                        parent_call_sid: parent,
                        direction: LegDirection::from_twilio(direction),
                        from,
                        to,
                        status: CallStatus::from_twilio(status),
                        sequence_number: seq,
                        at,
                        call_duration: duration.map(Millis::from_secs),
                    })
                }
            ),
        (
            pooled_sid(),
            prop::option::of(pooled_sid()),
            twilio_word(vec![
                "completed",
                "answered",
                "busy",
                "no-answer",
                "failed",
                "canceled",
                "x"
            ]),
            prop::option::of(0u64..400),
            time(),
        )
            .prop_map(|(parent, dialled, status, duration, at)| {
                CallEventKind::DialResult(DialResult {
                    parent_call_sid: parent,
                    dial_call_sid: dialled,
                    dial_status: DialStatus::from_twilio(status),
                    dial_call_duration: duration.map(Millis::from_secs),
                    at,
                })
            }),
        (
            pooled_sid(),
            prop::sample::select(vec!["RE1", "RE2"]),
            twilio_word(vec!["in-progress", "completed", "absent", "x"]),
            prop::option::of(0u64..400),
            time(),
        )
            .prop_map(|(call_sid, rec, status, duration, at)| {
                CallEventKind::Recording(RecordingUpdate {
                    call_sid,
                    recording_sid: RecordingSid::new(rec).expect("valid"),
                    status: RecordingStatus::from_twilio(status),
                    duration: duration.map(Millis::from_secs),
                    channels: Some(2),
                    url: Some(format!("https://x/{rec}")),
                    at,
                })
            }),
        (
            pooled_contact(),
            prop::option::of(pooled_sid()),
            pooled_agent(),
            time()
        )
            .prop_map(|(contact, leg_call_sid, agent, at)| CallEventKind::Offered(
                Offered {
                    contact,
                    leg_call_sid,
                    agent,
                    team: None,
                    step: OfferStep::Anyone,
                    at,
                }
            )),
        (
            pooled_contact(),
            prop::option::of(pooled_sid()),
            pooled_agent(),
            prop::sample::select(vec![
                AgentResponse::Accepted,
                AgentResponse::Declined,
                AgentResponse::NoAnswer,
                AgentResponse::Missed
            ]),
            time(),
        )
            .prop_map(|(contact, leg_call_sid, agent, response, at)| {
                CallEventKind::AgentResponded(AgentResponded {
                    contact,
                    leg_call_sid,
                    agent,
                    response,
                    at,
                })
            }),
        (pooled_contact(), time()).prop_map(|(contact, at)| CallEventKind::Queued(Queued {
            contact,
            queue: Some("q".to_owned()),
            at
        })),
        mark().prop_map(CallEventKind::Dequeued),
        mark().prop_map(CallEventKind::Hold),
        mark().prop_map(CallEventKind::Unhold),
        mark().prop_map(CallEventKind::Ended),
        (
            pooled_contact(),
            pooled_agent(),
            prop::option::of(pooled_sid()),
            time()
        )
            .prop_map(
                |(contact, to, new_call_sid, at)| CallEventKind::Transferred(Transferred {
                    contact,
                    from_agent: None,
                    to: TransferTarget::Agent(to),
                    new_call_sid,
                    at,
                })
            ),
        (pooled_contact(), pooled_agent(), time()).prop_map(|(contact, agent, at)| {
            CallEventKind::WrapUpEnded(WrapUpEnded {
                contact,
                agent,
                disposition: None,
                notes: None,
                at,
            })
        }),
    ]
}

fn any_event() -> impl Strategy<Value = CallEvent> {
    (
        prop::option::of(prop::sample::select(vec!["k1", "k2", "k3"])),
        any_kind(),
    )
        .prop_map(|(key, kind)| CallEvent {
            dedup_key: key.map(|k| DedupKey(k.to_owned())),
            kind,
        })
}

proptest! {
    #[test]
    fn any_event_soup_stitches_the_same_in_any_order_with_repeats(
        (events, delivered) in prop::collection::vec(any_event(), 0..40).prop_flat_map(delivered)
    ) {
        let expected = stitch(&crate::tests::tenant(), &events);
        prop_assert_eq!(&stitch(&crate::tests::tenant(), &delivered), &expected);
        let mut stitcher = Stitcher::new(crate::tests::tenant());
        for event in delivered.into_iter().rev() {
            stitcher.ingest(event);
        }
        prop_assert_eq!(&stitcher.stitched(), &expected);
        // Each contact is told once, and the warnings come sorted without repeats.
        let ids: std::collections::BTreeSet<_> =
            expected.conversations.iter().map(|c| &c.id).collect();
        prop_assert_eq!(ids.len(), expected.conversations.len());
        prop_assert!(expected.warnings.windows(2).all(|w| w[0] < w[1]));
    }
}
