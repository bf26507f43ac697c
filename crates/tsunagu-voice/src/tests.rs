//! The TwiML of each plan, as Twilio will read it.

use expect_test::{Expect, expect};
use proptest::prelude::*;
use tsunagu_center::{CallPlan, FallbackReason};
use tsunagu_core::{AgentId, InteractionId, Millis, TenantId};
use tsunagu_interaction::ExternalNumber;

use super::*;

fn hooks() -> Webhooks {
    Webhooks {
        origin: "https://edge.example.jp".to_owned(),
        tenant: TenantId::new("demo").expect("valid tenant"),
    }
}

fn call() -> InteractionId {
    InteractionId::new("CA00000000000000000000000000000001").expect("valid id")
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "expect! values are built inline"
)]
fn check(plan: CallPlan, expect: Expect) {
    let xml = render(&plan, &hooks()).expect("renders");
    // One element per line, so a diff shows which attribute changed.
    expect.assert_eq(&xml.replace("><", ">\n<"));
}

#[test]
fn ring_dials_the_agent_client_with_answer_on_bridge_dual_recording_and_the_next_step_action() {
    check(
        CallPlan::Ring {
            interaction: call(),
            agent: AgentId::new("sato").expect("valid agent"),
            attempt: 2,
            timeout: Millis(15_000),
            say_first: Vec::new(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Dial action="https://edge.example.jp/twilio/voice/demo/dial-result?attempt=2&amp;conversation=CA00000000000000000000000000000001" answerOnBridge="true" record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/voice/demo/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed absent" ringTone="jp" timeout="15">
            <Client statusCallback="https://edge.example.jp/twilio/voice/demo/agent-status?agent=sato&amp;conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">
            <Identity>demo_sato</Identity>
            <Parameter name="conversation" value="CA00000000000000000000000000000001"/>
            <Parameter name="attempt" value="2"/>
            </Client>
            </Dial>
            </Response>"#]],
    );
}

#[test]
fn after_an_ivr_menu_its_last_sentence_is_said_before_the_ring() {
    check(
        CallPlan::Ring {
            interaction: call(),
            agent: AgentId::new("sato").expect("valid agent"),
            attempt: 1,
            timeout: Millis(15_000),
            say_first: vec!["担当者におつなぎします。".into()],
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">担当者におつなぎします。</Say>
            <Dial action="https://edge.example.jp/twilio/voice/demo/dial-result?attempt=1&amp;conversation=CA00000000000000000000000000000001" answerOnBridge="true" record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/voice/demo/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed absent" ringTone="jp" timeout="15">
            <Client statusCallback="https://edge.example.jp/twilio/voice/demo/agent-status?agent=sato&amp;conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">
            <Identity>demo_sato</Identity>
            <Parameter name="conversation" value="CA00000000000000000000000000000001"/>
            <Parameter name="attempt" value="1"/>
            </Client>
            </Dial>
            </Response>"#]],
    );
}

#[test]
fn enqueue_polls_the_wait_url_and_reports_the_result() {
    check(
        CallPlan::Enqueue {
            interaction: call(),
            position: 3,
            say_first: Vec::new(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Enqueue action="https://edge.example.jp/twilio/voice/demo/queue-result?conversation=CA00000000000000000000000000000001" waitUrl="https://edge.example.jp/twilio/voice/demo/queue-wait?conversation=CA00000000000000000000000000000001">tsunagu</Enqueue>
            </Response>"#]],
    );
}

#[test]
fn hold_announces_the_position_in_japanese_then_english() {
    check(
        CallPlan::Hold {
            interaction: call(),
            position: 2,
            waited: Millis(40_000),
            announce_position: true,
            music: None,
            callback_digit: None,
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">ただいま電話が大変混み合っております。お客様は2番目にお待ちいただいております。このままお待ちください。</Say>
            <Say language="en-US" voice="Polly.Joanna">All of our staff are busy. You are number 2 in line. Please stay on the line.</Say>
            <Play>https://edge.example.jp/media/hold-music.wav</Play>
            </Response>"#]],
    );
}

#[test]
fn a_queue_plays_its_own_music_keeps_the_position_to_itself_and_offers_the_callback_key() {
    check(
        CallPlan::Hold {
            interaction: call(),
            position: 4,
            waited: Millis(40_000),
            announce_position: false,
            music: Some("https://music.example.jp/hold.mp3".into()),
            callback_digit: Some('9'),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Gather action="https://edge.example.jp/twilio/voice/demo/queue-key?conversation=CA00000000000000000000000000000001" input="dtmf" method="POST" numDigits="1" timeout="1">
            <Say language="ja-JP" voice="Polly.Mizuki">ただいま電話が大変混み合っております。このままお待ちください。</Say>
            <Say language="en-US" voice="Polly.Joanna">All of our staff are busy. Please stay on the line.</Say>
            <Say language="ja-JP" voice="Polly.Mizuki">順番が来ましたら折り返しお電話を差し上げることもできます。ご希望の方は9を押してください。</Say>
            <Say language="en-US" voice="Polly.Joanna">To be called back when it is your turn instead, press 9.</Say>
            <Play>https://music.example.jp/hold.mp3</Play>
            </Gather>
            </Response>"#]],
    );
}

#[test]
fn a_booked_callback_confirms_the_number_and_hangs_up() {
    check(
        CallPlan::CallbackBooked {
            interaction: call(),
            number: "+819012345678".into(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">承知いたしました。お客様の順番はそのままお取りしております。順番が来ましたら、担当者から090、1234、5678へお電話いたします。お電話ありがとうございました。</Say>
            <Say language="en-US" voice="Polly.Joanna">Thank you. You keep your place in line; when it is your turn, we will call you back at 090-1234-5678.</Say>
            <Hangup/>
            </Response>"#]],
    );
}

#[test]
fn the_bundled_hold_music_is_a_twelve_second_8_khz_pcm_wav() {
    let wav = crate::hold_music();
    assert_eq!(&wav[0..4], b"RIFF");
    assert_eq!(&wav[8..16], b"WAVEfmt ");
    let rate = u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]);
    let byte_rate = u32::from_le_bytes([wav[28], wav[29], wav[30], wav[31]]);
    let data = u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]);
    assert_eq!((rate, byte_rate), (8_000, 16_000));
    assert_eq!(data / byte_rate, 12);
    assert_eq!(wav.len(), 44 + data as usize);
    // Not silence: the tune reaches half of full scale (and never clips).
    let loudest = wav[44..]
        .chunks_exact(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]).unsigned_abs())
        .max()
        .unwrap_or(0);
    assert!((16_000..=16_400).contains(&loudest), "peak {loudest}");
    // The same bytes every time: Twilio may cache it, and builds stay reproducible.
    assert_eq!(wav, crate::hold_music());
}

#[test]
fn fallback_dials_every_backup_number_and_apologises_if_nobody_answers() {
    check(
        CallPlan::Fallback {
            interaction: call(),
            numbers: vec![
                ExternalNumber::new("+819012340000").expect("valid"),
                ExternalNumber::new("+815011112222").expect("valid"),
            ],
            reason: FallbackReason::NoAnswerWithinLimit,
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">お待たせして申し訳ございません。別の窓口におつなぎします。</Say>
            <Say language="en-US" voice="Polly.Joanna">Sorry to keep you waiting. Connecting you to another line.</Say>
            <Dial record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/voice/demo/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed absent" timeout="30">
            <Number statusCallback="https://edge.example.jp/twilio/voice/demo/number-status?conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">+819012340000</Number>
            <Number statusCallback="https://edge.example.jp/twilio/voice/demo/number-status?conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">+815011112222</Number>
            </Dial>
            <Say language="ja-JP" voice="Polly.Mizuki">申し訳ございません。ただいま電話に出ることができません。後ほどおかけ直しください。</Say>
            <Say language="en-US" voice="Polly.Joanna">We are sorry, nobody can take your call right now. Please call again later.</Say>
            <Hangup/>
            </Response>"#]],
    );
}

#[test]
fn legacy_line_announces_the_new_number_in_national_format_and_routes_again() {
    check(
        CallPlan::AnnounceNewNumber {
            new_number: "+815012345678".to_owned(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">お電話ありがとうございます。この電話番号は変更になりました。新しい番号は050-1234-5678です。このままおつなぎします。</Say>
            <Say language="en-US" voice="Polly.Joanna">Thank you for calling. This number has changed; our new number is 050-1234-5678. Connecting you now.</Say>
            <Redirect>https://edge.example.jp/twilio/voice/demo/incoming?line=main</Redirect>
            </Response>"#]],
    );
}

#[test]
fn the_closed_message_says_why() {
    use tsunagu_center::{ClosedBecause, HolidayName};
    let said = |because| {
        let xml = render(
            &CallPlan::Closed {
                interaction: call(),
                because: Some(because),
            },
            &hooks(),
        )
        .expect("renders");
        xml.split("<Say")
            .skip(1)
            .map(|say| {
                say.split_once('>')
                    .map_or("", |(_, rest)| rest.split('<').next().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    expect!["お電話ありがとうございます。本日は海の日のため、休業しております。恐れ入りますが、営業日におかけ直しください。 | Thank you for calling. We are closed today for Marine Day; please call again on a business day."]
        .assert_eq(&said(ClosedBecause::NationalHoliday { holiday: HolidayName::MarineDay }));
    expect!["お電話ありがとうございます。誠に勝手ながら、年末年始は休業しております。新年の営業開始後におかけ直しください。 | Thank you for calling. We are closed for the New Year holidays; please call again when we reopen."]
        .assert_eq(&said(ClosedBecause::YearEnd));
    expect!["お電話ありがとうございます。誠に勝手ながら、本日は休業しております。 | Thank you for calling. We are closed today."]
        .assert_eq(&said(ClosedBecause::Closure { reason: "夏季休業".to_owned() }));
    expect!["お電話ありがとうございます。ただいま営業時間外です。営業時間内におかけ直しください。 | Thank you for calling. We are closed now; please call again during business hours."]
        .assert_eq(&said(ClosedBecause::OutsideHours));
}

#[test]
fn closed_leave_and_hangup() {
    check(
        CallPlan::Closed {
            interaction: call(),
            because: None,
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">お電話ありがとうございます。ただいま営業時間外です。営業時間内におかけ直しください。</Say>
            <Say language="en-US" voice="Polly.Joanna">Thank you for calling. We are closed now; please call again during business hours.</Say>
            <Hangup/>
            </Response>"#]],
    );
    check(
        CallPlan::LeaveQueue {
            interaction: call(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Leave/>
            </Response>"#]],
    );
    check(
        CallPlan::Hangup {
            interaction: call(),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Hangup/>
            </Response>"#]],
    );
}

#[test]
fn every_hook_name_parses_back() {
    for hook in Hook::ALL {
        assert_eq!(Hook::from_path(hook.name()), Some(hook));
    }
    assert_eq!(Hook::from_path("incoming/extra"), None);
}

proptest! {
    /// Any agent, attempt and timeout renders, and the callback URLs carry them verbatim; the
    /// client rung is the agent's identity within the tenant, never the bare agent id.
    #[test]
    fn ring_always_renders(agent in "[A-Za-z0-9_]{1,57}", attempt: u32, timeout: u64) {
        let agent = AgentId::new(agent).expect("charset is valid");
        let plan = CallPlan::Ring { interaction: call(), agent: agent.clone(), attempt, timeout: Millis(timeout), say_first: Vec::new() };
        let xml = render(&plan, &hooks()).expect("renders");
        let client_element = format!(">{}_{}<", hooks().tenant, agent.as_str());
        let attempt_query = format!("attempt={attempt}&amp;conversation=");
        prop_assert!(xml.contains(&client_element));
        prop_assert!(xml.contains(&attempt_query));
    }

    /// Queue positions of any size are spoken in both languages.
    #[test]
    fn hold_always_renders(position in 1usize..100_000) {
        let plan = CallPlan::Hold {
            interaction: call(),
            position,
            waited: Millis(0),
            announce_position: true,
            music: None,
            callback_digit: None,
        };
        let xml = render(&plan, &hooks()).expect("renders");
        let ja = format!("{position}番目");
        let en = format!("number {position} in line");
        prop_assert!(xml.contains(&ja));
        prop_assert!(xml.contains(&en));
    }
}

#[test]
fn dial_out_rings_the_customer_and_reports_to_the_call_s_dial_action() {
    check(
        CallPlan::DialOut {
            interaction: call(),
            number: ExternalNumber::new("+81312345678").expect("valid number"),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Dial action="https://edge.example.jp/twilio/voice/demo/dial-result?attempt=0&amp;conversation=CA00000000000000000000000000000001" record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/voice/demo/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed absent" ringTone="jp" timeout="45">
            <Number statusCallback="https://edge.example.jp/twilio/voice/demo/number-status?conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">+81312345678</Number>
            </Dial>
            </Response>"#]],
    );
}

#[test]
fn transfer_out_tells_the_caller_in_japanese_first_then_dials_the_number() {
    check(
        CallPlan::TransferOut {
            interaction: call(),
            number: ExternalNumber::new("+81312345678").expect("valid number"),
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">担当の窓口におつなぎします。少々お待ちください。</Say>
            <Say language="en-US" voice="Polly.Joanna">Transferring your call. Please hold.</Say>
            <Dial record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/voice/demo/recording?conversation=CA00000000000000000000000000000001" recordingStatusCallbackEvent="completed absent" timeout="30">
            <Number statusCallback="https://edge.example.jp/twilio/voice/demo/number-status?conversation=CA00000000000000000000000000000001" statusCallbackEvent="initiated ringing answered completed">+81312345678</Number>
            </Dial>
            <Say language="ja-JP" voice="Polly.Mizuki">申し訳ございません。おつなぎできませんでした。後ほどおかけ直しください。</Say>
            <Say language="en-US" voice="Polly.Joanna">We are sorry, the transfer did not go through. Please call again later.</Say>
            <Hangup/>
            </Response>"#]],
    );
}

#[test]
fn the_centers_ivr_plans_render_as_the_question_and_the_menus_end() {
    let prompt = tsunagu_ivr::Prompt {
        id: tsunagu_ivr::PromptId {
            node: tsunagu_ivr::NodeId::new("root"),
            visit: 0,
            retry: 1,
        },
        say_first: vec!["入力が確認できませんでした。".into()],
        question: "請求は1、予約は2。".into(),
        input: tsunagu_ivr::InputMode::DtmfSpeech,
        hints: vec!["請求".into(), "予約".into()],
        timeout_secs: 5,
    };
    let plan = CallPlan::Ask {
        interaction: call(),
        prompt: prompt.clone(),
    };
    assert_eq!(
        render(&plan, &hooks()).expect("renders"),
        render_ivr_prompt(&prompt, &hooks()).expect("renders"),
        "a question is the IVR prompt's TwiML"
    );
    check(
        CallPlan::MenuEnd {
            interaction: call(),
            outcome: tsunagu_ivr::Outcome {
                path: vec!["留守番電話".into()],
                skills: Vec::new(),
                priority: None,
                say_first: Vec::new(),
                end: tsunagu_ivr::End::Hangup {
                    text: Some("お電話ありがとうございました。".into()),
                    reason: tsunagu_ivr::HangupReason::Menu,
                },
            },
        },
        expect![[r#"
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
            <Say language="ja-JP" voice="Polly.Mizuki">お電話ありがとうございました。</Say>
            <Hangup/>
            </Response>"#]],
    );
    assert_eq!(Hook::from_path("ivr"), Some(Hook::Ivr));
}
