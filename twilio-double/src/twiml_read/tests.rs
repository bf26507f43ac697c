//! Tests of the TwiML reader: the official libraries' documents and the worker's own writer.

use expect_test::{Expect, expect};
use tsunagu_twilio::twiml::{
    CallProgressEvent, Client, Dial, DialRecord, Enqueue, Language, Pause, RecordingEvent,
    Response, Say, Voice,
};

use super::{Verb, parse};

fn vectors() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/twilio-vectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

fn check(xml: &str, expected: &Expect) {
    let verbs = parse(xml);
    expected.assert_eq(&format!("{verbs:#?}"));
}

#[test]
fn reads_every_official_twiml_vector() {
    let vectors = vectors();
    let documents = vectors["twiml"]["python"]
        .as_object()
        .into_iter()
        .chain(vectors["twiml"]["node"].as_object())
        .flat_map(|docs| docs.iter());
    let mut names = Vec::new();
    for (name, xml) in documents {
        let verbs = parse(xml.as_str().unwrap_or_default());
        let verbs = verbs.unwrap_or_else(|e| panic!("{name}: {e}"));
        names.push(format!(
            "{name}: {}",
            verbs.iter().map(Verb::name).collect::<Vec<_>>().join(" ")
        ));
    }
    names.sort();
    names.dedup();
    expect![[r#"
        conference_coach_whisper: Dial
        conference_customer_leg_jp1: Dial
        conference_listen_muted: Dial
        dial_client_params_dual_record: Dial
        dial_number_status_events: Dial
        dial_queue_dequeue: Dial
        enqueue_waiturl: Enqueue
        escaping_and_misc: Say Play Pause Reject
        gather_nested_say_ja_jp: Gather Say Redirect
        hangup: Hangup
        record_voicemail: Record"#]]
    .assert_eq(&names.join("\n"));
}

#[test]
fn reads_dial_client_with_parameters_and_dual_recording() {
    let vectors = vectors();
    let xml = vectors["twiml"]["python"]["dial_client_params_dual_record"]
        .as_str()
        .unwrap_or_default();
    check(
        xml,
        &expect![[r#"
            Ok(
                [
                    Dial(
                        Dial {
                            action: Some(
                                "https://voice.example.jp/twilio/dial-action",
                            ),
                            method: "POST",
                            timeout: 20,
                            time_limit: 14400,
                            answer_on_bridge: true,
                            caller_id: Some(
                                "+81312345678",
                            ),
                            record: "record-from-answer-dual",
                            recording_status_callback: Some(
                                "https://voice.example.jp/twilio/recording?tenant=acme&leg=agent",
                            ),
                            recording_status_callback_method: "POST",
                            recording_status_callback_events: [
                                "in-progress",
                                "completed",
                                "absent",
                            ],
                            ring_tone: Some(
                                "jp",
                            ),
                            nouns: [
                                Client {
                                    identity: "agent_alice",
                                    parameters: [
                                        (
                                            "CallerName",
                                            "山田 太郎",
                                        ),
                                        (
                                            "Queue",
                                            "support",
                                        ),
                                    ],
                                    url: None,
                                    callbacks: LegCallbacks {
                                        status_callback: None,
                                        status_callback_method: "POST",
                                        status_callback_events: [],
                                    },
                                },
                            ],
                        },
                    ),
                ],
            )"#]],
    );
}

#[test]
fn unescapes_text_and_attributes() {
    let vectors = vectors();
    let xml = vectors["twiml"]["python"]["escaping_and_misc"]
        .as_str()
        .unwrap_or_default();
    check(
        xml,
        &expect![[r#"
            Ok(
                [
                    Say {
                        text: "Tom & Jerry say \"hi\" <b> it's 5 > 3",
                        voice: None,
                        language: Some(
                            "en-US",
                        ),
                        loop_count: 1,
                    },
                    Play {
                        url: "https://cdn.example.com/a.mp3?x=1&y=2",
                        loop_count: 2,
                        digits: None,
                    },
                    Pause {
                        length: 2,
                    },
                    Reject {
                        reason: "busy",
                    },
                ],
            )"#]],
    );
}

#[test]
fn reads_what_the_worker_writes() {
    let xml = Response::new()
        .say(
            Say::new("お待ちください。")
                .language(Language::JaJp)
                .voice(Voice::PollyMizuki),
        )
        .pause(Pause::new().length(15))
        .enqueue(
            Enqueue::new("tsunagu")
                .action("https://w/twilio/voice/demo/queue-result?conversation=CA1")
                .wait_url("https://w/twilio/voice/demo/queue-wait?conversation=CA1"),
        )
        .dial(
            Dial::new()
                .answer_on_bridge(true)
                .timeout(15)
                .record(DialRecord::RecordFromAnswerDual)
                .recording_status_callback_event([RecordingEvent::Completed])
                .client(
                    Client::new("sato")
                        .status_callback("https://w/agent-status?agent=sato&conversation=CA1")
                        .status_callback_event([
                            CallProgressEvent::Initiated,
                            CallProgressEvent::Answered,
                        ])
                        .parameter("attempt", "1"),
                ),
        )
        .to_xml()
        .unwrap_or_default();
    let verbs = parse(&xml).unwrap_or_default();
    let summary: Vec<String> = verbs
        .iter()
        .map(|verb| match verb {
            Verb::Say {
                text,
                language,
                voice,
                ..
            } => format!("Say {text} {language:?} {voice:?}"),
            Verb::Pause { length } => format!("Pause {length}"),
            Verb::Enqueue(e) => format!(
                "Enqueue {} wait={:?} action={:?}",
                e.queue, e.wait_url, e.action
            ),
            Verb::Dial(d) => format!(
                "Dial records={} channels={} {:?}",
                d.records(),
                d.recording_channels(),
                d.nouns
            ),
            other => other.name().to_owned(),
        })
        .collect();
    expect![[r#"
        Say お待ちください。 Some("ja-JP") Some("Polly.Mizuki")
        Pause 15
        Enqueue tsunagu wait=Some("https://w/twilio/voice/demo/queue-wait?conversation=CA1") action=Some("https://w/twilio/voice/demo/queue-result?conversation=CA1")
        Dial records=true channels=2 [Client { identity: "sato", parameters: [("attempt", "1")], url: None, callbacks: LegCallbacks { status_callback: Some("https://w/agent-status?agent=sato&conversation=CA1"), status_callback_method: "POST", status_callback_events: ["initiated", "answered"] } }]"#]]
    .assert_eq(&summary.join("\n"));
}

#[test]
fn empty_body_is_an_empty_document() {
    check("", &expect!["Ok(\n    [],\n)"]);
    check(
        r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#,
        &expect!["Ok(\n    [],\n)"],
    );
}

#[test]
fn refuses_what_is_not_twiml() {
    check(
        "<Response><Say>unclosed</Response>",
        &expect!["Err(\n    Malformed,\n)"],
    );
    check("<html></html>", &expect!["Err(\n    NotResponse,\n)"]);
    check(
        "<Response></Response><Response/>",
        &expect!["Err(\n    Malformed,\n)"],
    );
    check(
        "<Response><Say>&bogus;</Say></Response>",
        &expect!["Err(\n    Malformed,\n)"],
    );
    check(
        "<Response><Start><Stream url=\"wss://x\"/></Start><Dial>+819012340000</Dial></Response>",
        &expect![[r#"
            Ok(
                [
                    Unsupported {
                        name: "Start",
                    },
                    Dial(
                        Dial {
                            action: None,
                            method: "POST",
                            timeout: 30,
                            time_limit: 14400,
                            answer_on_bridge: false,
                            caller_id: None,
                            record: "do-not-record",
                            recording_status_callback: None,
                            recording_status_callback_method: "POST",
                            recording_status_callback_events: [],
                            ring_tone: None,
                            nouns: [
                                Number {
                                    number: "+819012340000",
                                    send_digits: None,
                                    url: None,
                                    callbacks: LegCallbacks {
                                        status_callback: None,
                                        status_callback_method: "POST",
                                        status_callback_events: [],
                                    },
                                },
                            ],
                        },
                    ),
                ],
            )"#]],
    );
}
