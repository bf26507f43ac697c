//! Property tests: random operation sequences never panic, lose a contact or break capacity.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, BTreeSet},
};

use proptest::prelude::*;
use tsunagu_core::{AgentId, Channel, InteractionId, Millis, TeamId, Timestamp};

use super::{agent, interaction, skill, team};
use crate::{
    AgentProfile, Availability, Capacity, Contact, ContactState, Decision, Ladder,
    NotRoutableReason, Router, Skill, Step, Target,
};

const AGENTS: usize = 5;
const CONTACTS: usize = 8;
const EXTERNAL: usize = 3;
const CHANNELS: [Channel; 4] = [
    Channel::Voice,
    Channel::WebCall,
    Channel::Chat,
    Channel::Email,
];

#[derive(Debug, Clone)]
enum Op {
    Upsert {
        agent: usize,
        teams: u8,
        skills: u8,
    },
    Remove {
        agent: usize,
    },
    SetAvailability {
        agent: usize,
        state: u8,
    },
    Assign {
        agent: usize,
        external: usize,
        channel: usize,
    },
    Release {
        agent: usize,
        interaction: usize,
    },
    Route(RouteOp),
    Failed {
        contact: usize,
    },
    Accepted {
        contact: usize,
    },
    Abandon {
        contact: usize,
    },
    Next {
        agent: usize,
    },
    /// The agent becomes routable and asks for the next queued contact.
    Available {
        agent: usize,
    },
    Wait {
        secs: u8,
    },
}

#[derive(Debug, Clone)]
struct RouteOp {
    contact: usize,
    owner: Option<usize>,
    team: Option<usize>,
    channel: usize,
    priority: u8,
    skills: u8,
    ladder: usize,
}

fn op() -> impl Strategy<Value = Op> {
    let agent = 0..AGENTS;
    let contact = 0..CONTACTS;
    let route = (
        contact.clone(),
        proptest::option::of(0..AGENTS + 1),
        proptest::option::of(0..3usize),
        0..CHANNELS.len(),
        0..3u8,
        prop_oneof![2 => Just(0u8), 1 => 0..4u8],
        0..4usize,
    )
        .prop_map(
            |(contact, owner, team, channel, priority, skills, ladder)| RouteOp {
                contact,
                owner,
                team,
                channel,
                priority,
                skills,
                ladder,
            },
        );
    prop_oneof![
        1 => (agent.clone(), 0..4u8, 0..4u8)
            .prop_map(|(agent, teams, skills)| Op::Upsert { agent, teams, skills }),
        1 => agent.clone().prop_map(|agent| Op::Remove { agent }),
        3 => (agent.clone(), 0..8u8).prop_map(|(agent, state)| Op::SetAvailability { agent, state }),
        2 => (agent.clone(), 0..EXTERNAL, 0..CHANNELS.len())
            .prop_map(|(agent, external, channel)| Op::Assign { agent, external, channel }),
        2 => (agent.clone(), 0..CONTACTS + EXTERNAL)
            .prop_map(|(agent, interaction)| Op::Release { agent, interaction }),
        4 => route.prop_map(Op::Route),
        2 => contact.clone().prop_map(|contact| Op::Failed { contact }),
        2 => contact.clone().prop_map(|contact| Op::Accepted { contact }),
        1 => contact.prop_map(|contact| Op::Abandon { contact }),
        1 => agent.clone().prop_map(|agent| Op::Next { agent }),
        2 => agent.prop_map(|agent| Op::Available { agent }),
        1 => (0..60u8).prop_map(|secs| Op::Wait { secs }),
    ]
}

fn agent_id(n: usize) -> AgentId {
    agent(&format!("a{n}"))
}

fn contact_id(n: usize) -> InteractionId {
    if n < CONTACTS {
        interaction(&format!("c{n}"))
    } else {
        interaction(&format!("x{}", n - CONTACTS))
    }
}

/// Capacities differ per agent (chat 0, 1 or 2) but never change, so limits can be checked.
fn capacity(n: usize) -> Capacity {
    Capacity::default()
        .with_limit(Channel::Chat, u16::try_from(n % 3).unwrap_or(0))
        .with_limit(Channel::Email, 1)
}

fn pick<T: Ord>(mask: u8, items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, item)| item)
        .collect()
}

fn ladder(n: usize) -> Ladder {
    let step = |target, secs| Step {
        target,
        timeout: Millis::from_secs(secs),
    };
    match n {
        0 => Ladder::default(),
        1 => Ladder {
            steps: vec![
                step(Target::Team(team("t0")), 10),
                step(
                    Target::Agents(vec![agent_id(1), agent_id(2), agent_id(9)]),
                    5,
                ),
            ],
        },
        2 => Ladder {
            steps: vec![step(Target::Anyone, 30)],
        },
        _ => Ladder { steps: Vec::new() },
    }
}

