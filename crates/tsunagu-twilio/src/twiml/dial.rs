//! `<Dial>` and the nouns it connects the caller to: Client, Number, Conference, Queue.

use super::writer::{Attributes, XmlOut};
use super::{
    Beep, CallProgressEvent, CallbackMethod, ConferenceEvent, ConferenceRecord, ConferenceRegion,
    DialRecord, JitterBufferSize, RecordingEvent, RecordingTrack, RingTone, Trim, TwimlError,
    list_setters, setters,
};

/// `<Dial>`: connects the caller to its nouns. Up to 10 `<Number>`/`<Client>` nouns ring at once
/// and the first to answer wins; a `<Conference>` or `<Queue>` should be the only noun. When
/// `action` is set, TwiML after the `<Dial>` is never reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dial {
    pub action: Option<String>,
    pub method: Option<CallbackMethod>,
    /// Seconds to ring (Twilio: 30, 5 to 600).
    pub timeout: Option<u32>,
    /// An E.164 Twilio number, or `client:<id>` when dialling a `<Client>`.
    pub caller_id: Option<String>,
    /// Keep the inbound call ringing (unanswered, unbilled) until the callee answers.
    pub answer_on_bridge: Option<bool>,
    pub record: Option<DialRecord>,
    pub trim: Option<Trim>,
    pub recording_track: Option<RecordingTrack>,
    pub recording_status_callback: Option<String>,
    /// Empty: the attribute is omitted (Twilio sends `completed` only).
    pub recording_status_callback_event: Vec<RecordingEvent>,
    pub recording_status_callback_method: Option<CallbackMethod>,
    pub ring_tone: Option<RingTone>,
    /// Seconds (Twilio: 14400).
    pub time_limit: Option<u32>,
    pub hangup_on_star: Option<bool>,
    pub nouns: Vec<DialNoun>,
}

/// Whom a `<Dial>` connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialNoun {
    Client(Client),
    Number(Number),
    Conference(Conference),
    Queue(Queue),
}

impl Dial {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        action: String,
        method: CallbackMethod,
        timeout: u32,
        caller_id: String,
        answer_on_bridge: bool,
        record: DialRecord,
        trim: Trim,
        recording_track: RecordingTrack,
        recording_status_callback: String,
        recording_status_callback_method: CallbackMethod,
        ring_tone: RingTone,
        time_limit: u32,
        hangup_on_star: bool,
    }

    list_setters! { recording_status_callback_event: RecordingEvent }

    #[must_use]
    pub fn client(mut self, client: Client) -> Self {
        self.nouns.push(DialNoun::Client(client));
        self
    }

    #[must_use]
    pub fn number(mut self, number: Number) -> Self {
        self.nouns.push(DialNoun::Number(number));
        self
    }

    #[must_use]
    pub fn conference(mut self, conference: Conference) -> Self {
        self.nouns.push(DialNoun::Conference(conference));
        self
    }

    #[must_use]
    pub fn queue(mut self, queue: Queue) -> Self {
        self.nouns.push(DialNoun::Queue(queue));
        self
    }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        if self.nouns.is_empty() {
            return Err(TwimlError::EmptyDial);
        }
        let attributes = Attributes::new("Dial")
            .text("action", self.action.as_deref())
            .value("method", self.method.as_ref())
            .number("timeout", self.timeout)
            .text("callerId", self.caller_id.as_deref())
            .flag("answerOnBridge", self.answer_on_bridge)
            .value("record", self.record.as_ref())
            .value("trim", self.trim.as_ref())
            .value("recordingTrack", self.recording_track.as_ref())
            .text(
                "recordingStatusCallback",
                self.recording_status_callback.as_deref(),
            )
            .list(
                "recordingStatusCallbackEvent",
                &self.recording_status_callback_event,
            )
            .value(
                "recordingStatusCallbackMethod",
                self.recording_status_callback_method.as_ref(),
            )
            .value("ringTone", self.ring_tone.as_ref())
            .number("timeLimit", self.time_limit)
            .flag("hangupOnStar", self.hangup_on_star);
        out.open(attributes)?;
        for noun in &self.nouns {
            match noun {
                DialNoun::Client(client) => client.write(out)?,
                DialNoun::Number(number) => number.write(out)?,
                DialNoun::Conference(conference) => conference.write(out)?,
                DialNoun::Queue(queue) => queue.write(out)?,
            }
        }
        out.close("Dial")
    }
}

