//! Skills with levels, skill relaxation after a wait, and priorities: the rules a line's (or an
//! IVR's) requirements route by.

use std::collections::{BTreeMap, BTreeSet};

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::{AgentId, Channel, Timestamp};

use super::{agent, at, check, interaction, skill};
use crate::{AgentProfile, Availability, Contact, Decision, Ladder, Router, Skill};

#[test]
fn a_call_needing_billing_skips_a_more_idle_agent_without_it() {
    check(
        "
        agent sato   team=sales idle=09:00:00
        agent tanaka team=support idle=09:05:00 skills=billing:3
        route c1 at=09:10:00 skills=billing relax=09:11:00
        ",
        expect![[r#"
            > route c1 at=09:10:00 skills=billing relax=09:11:00
            c1 arrived on voice, priority 0, needs billing
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose tanaka, idle since 09:05:00 — skipped sato (missing skill billing)
            → offer c1 to tanaka for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_minimum_level_skips_agents_below_it() {
    check(
        "
        agent sato   idle=09:00:00 skills=billing:2
        agent suzuki idle=09:01:00 skills=billing
        agent tanaka idle=09:05:00 skills=billing:4
        route c1 at=09:10:00 skills=billing:3
        ",
        expect![[r#"
            > route c1 at=09:10:00 skills=billing:3
            c1 arrived on voice, priority 0, needs billing (level 3+)
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 3 agents): chose tanaka, idle since 09:05:00 — skipped sato, suzuki (skill billing below level 3)
            → offer c1 to tanaka for 30s (step 3)
        "#]],
    );
}

#[test]
fn after_the_relaxation_wait_a_queued_call_goes_to_anyone() {
    check(
        "
        agent sato   idle=09:00:00
        agent tanaka oncall skills=billing
        route c1 at=09:10:00 skills=billing relax=09:11:00
        relax c1 at=09:10:30
        relax c1 at=09:11:00
        ",
        expect![[r#"
            > route c1 at=09:10:00 skills=billing relax=09:11:00
            c1 arrived on voice, priority 0, needs billing
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped tanaka (on call); sato (missing skill billing)
            → c1 queued on voice: number 1 of 1
            > relax c1 at=09:10:30
            nothing to relax
            > relax c1 at=09:11:00
            c1 waited 60s for a skilled agent; routing again without requiring skills
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 — skipped tanaka (on call)
            skills relaxed after the wait: billing (agents without them were considered)
            → offer c1 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_relaxed_call_is_taken_by_a_freed_agent_without_the_skill_and_a_ring_after_it_too() {
    check(
        "
        agent sato   oncall
        agent suzuki oncall
        route c1 at=09:10:00 skills=billing relax=09:11:00
        available sato at=09:10:30
        available sato at=09:11:00
        fail c1 at=09:11:20
        ",
        expect![[r#"
            > route c1 at=09:10:00 skills=billing relax=09:11:00
            c1 arrived on voice, priority 0, needs billing
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped sato, suzuki (on call)
            → c1 queued on voice: number 1 of 1
            > available sato at=09:10:30
            nothing for sato
            > available sato at=09:11:00
            sato can take work; 1 contact queued on channels with room
            skills relaxed after the wait: billing (agents without them were considered)
            → offer c1 to sato for 30s (step 3)
            > fail c1 at=09:11:20
            c1: sato missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped suzuki (on call); sato (already missed or declined it)
            skills relaxed after the wait: billing (agents without them were considered)
            → c1 queued on voice: number 1 of 1
        "#]],
    );
}

#[test]
fn priority_orders_the_queue_and_the_explanation_in_japanese_names_the_skill() {
    let mut run = super::Script::new();
    run.run(
        "
        agent sato oncall skills=billing:2
        route low at=09:00:00 priority=0 skills=billing
        route high at=09:05:00 priority=5 skills=billing:2
        queue
        available sato at=09:06:00
        ",
    );
    expect![[r#"
        > route low at=09:00:00 priority=0 skills=billing
        low arrived on voice, priority 0, needs billing
        Step 1 (owner): not applicable, the contact has no owner
        Step 2 (owner's team): not applicable, the contact has no owner team
        Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
        → low queued on voice: number 1 of 1
        > route high at=09:05:00 priority=5 skills=billing:2
        high arrived on voice, priority 5, needs billing (level 2+)
        Step 1 (owner): not applicable, the contact has no owner
        Step 2 (owner's team): not applicable, the contact has no owner team
        Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
        → high queued on voice: number 1 of 2
        > queue
        voice: high, low
        > available sato at=09:06:00
        sato can take work; 2 contacts queued on channels with room
        → offer high to sato for 30s (step 3)
    "#]]
    .assert_eq(&run.out);

    let mut router = Router::new();
    let mut tanaka = AgentProfile::new(agent("tanaka"));
    tanaka.set_skills(&BTreeMap::from([(skill("billing"), 1)]));
    router.upsert_agent(tanaka);
    router.upsert_agent(AgentProfile::new(agent("sato")));
    for (who, idle) in [("sato", "09:00:00"), ("tanaka", "09:01:00")] {
        let idle_since = at(idle);
        let _ = router.set_availability(&agent(who), Availability::Routable { idle_since });
    }
    let mut contact = Contact::new(interaction("c1"), Channel::Voice, at("09:10:00"));
    contact.require(&BTreeMap::from([(skill("billing"), 2)]));
    contact.relax_skills_at = Some(at("09:11:00"));
    let queued = router.route(contact, &Ladder::default(), at("09:10:00"));
    let relaxed = router.relax_skills(&interaction("c1"), at("09:11:00"));
    let ja: Vec<String> = [queued.ok(), relaxed.ok().flatten()]
        .iter()
        .flatten()
        .map(|decision| decision.explanation().ja(540))
        .collect();
    expect![[r#"
        c1 が電話で着信（優先度 0、必要なスキル: billing（レベル 2 以上））
        手順 1（担当者）: 該当なし（担当者のいない顧客）
        手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
        手順 3（全員、2 名）: 対応できる人なし — 見送り: 【スキル billing がない】sato、【スキル billing がレベル 2 未満】tanaka
        → c1 は電話の待ち列へ: 1 件中 1 番目
        ---
        c1: スキルのある人を 60 秒待ったため、スキルを問わずにもう一度振り分け
        手順 1（担当者）: 該当なし（担当者のいない顧客）
        手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
        手順 3（全員、2 名）: sato を選択（18:00:00 から待機、最も長く待機。ほかに 1 名が対応可能）
        スキル条件を緩和（待ち時間の上限を超過）: billing — スキルのない人も対象
        → c1 を sato に 30 秒呼び出し（手順 3）"#]]
    .assert_eq(&ja.join("\n---\n"));
}

/// One step of the property test below.
#[derive(Debug, Clone)]
enum Op {
    Route {
        contact: usize,
        level: u8,
        relax_after: Option<u64>,
    },
    Available {
        agent: usize,
    },
    Busy {
        agent: usize,
    },
    Failed {
        contact: usize,
    },
    Accepted {
        contact: usize,
    },
    Relax {
        contact: usize,
    },
    Wait {
        secs: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..4usize, 1..=3u8, proptest::option::of(0..120u64)).prop_map(
            |(contact, level, relax_after)| Op::Route {
                contact,
                level,
                relax_after
            }
        ),
        (0..4usize).prop_map(|agent| Op::Available { agent }),
        (0..4usize).prop_map(|agent| Op::Busy { agent }),
        (0..4usize).prop_map(|contact| Op::Failed { contact }),
        (0..4usize).prop_map(|contact| Op::Accepted { contact }),
        (0..4usize).prop_map(|contact| Op::Relax { contact }),
        (1..90u64).prop_map(|secs| Op::Wait { secs }),
    ]
}

/// Agent `a<n>` has `billing` at level n (a0 lacks it).
fn billing_level(agent: &AgentId) -> Option<u8> {
    let n: u8 = agent.as_str().trim_start_matches('a').parse().ok()?;
    (n > 0).then_some(n)
}

proptest! {
    /// Before its relaxation time a contact is never offered to an agent who lacks a required
    /// skill or has it below the required level, whichever way the offer comes about (arrival,
    /// a failed ring, a freed agent, the relaxation timer); after it, it may go to anyone.
    #[test]
    fn never_offered_to_an_agent_lacking_a_required_skill_before_relaxation(
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let mut router = Router::new();
        for n in 0..4u8 {
            let mut profile = AgentProfile::new(agent(&format!("a{n}")));
            if n > 0 {
                profile.set_skills(&BTreeMap::from([(skill("billing"), n)]));
            }
            router.upsert_agent(profile);
        }
        let mut now = Timestamp(1_000_000);
        let mut needs: BTreeMap<usize, (u8, Option<Timestamp>)> = BTreeMap::new();
        let mut accepted: BTreeSet<usize> = BTreeSet::new();
        for op in ops {
            let offers: Vec<(usize, AgentId)> = match op {
                Op::Route { contact, level, relax_after } => {
                    let mut routed = Contact::new(
                        interaction(&format!("c{contact}")),
                        Channel::Voice,
                        now,
                    );
                    routed.require(&BTreeMap::from([(skill("billing"), level)]));
                    routed.relax_skills_at = relax_after.map(|secs| now + tsunagu_core::Millis::from_secs(secs));
                    match router.route(routed.clone(), &Ladder::default(), now) {
                        Ok(decision) => {
                            needs.insert(contact, (level, routed.relax_skills_at));
                            offered(contact, Some(decision))
                        }
                        Err(_) => Vec::new(),
                    }
                }
                Op::Available { agent: n } => {
                    let who = agent(&format!("a{n}"));
                    let _ = router.set_availability(&who, Availability::Routable { idle_since: now });
                    match router.next_for_agent(&who, now) {
                        Ok(Some(offer)) => {
                            let contact: usize = offer.contact.as_str()[1..].parse().unwrap_or(99);
                            vec![(contact, offer.agent)]
                        }
                        _ => Vec::new(),
                    }
                }
                Op::Busy { agent: n } => {
                    let why = crate::NotRoutableReason::OnCall;
                    let _ = router.set_availability(&agent(&format!("a{n}")), Availability::NotRoutable { why });
                    Vec::new()
                }
                Op::Failed { contact } => {
                    offered(contact, router.offer_failed(&interaction(&format!("c{contact}")), now).ok())
                }
                Op::Accepted { contact } => {
                    if router.offer_accepted(&interaction(&format!("c{contact}"))).is_ok() {
                        accepted.insert(contact);
                    }
                    Vec::new()
                }
                Op::Relax { contact } => offered(
                    contact,
                    router.relax_skills(&interaction(&format!("c{contact}")), now).ok().flatten(),
                ),
                Op::Wait { secs } => {
                    now = now + tsunagu_core::Millis::from_secs(secs);
                    Vec::new()
                }
            };
            for (contact, to) in offers {
                let Some((level, relax_at)) = needs.get(&contact) else { continue };
                let relaxed = relax_at.is_some_and(|relax_at| now >= relax_at);
                prop_assert!(
                    relaxed || billing_level(&to).is_some_and(|has| has >= *level),
                    "c{contact} needing billing {level} offered to {to} at {now:?} (relaxes at {relax_at:?})"
                );
            }
            prop_assert!(router.check_invariants().is_ok());
        }
    }
}

/// The agent a decision about `contact` offers it to, if it does.
fn offered(contact: usize, decision: Option<Decision>) -> Vec<(usize, AgentId)> {
    match decision {
        Some(Decision::Offer(offer)) => vec![(contact, offer.agent)],
        _ => Vec::new(),
    }
}

#[test]
fn profiles_keep_levels_and_old_profiles_without_levels_still_read() {
    let old: AgentProfile =
        serde_json::from_str(r#"{"id": "sato", "skills": ["billing"]}"#).expect("old profile");
    assert_eq!(old.level(&skill("billing")), Some(1));
    let mut profile = AgentProfile::new(agent("sato"));
    profile.set_skills(&BTreeMap::from([
        (skill("billing"), 3),
        (skill("korean"), 1),
    ]));
    let json = serde_json::to_string(&profile).expect("serialize");
    expect![[r#"{"id":"sato","teams":[],"skills":["billing","korean"],"skill_levels":{"billing":3},"capacity":{}}"#]]
        .assert_eq(&json);
    let read: AgentProfile = serde_json::from_str(&json).expect("read back");
    assert_eq!(read, profile);
    let _: BTreeSet<Skill> = read.skills;
}
