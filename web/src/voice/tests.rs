//! Tests that Twilio Voice SDK error codes and call warnings become the plain words agents read.

use super::{CallWarning, VoiceProblem};

#[test]
fn sdk_error_codes_map_to_plain_problems() {
    let cases = [
        (Some(20104), false, VoiceProblem::TokenExpired),
        (Some(31205), true, VoiceProblem::TokenExpired),
        (Some(20101), false, VoiceProblem::TokenInvalid),
        (Some(31204), false, VoiceProblem::TokenInvalid),
        (Some(31202), true, VoiceProblem::TokenInvalid),
        (Some(31208), true, VoiceProblem::Microphone),
        (Some(31401), true, VoiceProblem::Microphone),
        (Some(31402), true, VoiceProblem::Microphone),
        (Some(31005), true, VoiceProblem::Network),
        (Some(31009), false, VoiceProblem::Network),
        (Some(53000), false, VoiceProblem::Network),
        (Some(53001), true, VoiceProblem::Network),
        // The SDK's WebSocket error while the line is not up yet, and the same code on a call.
        (Some(31000), false, VoiceProblem::Network),
        (Some(31000), true, VoiceProblem::Other),
        (Some(31486), true, VoiceProblem::Other),
        (None, false, VoiceProblem::Other),
    ];
    for (code, signalling_up, expected) in cases {
        assert_eq!(
            VoiceProblem::from_twilio_code(code, signalling_up),
            expected,
            "{code:?} (signalling up: {signalling_up})"
        );
    }
}

#[test]
fn call_warnings_map_by_name_and_order_by_severity() {
    assert_eq!(
        CallWarning::from_twilio_name("high-rtt"),
        Some(CallWarning::PoorNetwork)
    );
    assert_eq!(
        CallWarning::from_twilio_name("constant-audio-input-level"),
        Some(CallWarning::NoMicrophoneInput)
    );
    assert_eq!(
        CallWarning::from_twilio_name("low-bytes-received"),
        Some(CallWarning::NoCallerAudio)
    );
    assert_eq!(CallWarning::from_twilio_name("something-new"), None);
    let worst = [CallWarning::PoorNetwork, CallWarning::NoMicrophoneInput]
        .into_iter()
        .max();
    assert_eq!(worst, Some(CallWarning::NoMicrophoneInput));
}
