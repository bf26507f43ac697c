//! Twilio's webhook parameters: a form body parsed into typed voice requests and callbacks.
//!
//! [`parse_form`] keeps every pair in order (signature validation needs the duplicates); the
//! `from_pairs` constructors then read the parameters of one kind of webhook. They are lenient
//! where Twilio evolves and strict where a wrong value would mislead:
//! - an enumeration value we do not know becomes `Other(value)`, never an error;
//! - parameters we do not know are ignored (read them with [`first`]);
//! - an empty value counts as absent (Twilio sends e.g. `CallerName=` when it has none);
//! - a repeated parameter is read from its first occurrence;
//! - a missing required parameter is [`ParamsError::Missing`] and a malformed number or flag is
//!   [`ParamsError::Invalid`]; neither echoes the value.

use std::str::FromStr;

use crate::twiml::string_enum;

/// The largest form body [`parse_form`] accepts. Twilio's voice webhooks are a few KiB; custom
/// `<Client>` parameters and speech results stay far below this.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Why a webhook's parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("the form body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the form body is not application/x-www-form-urlencoded")]
    Malformed,
    #[error("the parameter {0} is missing")]
    Missing(&'static str),
    #[error("the parameter {0} is malformed")]
    Invalid(&'static str),
}

/// Decodes an `application/x-www-form-urlencoded` body, keeping order and repeated keys. Invalid
/// UTF-8 in a percent-escape becomes U+FFFD (so such a body can never pass signature validation).
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, ParamsError> {
    if body.len() > MAX_FORM_BYTES {
        return Err(ParamsError::TooLarge {
            limit: MAX_FORM_BYTES,
        });
    }
    serde_urlencoded::from_bytes(body).map_err(|_| ParamsError::Malformed)
}

/// The first value of `name`, empty or not.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Reads named parameters out of the pairs with the rules in the module docs.
struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn optional(&self, name: &'static str) -> Option<String> {
        first(self.0, name)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    }

    fn required(&self, name: &'static str) -> Result<String, ParamsError> {
        self.optional(name).ok_or(ParamsError::Missing(name))
    }

    fn optional_enum<T: for<'s> From<&'s str>>(&self, name: &'static str) -> Option<T> {
        first(self.0, name)
            .filter(|value| !value.is_empty())
            .map(T::from)
    }

    fn required_enum<T: for<'s> From<&'s str>>(
        &self,
        name: &'static str,
    ) -> Result<T, ParamsError> {
        self.optional_enum(name).ok_or(ParamsError::Missing(name))
    }

    /// Decimal digits only: `FromStr` for integers would also take a leading `+`.
    fn optional_number<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, ParamsError> {
        let Some(raw) = first(self.0, name).filter(|value| !value.is_empty()) else {
            return Ok(None);
        };
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParamsError::Invalid(name));
        }
        raw.parse()
            .map(Some)
            .map_err(|_| ParamsError::Invalid(name))
    }

    fn required_number<T: FromStr>(&self, name: &'static str) -> Result<T, ParamsError> {
        self.optional_number(name)?
            .ok_or(ParamsError::Missing(name))
    }

    fn optional_flag(&self, name: &'static str) -> Result<Option<bool>, ParamsError> {
        match first(self.0, name) {
            None | Some("") => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ParamsError::Invalid(name)),
        }
    }
}

string_enum! {
    /// `CallStatus`. `answered` status callbacks report `in-progress`.
    open enum CallStatus {
        Queued => "queued",
        Initiated => "initiated",
        Ringing => "ringing",
        InProgress => "in-progress",
        Completed => "completed",
        Busy => "busy",
        Failed => "failed",
        NoAnswer => "no-answer",
        Canceled => "canceled",
    }
}

impl CallStatus {
    /// Whether the call is over (every status the `completed` event reports).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer | Self::Canceled
        )
    }
}

string_enum! {
    /// `Direction`. A browser calling out through a TwiML App is `inbound` (towards Twilio).
    open enum Direction {
        Inbound => "inbound",
        OutboundApi => "outbound-api",
        OutboundDial => "outbound-dial",
        TrunkingTerminating => "trunking-terminating",
        TrunkingOriginating => "trunking-originating",
    }
}

