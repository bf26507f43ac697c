//! The regions whose national number formats the parser understands without a `+` prefix.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The country a number without a `+` (or international prefix) is assumed to belong to.
///
/// Japan is the default: agents and CRMs in Japan write national numbers (`03-5555-0101`).
/// Numbers written with `+` or an international prefix (`010`, `00`) parse in any region.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Region {
    #[default]
    Jp,
    Us,
    Gb,
    Kr,
    Cn,
    Tw,
}

impl Region {
    pub const ALL: [Region; 6] = [
        Region::Jp,
        Region::Us,
        Region::Gb,
        Region::Kr,
        Region::Cn,
        Region::Tw,
    ];

    /// The ISO 3166-1 alpha-2 code (`"JP"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Jp => "JP",
            Region::Us => "US",
            Region::Gb => "GB",
            Region::Kr => "KR",
            Region::Cn => "CN",
            Region::Tw => "TW",
        }
    }

    /// The ITU country calling code (`81` for Japan).
    pub fn calling_code(self) -> u16 {
        match self {
            Region::Jp => 81,
            Region::Us => 1,
            Region::Gb => 44,
            Region::Kr => 82,
            Region::Cn => 86,
            Region::Tw => 886,
        }
    }

    pub(crate) fn metadata_id(self) -> phonenumber::country::Id {
        use phonenumber::country::Id;
        match self {
            Region::Jp => Id::JP,
            Region::Us => Id::US,
            Region::Gb => Id::GB,
            Region::Kr => Id::KR,
            Region::Cn => Id::CN,
            Region::Tw => Id::TW,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
