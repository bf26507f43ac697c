//! The routing object at 50,000 agents: sign-in, one routing decision, one presence change; prints percentiles.
//!
//! Issue 15 asks what one tenant's center costs per decision at 50,000 agents (500 teams of 100,
//! each agent's socket hearing its own team, as `RosterScope::of` gives an agent). Not criterion:
//! each measured step changes the center (an agent rings, a status flips), so the steps run in
//! sequence on one center and each is timed with `Instant`, the way the Durable Object would
//! meet them. Printed: the time to sign 50,000 agents in (every welcome included), then p50/p99/
//! max of (a) a call arriving with no owner (ladder: team → anyone, so the router picks among
//! every available agent) with every output it makes drained and its storage delta taken,
//! (b) the same for a call owned by an agent, (b') a call needing a skill one agent in ten has,
//! (c) one agent changing status plus the roster
//! flush that carries it to the agent's team. Run with `cargo bench -p tsunagu-center --bench
//! center_50k` (release).

use std::{
    collections::{BTreeMap, BTreeSet},
    hint::black_box,
    time::{Duration, Instant},
};

use tsunagu_auth::RosterScope;
use tsunagu_center::{
    AgentCard, CallArrival, CallInput, CallRequirements, Center, CenterConfig, Input, Line,
};
use tsunagu_core::{AgentId, CallSid, CustomerId, Millis, TeamId, TenantId, Timestamp};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{AwayReason, ClientMessage, CustomerCard, Localized, RequestedStatus};
use tsunagu_routing::Skill;

const AGENTS: u64 = 50_000;
const TEAM_SIZE: u64 = 100;
const SAMPLES: u64 = 2_000;
const START: Timestamp = Timestamp(1_711_933_200_000);

fn agent_id(n: u64) -> AgentId {
    AgentId::new(format!("a{n:05}")).expect("generated agent ids are valid")
}

fn team_id(n: u64) -> TeamId {
    TeamId::new(format!("t{:03}", n / TEAM_SIZE)).expect("generated team ids are valid")
}

fn drain(center: &mut Center) -> usize {
    let mut outputs = 0;
    while let Some(output) = center.poll_output() {
        black_box(&output);
        outputs += 1;
    }
    outputs
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "{label}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} samples)",
        at(0.50).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
        samples.len()
    );
}

fn billing() -> Skill {
    Skill::new("billing").expect("valid skill")
}

fn arrival(n: u64, owner: Option<u64>, requirements: CallRequirements) -> CallArrival {
    CallArrival {
        requirements,
        menu: None,
        called: None,
        queue: None,
        call_sid: CallSid::new(format!("CA{n:032x}")).expect("valid sid"),
        customer_number: Some(format!("+8131234{:04}", n % 10_000)),
        customer: owner.map(|owner| CustomerCard {
            id: CustomerId::new(format!("cust-{n}")).expect("valid customer"),
            name: "山田商事".into(),
            owner: Some(agent_id(owner)),
            team: Some(team_id(owner)),
        }),
        customer_attributes: Default::default(),
        recent: Vec::new(),
        line: Line::Main,
    }
}

fn main() {
    let config = CenterConfig::new(
        TenantId::new("bench").expect("valid tenant"),
        Localized {
            ja: "ベンチ".into(),
            en: "Bench".into(),
        },
    );
    let mut center = Center::new(config).expect("default config is valid");

    let started = Instant::now();
    let mut welcome_outputs = 0;
    for n in 0..AGENTS {
        let teams = BTreeSet::from([team_id(n)]);
        // One agent in ten takes billing calls.
        let skills = if n % 10 == 0 {
            BTreeMap::from([(billing(), 3)])
        } else {
            BTreeMap::new()
        };
        let card = AgentCard {
            skills: Some(skills),
            id: agent_id(n),
            name: format!("Agent {n}"),
            roster: RosterScope::Teams {
                teams: teams.clone(),
            },
            teams,
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
        welcome_outputs += drain(&mut center);
    }
    let _ = center.handle_input(Timestamp(START.0 + 1_000), Input::Timeout);
    let flushed = drain(&mut center);
    let _ = center.take_delta();
    println!(
        "sign-in of {AGENTS} agents in {} teams: {:.2} s ({welcome_outputs} outputs; first flush {flushed} multicasts)",
        AGENTS / TEAM_SIZE,
        started.elapsed().as_secs_f64()
    );

    let mut now = Timestamp(START.0 + 2_000);
    let mut changes = Vec::new();
    for n in 0..SAMPLES {
        let conn = ConnectionId(AGENTS - 1 - n * 3);
        let status = if n % 2 == 0 {
            RequestedStatus::Away {
                reason: AwayReason::Break,
            }
        } else {
            RequestedStatus::Available
        };
        now = Timestamp(now.0 + 300);
        let t0 = Instant::now();
        let _ = center.handle_input(
            now,
            Input::ClientMessage {
                conn,
                message: ClientMessage::SetStatus { status },
            },
        );
        drain(&mut center);
        if let Some(due) = center
            .poll_timeout()
            .filter(|due| *due <= now + tsunagu_core::Millis(250))
        {
            let _ = center.handle_input(due, Input::Timeout);
            drain(&mut center);
        }
        let _ = center.take_delta();
        changes.push(t0.elapsed());
    }
    percentiles(
        "one presence change and the roster flush to its team (100 sockets), delta taken",
        changes,
    );
    // After the changes (all flushed), so no offer's deadline falls inside them.
    let mut now = Timestamp(START.0 + 2_000_000);
    let mut decide = |center: &mut Center, n: u64, owner: Option<u64>, needs: CallRequirements| {
        now = Timestamp(now.0 + 1);
        let t0 = Instant::now();
        let plan = center.handle_input(
            now,
            Input::Call(CallInput::CallArrived {
                arrival: arrival(n, owner, needs),
            }),
        );
        black_box(&plan);
        drain(center);
        let delta = center.take_delta();
        black_box(&delta);
        t0.elapsed()
    };
    let anyone: Vec<Duration> = (0..SAMPLES)
        .map(|n| decide(&mut center, n, None, CallRequirements::default()))
        .collect();
    percentiles(
        "call with no owner (team → anyone among ~50,000 available), outputs and delta",
        anyone,
    );
    let owned: Vec<Duration> = (0..SAMPLES)
        .map(|n| {
            decide(
                &mut center,
                SAMPLES + n,
                Some((n * 7_919) % AGENTS),
                CallRequirements::default(),
            )
        })
        .collect();
    percentiles("call owned by an agent, outputs and delta", owned);
    let skilled: Vec<Duration> = (0..SAMPLES / 2)
        .map(|n| {
            let needs = CallRequirements {
                skills: BTreeMap::from([(billing(), 2)]),
                priority: 1,
                relax_after: Some(Millis::from_secs(60)),
            };
            decide(&mut center, 2 * SAMPLES + n, None, needs)
        })
        .collect();
    percentiles(
        "call needing billing ≥ 2 (5,000 agents have it), outputs and delta",
        skilled,
    );
}
