//! REST request tests: exact method, path and body of every request the worker makes.

use expect_test::{Expect, expect};
use proptest::prelude::*;
use tsunagu_twilio::rest::{
    Method, NewCall, NewParticipant, NewRecording, ParticipantUpdate, RecordingControl, RestError,
    RestRequest, SupervisorMode, basic_auth,
};
use tsunagu_twilio::twiml::{
    Beep, CallProgressEvent, CallbackMethod, ConferenceRegion, RecordingEvent, RecordingTrack,
    Response, Say,
};

const AC: &str = "AC0123456789abcdef0123456789abcdef";
const CA: &str = "CA11111111111111111111111111111111";
const AGENT_CA: &str = "CA22222222222222222222222222222222";
const CF: &str = "CF0123456789abcdef0123456789abcdef";
const RE: &str = "RE0123456789abcdef0123456789abcdef";

fn check(request: &Result<RestRequest, RestError>, expect: &Expect) {
    let rendered = match request {
        Ok(request) => format!(
            "{} {}\n{}",
            request.method.as_str(),
            request.path,
            request.body()
        ),
        Err(error) => format!("error: {error}"),
    };
    expect.assert_eq(&rendered);
}

#[test]
fn redirect_a_live_or_queued_call() {
    check(
        &RestRequest::update_call_url(
            AC,
            CA,
            "https://edge.example.jp/twilio/connect?agent=alice&conversation=c1",
            CallbackMethod::Post,
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111.json
            Url=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Fconnect%3Fagent%3Dalice%26conversation%3Dc1&Method=POST"#]],
    );
}

#[test]
fn replace_a_call_twiml_inline() {
    let twiml = Response::new()
        .say(Say::new("転送します。"))
        .hangup()
        .to_xml()
        .expect("valid");
    check(
        &RestRequest::update_call_twiml(AC, CA, &twiml),
        &expect![[r#"
        POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111.json
        Twiml=%3C%3Fxml+version%3D%221.0%22+encoding%3D%22UTF-8%22%3F%3E%3CResponse%3E%3CSay%3E%E8%BB%A2%E9%80%81%E3%81%97%E3%81%BE%E3%81%99%E3%80%82%3C%2FSay%3E%3CHangup%2F%3E%3C%2FResponse%3E"#]],
    );
    let long = "あ".repeat(4001);
    assert_eq!(
        RestRequest::update_call_twiml(AC, CA, &long),
        Err(RestError::TwimlTooLong { chars: 4001 })
    );
    assert!(RestRequest::update_call_twiml(AC, CA, &"あ".repeat(4000)).is_ok());
}

#[test]
fn hang_up_cancel_and_end() {
    check(
        &RestRequest::hangup_call(AC, CA),
        &expect![[r#"
        POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111.json
        Status=completed"#]],
    );
    check(
        &RestRequest::cancel_call(AC, CA),
        &expect![[r#"
        POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111.json
        Status=canceled"#]],
    );
    check(
        &RestRequest::end_conference(AC, CF),
        &expect![[r#"
        POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef.json
        Status=completed"#]],
    );
    check(
        &RestRequest::remove_conference_participant(AC, CF, AGENT_CA),
        &expect![[r#"
            DELETE /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA22222222222222222222222222222222.json
        "#]],
    );
    assert_eq!(
        RestRequest::remove_conference_participant(AC, CF, AGENT_CA).map(|r| r.method),
        Ok(Method::Delete)
    );
}

#[test]
fn outbound_call_to_a_customer_with_dual_recording() {
    let call = NewCall::new(
        "+819012345678",
        "+81312345678",
        "https://edge.example.jp/twilio/outbound?conversation=c2",
    )
    .method(CallbackMethod::Post)
    .status_callback("https://edge.example.jp/twilio/leg-status")
    .status_callback_event([
        CallProgressEvent::Initiated,
        CallProgressEvent::Ringing,
        CallProgressEvent::Answered,
        CallProgressEvent::Completed,
    ])
    .timeout(30)
    .record(true)
    .recording_channels(tsunagu_twilio::rest::RecordingChannels::Dual)
    .recording_status_callback("https://edge.example.jp/twilio/recording")
    .recording_status_callback_event([RecordingEvent::Completed, RecordingEvent::Absent]);
    check(
        &RestRequest::create_call(AC, &call),
        &expect![[r#"
        POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json
        To=%2B819012345678&From=%2B81312345678&Url=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Foutbound%3Fconversation%3Dc2&Method=POST&StatusCallback=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Fleg-status&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=completed&Timeout=30&Record=true&RecordingChannels=dual&RecordingStatusCallback=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Frecording&RecordingStatusCallbackEvent=completed&RecordingStatusCallbackEvent=absent"#]],
    );
}

#[test]
fn supervisor_joins_to_listen_whisper_or_barge() {
    let supervisor = |mode| {
        NewParticipant::new("+81312345678", "client:supervisor_sato")
            .label("supervisor")
            .beep(Beep::False)
            .start_conference_on_enter(false)
            .end_conference_on_exit(false)
            .region(ConferenceRegion::Jp1)
            .supervisor(mode)
    };
    check(
        &RestRequest::add_conference_participant(AC, CF, &supervisor(SupervisorMode::Listen)),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants.json
            From=%2B81312345678&To=client%3Asupervisor_sato&Label=supervisor&Muted=true&Beep=false&StartConferenceOnEnter=false&EndConferenceOnExit=false&Region=jp1"#]],
    );
    check(
        &RestRequest::add_conference_participant(
            AC,
            CF,
            &supervisor(SupervisorMode::Whisper {
                agent_call_sid: AGENT_CA.to_owned(),
            }),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants.json
            From=%2B81312345678&To=client%3Asupervisor_sato&Label=supervisor&Muted=false&Coaching=true&CallSidToCoach=CA22222222222222222222222222222222&Beep=false&StartConferenceOnEnter=false&EndConferenceOnExit=false&Region=jp1"#]],
    );
    check(
        &RestRequest::add_conference_participant(AC, CF, &supervisor(SupervisorMode::Barge)),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants.json
            From=%2B81312345678&To=client%3Asupervisor_sato&Label=supervisor&Muted=false&Beep=false&StartConferenceOnEnter=false&EndConferenceOnExit=false&Region=jp1"#]],
    );
    let transfer_target = NewParticipant::new("+81312345678", "client:agent_bob")
        .timeout(20)
        .early_media(true)
        .status_callback("https://edge.example.jp/twilio/leg-status")
        .status_callback_event([CallProgressEvent::Answered, CallProgressEvent::Completed])
        .status_callback_method(CallbackMethod::Post);
    check(
        &RestRequest::add_conference_participant(AC, CF, &transfer_target),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants.json
            From=%2B81312345678&To=client%3Aagent_bob&EarlyMedia=true&Timeout=20&StatusCallback=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Fleg-status&StatusCallbackEvent=answered&StatusCallbackEvent=completed&StatusCallbackMethod=POST"#]],
    );
}

#[test]
fn supervisor_moves_between_modes_and_agent_goes_on_hold() {
    let sato = "CA33333333333333333333333333333333";
    check(
        &RestRequest::update_conference_participant(
            AC,
            CF,
            sato,
            &ParticipantUpdate::supervisor(SupervisorMode::Whisper {
                agent_call_sid: AGENT_CA.to_owned(),
            }),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA33333333333333333333333333333333.json
            Muted=false&Coaching=true&CallSidToCoach=CA22222222222222222222222222222222"#]],
    );
    check(
        &RestRequest::update_conference_participant(
            AC,
            CF,
            sato,
            &ParticipantUpdate::supervisor(SupervisorMode::Barge),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA33333333333333333333333333333333.json
            Muted=false&Coaching=false"#]],
    );
    check(
        &RestRequest::update_conference_participant(
            AC,
            CF,
            sato,
            &ParticipantUpdate::supervisor(SupervisorMode::Listen),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA33333333333333333333333333333333.json
            Muted=true&Coaching=false"#]],
    );
    check(
        &RestRequest::update_conference_participant(
            AC,
            CF,
            CA,
            &ParticipantUpdate::new()
                .hold(true)
                .hold_url("https://edge.example.jp/twilio/hold-music")
                .hold_method(CallbackMethod::Get),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA11111111111111111111111111111111.json
            Hold=true&HoldUrl=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Fhold-music&HoldMethod=GET"#]],
    );
}

#[test]
fn coaching_needs_a_valid_call_to_coach() {
    assert_eq!(
        RestRequest::update_conference_participant(
            AC,
            CF,
            CA,
            &ParticipantUpdate::new().coaching(true)
        ),
        Err(RestError::CoachingWithoutCallSid)
    );
    assert_eq!(
        RestRequest::add_conference_participant(
            AC,
            CF,
            &NewParticipant::new("+81312345678", "client:s").supervisor(SupervisorMode::Whisper {
                agent_call_sid: "CA-not-a-sid".to_owned(),
            }),
        ),
        Err(RestError::InvalidSid {
            parameter: "CallSidToCoach",
            prefix: "CA"
        })
    );
}

#[test]
fn dual_channel_recording_of_a_live_call() {
    check(
        &RestRequest::start_call_recording(
            AC,
            CA,
            &NewRecording::dual()
                .track(RecordingTrack::Both)
                .status_callback("https://edge.example.jp/twilio/recording")
                .status_callback_event([
                    RecordingEvent::InProgress,
                    RecordingEvent::Completed,
                    RecordingEvent::Absent,
                ]),
        ),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111/Recordings.json
            RecordingChannels=dual&RecordingTrack=both&RecordingStatusCallback=https%3A%2F%2Fedge.example.jp%2Ftwilio%2Frecording&RecordingStatusCallbackEvent=in-progress&RecordingStatusCallbackEvent=completed&RecordingStatusCallbackEvent=absent"#]],
    );
    check(
        &RestRequest::update_call_recording(AC, CA, RE, RecordingControl::Paused),
        &expect![[r#"
            POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA11111111111111111111111111111111/Recordings/RE0123456789abcdef0123456789abcdef.json
            Status=paused"#]],
    );
}

#[test]
fn sids_are_checked_before_they_reach_a_path() {
    let bad = [
        ("", "AccountSid"),
        ("AC0123456789abcdef0123456789abcde", "AccountSid"),
        ("AC0123456789abcdef0123456789abcdef0", "AccountSid"),
        ("CA0123456789abcdef0123456789abcdef", "AccountSid"),
        ("AC0123456789abcdef0123456789abcdeg", "AccountSid"),
        ("AC/../../../Accounts/ACxxxxxxxxxxxxxx", "AccountSid"),
    ];
    for (account, parameter) in bad {
        let error = RestRequest::hangup_call(account, CA).expect_err(account);
        assert_eq!(
            error,
            RestError::InvalidSid {
                parameter,
                prefix: "AC"
            }
        );
        if !account.is_empty() {
            assert!(!error.to_string().contains(account), "{error}");
        }
    }
    check(
        &RestRequest::hangup_call(AC, "CA../Conferences"),
        &expect!["error: CallSid is not a Twilio SID (CA and 32 hexadecimal digits)"],
    );
    check(
        &RestRequest::end_conference(AC, CA),
        &expect!["error: ConferenceSid is not a Twilio SID (CF and 32 hexadecimal digits)"],
    );
    check(
        &RestRequest::update_call_recording(AC, CA, CA, RecordingControl::Stopped),
        &expect!["error: RecordingSid is not a Twilio SID (RE and 32 hexadecimal digits)"],
    );
}

#[test]
fn basic_auth_header() {
    check_str(
        &basic_auth("SK0123456789abcdef0123456789abcdef", "secret:with:colons"),
        &expect!["Basic U0swMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzZWNyZXQ6d2l0aDpjb2xvbnM="],
    );
}

fn check_str(actual: &str, expect: &Expect) {
    expect.assert_eq(actual);
}

proptest! {
    #[test]
    fn bodies_decode_back_to_the_form(url in any::<String>(), sid in "CA[0-9a-fA-F]{32}") {
        let request = RestRequest::update_call_url(AC, &sid, &url, CallbackMethod::Get)
            .expect("valid sids");
        let decoded: Vec<(String, String)> =
            serde_urlencoded::from_str(&request.body()).expect("our body decodes");
        prop_assert_eq!(decoded, request.form);
        let suffix = format!("/Calls/{sid}.json");
        prop_assert!(request.path.ends_with(&suffix));
    }

    #[test]
    fn arbitrary_sids_are_refused_unless_well_formed(raw in any::<String>()) {
        let well_formed = raw.len() == 34
            && raw.starts_with("CA")
            && raw[2..].bytes().all(|b| b.is_ascii_hexdigit());
        prop_assert_eq!(RestRequest::hangup_call(AC, &raw).is_ok(), well_formed);
    }
}
