//! TwiML attribute values that Twilio enumerates: voices, languages, record modes, events, regions.

use std::borrow::Cow;
use std::fmt;

/// Declares a string-valued enum. `open` enums add `Other(String)` and parse any string
/// (`From<&str>`), because Twilio adds values over time and an unknown one must never be fatal;
/// `closed` enums are the values we write and nothing else.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        open enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value without a variant here, written and read verbatim. Parsing never produces
            /// `Other` for a value that has its own variant.
            Other(String),
        }

        impl $name {
            /// The value exactly as Twilio spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                match raw {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    (
        $(#[$meta:meta])*
        closed enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// The value exactly as Twilio spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use string_enum;

string_enum! {
    /// `<Say voice>`. The Japanese voices of Twilio's generated enum have variants; anything else
    /// (another Polly or Google voice) goes through `Other`.
    open enum Voice {
        Man => "man",
        Woman => "woman",
        Alice => "alice",
        PollyMizuki => "Polly.Mizuki",
        PollyTakumi => "Polly.Takumi",
        PollyKazuhaNeural => "Polly.Kazuha-Neural",
        PollyTomokoNeural => "Polly.Tomoko-Neural",
        PollyTakumiNeural => "Polly.Takumi-Neural",
        GoogleJaJpStandardA => "Google.ja-JP-Standard-A",
        GoogleJaJpStandardB => "Google.ja-JP-Standard-B",
        GoogleJaJpStandardC => "Google.ja-JP-Standard-C",
        GoogleJaJpStandardD => "Google.ja-JP-Standard-D",
        GoogleJaJpWavenetA => "Google.ja-JP-Wavenet-A",
        GoogleJaJpWavenetB => "Google.ja-JP-Wavenet-B",
        GoogleJaJpWavenetC => "Google.ja-JP-Wavenet-C",
        GoogleJaJpWavenetD => "Google.ja-JP-Wavenet-D",
        GoogleJaJpNeural2B => "Google.ja-JP-Neural2-B",
        GoogleJaJpNeural2C => "Google.ja-JP-Neural2-C",
        GoogleJaJpNeural2D => "Google.ja-JP-Neural2-D",
        GoogleJaJpChirp3HdAoede => "Google.ja-JP-Chirp3-HD-Aoede",
        GoogleJaJpChirp3HdCharon => "Google.ja-JP-Chirp3-HD-Charon",
        GoogleJaJpChirp3HdFenrir => "Google.ja-JP-Chirp3-HD-Fenrir",
        GoogleJaJpChirp3HdKore => "Google.ja-JP-Chirp3-HD-Kore",
        GoogleJaJpChirp3HdLeda => "Google.ja-JP-Chirp3-HD-Leda",
        GoogleJaJpChirp3HdOrus => "Google.ja-JP-Chirp3-HD-Orus",
        GoogleJaJpChirp3HdPuck => "Google.ja-JP-Chirp3-HD-Puck",
        GoogleJaJpChirp3HdZephyr => "Google.ja-JP-Chirp3-HD-Zephyr",
    }
}

string_enum! {
    /// `<Say language>` and `<Gather language>` (a BCP 47 tag; Twilio's lists have over 100).
    open enum Language {
        JaJp => "ja-JP",
        EnUs => "en-US",
    }
}

string_enum! {
    /// The HTTP method Twilio uses to call one of our URLs (every `…Method` attribute).
    closed enum CallbackMethod {
        Get => "GET",
        Post => "POST",
    }
}

string_enum! {
    /// `<Gather input>`.
    closed enum GatherInput {
        Dtmf => "dtmf",
        Speech => "speech",
        DtmfSpeech => "dtmf speech",
    }
}

/// `<Gather speechTimeout>`: seconds of silence that end speech input, or Twilio's own detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpeechTimeout {
    Auto,
    Seconds(u32),
}

impl SpeechTimeout {
    pub(crate) fn to_attribute(self) -> Cow<'static, str> {
        match self {
            Self::Auto => Cow::Borrowed("auto"),
            Self::Seconds(seconds) => Cow::Owned(seconds.to_string()),
        }
    }
}

