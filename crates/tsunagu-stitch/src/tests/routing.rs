//! The routing audit in the call log: a `Routed` event survives storage as JSON (the worker keeps
//! events as JSON rows) and folds into its conversation's `routing`, oldest first.

use tsunagu_core::{Channel, InteractionId, Millis};
use tsunagu_routing::{
    NotRoutableReason,
    explain::{
        Conclusion, Explanation, SkipGroup, SkipReason, StepReport, StepTarget, StepVerdict,
        Trigger,
    },
};

use super::{T0, agent, at, event, interaction, started, tenant};
use crate::{CallEvent, CallEventKind, Routed, stitch};

fn contact() -> InteractionId {
    InteractionId::new(super::INTERACTION).expect("valid")
}

/// The owner away at lunch, their team's suzuki chosen: the audit's most common story.
fn routed(secs: u64) -> CallEvent {
    event(CallEventKind::Routed(Routed {
        contact: interaction(),
        at: at(secs),
        explanation: Explanation {
            trigger: Trigger::Arrived {
                contact: contact(),
                channel: Channel::Voice,
                priority: 0,
                skills: Vec::new(),
                levels: Default::default(),
            },
            steps: vec![
                StepReport {
                    step_index: 0,
                    target: StepTarget::Owner(Some(agent("sato"))),
                    pool_size: 1,
                    verdict: StepVerdict::NobodyAvailable,
                    skipped: vec![SkipGroup {
                        reason: SkipReason::NotRoutable(NotRoutableReason::Away {
                            label: Some("lunch".into()),
                        }),
                        count: 1,
                        examples: vec![agent("sato")],
                    }],
                },
                StepReport {
                    step_index: 1,
                    target: StepTarget::OwnerTeam(Some(
                        tsunagu_core::TeamId::new("sales").expect("valid"),
                    )),
                    pool_size: 2,
                    verdict: StepVerdict::Chose {
                        agent: agent("suzuki"),
                        idle_since: tsunagu_core::Timestamp(T0 - 60_000),
                        others_available: 0,
                    },
                    skipped: Vec::new(),
                },
            ],
            passed_over: Vec::new(),
            relaxed: Vec::new(),
            conclusion: Conclusion::Offer {
                contact: contact(),
                agent: agent("suzuki"),
                step_index: 1,
                timeout: Millis::from_secs(20),
            },
        },
    }))
}

#[test]
fn a_routed_event_round_trips_through_json() {
    let event = routed(1);
    let json = serde_json::to_string(&event).expect("serializes");
    let back: CallEvent = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, event, "{json}");
}

#[test]
fn the_conversation_keeps_its_decisions_oldest_first() {
    let stitched = stitch(&tenant(), &[routed(5), started(0), routed(1)]);
    let [conversation] = stitched.conversations.as_slice() else {
        panic!("one conversation: {stitched:?}");
    };
    let times: Vec<u64> = conversation.routing.iter().map(|d| d.at.0 - T0).collect();
    assert_eq!(times, vec![1000, 5000]);
    expect_test::expect![[r#"
        I1 が電話で着信（優先度 0）
        手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
        手順 2（担当者のチーム sales、2 名）: suzuki を選択（08:32:20 から待機）
        → I1 を suzuki に 20 秒呼び出し（手順 2）"#]]
    .assert_eq(&conversation.routing[0].explanation.ja(540));
}
