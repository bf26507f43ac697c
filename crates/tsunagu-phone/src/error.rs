//! Why a string was refused as a phone number; messages never echo more than a bounded excerpt.

/// Why [`PhoneNumber::parse`](crate::PhoneNumber::parse) refused its input.
///
/// Messages quote at most one character or the (bounded) digits, never the raw input, so a
/// pasted megabyte cannot flood a log line or an error toast.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    #[error("no phone number given (no digits)")]
    Empty,
    #[error("input is {chars} characters long; a phone number is at most {max}")]
    InputTooLong { chars: usize, max: usize },
    #[error("a Twilio client identity (`client:…`) is an agent's browser, not a phone number")]
    TwilioClient,
    #[error("a SIP address (`sip:…`) is not a phone number")]
    SipAddress,
    #[error("unexpected character {character:?} at position {position}")]
    InvalidCharacter { character: char, position: usize },
    #[error("`+` may only start the number")]
    MisplacedPlus,
    #[error(
        "a number in {region} must start with the trunk prefix 0, or with + and a country code"
    )]
    MissingTrunkPrefix { region: crate::Region },
    #[error("too short to be a phone number ({digits} digits)")]
    TooShort { digits: usize },
    #[error("too long to be a phone number ({digits} digits)")]
    TooLong { digits: usize },
    #[error("the number does not start with a known country calling code")]
    UnknownCountryCode,
    /// Right length, but no such prefix (`0190…` in Japan). `number` is the E.164 form the
    /// input would have had.
    #[error("{number} is not a number in use in the numbering plan of +{country_code}")]
    NotInNumberingPlan { number: String, country_code: u16 },
    #[error("not an E.164 number (expected `+` and digits only)")]
    NotE164,
}