fn availability(state: u8, now: Timestamp) -> Availability {
    let why = match state {
        0 => NotRoutableReason::Offline,
        1 => NotRoutableReason::Away { label: None },
        2 => NotRoutableReason::OnCall,
        3 => NotRoutableReason::WrapUp,
        _ => return Availability::Routable { idle_since: now },
    };
    Availability::NotRoutable { why }
}

/// What the test knows independently of the router.
#[derive(Default)]
struct Model {
    /// Teams and skills of each agent in the directory, as last upserted.
    agents: BTreeMap<AgentId, (BTreeSet<TeamId>, BTreeSet<Skill>)>,
    /// Live contacts (routed, not yet abandoned or released).
    live: BTreeMap<InteractionId, Live>,
}

struct Live {
    route: RouteOp,
    arrived_at: Timestamp,
    /// Agents who missed or declined it.
    tried: BTreeSet<AgentId>,
}

impl Live {
    fn channel(&self) -> Channel {
        CHANNELS[self.route.channel]
    }

    fn needs(&self) -> BTreeSet<Skill> {
        pick(self.route.skills, ["s0", "s1"].map(skill))
    }

    fn queue_key(&self, id: &InteractionId) -> (Reverse<u8>, Timestamp, InteractionId) {
        (Reverse(self.route.priority), self.arrived_at, id.clone())
    }
}

/// A reference implementation of the routing rules, by brute force over the router's public
/// views (availability, pending offers, holdings) taken before the operation.
impl Model {
    /// Whether `agent` may be offered a `channel` contact needing `needs`, and their idle time.
    fn eligible(
        &self,
        router: &Router,
        agent: &AgentId,
        channel: Channel,
        needs: &BTreeSet<Skill>,
    ) -> Option<Timestamp> {
        let (_, skills) = self.agents.get(agent)?;
        let Some(Availability::Routable { idle_since }) = router.availability(agent) else {
            return None;
        };
        let holdings = router.holdings(agent)?;
        let n: usize = agent.as_str().trim_start_matches('a').parse().ok()?;
        let held = holdings.values().filter(|c| **c == channel).count();
        let free = router.pending_offer(agent).is_none()
            && !holdings.values().any(|c| c.is_exclusive())
            && held < usize::from(capacity(n).limit(channel))
            && needs.is_subset(skills);
        free.then_some(*idle_since)
    }

    /// The agent and step the ladder should pick for `contact`, excluding `tried`.
    fn expected_offer(
        &self,
        router: &Router,
        contact: &Live,
        tried: &BTreeSet<AgentId>,
    ) -> Option<(AgentId, usize)> {
        let owner = contact.route.owner.map(agent_id);
        let owner_team = contact.route.team.map(|t| team(&format!("t{t}")));
        let in_team = |team: &TeamId| -> Vec<AgentId> {
            let members = self
                .agents
                .iter()
                .filter(|(_, (teams, _))| teams.contains(team));
            members.map(|(id, _)| id.clone()).collect()
        };
        for (step_index, step) in ladder(contact.route.ladder).steps.iter().enumerate() {
            let targets: Vec<AgentId> = match &step.target {
                Target::Owner => owner.iter().cloned().collect(),
                Target::OwnerTeam => owner_team.as_ref().map(in_team).unwrap_or_default(),
                Target::Team(team) => in_team(team),
                Target::Agents(agents) => agents.clone(),
                _ => self.agents.keys().cloned().collect(),
            };
            let best = targets
                .iter()
                .filter(|agent| !tried.contains(*agent))
                .filter_map(|agent| {
                    let idle = self.eligible(router, agent, contact.channel(), &contact.needs())?;
                    Some((idle, agent.clone()))
                })
                .min();
            if let Some((_, agent)) = best {
                return Some((agent, step_index));
            }
        }
        None
    }

