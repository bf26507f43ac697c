//! How a call's named queue steers it: the ladder it is routed by, its place among that queue's
//! callers, what waiting callers hear, what happens once it waited the queue's longest, and a
//! line's after-hours rule.

use tsunagu_core::{InteractionId, Millis, Timestamp};
use tsunagu_interaction::{Event, ExternalNumber};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_routing::{ContactState, Ladder};
use tsunagu_stitch::{CallEventKind, ContactRef, Mark};

use crate::{
    AfterHours, CallPlan, Center, FallbackReason, Overflow, VoicemailRule,
    queue_id::QueueId,
    queues::{DEFAULT_AFTER_HOURS_VOICEMAIL_PROMPT, DEFAULT_VOICEMAIL_PROMPT},
    state::{CallEntry, Ending, Place},
};

impl Center {
    /// The queue call `id` waits in, if it has one the tenant still has.
    pub(crate) fn queue_of(&self, id: &InteractionId) -> Option<&crate::CallQueue> {
        let queue = self.calls.get(id)?.queue.as_ref()?;
        self.config.queue(queue)
    }

    /// The ladder call `id` is routed by: its queue's, else the tenant's.
    pub(crate) fn base_ladder(&self, id: &InteractionId) -> &Ladder {
        self.queue_of(id)
            .and_then(|queue| queue.ladder.as_ref())
            .unwrap_or(&self.config.ladder)
    }

    /// Where call `id` goes once it has waited its queue's longest at `now`; `None` while it may
    /// wait on (or waits for ever). Web calls wait by `max_web_queue_wait` instead, and a caller
    /// waiting for a callback keeps their place until someone calls.
    pub(crate) fn overflow_due(&self, id: &InteractionId, now: Timestamp) -> Option<Overflow> {
        let call = self.calls.get(id)?;
        if call.web.is_some() || call.callback.is_some() {
            return None;
        }
        let queue = self.queue_of(id);
        let longest = queue
            .and_then(|queue| queue.max_wait)
            .unwrap_or(self.config.max_wait);
        let since = call.waiting_since.unwrap_or(call.arrived_at);
        if now.saturating_since(since) < longest {
            return None;
        }
        match queue.map_or(Overflow::TenantFallback, |queue| queue.overflow.clone()) {
            Overflow::KeepWaiting => None,
            Overflow::TenantFallback if self.config.fallback_numbers.is_empty() => None,
            overflow => Some(overflow),
        }
    }

