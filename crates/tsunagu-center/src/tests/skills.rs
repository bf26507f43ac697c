//! Skills and priorities end to end in the center: agents' skills from the directory (at sign-in
//! and when it changes), a line's requirements on the call, skill relaxation on the center's own
//! timer, and the dry run agreeing with the call that follows.

use std::collections::BTreeMap;

use expect_test::expect;
use tsunagu_core::Millis;
use tsunagu_presence::ConnectionId;
use tsunagu_routing::Skill;

use super::{Sim, agent, arrival, card};
use crate::{CallArrival, CallRequirements, Input};

fn billing(level: u8) -> BTreeMap<Skill, u8> {
    BTreeMap::from([(Skill::new("billing").expect("valid"), level)])
}

/// A call to a line that needs `billing` at `level`, waiting at most 60 s for it.
fn billing_call(call: &str, level: u8, priority: u8) -> CallArrival {
    let mut arrival = arrival(call, None, None);
    arrival.requirements = CallRequirements {
        skills: billing(level),
        priority,
        relax_after: Some(Millis::from_secs(60)),
    };
    arrival
}

/// Sato and Suzuki in sales, without skills; Tanaka in support, billing at level 3 (from the
/// directory, on his card). Sato is the longest idle.
fn office() -> Sim {
    let mut sim = Sim::new();
    sim.routing = true;
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(2.0);
    connect_skilled(&mut sim, 3, "tanaka", &["support"], billing(3));
    sim.at(3.0);
    sim.take();
    sim
}

fn connect_skilled(
    sim: &mut Sim,
    conn: u64,
    who: &str,
    teams: &[&str],
    skills: BTreeMap<Skill, u8>,
) {
    sim.line(&format!(
        "connect c{conn} {who} {teams:?} skills {skills:?}"
    ));
    let mut card = card(who, teams);
    card.skills = Some(skills);
    let result = sim.input(Input::AgentConnected {
        conn: ConnectionId(conn),
        card,
    });
    sim.result(result);
}