/// A `<Parameter>` of a `<Client>`; the browser sees them as `call.customParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub value: String,
}

/// `<Client>`: a Voice SDK device (a browser) registered under `identity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub identity: String,
    /// Whisper TwiML played to the callee before the two are bridged.
    pub url: Option<String>,
    pub method: Option<CallbackMethod>,
    pub status_callback: Option<String>,
    /// Empty: the attribute is omitted (Twilio sends `completed` only).
    pub status_callback_event: Vec<CallProgressEvent>,
    pub status_callback_method: Option<CallbackMethod>,
    pub parameters: Vec<Parameter>,
}

impl Client {
    #[must_use]
    pub fn new(identity: impl Into<String>) -> Self {
        Self {
            identity: identity.into(),
            url: None,
            method: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            parameters: Vec::new(),
        }
    }

    setters! {
        url: String,
        method: CallbackMethod,
        status_callback: String,
        status_callback_method: CallbackMethod,
    }

    list_setters! { status_callback_event: CallProgressEvent }

    #[must_use]
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push(Parameter {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Without parameters the identity is the body (`<Client>alice</Client>`); with them it moves
    /// into `<Identity>`, as Twilio requires.
    fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Client")
            .text("url", self.url.as_deref())
            .value("method", self.method.as_ref())
            .text("statusCallback", self.status_callback.as_deref())
            .list("statusCallbackEvent", &self.status_callback_event)
            .value("statusCallbackMethod", self.status_callback_method.as_ref());
        if self.parameters.is_empty() {
            return out.with_text(attributes, &self.identity);
        }
        out.open(attributes)?;
        out.with_text(Attributes::new("Identity"), &self.identity)?;
        for parameter in &self.parameters {
            out.empty(
                Attributes::new("Parameter")
                    .text("name", Some(parameter.name.as_str()))
                    .text("value", Some(parameter.value.as_str())),
            )?;
        }
        out.close("Client")
    }
}

/// `<Number>`: a phone number in E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub number: String,
    /// DTMF to send once answered (`w` waits half a second), e.g. an extension.
    pub send_digits: Option<String>,
    /// Whisper TwiML played to the callee before the two are bridged.
    pub url: Option<String>,
    pub method: Option<CallbackMethod>,
    pub status_callback: Option<String>,
    /// Empty: the attribute is omitted (Twilio sends `completed` only).
    pub status_callback_event: Vec<CallProgressEvent>,
    pub status_callback_method: Option<CallbackMethod>,
}

impl Number {
    #[must_use]
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            send_digits: None,
            url: None,
            method: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
        }
    }

    setters! {
        send_digits: String,
        url: String,
        method: CallbackMethod,
        status_callback: String,
        status_callback_method: CallbackMethod,
    }

    list_setters! { status_callback_event: CallProgressEvent }

    fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Number")
            .text("sendDigits", self.send_digits.as_deref())
            .text("url", self.url.as_deref())
            .value("method", self.method.as_ref())
            .text("statusCallback", self.status_callback.as_deref())
            .list("statusCallbackEvent", &self.status_callback_event)
            .value("statusCallbackMethod", self.status_callback_method.as_ref());
        out.with_text(attributes, &self.number)
    }
}