string_enum! {
    /// `DialCallStatus` of a `<Dial>` action. `answered` is for conferences only.
    open enum DialCallStatus {
        Completed => "completed",
        Answered => "answered",
        Busy => "busy",
        NoAnswer => "no-answer",
        Failed => "failed",
        Canceled => "canceled",
    }
}

string_enum! {
    /// `RecordingStatus`.
    open enum RecordingStatus {
        InProgress => "in-progress",
        Completed => "completed",
        Absent => "absent",
    }
}

string_enum! {
    /// `RecordingSource`: what started the recording.
    open enum RecordingSource {
        DialVerb => "DialVerb",
        OutboundApi => "OutboundAPI",
        StartCallRecordingApi => "StartCallRecordingAPI",
        Conference => "Conference",
        RecordVerb => "RecordVerb",
        Trunking => "Trunking",
        StartConferenceRecordingApi => "StartConferenceRecordingAPI",
    }
}

string_enum! {
    /// `QueueResult` of an `<Enqueue>` action: how the caller left the queue.
    open enum QueueResult {
        Bridged => "bridged",
        BridgingInProcess => "bridging-in-process",
        Error => "error",
        Hangup => "hangup",
        Leave => "leave",
        Redirected => "redirected",
        RedirectedFromBridged => "redirected-from-bridged",
        QueueFull => "queue-full",
        SystemError => "system-error",
    }
}

string_enum! {
    /// `CallbackSource` of a status callback (Twilio documents one value).
    open enum CallbackSource {
        CallProgressEvents => "call-progress-events",
    }
}

/// The parameters Twilio sends with every request about a call (TwiML fetches, status and action
/// callbacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallParams {
    pub call_sid: String,
    pub account_sid: String,
    /// E.164, `client:<identity>` for a browser leg, or a SIP URI.
    pub from: String,
    /// Absent when a browser calls without a `To` parameter.
    pub to: Option<String>,
    pub call_status: CallStatus,
    pub direction: Direction,
    pub api_version: Option<String>,
    /// Absent on the first leg of a call.
    pub parent_call_sid: Option<String>,
    /// Set on calls from the Voice SDK to a TwiML App.
    pub application_sid: Option<String>,
    pub caller_name: Option<String>,
    pub forwarded_from: Option<String>,
    /// Legacy duplicates of `From` and `To`.
    pub caller: Option<String>,
    pub called: Option<String>,
}

impl CallParams {
    fn read(params: &Params<'_>) -> Result<Self, ParamsError> {
        Ok(Self {
            call_sid: params.required("CallSid")?,
            account_sid: params.required("AccountSid")?,
            from: params.required("From")?,
            to: params.optional("To"),
            call_status: params.required_enum("CallStatus")?,
            direction: params.required_enum("Direction")?,
            api_version: params.optional("ApiVersion"),
            parent_call_sid: params.optional("ParentCallSid"),
            application_sid: params.optional("ApplicationSid"),
            caller_name: params.optional("CallerName"),
            forwarded_from: params.optional("ForwardedFrom"),
            caller: params.optional("Caller"),
            called: params.optional("Called"),
        })
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        Self::read(&Params(pairs))
    }
}

/// A request for TwiML (the number's voice URL, a TwiML App, a `<Gather>` or `<Redirect>`
/// target): the call, plus what a `<Gather>` collected.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceRequest {
    pub call: CallParams,
    pub digits: Option<String>,
    pub speech_result: Option<String>,
    /// 0.0 to 1.0; Twilio does not always send it.
    pub confidence: Option<f64>,
}

impl VoiceRequest {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        let confidence = match params.optional("Confidence") {
            None => None,
            Some(raw) => match raw.parse::<f64>() {
                Ok(value) if (0.0..=1.0).contains(&value) => Some(value),
                _ => return Err(ParamsError::Invalid("Confidence")),
            },
        };
        Ok(Self {
            call: CallParams::read(&params)?,
            digits: params.optional("Digits"),
            speech_result: params.optional("SpeechResult"),
            confidence,
        })
    }
}

