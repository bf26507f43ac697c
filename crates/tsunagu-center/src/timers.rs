//! The center's clock: when the next timer is due, and every due timer applied at its own time
//! (presence deadlines, web calls' waits, skill relaxation, the roster broadcast) plus the
//! watchdog that ends connected calls, and calls in an IVR menu, Twilio went silent about.

use tsunagu_core::{InteractionId, Millis, Timestamp};

use crate::{
    Center, Output,
    state::{CallEntry, Place},
};

/// How long past an IVR question's own deadline (its speech, its gather timeout and 15 s of
/// slack: `tsunagu_ivr`) a menu call may stay unheard before the watchdog takes the caller as
/// gone. Generous on purpose: ending a live caller's menu is worse than keeping a ghost a minute.
pub(crate) const MENU_SILENCE_GRACE: Millis = Millis::from_secs(60);

impl Center {
    /// When [`Input::Timeout`](crate::Input::Timeout) is due next, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let timer = self.timers.first().map(|(at, _)| *at);
        let web_wait = self.web_waits.first().map(|(at, _)| *at);
        let relax = self.relax_waits.first().map(|(at, _)| *at);
        let watchdog = self
            .calls
            .values()
            .filter_map(|call| self.watchdog_at(call))
            .min();
        [timer, self.flush_at, web_wait, relax, watchdog]
            .into_iter()
            .flatten()
            .min()
    }

    /// Applies every timer due by `now`, each at its own time: presence deadlines (offer
    /// acknowledgement and ring, wrap-up, disconnect grace), web calls waiting for their widget
    /// and the roster broadcast.
    pub(crate) fn handle_timeout(&mut self, now: Timestamp) {
        self.begin(now);
        self.finish();
    }

    /// When the watchdog gives up on `call`: a connected phone call, `call_watchdog` after
    /// Twilio last said anything about it; a call in an IVR menu, [`MENU_SILENCE_GRACE`] after
    /// the question's own deadline passed unanswered (Twilio redirects the moment a gather times
    /// out, so a menu call that silent has lost both its redirect and its hang-up callback).
    /// (A scan of the calls, not a timer set: a few thousand calls cost microseconds, and no
    /// stored or derived state can disagree with it.)
    pub(crate) fn watchdog_at(&self, call: &CallEntry) -> Option<Timestamp> {
        if call.call_sid.is_none() || call.web.is_some() || call.hung_up {
            return None;
        }
        match call.place {
            Place::Connected { .. } => {
                Some(call.last_heard.unwrap_or(call.arrived_at) + self.config.call_watchdog)
            }
            Place::InMenu => match &call.menu.as_ref()?.state.stage {
                tsunagu_ivr::Stage::Asking { deadline, .. } => Some(*deadline + MENU_SILENCE_GRACE),
                _ => None,
            },
            Place::Ringing { .. } | Place::Queued | Place::Ended { .. } => None,
        }
    }

    /// Ends, as if the caller had hung up, every connected call the watchdog gave up on: its
    /// hang-up callback was lost, and its agent must not stay on a call for ever.
    pub(crate) fn end_silent_calls(&mut self, now: Timestamp) {
        let silent: Vec<InteractionId> = self
            .calls
            .iter()
            .filter(|(_, call)| self.watchdog_at(call).is_some_and(|at| at <= now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in silent {
            self.outputs.push_back(Output::CallWatchdog {
                interaction: id.clone(),
            });
            self.caller_left(now, &id);
        }
    }

    /// Twilio said something about call `id` at `now` (the watchdog counts from here). Only a
    /// connected call is watched, so only its entry is rewritten (a queued call's polls would
    /// otherwise cost a storage write each).
    pub(crate) fn heard(&mut self, now: Timestamp, id: &InteractionId) {
        if let Some(call) = self.calls.get_mut(id)
            && matches!(call.place, Place::Connected { .. })
            && call.last_heard != Some(now)
        {
            call.last_heard = Some(now);
            self.journal.call(id);
        }
    }

    pub(crate) fn run_due(&mut self, now: Timestamp) {
        // Presence deadlines always move forward when applied; the bound only guarantees that a
        // broken invariant could never hang the shell.
        let mut budget = self
            .agents
            .len()
            .saturating_add(self.web_waits.len())
            .saturating_add(self.relax_waits.len())
            .saturating_mul(8)
            .saturating_add(64);
        while budget > 0 {
            budget -= 1;
            let timer = self.timers.first().cloned();
            let web_wait = self.web_waits.first().cloned();
            let first_timer = timer.as_ref().map(|(at, _)| *at);
            // A call's skill relaxation, like a web call's wait, at its own time.
            if let Some((at, id)) = self.relax_waits.first().cloned()
                && at <= now
                && first_timer.is_none_or(|timer_at| at < timer_at)
                && self.flush_at.is_none_or(|flush_at| at <= flush_at)
                && web_wait.as_ref().is_none_or(|(web_at, _)| at <= *web_at)
            {
                self.relax_waits.remove(&(at, id.clone()));
                self.relax_wait_over(at, &id);
                continue;
            }
            match (web_wait, self.flush_at) {
                // A web call's wait ends at its own time: before a later presence deadline or
                // broadcast, and after an earlier or equal one.
                (Some((at, id)), flush)
                    if at <= now
                        && first_timer.is_none_or(|timer_at| at < timer_at)
                        && flush.is_none_or(|flush_at| at <= flush_at) =>
                {
                    self.web_waits.remove(&(at, id.clone()));
                    self.web_wait_over(at, &id);
                    continue;
                }
                _ => {}
            }
            match (timer, self.flush_at) {
                (Some((at, agent)), flush)
                    if at <= now && flush.is_none_or(|flush_at| at <= flush_at) =>
                {
                    self.timers.remove(&(at, agent.clone()));
                    self.deadlines.remove(&agent);
                    if let Some(entry) = self.agents.get_mut(&agent) {
                        entry.presence.handle_timeout(at);
                    }
                    self.drain_presence(&agent);
                }
                (_, Some(flush_at)) if flush_at <= now => self.flush_roster(),
                _ => break,
            }
        }
    }
}
