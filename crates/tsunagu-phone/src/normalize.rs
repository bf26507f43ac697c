//! Hand-rolled NFKC for the only characters a phone number may contain: digits, `+` and separators.

use crate::{PhoneError, Region};

/// Raw inputs longer than this (in characters) are refused before any parsing: the longest
/// plausible typed number (`+81 (0)3-5555-0101` with spaces and an international prefix) is
/// well under it.
pub(crate) const MAX_INPUT_CHARS: usize = 64;

/// The most digits a number may have: 15 for E.164 plus a three-digit international prefix.
pub(crate) const MAX_DIGITS: usize = 18;

/// The fewest digits any dialable national number has (some small countries use 4-digit numbers
/// plus a trunk prefix); shorter inputs are refused before the metadata is consulted.
pub(crate) const MIN_DIGITS: usize = 5;

/// A candidate number: ASCII digits, optionally led by `+`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Dialable {
    pub(crate) international: bool,
    pub(crate) digits: String,
    /// How many digits the input had, for error messages (an international prefix may be
    /// stripped from `digits` later).
    pub(crate) typed_digits: usize,
}

impl Dialable {
    pub(crate) fn as_parser_input(&self) -> String {
        if self.international {
            format!("+{}", self.digits)
        } else {
            self.digits.clone()
        }
    }
}

enum Symbol {
    Digit(char),
    Plus,
    Separator,
}

/// Maps one character to what it means in a phone number. Full-width forms come from Japanese
/// IMEs; the dashes are every hyphen look-alike seen in CRM exports, including the katakana
/// prolonged sound mark `ー`, which IMEs produce when an agent types `-` in kana mode.
fn classify(c: char) -> Option<Symbol> {
    match c {
        '0'..='9' => Some(Symbol::Digit(c)),
        '０'..='９' => {
            let offset = u32::from(c) - u32::from('０');
            char::from_digit(offset, 10).map(Symbol::Digit)
        }
        '+' | '＋' => Some(Symbol::Plus),
        ' ' | '\t' | '\u{a0}' | '\u{3000}' | '.' | '．' | '(' | ')' | '（' | '）' | '-' | '－'
        | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' => {
            Some(Symbol::Separator)
        }
        _ => None,
    }
}

/// Strips formatting and refuses anything that is not a phone number, before the (comparatively
/// expensive) metadata is consulted.
pub(crate) fn normalize(raw: &str, region: Region) -> Result<Dialable, PhoneError> {
    // Checked on bytes first so a huge input is refused without walking it.
    let too_long = |chars| PhoneError::InputTooLong {
        chars,
        max: MAX_INPUT_CHARS,
    };
    if raw.len() > MAX_INPUT_CHARS * 4 {
        return Err(too_long(raw.chars().count()));
    }
    let chars = raw.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(too_long(chars));
    }

    let trimmed = raw.trim();
    let lower_prefix = trimmed
        .get(..trimmed.find(':').map_or(0, |colon| colon + 1))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = match lower_prefix.as_str() {
        "client:" => return Err(PhoneError::TwilioClient),
        "sip:" | "sips:" => return Err(PhoneError::SipAddress),
        // Click-to-dial links in CRM pages are `tel:` URIs.
        "tel:" => trimmed.get(lower_prefix.len()..).unwrap_or_default(),
        _ => trimmed,
    };
    // Positions are reported in characters of the raw input, counting from 1, as an agent
    // would count them; `body` is a suffix of `trimmed`, which starts after the leading space.
    let body_start = (raw.len() - raw.trim_start().len()) + (trimmed.len() - body.len());
    let offset = raw
        .get(..body_start)
        .map_or(0, |before| before.chars().count());

    let mut digits = String::new();
    let mut international = false;
    for (index, c) in body.chars().enumerate() {
        match classify(c) {
            Some(Symbol::Digit(d)) => digits.push(d),
            Some(Symbol::Plus) if digits.is_empty() && !international => international = true,
            Some(Symbol::Plus) => return Err(PhoneError::MisplacedPlus),
            Some(Symbol::Separator) => {}
            None => {
                return Err(PhoneError::InvalidCharacter {
                    character: c,
                    position: offset + index + 1,
                });
            }
        }
    }

    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if digits.len() > MAX_DIGITS {
        return Err(PhoneError::TooLong {
            digits: digits.len(),
        });
    }
    if digits.len() < MIN_DIGITS {
        return Err(PhoneError::TooShort {
            digits: digits.len(),
        });
    }
    // Every Japanese national number is dialled with the trunk prefix 0. Without it, `355550101`
    // or `81355550101` could be read several ways; guessing would route calls to strangers.
    if region == Region::Jp && !international && !digits.starts_with('0') {
        return Err(PhoneError::MissingTrunkPrefix { region });
    }
    Ok(Dialable {
        international,
        typed_digits: digits.len(),
        digits,
    })
}
