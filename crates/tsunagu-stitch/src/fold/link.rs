//! Linking: a union-find over calls and interactions. Two nodes are linked when an event says
//! they belong together (child and parent leg, interaction and root call, ...); each linked group
//! becomes one conversation.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node<'a> {
    Interaction(&'a InteractionId),
    Call(&'a CallSid),
}

impl<'a> Node<'a> {
    fn contact(contact: &'a ContactRef) -> Self {
        match contact {
            ContactRef::Interaction(id) => Node::Interaction(id),
            ContactRef::Call(sid) => Node::Call(sid),
        }
    }
}

pub(super) struct Graph<'a> {
    /// Only looked up, never iterated: node numbers follow the canonical event order.
    index: FxHashMap<Node<'a>, usize>,
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl<'a> Graph<'a> {
    pub(super) fn with_capacity(events: usize) -> Self {
        Self {
            index: FxHashMap::with_capacity_and_hasher(events, Default::default()),
            parent: Vec::with_capacity(events),
            size: Vec::with_capacity(events),
        }
    }

    fn node(&mut self, node: Node<'a>) -> usize {
        let next = self.parent.len();
        let id = *self.index.entry(node).or_insert(next);
        if id == next {
            self.parent.push(next);
            self.size.push(1);
        }
        id
    }

    pub(super) fn find(&mut self, mut node: usize) -> usize {
        // Path halving; every stored parent is a valid index, so the `get`s never miss.
        while let Some(&up) = self.parent.get(node) {
            if up == node {
                break;
            }
            let grand = self.parent.get(up).copied().unwrap_or(up);
            if let Some(slot) = self.parent.get_mut(node) {
                *slot = grand;
            }
            node = grand;
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let size_a = self.size.get(a).copied().unwrap_or(1);
        let size_b = self.size.get(b).copied().unwrap_or(1);
        let (big, small) = if size_a >= size_b { (a, b) } else { (b, a) };
        if let Some(slot) = self.parent.get_mut(small) {
            *slot = big;
        }
        if let Some(slot) = self.size.get_mut(big) {
            *slot = size_a + size_b;
        }
    }

    /// Adds `home` (and `other`, linked to it) and returns `home`'s index.
    fn place_at(&mut self, home: Node<'a>, other: Option<Node<'a>>) -> usize {
        let home = self.node(home);
        if let Some(other) = other {
            let other = self.node(other);
            self.union(home, other);
        }
        home
    }

    pub(super) fn place(&mut self, event: &'a CallEvent) -> usize {
        match &event.kind {
            CallEventKind::ConversationStarted(e) => self.place_at(
                Node::Interaction(&e.interaction),
                e.root_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::LegStatus(e) => self.place_at(
                Node::Call(&e.call_sid),
                e.parent_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::DialResult(e) => self.place_at(
                Node::Call(&e.parent_call_sid),
                e.dial_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Recording(e) => self.place_at(Node::Call(&e.call_sid), None),
            CallEventKind::Offered(e) => self.place_at(
                Node::contact(&e.contact),
                e.leg_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::AgentResponded(e) => self.place_at(
                Node::contact(&e.contact),
                e.leg_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Transferred(e) => self.place_at(
                Node::contact(&e.contact),
                e.new_call_sid.as_ref().map(Node::Call),
            ),
            CallEventKind::Queued(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::WrapUpEnded(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::Dequeued(e)
            | CallEventKind::Hold(e)
            | CallEventKind::Unhold(e)
            | CallEventKind::Ended(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::Routed(e) => self.place_at(Node::contact(&e.contact), None),
            CallEventKind::MenuPassed(e) => self.place_at(Node::contact(&e.contact), None),
        }
    }
}
