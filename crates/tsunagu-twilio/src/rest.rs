//! The REST requests the worker sends to Twilio, as values: method, path and form body.
//!
//! Nothing here sends anything. The worker prefixes [`RestRequest::path`] with
//! `https://api.twilio.com` (or a regional host), adds [`basic_auth`] and
//! `Content-Type: application/x-www-form-urlencoded`, and posts [`RestRequest::body`]. Every SID
//! that goes into a path is checked first, so no caller-supplied string can change the path.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::twiml::{
    Beep, CallProgressEvent, CallbackMethod, ConferenceRegion, RecordingEvent, RecordingTrack,
    Trim, string_enum,
};

/// Twilio's limit on the `Twiml` parameter of a call.
pub const MAX_TWIML_CHARS: usize = 4000;

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    #[error("{parameter} is not a Twilio SID ({prefix} and 32 hexadecimal digits)")]
    InvalidSid {
        parameter: &'static str,
        prefix: &'static str,
    },
    #[error("inline TwiML has {chars} characters; Twilio accepts at most {MAX_TWIML_CHARS}")]
    TwimlTooLong { chars: usize },
    #[error("coaching needs the Call SID of the participant to coach")]
    CoachingWithoutCallSid,
}

/// The HTTP method of a REST request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// One request to Twilio's 2010-04-01 REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestRequest {
    pub method: Method,
    /// From `/2010-04-01/`, e.g. `/2010-04-01/Accounts/AC…/Calls/CA….json`.
    pub path: String,
    /// In order; list parameters repeat their key, as Twilio's helper libraries send them.
    pub form: Vec<(String, String)>,
}

