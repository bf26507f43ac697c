//! One call in a menu, as a sans-IO state machine with the project's contract: the shell feeds
//! [`Input`]s with the time (`handle_input`, `handle_timeout`), renders each [`Output`]
//! (`poll_output`) and wakes the machine at `poll_timeout`.
//!
//! ```text
//!   Idle ──Start{facts}──▶ runs say / branch / set-routing nodes ──▶ Asking{prompt} ──answer──▶ …
//!                                   │                                  │ no input / no fit:
//!                                   ▼                                  │ ask again (max_retries),
//!                             Done(Outcome) ◀── route, voicemail, ◀────┘ then on_failure
//!                                               transfer, hang-up
//! ```
//!
//! Nothing the caller or Twilio sends can make it panic or spin: answers to a prompt that is no
//! longer asked are refused as [`Rejected::Stale`] (a retried webhook), every gather is asked at
//! most `1 + max_retries` times in a row, a call asks at most [`MAX_PROMPTS_PER_CALL`] questions
//! (a menu may loop back, "press 9 to hear this again"; past the cap the call goes to the line's
//! usual routing), and validation has refused loops that ask nothing.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use tsunagu_calendar::Openness;
use tsunagu_core::Timestamp;
use tsunagu_routing::Skill;

use crate::menu::{
    DEFAULT_INVALID_PROMPT, DEFAULT_MIN_CONFIDENCE_PERCENT, DEFAULT_NO_INPUT_PROMPT, Gather,
    InputMode, NodeId, NodeKind, RouteTarget, SkillRequirement,
};
use crate::speech::{match_digits, match_speech, normalise};
use crate::validate::ValidMenu;

/// The most questions one call is asked, retries included.
pub const MAX_PROMPTS_PER_CALL: u32 = 20;
/// The most labels a path keeps (the screen pop is one line).
pub const MAX_PATH_LABELS: usize = 16;
/// Twilio starts a gather's timeout when its prompt has been said; the machine's own deadline
/// (for a caller whose answer never comes back, e.g. a lost webhook) allows this much per
/// character of speech, plus [`ANSWER_SLACK_MS`].
const MS_PER_SPOKEN_CHAR: u64 = 200;
const ANSWER_SLACK_MS: u64 = 15_000;

/// What the shell knows about the call when it starts (the branches read only these).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFacts {
    /// The line's business calendar now; `None` (not known) counts as open, the center's own
    /// business hours still apply after the menu.
    pub hours: Option<Openness>,
    /// The customer's attributes from the CRM (`plan` → `gold`); empty for an unknown caller.
    pub attributes: BTreeMap<String, String>,
}

/// Which question an answer is for: Twilio's request carries it in the action URL
/// (`?node=root&retry=1`), so an answer to an earlier question is recognised as stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptId {
    pub node: NodeId,
    /// How many times the call had come to this gather before (a menu may loop back to it).
    pub visit: u16,
    /// 0 the first time it is asked on a visit, then 1, 2, … for each retry.
    pub retry: u8,
}

/// Something that happened to the call.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The call reached the menu.
    Start { facts: CallFacts },
    /// Keys pressed (Twilio's `Digits`).
    Digits {
        prompt: Option<PromptId>,
        digits: String,
    },
    /// Speech recognised (Twilio's `SpeechResult`, `Confidence` from 0.0 to 1.0 when given).
    Speech {
        prompt: Option<PromptId>,
        text: String,
        confidence: Option<f32>,
    },
    /// The gather timed out without input (Twilio fell through to the `<Redirect>`).
    NoInput { prompt: Option<PromptId> },
    /// The caller hung up during the menu.
    CallerHungUp,
}

/// Why an input changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the call has not started the menu")]
    NotStarted,
    #[error("the call has already started the menu")]
    AlreadyStarted,
    #[error("the menu is over for this call")]
    Finished,
    /// An answer to a question that is no longer asked; the current one is `current`.
    #[error("an answer to an earlier question")]
    Stale { current: PromptId },
}

/// A question to render: `<Say>`s, then `<Gather>` with the question inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: PromptId,
    /// Said before the question: say nodes passed on the way, the no-input or no-fit sentence.
    pub say_first: Vec<String>,
    pub question: String,
    pub input: InputMode,
    /// Speech hints (the gather's own, else its choices' keywords).
    pub hints: Vec<String>,
    pub timeout_secs: u8,
}