/// `<Conference>`: a named room, created when the first participant arrives. A supervisor joins
/// with `muted` to listen, with `coach` (the agent's Call SID) to whisper, and is unmuted through
/// the REST API to barge in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conference {
    pub name: String,
    pub muted: Option<bool>,
    pub beep: Option<Beep>,
    /// Twilio: true. Participants who do not start it wait (hearing `wait_url`).
    pub start_conference_on_enter: Option<bool>,
    /// Twilio: false.
    pub end_conference_on_exit: Option<bool>,
    /// Unique in the conference, at most 128 characters.
    pub participant_label: Option<String>,
    pub jitter_buffer_size: Option<JitterBufferSize>,
    /// Hold music TwiML; `Some("")` means silence.
    pub wait_url: Option<String>,
    pub wait_method: Option<CallbackMethod>,
    /// At most 250.
    pub max_participants: Option<u32>,
    pub record: Option<ConferenceRecord>,
    pub region: Option<ConferenceRegion>,
    pub trim: Option<Trim>,
    /// The Call SID of the participant this one coaches (whispers to).
    pub coach: Option<String>,
    pub status_callback: Option<String>,
    /// Empty: the attribute is omitted. The first participant's setting wins.
    pub status_callback_event: Vec<ConferenceEvent>,
    pub status_callback_method: Option<CallbackMethod>,
    pub recording_status_callback: Option<String>,
    /// Empty: the attribute is omitted (Twilio sends `completed` only).
    pub recording_status_callback_event: Vec<RecordingEvent>,
    pub recording_status_callback_method: Option<CallbackMethod>,
    pub event_callback_url: Option<String>,
}

impl Conference {
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            muted: None,
            beep: None,
            start_conference_on_enter: None,
            end_conference_on_exit: None,
            participant_label: None,
            jitter_buffer_size: None,
            wait_url: None,
            wait_method: None,
            max_participants: None,
            record: None,
            region: None,
            trim: None,
            coach: None,
            status_callback: None,
            status_callback_event: Vec::new(),
            status_callback_method: None,
            recording_status_callback: None,
            recording_status_callback_event: Vec::new(),
            recording_status_callback_method: None,
            event_callback_url: None,
        }
    }

    setters! {
        muted: bool,
        beep: Beep,
        start_conference_on_enter: bool,
        end_conference_on_exit: bool,
        participant_label: String,
        jitter_buffer_size: JitterBufferSize,
        wait_url: String,
        wait_method: CallbackMethod,
        max_participants: u32,
        record: ConferenceRecord,
        region: ConferenceRegion,
        trim: Trim,
        coach: String,
        status_callback: String,
        status_callback_method: CallbackMethod,
        recording_status_callback: String,
        recording_status_callback_method: CallbackMethod,
        event_callback_url: String,
    }

    list_setters! {
        status_callback_event: ConferenceEvent,
        recording_status_callback_event: RecordingEvent,
    }

    fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Conference")
            .flag("muted", self.muted)
            .value("beep", self.beep.as_ref())
            .flag("startConferenceOnEnter", self.start_conference_on_enter)
            .flag("endConferenceOnExit", self.end_conference_on_exit)
            .text("participantLabel", self.participant_label.as_deref())
            .value("jitterBufferSize", self.jitter_buffer_size.as_ref())
            .text("waitUrl", self.wait_url.as_deref())
            .value("waitMethod", self.wait_method.as_ref())
            .number("maxParticipants", self.max_participants)
            .value("record", self.record.as_ref())
            .value("region", self.region.as_ref())
            .value("trim", self.trim.as_ref())
            .text("coach", self.coach.as_deref())
            .text("statusCallback", self.status_callback.as_deref())
            .list("statusCallbackEvent", &self.status_callback_event)
            .value("statusCallbackMethod", self.status_callback_method.as_ref())
            .text(
                "recordingStatusCallback",
                self.recording_status_callback.as_deref(),
            )
            .list(
                "recordingStatusCallbackEvent",
                &self.recording_status_callback_event,
            )
            .value(
                "recordingStatusCallbackMethod",
                self.recording_status_callback_method.as_ref(),
            )
            .text("eventCallbackUrl", self.event_callback_url.as_deref());
        out.with_text(attributes, &self.name)
    }
}

/// `<Queue>`: the agent side of a queue; takes the caller at the front of the named queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub name: String,
    /// TwiML played to the dequeued caller before the bridge (Play, Say, Pause, Redirect only).
    pub url: Option<String>,
    pub method: Option<CallbackMethod>,
}

impl Queue {
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            url: None,
            method: None,
        }
    }

    setters! { url: String, method: CallbackMethod }

    fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Queue")
            .text("url", self.url.as_deref())
            .value("method", self.method.as_ref());
        out.with_text(attributes, &self.name)
    }
}
