//! Property tests: any conversations and presence give finite rates in 0..=1 and consistent counts.

use proptest::prelude::*;
use tsunagu_core::{Millis, Timestamp};
use tsunagu_stitch::{Conversation, ConversationDirection, ConversationOutcome, LegOutcome};

use super::{inbound, leg, presence};
use crate::{GroupBy, GroupKey, KpiConfig, KpiRow, PresenceInterval, PresenceState, compute};

const AGENTS: [&str; 3] = ["sato", "suzuki", "takahashi"];
const GROUPINGS: [GroupBy; 6] = [
    GroupBy::All,
    GroupBy::Agent,
    GroupBy::Team,
    GroupBy::Queue,
    GroupBy::Hour,
    GroupBy::Day,
];

/// Times from the epoch to the far end of `u64`, to reach every edge of the arithmetic.
fn instant() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        (0u64..10_000_000).prop_map(|s| Timestamp(1_774_969_200_000 + s * 1000)),
        any::<u64>().prop_map(Timestamp),
        Just(Timestamp(0)),
        Just(Timestamp(u64::MAX)),
    ]
}

fn span() -> impl Strategy<Value = Millis> {
    prop_oneof![
        (0u64..100_000_000).prop_map(Millis),
        any::<u64>().prop_map(Millis)
    ]
}

fn outcome() -> impl Strategy<Value = ConversationOutcome> {
    // Weighted toward the outcomes most KPIs are made of.
    prop_oneof![
        1 => Just(ConversationOutcome::InProgress),
        4 => Just(ConversationOutcome::Answered),
        3 => span().prop_map(|after| ConversationOutcome::Abandoned { after }),
        1 => any::<bool>().prop_map(|answered| ConversationOutcome::Fallback {
            number: "+819087654321".to_owned(),
            answered
        }),
        1 => Just(ConversationOutcome::NotReached),
    ]
}

fn leg_outcome() -> impl Strategy<Value = LegOutcome> {
    prop::sample::select(vec![
        LegOutcome::Pending,
        LegOutcome::Answered,
        LegOutcome::NoAnswer,
        LegOutcome::Declined,
        LegOutcome::Missed,
    ])
}

prop_compose! {
    fn conversation()(
        customer in prop::sample::select(vec!["alice", "bob", "carol"]),
        started_at in instant(),
        ended_at in prop::option::weighted(0.8, instant()),
        outbound in prop::bool::weighted(0.25),
        outcome in outcome(),
        legs in prop::collection::vec(
            (0..AGENTS.len(), leg_outcome(), span(), span(), any::<bool>()), 0..4),
        answered_by in prop::option::of(0..AGENTS.len()),
        time_to_answer in prop::option::weighted(0.9, span()),
        (talk, hold, wrap) in (span(), span(), span()),
        team in prop::option::of(prop::sample::select(vec!["east", "west"])),
        queue in prop::option::of(prop::sample::select(vec!["support", "sales"])),
    ) -> Conversation {
        let mut call = inbound("c", customer, started_at);
        if let Some(team) = team {
            call = call.team(team);
        }
        if let Some(queue) = queue {
            call = call.queue(queue);
        }
        let mut c = call.done();
        c.ended_at = ended_at;
        c.direction = if outbound { ConversationDirection::Outbound } else { ConversationDirection::Inbound };
        c.outcome = outcome;
        c.agent_legs = legs
            .into_iter()
            .map(|(agent, outcome, talk, hold, consult)| {
                let mut leg = leg(AGENTS[agent], outcome);
                leg.talk_time = talk;
                leg.hold_time = hold;
                leg.consult = consult;
                leg
            })
            .collect();
        c.answered_by = answered_by.map(|i| super::agent(AGENTS[i]));
        c.time_to_answer = time_to_answer;
        c.talk_time = talk;
        c.hold_time = hold;
        c.wrap_up_time = wrap;
        c
    }
}

fn state() -> impl Strategy<Value = PresenceState> {
    prop::sample::select(vec![
        PresenceState::Available,
        PresenceState::Reserved,
        PresenceState::OnCall,
        PresenceState::WrapUp,
        PresenceState::Away,
        PresenceState::Offline,
    ])
}

prop_compose! {
    fn interval()(
        agent in 0..AGENTS.len(),
        team in prop::sample::select(vec!["east", "west"]),
        state in state(),
        start in instant(),
        length in prop_oneof![(0u64..100_000).prop_map(Some), Just(None)],
        end in instant(),
    ) -> PresenceInterval {
        let mut interval = presence(AGENTS[agent], team, state, start, 0);
        // Mostly sensible lengths, sometimes an end anywhere (before the start, or u64::MAX).
        interval.end = length.map_or(end, |secs| start + Millis::from_secs(secs));
        interval
    }
}

fn config() -> impl Strategy<Value = KpiConfig> {
    (span(), span(), any::<u32>(), any::<i32>()).prop_map(|(sl, short, days, offset)| KpiConfig {
        service_level_threshold: sl,
        short_abandon_threshold: short,
        fcr_window_days: days,
        utc_offset_minutes: offset,
    })
}

fn check_rates(row: &KpiRow) -> Result<(), TestCaseError> {
    for (name, rate) in [
        ("abandonment", row.abandonment_rate),
        ("service level", row.service_level),
        ("service level of answered", row.service_level_of_answered),
        ("occupancy", row.occupancy),
        ("fcr", row.first_contact_resolution),
        ("reach", row.reach_rate),
    ] {
        if let Some(rate) = rate {
            prop_assert!(
                rate.is_finite() && (0.0..=1.0).contains(&rate),
                "{name} = {rate} in {row:?}"
            );
        }
    }
    prop_assert!(row.answered_within_threshold <= row.answered);
    prop_assert!(row.busy_time <= row.staffed_time);
    prop_assert!(row.resolved_first_contact <= row.fcr_eligible);
    prop_assert!(row.outbound_reached <= row.outbound_attempted);
    prop_assert_eq!(row.average_handle_time.is_some(), row.handled > 0);
    prop_assert_eq!(row.average_speed_of_answer.is_some(), row.answered > 0);
    Ok(())
}

proptest! {
    #[test]
    fn rates_stay_in_range_and_counts_add_up(
        conversations in prop::collection::vec(conversation(), 0..30),
        presence in prop::collection::vec(interval(), 0..12),
        config in config(),
    ) {
        let mut offered_in_all = None;
        for group_by in GROUPINGS {
            let report = compute(&conversations, &presence, group_by, &config);
            let mut offered = 0;
            for row in &report.rows {
                check_rates(row)?;
                if group_by != GroupBy::Agent {
                    // Every offered inbound conversation ends one of four ways.
                    prop_assert_eq!(
                        row.offered,
                        row.answered + row.abandoned + row.short_abandoned + row.fallback
                    );
                    offered += row.offered;
                }
            }
            // Each conversation lands in exactly one row of a non-agent grouping.
            if group_by != GroupBy::Agent {
                prop_assert_eq!(*offered_in_all.get_or_insert(offered), offered, "{:?}", group_by);
            }
            if group_by == GroupBy::Hour || group_by == GroupBy::Day {
                prop_assert!(report.rows.iter().all(|row| !matches!(row.key, GroupKey::Unassigned)));
            }
        }
    }
}
