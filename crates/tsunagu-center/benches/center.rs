//! Center load benchmark: 2,000 connected agents, a burst of 1,000 calls, a 2,000-agent roster, snapshots.
//!
//! Scenario: 2,000 agents in 20 teams of 100, each with one widget socket, all available. Then:
//! - `call_burst_1000`: 1,000 calls arrive at once (each owned by a random agent, so the default
//!   ladder rings the owner or, if already reserved, the owner's team), and every output they
//!   produce (offers with screen pops, call-log events, status messages) is drained. With 2,000
//!   agents free, every call rings someone.
//! - `roster_flush_2000`: all 2,000 agents changed status inside one broadcast window; the alarm
//!   fires and the rosters go out, encoded as JSON as the worker sends them. Each agent's socket
//!   hears its own team (roster scope), so that is 20 multicasts of 100 entries, one per team.
//! - `snapshot_json` / `restore_json`: the whole center (2,000 agents, 1,000 ringing calls) to
//!   JSON and back, as the Durable Object did after each batch; the size is printed.
//! - `queued_take_delta_after_call` / `queued_snapshot_json_after_call`: 2,000 agents on a
//!   break and 1,000 calls in the queue; one more call arrives (outside the timing), then what
//!   the Durable Object persists is produced: the incremental delta, or the whole snapshot as
//!   JSON for comparison. `queued_call_and_delta` times the call and its delta together. Sizes
//!   are printed. (These keep the center out of the timing: dropping it costs about 1 ms.)
//!
//! Each sample starts from a clone of a prepared center, outside the timing.

use std::{collections::BTreeSet, hint::black_box, time::Duration};

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use tsunagu_auth::RosterScope;
use tsunagu_center::{
    AgentCard, CallArrival, CallInput, Center, CenterConfig, Input, Line, Output,
};
use tsunagu_core::{AgentId, CallSid, CustomerId, TeamId, TenantId, Timestamp};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{AwayReason, ClientMessage, CustomerCard, Localized, RequestedStatus};

const AGENTS: u64 = 2_000;
const TEAM_SIZE: u64 = 100;
const CALLS: u64 = 1_000;
const START: Timestamp = Timestamp(1_711_933_200_000);

/// A fixed-seed xorshift: the benchmark must be repeatable, and domain crates use no `rand`.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn agent_id(n: u64) -> AgentId {
    AgentId::new(format!("a{n:05}")).expect("generated agent ids are valid")
}

fn team_id(n: u64) -> TeamId {
    TeamId::new(format!("t{:02}", n / TEAM_SIZE)).expect("generated team ids are valid")
}

/// 2,000 agents signed in, all available, outputs drained.
fn connected() -> Center {
    let config = CenterConfig::new(
        TenantId::new("bench").expect("valid tenant"),
        Localized {
            ja: "ベンチ".into(),
            en: "Bench".into(),
        },
    );
    let mut center = Center::new(config).expect("default config is valid");
    for n in 0..AGENTS {
        let card = AgentCard {
            id: agent_id(n),
            name: format!("Agent {n}"),
            teams: BTreeSet::from([team_id(n)]),
            skills: None,
            roster: RosterScope::Teams {
                teams: BTreeSet::from([team_id(n)]),
            },
        };
        center
            .handle_input(
                START,
                Input::AgentConnected {
                    conn: ConnectionId(n),
                    card,
                },
            )
            .expect("fresh connection");
        // Welcomes carry the roster so far; drained as the worker would send them.
        while center.poll_output().is_some() {}
    }
    let _ = center.handle_input(Timestamp(START.0 + 1_000), Input::Timeout);
    while center.poll_output().is_some() {}
    center
}

fn arrivals() -> Vec<CallArrival> {
    let mut rng = Rng(42);
    (0..CALLS)
        .map(|n| {
            let owner = rng.below(AGENTS);
            CallArrival {
                call_sid: CallSid::new(format!("CA{n:032x}")).expect("valid sid"),
                customer_number: Some(format!("+8131234{n:04}")),
                customer: Some(CustomerCard {
                    id: CustomerId::new(format!("cust-{n}")).expect("valid customer"),
                    name: "山田商事".into(),
                    owner: Some(agent_id(owner)),
                    team: Some(team_id(owner)),
                }),
                customer_attributes: Default::default(),
                recent: Vec::new(),
                line: Line::Main,
                requirements: Default::default(),
                queue: None,
                menu: None,
                called: None,
            }
        })
        .collect()
}

/// Handles the burst and drains every output; returns how many outputs there were.
fn burst(center: &mut Center, arrivals: &[CallArrival]) -> usize {
    let now = Timestamp(START.0 + 2_000);
    let mut outputs = 0;
    for arrival in arrivals {
        let _ = black_box(center.handle_input(
            now,
            Input::Call(CallInput::CallArrived {
                arrival: arrival.clone(),
            }),
        ));
        while let Some(output) = center.poll_output() {
            black_box(&output);
            outputs += 1;
        }
    }
    outputs
}

/// Every agent changed status inside one window; the roster flush is due.
fn all_changed() -> (Center, Timestamp) {
    let mut center = connected();
    let now = Timestamp(START.0 + 2_000);
    for n in 0..AGENTS {
        let message = ClientMessage::SetStatus {
            status: RequestedStatus::Away {
                reason: AwayReason::Break,
            },
        };
        center
            .handle_input(
                now,
                Input::ClientMessage {
                    conn: ConnectionId(n),
                    message,
                },
            )
            .expect("agent may go on break");
    }
    while center.poll_output().is_some() {}
    let due = center.poll_timeout().expect("a roster flush is due");
    (center, due)
}