/// How the menu ended for a call: what the center acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Labels of the choices and nodes passed (`請求`, `料金チーム`), for the screen pop.
    pub path: Vec<String>,
    /// Every skill a routing node required, each at its highest minimum level.
    pub skills: Vec<SkillRequirement>,
    /// The last priority a routing node set.
    pub priority: Option<u8>,
    /// Said before the end (say nodes passed after the last question).
    pub say_first: Vec<String>,
    pub end: End,
}

impl Outcome {
    /// The screen pop's line: `IVR: 請求 → 料金チーム` (`IVR: —` when nothing was labelled).
    pub fn screen_pop(&self) -> String {
        if self.path.is_empty() {
            "IVR: —".to_owned()
        } else {
            format!("IVR: {}", self.path.join(" → "))
        }
    }
}

/// What happens to the call after the menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum End {
    /// Route to agents (with `skills` and `priority`).
    Route { target: RouteTarget },
    /// Say `prompt`, record a message.
    Voicemail {
        prompt: String,
        max_length_secs: u16,
    },
    /// Dial `number` (E.164) if the tenant's dial policy allows it.
    Transfer { number: String },
    /// Say `text` (if any) and hang up.
    Hangup {
        text: Option<String>,
        reason: HangupReason,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HangupReason {
    /// A hang-up node of the menu.
    Menu,
    /// The caller hung up first.
    CallerHungUp,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Output {
    /// Ask this question (answer the webhook with its TwiML).
    Ask(Prompt),
    /// The menu is over.
    Finished(Outcome),
}

/// Where the call is; kept as data so the Durable Object can store it between webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Idle,
    Asking { prompt: Prompt, deadline: Timestamp },
    Done(Outcome),
}

/// Everything a call remembers (see [`IvrCall::state`] and [`IvrCall::restore`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallState {
    pub stage: Stage,
    pub facts: CallFacts,
    pub path: Vec<String>,
    pub skills: BTreeMap<Skill, u8>,
    pub priority: Option<u8>,
    pub prompts_asked: u32,
    /// Visits so far of each gather, for [`PromptId::visit`].
    pub visits: BTreeMap<NodeId, u16>,
    pub pending_says: Vec<String>,
}

/// One call in one menu.
#[derive(Debug, Clone)]
pub struct IvrCall {
    menu: ValidMenu,
    state: CallState,
    outputs: VecDeque<Output>,
}

/// Why a question is asked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    NoInput,
    NoFit,
}

impl IvrCall {
    pub fn new(menu: ValidMenu) -> Self {
        Self {
            menu,
            state: CallState {
                stage: Stage::Idle,
                facts: CallFacts::default(),
                path: Vec::new(),
                skills: BTreeMap::new(),
                priority: None,
                prompts_asked: 0,
                visits: BTreeMap::new(),
                pending_says: Vec::new(),
            },
            outputs: VecDeque::new(),
        }
    }

    /// A call restored from its stored state (outputs already taken are not repeated).
    pub fn restore(menu: ValidMenu, state: CallState) -> Self {
        Self {
            menu,
            state,
            outputs: VecDeque::new(),
        }
    }

    pub fn state(&self) -> &CallState {
        &self.state
    }

