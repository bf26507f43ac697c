//! The routing audit: every decision about a call is recorded with its explanation, and the
//! stitched conversation carries them in order, in Japanese for the people who read them.

use expect_test::expect;
use tsunagu_core::{Millis, TeamId};
use tsunagu_protocol::AwayReason;
use tsunagu_routing::{Ladder, Step, Target};

use super::Sim;

/// The scenarios' office (Sato and Suzuki in sales, Tanaka in support), printing the audit.
fn office() -> Sim {
    let mut sim = super::scenarios::office();
    sim.routing = true;
    sim
}

#[test]
fn each_decision_is_recorded_with_why() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.call("CA1", Some("sato"), Some("sales"));
    // Suzuki never acknowledges the ring: the call is routed again, to whoever is left.
    sim.at(10.0);
    expect![[r#"
        t=3s c1 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c1 ← status away(lunch) since 3s
        t=3s call CA1 owner=Some("sato") team=Some("sales")
          → Ring suzuki #1 for 15s
          record started CA1 customer=cust-CA1
          record routed CA1 — CA1 が電話で着信（優先度 0）
              手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
              手順 2（担当者のチーム sales、2 名）: suzuki を選択（10:00:01 から待機） — 見送り: 【離席（昼食）】sato
              → CA1 を suzuki に 20 秒呼び出し（手順 2）
          c2 ← status reserved since 3s
          record offered CA1 to suzuki (Team sales)
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
        t=3250ms alarm
          all ← roster: sato away(lunch) since 3s, suzuki reserved since 3s
        t=6s alarm
          c2 ← status away(missed_offer) since 6s
          record suzuki Missed CA1
          c2 ← offer CA1#1 withdrawn: NotAcknowledged
          record routed CA1 — CA1: suzuki が応答しなかった（または辞退した）ため、もう一度振り分け
              手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
              手順 2（担当者のチーム sales、2 名）: 対応できる人なし — 見送り: 【離席（昼食）】sato、【すでに応答しなかった/辞退した】suzuki
              手順 3（全員、3 名）: tanaka を選択（10:00:02 から待機） — 見送り: 【離席（昼食）】sato、【すでに応答しなかった/辞退した】suzuki
              → CA1 を tanaka に 30 秒呼び出し（手順 3）
          c3 ← status reserved since 6s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#2 (ring 15s, ack 3s) from +81312345678 cust-CA1 山田商事
          redirect CA1
        t=6250ms alarm
          all ← roster: suzuki away(missed_offer) since 6s, tanaka reserved since 6s
        t=9s alarm
          c3 ← status away(missed_offer) since 9s
          record tanaka Missed CA1
          c3 ← offer CA1#2 withdrawn: NotAcknowledged
          record routed CA1 — CA1: tanaka が応答しなかった（または辞退した）ため、もう一度振り分け
              手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
              手順 2（担当者のチーム sales、2 名）: 対応できる人なし — 見送り: 【離席（昼食）】sato、【離席（着信に応答なし）】suzuki
              手順 3（全員、3 名）: 対応できる人なし — 見送り: 【離席（昼食）】sato、【離席（着信に応答なし）】suzuki、【すでに応答しなかった/辞退した】tanaka
              → CA1 は電話の待ち列へ: 1 件中 1 番目
          record queued CA1
        t=9250ms alarm
          all ← roster: tanaka away(missed_offer) since 9s
    "#]].assert_eq(&sim.take());
}

#[test]
fn the_conversation_carries_its_routing_decisions_oldest_first() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.set_away(3, AwayReason::Break);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.at(10.0);
    sim.hang_up("CA1");
    sim.at(20.0);
    let stitched = tsunagu_stitch::stitch(
        &tsunagu_core::TenantId::new("demo").expect("valid"),
        &sim.records,
    );
    let audit: Vec<String> = stitched
        .conversations
        .iter()
        .flat_map(|c| c.routing.iter())
        .map(|decision| format!("at {}ms\n{}", decision.at.0, decision.explanation.ja(540)))
        .collect();
    expect![[r#"
        at 1711933203000ms
        CA1 が電話で着信（優先度 0）
        手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
        手順 2（担当者のチーム sales、2 名）: suzuki を選択（10:00:01 から待機） — 見送り: 【離席（昼食）】sato
        → CA1 を suzuki に 20 秒呼び出し（手順 2）
        ---
        at 1711933206000ms
        CA1: suzuki が応答しなかった（または辞退した）ため、もう一度振り分け
        手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
        手順 2（担当者のチーム sales、2 名）: 対応できる人なし — 見送り: 【離席（昼食）】sato、【すでに応答しなかった/辞退した】suzuki
        手順 3（全員、3 名）: 対応できる人なし — 見送り: 【離席（休憩）】tanaka、【離席（昼食）】sato、【すでに応答しなかった/辞退した】suzuki
        → CA1 は電話の待ち列へ: 1 件中 1 番目"#]].assert_eq(&audit.join("\n---\n"));
}

#[test]
fn a_dry_run_decides_on_a_copy_and_changes_nothing() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Lunch);
    sim.take();
    // What the shell would have stored by now.
    let _ = sim.center.take_delta();
    let before = serde_json::to_string(&sim.center.snapshot()).expect("snapshot");
    let dry = sim.center.dry_run(
        sim.now,
        super::arrival("CA9", Some("sato"), Some("sales")),
        None,
    );
    let decisions: Vec<String> = dry.decisions.iter().map(|e| e.ja(540)).collect();
    expect![[r#"
        at=1711933203000 plan=Some(Ring { interaction: InteractionId("dry-run"), agent: AgentId("suzuki"), attempt: 1, timeout: Millis(15000), say_first: [] }) refused=None
        dry-run が電話で着信（優先度 0）
        手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato
        手順 2（担当者のチーム sales、2 名）: suzuki を選択（10:00:01 から待機） — 見送り: 【離席（昼食）】sato
        → dry-run を suzuki に 20 秒呼び出し（手順 2）"#]].assert_eq(&format!(
        "at={} plan={:?} refused={:?}\n{}",
        dry.at.0,
        dry.plan,
        dry.refused,
        decisions.join("\n---\n")
    ));
    // Nothing happened: no output, nothing to store, the same state.
    assert!(sim.center.poll_output().is_none());
    assert!(sim.center.take_delta().puts.is_empty());
    assert_eq!(
        serde_json::to_string(&sim.center.snapshot()).expect("snapshot"),
        before
    );
    // A dry run an hour ahead: the ring suzuki would miss has long timed out on the copy, and
    // sato is still away; suzuki is offered it the same way.
    let later = sim.center.dry_run(
        sim.now + tsunagu_core::Millis::from_secs(3600),
        super::arrival("CA9", Some("sato"), Some("sales")),
        None,
    );
    assert_eq!(later.plan.as_ref().map(crate::CallPlan::name), Some("ring"));
}

