//! The public entry points: the batch `stitch` function and the incremental `Stitcher`.

use std::collections::{BTreeMap, btree_map::Entry};

use serde::{Deserialize, Serialize};
use tsunagu_core::TenantId;

use crate::{
    CallEvent, Conversation, EventIdentity, StitchWarning, event::IdentityRef, fold::fold,
    hash::FxHashSet,
};

/// The stitcher's answer for a set of events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stitched {
    /// One per customer contact, ordered by `started_at`, then id.
    pub conversations: Vec<Conversation>,
    /// Sorted and without repeats.
    pub warnings: Vec<StitchWarning>,
}

/// Stitches a batch of events into conversations.
///
/// A pure function of the *set* of events: any order and any number of repeats (by
/// [`EventIdentity`]) give the same output, because events are de-duplicated by identity and then
/// always walked in [`CallEvent::canonical_cmp`] order.
pub fn stitch(tenant: &TenantId, events: &[CallEvent]) -> Stitched {
    let mut sorted: Vec<&CallEvent> = events.iter().collect();
    sorted.sort_unstable_by(|a, b| a.canonical_cmp(b));
    // Walking in canonical order, the first delivery of each identity is the one to keep. The
    // set is only asked "seen?", never iterated, so hashing cannot leak into the output.
    let mut seen: FxHashSet<IdentityRef<'_>> =
        FxHashSet::with_capacity_and_hasher(sorted.len(), Default::default());
    sorted.retain(|event| seen.insert(event.identity_ref()));
    fold(tenant, sorted)
}

/// Whether [`Stitcher::ingest`] learned something new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    Inserted,
    /// An event with the same [`EventIdentity`] was already known (a webhook retry, a replay).
    Duplicate,
}

/// Accumulates events as they arrive; [`Stitcher::stitched`] always equals [`stitch`] over
/// everything ingested so far. Keep one per contact (or per day): each call re-folds the set.
#[derive(Debug, Clone)]
pub struct Stitcher {
    /// Whose calls these are: an agent's leg counts as theirs only if its client identity names
    /// this tenant.
    tenant: TenantId,
    events: BTreeMap<EventIdentity, CallEvent>,
}

impl Stitcher {
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            events: BTreeMap::new(),
        }
    }

    /// Adds one event. Of two deliveries with one identity the canonically first is kept, so the
    /// result never depends on which arrived first.
    pub fn ingest(&mut self, event: CallEvent) -> IngestOutcome {
        match self.events.entry(event.identity()) {
            Entry::Vacant(slot) => {
                slot.insert(event);
                IngestOutcome::Inserted
            }
            Entry::Occupied(mut slot) => {
                if event.canonical_cmp(slot.get()).is_lt() {
                    slot.insert(event);
                }
                IngestOutcome::Duplicate
            }
        }
    }

    /// How many distinct events are held.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The distinct events held, in identity order (what to persist to rebuild this stitcher).
    pub fn events(&self) -> impl Iterator<Item = &CallEvent> {
        self.events.values()
    }

    /// The conversations and warnings for everything ingested so far.
    pub fn stitched(&self) -> Stitched {
        fold(&self.tenant, self.events.values().collect())
    }
}