    /// The queued contact `agent` should be handed, with the step that targets them.
    fn expected_pickup(&self, router: &Router, agent: &AgentId) -> Option<(InteractionId, usize)> {
        let (teams, _) = self.agents.get(agent)?;
        self.live
            .iter()
            .filter(|(id, _)| matches!(router.contact_state(id), Some(ContactState::Queued { .. })))
            .filter(|(_, live)| !live.tried.contains(agent))
            .filter(|(_, live)| {
                self.eligible(router, agent, live.channel(), &live.needs())
                    .is_some()
            })
            .filter_map(|(id, live)| {
                let owner = live.route.owner.map(agent_id);
                let owner_team = live.route.team.map(|t| team(&format!("t{t}")));
                let step =
                    ladder(live.route.ladder)
                        .steps
                        .iter()
                        .position(|step| match &step.target {
                            Target::Owner => owner.as_ref() == Some(agent),
                            Target::OwnerTeam => {
                                owner_team.as_ref().is_some_and(|t| teams.contains(t))
                            }
                            Target::Team(team) => teams.contains(team),
                            Target::Agents(agents) => agents.contains(agent),
                            _ => true,
                        })?;
                Some((live.queue_key(id), step))
            })
            .min()
            .map(|((_, _, id), step)| (id, step))
    }
}

/// Compares a decision with the one the reference model expects.
fn check_expected(
    decision: &Decision,
    expected: Option<(AgentId, usize)>,
) -> Result<(), TestCaseError> {
    let actual = match decision {
        Decision::Offer(offer) => Some((offer.agent.clone(), offer.step_index)),
        Decision::Queued(_) => None,
    };
    prop_assert_eq!(actual, expected, "{}", decision.explanation());
    Ok(())
}

/// Every agent joins first (with random teams, skills and availability), then `ops` run.
fn roster() -> impl Strategy<Value = Vec<Op>> {
    let joins = prop::collection::vec((0..4u8, 0..4u8, 0..8u8), AGENTS);
    joins.prop_map(|joins| {
        joins
            .into_iter()
            .enumerate()
            .flat_map(|(agent, (teams, skills, state))| {
                [
                    Op::Upsert {
                        agent,
                        teams,
                        skills,
                    },
                    Op::SetAvailability { agent, state },
                ]
            })
            .collect()
    })
}

fn scenario(max_ops: usize) -> impl Strategy<Value = Vec<Op>> {
    (roster(), prop::collection::vec(op(), 1..max_ops)).prop_map(|(mut all, ops)| {
        all.extend(ops);
        all
    })
}

/// Runs `ops`, checking every invariant after each one, and returns a transcript of the results.
fn run(ops: &[Op]) -> Result<Vec<String>, TestCaseError> {
    run_restoring(ops, None)
}

/// As [`run`], but before op number `restore_at` the router is stored as JSON and replaced by
/// the router read back from it.
fn run_restoring(ops: &[Op], restore_at: Option<usize>) -> Result<Vec<String>, TestCaseError> {
    let mut router = Router::new();
    let mut model = Model::default();
    let mut now = Timestamp(1_000_000);
    let mut transcript = Vec::new();
    for (n, op) in ops.iter().enumerate() {
        if restore_at == Some(n) {
            let json = serde_json::to_string(&router)
                .map_err(|e| TestCaseError::fail(format!("router serializes: {e}")))?;
            router = serde_json::from_str(&json)
                .map_err(|e| TestCaseError::fail(format!("router deserializes: {e}")))?;
            router.check_invariants().map_err(TestCaseError::fail)?;
            let again = serde_json::to_string(&router)
                .map_err(|e| TestCaseError::fail(format!("router serializes: {e}")))?;
            prop_assert_eq!(&again, &json);
            let per_entry = restore_per_entry(&router)?;
            let from_entries = serde_json::to_string(&per_entry)
                .map_err(|e| TestCaseError::fail(format!("router serializes: {e}")))?;
            prop_assert_eq!(from_entries, json);
        }
        now = now + Millis(1);
        let outcome = apply(&mut router, &mut model, op, &mut now)?;
        transcript.push(outcome);
        check(&router, &model).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
    }
    Ok(transcript)
}

/// The router rebuilt from each agent and contact stored on its own (as JSON, in reverse order).
fn restore_per_entry(router: &Router) -> Result<Router, TestCaseError> {
    let (agents, contacts) = router.parts();
    let agents: Vec<String> = agents
        .filter_map(|state| router.stored_agent(&state.profile.id))
        .map(|stored| serde_json::to_string(&stored).unwrap_or_default())
        .collect();
    let contacts: Vec<String> = contacts
        .filter_map(|record| router.stored_contact(&record.contact.id))
        .map(|stored| serde_json::to_string(&stored).unwrap_or_default())
        .collect();
    fn read<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, TestCaseError> {
        serde_json::from_str(json).map_err(|e| TestCaseError::fail(format!("entry reads: {e}")))
    }
    let agents: Vec<crate::StoredAgent> = agents
        .iter()
        .rev()
        .map(|json| read(json))
        .collect::<Result<_, _>>()?;
    let contacts: Vec<crate::StoredContact> = contacts
        .iter()
        .rev()
        .map(|json| read(json))
        .collect::<Result<_, _>>()?;
    let restored = Router::from_stored(agents, contacts)
        .map_err(|e| TestCaseError::fail(format!("stored entries restore: {e}")))?;
    restored.check_invariants().map_err(TestCaseError::fail)?;
    Ok(restored)
}

