//! The TwiML verbs other than `<Dial>`: Say, Play, Pause, Gather, Enqueue, Leave, Redirect, Hangup, Reject, Record.

use super::writer::{Attributes, XmlOut};
use super::{
    CallbackMethod, GatherInput, Language, RecordingEvent, RejectReason, SpeechTimeout, Trim,
    TwimlError, Voice, list_setters, setters,
};

/// `<Say>`: text-to-speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    pub text: String,
    pub voice: Option<Voice>,
    pub language: Option<Language>,
    /// How many times to say it; 0 repeats until the call moves on.
    pub loop_: Option<u32>,
}

impl Say {
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            voice: None,
            language: None,
            loop_: None,
        }
    }

    setters! { voice: Voice, language: Language, loop_: u32 }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Say")
            .value("voice", self.voice.as_ref())
            .value("language", self.language.as_ref())
            .number("loop", self.loop_);
        out.with_text(attributes, &self.text)
    }
}

/// `<Play>`: an audio file, or DTMF tones (`digits`, where `w` waits half a second).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    /// The media URL; `None` for a digits-only `<Play>`.
    pub url: Option<String>,
    pub loop_: Option<u32>,
    pub digits: Option<String>,
}

impl Play {
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            loop_: None,
            digits: None,
        }
    }

    /// A `<Play>` that only sends DTMF tones.
    #[must_use]
    pub fn tones(digits: impl Into<String>) -> Self {
        Self {
            url: None,
            loop_: None,
            digits: Some(digits.into()),
        }
    }

    setters! { loop_: u32, digits: String }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Play")
            .number("loop", self.loop_)
            .text("digits", self.digits.as_deref());
        match &self.url {
            Some(url) => out.with_text(attributes, url),
            None => out.empty(attributes),
        }
    }
}

/// `<Pause>`: silence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pause {
    /// Seconds; Twilio's default is 1.
    pub length: Option<u32>,
}

impl Pause {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    setters! { length: u32 }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        out.empty(Attributes::new("Pause").number("length", self.length))
    }
}

/// What `<Gather>` may contain: the prompt played while it listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatherChild {
    Say(Say),
    Play(Play),
    Pause(Pause),
}

/// `<Gather>`: collects DTMF digits or speech, then requests `action` with `Digits` or
/// `SpeechResult`. With no input Twilio falls through to the next verb unless
/// `action_on_empty_result` is set; without `action` it re-requests the current document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gather {
    pub input: Option<GatherInput>,
    pub action: Option<String>,
    pub method: Option<CallbackMethod>,
    /// Seconds of silence before giving up (Twilio: 5).
    pub timeout: Option<u32>,
    pub num_digits: Option<u32>,
    /// `0-9`, `#`, `*` or empty (Twilio: `#`).
    pub finish_on_key: Option<String>,
    pub language: Option<Language>,
    pub speech_timeout: Option<SpeechTimeout>,
    pub action_on_empty_result: Option<bool>,
    /// Comma-separated words or phrases that help speech recognition.
    pub hints: Option<String>,
    pub children: Vec<GatherChild>,
}

impl Gather {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        input: GatherInput,
        action: String,
        method: CallbackMethod,
        timeout: u32,
        num_digits: u32,
        finish_on_key: String,
        language: Language,
        speech_timeout: SpeechTimeout,
        action_on_empty_result: bool,
        hints: String,
    }

    #[must_use]
    pub fn say(mut self, say: Say) -> Self {
        self.children.push(GatherChild::Say(say));
        self
    }

    #[must_use]
    pub fn play(mut self, play: Play) -> Self {
        self.children.push(GatherChild::Play(play));
        self
    }

    #[must_use]
    pub fn pause(mut self, pause: Pause) -> Self {
        self.children.push(GatherChild::Pause(pause));
        self
    }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Gather")
            .value("input", self.input.as_ref())
            .text("action", self.action.as_deref())
            .value("method", self.method.as_ref())
            .number("timeout", self.timeout)
            .number("numDigits", self.num_digits)
            .text("finishOnKey", self.finish_on_key.as_deref())
            .value("language", self.language.as_ref())
            .owned(
                "speechTimeout",
                self.speech_timeout.map(SpeechTimeout::to_attribute),
            )
            .flag("actionOnEmptyResult", self.action_on_empty_result)
            .text("hints", self.hints.as_deref());
        if self.children.is_empty() {
            return out.empty(attributes);
        }
        out.open(attributes)?;
        for child in &self.children {
            match child {
                GatherChild::Say(say) => say.write(out)?,
                GatherChild::Play(play) => play.write(out)?,
                GatherChild::Pause(pause) => pause.write(out)?,
            }
        }
        out.close("Gather")
    }
}

