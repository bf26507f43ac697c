//! Skills: tenant-defined labels (`korean`, `billing`) that a contact may need and an agent may have.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string was refused as a skill.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkillError {
    #[error("a skill must not be empty")]
    Empty,
    #[error("a skill is at most {max} characters long")]
    TooLong { max: usize },
    #[error("a skill may contain only ASCII letters, digits, `_`, `-` and `.`")]
    InvalidCharacter,
}

/// One skill. Matching is exact and case-sensitive: tenants pick a spelling in their settings, and
/// the same charset as identifiers keeps skills safe in URLs and log lines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Skill(String);

impl Skill {
    /// The longest skill accepted.
    pub const MAX_LEN: usize = 64;

    /// Validates `raw` and wraps it.
    pub fn new(raw: impl Into<String>) -> Result<Self, SkillError> {
        let raw = raw.into();
        if raw.is_empty() {
            return Err(SkillError::Empty);
        }
        if raw.len() > Self::MAX_LEN {
            return Err(SkillError::TooLong { max: Self::MAX_LEN });
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            return Err(SkillError::InvalidCharacter);
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Skill {
    type Error = SkillError;
    fn try_from(raw: String) -> Result<Self, SkillError> {
        Self::new(raw)
    }
}

impl From<Skill> for String {
    fn from(skill: Skill) -> String {
        skill.0
    }
}

impl fmt::Display for Skill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
