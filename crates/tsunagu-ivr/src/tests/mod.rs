//! Tests of the IVR crate: the demo menu, run transcripts, validation, speech folding, properties.

use expect_test::Expect;
use tsunagu_core::Timestamp;

use crate::{CallFacts, End, Input, IvrCall, Menu, Output, ValidMenu};

mod props;
mod runs;
mod speech;
mod validation;

/// The seed's demo line: 請求は1、予約は2 (and 解約 by voice), closed hours to voicemail, a VIP
/// branch on the customer's plan, and "9" to hear the menu again.
pub(crate) const DEMO_MENU: &str = r#"{
  "start": "hours",
  "nodes": [
    {"id": "hours", "type": "branch_hours", "open": "root", "closed": "after_hours"},
    {"id": "root", "type": "gather",
     "prompt": "ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。",
     "input": "dtmf_speech", "hints": ["請求", "解約", "予約"],
     "timeout_secs": 5, "max_retries": 1,
     "choices": [
       {"digit": "1", "keywords": ["請求", "料金", "支払い"], "label": "請求", "next": "billing_skill"},
       {"digit": "2", "keywords": ["予約"], "label": "予約", "next": "booking"},
       {"keywords": ["解約"], "label": "解約", "next": "cancel"},
       {"digit": "9", "keywords": ["もう一度"], "label": "もう一度", "next": "root"}
     ],
     "on_failure": "operator"},
    {"id": "billing_skill", "type": "set_routing", "skills": [{"skill": "billing", "min_level": 2}], "priority": 5, "next": "billing"},
    {"id": "billing", "label": "料金チーム", "type": "route", "target": {"team": "billing"}},
    {"id": "booking", "type": "set_routing", "skills": [{"skill": "booking"}], "next": "booking_queue"},
    {"id": "booking_queue", "label": "予約窓口", "type": "route", "target": {"queue": "booking"}},
    {"id": "cancel", "type": "branch_attribute", "attribute": "plan",
     "cases": [{"equals": "gold", "next": "vip"}], "otherwise": "retention"},
    {"id": "vip", "label": "VIP", "type": "set_routing", "priority": 9, "next": "retention"},
    {"id": "retention", "label": "解約受付", "type": "route", "target": {"team": "retention"}},
    {"id": "operator", "label": "代表", "type": "say", "text": "担当者におつなぎします。", "next": "default_route"},
    {"id": "default_route", "type": "route", "target": "default"},
    {"id": "after_hours", "label": "留守番電話", "type": "voicemail",
     "prompt": "ただいま営業時間外です。発信音のあとにご用件をお話しください。", "max_length_secs": 120}
  ]
}"#;

pub(crate) fn demo_menu() -> ValidMenu {
    let menu: Menu = serde_json::from_str(DEMO_MENU).expect("the demo menu parses");
    menu.validate().expect("the demo menu is valid")
}

pub(crate) const T0: Timestamp = Timestamp(1_760_000_000_000);

/// One line per input and per output, as an operator would read a call's trace.
pub(crate) fn transcript(menu: ValidMenu, facts: CallFacts, inputs: Vec<Input>) -> String {
    let mut call = IvrCall::new(menu);
    let mut out = String::new();
    let mut now = T0;
    for input in std::iter::once(Input::Start { facts }).chain(inputs) {
        now = Timestamp(now.0 + 1_000);
        out.push_str(&format!("> {}\n", describe_input(&input)));
        if let Err(rejected) = call.handle_input(now, input) {
            out.push_str(&format!("! rejected: {rejected}\n"));
        }
        while let Some(output) = call.poll_output() {
            out.push_str(&describe_output(&output));
        }
    }
    out
}

fn describe_input(input: &Input) -> String {
    match input {
        Input::Start { facts } => format!(
            "start (hours: {}, attributes: {:?})",
            match &facts.hours {
                None => "unknown".to_owned(),
                Some(tsunagu_calendar::Openness::Open) => "open".to_owned(),
                Some(tsunagu_calendar::Openness::Closed { because }) => because.ja(),
            },
            facts.attributes
        ),
        Input::Digits { digits, .. } => format!("digits {digits:?}"),
        Input::Speech {
            text, confidence, ..
        } => format!("speech {text:?} ({confidence:?})"),
        Input::NoInput { .. } => "no input".to_owned(),
        Input::CallerHungUp => "caller hung up".to_owned(),
    }
}

pub(crate) fn describe_output(output: &Output) -> String {
    match output {
        Output::Ask(prompt) => {
            let mut out = String::new();
            for say in &prompt.say_first {
                out.push_str(&format!("< say 「{say}」\n"));
            }
            out.push_str(&format!(
                "< ask {} visit {} retry {} 「{}」 ({:?}, hints {}, {} s)\n",
                prompt.id.node.as_str(),
                prompt.id.visit,
                prompt.id.retry,
                prompt.question,
                prompt.input,
                prompt.hints.join(","),
                prompt.timeout_secs
            ));
            out
        }
        Output::Finished(outcome) => {
            let mut out = String::new();
            for say in &outcome.say_first {
                out.push_str(&format!("< say 「{say}」\n"));
            }
            let skills: Vec<String> = outcome
                .skills
                .iter()
                .map(|s| format!("{}≥{}", s.skill, s.min_level))
                .collect();
            let end = match &outcome.end {
                End::Route { target } => format!("route {target:?}"),
                End::Voicemail {
                    prompt,
                    max_length_secs,
                } => format!("voicemail 「{prompt}」 ≤{max_length_secs} s"),
                End::Transfer { number } => format!("transfer {number}"),
                End::Hangup { text, reason } => format!("hang up {text:?} ({reason:?})"),
            };
            out.push_str(&format!(
                "< finished: {} | skills [{}] | priority {:?} | {end}\n",
                outcome.screen_pop(),
                skills.join(", "),
                outcome.priority
            ));
            out
        }
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "expect! values are built inline"
)]
pub(crate) fn check_run(facts: CallFacts, inputs: Vec<Input>, expect: Expect) {
    expect.assert_eq(&transcript(demo_menu(), facts, inputs));
}
