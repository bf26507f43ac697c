//! The IVR's TwiML: the `ivr_menu_ja` vector byte for byte, retries, speech-only questions and
//! the menu's own ends.

use expect_test::{Expect, expect};
use tsunagu_core::{InteractionId, TenantId, Timestamp};
use tsunagu_ivr::{CallFacts, Input, IvrCall, Menu, Output, PromptId};

use super::{ivr_answered, render_ivr_end, render_ivr_prompt};
use crate::Webhooks;

const VECTORS: &str = include_str!("../../../../tests/fixtures/twilio-ivr-vectors.json");

/// The vector's menu: 請求は1、予約は2, and 解約 by voice; one retry, then a hang-up.
const MENU: &str = r#"{"start": "root", "nodes": [
  {"id": "root", "type": "gather",
   "prompt": "ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。",
   "input": "dtmf_speech", "hints": ["請求", "解約", "予約"], "timeout_secs": 5, "max_retries": 1,
   "choices": [
     {"digit": "1", "keywords": ["請求"], "label": "請求", "next": "billing"},
     {"digit": "2", "keywords": ["予約"], "label": "予約", "next": "booking"},
     {"keywords": ["解約"], "label": "解約", "next": "voice_only"}],
   "on_failure": "bye"},
  {"id": "billing", "label": "料金チーム", "type": "route", "target": {"team": "billing"}},
  {"id": "booking", "label": "留守番電話", "type": "voicemail",
   "prompt": "発信音のあとにご予約の内容をお話しください。", "max_length_secs": 120},
  {"id": "voice_only", "type": "gather", "prompt": "解約の理由をお話しください。", "input": "speech",
   "timeout_secs": 8, "max_retries": 0,
   "choices": [{"keywords": ["料金"], "label": "料金", "next": "billing"}],
   "on_failure": "bye"},
  {"id": "bye", "type": "hangup", "text": "お電話ありがとうございました。"}]}"#;

fn hooks() -> Webhooks {
    Webhooks {
        origin: "https://edge.example.jp".to_owned(),
        tenant: TenantId::new("acme").expect("valid tenant"),
    }
}

/// The call's outputs after each input, starting the menu first.
fn outputs(inputs: Vec<Input>) -> Vec<Output> {
    let menu: Menu = serde_json::from_str(MENU).expect("parses");
    let mut call = IvrCall::new(menu.validate().expect("valid"));
    let mut all = Vec::new();
    let start = Input::Start {
        facts: CallFacts::default(),
    };
    for input in std::iter::once(start).chain(inputs) {
        call.handle_input(Timestamp(0), input).expect("accepted");
        while let Some(output) = call.poll_output() {
            all.push(output);
        }
    }
    all
}

fn render(output: &Output) -> String {
    let interaction = InteractionId::new("CA00000000000000000000000000000001").expect("valid");
    match output {
        Output::Ask(prompt) => render_ivr_prompt(prompt, &hooks()).expect("renders"),
        Output::Finished(outcome) => render_ivr_end(outcome, &hooks(), &interaction)
            .unwrap_or_else(|| Ok(format!("(the center's: {:?})", outcome.end)))
            .expect("renders"),
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "expect! values are built inline"
)]
fn check(inputs: Vec<Input>, expect: Expect) {
    let all: Vec<String> = outputs(inputs)
        .iter()
        .map(|output| render(output).replace("><", ">\n<"))
        .collect();
    expect.assert_eq(&all.join("\n---\n"));
}

