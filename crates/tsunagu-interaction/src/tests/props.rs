//! Property tests: random event sequences never break the machine's invariants.

use proptest::prelude::*;
use tsunagu_core::{AgentId, Channel, InteractionId, TeamId, Timestamp};

use crate::{
    Change, Event, ExternalNumber, Interaction, OfferOutcome, Phase, RejectReason, State,
    TransferLeg, TransferOutcome, TransferTarget,
};

fn agent(name: &str) -> AgentId {
    AgentId::new(name).unwrap_or_else(|e| panic!("{e}"))
}

fn external() -> ExternalNumber {
    ExternalNumber::new("+81355550199").unwrap_or_else(|e| panic!("{e}"))
}

/// `x` stands for "the agent the event is naturally about" and is resolved against the record
/// when the event is applied (see [`resolve`]); named agents make the mistaken events.
fn arb_agent() -> impl Strategy<Value = AgentId> {
    prop::sample::select(vec!["sato", "suzuki", "tanaka", "x", "x", "x", "x"]).prop_map(agent)
}

/// Replaces the placeholder agent `x` by the agent the event would be about in the current
/// state, so random sequences get deep instead of being mostly rejected.
fn resolve(event: Event, interaction: &Interaction) -> Event {
    let placeholder = agent("x");
    let (ringing, connecting) = match interaction.state() {
        State::Offered { agent, .. }
        | State::Connected {
            transfer: Some(TransferLeg::Offered { agent, .. }),
            ..
        }
        | State::Held {
            transfer: Some(TransferLeg::Offered { agent, .. }),
            ..
        } => (Some(agent.clone()), None),
        State::Accepted { agent }
        | State::Connected {
            transfer: Some(TransferLeg::Accepted { agent }),
            ..
        }
        | State::Held {
            transfer: Some(TransferLeg::Accepted { agent }),
            ..
        } => (None, Some(agent.clone())),
        _ => (None, None),
    };
    let connected = interaction.state().connected_agent().cloned();
    let pick = |agent: AgentId, natural: Option<AgentId>| {
        if agent == placeholder {
            natural.unwrap_or(agent)
        } else {
            agent
        }
    };
    match event {
        Event::Accept { agent } => Event::Accept {
            agent: pick(agent, ringing),
        },
        Event::Decline { agent } => Event::Decline {
            agent: pick(agent, ringing),
        },
        Event::NoAnswer { agent } => Event::NoAnswer {
            agent: pick(agent, ringing),
        },
        Event::NotAcknowledged { agent } => Event::NotAcknowledged {
            agent: pick(agent, ringing),
        },
        Event::WithdrawOffer { agent } => Event::WithdrawOffer {
            agent: pick(agent, ringing),
        },
        Event::ConnectFailed { agent } => Event::ConnectFailed {
            agent: pick(agent, connecting),
        },
        Event::Connected { agent } => Event::Connected {
            agent: pick(agent, connecting.or(ringing)),
        },
        Event::Hold { agent } => Event::Hold {
            agent: pick(agent, connected),
        },
        Event::Resume { agent } => Event::Resume {
            agent: pick(agent, connected),
        },
        Event::AgentHungUp { agent } => Event::AgentHungUp {
            agent: pick(agent, connected),
        },
        Event::RequestTransfer { by, to } => Event::RequestTransfer {
            by: pick(by, connected),
            to,
        },
        other => other,
    }
}

fn arb_target() -> impl Strategy<Value = TransferTarget> {
    prop_oneof![
        arb_agent().prop_map(TransferTarget::Agent),
        Just(TransferTarget::Team(
            TeamId::new("billing").unwrap_or_else(|e| panic!("{e}"))
        )),
        Just(TransferTarget::Number(external())),
    ]
}

/// Every event, weighted towards the ones that move a call forward so sequences get deep.
fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        12 => (arb_agent(), 0u32..3).prop_map(|(agent, step)| Event::Offer { agent, step }),
        9 => arb_agent().prop_map(|agent| Event::Accept { agent }),
        3 => arb_agent().prop_map(|agent| Event::Decline { agent }),
        3 => arb_agent().prop_map(|agent| Event::NoAnswer { agent }),
        3 => arb_agent().prop_map(|agent| Event::NotAcknowledged { agent }),
        3 => arb_agent().prop_map(|agent| Event::WithdrawOffer { agent }),
        3 => arb_agent().prop_map(|agent| Event::ConnectFailed { agent }),
        12 => arb_agent().prop_map(|agent| Event::Connected { agent }),
        6 => arb_agent().prop_map(|agent| Event::Hold { agent }),
        6 => arb_agent().prop_map(|agent| Event::Resume { agent }),
        9 => (arb_agent(), arb_target()).prop_map(|(by, to)| Event::RequestTransfer { by, to }),
        3 => Just(Event::CancelTransfer),
        3 => Just(Event::ExternalAnswered),
        3 => arb_agent().prop_map(|agent| Event::AgentHungUp { agent }),
        // Rare, or most sequences would end before they get interesting.
        1 => Just(Event::CustomerHungUp),
        1 => Just(Event::FallBack { number: external() }),
    ]
}

