//! Properties: no input makes the parsers panic; forms and dates round-trip.

use proptest::prelude::*;
use tsunagu_twilio::params::{
    CallParams, CallStatusCallback, DialActionCallback, EnqueueActionCallback, QueueWaitRequest,
    RecordingStatusCallback, VoiceRequest, parse_form, rfc2822_unix_ms,
};

const KEYS: [&str; 24] = [
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "CallStatus",
    "Direction",
    "ApiVersion",
    "ParentCallSid",
    "Digits",
    "SpeechResult",
    "Confidence",
    "SequenceNumber",
    "Timestamp",
    "CallDuration",
    "DialCallStatus",
    "DialBridged",
    "DialCallDuration",
    "RecordingSid",
    "RecordingStatus",
    "RecordingChannels",
    "QueueResult",
    "QueuePosition",
    "QueueTime",
    "CurrentQueueSize",
];

fn every_parser(pairs: &[(String, String)]) {
    let _ = CallParams::from_pairs(pairs);
    let _ = VoiceRequest::from_pairs(pairs);
    if let Ok(callback) = CallStatusCallback::from_pairs(pairs) {
        let _ = callback.timestamp_unix_ms();
    }
    let _ = DialActionCallback::from_pairs(pairs);
    let _ = RecordingStatusCallback::from_pairs(pairs);
    let _ = QueueWaitRequest::from_pairs(pairs);
    let _ = EnqueueActionCallback::from_pairs(pairs);
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{0,12}",
        Just("true".to_owned()),
        Just("in-progress".to_owned()),
        Just("Tue, 14 Apr 2026 03:04:05 +0000".to_owned()),
    ]
}

/// Howard Hinnant's `civil_from_days`, the inverse of what the parser uses, to write test dates.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(pairs) = parse_form(&body) {
            every_parser(&pairs);
        }
    }

    #[test]
    fn arbitrary_values_of_known_keys_never_panic(
        pairs in prop::collection::vec((prop::sample::select(KEYS.to_vec()), value()), 0..40)
    ) {
        let pairs: Vec<(String, String)> =
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        every_parser(&pairs);
    }

    #[test]
    fn enumerations_never_make_a_call_fail(status in any::<String>(), direction in any::<String>()) {
        let pairs: Vec<(String, String)> = [
            ("CallSid", "CA1"), ("AccountSid", "AC1"), ("From", "+81"),
            ("CallStatus", status.as_str()), ("Direction", direction.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let parsed = CallParams::from_pairs(&pairs);
        if status.is_empty() || direction.is_empty() {
            prop_assert!(parsed.is_err());
        } else {
            let parsed = parsed.expect("any non-empty value is accepted");
            prop_assert_eq!(parsed.call_status.as_str(), status.as_str());
            prop_assert_eq!(parsed.direction.as_str(), direction.as_str());
        }
    }

    #[test]
    fn encoded_forms_round_trip(pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..12)) {
        let body = serde_urlencoded::to_string(&pairs).expect("strings encode");
        prop_assume!(body.len() <= tsunagu_twilio::params::MAX_FORM_BYTES);
        prop_assert_eq!(parse_form(body.as_bytes()), Ok(pairs));
    }

    #[test]
    fn arbitrary_dates_never_panic(raw in any::<String>(), template in "[A-Za-z]{3}, [0-9]{1,3} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}(:[0-9]{2})? ([+-][0-9]{4}|GMT|UTC|Z|XYZ)") {
        let _ = rfc2822_unix_ms(&raw);
        let _ = rfc2822_unix_ms(&template);
    }

    #[test]
    fn formatted_dates_read_back(seconds in 0i64..253_402_300_800, offset in -1439i64..=1439, weekday in any::<bool>()) {
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let local = seconds + offset * 60;
        let (year, month, day) = civil_from_days(local.div_euclid(86_400));
        prop_assume!((1000..=9999).contains(&year));
        let time = local.rem_euclid(86_400);
        let month_name = MONTHS[usize::try_from(month - 1).expect("1..=12")];
        let sign = if offset < 0 { '-' } else { '+' };
        let raw = format!(
            "{}{day:02} {month_name} {year} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            if weekday { "Sun, " } else { "" },
            time / 3600, time / 60 % 60, time % 60,
            offset.abs() / 60, offset.abs() % 60,
        );
        prop_assert_eq!(rfc2822_unix_ms(&raw), Some(seconds * 1000), "{}", raw);
    }
}