#[test]
fn a_call_needing_billing_rings_the_skilled_agent_past_more_idle_ones() {
    let mut sim = office();
    sim.arrive(billing_call("CA1", 1, 0));
    expect![[r#"
        t=3s call CA1 on Main
          → Ring tanaka #1 for 15s
          record started CA1 customer=-
          record routed CA1 — CA1 が電話で着信（優先度 0、必要なスキル: billing）
              手順 1（担当者）: 該当なし（担当者のいない顧客）
              手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
              手順 3（全員、3 名）: tanaka を選択（10:00:02 から待機） — 見送り: 【スキル billing がない】sato、suzuki
              → CA1 を tanaka に 30 秒呼び出し（手順 3）
          c3 ← status reserved since 3s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn after_the_relaxation_wait_a_queued_call_rings_anyone_and_twilio_is_redirected() {
    let mut sim = office();
    // Above Tanaka's level: nobody qualifies, so the call waits.
    sim.arrive(billing_call("CA1", 4, 0));
    sim.at(64.0);
    expect![[r#"
        t=3s call CA1 on Main
          → Enqueue at 1
          record started CA1 customer=-
          record routed CA1 — CA1 が電話で着信（優先度 0、必要なスキル: billing（レベル 4 以上））
              手順 1（担当者）: 該当なし（担当者のいない顧客）
              手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
              手順 3（全員、3 名）: 対応できる人なし — 見送り: 【スキル billing がない】sato、suzuki、【スキル billing がレベル 4 未満】tanaka
              → CA1 は電話の待ち列へ: 1 件中 1 番目
          record queued CA1
        t=63s alarm
          record routed CA1 — CA1: スキルのある人を 60 秒待ったため、スキルを問わずにもう一度振り分け
              手順 1（担当者）: 該当なし（担当者のいない顧客）
              手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
              手順 3（全員、3 名）: sato を選択（10:00:00 から待機、最も長く待機。ほかに 2 名が対応可能）
              スキル条件を緩和（待ち時間の上限を超過）: billing — スキルのない人も対象
              → CA1 を sato に 30 秒呼び出し（手順 3）
          c1 ← status reserved since 63s
          record dequeued CA1
          record offered CA1 to sato (Anyone)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 4+
          redirect CA1
        t=63250ms alarm
          all ← roster: sato reserved since 63s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn priority_orders_the_queue_and_a_skill_given_by_the_directory_takes_effect_at_once() {
    let mut sim = office();
    sim.set_away(3, tsunagu_protocol::AwayReason::Break);
    sim.set_away(1, tsunagu_protocol::AwayReason::Break);
    sim.set_away(2, tsunagu_protocol::AwayReason::Break);
    sim.arrive(billing_call("CA1", 1, 0));
    sim.arrive(billing_call("CA2", 1, 5));
    sim.take();
    assert_eq!(
        sim.center.router.queue_position(&super::interaction("CA2")),
        Some(1)
    );
    assert_eq!(
        sim.center.router.queue_position(&super::interaction("CA1")),
        Some(2)
    );
    // Sato comes back without billing: nothing for him. The admin API then gives him billing.
    sim.set_available(1);
    sim.line("directory: sato has billing 2");
    let result = sim.input(Input::AgentSkills {
        agent: agent("sato"),
        skills: billing(2),
    });
    sim.result(result);
    expect![[r#"
        t=3s c1 says {"type":"set_status","status":{"kind":"available"}}
          c1 ← status available since 3s
        t=3s directory: sato has billing 2
          record routed CA2 — sato が対応可能になった（空きのあるチャネルの待ち 2 件）
              → CA2 を sato に 30 秒呼び出し（手順 3）
          c1 ← status reserved since 3s
          record dequeued CA2
          record offered CA2 to sato (Queue)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+
          redirect CA2
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn the_dry_run_takes_the_lines_requirements_and_agrees_with_the_call() {
    let mut sim = office();
    let dry = sim.center.dry_run(sim.now, billing_call("CA9", 1, 0), None);
    let dry_agent = match &dry.plan {
        Some(crate::CallPlan::Ring { agent, .. }) => agent.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(dry_agent, "tanaka");
    sim.arrive(billing_call("CA9", 1, 0));
    assert!(sim.take().contains("→ Ring tanaka #1"));
    // A sign-in whose directory read failed keeps the skills the center knew.
    sim.disconnect(3);
    sim.connect(4, "tanaka", &["support"]);
    let profile = sim.center.router.profile(&agent("tanaka")).cloned();
    assert_eq!(
        profile.map(|p| p.level(&Skill::new("billing").expect("valid"))),
        Some(Some(3))
    );
}

#[test]
fn a_relaxation_due_survives_a_restore_from_storage() {
    let mut sim = office();
    sim.arrive(billing_call("CA1", 5, 0));
    sim.take();
    sim.restore();
    sim.at(64.0);
    let log = sim.take();
    assert!(log.contains("CA1 を sato に 30 秒呼び出し"), "{log}");
}

#[test]
fn a_queue_adds_its_skills_and_priority_to_the_calls_it_takes() {
    let queue = crate::CallQueue {
        id: crate::QueueId::new("billing").expect("valid"),
        name: tsunagu_protocol::Localized {
            ja: "請求窓口".into(),
            en: "Billing".into(),
        },
        ladder: None,
        max_wait: None,
        overflow: crate::Overflow::KeepWaiting,
        announce_position: true,
        hold_music_url: None,
        callback_digit: None,
        required_skills: billing(2),
        priority: 5,
        hours: None,
        after_hours: None,
    };
    let mut config = super::config();
    config.queues.insert(queue.id.clone(), queue.clone());
    let mut sim = Sim::with(config);
    sim.routing = true;
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    connect_skilled(&mut sim, 3, "tanaka", &["support"], billing(3));
    sim.at(3.0);
    sim.take();
    // The line needs nothing itself: the queue's billing (level 2) passes over Sato, the longest
    // idle, to Tanaka, and the offer says why.
    let mut call = arrival("CA1", None, None);
    call.queue = Some(queue.id);
    sim.arrive(call);
    expect![[r#"
        t=3s call CA1 on Main
          → Ring tanaka #1 for 15s
          record started CA1 customer=-
          record routed CA1 — CA1 が電話で着信（優先度 5、必要なスキル: billing（レベル 2 以上））
              手順 1（担当者）: 該当なし（担当者のいない顧客）
              手順 2（担当者のチーム）: 該当なし（担当チームのない顧客）
              手順 3（全員、2 名）: tanaka を選択（10:00:01 から待機） — 見送り: 【スキル billing がない】sato
              → CA1 を tanaka に 30 秒呼び出し（手順 3）
          c3 ← status reserved since 3s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 2+
    "#]]
    .assert_eq(&sim.take());
}
