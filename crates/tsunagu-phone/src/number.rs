//! The validated phone number value: E.164 inside, Japanese-friendly displays outside.

use std::{cmp::Ordering, fmt, hash};

use phonenumber::{Mode, ParseError, Type, metadata::DATABASE};
use serde::{Deserialize, Serialize};

use crate::{
    PhoneError, Region,
    normalize::{Dialable, normalize},
};

/// What kind of line a number is, as far as the numbering plan tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhoneKind {
    /// Geographic numbers (`03-…`, `06-…`).
    FixedLine,
    /// `090`, `080`, `070` in Japan.
    Mobile,
    /// Regions such as the US where the number itself does not tell.
    FixedLineOrMobile,
    /// Free dial: `0120`, `0800`.
    TollFree,
    /// IP phone: `050`.
    Voip,
    /// Caller-pays-more lines (`0990`).
    PremiumRate,
    /// Shared-cost and company numbers such as Navi Dial (`0570`).
    SharedCost,
    /// Anything else the plan allows (pagers, personal numbers) or cannot classify.
    Other,
}

impl PhoneKind {
    fn from_metadata(kind: Type) -> Self {
        match kind {
            Type::FixedLine => PhoneKind::FixedLine,
            Type::Mobile => PhoneKind::Mobile,
            Type::FixedLineOrMobile => PhoneKind::FixedLineOrMobile,
            Type::TollFree => PhoneKind::TollFree,
            Type::Voip => PhoneKind::Voip,
            Type::PremiumRate => PhoneKind::PremiumRate,
            Type::SharedCost | Type::Uan => PhoneKind::SharedCost,
            _ => PhoneKind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLineOrMobile => "fixed_line_or_mobile",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::Voip => "voip",
            PhoneKind::PremiumRate => "premium_rate",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::Other => "other",
        }
    }
}

impl fmt::Display for PhoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most digits an E.164 number has (ITU-T E.164, §6.1), country code included.
const E164_MAX_DIGITS: usize = 15;

/// A phone number that exists in its country's numbering plan, held as E.164 (`+81355550101`).
///
/// Equality, ordering and hashing are those of the E.164 string; the displays are derived from it
/// once, at parse time. Serialises as the E.164 string and is validated again on deserialisation.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    e164: String,
    national: String,
    international: String,
    kind: PhoneKind,
    country_code: u16,
}

impl PhoneNumber {
    /// Parses a number as an agent typed it or a CRM stored it: national (`03-5555-0101`,
    /// `(03) 5555-0101`, full-width `０３－５５５５－０１０１`) in `default_region`, or
    /// international (`+81 3 5555 0101`, `010 44 20 7946 0107`, `tel:+81-3-5555-0101`).
    ///
    /// The number must be valid in the numbering plan (a real prefix of the right length), not
    /// merely look like one. Extensions and vanity letters are refused.
    pub fn parse(raw: &str, default_region: Region) -> Result<PhoneNumber, PhoneError> {
        let mut dialable = normalize(raw, default_region)?;
        strip_international_prefix(&mut dialable, default_region);
        // The library applies the default region's national rules even to numbers that carry
        // their own country code (with a US default it turns `+81 120…` into `+81 20…`), so
        // international numbers are parsed with no default region.
        let region = (!dialable.international).then(|| default_region.metadata_id());
        let parsed = phonenumber::parse(region, dialable.as_parser_input())
            .map_err(|error| parse_error(&error, &dialable))?;
        Self::from_parsed(&parsed, &dialable)
    }

    /// Accepts only the canonical E.164 form (`+` and digits, as [`as_e164`](Self::as_e164)
    /// returns); what persisted records and Twilio's `From`/`To` parameters carry.
    pub fn from_e164(e164: &str) -> Result<PhoneNumber, PhoneError> {
        let canonical = e164
            .strip_prefix('+')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        if !canonical {
            return Err(PhoneError::NotE164);
        }
        let number = Self::parse(e164, Region::default())?;
        if number.e164 != e164 {
            // For example a superfluous trunk 0 after the country code (`+810355550101`).
            return Err(PhoneError::NotE164);
        }
        Ok(number)
    }

    fn from_parsed(
        parsed: &phonenumber::PhoneNumber,
        dialable: &Dialable,
    ) -> Result<PhoneNumber, PhoneError> {
        let country_code = parsed.code().value();
        let e164 = parsed.format().mode(Mode::E164).to_string();
        if !parsed.is_valid() {
            return Err(invalid_number(&e164, country_code, dialable));
        }
        // E.164 numbers have at most 15 digits. The metadata calls some longer ones valid (a
        // 14-digit Korean `80…` number is 16 digits with +82): domestic-only numbers that no
        // international call, and no Twilio call, can reach.
        if e164.len() > 1 + E164_MAX_DIGITS {
            return Err(PhoneError::TooLong {
                digits: dialable.typed_digits,
            });
        }
        let mut national = parsed.format().mode(Mode::National).to_string();
        // For valid numbers no formatting rule covers (`0120` with seven digits), the library
        // prints the bare national significant number. Japanese numbers are always written and
        // dialled with the trunk 0, and without it the display would not parse back.
        if country_code == Region::Jp.calling_code() && !national.starts_with('0') {
            national.insert(0, '0');
        }
        Ok(PhoneNumber {
            national,
            international: parsed.format().mode(Mode::International).to_string(),
            kind: PhoneKind::from_metadata(parsed.number_type(&DATABASE)),
            country_code,
            e164,
        })
    }