#[test]
fn the_first_question_is_the_ivr_menu_ja_vector_byte_for_byte() {
    let all: serde_json::Value = serde_json::from_str(VECTORS).expect("the fixture is JSON");
    let vector = all["twiml"]["ivr_menu_ja"].as_str().expect("a string");
    let ours = render(&outputs(Vec::new())[0]);
    // The vector's one defect (see the fixture's `_known_defect`): its redirect URL escaped twice.
    assert_eq!(vector.matches("&amp;amp;").count(), 1);
    assert_eq!(ours, vector.replace("&amp;amp;", "&amp;"));
    // Everything up to the redirect's query, the whole <Gather> included, is the vector's as is.
    let gather_end = vector.find("</Gather>").expect("a gather") + "</Gather>".len();
    assert_eq!(ours[..gather_end], vector[..gather_end]);
}

#[test]
fn a_retry_says_why_first_and_names_its_retry_in_both_urls() {
    check(
        vec![Input::NoInput { prompt: None }],
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1</Redirect>
            </Response>
            ---
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">入力が確認できませんでした。</Say>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=2</Redirect>
            </Response>"#]],
    );
}

#[test]
fn a_speech_only_question_has_no_num_digits_and_its_choices_keywords_as_hints() {
    check(
        vec![Input::Speech {
            prompt: None,
            text: "解約したいです".to_owned(),
            confidence: Some(0.9),
        }],
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1</Redirect>
            </Response>
            ---
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=voice_only" hints="料金" input="speech" language="ja-JP" method="POST" speechTimeout="auto" timeout="8">
            <Say language="ja-JP" voice="Polly.Mizuki">解約の理由をお話しください。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=voice_only&amp;retry=1</Redirect>
            </Response>"#]],
    );
}

#[test]
fn voicemail_says_the_prompt_records_with_an_action_and_hangs_up() {
    check(
        vec![Input::Digits {
            prompt: None,
            digits: "2".to_owned(),
        }],
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1</Redirect>
            </Response>
            ---
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">発信音のあとにご予約の内容をお話しください。</Say>
            <Record action="https://edge.example.jp/twilio/voice/acme/ivr?conversation=CA00000000000000000000000000000001&amp;recorded=1" maxLength="120" playBeep="true" recordingStatusCallback="https://edge.example.jp/twilio/voice/acme/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed"/>
            <Hangup/>
            </Response>"#]],
    );
}

#[test]
fn giving_up_says_goodbye_and_hangs_up_and_routing_is_left_to_the_center() {
    check(
        vec![
            Input::NoInput { prompt: None },
            Input::Digits {
                prompt: None,
                digits: "5".to_owned(),
            },
        ],
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1</Redirect>
            </Response>
            ---
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">入力が確認できませんでした。</Say>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=2</Redirect>
            </Response>
            ---
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">お電話ありがとうございました。</Say>
            <Hangup/>
            </Response>"#]],
    );
    check(
        vec![Input::Digits {
            prompt: None,
            digits: "1".to_owned(),
        }],
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/acme/ivr?node=root" hints="請求,解約,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="5">
            <Say language="ja-JP" voice="Polly.Mizuki">ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。</Say>
            </Gather>
            <Redirect>https://edge.example.jp/twilio/voice/acme/ivr?node=root&amp;retry=1</Redirect>
            </Response>
            ---
            (the center's: Route { target: Team(TeamId("billing")) })"#]],
    );
}

#[test]
fn a_request_is_read_back_to_the_question_it_is_about() {
    let root = |visit, retry| PromptId {
        node: tsunagu_ivr::NodeId::new("root"),
        visit,
        retry,
    };
    // The gather's action (an answer): its own question.
    assert_eq!(ivr_answered("root", None, None, true), Some(root(0, 0)));
    assert_eq!(
        ivr_answered("root", Some("1"), Some("2"), true),
        Some(root(2, 1))
    );
    // The redirect (no answer) names the retry it leads to: about the question before.
    assert_eq!(
        ivr_answered("root", Some("1"), None, false),
        Some(root(0, 0))
    );
    assert_eq!(ivr_answered("root", None, None, false), None);
    assert_eq!(ivr_answered("root", Some("x"), None, true), None);
    assert_eq!(ivr_answered("root", Some("999"), None, true), None);
}