fn apply(
    router: &mut Router,
    model: &mut Model,
    op: &Op,
    now: &mut Timestamp,
) -> Result<String, TestCaseError> {
    Ok(match op {
        Op::Upsert {
            agent,
            teams,
            skills,
        } => {
            let mut profile = AgentProfile::new(agent_id(*agent));
            profile.teams = pick(*teams, ["t0", "t1"].map(team));
            profile.skills = pick(*skills, ["s0", "s1"].map(skill));
            profile.capacity = capacity(*agent);
            model.agents.insert(
                profile.id.clone(),
                (profile.teams.clone(), profile.skills.clone()),
            );
            router.upsert_agent(profile);
            String::new()
        }
        Op::Remove { agent } => {
            let id = agent_id(*agent);
            let removal = router.remove_agent(&id, *now);
            if let Ok(removal) = &removal {
                model.agents.remove(&id);
                for released in &removal.released {
                    model.live.remove(released);
                }
                if let Some(decision) = &removal.rerouted {
                    check_offer(router, decision)?;
                }
            }
            format!("{removal:?}")
        }
        Op::SetAvailability { agent, state } => {
            let id = agent_id(*agent);
            let result = set_availability(router, model, &id, availability(*state, *now));
            format!("{result:?}")
        }
        Op::Assign {
            agent,
            external,
            channel,
        } => format!(
            "{:?}",
            router.assign(
                &agent_id(*agent),
                contact_id(CONTACTS + external),
                CHANNELS[*channel]
            )
        ),
        Op::Release { agent, interaction } => {
            let id = contact_id(*interaction);
            let result = router.release(&agent_id(*agent), &id);
            if result.is_ok() {
                model.live.remove(&id);
            }
            format!("{result:?}")
        }
        Op::Route(route) => {
            let id = contact_id(route.contact);
            let live = Live {
                route: route.clone(),
                arrived_at: *now,
                tried: BTreeSet::new(),
            };
            let expected = model.expected_offer(router, &live, &live.tried);
            let mut contact = Contact::new(id.clone(), live.channel(), *now);
            contact.owner = route.owner.map(agent_id);
            contact.owner_team = route.team.map(|t| team(&format!("t{t}")));
            contact.priority = route.priority;
            contact.skills = live.needs();
            let decision = router.route(contact, &ladder(route.ladder), *now);
            if let Ok(decision) = &decision {
                check_expected(decision, expected)?;
                check_offer(router, decision)?;
                model.live.insert(id, live);
            }
            format!("{decision:?}")
        }
        Op::Failed { contact } => {
            let id = contact_id(*contact);
            let offered = match router.contact_state(&id) {
                Some(ContactState::Offered { agent, .. }) => Some(agent),
                _ => None,
            };
            let expected = model.live.get(&id).map(|live| {
                let mut tried = live.tried.clone();
                tried.extend(offered.clone());
                model.expected_offer(router, live, &tried)
            });
            let decision = router.offer_failed(&id, *now);
            if let Ok(decision) = &decision {
                check_expected(decision, expected.flatten())?;
                check_offer(router, decision)?;
                if let Some(live) = model.live.get_mut(&id) {
                    live.tried.extend(offered);
                }
            }
            format!("{decision:?}")
        }
        Op::Accepted { contact } => {
            format!("{:?}", router.offer_accepted(&contact_id(*contact)))
        }
        Op::Abandon { contact } => {
            let id = contact_id(*contact);
            let result = router.abandon(&id);
            if result.is_ok() {
                model.live.remove(&id);
            }
            format!("{result:?}")
        }
        Op::Next { agent } | Op::Available { agent } => {
            let id = agent_id(*agent);
            if let Op::Available { .. } = op {
                let routable = Availability::Routable { idle_since: *now };
                let _ = set_availability(router, model, &id, routable);
            }
            let expected = model.expected_pickup(router, &id);
            let offer = router.next_for_agent(&id, *now);
            if let Ok(offer) = &offer {
                let actual = offer.as_ref().map(|o| (o.contact.clone(), o.step_index));
                prop_assert_eq!(actual, expected);
                if let Some(offer) = offer {
                    check_offer(router, &Decision::Offer(offer.clone()))?;
                }
            }
            format!("{offer:?}")
        }
        Op::Wait { secs } => {
            *now = *now + Millis::from_secs(u64::from(*secs));
            String::new()
        }
    })
}

