//! IVR menus on live calls: a call on a line with a menu runs it (a `tsunagu_ivr::IvrCall` kept
//! with the call) before it is routed.
//!
//! ```text
//! CallArrived (line has a menu) ─▶ InMenu: Ask(prompt) ──MenuAnswered──▶ Ask(next) …
//!                                        │ the menu ends:
//!                                        ├─ Route{target} ─▶ skills/priority merged; routed as
//!                                        │                   any call (Team/Agent: that first)
//!                                        ├─ Transfer{number} ─▶ dial policy allows: TransferOut;
//!                                        │                      refuses: routed as Route{Default}
//!                                        └─ Voicemail / Hangup ─▶ MenuEnd(outcome)
//! ```
//!
//! The call's menu and its `CallState` are stored with the call (its `call/…` entry), so a
//! restored center asks the same question and takes the same answers. Every answer names the
//! question it answers ([`tsunagu_ivr::PromptId`]): a retried or stale webhook gets the current
//! plan and changes nothing. The path the caller took is recorded for the conversation
//! ([`tsunagu_stitch::MenuPassed`]) and shown in the screen pop.
//!
//! The menu's own deadline for a lost answer (the question's `deadline`) is not taken as a
//! no-input: Twilio's `<Redirect>` after each `<Gather>` reports that, and a new question could
//! only reach Twilio in a webhook's reply anyway. It is the call watchdog's clock instead: a menu
//! call unheard a minute past it lost its redirect and its hang-up callback, and is ended as if the
//! caller had hung up (`timers.rs`), so no call stays in a menu for ever.

use std::collections::BTreeMap;

use tsunagu_core::{InteractionId, Timestamp};
use tsunagu_interaction::{Event, ExternalNumber};
use tsunagu_ivr::{CallFacts, End, IvrCall, Outcome, PromptId, RouteTarget};
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_routing::{Ladder, Step, Target};
use tsunagu_stitch::{CallEventKind, ContactRef, MenuPassed, Transferred};

use crate::{
    CallPlan, Center, MenuAnswer,
    state::{CallMenu, Ending, Place},
};

impl Center {
    /// The IVR hook: the caller's answer to question `prompt` of call `interaction`.
    pub(crate) fn menu_answered(
        &mut self,
        now: Timestamp,
        interaction: &InteractionId,
        prompt: PromptId,
        answer: MenuAnswer,
    ) -> CallPlan {
        let now = self.begin(now);
        self.heard(now, interaction);
        self.answer_menu(now, interaction, prompt, answer);
        let plan = match self
            .calls
            .get(interaction)
            .filter(|call| call.web.is_none())
        {
            Some(call) => self.plan_of(call),
            None => self.unknown_call_plan(interaction.clone()),
        };
        let plan = self.serve(plan);
        self.finish();
        plan
    }