impl RestRequest {
    /// The form, `application/x-www-form-urlencoded`.
    pub fn body(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.form)
            .finish()
    }

    /// Sends a live or queued call to new TwiML at `url`: a transfer, or taking a caller out of
    /// a queue to an agent. The caller's `<Enqueue>` action then reports `redirected`.
    pub fn update_call_url(
        account_sid: &str,
        call_sid: &str,
        url: &str,
        method: CallbackMethod,
    ) -> Result<Self, RestError> {
        let form = Form::new()
            .text("Url", Some(url))
            .value("Method", Some(method.as_str()));
        Ok(Self::post(
            format!("{}.json", call_path(account_sid, call_sid)?),
            form,
        ))
    }

    /// Replaces a live call's TwiML with `twiml` (at most [`MAX_TWIML_CHARS`] characters). Any
    /// `action` URL in it must be absolute: there is no document URL to resolve against.
    pub fn update_call_twiml(
        account_sid: &str,
        call_sid: &str,
        twiml: &str,
    ) -> Result<Self, RestError> {
        let chars = twiml.chars().count();
        if chars > MAX_TWIML_CHARS {
            return Err(RestError::TwimlTooLong { chars });
        }
        let form = Form::new().text("Twiml", Some(twiml));
        Ok(Self::post(
            format!("{}.json", call_path(account_sid, call_sid)?),
            form,
        ))
    }

    /// Ends a call that is in progress.
    pub fn hangup_call(account_sid: &str, call_sid: &str) -> Result<Self, RestError> {
        let form = Form::new().value("Status", Some("completed"));
        Ok(Self::post(
            format!("{}.json", call_path(account_sid, call_sid)?),
            form,
        ))
    }

    /// Cancels a call that is queued or still ringing (a live one needs [`Self::hangup_call`]).
    pub fn cancel_call(account_sid: &str, call_sid: &str) -> Result<Self, RestError> {
        let form = Form::new().value("Status", Some("canceled"));
        Ok(Self::post(
            format!("{}.json", call_path(account_sid, call_sid)?),
            form,
        ))
    }

    /// Places an outbound call whose TwiML comes from `call.url`.
    pub fn create_call(account_sid: &str, call: &NewCall) -> Result<Self, RestError> {
        let path = format!("{}/Calls.json", account_path(account_sid)?);
        let form = Form::new()
            .text("To", Some(&call.to))
            .text("From", Some(&call.from))
            .text("Url", Some(&call.url))
            .value("Method", call.method.map(CallbackMethod::as_str))
            .text("StatusCallback", call.status_callback.as_deref())
            .list("StatusCallbackEvent", &call.status_callback_event)
            .value(
                "StatusCallbackMethod",
                call.status_callback_method.map(CallbackMethod::as_str),
            )
            .number("Timeout", call.timeout)
            .number("TimeLimit", call.time_limit)
            .flag("Record", call.record)
            .value(
                "RecordingChannels",
                call.recording_channels.map(RecordingChannels::as_str),
            )
            .text(
                "RecordingStatusCallback",
                call.recording_status_callback.as_deref(),
            )
            .list(
                "RecordingStatusCallbackEvent",
                &call.recording_status_callback_event,
            );
        Ok(Self::post(path, form))
    }

    /// Dials someone into a conference: a supervisor who listens, whispers or barges in, or a
    /// transfer target.
    pub fn add_conference_participant(
        account_sid: &str,
        conference_sid: &str,
        participant: &NewParticipant,
    ) -> Result<Self, RestError> {
        let path = format!(
            "{}/Participants.json",
            conference_path(account_sid, conference_sid)?
        );
        let coach = coaching(
            participant.coaching,
            participant.call_sid_to_coach.as_deref(),
        )?;
        let form = Form::new()
            .text("From", Some(&participant.from))
            .text("To", Some(&participant.to))
            .text("Label", participant.label.as_deref())
            .flag("Muted", participant.muted)
            .flag("Coaching", participant.coaching)
            .text("CallSidToCoach", coach)
            .value("Beep", participant.beep.map(|beep| beep.as_str()))
            .flag(
                "StartConferenceOnEnter",
                participant.start_conference_on_enter,
            )
            .flag("EndConferenceOnExit", participant.end_conference_on_exit)
            .flag("EarlyMedia", participant.early_media)
            .number("Timeout", participant.timeout)
            .text("WaitUrl", participant.wait_url.as_deref())
            .value("Region", participant.region.map(|region| region.as_str()))
            .text("StatusCallback", participant.status_callback.as_deref())
            .list("StatusCallbackEvent", &participant.status_callback_event)
            .value(
                "StatusCallbackMethod",
                participant
                    .status_callback_method
                    .map(CallbackMethod::as_str),
            );
        Ok(Self::post(path, form))
    }

    /// Changes a participant: listen → whisper → barge, hold, announce.
    pub fn update_conference_participant(
        account_sid: &str,
        conference_sid: &str,
        call_sid: &str,
        update: &ParticipantUpdate,
    ) -> Result<Self, RestError> {
        let path = participant_path(account_sid, conference_sid, call_sid)?;
        let coach = coaching(update.coaching, update.call_sid_to_coach.as_deref())?;
        let form = Form::new()
            .flag("Muted", update.muted)
            .flag("Coaching", update.coaching)
            .text("CallSidToCoach", coach)
            .flag("Hold", update.hold)
            .text("HoldUrl", update.hold_url.as_deref())
            .value("HoldMethod", update.hold_method.map(CallbackMethod::as_str))
            .text("AnnounceUrl", update.announce_url.as_deref())
            .value(
                "AnnounceMethod",
                update.announce_method.map(CallbackMethod::as_str),
            )
            .text("WaitUrl", update.wait_url.as_deref())
            .value("WaitMethod", update.wait_method.map(CallbackMethod::as_str))
            .flag("BeepOnExit", update.beep_on_exit)
            .flag("EndConferenceOnExit", update.end_conference_on_exit);
        Ok(Self::post(path, form))
    }

    /// Takes a participant out of a conference (hangs up their leg).
    pub fn remove_conference_participant(
        account_sid: &str,
        conference_sid: &str,
        call_sid: &str,
    ) -> Result<Self, RestError> {
        Ok(Self {
            method: Method::Delete,
            path: participant_path(account_sid, conference_sid, call_sid)?,
            form: Vec::new(),
        })
    }

    /// Ends a conference for everyone in it.
    pub fn end_conference(account_sid: &str, conference_sid: &str) -> Result<Self, RestError> {
        let path = format!("{}.json", conference_path(account_sid, conference_sid)?);
        Ok(Self::post(
            path,
            Form::new().value("Status", Some("completed")),
        ))
    }

    /// Starts recording a live call; dual-channel by default (see [`NewRecording`]).
    pub fn start_call_recording(
        account_sid: &str,
        call_sid: &str,
        recording: &NewRecording,
    ) -> Result<Self, RestError> {
        let path = format!("{}/Recordings.json", call_path(account_sid, call_sid)?);
        let form = Form::new()
            .value("RecordingChannels", Some(recording.channels.as_str()))
            .value(
                "RecordingTrack",
                recording.track.map(|track| track.as_str()),
            )
            .value("Trim", recording.trim.map(|trim| trim.as_str()))
            .text(
                "RecordingStatusCallback",
                recording.status_callback.as_deref(),
            )
            .list(
                "RecordingStatusCallbackEvent",
                &recording.status_callback_event,
            )
            .value(
                "RecordingStatusCallbackMethod",
                recording.status_callback_method.map(CallbackMethod::as_str),
            );
        Ok(Self::post(path, form))
    }

    /// Pauses, resumes or stops a call's recording (e.g. while a card number is read out).
    pub fn update_call_recording(
        account_sid: &str,
        call_sid: &str,
        recording_sid: &str,
        status: RecordingControl,
    ) -> Result<Self, RestError> {
        let recording_sid = sid("RecordingSid", "RE", recording_sid)?;
        let path = format!(
            "{}/Recordings/{recording_sid}.json",
            call_path(account_sid, call_sid)?
        );
        Ok(Self::post(
            path,
            Form::new().value("Status", Some(status.as_str())),
        ))
    }

    fn post(path: String, form: Form) -> Self {
        Self {
            method: Method::Post,
            path,
            form: form.0,
        }
    }
}

