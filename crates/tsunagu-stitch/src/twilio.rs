//! Twilio's callbacks (typed by `tsunagu-twilio`) as stitcher events: status, dial result, recording.
//!
//! `received_at` is the shell's clock when the callback arrived. Twilio's own `Timestamp` names the
//! second the event happened, which retries and reordering cannot move, so it bounds the time; see
//! [`event_time`].

use tsunagu_core::{Millis, Timestamp};
use tsunagu_twilio::params::{CallStatusCallback, DialActionCallback, RecordingStatusCallback};

use crate::{
    CallSid, CallStatus, DialResult, DialStatus, LegDirection, LegStatus, RecordingSid,
    RecordingStatus, RecordingUpdate,
};

/// A callback whose ids are not Twilio-shaped; the event cannot be placed, so it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FromTwilioError {
    #[error("the callback's {0} is not a valid id")]
    InvalidSid(&'static str),
    #[error("a recording callback without CallSid cannot be placed in a conversation")]
    RecordingWithoutCall,
}

fn call_sid(raw: &str, name: &'static str) -> Result<CallSid, FromTwilioError> {
    CallSid::new(raw).map_err(|_| FromTwilioError::InvalidSid(name))
}

fn seconds(secs: Option<u32>) -> Option<Millis> {
    secs.map(|s| Millis::from_secs(u64::from(s)))
}

/// When a callback's event happened: within the whole second Twilio's `Timestamp` names, and not
/// after the callback arrived.
///
/// `Timestamp` has whole seconds, so alone it places an event up to 999 ms early; with
/// `CallDuration` (also whole seconds) that made a call's derived answer time fall up to two
/// seconds before the call reached the worker. A first delivery arrives within that second, so
/// its arrival time is the precise answer; a retry arrives later and is pinned to the second's
/// end. Without a `Timestamp`, arrival is all there is.
fn event_time(twilio_second_ms: Option<u64>, received_at: Timestamp) -> Timestamp {
    match twilio_second_ms {
        Some(second) => Timestamp(received_at.0.min(second.saturating_add(999))),
        None => received_at,
    }
}

/// A `<Client>`/`<Number>`/parent leg's status callback.
pub fn leg_status(
    callback: &CallStatusCallback,
    received_at: Timestamp,
) -> Result<LegStatus, FromTwilioError> {
    let call = &callback.call;
    let at = event_time(
        callback
            .timestamp_unix_ms()
            .and_then(|ms| u64::try_from(ms).ok()),
        received_at,
    );
    Ok(LegStatus {
        call_sid: call_sid(&call.call_sid, "CallSid")?,
        parent_call_sid: call
            .parent_call_sid
            .as_deref()
            .map(|raw| call_sid(raw, "ParentCallSid"))
            .transpose()?,
        direction: LegDirection::from_twilio(call.direction.as_str()),
        from: call.from.clone(),
        to: call.to.clone().unwrap_or_default(),
        status: CallStatus::from_twilio(call.call_status.as_str()),
        sequence_number: callback.sequence_number,
        at,
        call_duration: seconds(callback.call_duration),
    })
}

/// A `<Dial action>` request.
pub fn dial_result(
    callback: &DialActionCallback,
    received_at: Timestamp,
) -> Result<DialResult, FromTwilioError> {
    Ok(DialResult {
        parent_call_sid: call_sid(&callback.call.call_sid, "CallSid")?,
        dial_call_sid: callback
            .dial_call_sid
            .as_deref()
            .map(|raw| call_sid(raw, "DialCallSid"))
            .transpose()?,
        dial_status: DialStatus::from_twilio(callback.dial_call_status.as_str()),
        dial_call_duration: seconds(callback.dial_call_duration),
        at: received_at,
    })
}

