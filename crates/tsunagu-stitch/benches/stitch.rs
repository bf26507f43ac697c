//! Benchmark: how many call legs per second the stitcher folds into conversations.
//!
//! A day of a large contact center: 10,000 inbound calls, each ringing three agents who do not
//! answer and a fourth who does (the seed story), delivered shuffled with every tenth callback
//! retried. Throughput is counted in agent legs (40,000 per iteration).

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tsunagu_core::{AgentId, Channel, InteractionId, Millis, TenantId, Timestamp};
use tsunagu_stitch::{
    CallEvent, CallEventKind, CallSid, CallStatus, ContactRef, ConversationDirection,
    ConversationStarted, DialResult, DialStatus, LegDirection, LegStatus, OfferStep, Offered,
    RecordingSid, RecordingStatus, RecordingUpdate, stitch,
};

const CONVERSATIONS: usize = 10_000;
const LEGS_PER_CONVERSATION: usize = 4;

fn sid(raw: String) -> CallSid {
    CallSid::new(raw).expect("generated sids are valid")
}

/// Real sids are `CA` plus 32 random hex digits; a fixed mix (splitmix64) stands in for the RNG.
fn hex32(seed: u64) -> String {
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let a = mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
    format!("{a:016x}{:016x}", mix(a))
}

fn leg(
    call_sid: &CallSid,
    parent: Option<&CallSid>,
    to: &str,
    status: CallStatus,
    seq: u32,
    at: u64,
) -> CallEvent {
    CallEvent::new(CallEventKind::LegStatus(LegStatus {
        call_sid: call_sid.clone(),
        parent_call_sid: parent.cloned(),
        direction: if parent.is_some() {
            LegDirection::OutboundDial
        } else {
            LegDirection::Inbound
        },
        from: "+819012345678".to_owned(),
        to: to.to_owned(),
        status,
        sequence_number: Some(seq),
        at: Timestamp(at),
        call_duration: (seq == 3).then_some(Millis::from_secs(120)),
    }))
}

fn conversation(n: usize, events: &mut Vec<CallEvent>) {
    let start = 1_775_000_000_000 + n as u64 * 7_000;
    let root = sid(format!("CA{}", hex32(n as u64 * 8)));
    let interaction = InteractionId::new(format!("I{n}")).expect("valid");
    events.push(CallEvent::new(CallEventKind::ConversationStarted(
        ConversationStarted {
            interaction: interaction.clone(),
            root_call_sid: Some(root.clone()),
            customer: None,
            customer_number: Some("+819012345678".to_owned()),
            channel: Channel::Voice,
            direction: ConversationDirection::Inbound,
            at: Timestamp(start),
        },
    )));
    events.push(leg(
        &root,
        None,
        "+815000000000",
        CallStatus::Ringing,
        0,
        start,
    ));
    for k in 0..LEGS_PER_CONVERSATION {
        let agent = format!("agent{}", (n + k) % 500);
        let child = sid(format!("CA{}", hex32(n as u64 * 8 + 1 + k as u64)));
        let to = format!("client:demo_{agent}");
        let t = start + 1_000 + k as u64 * 20_000;
        events.push(CallEvent::new(CallEventKind::Offered(Offered {
            contact: ContactRef::Interaction(interaction.clone()),
            leg_call_sid: None,
            agent: AgentId::new(agent).expect("valid"),
            team: None,
            step: OfferStep::Team,
            at: Timestamp(t),
        })));
        events.push(leg(
            &child,
            Some(&root),
            &to,
            CallStatus::Ringing,
            0,
            t + 1_000,
        ));
        let answered = k + 1 == LEGS_PER_CONVERSATION;
        let (status, dial_status, end) = if answered {
            events.push(leg(
                &child,
                Some(&root),
                &to,
                CallStatus::InProgress,
                1,
                t + 5_000,
            ));
            (CallStatus::Completed, DialStatus::Completed, t + 125_000)
        } else {
            (CallStatus::NoAnswer, DialStatus::NoAnswer, t + 20_000)
        };
        events.push(leg(&child, Some(&root), &to, status, 3, end));
        events.push(CallEvent::new(CallEventKind::DialResult(DialResult {
            parent_call_sid: root.clone(),
            dial_call_sid: Some(child),
            dial_status,
            dial_call_duration: None,
            at: Timestamp(end),
        })));
    }
    let end = start + 200_000;
    events.push(leg(
        &root,
        None,
        "+815000000000",
        CallStatus::Completed,
        3,
        end,
    ));
    events.push(CallEvent::new(CallEventKind::Recording(RecordingUpdate {
        call_sid: root,
        recording_sid: RecordingSid::new(format!("RE{}", hex32(n as u64 * 8 + 7))).expect("valid"),
        status: RecordingStatus::Completed,
        duration: Some(Millis::from_secs(120)),
        channels: Some(2),
        url: None,
        at: Timestamp(end + 3_000),
    })));
}

/// The day's events in a scrambled delivery order, every tenth delivered twice.
fn day() -> Vec<CallEvent> {
    let mut events = Vec::new();
    for n in 0..CONVERSATIONS {
        conversation(n, &mut events);
    }
    let retries: Vec<CallEvent> = events.iter().step_by(10).cloned().collect();
    events.extend(retries);
    // A fixed permutation (multiplicative stride, coprime with the length) instead of an RNG.
    let len = events.len();
    let stride = (1..)
        .map(|k| 7919 * k + 1)
        .find(|s| gcd(*s, len) == 1)
        .unwrap_or(1);
    (0..len)
        .filter_map(|i| events.get(i * stride % len).cloned())
        .collect()
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn bench(c: &mut Criterion) {
    let events = day();
    let tenant = TenantId::new("demo").expect("valid");
    let stitched = stitch(&tenant, &events);
    assert_eq!(stitched.conversations.len(), CONVERSATIONS);
    assert!(stitched.warnings.is_empty());
    let mut group = c.benchmark_group("stitch");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(
        (CONVERSATIONS * LEGS_PER_CONVERSATION) as u64,
    ));
    group.bench_function("10k_conversations_x_4_legs", |b| {
        b.iter(|| stitch(&tenant, black_box(&events)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
