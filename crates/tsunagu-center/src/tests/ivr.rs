//! IVR menus on live calls: a call on a line with a menu is asked its questions before routing;
//! the menu's skills and priority join the call's, the path reaches the screen pop and the call
//! log, stale answers change nothing, and a restored center carries on mid-menu.

use std::collections::BTreeMap;

use expect_test::expect;
use tsunagu_ivr::{NodeId, PromptId, ValidMenu};
use tsunagu_presence::ConnectionId;
use tsunagu_routing::Skill;

use super::{Sim, arrival, card, interaction};
use crate::{CallArrival, CallInput, Input, MenuAnswer};

/// The demo seed's menu of 050-1234-5679 (`worker/seed/demo.sql`): 請求は1、予約は2.
const SEED_MENU: &str = r#"{"start":"hours","nodes":[{"id":"hours","type":"branch_hours","open":"root","closed":"after_hours"},{"id":"root","type":"gather","prompt":"お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。","input":"dtmf_speech","hints":["請求","予約"],"timeout_secs":5,"max_retries":2,"choices":[{"digit":"1","keywords":["請求","料金","支払い"],"label":"請求","next":"billing"},{"digit":"2","keywords":["予約"],"label":"予約","next":"booking"},{"digit":"9","keywords":["もう一度"],"label":"もう一度","next":"root"}],"on_failure":"operator"},{"id":"billing","type":"set_routing","skills":[{"skill":"billing","min_level":1}],"priority":5,"next":"billing_team"},{"id":"billing_team","label":"料金チーム","type":"route","target":"default"},{"id":"booking","type":"set_routing","skills":[{"skill":"booking","min_level":1}],"next":"booking_team"},{"id":"booking_team","label":"予約窓口","type":"route","target":{"team":"sales"}},{"id":"operator","label":"代表","type":"say","text":"担当者におつなぎします。","next":"operator_route"},{"id":"operator_route","type":"route","target":"default"},{"id":"after_hours","label":"留守番電話","type":"voicemail","prompt":"ただいま営業時間外です。発信音のあとにご用件をお話しください。","max_length_secs":120}]}"#;

pub(super) fn seed_menu() -> ValidMenu {
    serde_json::from_str(SEED_MENU).expect("the seed's menu is valid")
}

pub(super) fn menu_call(call: &str) -> CallArrival {
    let mut arrival = arrival(call, None, None);
    arrival.menu = Some(seed_menu());
    arrival
}

/// Sato and Suzuki in sales, without skills (and longer idle); Tanaka in support with billing 3.
fn office() -> Sim {
    let mut sim = Sim::new();
    sim.connect(1, "sato", &["sales"]);
    sim.at(1.0);
    sim.connect(2, "suzuki", &["sales"]);
    sim.at(2.0);
    sim.line("connect c3 tanaka [\"support\"] billing 3");
    let mut tanaka = card("tanaka", &["support"]);
    tanaka.skills = Some(BTreeMap::from([(Skill::new("billing").expect("valid"), 3)]));
    let result = sim.input(Input::AgentConnected {
        conn: ConnectionId(3),
        card: tanaka,
    });
    sim.result(result);
    sim.at(3.0);
    sim.take();
    sim
}

impl Sim {
    /// The IVR hook: `answer` to question `node` (retry `retry`, first visit) of `call`.
    fn answer(&mut self, call: &str, node: &str, retry: u8, answer: MenuAnswer) {
        let prompt = PromptId {
            node: NodeId::new(node),
            visit: 0,
            retry,
        };
        self.answer_prompt(call, prompt, answer);
    }

    /// The IVR hook: `answer` to `prompt` of `call`.
    fn answer_prompt(&mut self, call: &str, prompt: PromptId, answer: MenuAnswer) {
        self.line(&format!(
            "menu {call} {}#{}.{} ← {answer:?}",
            prompt.node.as_str(),
            prompt.visit,
            prompt.retry
        ));
        let plan = self.call_plan(CallInput::MenuAnswered {
            interaction: interaction(call),
            prompt,
            answer,
        });
        self.plan(&plan);
    }

    /// The question `call` is asked now.
    fn asked(&self, call: &str) -> PromptId {
        self.center.calls[&interaction(call)]
            .menu
            .as_ref()
            .and_then(|menu| menu.asked())
            .map(|prompt| prompt.id.clone())
            .expect("a question is asked")
    }
}

fn digits(digits: &str) -> MenuAnswer {
    MenuAnswer::Digits {
        digits: digits.into(),
    }
}