/// A recording status callback (of a `<Dial record>` or a REST-started recording).
pub fn recording_update(
    callback: &RecordingStatusCallback,
    received_at: Timestamp,
) -> Result<RecordingUpdate, FromTwilioError> {
    let call = callback
        .call_sid
        .as_deref()
        .ok_or(FromTwilioError::RecordingWithoutCall)?;
    Ok(RecordingUpdate {
        call_sid: call_sid(call, "CallSid")?,
        recording_sid: RecordingSid::new(callback.recording_sid.as_str())
            .map_err(|_| FromTwilioError::InvalidSid("RecordingSid"))?,
        status: RecordingStatus::from_twilio(callback.recording_status.as_str()),
        duration: seconds(callback.recording_duration),
        channels: callback.recording_channels,
        url: callback.recording_url.clone(),
        at: received_at,
    })
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use tsunagu_twilio::params::parse_form;

    use super::*;

    fn pairs(body: &str) -> Vec<(String, String)> {
        parse_form(body.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn client_leg_completed_retried_later_is_placed_in_twilio_second() {
        let callback = CallStatusCallback::from_pairs(&pairs(
            "AccountSid=AC00000000000000000000000000000001&CallSid=CA00000000000000000000000000000002\
             &ParentCallSid=CA00000000000000000000000000000001&CallStatus=completed&Direction=outbound-dial\
             &From=%2B81312345678&To=client%3Asato&SequenceNumber=3&CallDuration=42\
             &Timestamp=Tue%2C%2014%20Nov%202023%2022%3A13%3A20%20%2B0000",
        ));
        // A retry five minutes after the event: the event stays in the second Twilio named.
        let leg = callback.map(|cb| leg_status(&cb, Timestamp(1_700_000_300_000)));
        expect![[r#"
            Ok(
                Ok(
                    LegStatus {
                        call_sid: CallSid(
                            "CA00000000000000000000000000000002",
                        ),
                        parent_call_sid: Some(
                            CallSid(
                                "CA00000000000000000000000000000001",
                            ),
                        ),
                        direction: OutboundDial,
                        from: "+81312345678",
                        to: "client:sato",
                        status: Completed,
                        sequence_number: Some(
                            3,
                        ),
                        at: Timestamp(
                            1700000000999,
                        ),
                        call_duration: Some(
                            Millis(
                                42000,
                            ),
                        ),
                    },
                ),
            )
        "#]]
        .assert_debug_eq(&leg);
    }

    #[test]
    fn event_time_is_arrival_bounded_by_twilio_second() {
        let second = 1_700_000_000_000;
        let placed = [
            // First delivery, 420 ms into the named second: arrival is the precise time.
            event_time(Some(second), Timestamp(second + 420)),
            // A retry long after: the end of the named second.
            event_time(Some(second), Timestamp(second + 90_000)),
            // Our clock behind Twilio's: never after arrival.
            event_time(Some(second), Timestamp(second - 3_000)),
            // No Timestamp (or one that did not parse): arrival.
            event_time(None, Timestamp(second + 7)),
        ];
        expect![[r#"
            [
                Timestamp(
                    1700000000420,
                ),
                Timestamp(
                    1700000000999,
                ),
                Timestamp(
                    1699999997000,
                ),
                Timestamp(
                    1700000000007,
                ),
            ]
        "#]]
        .assert_debug_eq(&placed);
    }

    #[test]
    fn unknown_status_is_kept_and_bad_sids_are_refused() {
        let callback = CallStatusCallback::from_pairs(&pairs(
            "AccountSid=AC1&CallSid=CA%20bad&CallStatus=teleported&Direction=inbound&From=x",
        ));
        let leg = callback.map(|cb| leg_status(&cb, Timestamp(5)));
        expect![[r#"
            Ok(
                Err(
                    InvalidSid(
                        "CallSid",
                    ),
                ),
            )
        "#]]
        .assert_debug_eq(&leg);
    }

    #[test]
    fn dual_channel_recording_update() {
        let callback = RecordingStatusCallback::from_pairs(&pairs(
            "AccountSid=AC00000000000000000000000000000001&CallSid=CA00000000000000000000000000000001\
             &RecordingSid=RE00000000000000000000000000000009&RecordingStatus=completed\
             &RecordingDuration=40&RecordingChannels=2&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2Fr",
        ));
        let update = callback.map(|cb| recording_update(&cb, Timestamp(9)));
        expect![[r#"
            Ok(
                Ok(
                    RecordingUpdate {
                        call_sid: CallSid(
                            "CA00000000000000000000000000000001",
                        ),
                        recording_sid: RecordingSid(
                            "RE00000000000000000000000000000009",
                        ),
                        status: Completed,
                        duration: Some(
                            Millis(
                                40000,
                            ),
                        ),
                        channels: Some(
                            2,
                        ),
                        url: Some(
                            "https://api.twilio.com/r",
                        ),
                        at: Timestamp(
                            9,
                        ),
                    },
                ),
            )
        "#]]
        .assert_debug_eq(&update);
    }
}