/// A call status callback (`statusCallback` of a REST call, `<Client>` or `<Number>`). Delivery
/// order is not guaranteed; order by `sequence_number` or `timestamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatusCallback {
    pub call: CallParams,
    /// From 0 per call.
    pub sequence_number: Option<u32>,
    /// RFC 2822, as sent; see [`CallStatusCallback::timestamp_unix_ms`].
    pub timestamp: Option<String>,
    pub callback_source: Option<CallbackSource>,
    /// Seconds; on `completed` only.
    pub call_duration: Option<u32>,
    /// Billed minutes; on `completed` only.
    pub duration: Option<u32>,
    pub sip_response_code: Option<u16>,
    pub recording_url: Option<String>,
    pub recording_sid: Option<String>,
    pub recording_duration: Option<u32>,
}

impl CallStatusCallback {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        Ok(Self {
            call: CallParams::read(&params)?,
            sequence_number: params.optional_number("SequenceNumber")?,
            timestamp: params.optional("Timestamp"),
            callback_source: params.optional_enum("CallbackSource"),
            call_duration: params.optional_number("CallDuration")?,
            duration: params.optional_number("Duration")?,
            sip_response_code: params.optional_number("SipResponseCode")?,
            recording_url: params.optional("RecordingUrl"),
            recording_sid: params.optional("RecordingSid"),
            recording_duration: params.optional_number("RecordingDuration")?,
        })
    }

    /// `Timestamp` in milliseconds since the Unix epoch; `None` if absent or unreadable.
    pub fn timestamp_unix_ms(&self) -> Option<i64> {
        self.timestamp.as_deref().and_then(rfc2822_unix_ms)
    }
}

/// The `<Dial action>` request, when the dialled party hangs up or the dial fails. It is also a
/// TwiML fetch: its answer continues the caller's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialActionCallback {
    pub call: CallParams,
    pub dial_call_status: DialCallStatus,
    /// Not sent for conferences.
    pub dial_call_sid: Option<String>,
    /// Seconds; not sent for conferences or when the child call was redirected.
    pub dial_call_duration: Option<u32>,
    pub dial_bridged: Option<bool>,
    /// When `record` was set; the file may not be ready yet (wait for the recording callback).
    pub recording_url: Option<String>,
    /// With `<Dial><Queue>`.
    pub queue_sid: Option<String>,
    pub queue_time: Option<u32>,
}

impl DialActionCallback {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        Ok(Self {
            call: CallParams::read(&params)?,
            dial_call_status: params.required_enum("DialCallStatus")?,
            dial_call_sid: params.optional("DialCallSid"),
            dial_call_duration: params.optional_number("DialCallDuration")?,
            dial_bridged: params.optional_flag("DialBridged")?,
            recording_url: params.optional("RecordingUrl"),
            queue_sid: params.optional("QueueSid"),
            queue_time: params.optional_number("QueueTime")?,
        })
    }
}

/// A recording status callback (from `<Dial>`, `<Conference>`, `<Record>` or the REST API).
/// Carries no `From`/`To`/`CallStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingStatusCallback {
    pub account_sid: String,
    /// Always the parent leg of a two-leg call; absent for conference recordings.
    pub call_sid: Option<String>,
    pub conference_sid: Option<String>,
    pub recording_sid: String,
    pub recording_url: Option<String>,
    pub recording_status: RecordingStatus,
    /// Seconds; present when completed.
    pub recording_duration: Option<u32>,
    /// 1 or 2 (dual: each party in its own channel).
    pub recording_channels: Option<u8>,
    pub recording_start_time: Option<String>,
    pub recording_source: Option<RecordingSource>,
    pub recording_track: Option<String>,
    pub error_code: Option<u32>,
}

impl RecordingStatusCallback {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        Ok(Self {
            account_sid: params.required("AccountSid")?,
            call_sid: params.optional("CallSid"),
            conference_sid: params.optional("ConferenceSid"),
            recording_sid: params.required("RecordingSid")?,
            recording_url: params.optional("RecordingUrl"),
            recording_status: params.required_enum("RecordingStatus")?,
            recording_duration: params.optional_number("RecordingDuration")?,
            recording_channels: params.optional_number("RecordingChannels")?,
            recording_start_time: params.optional("RecordingStartTime"),
            recording_source: params.optional_enum("RecordingSource"),
            recording_track: params.optional("RecordingTrack"),
            error_code: params.optional_number("ErrorCode")?,
        })
    }
}