    /// Puts a call that just arrived into its line's menu.
    pub(crate) fn start_menu(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        menu: tsunagu_ivr::ValidMenu,
        customer_attributes: BTreeMap<String, String>,
    ) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        call.place = Place::InMenu;
        // The attributes live on in the menu's state (`CallState::facts`): a restored center
        // branches as the first one would have.
        let facts = CallFacts {
            hours: Some(
                self.config
                    .hours_of_line(call.called.as_deref())
                    .openness(now),
            ),
            attributes: customer_attributes,
        };
        let mut running = IvrCall::new(menu.clone());
        // A fresh machine always accepts `Start`.
        let _ = running.handle_input(now, tsunagu_ivr::Input::Start { facts });
        self.menu_moved(now, id, menu, running);
    }

    fn answer_menu(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        prompt: PromptId,
        answer: MenuAnswer,
    ) {
        let Some(call) = self.calls.get(id).filter(|call| call.web.is_none()) else {
            return;
        };
        let (Place::InMenu, Some(stored)) = (&call.place, call.menu.as_ref()) else {
            // The menu is over for this call: a late or repeated answer changes nothing.
            return;
        };
        let menu = stored.menu.clone();
        let mut running = IvrCall::restore(menu.clone(), stored.state.clone());
        let prompt = Some(prompt);
        let input = match answer {
            MenuAnswer::Digits { digits } => tsunagu_ivr::Input::Digits { prompt, digits },
            MenuAnswer::Speech {
                text,
                confidence_percent,
            } => tsunagu_ivr::Input::Speech {
                prompt,
                text,
                confidence: confidence_percent.map(|percent| f32::from(percent.min(100)) / 100.0),
            },
            MenuAnswer::NoInput => tsunagu_ivr::Input::NoInput { prompt },
        };
        if running.handle_input(now, input).is_err() {
            // Stale (an earlier question's retried webhook): the current question stands.
            return;
        }
        self.menu_moved(now, id, menu, running);
    }

    /// Stores where the caller is now, or acts on the menu's end.
    fn menu_moved(
        &mut self,
        now: Timestamp,
        id: &InteractionId,
        menu: tsunagu_ivr::ValidMenu,
        mut running: IvrCall,
    ) {
        while running.poll_output().is_some() {}
        self.journal.call(id);
        self.changed.insert(id.clone());
        let outcome = running.outcome().cloned();
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        match outcome {
            None => {
                call.menu = Some(CallMenu {
                    menu,
                    state: running.state().clone(),
                });
            }
            Some(outcome) => {
                call.menu = None;
                self.menu_finished(now, id, outcome);
            }
        }
    }

    /// The caller hung up while in the menu: the call is abandoned where it was.
    pub(crate) fn hung_up_in_menu(&mut self, now: Timestamp, id: &InteractionId) {
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let path = call
            .menu
            .take()
            .map(|menu| menu.state.path)
            .unwrap_or_default();
        let _ = call.interaction.handle(now, Event::CustomerHungUp);
        self.note_path(now, id, path);
        self.end(now, id, Ending::Abandoned);
    }

    fn menu_finished(&mut self, now: Timestamp, id: &InteractionId, outcome: Outcome) {
        self.note_path(now, id, outcome.path.clone());
        let transfer = match &outcome.end {
            End::Transfer { number } => self.allowed_transfer(number),
            _ => None,
        };
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let target = match &outcome.end {
            End::Route { target } => target.clone(),
            End::Transfer { .. } => match transfer {
                Some(number) => {
                    // No agent asked for this transfer: for the interaction, the call leaves
                    // the center for that number as a fallback does.
                    let _ = call.interaction.handle(
                        now,
                        Event::FallBack {
                            number: number.clone(),
                        },
                    );
                    self.record(CallEventKind::Transferred(Transferred {
                        contact: ContactRef::Interaction(id.clone()),
                        from_agent: None,
                        to: tsunagu_stitch::TransferTarget::Number(number.as_str().to_owned()),
                        new_call_sid: None,
                        at: now,
                    }));
                    self.end(now, id, Ending::TransferredOut { number });
                    return;
                }
                // The dial policy refuses the number: the caller is routed as usual instead.
                None => RouteTarget::Default,
            },
            End::Voicemail { .. } | End::Hangup { .. } => {
                let _ = call.interaction.handle(now, Event::CustomerHungUp);
                self.end(now, id, Ending::Menu { outcome });
                return;
            }
        };
        // Route: the menu's skills and priority join the line's (the higher level wins).
        for need in &outcome.skills {
            let level = call
                .requirements
                .skills
                .entry(need.skill.clone())
                .or_insert(need.min_level);
            *level = (*level).max(need.min_level);
        }
        call.requirements.priority = call
            .requirements
            .priority
            .max(outcome.priority.unwrap_or(0));
        call.place = Place::Queued;
        // What the menu said after its last question (`担当者におつなぎします。`) is said before
        // the first ring or the queue.
        call.say_first = outcome.say_first;
        // A queue the menu names (and the tenant has) takes over from the line's; the wait
        // there counts from now, not from the call's arrival.
        if let RouteTarget::Queue(queue) = &target
            && let Some(queue) =
                crate::QueueId::new(queue).filter(|queue| self.config.queue(queue).is_some())
        {
            call.queue = Some(queue);
        }
        // The caller waits for an agent from now: the menu's time is not counted against the
        // queue's longest wait or the skills' relaxation.
        call.waiting_since = Some(now);
        crate::queue_calls::join_requirements(&self.config, call);
        if let Some(relax_at) = call.relax_skills_at() {
            self.relax_waits.insert((relax_at, id.clone()));
        }
        let contact = call.contact(call.owner_team.clone());
        let first_step = match target {
            // A queue's ladder is the call's own (`Center::base_ladder`).
            RouteTarget::Default | RouteTarget::Queue(_) => None,
            RouteTarget::Team(team) => Some(Target::Team(team)),
            RouteTarget::Agent(agent) => Some(Target::Agents(vec![agent])),
        };
        let ladder = first_step.map(|target| self.ladder_from(id, target));
        self.route_arrived_along(now, id, contact, ladder.as_ref());
    }

    /// `target` first, then the call's ladder (its queue's or the tenant's), so a target nobody
    /// answers is not lost.
    pub(crate) fn ladder_from(&self, id: &InteractionId, target: Target) -> Ladder {
        let base = self.base_ladder(id);
        let timeout = base
            .steps
            .first()
            .map_or(self.config.presence.ring_no_answer, |step| step.timeout);
        let mut ladder = Ladder {
            steps: vec![Step { target, timeout }],
        };
        ladder.steps.extend(base.steps.iter().cloned());
        ladder
    }

    /// The menu's transfer number, if the tenant's dial policy lets the center dial it.
    fn allowed_transfer(&self, number: &str) -> Option<ExternalNumber> {
        let parsed = PhoneNumber::parse(number, Region::Jp).ok()?;
        self.config.dial_policy.check(&parsed, false).ok()?;
        ExternalNumber::new(parsed.as_e164()).ok()
    }

    /// Keeps the path for the screen pop and records it for the conversation.
    fn note_path(&mut self, now: Timestamp, id: &InteractionId, path: Vec<String>) {
        if let Some(call) = self.calls.get_mut(id) {
            call.ivr_path = Some(path.clone());
        }
        self.record(CallEventKind::MenuPassed(MenuPassed {
            contact: ContactRef::Interaction(id.clone()),
            at: now,
            path,
        }));
    }
}