#[test]
fn pressing_1_rings_the_billing_agent_with_the_path_in_the_screen_pop() {
    let mut sim = office();
    sim.arrive(menu_call("CA1"));
    sim.at(6.0);
    sim.answer("CA1", "root", 0, digits("1"));
    expect![[r#"
        t=3s call CA1 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA1 customer=-
        t=6s menu CA1 root#0.0 ← Digits { digits: "1" }
          → Ring tanaka #1 for 15s
          record menu passed CA1 [請求 → 料金チーム]
          c3 ← status reserved since 6s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [請求 → 料金チーム]
    "#]]
    .assert_eq(&sim.take());
    let call = &sim.center.calls[&interaction("CA1")];
    assert_eq!(call.requirements.priority, 5, "the menu's priority");
    assert!(call.menu.is_none(), "the menu is dropped once over");
}

#[test]
fn saying_seikyu_reaches_the_billing_agent_too() {
    let mut sim = office();
    sim.arrive(menu_call("CA2"));
    sim.at(8.0);
    sim.answer(
        "CA2",
        "root",
        0,
        MenuAnswer::Speech {
            text: "請求".into(),
            confidence_percent: Some(92),
        },
    );
    expect![[r#"
        t=3s call CA2 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA2 customer=-
        t=8s menu CA2 root#0.0 ← Speech { text: "請求", confidence_percent: Some(92) }
          → Ring tanaka #1 for 15s
          record menu passed CA2 [請求 → 料金チーム]
          c3 ← status reserved since 8s
          record offered CA2 to tanaka (Anyone)
          c3 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [請求 → 料金チーム]
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn no_input_until_the_retries_run_out_goes_to_the_menus_fallback() {
    let mut sim = office();
    sim.arrive(menu_call("CA3"));
    sim.at(9.0);
    sim.answer("CA3", "root", 0, MenuAnswer::NoInput);
    sim.at(15.0);
    sim.answer("CA3", "root", 1, MenuAnswer::NoInput);
    sim.at(21.0);
    sim.answer("CA3", "root", 2, MenuAnswer::NoInput);
    expect![[r#"
        t=3s call CA3 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA3 customer=-
        t=9s menu CA3 root#0.0 ← NoInput
          → Ask root#0.1 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。" after "入力が確認できませんでした。"
        t=15s menu CA3 root#0.1 ← NoInput
          → Ask root#0.2 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。" after "入力が確認できませんでした。"
        t=21s menu CA3 root#0.2 ← NoInput
          → Say "担当者におつなぎします。" then Ring sato #1 for 15s
          record menu passed CA3 [入力なし → 代表]
          c1 ← status reserved since 21s
          record offered CA3 to sato (Anyone)
          c1 ← offer CA3#1 (ring 15s, ack 3s) from +81312345678 (no record) ivr [入力なし → 代表]
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_stale_or_repeated_answer_changes_nothing() {
    let mut sim = office();
    sim.arrive(menu_call("CA4"));
    sim.at(9.0);
    sim.answer("CA4", "root", 0, MenuAnswer::NoInput);
    sim.take();
    let before = sim.center.entries();
    // A retried webhook of the first question (pressing 1 then), after the menu asked again.
    sim.answer("CA4", "root", 0, digits("1"));
    // An answer to a question never asked.
    sim.answer("CA4", "booking", 0, digits("2"));
    expect![[r#"
        t=9s menu CA4 root#0.0 ← Digits { digits: "1" }
          → Ask root#0.1 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。" after "入力が確認できませんでした。"
        t=9s menu CA4 booking#0.0 ← Digits { digits: "2" }
          → Ask root#0.1 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。" after "入力が確認できませんでした。"
    "#]]
    .assert_eq(&sim.take());
    assert_eq!(sim.center.entries(), before, "nothing changed");
    // Once routed, a late answer gets the call's plan and changes nothing either.
    sim.answer("CA4", "root", 1, digits("1"));
    sim.answer("CA4", "root", 1, digits("2"));
    expect![[r#"
        t=9s menu CA4 root#0.1 ← Digits { digits: "1" }
          → Ring tanaka #1 for 15s
          record menu passed CA4 [請求 → 料金チーム]
          c3 ← status reserved since 9s
          record offered CA4 to tanaka (Anyone)
          c3 ← offer CA4#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [請求 → 料金チーム]
        t=9s menu CA4 root#0.1 ← Digits { digits: "2" }
          → Ring tanaka #1 for 15s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_restored_center_carries_on_in_the_middle_of_the_menu() {
    let mut sim = office();
    sim.arrive(menu_call("CA5"));
    sim.at(9.0);
    sim.answer("CA5", "root", 0, MenuAnswer::NoInput);
    sim.restore();
    // And from the stored entries (what the Durable Object keeps).
    let entries = sim.center.entries();
    sim.center = crate::Center::restore_entries(entries).expect("entries restore");
    sim.answer("CA5", "root", 1, digits("1"));
    expect![[r#"
        t=3s call CA5 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA5 customer=-
        t=9s menu CA5 root#0.0 ← NoInput
          → Ask root#0.1 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。" after "入力が確認できませんでした。"
        t=9s (restored from JSON)
        t=9s menu CA5 root#0.1 ← Digits { digits: "1" }
          → Ring tanaka #1 for 15s
          record menu passed CA5 [請求 → 料金チーム]
          c3 ← status reserved since 9s
          record offered CA5 to tanaka (Anyone)
          c3 ← offer CA5#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [請求 → 料金チーム]
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_caller_who_hangs_up_in_the_menu_is_abandoned_and_nobody_rings() {
    let mut sim = office();
    sim.arrive(menu_call("CA6"));
    sim.at(5.0);
    sim.hang_up("CA6");
    sim.answer("CA6", "root", 0, digits("1"));
    expect![[r#"
        t=3s call CA6 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA6 customer=-
        t=5s caller of CA6 hangs up
          record menu passed CA6 []
          record ended CA6
        t=5s menu CA6 root#0.0 ← Digits { digits: "1" }
          → Hangup
    "#]]
    .assert_eq(&sim.take());
}

/// A line whose menu sends `plan = gold` customers to support (Tanaka) and everyone else to
/// sales, before a word is said.
fn plan_menu() -> ValidMenu {
    let menu: tsunagu_ivr::Menu = serde_json::from_str(
        r#"{"start": "plan", "nodes": [
        {"id": "plan", "type": "branch_attribute", "attribute": "plan",
         "cases": [{"equals": "gold", "next": "gold"}], "otherwise": "standard"},
        {"id": "gold", "label": "ゴールド窓口", "type": "route", "target": {"team": "support"}},
        {"id": "standard", "label": "通常窓口", "type": "route", "target": {"team": "sales"}}]}"#,
    )
    .expect("parses");
    menu.validate().expect("valid")
}

#[test]
fn a_known_gold_customer_takes_the_gold_branch_and_a_stranger_the_other() {
    let mut sim = office();
    let mut gold = arrival("CA7", None, None);
    gold.customer = Some(tsunagu_protocol::CustomerCard {
        id: tsunagu_core::CustomerId::new("c-gold").expect("valid"),
        name: "金田 一郎".into(),
        owner: None,
        team: None,
    });
    gold.customer_attributes = BTreeMap::from([("plan".to_owned(), "gold".to_owned())]);
    gold.menu = Some(plan_menu());
    sim.arrive(gold);
    let mut stranger = arrival("CA8", None, None);
    stranger.customer_number = Some("+819000000008".into());
    stranger.menu = Some(plan_menu());
    sim.arrive(stranger);
    expect![[r#"
        t=3s call CA7 on Main
          → Ring tanaka #1 for 15s
          record started CA7 customer=c-gold
          record menu passed CA7 [ゴールド窓口]
          c3 ← status reserved since 3s
          record offered CA7 to tanaka (Owner)
          c3 ← offer CA7#1 (ring 15s, ack 3s) from +81312345678 c-gold 金田 一郎 ivr [ゴールド窓口]
        t=3s call CA8 on Main
          → Ring sato #1 for 15s
          record started CA8 customer=-
          record menu passed CA8 [通常窓口]
          c1 ← status reserved since 3s
          record offered CA8 to sato (Owner)
          c1 ← offer CA8#1 (ring 15s, ack 3s) from +819000000008 (no record) ivr [通常窓口]
    "#]]
    .assert_eq(&sim.take());
    let restored = sim.center.calls[&interaction("CA7")].ivr_path.clone();
    assert_eq!(restored, Some(vec!["ゴールド窓口".to_owned()]));
}

#[test]
fn the_wait_for_a_skilled_agent_counts_from_the_end_of_the_menu_not_the_arrival() {
    let mut sim = office();
    sim.set_away(3, tsunagu_protocol::AwayReason::Break);
    sim.take();
    let mut call = menu_call("CA1");
    call.requirements.relax_after = Some(tsunagu_core::Millis::from_secs(60));
    sim.arrive(call);
    // Thirty seconds in the menu, then billing, which nobody free has: the call waits.
    sim.at(33.0);
    sim.answer("CA1", "root", 0, digits("1"));
    // Sixty seconds from the arrival would relax it here; it waits on.
    sim.at(70.0);
    sim.wait("CA1");
    // Sixty seconds from the end of the menu: anyone may take it.
    sim.at(94.0);
    expect![[r#"
        t=3s call CA1 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA1 customer=-
        t=3250ms alarm
          all ← roster: tanaka away(break) since 3s
        t=33s menu CA1 root#0.0 ← Digits { digits: "1" }
          → Enqueue at 1
          record menu passed CA1 [請求 → 料金チーム]
          record queued CA1
        t=70s queue poll CA1
          → Hold at 1, waited 67s
        t=93s alarm
          c1 ← status reserved since 93s
          record dequeued CA1
          record offered CA1 to sato (Anyone)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [請求 → 料金チーム]
          redirect CA1
        t=93250ms alarm
          all ← roster: sato reserved since 93s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn the_menus_sentence_after_its_last_question_is_said_before_the_ring_once() {
    let mut sim = office();
    sim.arrive(menu_call("CA1"));
    // Silence until the retries run out: the menu says 担当者におつなぎします。 and routes.
    sim.at(8.0);
    sim.answer("CA1", "root", 0, MenuAnswer::NoInput);
    sim.at(13.0);
    sim.answer("CA1", "root", 1, MenuAnswer::NoInput);
    sim.at(18.0);
    sim.answer("CA1", "root", 2, MenuAnswer::NoInput);
    // Nobody answers Sato's ring: the next ring is not preceded by the sentence again.
    sim.at(21.0);
    sim.dial("CA1", 1, crate::DialOutcome::NoAnswer);
    let transcript = sim.take();
    let plans: Vec<&str> = transcript
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("→ "))
        .collect();
    expect![[r#"
        [
            "→ Ask root#0.0 \"お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。\"",
            "→ Ask root#0.1 \"お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。\" after \"入力が確認できませんでした。\"",
            "→ Ask root#0.2 \"お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。\" after \"入力が確認できませんでした。\"",
            "→ Say \"担当者におつなぎします。\" then Ring sato #1 for 15s",
            "→ Ring suzuki #2 for 15s",
        ]
    "#]].assert_debug_eq(&plans);
}

#[test]
fn the_dry_run_presses_the_keys_it_is_given_and_agrees_with_the_call() {
    let mut sim = office();
    let dry = sim
        .center
        .dry_run_with_keys(sim.now, menu_call("CA9"), None, Some("91"));
    let skipped = sim.center.dry_run(sim.now, menu_call("CA9"), None);
    let unanswered = sim
        .center
        .dry_run_with_keys(sim.now, menu_call("CA9"), None, Some("9"));
    // The real call: もう一度 (9), then 請求 (1).
    sim.arrive(menu_call("CA1"));
    for key in ["9", "1"] {
        let asked = sim.asked("CA1");
        sim.answer_prompt("CA1", asked, digits(key));
    }
    let real = sim.take();
    expect![[r#"
        dry run 91: Ring tanaka #1 for 15s Some(["もう一度", "請求", "料金チーム"])
        without keys: Ring sato #1 for 15s
        keys run out: Ask root#1.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
        t=3s call CA1 on Main
          → Ask root#0.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
          record started CA1 customer=-
        t=3s menu CA1 root#0.0 ← Digits { digits: "9" }
          → Ask root#1.0 "お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。"
        t=3s menu CA1 root#1.0 ← Digits { digits: "1" }
          → Ring tanaka #1 for 15s
          record menu passed CA1 [もう一度 → 請求 → 料金チーム]
          c3 ← status reserved since 3s
          record offered CA1 to tanaka (Anyone)
          c3 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record) needs billing 1+ ivr [もう一度 → 請求 → 料金チーム]
    "#]].assert_eq(&format!(
        "dry run 91: {} {:?}\nwithout keys: {}\nkeys run out: {}\n{real}",
        super::describe_plan(dry.plan.as_ref().expect("a plan")),
        dry.ivr_path,
        super::describe_plan(skipped.plan.as_ref().expect("a plan")),
        super::describe_plan(unanswered.plan.as_ref().expect("a plan")),
    ));
}

#[test]
fn the_dry_run_branches_on_the_callers_attributes_as_the_call_does() {
    let sim = office();
    let gold = |call: &str| {
        let mut arrival = arrival(call, None, None);
        arrival.customer_attributes = BTreeMap::from([("plan".to_owned(), "gold".to_owned())]);
        arrival.menu = Some(plan_menu());
        arrival
    };
    let stranger = |call: &str| {
        let mut arrival = arrival(call, None, None);
        arrival.menu = Some(plan_menu());
        arrival
    };
    // A menu without questions runs on no keys at all.
    let dry_gold = sim
        .center
        .dry_run_with_keys(sim.now, gold("CA9"), None, Some(""));
    let dry_other = sim
        .center
        .dry_run_with_keys(sim.now, stranger("CA9"), None, Some(""));
    assert_eq!(dry_gold.ivr_path, Some(vec!["ゴールド窓口".to_owned()]));
    assert_eq!(dry_other.ivr_path, Some(vec!["通常窓口".to_owned()]));
    let mut sim = sim;
    sim.arrive(gold("CA7"));
    assert_eq!(
        sim.center.calls[&interaction("CA7")].ivr_path,
        dry_gold.ivr_path,
        "the dry run agrees with the call"
    );
}