/// The request for `<Enqueue waitUrl>` TwiML, repeated while the caller waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueWaitRequest {
    pub call: CallParams,
    pub queue_sid: String,
    /// 1 is the front of the queue.
    pub queue_position: u32,
    /// Seconds this caller has waited.
    pub queue_time: u32,
    /// Seconds, over recent callers.
    pub avg_queue_time: u32,
    pub current_queue_size: u32,
    pub max_queue_size: Option<u32>,
}

impl QueueWaitRequest {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        Ok(Self {
            call: CallParams::read(&params)?,
            queue_sid: params.required("QueueSid")?,
            queue_position: params.required_number("QueuePosition")?,
            queue_time: params.required_number("QueueTime")?,
            avg_queue_time: params.required_number("AvgQueueTime")?,
            current_queue_size: params.required_number("CurrentQueueSize")?,
            max_queue_size: params.optional_number("MaxQueueSize")?,
        })
    }
}

/// The `<Enqueue action>` request, when the caller leaves the queue (at once for REST or
/// `<Leave>`; after the bridged call ends for `<Dial><Queue>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnqueueActionCallback {
    pub call: CallParams,
    pub queue_result: QueueResult,
    pub queue_sid: Option<String>,
    /// Seconds the caller waited.
    pub queue_time: Option<u32>,
}

impl EnqueueActionCallback {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ParamsError> {
        let params = Params(pairs);
        Ok(Self {
            call: CallParams::read(&params)?,
            queue_result: params.required_enum("QueueResult")?,
            queue_sid: params.optional("QueueSid"),
            queue_time: params.optional_number("QueueTime")?,
        })
    }
}

/// An RFC 2822 date (`Tue, 14 Apr 2026 03:04:05 +0000`) in milliseconds since the Unix epoch.
/// Accepts an optional weekday (not checked against the date), optional seconds, and the zones
/// `±hhmm`, `GMT`, `UT`, `UTC` and `Z`. `None` for anything else; never panics.
pub fn rfc2822_unix_ms(raw: &str) -> Option<i64> {
    let mut tokens = raw.split_whitespace().peekable();
    if let Some(weekday) = tokens.peek()
        && let Some(name) = weekday.strip_suffix(',')
    {
        if !(name.len() == 3 && name.bytes().all(|b| b.is_ascii_alphabetic())) {
            return None;
        }
        tokens.next();
    }
    let day: i64 = digits(tokens.next()?, 1, 2)?;
    let month = month_number(tokens.next()?)?;
    let year: i64 = digits(tokens.next()?, 4, 4)?;
    let mut clock = tokens.next()?.split(':');
    let hour: i64 = digits(clock.next()?, 2, 2)?;
    let minute: i64 = digits(clock.next()?, 2, 2)?;
    let second: i64 = match clock.next() {
        Some(second) => digits(second, 2, 2)?,
        None => 0,
    };
    let offset_minutes = zone_offset_minutes(tokens.next()?)?;
    if clock.next().is_some() || tokens.next().is_some() {
        return None;
    }
    // 60 is a leap second; Unix time has none, so it reads as the next second.
    if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    seconds.checked_mul(1_000)
}

fn digits(token: &str, min_len: usize, max_len: usize) -> Option<i64> {
    if token.len() < min_len || token.len() > max_len || !token.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    token.parse().ok()
}

fn month_number(token: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(token))?;
    i64::try_from(index).ok().map(|index| index + 1)
}

fn zone_offset_minutes(token: &str) -> Option<i64> {
    if matches!(token, "GMT" | "UT" | "UTC" | "Z") {
        return Some(0);
    }
    let (sign, rest) = match token.as_bytes().first()? {
        b'+' => (1, token.get(1..)?),
        b'-' => (-1, token.get(1..)?),
        _ => return None,
    };
    let hours = digits(rest.get(..2)?, 2, 2)?;
    let minutes = digits(rest.get(2..)?, 2, 2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
/// Years are at most 4 digits here, so nothing overflows.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