/// The `Authorization` header value for HTTP Basic auth: an API key SID and secret (or the
/// Account SID and Auth Token).
pub fn basic_auth(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

string_enum! {
    /// `RecordingChannels`: `Dual` puts each party of a two-party call in its own channel.
    closed enum RecordingChannels {
        Mono => "mono",
        Dual => "dual",
    }
}

string_enum! {
    /// The `Status` that pauses, resumes or stops a recording.
    closed enum RecordingControl {
        Paused => "paused",
        InProgress => "in-progress",
        Stopped => "stopped",
    }
}

/// Builder setters for `Option` fields; strings take `impl Into<String>`.
macro_rules! rest_setters {
    ($($field:ident: $ty:tt),* $(,)?) => {
        $(rest_setters!(@one $field $ty);)*
    };
    (@one $field:ident String) => {
        #[doc = concat!("Sets [`Self::", stringify!($field), "`].")]
        #[must_use]
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one $field:ident $ty:ty) => {
        #[doc = concat!("Sets [`Self::", stringify!($field), "`].")]
        #[must_use]
        pub fn $field(mut self, value: $ty) -> Self {
            self.$field = Some(value);
            self
        }
    };
}

/// An outbound call for [`RestRequest::create_call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    /// E.164, `client:<identity>` or a SIP URI.
    pub to: String,
    /// A Twilio number of the account (or a verified caller id).
    pub from: String,
    /// Where Twilio fetches the call's TwiML once answered.
    pub url: String,
    pub method: Option<CallbackMethod>,
    pub status_callback: Option<String>,
    /// Repeated `StatusCallbackEvent` keys; empty: Twilio sends `completed` only.
    pub status_callback_event: Vec<CallProgressEvent>,
    pub status_callback_method: Option<CallbackMethod>,
    /// Seconds to ring.
    pub timeout: Option<u32>,
    /// Seconds before Twilio ends the call.
    pub time_limit: Option<u32>,
    pub record: Option<bool>,
    pub recording_channels: Option<RecordingChannels>,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_event: Vec<RecordingEvent>,
}

impl NewCall {
    #[must_use]
    pub fn new(to: impl Into<String>, from: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            from: from.into(),
            url: url.into(),
            method: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            timeout: None,
            time_limit: None,
            record: None,
            recording_channels: None,
            recording_status_callback: None,
            recording_status_callback_event: Vec::new(),
        }
    }

    rest_setters! {
        method: CallbackMethod,
        status_callback: String,
        status_callback_method: CallbackMethod,
        timeout: u32,
        time_limit: u32,
        record: bool,
        recording_channels: RecordingChannels,
        recording_status_callback: String,
    }

    #[must_use]
    pub fn status_callback_event(
        mut self,
        events: impl IntoIterator<Item = CallProgressEvent>,
    ) -> Self {
        self.status_callback_event = events.into_iter().collect();
        self
    }

    #[must_use]
    pub fn recording_status_callback_event(
        mut self,
        events: impl IntoIterator<Item = RecordingEvent>,
    ) -> Self {
        self.recording_status_callback_event = events.into_iter().collect();
        self
    }
}

