//! The waiting line: per channel, ordered by priority (highest first), then arrival, then id.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, BTreeSet},
};

use tsunagu_core::{Channel, InteractionId, Timestamp};

use crate::Contact;

/// A contact's place in line; the derived order is the serving order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct QueueKey {
    urgency: Reverse<u8>,
    arrived_at: Timestamp,
    pub(crate) id: InteractionId,
}

impl QueueKey {
    pub(crate) fn of(contact: &Contact) -> Self {
        Self {
            urgency: Reverse(contact.priority),
            arrived_at: contact.arrived_at,
            id: contact.id.clone(),
        }
    }
}

/// One line per channel: a caller waits behind other calls, not behind emails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Queue {
    by_channel: BTreeMap<Channel, BTreeSet<QueueKey>>,
}

impl Queue {
    pub(crate) fn insert(&mut self, channel: Channel, key: QueueKey) {
        self.by_channel.entry(channel).or_default().insert(key);
    }

    pub(crate) fn remove(&mut self, channel: Channel, key: &QueueKey) {
        if let Some(line) = self.by_channel.get_mut(&channel) {
            line.remove(key);
            if line.is_empty() {
                self.by_channel.remove(&channel);
            }
        }
    }

    /// One-based position `key` has (or would have) in its line. O(position): a `BTreeSet` has no
    /// rank query, and lines are short next to the cost of announcing the number.
    pub(crate) fn rank(&self, channel: Channel, key: &QueueKey) -> usize {
        self.by_channel
            .get(&channel)
            .map_or(0, |line| line.range(..key).count())
            + 1
    }

    pub(crate) fn len(&self, channel: Channel) -> usize {
        self.by_channel.get(&channel).map_or(0, BTreeSet::len)
    }

    pub(crate) fn total(&self) -> usize {
        self.by_channel.values().map(BTreeSet::len).sum()
    }

    /// The line of `channel`, head first.
    pub(crate) fn line(&self, channel: Channel) -> impl Iterator<Item = &QueueKey> {
        self.by_channel.get(&channel).into_iter().flatten()
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, channel: Channel, key: &QueueKey) -> bool {
        self.by_channel
            .get(&channel)
            .is_some_and(|line| line.contains(key))
    }
}
