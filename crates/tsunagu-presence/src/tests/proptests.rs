//! Property tests: random inputs and timeouts never panic and keep outputs, time and persistence consistent.

use proptest::prelude::*;
use tsunagu_core::{InteractionId, Millis, Timestamp};

use crate::{
    AwayReason, ConnectionId, Input, OfferId, Output, Presence, PresencePolicy, RequestedStatus,
    Status,
};

#[derive(Debug, Clone)]
enum Action {
    Input(Input),
    Timeout,
}

/// One step of a run: how long after the previous step, and what happens.
#[derive(Debug, Clone)]
struct Step {
    after: Millis,
    action: Action,
}

fn interaction() -> impl Strategy<Value = InteractionId> {
    prop::sample::select(vec!["i1", "i2", "i3"])
        .prop_map(|name| InteractionId::new(name).expect("fixed ids are valid"))
}

fn offer() -> impl Strategy<Value = OfferId> {
    (interaction(), 1..=2u32).prop_map(|(interaction, attempt)| OfferId {
        interaction,
        attempt,
    })
}

fn requested() -> impl Strategy<Value = RequestedStatus> {
    prop_oneof![
        Just(RequestedStatus::Available),
        Just(RequestedStatus::Offline),
        prop::sample::select(AwayReason::ALL.to_vec()).prop_map(RequestedStatus::Away),
    ]
}

fn duration() -> impl Strategy<Value = Millis> {
    prop::sample::select(vec![0, 1, 1000, 3000, 15_000, 30_000]).prop_map(Millis)
}

fn policy() -> impl Strategy<Value = PresencePolicy> {
    (
        requested(),
        [duration(), duration(), duration(), duration()],
        [requested(), requested(), requested()],
    )
        .prop_map(
            |(status_on_login, [grace, ack, ring, wrap_up], [missed, no_answer, decline])| {
                PresencePolicy {
                    status_on_login,
                    disconnect_grace: grace,
                    offer_ack_timeout: ack,
                    ring_no_answer: ring,
                    status_after_missed_offer: missed,
                    status_after_no_answer: no_answer,
                    status_after_decline: decline,
                    wrap_up,
                }
            },
        )
}

fn action() -> impl Strategy<Value = Action> {
    let connection = (1..=3u64).prop_map(ConnectionId);
    prop_oneof![
        3 => connection.clone().prop_map(|c| Action::Input(Input::Connected(c))),
        2 => connection.prop_map(|c| Action::Input(Input::Disconnected(c))),
        2 => requested().prop_map(|s| Action::Input(Input::SetStatus(s))),
        3 => offer().prop_map(|o| Action::Input(Input::Offer(o))),
        2 => offer().prop_map(|o| Action::Input(Input::OfferAcknowledged(o))),
        1 => offer().prop_map(|o| Action::Input(Input::OfferDeclined(o))),
        1 => offer().prop_map(|o| Action::Input(Input::OfferCancelled(o))),
        1 => offer().prop_map(|o| Action::Input(Input::OfferUnanswered(o))),
        2 => interaction().prop_map(|i| Action::Input(Input::CallConnected(i))),
        2 => interaction().prop_map(|i| Action::Input(Input::CallEnded(i))),
        1 => Just(Action::Input(Input::WrapUpFinished)),
        3 => Just(Action::Timeout),
    ]
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let after = prop_oneof![Just(0), 0..4_000u64, 0..40_000u64].prop_map(Millis);
    prop::collection::vec(
        (after, action()).prop_map(|(after, action)| Step { after, action }),
        0..80,
    )
}

/// Runs `steps` from `now`, checking every invariant on the way; returns the trace of what came
/// out (results, outputs, next timeout) so that two runs can be compared.
fn run_checked(presence: &mut Presence, now: &mut Timestamp, steps: &[Step]) -> Vec<String> {
    let mut trace = Vec::new();
    for step in steps {
        *now = *now + step.after;
        let before = presence.clone();
        let mut after_deadlines = presence.clone();
        after_deadlines.handle_timeout(*now);
        let status_before_input = after_deadlines.status();

        let result = match &step.action {
            Action::Timeout => {
                presence.handle_timeout(*now);
                assert!(
                    presence.poll_timeout().is_none_or(|due| due > *now),
                    "a due deadline survived handle_timeout"
                );
                Ok(())
            }
            Action::Input(input) => {
                let result = presence.handle_input(*now, input.clone());
                match &result {
                    Err(_) => assert_eq!(
                        *presence, after_deadlines,
                        "a rejected input changed the state"
                    ),
                    Ok(()) => check_accepted(input, &status_before_input, &after_deadlines),
                }
                result
            }
        };
        trace.push(format!("{:?} -> {result:?}", step.action));

        let outputs: Vec<Output> = std::iter::from_fn(|| presence.poll_output()).collect();
        let accepted = result.as_ref().ok().map(|()| &step.action);
        check_outputs(&before, presence, &outputs, accepted);
        trace.extend(outputs.iter().map(|output| format!("  {output:?}")));
        trace.push(format!("  timeout {:?}", presence.poll_timeout()));

        let totals = presence.time_in_status(*now);
        let sum = totals.values().fold(Millis(0), |sum, spent| sum + *spent);
        assert_eq!(sum, now.saturating_since(presence.created_at()));
        assert!(!presence.is_routable() || presence.connection_count() > 0);
        if let Status::Reserved { .. } = presence.status() {
            assert!(presence.connection_count() > 0, "ringing with no tab open");
        }
        assert!(
            presence.poll_timeout().is_none_or(|due| due >= *now),
            "a deadline in the past after the step"
        );
        assert_eq!(
            presence.idle_since().is_some(),
            presence.status() == Status::Available
        );
    }
    trace
}

