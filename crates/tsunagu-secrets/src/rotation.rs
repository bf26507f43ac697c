//! Rotation: which of a secret's values are valid at a given time.

use crate::SecretName;

/// One value of a secret, opened, with when it stops being valid (`None`: the current one).
#[derive(Clone, PartialEq, Eq)]
pub struct Version {
    pub value: String,
    pub valid_until_ms: Option<u64>,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Version(…, valid_until_ms: {:?})", self.valid_until_ms)
    }
}

/// A secret's current value and the one it replaced, if that is still within its grace.
#[derive(Clone, PartialEq, Eq)]
pub struct Rotation {
    pub name: SecretName,
    pub current: String,
    pub previous: Option<Version>,
}

impl std::fmt::Debug for Rotation {
    // The values never reach a log line, even through a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rotation")
            .field("name", &self.name)
            .field("current", &format_args!("…"))
            .field("previous", &self.previous)
            .finish()
    }
}

/// How long a replaced embed secret or Twilio auth token stays valid unless configured: a day.
pub const DEFAULT_GRACE_MS: u64 = 24 * 60 * 60 * 1000;
/// The longest grace a deployment may configure: a week.
pub const MAX_GRACE_MS: u64 = 7 * 24 * 60 * 60 * 1000;

impl Rotation {
    /// When a value replaced at `now_ms` stops being valid, if this secret keeps it at all.
    pub fn previous_valid_until(name: SecretName, now_ms: u64, grace_ms: u64) -> Option<u64> {
        (name.keeps_previous() && grace_ms > 0).then(|| now_ms.saturating_add(grace_ms))
    }

    /// The values valid at `now_ms`, the current first. The previous one counts only while
    /// `now_ms` is before its end, and only for secrets that keep it.
    pub fn valid_at(&self, now_ms: u64) -> Vec<&str> {
        let mut values = vec![self.current.as_str()];
        if let Some(previous) = &self.previous
            && self.name.keeps_previous()
            && previous.valid_until_ms.is_some_and(|until| now_ms < until)
        {
            values.push(previous.value.as_str());
        }
        values
    }
}
