//! Where a tenant's secret comes from: D1 first, then the legacy Worker secret, and what happens when D1 cannot be read.

use crate::{Rotation, SecretName, cache};

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Sealed in D1 (`tenant_secrets`), set through the admin API.
    D1,
    /// The legacy Worker secret `TENANT_<ID>_<NAME>` (`wrangler secret put`).
    WorkerSecret,
}

impl Source {
    /// The name in the admin API's `GET /api/admin/secrets`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::D1 => "d1",
            Source::WorkerSecret => "worker_secret",
        }
    }
}

/// A secret as the worker uses it: its values and where they came from, or not set anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub found: Option<(Source, Rotation)>,
}

impl Resolved {
    /// Not set in D1 nor as a Worker secret.
    pub const UNSET: Resolved = Resolved { found: None };

    /// The legacy Worker secret's value: one value, nothing to rotate.
    pub fn worker_secret(name: SecretName, value: String) -> Resolved {
        Resolved {
            found: Some((
                Source::WorkerSecret,
                Rotation {
                    name,
                    current: value,
                    previous: None,
                },
            )),
        }
    }

    /// The value to sign or authenticate with.
    pub fn current(&self) -> Option<&str> {
        self.found
            .as_ref()
            .map(|(_, rotation)| rotation.current.as_str())
    }

    /// The values a signature may be made with at `now_ms` (the current first; the previous one
    /// during its grace, for secrets that keep it). Empty when the secret is not set.
    pub fn valid_at(&self, now_ms: u64) -> Vec<&str> {
        self.found
            .as_ref()
            .map(|(_, rotation)| rotation.valid_at(now_ms))
            .unwrap_or_default()
    }

    pub fn source(&self) -> Option<Source> {
        self.found.as_ref().map(|(source, _)| *source)
    }
}

/// What reading the tenant's row in D1 gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum D1Read {
    /// A row that opened.
    Opened(Rotation),
    /// A row that does not open: its master key is gone (or no keyring is configured), or it
    /// was altered. Never bypassed: the tenant chose D1, and a legacy value may be an old one.
    Unopenable,
    /// No row: the secret is not in D1.
    NoRow,
    /// D1 did not answer.
    Failed,
}

/// Why no value can be given: the caller fails closed (503), never open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("the tenant's sealed secret does not open with the master keys in force")]
    Unopenable,
    #[error("D1 cannot be read and no copy of the secret is at hand")]
    D1Failed,
}

/// The answer and how long to keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub resolved: Resolved,
    /// How long the cache keeps it fresh (`None`: do not replace what the cache holds).
    pub keep_ms: Option<u64>,
}

/// The lookup order: a D1 row wins; without one, the legacy Worker secret; while D1 fails, the
/// cache's stale copy, else the legacy secret for a short while, else nothing (fail closed).
pub fn decide(
    name: SecretName,
    read: D1Read,
    legacy: Option<String>,
    stale: Option<&Resolved>,
) -> Result<Decision, Unavailable> {
    let kept = |resolved| Decision {
        resolved,
        keep_ms: Some(cache::FRESH_MS),
    };
    match read {
        D1Read::Opened(rotation) => Ok(kept(Resolved {
            found: Some((Source::D1, rotation)),
        })),
        D1Read::Unopenable => Err(Unavailable::Unopenable),
        D1Read::NoRow => Ok(kept(match legacy {
            Some(value) => Resolved::worker_secret(name, value),
            None => Resolved::UNSET,
        })),
        D1Read::Failed => match (stale, legacy) {
            (Some(stale), _) => Ok(Decision {
                resolved: stale.clone(),
                keep_ms: None,
            }),
            (None, Some(value)) => Ok(Decision {
                resolved: Resolved::worker_secret(name, value),
                keep_ms: Some(cache::FALLBACK_MS),
            }),
            (None, None) => Err(Unavailable::D1Failed),
        },
    }
}