    /// The call enters its queue (at the end of its menu, on an overflow): the queue's skills
    /// and priority join the call's; a skill wait it now has is timed.
    pub(crate) fn join_queue_requirements(&mut self, id: &InteractionId) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        join_requirements(&self.config, call);
        if let Some(relax_at) = call.relax_skills_at() {
            self.relax_waits.insert((relax_at, id.clone()));
        }
        self.journal.call(id);
    }

    /// Sends call `id`, which the router no longer holds, where `overflow` says.
    pub(crate) fn overflow(&mut self, now: Timestamp, id: &InteractionId, overflow: Overflow) {
        let reason = FallbackReason::NoAnswerWithinLimit;
        match overflow {
            Overflow::TenantFallback | Overflow::KeepWaiting => self.fall_back(now, id, reason),
            Overflow::Forward { numbers } => self.fall_back_to(now, id, reason, numbers),
            Overflow::Voicemail(rule) => {
                self.take_message(now, id, &rule, DEFAULT_VOICEMAIL_PROMPT)
            }
            Overflow::Queue { queue } => {
                let Some(call) = self.calls.get_mut(id) else {
                    return;
                };
                call.queue = Some(queue);
                call.waiting_since = Some(now);
                call.place = Place::Queued;
                self.join_queue_requirements(id);
                let Some(call) = self.calls.get(id) else {
                    return;
                };
                let contact = call.contact(call.owner_team.clone());
                self.journal.call(id);
                self.changed.insert(id.clone());
                // Routed as on arrival: a queue closed now goes by its after-hours rule.
                self.route_arrived(now, id, contact);
            }
        }
    }

    /// The calendar call `id` is answered by: its queue's, if the queue keeps hours of its own,
    /// else its line's, else the tenant's.
    pub(crate) fn hours_of_call(&self, id: &InteractionId) -> &crate::BusinessCalendar {
        if let Some(hours) = self.queue_of(id).and_then(|queue| queue.hours.as_ref()) {
            return hours;
        }
        let called = self.calls.get(id).and_then(|call| call.called.as_deref());
        self.config.hours_of_line(called)
    }

    /// A call to a closed line or queue: the queue's after-hours rule, else its line's, else the
    /// tenant's fallback numbers, else the closed announcement.
    pub(crate) fn close_call(&mut self, now: Timestamp, id: &InteractionId) {
        let line = self.calls.get(id).and_then(|call| call.called.clone());
        let rule = self
            .queue_of(id)
            .and_then(|queue| queue.after_hours.clone())
            .or_else(|| line.and_then(|line| self.config.line_after_hours.get(&line).cloned()));
        match rule {
            Some(AfterHours::Announce) => self.end(now, id, Ending::Closed),
            Some(AfterHours::Voicemail(rule)) => {
                self.take_message(now, id, &rule, DEFAULT_AFTER_HOURS_VOICEMAIL_PROMPT);
            }
            Some(AfterHours::Forward { numbers }) => {
                self.fall_back_to(now, id, FallbackReason::AfterHours, numbers);
            }
            None if self.config.fallback_numbers.is_empty() => self.end(now, id, Ending::Closed),
            None => self.fall_back(now, id, FallbackReason::AfterHours),
        }
    }

    /// The caller leaves a message: the call ends for the center with the recording's prompt.
    fn take_message(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        rule: &VoicemailRule,
        default_prompt: &str,
    ) {
        if let Some(call) = self.calls.get_mut(id) {
            // For the interaction nobody answered: the caller leaves, as from an IVR voicemail.
            let _ = call.interaction.handle(now, Event::CustomerHungUp);
            self.journal.call(id);
        }
        self.end(
            now,
            id,
            Ending::Menu {
                outcome: rule.outcome(default_prompt),
            },
        );
    }

    /// Call `id`'s place among the callers of its own queue (one-based): callers of other
    /// queues, who wait for other agents, are not counted.
    /// A call whose queue was deleted while it waited counts as waiting in the tenant's line.
    pub(crate) fn position_in_queue(&self, id: &InteractionId) -> usize {
        let Some(call) = self.calls.get(id) else {
            return 1;
        };
        // Without named queues every caller waits in the tenant's one line: the router's own
        // rank, without a lookup per caller ahead (with thousands waiting, that walk was a tenth
        // of the hub's CPU per call).
        if self.config.queues.is_empty()
            && let Some(ContactState::Queued { position, .. }) = self.router.contact_state(id)
        {
            return position;
        }
        let queue = self.waits_in(call);
        let mut position = 1;
        for other in self.router.queued(call.channel()) {
            if other == id {
                return position;
            }
            if self
                .calls
                .get(other)
                .is_some_and(|other| self.waits_in(other) == queue)
            {
                position += 1;
            }
        }
        position
    }

    /// The named queue `call` waits in: its own, while the tenant still has it.
    fn waits_in<'a>(&self, call: &'a CallEntry) -> Option<&'a QueueId> {
        call.queue
            .as_ref()
            .filter(|queue| self.config.queues.contains_key(*queue))
    }

    /// The answer to a waitUrl poll while the call waits: its place (if the queue says it), the
    /// queue's music, and its callback key (when the caller's number can be called back).
    pub(crate) fn hold_plan(
        &self,
        id: &InteractionId,
        position: usize,
        waited: Millis,
    ) -> CallPlan {
        let queue = self.queue_of(id);
        let callback_digit = queue.and_then(|queue| queue.callback_digit).filter(|_| {
            self.calls
                .get(id)
                .is_some_and(|call| self.can_call_back(call).is_some())
        });
        CallPlan::Hold {
            interaction: id.clone(),
            position,
            waited,
            announce_position: queue.is_none_or(|queue| queue.announce_position),
            music: queue.and_then(|queue| queue.hold_music_url.clone()),
            callback_digit,
        }
    }

    /// The number call `id` would be called back on: the caller's, if the dial policy lets an
    /// agent dial it (anonymous and premium-rate callers are never offered the callback).
    pub(crate) fn can_call_back(&self, call: &CallEntry) -> Option<ExternalNumber> {
        let number = call.caller_number.as_deref()?;
        let parsed = PhoneNumber::parse(number, Region::Jp).ok()?;
        self.config.dial_policy.check(&parsed, false).ok()?;
        ExternalNumber::new(parsed.as_e164()).ok()
    }

    /// Records that call `id` left the router's line (an overflow, a callback booked).
    pub(crate) fn record_dequeued(&mut self, now: Timestamp, id: &InteractionId) {
        self.record(CallEventKind::Dequeued(Mark {
            contact: ContactRef::Interaction(id.clone()),
            at: now,
        }));
    }
}

/// Joins the skills and priority of `call`'s queue to the call's own (the higher level and
/// priority win); skills the call did not need before relax after the default wait.
pub(crate) fn join_requirements(config: &crate::CenterConfig, call: &mut CallEntry) {
    let Some(queue) = call.queue.as_ref().and_then(|queue| config.queue(queue)) else {
        return;
    };
    let requirements = &mut call.requirements;
    for (skill, level) in &queue.required_skills {
        let at_least = requirements.skills.entry(skill.clone()).or_insert(*level);
        *at_least = (*at_least).max(*level);
    }
    requirements.priority = requirements.priority.max(queue.priority);
    if !requirements.skills.is_empty() && requirements.relax_after.is_none() {
        requirements.relax_after = Some(crate::CallRequirements::DEFAULT_RELAX_AFTER);
    }
}