    /// `+81355550101`: what Twilio dials and what records store.
    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// The number as written inside its own country: `03-5555-0101`, `0120-555-108`,
    /// `090-5555-0103`, `050-5555-0104`; a UK number shows as `020 7946 0107`.
    pub fn national_display(&self) -> &str {
        &self.national
    }

    /// `+81 3-5555-0101`: the number as written abroad.
    pub fn international_display(&self) -> &str {
        &self.international
    }

    /// The number as a Japanese agent reads it back to the caller: the national form for a
    /// Japanese number (`03-5555-0101`), the international form for any other (`+44 20 7946
    /// 0107`), since dialling `020…` from Japan would not reach London.
    pub fn display_in_japan(&self) -> &str {
        if self.country_code == Region::Jp.calling_code() {
            &self.national
        } else {
            &self.international
        }
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The ITU country calling code: `81` for Japan.
    pub fn country_code(&self) -> u16 {
        self.country_code
    }
}

/// Rewrites a number dialled with the region's international prefix (`010` from Japan, `011`
/// from the US) as `+…`, so that it is parsed by its own country's rules.
fn strip_international_prefix(dialable: &mut Dialable, region: Region) {
    if dialable.international {
        return;
    }
    let Some(idd) = DATABASE
        .by_id(region.as_str())
        .and_then(|meta| meta.international_prefix())
    else {
        return;
    };
    let rest = idd
        .find(&dialable.digits)
        .filter(|found| found.start() == 0)
        .and_then(|found| dialable.digits.get(found.end()..));
    // Country codes never start with 0; a 0 after the prefix means it was not one.
    if let Some(rest) = rest.filter(|rest| !rest.is_empty() && !rest.starts_with('0')) {
        dialable.digits = rest.to_owned();
        dialable.international = true;
    }
}

/// Maps the library's reasons to ours, counting the digits as they were typed.
fn parse_error(error: &ParseError, dialable: &Dialable) -> PhoneError {
    let digits = dialable.typed_digits;
    match error {
        ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode,
        ParseError::TooLong => PhoneError::TooLong { digits },
        ParseError::NoNumber | ParseError::TooShortAfterIdd | ParseError::TooShortNsn => {
            PhoneError::TooShort { digits }
        }
        // Only an integer overflow makes the library's digit parsing fail.
        ParseError::MalformedInteger(_) => PhoneError::TooLong { digits },
    }
}

/// Says whether an invalid number is too short, too long or just not allocated, from the lengths
/// the country's numbering plan allows for its national significant numbers.
fn invalid_number(e164: &str, country_code: u16, dialable: &Dialable) -> PhoneError {
    let code_len = country_code.to_string().len();
    let national_len = e164.len().saturating_sub(1 + code_len);
    // The metadata lists possible lengths per kind of number; the general descriptor's list is
    // empty, so the country's range is the union over the kinds.
    let kinds = [
        Type::FixedLine,
        Type::Mobile,
        Type::TollFree,
        Type::PremiumRate,
        Type::SharedCost,
        Type::PersonalNumber,
        Type::Voip,
        Type::Pager,
        Type::Uan,
        Type::Voicemail,
    ];
    let lengths = DATABASE
        .by_code(&country_code)
        .into_iter()
        .flatten()
        .flat_map(|meta| {
            kinds
                .iter()
                .filter_map(|kind| meta.descriptors().get(*kind))
        })
        .flat_map(|descriptor| descriptor.possible_length().iter().copied());
    let (mut min, mut max) = lengths.fold((u16::MAX, 0), |(min, max), len| {
        (min.min(len), max.max(len))
    });
    // Japan's range is stretched to 17 digits by the `00…` toll-free service numbers (`0037…`,
    // `0066…`); every other Japanese number is 9 or 10 digits after the trunk 0. Using that
    // range gives a clearer error for the common typo of a digit too many or too few.
    let national_digits = e164.get(1 + code_len..).unwrap_or_default();
    if country_code == Region::Jp.calling_code() && !national_digits.starts_with('0') {
        (min, max) = (9, 10);
    }
    let digits = dialable.typed_digits;
    match u16::try_from(national_len) {
        Ok(len) if min <= max && len < min => PhoneError::TooShort { digits },
        Ok(len) if min <= max && len > max => PhoneError::TooLong { digits },
        _ => PhoneError::NotInNumberingPlan {
            number: e164.to_owned(),
            country_code,
        },
    }
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.e164 == other.e164
    }
}

impl Eq for PhoneNumber {}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.e164.cmp(&other.e164)
    }
}

impl hash::Hash for PhoneNumber {
    fn hash<H: hash::Hasher>(&self, state: &mut H) {
        self.e164.hash(state);
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.e164).finish()
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(e164: String) -> Result<Self, PhoneError> {
        Self::from_e164(&e164)
    }
}

impl From<PhoneNumber> for String {
    fn from(number: PhoneNumber) -> String {
        number.e164
    }
}