/// An accepted input was allowed from the status it met.
fn check_accepted(input: &Input, from: &Status, presence_then: &Presence) {
    match input {
        Input::Offer(_) => assert!(
            presence_then.is_routable(),
            "offer accepted while not routable: {from}"
        ),
        Input::CallConnected(interaction) => match from {
            Status::OnCall { .. } => panic!("second call accepted while on a call"),
            Status::Reserved { offer } => assert_eq!(&offer.interaction, interaction),
            _ => {}
        },
        _ => {}
    }
}

/// Outputs chain from the status before the step to the status after it, intervals are
/// contiguous, and every ring ends exactly once: answered, lost (with an `OfferLost`) or cancelled.
fn check_outputs(
    before: &Presence,
    after: &Presence,
    outputs: &[Output],
    accepted: Option<&Action>,
) {
    let mut status = before.status();
    let mut interval_start = before.status_since();
    let mut rest = outputs.iter().peekable();
    while let Some(output) = rest.next() {
        let Output::StatusChanged { from, to, at } = output else {
            panic!("unexpected output {output:?} after {outputs:?}");
        };
        assert_eq!(
            *from, status,
            "StatusChanged.from is not the previous status"
        );
        assert_ne!(from, to);
        let Some(Output::IntervalClosed(interval)) = rest.next() else {
            panic!("StatusChanged without its interval: {outputs:?}");
        };
        assert_eq!(interval.status_kind, from.kind());
        assert_eq!(
            interval.start, interval_start,
            "intervals are not contiguous"
        );
        assert_eq!(interval.end, *at);
        assert!(interval.start <= interval.end);
        if let Status::Reserved { offer } = from {
            let lost = match rest.peek() {
                Some(Output::OfferLost { offer: lost, .. }) => {
                    rest.next();
                    assert_eq!(lost, offer, "lost an offer that was not ringing");
                    true
                }
                _ => false,
            };
            let answered = *to
                == Status::OnCall {
                    interaction: offer.interaction.clone(),
                };
            let cancelled = matches!(accepted,
                Some(Action::Input(Input::OfferCancelled(cancelled))) if cancelled == offer);
            assert_eq!(
                u8::from(lost) + u8::from(answered) + u8::from(cancelled),
                1,
                "ring of {offer} ended as lost={lost} answered={answered} cancelled={cancelled}"
            );
        }
        status = to.clone();
        interval_start = *at;
    }
    assert_eq!(
        status,
        after.status(),
        "outputs do not lead to the new status"
    );
    assert_eq!(interval_start, after.status_since());
}

proptest! {
    #[test]
    fn random_runs_keep_every_invariant(policy in policy(), steps in steps()) {
        let mut now = Timestamp(1_700_000_000_000);
        let mut presence = Presence::new(now, policy);
        run_checked(&mut presence, &mut now, &steps);
    }

    #[test]
    fn restoring_a_snapshot_mid_run_continues_identically(
        policy in policy(),
        steps in steps(),
        split in any::<prop::sample::Index>(),
    ) {
        let split = split.index(steps.len() + 1);
        let (first, second) = steps.split_at(split);
        let mut now = Timestamp(1_700_000_000_000);
        let mut original = Presence::new(now, policy);
        run_checked(&mut original, &mut now, first);

        let json = serde_json::to_string(&original).expect("presence serializes");
        let mut restored: Presence = serde_json::from_str(&json).expect("presence deserializes");
        prop_assert_eq!(&restored, &original);

        let mut now_restored = now;
        let expected = run_checked(&mut original, &mut now, second);
        let actual = run_checked(&mut restored, &mut now_restored, second);
        prop_assert_eq!(actual, expected);
        prop_assert_eq!(restored, original);
    }
}