    /// The question being asked, to answer a stale or repeated webhook with it again.
    pub fn current_prompt(&self) -> Option<&Prompt> {
        match &self.state.stage {
            Stage::Asking { prompt, .. } => Some(prompt),
            _ => None,
        }
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.state.stage {
            Stage::Done(outcome) => Some(outcome),
            _ => None,
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When an unanswered question counts as no input.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        match &self.state.stage {
            Stage::Asking { deadline, .. } => Some(*deadline),
            _ => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Timestamp) {
        if self.poll_timeout().is_some_and(|deadline| now >= deadline) {
            self.miss(now, Miss::NoInput);
        }
    }

    pub fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Rejected> {
        match (&self.state.stage, input) {
            (Stage::Done(_), _) => Err(Rejected::Finished),
            (_, Input::CallerHungUp) => {
                self.finish(End::Hangup {
                    text: None,
                    reason: HangupReason::CallerHungUp,
                });
                Ok(())
            }
            (Stage::Idle, Input::Start { facts }) => {
                self.state.facts = facts;
                let start = self.menu.start().clone();
                self.run(now, start);
                Ok(())
            }
            (Stage::Idle, _) => Err(Rejected::NotStarted),
            (Stage::Asking { .. }, Input::Start { .. }) => Err(Rejected::AlreadyStarted),
            (Stage::Asking { prompt: asked, .. }, answer) => {
                let addressed = match &answer {
                    Input::Digits { prompt, .. }
                    | Input::Speech { prompt, .. }
                    | Input::NoInput { prompt } => prompt.as_ref(),
                    Input::Start { .. } | Input::CallerHungUp => None,
                };
                if addressed.is_some_and(|id| *id != asked.id) {
                    return Err(Rejected::Stale {
                        current: asked.id.clone(),
                    });
                }
                self.answer(now, answer);
                Ok(())
            }
        }
    }

    /// The gather being asked (the menu is valid, so it exists; if not, the call ends safely).
    fn asked_gather(&self) -> Option<&Gather> {
        let prompt = self.current_prompt()?;
        match &self.menu.node(&prompt.id.node)?.kind {
            NodeKind::Gather(gather) => Some(gather),
            _ => None,
        }
    }

    fn answer(&mut self, now: Timestamp, answer: Input) {
        let Some(gather) = self.asked_gather() else {
            self.finish_default();
            return;
        };
        let picked = match answer {
            Input::Digits { digits, .. } if gather.input.hears_digits() => {
                match digits.chars().count() {
                    0 => Err(Miss::NoInput),
                    1 => match_digits(&digits, &gather.choices).ok_or(Miss::NoFit),
                    _ => Err(Miss::NoFit),
                }
            }
            Input::Speech {
                text, confidence, ..
            } if gather.input.hears_speech() => {
                let floor = f32::from(
                    gather
                        .min_confidence_percent
                        .unwrap_or(DEFAULT_MIN_CONFIDENCE_PERCENT),
                ) / 100.0;
                if normalise(&text).is_empty() {
                    Err(Miss::NoInput)
                } else if confidence.is_some_and(|c| c.is_nan() || c < floor) {
                    Err(Miss::NoFit)
                } else {
                    match_speech(&text, &gather.choices).ok_or(Miss::NoFit)
                }
            }
            Input::NoInput { .. } => Err(Miss::NoInput),
            // Keys to a speech-only gather, speech to a keys-only one: not an answer it takes.
            _ => Err(Miss::NoFit),
        };
        match picked {
            Ok(index) => {
                let Some(choice) = gather.choices.get(index) else {
                    self.finish_default();
                    return;
                };
                let (label, next) = (choice.label.clone(), choice.next.clone());
                push_label(&mut self.state.path, label);
                self.run(now, next);
            }
            Err(miss) => self.miss(now, miss),
        }
    }

    /// No answer, or one that fits nothing: ask again, or give up to `on_failure`.
    fn miss(&mut self, now: Timestamp, miss: Miss) {
        let Some(gather) = self.asked_gather() else {
            self.finish_default();
            return;
        };
        let Some(asked) = self.current_prompt() else {
            return;
        };
        let (node, visit, retry) = (
            asked.id.node.clone(),
            asked.id.visit,
            asked.id.retry.saturating_add(1),
        );
        if retry > gather.max_retries.unwrap_or(0) {
            let on_failure = gather.on_failure.clone();
            push_label(
                &mut self.state.path,
                match miss {
                    Miss::NoInput => "入力なし".to_owned(),
                    Miss::NoFit => "選択不明".to_owned(),
                },
            );
            self.run(now, on_failure);
            return;
        }
        let sentence = match miss {
            Miss::NoInput => gather.no_input_prompt.as_deref(),
            Miss::NoFit => gather.invalid_prompt.as_deref(),
        }
        .unwrap_or(match miss {
            Miss::NoInput => DEFAULT_NO_INPUT_PROMPT,
            Miss::NoFit => DEFAULT_INVALID_PROMPT,
        })
        .to_owned();
        self.state.pending_says.push(sentence);
        self.ask(now, node, visit, retry);
    }

    /// Follows the menu from `id` until a question or an end. Validation refused loops that ask
    /// nothing, so this takes at most one step per node; the budget only guards against a menu
    /// that was not validated the same way (an older build's), never an input.
    fn run(&mut self, now: Timestamp, mut id: NodeId) {
        let budget = self.menu.menu().nodes.len() + 1;
        for _ in 0..budget {
            let Some(node) = self.menu.node(&id) else {
                break;
            };
            if let Some(label) = node.label.clone() {
                push_label(&mut self.state.path, label);
            }
            let next = match &node.kind {
                NodeKind::Say { text, next } => {
                    self.state.pending_says.push(text.clone());
                    next.clone()
                }
                NodeKind::Gather(_) => {
                    if self.state.prompts_asked >= MAX_PROMPTS_PER_CALL {
                        break;
                    }
                    let visits = self.state.visits.entry(id.clone()).or_insert(0);
                    let visit = *visits;
                    *visits = visits.saturating_add(1);
                    self.ask(now, id, visit, 0);
                    return;
                }
                NodeKind::BranchHours { open, closed } => match &self.state.facts.hours {
                    Some(Openness::Closed { because }) => {
                        let (closed, reason) = (closed.clone(), because.ja());
                        push_label(&mut self.state.path, reason);
                        closed
                    }
                    Some(Openness::Open) | None => open.clone(),
                },
                NodeKind::BranchAttribute {
                    attribute,
                    cases,
                    otherwise,
                } => {
                    // Stored attributes are trimmed (`tsunagu_core::attribute_key`).
                    let value = self.state.facts.attributes.get(attribute.trim());
                    cases
                        .iter()
                        .find(|case| value.is_some_and(|value| value == case.equals.trim()))
                        .map_or(otherwise, |case| &case.next)
                        .clone()
                }
                NodeKind::SetRouting {
                    skills,
                    priority,
                    next,
                } => {
                    for requirement in skills {
                        let level = self
                            .state
                            .skills
                            .entry(requirement.skill.clone())
                            .or_insert(requirement.min_level);
                        *level = (*level).max(requirement.min_level);
                    }
                    if priority.is_some() {
                        self.state.priority = *priority;
                    }
                    next.clone()
                }
                NodeKind::Route { target } => {
                    let target = target.clone();
                    return self.finish(End::Route { target });
                }
                NodeKind::Voicemail {
                    prompt,
                    max_length_secs,
                } => {
                    let end = End::Voicemail {
                        prompt: prompt.clone(),
                        max_length_secs: *max_length_secs,
                    };
                    return self.finish(end);
                }
                NodeKind::Transfer { number } => {
                    let end = End::Transfer {
                        number: number.clone(),
                    };
                    return self.finish(end);
                }
                NodeKind::Hangup { text } => {
                    let end = End::Hangup {
                        text: text.clone(),
                        reason: HangupReason::Menu,
                    };
                    return self.finish(end);
                }
            };
            id = next;
        }
        self.finish_default();
    }

    fn ask(&mut self, now: Timestamp, node: NodeId, visit: u16, retry: u8) {
        let Some(NodeKind::Gather(gather)) = self.menu.node(&node).map(|n| &n.kind) else {
            self.finish_default();
            return;
        };
        let hints = if gather.hints.is_empty() {
            let mut hints: Vec<String> = Vec::new();
            for keyword in gather.choices.iter().flat_map(|c| &c.keywords) {
                if !hints.contains(keyword) {
                    hints.push(keyword.clone());
                }
            }
            hints
        } else {
            gather.hints.clone()
        };
        let timeout_secs = gather.timeout_secs.unwrap_or(5);
        let prompt = Prompt {
            id: PromptId { node, visit, retry },
            say_first: std::mem::take(&mut self.state.pending_says),
            question: gather.prompt.clone(),
            input: gather.input,
            hints,
            timeout_secs,
        };
        let spoken = prompt
            .say_first
            .iter()
            .chain([&prompt.question])
            .map(|text| text.chars().count() as u64)
            .sum::<u64>();
        let wait = spoken * MS_PER_SPOKEN_CHAR + u64::from(timeout_secs) * 1000 + ANSWER_SLACK_MS;
        self.state.prompts_asked += 1;
        self.outputs.push_back(Output::Ask(prompt.clone()));
        self.state.stage = Stage::Asking {
            prompt,
            deadline: Timestamp(now.0.saturating_add(wait)),
        };
    }

    /// The line's usual routing: where a call goes when the menu cannot go on.
    fn finish_default(&mut self) {
        self.finish(End::Route {
            target: RouteTarget::Default,
        });
    }

    fn finish(&mut self, end: End) {
        let outcome = Outcome {
            path: self.state.path.clone(),
            skills: self
                .state
                .skills
                .iter()
                .map(|(skill, &min_level)| SkillRequirement {
                    skill: skill.clone(),
                    min_level,
                })
                .collect(),
            priority: self.state.priority,
            say_first: std::mem::take(&mut self.state.pending_says),
            end,
        };
        self.outputs.push_back(Output::Finished(outcome.clone()));
        self.state.stage = Stage::Done(outcome);
    }
}

fn push_label(path: &mut Vec<String>, label: String) {
    if path.len() < MAX_PATH_LABELS {
        path.push(label);
    }
}
