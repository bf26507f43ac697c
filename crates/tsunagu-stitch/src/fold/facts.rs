//! Sorting one linked group's events by what they say (starts, legs, dials, recordings, offers,
//! marks, ...), and the warnings for a group nothing anchors.

use super::*;

#[derive(Default)]
pub(super) struct LegFacts<'a> {
    pub(super) statuses: Vec<&'a LegStatus>,
    pub(super) dial: Option<&'a DialResult>,
}

#[derive(Default)]
pub(super) struct Facts<'a> {
    pub(super) starts: Vec<&'a ConversationStarted>,
    pub(super) legs: BTreeMap<&'a CallSid, LegFacts<'a>>,
    pub(super) dials: Vec<&'a DialResult>,
    pub(super) recordings: BTreeMap<&'a RecordingSid, Vec<&'a RecordingUpdate>>,
    pub(super) offers: Vec<&'a Offered>,
    pub(super) responses: Vec<&'a AgentResponded>,
    /// `(at, true)` for queued, `(at, false)` for dequeued.
    pub(super) queue_marks: Vec<(Timestamp, bool)>,
    pub(super) queue_names: Vec<&'a str>,
    /// `(at, true)` for hold, `(at, false)` for unhold.
    pub(super) hold_marks: Vec<(Timestamp, bool)>,
    pub(super) transfers: Vec<&'a Transferred>,
    pub(super) wrap_ups: Vec<&'a WrapUpEnded>,
    pub(super) ended_marks: Vec<Timestamp>,
    pub(super) routings: Vec<&'a Routed>,
    pub(super) menus: Vec<&'a MenuPassed>,
    /// Application events by the contact they name, for warnings when nothing anchors them.
    pub(super) app_contacts: Vec<(&'a ContactRef, &'static str)>,
    pub(super) earliest: Option<Timestamp>,
}

impl<'a> Facts<'a> {
    pub(super) fn collect(events: &[&'a CallEvent]) -> Self {
        let mut facts = Facts::default();
        for event in events {
            facts.earliest = Some(facts.earliest.map_or(event.at(), |t| t.min(event.at())));
            match &event.kind {
                CallEventKind::ConversationStarted(e) => facts.starts.push(e),
                CallEventKind::LegStatus(e) => {
                    facts.legs.entry(&e.call_sid).or_default().statuses.push(e);
                }
                CallEventKind::DialResult(e) => {
                    facts.dials.push(e);
                    if let Some(dialled) = &e.dial_call_sid {
                        let leg = facts.legs.entry(dialled).or_default();
                        // Canonical order: the first one seen is the one kept.
                        leg.dial.get_or_insert(e);
                    }
                }
                CallEventKind::Recording(e) => {
                    facts
                        .recordings
                        .entry(&e.recording_sid)
                        .or_default()
                        .push(e);
                }
                CallEventKind::Offered(e) => {
                    facts.offers.push(e);
                    facts.app_contacts.push((&e.contact, "offer"));
                }
                CallEventKind::AgentResponded(e) => {
                    facts.responses.push(e);
                    facts.app_contacts.push((&e.contact, "agent response"));
                }
                CallEventKind::Queued(e) => {
                    facts.queue_marks.push((e.at, true));
                    if let Some(name) = &e.queue {
                        facts.queue_names.push(name);
                    }
                    facts.app_contacts.push((&e.contact, "queued"));
                }
                CallEventKind::Dequeued(e) => {
                    facts.queue_marks.push((e.at, false));
                    facts.app_contacts.push((&e.contact, "dequeued"));
                }
                CallEventKind::Hold(e) => {
                    facts.hold_marks.push((e.at, true));
                    facts.app_contacts.push((&e.contact, "hold"));
                }
                CallEventKind::Unhold(e) => {
                    facts.hold_marks.push((e.at, false));
                    facts.app_contacts.push((&e.contact, "unhold"));
                }
                CallEventKind::Transferred(e) => {
                    facts.transfers.push(e);
                    facts.app_contacts.push((&e.contact, "transfer"));
                }
                CallEventKind::WrapUpEnded(e) => {
                    facts.wrap_ups.push(e);
                    facts.app_contacts.push((&e.contact, "wrap-up"));
                }
                CallEventKind::Ended(e) => {
                    facts.ended_marks.push(e.at);
                    facts.app_contacts.push((&e.contact, "end"));
                }
                CallEventKind::Routed(e) => {
                    facts.routings.push(e);
                    facts.app_contacts.push((&e.contact, "routing decision"));
                }
                CallEventKind::MenuPassed(e) => {
                    facts.menus.push(e);
                    facts.app_contacts.push((&e.contact, "IVR path"));
                }
            }
        }
        facts
    }

    /// The parent a leg's callbacks name (the first that names one).
    pub(super) fn parent_of(leg: &LegFacts<'a>) -> Option<&'a CallSid> {
        leg.statuses
            .iter()
            .find_map(|status| status.parent_call_sid.as_ref())
    }

    /// A group is a conversation once something says where it starts: the worker's
    /// `ConversationStarted`, or a callback of a leg without a parent (a root leg).
    pub(super) fn is_anchored(&self) -> bool {
        !self.starts.is_empty()
            || self
                .legs
                .values()
                .any(|leg| !leg.statuses.is_empty() && Self::parent_of(leg).is_none())
    }

    pub(super) fn warn_unplaced(&self, warnings: &mut BTreeSet<StitchWarning>) {
        for (call_sid, leg) in &self.legs {
            if let Some(parent) = Self::parent_of(leg) {
                warnings.insert(StitchWarning::UnknownParent {
                    call_sid: (*call_sid).clone(),
                    parent_call_sid: parent.clone(),
                });
            }
        }
        for dial in &self.dials {
            warnings.insert(StitchWarning::DialResultForUnknownCall {
                parent_call_sid: dial.parent_call_sid.clone(),
                dial_call_sid: dial.dial_call_sid.clone(),
            });
        }
        for updates in self.recordings.values() {
            for update in updates {
                warnings.insert(StitchWarning::RecordingForUnknownCall {
                    recording_sid: update.recording_sid.clone(),
                    call_sid: update.call_sid.clone(),
                });
            }
        }
        for (contact, event) in &self.app_contacts {
            warnings.insert(StitchWarning::UnknownContact {
                contact: (*contact).clone(),
                event: (*event).to_owned(),
            });
        }
    }
}
