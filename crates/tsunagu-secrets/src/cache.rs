//! The isolate's cache of opened secrets: fresh for a short TTL, usable a while longer only when D1 cannot be read.
//!
//! Pure bookkeeping (time is an input): the worker keeps one [`SecretCache`] per isolate so a
//! flood of webhooks verifies against memory instead of reading D1 each time, and a secret
//! rotated in another isolate is seen within the TTL (or sooner: [`SecretCache::may_refresh`]).

use std::collections::BTreeMap;

/// How long an entry is fresh: one D1 read per secret per isolate per minute at most.
pub const FRESH_MS: u64 = 60_000;
/// How long after its freshness an entry may still stand in for D1 while D1 fails.
pub const STALE_IF_ERROR_MS: u64 = 10 * 60_000;
/// How long an answer made while D1 failed (the legacy Worker secret) is kept: D1 is asked again
/// soon.
pub const FALLBACK_MS: u64 = 5_000;
/// The shortest gap between two reads of one entry caused by a value that did not verify
/// (a secret rotated in another isolate), so forged requests cannot make every request read D1.
pub const REFRESH_GAP_MS: u64 = 5_000;
/// The most entries an isolate keeps; beyond it the oldest entries make room.
pub const CAPACITY: usize = 1024;

/// What the cache holds for a key at a given time.
#[derive(Debug, PartialEq, Eq)]
pub enum Cached<'a, V> {
    /// Within its TTL: use it, no D1 read.
    Fresh(&'a V),
    /// Past its TTL but within the stale-if-error window: read D1, and use this if D1 fails.
    Stale(&'a V),
    /// Nothing usable.
    Missing,
}

#[derive(Debug, Clone)]
struct Entry<V> {
    value: V,
    fetched_at_ms: u64,
    fresh_until_ms: u64,
    /// The last read of D1 for this entry, whether or not it brought a new value (D1 may fail).
    read_at_ms: u64,
}

/// Entries by key, each with when it was read and until when it is fresh.
#[derive(Debug, Clone)]
pub struct SecretCache<K, V> {
    entries: BTreeMap<K, Entry<V>>,
    capacity: usize,
}

impl<K: Ord + Clone, V> Default for SecretCache<K, V> {
    fn default() -> Self {
        SecretCache::with_capacity(CAPACITY)
    }
}

impl<K: Ord + Clone, V> SecretCache<K, V> {
    pub fn with_capacity(capacity: usize) -> SecretCache<K, V> {
        SecretCache {
            entries: BTreeMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// What `key` holds at `now_ms`.
    pub fn get(&self, key: &K, now_ms: u64) -> Cached<'_, V> {
        match self.entries.get(key) {
            Some(entry) if now_ms < entry.fresh_until_ms => Cached::Fresh(&entry.value),
            Some(entry) if now_ms < entry.fresh_until_ms.saturating_add(STALE_IF_ERROR_MS) => {
                Cached::Stale(&entry.value)
            }
            _ => Cached::Missing,
        }
    }

    /// Keeps `value` for `key`, read at `now_ms`, fresh for `fresh_ms`. When full, entries past
    /// any use go first, then the oldest read.
    pub fn insert(&mut self, key: K, value: V, now_ms: u64, fresh_ms: u64) {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.entries
                .retain(|_, entry| now_ms < entry.fresh_until_ms.saturating_add(STALE_IF_ERROR_MS));
            if self.entries.len() >= self.capacity
                && let Some(oldest) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.fetched_at_ms)
                    .map(|(key, _)| key.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            key,
            Entry {
                value,
                fetched_at_ms: now_ms,
                fresh_until_ms: now_ms.saturating_add(fresh_ms),
                read_at_ms: now_ms,
            },
        );
    }

    /// Forgets `key` (this isolate changed it).
    pub fn remove(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// Whether a value of `key` that did not verify may cause a new read: only when D1 was last
    /// read for it at least [`REFRESH_GAP_MS`] ago (or there is no entry).
    pub fn may_refresh(&self, key: &K, now_ms: u64) -> bool {
        self.entries
            .get(key)
            .is_none_or(|entry| now_ms >= entry.read_at_ms.saturating_add(REFRESH_GAP_MS))
    }

    /// Notes a read of D1 for `key` at `now_ms` that may not replace the entry (D1 failed and the
    /// entry stood in), so a forged flood during an outage still reads at most once per gap.
    pub fn note_read(&mut self, key: &K, now_ms: u64) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.read_at_ms = now_ms;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