/// Events with time steps; a few steps go backwards, as clocks of different machines do.
fn arb_script() -> impl Strategy<Value = Vec<(i64, Event)>> {
    prop::collection::vec((-2_000i64..20_000, arb_event()), 0..60)
}

fn advance(clock: u64, delta: i64) -> Timestamp {
    Timestamp(clock.saturating_add_signed(delta))
}

fn arrive() -> Interaction {
    let id = InteractionId::new("i1").unwrap_or_else(|e| panic!("{e}"));
    Interaction::arrive(id, Channel::Voice, None, Timestamp(1_000_000))
}

/// What the stream of changes says about who is with the customer, checked against the record.
#[derive(Default)]
struct Observer {
    joined: Option<AgentId>,
    opened: usize,
    closed: usize,
    ended: bool,
}

impl Observer {
    fn observe(&mut self, changes: &[Change]) -> Result<(), String> {
        for change in changes {
            match change {
                Change::AgentJoined { agent } => {
                    if let Some(other) = &self.joined {
                        return Err(format!("{agent} joined while {other} was connected"));
                    }
                    self.joined = Some(agent.clone());
                }
                Change::AgentLeft { agent } => {
                    if self.joined.as_ref() != Some(agent) {
                        return Err(format!("{agent} left without having joined"));
                    }
                    self.joined = None;
                }
                Change::OfferOpened { .. } => self.opened += 1,
                Change::OfferClosed { .. } => self.closed += 1,
                Change::Ended if self.ended => return Err("ended twice".to_owned()),
                Change::Ended => self.ended = true,
                _ => {}
            }
        }
        Ok(())
    }
}

/// The invariants of one record, whatever happened before.
fn check_record(interaction: &Interaction) -> Result<(), String> {
    let state = interaction.state();
    let timeline = interaction.timeline();
    let offers = interaction.offers();

    // Exactly one phase, and the timeline agrees with it.
    let phase = state.phase();
    if (phase == Phase::Held) != timeline.held_since.is_some() {
        return Err(format!("held_since {:?} in {state}", timeline.held_since));
    }
    if (phase == Phase::Ended) != timeline.ended_at.is_some() {
        return Err(format!("ended_at {:?} in {state}", timeline.ended_at));
    }
    if matches!(phase, Phase::Connected | Phase::Held) && timeline.connected_at.is_none() {
        return Err(format!("{state} without connected_at"));
    }
    match state {
        State::Abandoned if timeline.connected_at.is_some() => {
            return Err("abandoned after an agent connected".to_owned());
        }
        State::Completed { .. } | State::TransferredOut { .. }
            if timeline.connected_at.is_none() =>
        {
            return Err(format!("{state} without any agent connecting"));
        }
        _ => {}
    }

    // Every offer ends with exactly one outcome; at most one is open, and it is the ringing one.
    let pending: Vec<_> = offers
        .iter()
        .filter(|offer| offer.outcome == OfferOutcome::Pending)
        .collect();
    let ringing = match state {
        State::Offered { agent, .. }
        | State::Connected {
            transfer: Some(TransferLeg::Offered { agent, .. }),
            ..
        }
        | State::Held {
            transfer: Some(TransferLeg::Offered { agent, .. }),
            ..
        } => Some(agent),
        _ => None,
    };
    let open = pending.first().map(|offer| &offer.agent);
    if pending.len() > 1 || open != ringing {
        return Err(format!("open offers {pending:?} while {state}"));
    }
    for offer in offers {
        if (offer.outcome == OfferOutcome::Pending) == offer.decided_at.is_some() {
            return Err(format!("outcome and decided_at disagree: {offer:?}"));
        }
        if offer.connected_at.is_some() && offer.outcome != OfferOutcome::Accepted {
            return Err(format!("connected without accepting: {offer:?}"));
        }
        let times = [Some(offer.offered_at), offer.decided_at, offer.connected_at];
        if !is_ordered(&times) {
            return Err(format!("offer times out of order: {offer:?}"));
        }
    }
    if !offers
        .windows(2)
        .all(|w| w[0].offered_at <= w[1].offered_at)
    {
        return Err("offers out of order".to_owned());
    }

    // Only the last transfer may be pending, and a connected agent's transfer leg exists exactly
    // while it is.
    let transfers = interaction.transfers();
    let pending_transfers = transfers
        .iter()
        .filter(|t| t.outcome == TransferOutcome::Pending)
        .count();
    if pending_transfers > 1 || (pending_transfers == 1) != interaction.pending_transfer().is_some()
    {
        return Err(format!("pending transfers {transfers:?}"));
    }
    if let State::Connected { transfer, .. } | State::Held { transfer, .. } = state
        && transfer.is_some() != interaction.pending_transfer().is_some()
    {
        return Err(format!(
            "transfer leg {transfer:?} vs records {transfers:?}"
        ));
    }
    if phase == Phase::Ended && interaction.pending_transfer().is_some() {
        return Err("a pending transfer outlived the interaction".to_owned());
    }

    // Timestamps are monotonic.
    let milestones = [
        Some(timeline.arrived_at),
        timeline.first_offered_at,
        timeline.connected_at,
        timeline.ended_at,
    ];
    if !is_ordered(&milestones) {
        return Err(format!("timeline out of order: {timeline:?}"));
    }
    let latest = offers
        .iter()
        .flat_map(|o| [Some(o.offered_at), o.decided_at, o.connected_at])
        .chain(
            transfers
                .iter()
                .flat_map(|t| [Some(t.requested_at), t.decided_at]),
        )
        .chain(milestones)
        .chain([timeline.held_since])
        .flatten()
        .max();
    if latest > Some(timeline.last_event_at) {
        return Err(format!("a time after the last event: {latest:?}"));
    }
    let lifetime = timeline.last_event_at.saturating_since(timeline.arrived_at);
    if timeline.hold_total_at(timeline.last_event_at) > lifetime {
        return Err("held longer than the interaction lasted".to_owned());
    }
    Ok(())
}