/// How a supervisor takes part in an agent's conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupervisorMode {
    /// Hears everyone; nobody hears them.
    Listen,
    /// Only the agent on `agent_call_sid` hears them.
    Whisper { agent_call_sid: String },
    /// Everyone hears them.
    Barge,
}

/// A participant for [`RestRequest::add_conference_participant`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub from: String,
    /// E.164 or `client:<identity>` (a supervisor's browser).
    pub to: String,
    /// Unique in the conference; can stand in for the Call SID later.
    pub label: Option<String>,
    pub muted: Option<bool>,
    /// Whisper: only the participant on `call_sid_to_coach` hears this one.
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
    pub beep: Option<Beep>,
    pub start_conference_on_enter: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub early_media: Option<bool>,
    /// Seconds to ring (5 to 600; Twilio: 60).
    pub timeout: Option<u32>,
    pub wait_url: Option<String>,
    pub region: Option<ConferenceRegion>,
    pub status_callback: Option<String>,
    pub status_callback_event: Vec<CallProgressEvent>,
    pub status_callback_method: Option<CallbackMethod>,
}

impl NewParticipant {
    #[must_use]
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            label: None,
            muted: None,
            coaching: None,
            call_sid_to_coach: None,
            beep: None,
            start_conference_on_enter: None,
            end_conference_on_exit: None,
            early_media: None,
            timeout: None,
            wait_url: None,
            region: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
        }
    }

    rest_setters! {
        label: String,
        muted: bool,
        coaching: bool,
        call_sid_to_coach: String,
        beep: Beep,
        start_conference_on_enter: bool,
        end_conference_on_exit: bool,
        early_media: bool,
        timeout: u32,
        wait_url: String,
        region: ConferenceRegion,
        status_callback: String,
        status_callback_method: CallbackMethod,
    }

    #[must_use]
    pub fn status_callback_event(
        mut self,
        events: impl IntoIterator<Item = CallProgressEvent>,
    ) -> Self {
        self.status_callback_event = events.into_iter().collect();
        self
    }

    /// Joins as a supervisor in `mode`: muted to listen, coaching to whisper, unmuted to barge.
    #[must_use]
    pub fn supervisor(mut self, mode: SupervisorMode) -> Self {
        match mode {
            SupervisorMode::Listen => {
                self.muted = Some(true);
            }
            SupervisorMode::Whisper { agent_call_sid } => {
                self.muted = Some(false);
                self.coaching = Some(true);
                self.call_sid_to_coach = Some(agent_call_sid);
            }
            SupervisorMode::Barge => {
                self.muted = Some(false);
            }
        }
        self
    }
}

/// Changes for [`RestRequest::update_conference_participant`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantUpdate {
    pub muted: Option<bool>,
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
    pub hold: Option<bool>,
    pub hold_url: Option<String>,
    /// Twilio: GET.
    pub hold_method: Option<CallbackMethod>,
    pub announce_url: Option<String>,
    pub announce_method: Option<CallbackMethod>,
    pub wait_url: Option<String>,
    pub wait_method: Option<CallbackMethod>,
    pub beep_on_exit: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
}

impl ParticipantUpdate {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves a supervisor between listening, whispering and barging in, whatever they did before.
    #[must_use]
    pub fn supervisor(mode: SupervisorMode) -> Self {
        match mode {
            SupervisorMode::Listen => Self {
                muted: Some(true),
                coaching: Some(false),
                ..Self::default()
            },
            SupervisorMode::Whisper { agent_call_sid } => Self {
                muted: Some(false),
                coaching: Some(true),
                call_sid_to_coach: Some(agent_call_sid),
                ..Self::default()
            },
            SupervisorMode::Barge => Self {
                muted: Some(false),
                coaching: Some(false),
                ..Self::default()
            },
        }
    }

