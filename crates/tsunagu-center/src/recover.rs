//! Restoring a center from storage that may hold bad entries: what cannot be read is set aside, never a reason to refuse the tenant.
//!
//! A strict [`Center::restore_entries`] refuses the whole store for one unreadable entry (a bug
//! of an older build, a half-written value), and a hub that cannot load refuses every request of
//! its tenant. [`Center::recover_entries`] reads what it can instead: entries that cannot be read
//! on their own are quarantined, and if what is left still contradicts itself, every entry is
//! quarantined and the center starts afresh from its configuration. The shell keeps quarantined
//! entries (for an operator to read) and logs them; it never deletes them silently.

use crate::{Center, CenterConfig, RestoreError};

/// A stored entry left out of the restored center, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub key: String,
    pub value: String,
    pub reason: String,
}

/// What [`Center::recover_entries`] made of the stored entries.
#[derive(Debug)]
pub struct Recovered {
    pub center: Center,
    /// Entries the center does not hold; empty when every entry was read.
    pub quarantined: Vec<Quarantined>,
    /// The center started afresh from its configuration: nothing it held before (sockets,
    /// calls, presence) is known to it, so the shell must close every socket it holds so that
    /// widgets sign in again.
    pub fresh: bool,
}

impl Center {
    /// The center of these entries, leaving out whatever cannot be read (see the module doc).
    /// `config` is the tenant's current configuration, used when the stored one cannot be read;
    /// without either there is no center to start, and the strict restore's error is returned.
    pub fn recover_entries(
        entries: Vec<(String, String)>,
        config: Option<&CenterConfig>,
    ) -> Result<Recovered, RestoreError> {
        let strict = match Center::restore_entries(entries.clone()) {
            Ok(center) => {
                return Ok(Recovered {
                    center,
                    quarantined: Vec::new(),
                    fresh: false,
                });
            }
            Err(err) => err,
        };
        let mut readable = Vec::with_capacity(entries.len());
        let mut quarantined = Vec::new();
        for (key, value) in entries {
            match Center::screen_entry(&key, &value) {
                Ok(()) => readable.push((key, value)),
                Err(err) => quarantined.push(Quarantined {
                    key,
                    value,
                    reason: err.to_string(),
                }),
            }
        }
        if !quarantined.is_empty()
            && let Ok(center) = Center::restore_entries(readable.clone())
        {
            return Ok(Recovered {
                center,
                quarantined,
                fresh: false,
            });
        }
        // What is left contradicts itself (or names no usable meta): start afresh, keeping every
        // entry aside.
        let config = Center::config_of_meta(&readable)
            .or_else(|| config.cloned())
            .ok_or(strict.clone())?;
        let center = Center::new(config)?;
        let reason = format!("set aside with the whole store: {strict}");
        quarantined.extend(readable.into_iter().map(|(key, value)| Quarantined {
            key,
            value,
            reason: reason.clone(),
        }));
        Ok(Recovered {
            center,
            quarantined,
            fresh: true,
        })
    }
}