#[test]
fn a_dry_run_previews_a_routing_change_on_the_copy_only() {
    let mut sim = office();
    sim.take();
    let _ = sim.center.take_delta();
    let before = serde_json::to_string(&sim.center.snapshot()).expect("snapshot");
    // Support first: the owner sato is available, but the previewed ladder never asks owners.
    let mut preview = sim.center.config().clone();
    preview.ladder = Ladder {
        steps: vec![Step {
            target: Target::Team(TeamId::new("support").expect("valid")),
            timeout: Millis::from_secs(20),
        }],
    };
    let arrival = || super::arrival("CA9", Some("sato"), Some("sales"));
    let previewed = sim.center.dry_run(sim.now, arrival(), Some(preview));
    let live = sim.center.dry_run(sim.now, arrival(), None);
    let ringing = |run: &crate::DryRun| match &run.plan {
        Some(crate::CallPlan::Ring { agent, .. }) => agent.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(ringing(&previewed), "tanaka");
    assert_eq!(ringing(&live), "sato", "the live settings are untouched");
    assert_eq!(
        serde_json::to_string(&sim.center.snapshot()).expect("snapshot"),
        before
    );
    // Settings the center refuses are a refusal, not a run.
    let mut broken = sim.center.config().clone();
    broken.ladder = Ladder { steps: Vec::new() };
    let refused = sim.center.dry_run(sim.now, arrival(), Some(broken));
    assert!(
        refused.plan.is_none() && refused.refused.is_some(),
        "{refused:?}"
    );
}