    rest_setters! {
        muted: bool,
        coaching: bool,
        call_sid_to_coach: String,
        hold: bool,
        hold_url: String,
        hold_method: CallbackMethod,
        announce_url: String,
        announce_method: CallbackMethod,
        wait_url: String,
        wait_method: CallbackMethod,
        beep_on_exit: bool,
        end_conference_on_exit: bool,
    }
}

/// A recording for [`RestRequest::start_call_recording`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecording {
    /// Twilio's default is mono; ours is dual (agent and customer in separate channels).
    pub channels: RecordingChannels,
    pub track: Option<RecordingTrack>,
    /// Twilio: `do-not-trim` for this API.
    pub trim: Option<Trim>,
    pub status_callback: Option<String>,
    pub status_callback_event: Vec<RecordingEvent>,
    pub status_callback_method: Option<CallbackMethod>,
}

impl Default for NewRecording {
    fn default() -> Self {
        Self {
            channels: RecordingChannels::Dual,
            track: None,
            trim: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
        }
    }
}

impl NewRecording {
    /// A dual-channel recording.
    #[must_use]
    pub fn dual() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn channels(mut self, channels: RecordingChannels) -> Self {
        self.channels = channels;
        self
    }

    rest_setters! {
        track: RecordingTrack,
        trim: Trim,
        status_callback: String,
        status_callback_method: CallbackMethod,
    }

    #[must_use]
    pub fn status_callback_event(
        mut self,
        events: impl IntoIterator<Item = RecordingEvent>,
    ) -> Self {
        self.status_callback_event = events.into_iter().collect();
        self
    }
}

/// A form body being built; absent values are skipped.
struct Form(Vec<(String, String)>);

impl Form {
    fn new() -> Self {
        Self(Vec::new())
    }

    fn text(mut self, name: &str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.0.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    fn value(self, name: &str, value: Option<&'static str>) -> Self {
        self.text(name, value)
    }

    fn number(self, name: &str, value: Option<u32>) -> Self {
        self.text(name, value.map(|n| n.to_string()).as_deref())
    }

    fn flag(self, name: &str, value: Option<bool>) -> Self {
        self.value(name, value.map(|flag| if flag { "true" } else { "false" }))
    }

    fn list<T: AsRef<str>>(mut self, name: &str, values: &[T]) -> Self {
        for value in values {
            self.0.push((name.to_owned(), value.as_ref().to_owned()));
        }
        self
    }
}

/// `raw` if it is `prefix` followed by 32 hex digits, Twilio's SID shape.
fn sid<'a>(
    parameter: &'static str,
    prefix: &'static str,
    raw: &'a str,
) -> Result<&'a str, RestError> {
    let valid = raw
        .strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if valid {
        Ok(raw)
    } else {
        Err(RestError::InvalidSid { parameter, prefix })
    }
}

fn coaching(
    coaching: Option<bool>,
    call_sid_to_coach: Option<&str>,
) -> Result<Option<&str>, RestError> {
    let coach = call_sid_to_coach
        .map(|raw| sid("CallSidToCoach", "CA", raw))
        .transpose()?;
    if coaching == Some(true) && coach.is_none() {
        return Err(RestError::CoachingWithoutCallSid);
    }
    Ok(coach)
}

fn account_path(account_sid: &str) -> Result<String, RestError> {
    Ok(format!(
        "/2010-04-01/Accounts/{}",
        sid("AccountSid", "AC", account_sid)?
    ))
}

/// Without `.json`: the call itself and its recordings hang off this.
fn call_path(account_sid: &str, call_sid: &str) -> Result<String, RestError> {
    let call_sid = sid("CallSid", "CA", call_sid)?;
    Ok(format!("{}/Calls/{call_sid}", account_path(account_sid)?))
}

/// Without `.json`: the conference itself and its participants hang off this.
fn conference_path(account_sid: &str, conference_sid: &str) -> Result<String, RestError> {
    let conference_sid = sid("ConferenceSid", "CF", conference_sid)?;
    Ok(format!(
        "{}/Conferences/{conference_sid}",
        account_path(account_sid)?
    ))
}

fn participant_path(
    account_sid: &str,
    conference_sid: &str,
    call_sid: &str,
) -> Result<String, RestError> {
    let call_sid = sid("CallSid", "CA", call_sid)?;
    Ok(format!(
        "{}/Participants/{call_sid}.json",
        conference_path(account_sid, conference_sid)?
    ))
}
