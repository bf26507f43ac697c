//! Routing load benchmark: 10,000 agents in 100 teams with 1,000 queued contacts; decisions/s and p99.
//!
//! Scenario (a busy Japanese center): every agent speaks `ja`, one in ten also `en`; the one in a
//! hundred who speak `ko` are all on calls, so 1,000 Korean contacts wait in the queue. Of the rest,
//! 40 % are offline, 10 % away, 20 % on calls and 30 % idle. New contacts have a random owner (the
//! default ladder: owner, owner's team, anyone); one in ten has none. Measured: plain contacts,
//! contacts needing `en`, and contacts needing `ko` (nobody free: they walk every step and queue
//! behind up to 1,000, which costs O(position) for the announced number).
//!
//! Each measured call is timed alone; the bookkeeping that resets the router between calls
//! (abandoning the offer, putting the agent back) is outside the timing.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use criterion::{Criterion, Throughput, criterion_group};
use tsunagu_core::{AgentId, Channel, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_routing::{
    AgentProfile, Availability, Contact, Decision, Ladder, NotRoutableReason, Router, Skill, Step,
    Target,
};

const AGENTS: usize = 10_000;
const TEAMS: usize = 100;
const QUEUED: usize = 1_000;
const START: Timestamp = Timestamp(1_700_000_000_000);

/// A fixed-seed xorshift: the benchmark must be repeatable, and domain crates use no `rand`.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn agent_id(n: usize) -> AgentId {
    AgentId::new(format!("a{n:05}")).expect("generated agent ids are valid")
}

/// Agents `100 t .. 100 t + 99` form team `t`, so every team mixes states and skills.
fn team_id(n: usize) -> TeamId {
    TeamId::new(format!("t{:03}", n / (AGENTS / TEAMS))).expect("generated team ids are valid")
}

fn skill(raw: &str) -> Skill {
    Skill::new(raw).expect("bench skills are valid")
}

fn korean_ladder() -> Ladder {
    Ladder {
        steps: vec![Step {
            target: Target::Team(TeamId::new("ko").expect("valid team id")),
            timeout: Millis::from_secs(30),
        }],
    }
}

fn away(why: NotRoutableReason) -> Availability {
    Availability::NotRoutable { why }
}

/// Agent `n` who speaks Korean (and is on a call while the queue builds up).
fn is_korean(n: usize) -> bool {
    n % 100 == 5
}

fn build() -> Router {
    let mut router = Router::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 0..AGENTS {
        let mut profile = AgentProfile::new(agent_id(n));
        profile.teams.insert(team_id(n));
        profile.skills.insert(skill("ja"));
        if (n / 10) % 10 == 3 {
            profile.skills.insert(skill("en"));
        }
        if is_korean(n) {
            profile.skills.insert(skill("ko"));
            profile
                .teams
                .insert(TeamId::new("ko").expect("valid team id"));
        }
        router.upsert_agent(profile);
        let availability = match n % 10 {
            0..=3 => away(NotRoutableReason::Offline),
            4 => away(NotRoutableReason::Away {
                label: Some("lunch".into()),
            }),
            5 | 6 => away(NotRoutableReason::OnCall),
            _ => Availability::Routable {
                idle_since: Timestamp(START.0 - 1_000 * rng.below(3_600) as u64),
            },
        };
        router
            .set_availability(&agent_id(n), availability)
            .expect("the agent was just added");
    }
    for q in 0..QUEUED {
        let decision = router
            .route(korean_contact(q), &korean_ladder(), START)
            .expect("a fresh contact routes");
        assert!(
            matches!(decision, Decision::Queued(_)),
            "every ko agent is on a call"
        );
    }
    router
}

fn korean_contact(q: usize) -> Contact {
    let id = InteractionId::new(format!("ko{q:04}")).expect("valid interaction id");
    let mut contact = Contact::new(id, Channel::Voice, Timestamp(START.0 + q as u64));
    contact.priority = (q % 3) as u8;
    contact.skills.insert(skill("ko"));
    contact
}

