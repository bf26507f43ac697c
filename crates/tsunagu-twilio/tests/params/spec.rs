//! Realistic Twilio webhook bodies (shapes from twilio.md §4) parsed into typed values.

use expect_test::{Expect, expect};
use tsunagu_twilio::params::{
    CallParams, CallStatus, CallStatusCallback, DialActionCallback, DialCallStatus, Direction,
    EnqueueActionCallback, MAX_FORM_BYTES, ParamsError, QueueResult, QueueWaitRequest,
    RecordingStatusCallback, VoiceRequest, first, parse_form, rfc2822_unix_ms,
};

/// The caller's leg without its `CallStatus`, which each test adds.
const CALLER_LEG: &str = "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01\
    &CallSid=CA11111111111111111111111111111111&Called=%2B81501234567\
    &CalledCountry=JP&Caller=%2B819012345678&CallerName=&Direction=inbound\
    &From=%2B819012345678&FromCountry=JP&To=%2B81501234567&ToCountry=JP";

/// An agent's browser leg without its `CallStatus`.
const AGENT_LEG: &str = "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01\
    &CallSid=CA22222222222222222222222222222222&ParentCallSid=CA11111111111111111111111111111111\
    &Direction=outbound-dial&From=%2B819012345678&To=client%3Aagent_alice\
    &Caller=%2B819012345678&Called=client%3Aagent_alice";

fn pairs(body: &str) -> Vec<(String, String)> {
    parse_form(body.as_bytes()).expect("test bodies are well-formed")
}

fn check<T: std::fmt::Debug>(parsed: &T, expect: &Expect) {
    expect.assert_eq(&format!("{parsed:#?}"));
}

