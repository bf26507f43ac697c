//! Exact output for the documents the contact centre serves.

use expect_test::{Expect, expect};
use tsunagu_twilio::twiml::{
    Beep, CallProgressEvent, CallbackMethod, Client, Conference, ConferenceRegion, Dial,
    DialRecord, Enqueue, Gather, GatherInput, Language, Pause, Play, RecordingEvent, Response,
    RingTone, Say, SpeechTimeout, Voice,
};

fn check(response: &Response, expect: &Expect) {
    expect.assert_eq(&response.to_xml().expect("valid document"));
}

#[test]
fn inbound_call_rings_an_agent_browser_with_dual_recording() {
    check(
        &Response::new()
            .say(
                Say::new("お電話ありがとうございます。担当者におつなぎします。")
                    .language(Language::JaJp)
                    .voice(Voice::PollyMizuki),
            )
            .dial(
                Dial::new()
                    .action(
                        "https://edge.example.jp/twilio/dial-action?tenant=acme&conversation=c1",
                    )
                    .method(CallbackMethod::Post)
                    .timeout(20)
                    .caller_id("+81312345678")
                    .answer_on_bridge(true)
                    .record(DialRecord::RecordFromAnswerDual)
                    .recording_status_callback("https://edge.example.jp/twilio/recording")
                    .recording_status_callback_event([
                        RecordingEvent::InProgress,
                        RecordingEvent::Completed,
                        RecordingEvent::Absent,
                    ])
                    .ring_tone(RingTone::Jp)
                    .client(
                        Client::new("agent_alice")
                            .status_callback("https://edge.example.jp/twilio/leg-status")
                            .status_callback_event([
                                CallProgressEvent::Ringing,
                                CallProgressEvent::Answered,
                                CallProgressEvent::Completed,
                            ])
                            .parameter("conversation", "c1")
                            .parameter("CallerName", "山田 太郎"),
                    ),
            ),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="ja-JP" voice="Polly.Mizuki">お電話ありがとうございます。担当者におつなぎします。</Say><Dial action="https://edge.example.jp/twilio/dial-action?tenant=acme&amp;conversation=c1" answerOnBridge="true" callerId="+81312345678" method="POST" record="record-from-answer-dual" recordingStatusCallback="https://edge.example.jp/twilio/recording" recordingStatusCallbackEvent="in-progress completed absent" ringTone="jp" timeout="20"><Client statusCallback="https://edge.example.jp/twilio/leg-status" statusCallbackEvent="ringing answered completed"><Identity>agent_alice</Identity><Parameter name="conversation" value="c1"/><Parameter name="CallerName" value="山田 太郎"/></Client></Dial></Response>"#
        ]],
    );
}

#[test]
fn caller_waits_in_a_queue_with_japanese_hold_messages() {
    check(
        &Response::new().enqueue(
            Enqueue::new("acme-support")
                .action("https://edge.example.jp/twilio/enqueue-action")
                .method(CallbackMethod::Post)
                .wait_url("https://edge.example.jp/twilio/wait")
                .wait_url_method(CallbackMethod::Post),
        ),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Enqueue action="https://edge.example.jp/twilio/enqueue-action" method="POST" waitUrl="https://edge.example.jp/twilio/wait" waitUrlMethod="POST">acme-support</Enqueue></Response>"#
        ]],
    );
    check(
        &Response::new()
            .say(
                Say::new("ただいま混み合っております。このままお待ちください。")
                    .language(Language::JaJp)
                    .voice(Voice::GoogleJaJpChirp3HdAoede),
            )
            .play(Play::new("https://cdn.example.jp/hold.mp3"))
            .pause(Pause::new().length(1)),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="ja-JP" voice="Google.ja-JP-Chirp3-HD-Aoede">ただいま混み合っております。このままお待ちください。</Say><Play>https://cdn.example.jp/hold.mp3</Play><Pause length="1"/></Response>"#
        ]],
    );
    check(
        &Response::new().leave(),
        &expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response><Leave/></Response>"#]],
    );
}

#[test]
fn menu_gathers_digits_or_japanese_speech() {
    check(
        &Response::new().gather(
            Gather::new()
                .input(GatherInput::DtmfSpeech)
                .action("https://edge.example.jp/twilio/menu")
                .num_digits(1)
                .language(Language::JaJp)
                .speech_timeout(SpeechTimeout::Seconds(3))
                .hints("営業, サポート")
                .say(
                    Say::new("営業は1、サポートは2。")
                        .language(Language::JaJp)
                        .loop_(2),
                ),
        ),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://edge.example.jp/twilio/menu" hints="営業, サポート" input="dtmf speech" language="ja-JP" numDigits="1" speechTimeout="3"><Say language="ja-JP" loop="2">営業は1、サポートは2。</Say></Gather></Response>"#
        ]],
    );
}

#[test]
fn supervisor_whispers_into_a_tokyo_conference() {
    check(
        &Response::new().dial(
            Dial::new().conference(
                Conference::new("room-CA0123456789abcdef0123456789abcdef")
                    .coach("CA0123456789abcdef0123456789abcdef")
                    .muted(false)
                    .beep(Beep::False)
                    .start_conference_on_enter(false)
                    .end_conference_on_exit(false)
                    .region(ConferenceRegion::Jp1)
                    .participant_label("supervisor <sato>"),
            ),
        ),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference beep="false" coach="CA0123456789abcdef0123456789abcdef" endConferenceOnExit="false" muted="false" participantLabel="supervisor &lt;sato&gt;" region="jp1" startConferenceOnEnter="false">room-CA0123456789abcdef0123456789abcdef</Conference></Dial></Response>"#
        ]],
    );
}

#[test]
fn empty_response_and_escaped_attributes() {
    check(
        &Response::new(),
        &expect![[r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#]],
    );
    check(
        &Response::new().say(
            Say::new("'quotes' \"stay\" & <tags> go")
                .voice(Voice::Other("Polly.\"x\"&<y>'z'".to_owned())),
        ),
        &expect![[
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.&quot;x&quot;&amp;&lt;y&gt;&apos;z&apos;">'quotes' "stay" &amp; &lt;tags&gt; go</Say></Response>"#
        ]],
    );
}