impl fmt::Display for SpeechTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_attribute())
    }
}

string_enum! {
    /// `<Dial record>`. The `-dual` values put each party in its own channel (parent call in
    /// channel 1); Twilio has no `recordingChannels` attribute on `<Dial>`.
    closed enum DialRecord {
        DoNotRecord => "do-not-record",
        RecordFromAnswer => "record-from-answer",
        RecordFromRinging => "record-from-ringing",
        RecordFromAnswerDual => "record-from-answer-dual",
        RecordFromRingingDual => "record-from-ringing-dual",
    }
}

string_enum! {
    /// `recordingStatusCallbackEvent` values (space-separated in TwiML).
    closed enum RecordingEvent {
        InProgress => "in-progress",
        Completed => "completed",
        Absent => "absent",
    }
}

string_enum! {
    /// Which audio `<Dial>` records.
    closed enum RecordingTrack {
        Inbound => "inbound",
        Outbound => "outbound",
        Both => "both",
    }
}

string_enum! {
    /// Whether Twilio trims leading and trailing silence from a recording.
    closed enum Trim {
        TrimSilence => "trim-silence",
        DoNotTrim => "do-not-trim",
    }
}

string_enum! {
    /// `statusCallbackEvent` of `<Client>` and `<Number>` (space-separated in TwiML).
    closed enum CallProgressEvent {
        Initiated => "initiated",
        Ringing => "ringing",
        Answered => "answered",
        Completed => "completed",
    }
}

string_enum! {
    /// `<Dial ringTone>`: the ringback the caller hears. `Jp` is the Japanese one.
    closed enum RingTone {
        At => "at", Au => "au", Bg => "bg", Br => "br", Be => "be", Ch => "ch", Cl => "cl",
        Cn => "cn", Cz => "cz", De => "de", Dk => "dk", Ee => "ee", Es => "es", Fi => "fi",
        Fr => "fr", Gr => "gr", Hu => "hu", Il => "il", In => "in", It => "it", Lt => "lt",
        Jp => "jp", Mx => "mx", My => "my", Nl => "nl", No => "no", Nz => "nz", Ph => "ph",
        Pl => "pl", Pt => "pt", Ru => "ru", Se => "se", Sg => "sg", Th => "th", Uk => "uk",
        Us => "us", UsOld => "us-old", Tw => "tw", Ve => "ve", Za => "za",
    }
}

string_enum! {
    /// `<Conference beep>`.
    closed enum Beep {
        True => "true",
        False => "false",
        OnEnter => "onEnter",
        OnExit => "onExit",
    }
}

string_enum! {
    /// `<Conference record>`.
    closed enum ConferenceRecord {
        DoNotRecord => "do-not-record",
        RecordFromStart => "record-from-start",
    }
}

string_enum! {
    /// Where Twilio mixes a conference (only the first participant's value counts). `Jp1` keeps
    /// Japanese calls' media in Tokyo.
    closed enum ConferenceRegion {
        Us1 => "us1",
        Us2 => "us2",
        Ie1 => "ie1",
        De1 => "de1",
        Sg1 => "sg1",
        Br1 => "br1",
        Au1 => "au1",
        Jp1 => "jp1",
    }
}

string_enum! {
    /// `<Conference jitterBufferSize>`.
    closed enum JitterBufferSize {
        Large => "large",
        Medium => "medium",
        Small => "small",
        Off => "off",
    }
}

string_enum! {
    /// `<Conference statusCallbackEvent>` values (space-separated in TwiML).
    closed enum ConferenceEvent {
        Start => "start",
        End => "end",
        Join => "join",
        Leave => "leave",
        Mute => "mute",
        Hold => "hold",
        Modify => "modify",
        Speaker => "speaker",
        Announcement => "announcement",
    }
}

string_enum! {
    /// `<Reject reason>`: what the caller hears.
    closed enum RejectReason {
        Rejected => "rejected",
        Busy => "busy",
    }
}