#[test]
fn inbound_pstn_call_asks_for_twiml() {
    let body = format!("{CALLER_LEG}&CallStatus=ringing");
    let request = VoiceRequest::from_pairs(&pairs(&body)).expect("valid");
    check(
        &request,
        &expect![[r#"
        VoiceRequest {
            call: CallParams {
                call_sid: "CA11111111111111111111111111111111",
                account_sid: "AC0123456789abcdef0123456789abcdef",
                from: "+819012345678",
                to: Some(
                    "+81501234567",
                ),
                call_status: Ringing,
                direction: Inbound,
                api_version: Some(
                    "2010-04-01",
                ),
                parent_call_sid: None,
                application_sid: None,
                caller_name: None,
                forwarded_from: None,
                caller: Some(
                    "+819012345678",
                ),
                called: Some(
                    "+81501234567",
                ),
            },
            digits: None,
            speech_result: None,
            confidence: None,
        }"#]],
    );
}

#[test]
fn browser_call_through_a_twiml_app_keeps_custom_parameters_readable() {
    let body = "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01\
        &ApplicationSid=AP0123456789abcdef0123456789abcdef&CallSid=CA33333333333333333333333333333333\
        &CallStatus=ringing&Called=&Caller=client%3Aagent_alice&Direction=inbound\
        &From=client%3Aagent_alice&To=%2B819012345678&conversation=c-42";
    let pairs = pairs(body);
    let request = VoiceRequest::from_pairs(&pairs).expect("valid");
    assert_eq!(request.call.from, "client:agent_alice");
    assert_eq!(request.call.called, None, "an empty value counts as absent");
    assert_eq!(
        request.call.application_sid.as_deref(),
        Some("AP0123456789abcdef0123456789abcdef")
    );
    assert_eq!(first(&pairs, "conversation"), Some("c-42"));
    assert_eq!(first(&pairs, "Called"), Some(""));
}

#[test]
fn gather_result_with_japanese_speech() {
    let body = format!(
        "{CALLER_LEG}&CallStatus=in-progress&SpeechResult=%E3%82%B5%E3%83%9D%E3%83%BC%E3%83%88\
         &Confidence=0.92&Digits="
    );
    let request = VoiceRequest::from_pairs(&pairs(&body)).expect("valid");
    assert_eq!(request.call.call_status, CallStatus::InProgress);
    assert_eq!(request.speech_result.as_deref(), Some("サポート"));
    assert_eq!(request.confidence, Some(0.92));
    assert_eq!(request.digits, None);

    let digits = format!("{CALLER_LEG}&CallStatus=in-progress&Digits=2%23");
    let digits = VoiceRequest::from_pairs(&pairs(&digits)).expect("valid");
    assert_eq!(digits.digits.as_deref(), Some("2#"));
}

#[test]
fn a_repeated_parameter_is_read_from_its_first_occurrence() {
    // Twilio never repeats one, but a forged body may; the signature covers every pair anyway.
    let body = format!("{CALLER_LEG}&CallStatus=ringing&CallStatus=completed");
    let request = VoiceRequest::from_pairs(&pairs(&body)).expect("valid");
    assert_eq!(request.call.call_status, CallStatus::Ringing);
}

#[test]
fn completed_agent_leg_status_callback() {
    let body = format!(
        "{AGENT_LEG}&CallStatus=completed&CallDuration=73&Duration=2&SequenceNumber=3\
         &Timestamp=Tue%2C%2014%20Apr%202026%2003%3A04%3A05%20%2B0000\
         &CallbackSource=call-progress-events&SipResponseCode=200"
    );
    let callback = CallStatusCallback::from_pairs(&pairs(&body)).expect("valid");
    check(
        &callback,
        &expect![[r#"
        CallStatusCallback {
            call: CallParams {
                call_sid: "CA22222222222222222222222222222222",
                account_sid: "AC0123456789abcdef0123456789abcdef",
                from: "+819012345678",
                to: Some(
                    "client:agent_alice",
                ),
                call_status: Completed,
                direction: OutboundDial,
                api_version: Some(
                    "2010-04-01",
                ),
                parent_call_sid: Some(
                    "CA11111111111111111111111111111111",
                ),
                application_sid: None,
                caller_name: None,
                forwarded_from: None,
                caller: Some(
                    "+819012345678",
                ),
                called: Some(
                    "client:agent_alice",
                ),
            },
            sequence_number: Some(
                3,
            ),
            timestamp: Some(
                "Tue, 14 Apr 2026 03:04:05 +0000",
            ),
            callback_source: Some(
                CallProgressEvents,
            ),
            call_duration: Some(
                73,
            ),
            duration: Some(
                2,
            ),
            sip_response_code: Some(
                200,
            ),
            recording_url: None,
            recording_sid: None,
            recording_duration: None,
        }"#]],
    );
    assert_eq!(callback.timestamp_unix_ms(), Some(1_776_135_845_000));
    assert!(callback.call.call_status.is_final());
}

#[test]
fn dial_action_after_a_bridged_call() {
    let body = format!(
        "{CALLER_LEG}&CallStatus=in-progress&DialCallStatus=completed\
         &DialCallSid=CA22222222222222222222222222222222&DialCallDuration=73&DialBridged=true\
         &RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC0123456789abcdef0123456789abcdef%2FRecordings%2FRE0123456789abcdef0123456789abcdef"
    );
    let callback = DialActionCallback::from_pairs(&pairs(&body)).expect("valid");
    check(
        &callback,
        &expect![[r#"
        DialActionCallback {
            call: CallParams {
                call_sid: "CA11111111111111111111111111111111",
                account_sid: "AC0123456789abcdef0123456789abcdef",
                from: "+819012345678",
                to: Some(
                    "+81501234567",
                ),
                call_status: InProgress,
                direction: Inbound,
                api_version: Some(
                    "2010-04-01",
                ),
                parent_call_sid: None,
                application_sid: None,
                caller_name: None,
                forwarded_from: None,
                caller: Some(
                    "+819012345678",
                ),
                called: Some(
                    "+81501234567",
                ),
            },
            dial_call_status: Completed,
            dial_call_sid: Some(
                "CA22222222222222222222222222222222",
            ),
            dial_call_duration: Some(
                73,
            ),
            dial_bridged: Some(
                true,
            ),
            recording_url: Some(
                "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE0123456789abcdef0123456789abcdef",
            ),
            queue_sid: None,
            queue_time: None,
        }"#]],
    );
}

#[test]
fn dual_channel_recording_completed() {
    let body = "AccountSid=AC0123456789abcdef0123456789abcdef\
        &CallSid=CA11111111111111111111111111111111&RecordingSid=RE0123456789abcdef0123456789abcdef\
        &RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC0123456789abcdef0123456789abcdef%2FRecordings%2FRE0123456789abcdef0123456789abcdef\
        &RecordingStatus=completed&RecordingDuration=72&RecordingChannels=2\
        &RecordingStartTime=Tue%2C%2014%20Apr%202026%2003%3A02%3A53%20%2B0000\
        &RecordingSource=DialVerb&RecordingTrack=both&ErrorCode=0";
    let callback = RecordingStatusCallback::from_pairs(&pairs(body)).expect("valid");
    check(
        &callback,
        &expect![[r#"
        RecordingStatusCallback {
            account_sid: "AC0123456789abcdef0123456789abcdef",
            call_sid: Some(
                "CA11111111111111111111111111111111",
            ),
            conference_sid: None,
            recording_sid: "RE0123456789abcdef0123456789abcdef",
            recording_url: Some(
                "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE0123456789abcdef0123456789abcdef",
            ),
            recording_status: Completed,
            recording_duration: Some(
                72,
            ),
            recording_channels: Some(
                2,
            ),
            recording_start_time: Some(
                "Tue, 14 Apr 2026 03:02:53 +0000",
            ),
            recording_source: Some(
                DialVerb,
            ),
            recording_track: Some(
                "both",
            ),
            error_code: Some(
                0,
            ),
        }"#]],
    );
}

#[test]
fn queue_wait_and_enqueue_action() {
    let wait = format!(
        "{CALLER_LEG}&CallStatus=in-progress&QueuePosition=2&QueueSid=QU0123456789abcdef0123456789abcdef\
         &QueueTime=35&AvgQueueTime=40&CurrentQueueSize=3&MaxQueueSize=1000"
    );
    let wait = QueueWaitRequest::from_pairs(&pairs(&wait)).expect("valid");
    check(
        &wait,
        &expect![[r#"
        QueueWaitRequest {
            call: CallParams {
                call_sid: "CA11111111111111111111111111111111",
                account_sid: "AC0123456789abcdef0123456789abcdef",
                from: "+819012345678",
                to: Some(
                    "+81501234567",
                ),
                call_status: InProgress,
                direction: Inbound,
                api_version: Some(
                    "2010-04-01",
                ),
                parent_call_sid: None,
                application_sid: None,
                caller_name: None,
                forwarded_from: None,
                caller: Some(
                    "+819012345678",
                ),
                called: Some(
                    "+81501234567",
                ),
            },
            queue_sid: "QU0123456789abcdef0123456789abcdef",
            queue_position: 2,
            queue_time: 35,
            avg_queue_time: 40,
            current_queue_size: 3,
            max_queue_size: Some(
                1000,
            ),
        }"#]],
    );

    let action = format!(
        "{CALLER_LEG}&CallStatus=in-progress&QueueResult=bridged&QueueSid=QU0123456789abcdef0123456789abcdef&QueueTime=35"
    );
    let action = EnqueueActionCallback::from_pairs(&pairs(&action)).expect("valid");
    assert_eq!(action.queue_result, QueueResult::Bridged);
    assert_eq!(action.queue_time, Some(35));
}

#[test]
fn unknown_enumeration_values_are_kept_not_refused() {
    let body = format!(
        "{}&CallStatus=on-hold-music&DialCallStatus=vanished\
         &QueueResult=dequeued-by-ai&CallbackSource=future-source&RecordingSid=RE1\
         &RecordingStatus=paused&RecordingSource=SomethingNew",
        AGENT_LEG.replace("Direction=outbound-dial", "Direction=outbound-teleport")
    );
    let pairs = pairs(&body);
    let call = CallParams::from_pairs(&pairs).expect("unknown values are fine");
    assert_eq!(
        call.call_status,
        CallStatus::Other("on-hold-music".to_owned())
    );
    assert_eq!(
        call.direction,
        Direction::Other("outbound-teleport".to_owned())
    );
    assert!(!call.call_status.is_final());
    let dial = DialActionCallback::from_pairs(&pairs).expect("unknown values are fine");
    assert_eq!(
        dial.dial_call_status,
        DialCallStatus::Other("vanished".to_owned())
    );
    let status = CallStatusCallback::from_pairs(&pairs).expect("unknown values are fine");
    assert_eq!(
        status.callback_source.map(|s| s.to_string()).as_deref(),
        Some("future-source")
    );
    let recording = RecordingStatusCallback::from_pairs(&pairs).expect("unknown values are fine");
    check(
        &(recording.recording_status, recording.recording_source),
        &expect![[r#"
        (
            Other(
                "paused",
            ),
            Some(
                Other(
                    "SomethingNew",
                ),
            ),
        )"#]],
    );
    let action = EnqueueActionCallback::from_pairs(&pairs).expect("unknown values are fine");
    assert_eq!(action.queue_result.as_str(), "dequeued-by-ai");
    // Parsing is canonical: a known value never lands in `Other`.
    assert_eq!(CallStatus::from("no-answer"), CallStatus::NoAnswer);
}

#[test]
fn missing_required_parameters_are_named() {
    let without = |name: &str| -> Vec<(String, String)> {
        pairs(&format!("{CALLER_LEG}&CallStatus=ringing"))
            .into_iter()
            .filter(|(key, _)| key != name)
            .collect()
    };
    for name in ["CallSid", "AccountSid", "From", "CallStatus", "Direction"] {
        assert_eq!(
            VoiceRequest::from_pairs(&without(name)),
            Err(ParamsError::Missing(name)),
        );
    }
    assert!(
        VoiceRequest::from_pairs(&without("To")).is_ok(),
        "To is optional"
    );
    assert_eq!(
        DialActionCallback::from_pairs(&pairs(&format!("{CALLER_LEG}&CallStatus=in-progress"))),
        Err(ParamsError::Missing("DialCallStatus"))
    );
    assert_eq!(
        QueueWaitRequest::from_pairs(&pairs(&format!(
            "{CALLER_LEG}&CallStatus=ringing&QueueSid=QU1&QueuePosition=1"
        ))),
        Err(ParamsError::Missing("QueueTime"))
    );
    assert_eq!(
        RecordingStatusCallback::from_pairs(&pairs("AccountSid=AC1&RecordingStatus=completed")),
        Err(ParamsError::Missing("RecordingSid"))
    );
    // Empty counts as absent.
    assert_eq!(
        VoiceRequest::from_pairs(&pairs(
            &format!("{CALLER_LEG}&CallStatus=ringing")
                .replace("CallSid=CA11111111111111111111111111111111", "CallSid=")
        )),
        Err(ParamsError::Missing("CallSid"))
    );
}

#[test]
fn malformed_numbers_and_flags_are_refused_without_echoing_them() {
    let cases = [
        ("CallDuration=7.5", ParamsError::Invalid("CallDuration")),
        ("CallDuration=%2B5", ParamsError::Invalid("CallDuration")),
        ("CallDuration=-1", ParamsError::Invalid("CallDuration")),
        (
            "SequenceNumber=99999999999",
            ParamsError::Invalid("SequenceNumber"),
        ),
        (
            "SipResponseCode=70000",
            ParamsError::Invalid("SipResponseCode"),
        ),
    ];
    for (extra, expected) in cases {
        let body = format!("{AGENT_LEG}&CallStatus=completed&{extra}");
        let error = CallStatusCallback::from_pairs(&pairs(&body)).expect_err(extra);
        assert_eq!(error, expected);
        let value = extra.split('=').nth(1).expect("value");
        assert!(!error.to_string().contains(value), "{error}");
    }
    let bridged = format!(
        "{CALLER_LEG}&CallStatus=in-progress&DialCallStatus=completed&DialBridged=secret-yes"
    );
    let error = DialActionCallback::from_pairs(&pairs(&bridged)).expect_err("bad flag");
    assert_eq!(error, ParamsError::Invalid("DialBridged"));
    assert_eq!(error.to_string(), "the parameter DialBridged is malformed");
    for confidence in ["NaN", "1.5", "-0.1", "high"] {
        let body = format!("{CALLER_LEG}&CallStatus=in-progress&Confidence={confidence}");
        assert_eq!(
            VoiceRequest::from_pairs(&pairs(&body)),
            Err(ParamsError::Invalid("Confidence")),
            "{confidence}"
        );
    }
}

#[test]
fn form_bodies_keep_order_and_duplicates_and_have_a_size_limit() {
    let body = "Tag=zeta&Body=%E5%B1%B1%E7%94%B0+%26+%3C%3E%2B%3D%25&Tag=alpha&Called=&Tag=Mid";
    check(
        &parse_form(body.as_bytes()),
        &expect![[r#"
        Ok(
            [
                (
                    "Tag",
                    "zeta",
                ),
                (
                    "Body",
                    "山田 & <>+=%",
                ),
                (
                    "Tag",
                    "alpha",
                ),
                (
                    "Called",
                    "",
                ),
                (
                    "Tag",
                    "Mid",
                ),
            ],
        )"#]],
    );

    let at_limit = format!("A={}", "x".repeat(MAX_FORM_BYTES - 2));
    assert_eq!(parse_form(at_limit.as_bytes()).map(|p| p.len()), Ok(1));
    let over = format!("{at_limit}x");
    assert_eq!(
        parse_form(over.as_bytes()),
        Err(ParamsError::TooLarge {
            limit: MAX_FORM_BYTES
        })
    );
    // Invalid UTF-8 cannot sneak through as raw bytes.
    let lossy = parse_form(b"A=%FF%FE&B=\xff").expect("decoded lossily");
    assert_eq!(lossy[0].1, "\u{fffd}\u{fffd}");
    assert_eq!(lossy[1].1, "\u{fffd}");
}

#[test]
fn rfc2822_timestamps() {
    let cases = [
        ("Tue, 14 Apr 2026 03:04:05 +0000", Some(1_776_135_845_000)),
        ("14 Apr 2026 12:04:05 +0900", Some(1_776_135_845_000)),
        ("Tue, 14 Apr 2026 03:04 GMT", Some(1_776_135_840_000)),
        ("Thu, 01 Jan 1970 00:00:00 UT", Some(0)),
        ("Wed, 31 Dec 1969 23:59:59 +0000", Some(-1_000)),
        ("Thu, 29 Feb 2024 00:00:00 -0130", Some(1_709_170_200_000)),
        ("Thu, 29 Feb 2023 00:00:00 +0000", None),
        ("Tue, 14 Apr 2026 24:00:00 +0000", None),
        ("Tue, 14 Apr 2026 03:04:05", None),
        ("Tue, 14 Apr 2026 03:04:05 +0000 extra", None),
        ("Tue, 14 Foo 2026 03:04:05 +0000", None),
        ("2026-04-14T03:04:05Z", None),
        ("Tue, 14 Apr 2026 03:04:05 +9999", None),
        ("", None),
    ];
    for (raw, expected) in cases {
        assert_eq!(rfc2822_unix_ms(raw), expected, "{raw}");
    }
}
