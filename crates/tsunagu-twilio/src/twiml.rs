//! TwiML documents built from typed verbs and written with quick-xml's writer.
//!
//! ```text
//! Response::new()
//!     .say(Say::new("おつなぎします。").language(Language::JaJp).voice(Voice::PollyMizuki))
//!     .dial(Dial::new().answer_on_bridge(true).client(Client::new("alice").parameter("conversation", id)))
//!     .to_xml()?
//! ```
//!
//! The output is what Twilio's helper libraries write: the XML declaration, then `<Response>`
//! with no whitespace between elements, attributes sorted by name (as the Python helper sorts
//! them) and non-ASCII left as UTF-8. Every attribute is optional
//! and omitted unless set, so Twilio's defaults apply. Characters XML 1.0 forbids (C0 controls
//! other than tab, LF and CR) are refused with [`TwimlError::ControlCharacter`] instead of being
//! written: Twilio would reject the document mid-call.

mod dial;
mod enums;
mod verbs;
mod writer;

pub use dial::{Client, Conference, Dial, DialNoun, Number, Parameter, Queue};
pub(crate) use enums::string_enum;
pub use enums::{
    Beep, CallProgressEvent, CallbackMethod, ConferenceEvent, ConferenceRecord, ConferenceRegion,
    DialRecord, GatherInput, JitterBufferSize, Language, RecordingEvent, RecordingTrack,
    RejectReason, RingTone, SpeechTimeout, Trim, Voice,
};
pub use verbs::{
    Enqueue, Gather, GatherChild, Hangup, Leave, Pause, Play, Record, Redirect, Reject, Say,
};

use writer::{Attributes, XmlOut};

/// Why a document could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    #[error(
        "<{element}> holds a character XML does not allow (a control character other than tab, LF or CR)"
    )]
    ControlCharacter { element: &'static str },
    #[error("<Dial> has nothing to dial")]
    EmptyDial,
    #[error("the XML writer failed")]
    Write,
}

/// Builder setters for `Option` fields: `.timeout(20)` sets `Some(20)`. String fields take
/// `impl Into<String>`; the others take their type, so integer literals infer.
macro_rules! setters {
    ($($field:ident: $ty:tt),* $(,)?) => {
        $(setters!(@one $field $ty);)*
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

/// Builder setters for space-separated list attributes (event lists).
macro_rules! list_setters {
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets [`Self::", stringify!($field), "`]; an empty list omits the attribute.")]
            #[must_use]
            pub fn $field(mut self, values: impl IntoIterator<Item = $ty>) -> Self {
                self.$field = values.into_iter().collect();
                self
            }
        )*
    };
}

use list_setters;
use setters;

/// One verb of a `<Response>`, in the order Twilio runs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Gather(Gather),
    Dial(Dial),
    Enqueue(Enqueue),
    Leave(Leave),
    Redirect(Redirect),
    Hangup(Hangup),
    Reject(Reject),
    Record(Record),
}

macro_rules! verb_from {
    ($($verb:ident),*) => {
        $(
            impl From<$verb> for Verb {
                fn from(verb: $verb) -> Self {
                    Self::$verb(verb)
                }
            }
        )*
    };
}

verb_from!(
    Say, Play, Pause, Gather, Dial, Enqueue, Leave, Redirect, Hangup, Reject, Record
);

/// A TwiML document: `<Response>` and its verbs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub verbs: Vec<Verb>,
}

impl Response {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn verb(mut self, verb: impl Into<Verb>) -> Self {
        self.verbs.push(verb.into());
        self
    }

    #[must_use]
    pub fn say(self, say: Say) -> Self {
        self.verb(say)
    }

    #[must_use]
    pub fn play(self, play: Play) -> Self {
        self.verb(play)
    }

    #[must_use]
    pub fn pause(self, pause: Pause) -> Self {
        self.verb(pause)
    }

    #[must_use]
    pub fn gather(self, gather: Gather) -> Self {
        self.verb(gather)
    }

    #[must_use]
    pub fn dial(self, dial: Dial) -> Self {
        self.verb(dial)
    }

    #[must_use]
    pub fn enqueue(self, enqueue: Enqueue) -> Self {
        self.verb(enqueue)
    }

    #[must_use]
    pub fn leave(self) -> Self {
        self.verb(Leave)
    }

    #[must_use]
    pub fn redirect(self, redirect: Redirect) -> Self {
        self.verb(redirect)
    }

    #[must_use]
    pub fn hangup(self) -> Self {
        self.verb(Hangup)
    }

    #[must_use]
    pub fn reject(self, reject: Reject) -> Self {
        self.verb(reject)
    }

    #[must_use]
    pub fn record(self, record: Record) -> Self {
        self.verb(record)
    }

    /// The document, starting with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub fn to_xml(&self) -> Result<String, TwimlError> {
        let mut out = XmlOut::new()?;
        if self.verbs.is_empty() {
            out.empty(Attributes::new("Response"))?;
            return out.finish();
        }
        out.open(Attributes::new("Response"))?;
        for verb in &self.verbs {
            match verb {
                Verb::Say(say) => say.write(&mut out)?,
                Verb::Play(play) => play.write(&mut out)?,
                Verb::Pause(pause) => pause.write(&mut out)?,
                Verb::Gather(gather) => gather.write(&mut out)?,
                Verb::Dial(dial) => dial.write(&mut out)?,
                Verb::Enqueue(enqueue) => enqueue.write(&mut out)?,
                Verb::Leave(Leave) => out.empty(Attributes::new("Leave"))?,
                Verb::Redirect(redirect) => redirect.write(&mut out)?,
                Verb::Hangup(Hangup) => out.empty(Attributes::new("Hangup"))?,
                Verb::Reject(reject) => reject.write(&mut out)?,
                Verb::Record(record) => record.write(&mut out)?,
            }
        }
        out.close("Response")?;
        out.finish()
    }
}