/// Sets `agent`'s availability; in the model, an agent who comes back (routable again after
/// being unroutable for a reason other than a reservation) may be offered every contact again.
fn set_availability(
    router: &mut Router,
    model: &mut Model,
    agent: &AgentId,
    after: Availability,
) -> Result<(), crate::RoutingError> {
    let comes_back = matches!(after, Availability::Routable { .. })
        && matches!(
            router.availability(agent),
            Some(Availability::NotRoutable { why }) if *why != NotRoutableReason::Reserved
        );
    router.set_availability(agent, after)?;
    if comes_back {
        for live in model.live.values_mut() {
            live.tried.remove(agent);
        }
    }
    Ok(())
}

/// An offered agent is reserved for the contact; a queued contact is where it says it is.
fn check_offer(router: &Router, decision: &Decision) -> Result<(), TestCaseError> {
    match decision {
        Decision::Offer(offer) => {
            prop_assert_eq!(
                router.availability(&offer.agent),
                Some(&Availability::NotRoutable {
                    why: NotRoutableReason::Reserved
                })
            );
            prop_assert_eq!(router.pending_offer(&offer.agent), Some(&offer.contact));
        }
        Decision::Queued(queued) => {
            prop_assert_eq!(
                router.queue_position(&queued.contact),
                Some(queued.position)
            );
        }
    }
    Ok(())
}

fn check(router: &Router, model: &Model) -> Result<(), String> {
    router.check_invariants()?;
    let mut offered_to: BTreeMap<InteractionId, Vec<AgentId>> = BTreeMap::new();
    for n in 0..AGENTS + 1 {
        let id = agent_id(n);
        if let Some(holdings) = router.holdings(&id) {
            let exclusive = holdings.values().filter(|c| c.is_exclusive()).count();
            if exclusive > 1 {
                return Err(format!("{id} holds {exclusive} exclusive contacts"));
            }
            for channel in CHANNELS {
                let held = holdings.values().filter(|c| **c == channel).count();
                if held > usize::from(capacity(n).limit(channel)) {
                    return Err(format!("{id} holds {held} {channel} contacts"));
                }
            }
        }
        if let Some(contact) = router.pending_offer(&id) {
            offered_to.entry(contact.clone()).or_default().push(id);
        }
    }
    for n in 0..CONTACTS + EXTERNAL {
        let id = contact_id(n);
        let state = router.contact_state(&id);
        match (&state, model.live.contains_key(&id)) {
            (None, false) => {}
            (Some(_), false) => return Err(format!("{id} is tracked but was never routed")),
            (None, true) => return Err(format!("{id} was lost")),
            (Some(ContactState::Offered { agent, .. }), true) => {
                if offered_to.get(&id) != Some(&vec![agent.clone()]) {
                    return Err(format!(
                        "{id} offered to {agent} but reserved {offered_to:?}"
                    ));
                }
            }
            (Some(ContactState::Accepted { agent }), true) => {
                if !router.holdings(agent).is_some_and(|h| h.contains_key(&id)) {
                    return Err(format!("{id} accepted by {agent} who does not hold it"));
                }
            }
            (Some(ContactState::Queued { .. }), true) => {}
        }
    }
    for channel in CHANNELS {
        let line: Vec<&InteractionId> = router.queued(channel).collect();
        for (position, id) in line.iter().enumerate() {
            let expected = Some(ContactState::Queued {
                channel,
                position: position + 1,
            });
            if router.contact_state(id) != expected {
                return Err(format!("{id} is number {} on {channel}", position + 1));
            }
        }
        let keys: Vec<_> = line
            .iter()
            .map(|id| model.live.get(*id).map(|live| live.queue_key(id)))
            .collect();
        if keys.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(format!("{channel} line out of order: {keys:?}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_operations_keep_every_contact_and_every_limit(ops in scenario(80)) {
        run(&ops)?;
    }

    #[test]
    fn the_same_operations_give_the_same_decisions(ops in scenario(60)) {
        let first = run(&ops)?;
        let second = run(&ops)?;
        prop_assert_eq!(first, second);
    }

    #[test]
    fn a_router_restored_from_json_decides_as_the_original(
        ops in scenario(60),
        split in any::<prop::sample::Index>(),
    ) {
        let original = run(&ops)?;
        let restored = run_restoring(&ops, Some(split.index(ops.len())))?;
        prop_assert_eq!(original, restored);
    }
}