/// `<Enqueue>`: puts the caller in a named queue (created on demand), where `wait_url`'s TwiML
/// plays until an agent's `<Dial><Queue>` takes the call. `action` is requested when the caller
/// leaves the queue, with `QueueResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueue {
    /// At most 64 characters.
    pub name: String,
    pub action: Option<String>,
    pub method: Option<CallbackMethod>,
    pub wait_url: Option<String>,
    pub wait_url_method: Option<CallbackMethod>,
}

impl Enqueue {
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            action: None,
            method: None,
            wait_url: None,
            wait_url_method: None,
        }
    }

    setters! {
        action: String,
        method: CallbackMethod,
        wait_url: String,
        wait_url_method: CallbackMethod,
    }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Enqueue")
            .text("action", self.action.as_deref())
            .value("method", self.method.as_ref())
            .text("waitUrl", self.wait_url.as_deref())
            .value("waitUrlMethod", self.wait_url_method.as_ref());
        out.with_text(attributes, &self.name)
    }
}

/// `<Leave>`: takes the caller out of its queue (from `waitUrl` TwiML); the `<Enqueue>` action
/// then runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leave;

/// `<Redirect>`: continues with the TwiML at `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub url: String,
    pub method: Option<CallbackMethod>,
}

impl Redirect {
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            method: None,
        }
    }

    setters! { method: CallbackMethod }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Redirect").value("method", self.method.as_ref());
        out.with_text(attributes, &self.url)
    }
}

/// `<Hangup>`: ends the call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hangup;

/// `<Reject>`: refuses the call without answering it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reject {
    pub reason: Option<RejectReason>,
}

impl Reject {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    setters! { reason: RejectReason }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        out.empty(Attributes::new("Reject").value("reason", self.reason.as_ref()))
    }
}

/// `<Record>`: a mono recording of the caller (voicemail). For a two-party dual-channel
/// recording use [`super::Dial::record`] with a `-dual` value instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub action: Option<String>,
    pub method: Option<CallbackMethod>,
    /// Seconds of silence that end the recording.
    pub timeout: Option<u32>,
    /// Seconds.
    pub max_length: Option<u32>,
    pub finish_on_key: Option<String>,
    pub play_beep: Option<bool>,
    pub trim: Option<Trim>,
    pub recording_status_callback: Option<String>,
    /// Empty: the attribute is omitted (Twilio sends `completed` only).
    pub recording_status_callback_event: Vec<RecordingEvent>,
    pub recording_status_callback_method: Option<CallbackMethod>,
}

impl Record {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        action: String,
        method: CallbackMethod,
        timeout: u32,
        max_length: u32,
        finish_on_key: String,
        play_beep: bool,
        trim: Trim,
        recording_status_callback: String,
        recording_status_callback_method: CallbackMethod,
    }

    list_setters! { recording_status_callback_event: RecordingEvent }

    pub(super) fn write(&self, out: &mut XmlOut) -> Result<(), TwimlError> {
        let attributes = Attributes::new("Record")
            .text("action", self.action.as_deref())
            .value("method", self.method.as_ref())
            .number("timeout", self.timeout)
            .number("maxLength", self.max_length)
            .text("finishOnKey", self.finish_on_key.as_deref())
            .flag("playBeep", self.play_beep)
            .value("trim", self.trim.as_ref())
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
            );
        out.empty(attributes)
    }
}