fn flush(center: &mut Center, due: Timestamp) -> usize {
    let _ = center.handle_input(due, Input::Timeout);
    let mut bytes = 0;
    while let Some(output) = center.poll_output() {
        if let Output::Multicast { message, .. } = output {
            bytes += message.to_json().len();
        }
    }
    bytes
}

/// 2,000 agents on a break, 1,000 calls queued, the roster sent and every delta taken.
fn queued() -> Center {
    let (mut center, due) = all_changed();
    flush(&mut center, due);
    burst(&mut center, &arrivals());
    let due = center.poll_timeout().unwrap_or(Timestamp(START.0 + 3_000));
    let _ = center.handle_input(due, Input::Timeout);
    while center.poll_output().is_some() {}
    assert_eq!(center.queue_len(), CALLS as usize, "every call waits");
    center.take_delta();
    center
}

/// The call that arrives at the queued center.
fn one_more_call() -> CallArrival {
    CallArrival {
        call_sid: CallSid::new("CAffffffffffffffffffffffffffffffff").expect("valid sid"),
        customer_number: Some("+81399999999".into()),
        customer: None,
        customer_attributes: Default::default(),
        recent: Vec::new(),
        line: Line::Main,
        requirements: Default::default(),
        queue: None,
        menu: None,
        called: None,
    }
}

/// The queued center after one more call, outputs drained, its delta not taken yet.
fn after_one_call(queued: &Center) -> Center {
    let mut center = queued.clone();
    let _ = black_box(center.handle_input(
        Timestamp(START.0 + 4_000),
        Input::Call(CallInput::CallArrived {
            arrival: one_more_call(),
        }),
    ));
    while center.poll_output().is_some() {}
    center
}

fn report_sizes() {
    let mut center = connected();
    let idle = serde_json::to_string(&center.snapshot()).expect("snapshot serializes");
    println!(
        "snapshot with {AGENTS} idle agents: {} KB",
        idle.len() / 1024
    );
    let arrivals = arrivals();
    let outputs = burst(&mut center, &arrivals);
    let json = serde_json::to_string(&center.snapshot()).expect("snapshot serializes");
    println!(
        "call burst: {CALLS} calls -> {outputs} outputs; snapshot with {AGENTS} agents and \
         {CALLS} ringing calls: {} KB",
        json.len() / 1024
    );
    let (mut center, due) = all_changed();
    println!(
        "roster of {AGENTS} changes: {} KB of JSON in one broadcast",
        flush(&mut center, due) / 1024
    );
    let queued = queued();
    let mut center = after_one_call(&queued);
    let snapshot = serde_json::to_string(&center.snapshot()).expect("snapshot serializes");
    let delta = center.take_delta();
    let bytes: usize = delta.puts.iter().map(|(k, v)| k.len() + v.len()).sum();
    println!(
        "one call arriving at {AGENTS} agents on a break and {CALLS} queued calls: delta of {} \
         puts ({}), {} deletes, {bytes} bytes; the whole snapshot is {} KB",
        delta.puts.len(),
        delta
            .puts
            .iter()
            .map(|(k, v)| format!("{k} {} B", v.len()))
            .collect::<Vec<_>>()
            .join(", "),
        delta.deletes.len(),
        snapshot.len() / 1024
    );
}

fn criterion_benches(c: &mut Criterion) {
    let connected = connected();
    let arrivals = arrivals();
    let mut group = c.benchmark_group("center");

    group.throughput(Throughput::Elements(CALLS));
    group.bench_function("call_burst_1000", |b| {
        b.iter_batched(
            || connected.clone(),
            |mut center| burst(&mut center, &arrivals),
            BatchSize::LargeInput,
        );
    });

    let (changed, due) = all_changed();
    group.throughput(Throughput::Elements(AGENTS));
    group.bench_function("roster_flush_2000", |b| {
        b.iter_batched(
            || changed.clone(),
            |mut center| flush(&mut center, due),
            BatchSize::LargeInput,
        );
    });

    let mut busy = connected.clone();
    burst(&mut busy, &arrivals);
    let json = serde_json::to_string(&busy.snapshot()).expect("snapshot serializes");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("snapshot_json", |b| {
        b.iter(|| serde_json::to_string(&busy.snapshot()).expect("snapshot serializes"));
    });
    group.bench_function("restore_json", |b| {
        b.iter(|| {
            let snapshot = serde_json::from_str(&json).expect("snapshot deserializes");
            Center::restore(snapshot).expect("snapshot restores")
        });
    });

    let queued = queued();
    group.throughput(Throughput::Elements(1));
    group.bench_function("queued_take_delta_after_call", |b| {
        b.iter_batched_ref(
            || after_one_call(&queued),
            |center| center.take_delta(),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("queued_snapshot_json_after_call", |b| {
        b.iter_batched_ref(
            || after_one_call(&queued),
            |center| serde_json::to_string(&center.snapshot()).expect("snapshot serializes"),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("queued_call_and_delta", |b| {
        b.iter_batched_ref(
            || queued.clone(),
            |center| {
                let _ = black_box(center.handle_input(
                    Timestamp(START.0 + 4_000),
                    Input::Call(CallInput::CallArrived {
                        arrival: one_more_call(),
                    }),
                ));
                while center.poll_output().is_some() {}
                center.take_delta()
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = criterion_benches
}

fn main() {
    report_sizes();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