fn new_contact(rng: &mut Rng, i: usize, skills: &[&str]) -> Contact {
    let id = InteractionId::new(format!("r{i}")).expect("valid interaction id");
    let mut contact = Contact::new(id, Channel::Voice, START);
    if rng.below(10) != 0 {
        let owner = rng.below(AGENTS);
        contact.owner = Some(agent_id(owner));
        contact.owner_team = Some(team_id(owner));
    }
    contact.priority = rng.below(3) as u8;
    contact.skills = skills.iter().map(|s| skill(s)).collect();
    contact
}

/// Times one `route` of a new contact, then withdraws it so the router is unchanged.
fn timed_route(router: &mut Router, ladder: &Ladder, contact: Contact) -> Duration {
    let id = contact.id.clone();
    let start = Instant::now();
    let decision = router.route(contact, ladder, START);
    let elapsed = start.elapsed();
    black_box(&decision);
    router.abandon(&id).expect("the contact was just routed");
    elapsed
}

/// Times one `next_for_agent` of a Korean speaker freeing up, then puts everything back.
fn timed_pickup(router: &mut Router, agent: &AgentId) -> Duration {
    let routable = Availability::Routable { idle_since: START };
    router
        .set_availability(agent, routable)
        .expect("the agent exists");
    let start = Instant::now();
    let offer = router.next_for_agent(agent, START);
    let elapsed = start.elapsed();
    let offer = offer
        .expect("the agent exists")
        .expect("a Korean speaker can serve the queue");
    black_box(&offer);
    let q = offer
        .contact
        .as_str()
        .trim_start_matches("ko")
        .parse()
        .expect("bench contact ids end in a number");
    router.abandon(&offer.contact).expect("it was just offered");
    router
        .set_availability(agent, away(NotRoutableReason::OnCall))
        .expect("the agent exists");
    let requeued = router.route(korean_contact(q), &korean_ladder(), START);
    assert!(matches!(requeued, Ok(Decision::Queued(_))), "{requeued:?}");
    elapsed
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    let total: Duration = samples.iter().sum();
    println!(
        "{label:<40} n={} mean={:?} p50={:?} p99={:?} max={:?} ({:.0} decisions/s)",
        samples.len(),
        total / samples.len() as u32,
        at(0.50),
        at(0.99),
        at(1.0),
        samples.len() as f64 / total.as_secs_f64()
    );
}

fn manual_percentiles() {
    let started = Instant::now();
    let mut router = build();
    println!(
        "setup: {} agents, {} teams, {} queued, built in {:?}",
        router.agent_count(),
        TEAMS,
        router.queued_total(),
        started.elapsed()
    );
    let mut rng = Rng(42);
    let ladder = Ladder::default();
    let samples = (0..10_000)
        .map(|i| timed_route(&mut router, &ladder, new_contact(&mut rng, i, &[])))
        .collect();
    percentiles("route (owner → team → anyone)", samples);
    let samples = (0..10_000)
        .map(|i| timed_route(&mut router, &ladder, new_contact(&mut rng, i, &["en"])))
        .collect();
    percentiles("route (needs en: 1 in 10 agents)", samples);
    let samples = (0..10_000)
        .map(|i| timed_route(&mut router, &ladder, new_contact(&mut rng, i, &["ko"])))
        .collect();
    percentiles("route (needs ko: all busy, queues)", samples);
    let samples = (0..10_000)
        .map(|i| {
            let agent = agent_id(100 * (i % TEAMS) + 5);
            timed_pickup(&mut router, &agent)
        })
        .collect();
    percentiles("next_for_agent (1,000 queued)", samples);
}

fn criterion_benches(c: &mut Criterion) {
    let mut router = build();
    let mut rng = Rng(7);
    let ladder = Ladder::default();
    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("route", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    i += 1;
                    timed_route(&mut router, &ladder, new_contact(&mut rng, i, &[]))
                })
                .sum()
        })
    });
    group.bench_function("route_needing_skill", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    i += 1;
                    timed_route(&mut router, &ladder, new_contact(&mut rng, i, &["en"]))
                })
                .sum()
        })
    });
    group.bench_function("route_queueing_behind_1000", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    i += 1;
                    timed_route(&mut router, &ladder, new_contact(&mut rng, i, &["ko"]))
                })
                .sum()
        })
    });
    group.bench_function("next_for_agent", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    i += 1;
                    timed_pickup(&mut router, &agent_id(100 * (i % TEAMS) + 5))
                })
                .sum()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = criterion_benches
}

fn main() {
    manual_percentiles();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
