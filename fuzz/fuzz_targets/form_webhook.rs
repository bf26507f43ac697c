//! Fuzz target: a form webhook end to end (body parsing, every typed view, signature check).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tsunagu_twilio::params::{
    CallParams, CallStatusCallback, DialActionCallback, EnqueueActionCallback, QueueWaitRequest,
    RecordingStatusCallback, VoiceRequest, parse_form, rfc2822_unix_ms,
};
use tsunagu_twilio::signature::{SignatureError, compute, validate_form};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    auth_token: &'a str,
    url: &'a str,
    signature: &'a str,
    /// Pairs appended to the parsed body, so parameter names the parsers know turn up often.
    known: Vec<(Known, &'a str)>,
    body: &'a [u8],
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Known {
    CallSid,
    AccountSid,
    From,
    To,
    CallStatus,
    Direction,
    Confidence,
    SequenceNumber,
    Timestamp,
    DialCallStatus,
    DialBridged,
    RecordingSid,
    RecordingStatus,
    RecordingChannels,
    QueueResult,
    QueuePosition,
    QueueTime,
    AvgQueueTime,
    CurrentQueueSize,
}

impl Known {
    fn name(self) -> &'static str {
        match self {
            Self::CallSid => "CallSid",
            Self::AccountSid => "AccountSid",
            Self::From => "From",
            Self::To => "To",
            Self::CallStatus => "CallStatus",
            Self::Direction => "Direction",
            Self::Confidence => "Confidence",
            Self::SequenceNumber => "SequenceNumber",
            Self::Timestamp => "Timestamp",
            Self::DialCallStatus => "DialCallStatus",
            Self::DialBridged => "DialBridged",
            Self::RecordingSid => "RecordingSid",
            Self::RecordingStatus => "RecordingStatus",
            Self::RecordingChannels => "RecordingChannels",
            Self::QueueResult => "QueueResult",
            Self::QueuePosition => "QueuePosition",
            Self::QueueTime => "QueueTime",
            Self::AvgQueueTime => "AvgQueueTime",
            Self::CurrentQueueSize => "CurrentQueueSize",
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    let Ok(mut pairs) = parse_form(input.body) else {
        return;
    };
    pairs.extend(
        input
            .known
            .iter()
            .map(|(known, value)| (known.name().to_owned(), (*value).to_owned())),
    );

    let _ = CallParams::from_pairs(&pairs);
    let _ = VoiceRequest::from_pairs(&pairs);
    if let Ok(callback) = CallStatusCallback::from_pairs(&pairs) {
        let _ = callback.timestamp_unix_ms();
    }
    let _ = DialActionCallback::from_pairs(&pairs);
    let _ = RecordingStatusCallback::from_pairs(&pairs);
    let _ = QueueWaitRequest::from_pairs(&pairs);
    let _ = EnqueueActionCallback::from_pairs(&pairs);
    let _ = rfc2822_unix_ms(input.signature);

    let _ = validate_form(input.auth_token, input.url, &pairs, input.signature);
    // Whenever the URL is one we validate at all, the signature Twilio would send must pass.
    let url_accepted = !matches!(
        validate_form(input.auth_token, input.url, &pairs, "not-a-signature"),
        Err(SignatureError::InvalidUrl)
    );
    if url_accepted {
        let genuine = compute(input.auth_token, input.url, &pairs);
        assert!(
            validate_form(input.auth_token, input.url, &pairs, &genuine).is_ok(),
            "a correctly computed signature was refused"
        );
    }
});
