//! A named queue's id: what lines, IVR `route` nodes and overflows name (its own module, so that
//! the queues' settings and their errors both name it without importing each other).

use serde::{Deserialize, Serialize};

/// A queue's id, unique in its tenant: `[a-z0-9_-]{1,32}` (what an IVR `route` node names).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueueId(String);

impl QueueId {
    /// The id if it is well formed.
    pub fn new(id: &str) -> Option<Self> {
        let well_formed = !id.is_empty()
            && id.chars().count() <= MAX_QUEUE_ID_CHARS
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        well_formed.then(|| Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for QueueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest queue id.
pub const MAX_QUEUE_ID_CHARS: usize = 32;