fn is_ordered(times: &[Option<Timestamp>]) -> bool {
    let present: Vec<Timestamp> = times.iter().flatten().copied().collect();
    present.windows(2).all(|w| w[0] <= w[1])
}

/// Runs a script, checking every invariant after every event; returns the final record.
fn run(script: Vec<(i64, Event)>) -> Result<Interaction, TestCaseError> {
    let mut interaction = arrive();
    let mut observer = Observer::default();
    let mut clock = interaction.timeline().arrived_at.0;
    for (delta, event) in script {
        let now = advance(clock, delta);
        clock = now.0;
        let before = interaction.clone();
        let event = resolve(event, &interaction);
        match interaction.handle(now, event) {
            Ok(changes) => {
                prop_assert!(!before.state().is_ended(), "an ended interaction changed");
                prop_assert!(!changes.is_empty(), "an accepted event reported no change");
                observer.observe(&changes).map_err(TestCaseError::fail)?;
                for (i, old) in before.offers().iter().enumerate() {
                    let new = interaction.offers().get(i);
                    prop_assert_eq!(new.map(|o| &o.agent), Some(&old.agent));
                    if old.outcome != OfferOutcome::Pending {
                        prop_assert_eq!(
                            new.map(|o| (o.outcome, o.decided_at)),
                            Some((old.outcome, old.decided_at))
                        );
                    }
                }
                prop_assert!(
                    interaction.timeline().last_event_at >= before.timeline().last_event_at
                );
            }
            Err(rejected) => {
                prop_assert_eq!(&interaction, &before, "a rejection changed the record");
                if before.state().is_ended() {
                    prop_assert_eq!(rejected.reason, RejectReason::AlreadyEnded);
                }
            }
        }
        check_record(&interaction).map_err(TestCaseError::fail)?;
        prop_assert_eq!(
            observer.joined.as_ref(),
            interaction.state().connected_agent()
        );
        prop_assert_eq!(observer.opened, interaction.offers().len());
        let decided = interaction
            .offers()
            .iter()
            .filter(|o| o.outcome != OfferOutcome::Pending)
            .count();
        prop_assert_eq!(observer.closed, decided);
        prop_assert_eq!(observer.ended, interaction.state().is_ended());
    }
    Ok(interaction)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_event_sequences_keep_every_invariant(script in arb_script()) {
        run(script)?;
    }

    #[test]
    fn a_customer_hang_up_always_ends_it_cleanly(script in arb_script()) {
        let mut interaction = run(script)?;
        if !interaction.state().is_ended() {
            let last = interaction.timeline().last_event_at;
            prop_assert!(interaction.handle(last, Event::CustomerHungUp).is_ok());
            prop_assert!(interaction.state().is_ended());
            check_record(&interaction).map_err(TestCaseError::fail)?;
        }
        prop_assert!(interaction.offers().iter().all(|o| o.outcome != OfferOutcome::Pending));
        prop_assert!(interaction.pending_transfer().is_none());
        // Terminal states absorb everything.
        let ended = interaction.clone();
        let late = interaction.timeline().last_event_at;
        for event in [Event::CustomerHungUp, Event::Offer { agent: agent("sato"), step: 0 }] {
            prop_assert!(interaction.handle(late, event).is_err());
        }
        prop_assert_eq!(&interaction, &ended);
    }

    #[test]
    fn any_record_persists_as_json_unchanged(script in arb_script()) {
        let interaction = run(script)?;
        let json = serde_json::to_string(&interaction).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Interaction = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, interaction);
    }
}
