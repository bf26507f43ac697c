//! Properties: any answers end a call within the configured retries; validation accepts exactly
//! the menus whose graph is sound (checked here by an independent transitive closure); nothing
//! panics on any input.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tsunagu_calendar::{ClosedBecause, Openness};
use tsunagu_core::Timestamp;

use super::{T0, demo_menu};
use crate::menu::MAX_RETRIES;
use crate::{
    CallFacts, Choice, Gather, Input, InputMode, IvrCall, MAX_PROMPTS_PER_CALL, Menu, Node, NodeId,
    NodeKind, Output, PromptId, RouteTarget, ValidMenu,
};

/// An answer to whatever is being asked (not addressed to a prompt, so never stale).
fn answer() -> impl Strategy<Value = Input> {
    prop_oneof![
        "[0-9*#A]{0,3}".prop_map(|digits| Input::Digits {
            prompt: None,
            digits
        }),
        (
            prop_oneof![
                Just("請求".to_owned()),
                Just("予約したい".to_owned()),
                Just("解約".to_owned()),
                Just("もう一度".to_owned()),
                Just("１".to_owned()),
                any::<String>(),
            ],
            proptest::option::of(any::<f32>()),
        )
            .prop_map(|(text, confidence)| Input::Speech {
                prompt: None,
                text,
                confidence
            }),
        Just(Input::NoInput { prompt: None }),
    ]
}

/// Anything at all, stale prompt ids and repeated starts included.
fn anything() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => answer(),
        1 => Just(Input::Start { facts: CallFacts::default() }),
        1 => Just(Input::CallerHungUp),
        1 => ("[a-z]{1,5}", any::<u16>(), any::<u8>()).prop_map(|(node, visit, retry)| {
            Input::NoInput {
                prompt: Some(PromptId { node: NodeId::new(node), visit, retry }),
            }
        }),
    ]
}

fn facts() -> impl Strategy<Value = CallFacts> {
    (any::<bool>(), proptest::option::of("gold|silver")).prop_map(|(open, plan)| CallFacts {
        hours: Some(if open {
            Openness::Open
        } else {
            Openness::Closed {
                because: ClosedBecause::OutsideHours,
            }
        }),
        attributes: plan
            .map(|plan| BTreeMap::from([("plan".to_owned(), plan)]))
            .unwrap_or_default(),
    })
}

/// Feeds `answers` over and over until the menu ends; returns the prompts asked, or `None` if
/// it did not end within 500 answers.
fn run_to_the_end(menu: ValidMenu, facts: CallFacts, answers: &[Input]) -> Option<Vec<PromptId>> {
    let mut call = IvrCall::new(menu);
    let mut asked = Vec::new();
    let mut now = T0;
    call.handle_input(now, Input::Start { facts }).ok()?;
    let fallback = [Input::NoInput { prompt: None }];
    let answers = if answers.is_empty() {
        &fallback[..]
    } else {
        answers
    };
    for answer in answers.iter().cycle().take(500) {
        while let Some(output) = call.poll_output() {
            match output {
                Output::Ask(prompt) => asked.push(prompt.id),
                Output::Finished(_) => return Some(asked),
            }
        }
        now = Timestamp(now.0 + 1_000);
        call.handle_input(now, answer.clone()).ok()?;
    }
    while let Some(output) = call.poll_output() {
        if let Output::Finished(_) = output {
            return Some(asked);
        }
    }
    None
}

/// The retries of each visit of a gather never exceed its limit.
fn retries_within_limits(menu: &ValidMenu, asked: &[PromptId]) -> bool {
    asked
        .iter()
        .all(|id| match menu.node(&id.node).map(|n| &n.kind) {
            Some(NodeKind::Gather(gather)) => id.retry <= gather.max_retries.unwrap_or(0),
            _ => false,
        })
}

proptest! {
    #[test]
    fn any_answers_end_the_demo_menu_within_its_retries(
        facts in facts(),
        answers in proptest::collection::vec(answer(), 0..30),
    ) {
        let asked = run_to_the_end(demo_menu(), facts, &answers);
        prop_assert!(asked.is_some(), "the call never ended");
        let asked = asked.unwrap_or_default();
        prop_assert!(asked.len() <= (MAX_PROMPTS_PER_CALL + u32::from(MAX_RETRIES)) as usize);
        prop_assert!(retries_within_limits(&demo_menu(), &asked));
    }

    #[test]
    fn nothing_panics_and_an_ended_call_stays_ended(
        facts in facts(),
        inputs in proptest::collection::vec(anything(), 0..40),
        ticks in proptest::collection::vec(0u64..120_000, 0..40),
    ) {
        let mut call = IvrCall::new(demo_menu());
        let mut now = T0;
        let _ = call.handle_input(now, Input::Start { facts });
        let mut ended = false;
        for (input, tick) in inputs.into_iter().zip(ticks.into_iter().chain(std::iter::repeat(1_000))) {
            now = Timestamp(now.0 + tick);
            call.handle_timeout(now);
            let _ = call.handle_input(now, input);
            while let Some(output) = call.poll_output() {
                prop_assert!(!ended, "output after the end");
                ended |= matches!(output, Output::Finished(_));
            }
            prop_assert_eq!(ended, call.outcome().is_some());
            prop_assert_eq!(call.poll_timeout().is_some(), call.current_prompt().is_some());
        }
    }

    #[test]
    fn validation_accepts_exactly_the_sound_graphs_and_they_always_end(
        shape in proptest::collection::vec((0u8..5, proptest::collection::vec(0usize..8, 4), 0u8..3), 1..8),
        facts in facts(),
        answers in proptest::collection::vec(answer(), 0..20),
    ) {
        let menu = menu_of(&shape);
        let sound = is_sound(&shape);
        match menu.validate() {
            Ok(valid) => {
                prop_assert!(sound, "accepted an unsound menu: {:?}", shape);
                let asked = run_to_the_end(valid.clone(), facts, &answers);
                prop_assert!(asked.is_some(), "the call never ended");
                let asked = asked.unwrap_or_default();
                prop_assert!(asked.len() <= (MAX_PROMPTS_PER_CALL + u32::from(MAX_RETRIES)) as usize);
                prop_assert!(retries_within_limits(&valid, &asked));
            }
            Err(errors) => prop_assert!(!sound, "refused a sound menu: {:?} {:?}", shape, errors),
        }
    }
}

/// Kinds: 0 say, 1 gather, 2 branch on hours, 3 route, 4 hang up; targets mod the node count.
fn menu_of(shape: &[(u8, Vec<usize>, u8)]) -> Menu {
    let n = shape.len();
    let id = |i: usize| NodeId::new(format!("n{}", i % n));
    let nodes = shape
        .iter()
        .enumerate()
        .map(|(i, (kind, targets, retries))| {
            let kind = match kind {
                0 => NodeKind::Say {
                    text: "お待ちください。".to_owned(),
                    next: id(targets[0]),
                },
                1 => NodeKind::Gather(Gather {
                    prompt: "番号を押してください。".to_owned(),
                    input: InputMode::DtmfSpeech,
                    hints: Vec::new(),
                    timeout_secs: Some(5),
                    max_retries: Some(*retries),
                    no_input_prompt: None,
                    invalid_prompt: None,
                    min_confidence_percent: None,
                    choices: targets[1..]
                        .iter()
                        .zip(['1', '2', '3'])
                        .map(|(&t, digit)| Choice {
                            digit: Some(digit),
                            keywords: vec![format!("{digit}番目")],
                            label: format!("選択{digit}"),
                            next: id(t),
                        })
                        .collect(),
                    on_failure: id(targets[0]),
                }),
                2 => NodeKind::BranchHours {
                    open: id(targets[0]),
                    closed: id(targets[1]),
                },
                3 => NodeKind::Route {
                    target: RouteTarget::Default,
                },
                _ => NodeKind::Hangup { text: None },
            };
            Node {
                id: id(i),
                label: None,
                kind,
            }
        })
        .collect();
    Menu {
        start: id(0),
        nodes,
    }
}

/// Soundness by a boolean transitive closure (Warshall), independent of the validator's search.
fn is_sound(shape: &[(u8, Vec<usize>, u8)]) -> bool {
    let n = shape.len();
    let successors = |i: usize| -> Vec<usize> {
        let (kind, targets, _) = &shape[i];
        match kind {
            0 => vec![targets[0] % n],
            1 => targets.iter().map(|t| t % n).collect(),
            2 => vec![targets[0] % n, targets[1] % n],
            _ => Vec::new(),
        }
    };
    let closure = |allowed: &dyn Fn(usize) -> bool| {
        let mut reach = vec![vec![false; n]; n];
        for (v, row) in reach.iter_mut().enumerate() {
            if allowed(v) {
                for w in successors(v) {
                    if allowed(w) {
                        row[w] = true;
                    }
                }
            }
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    if reach[i][k] && reach[k][j] {
                        reach[i][j] = true;
                    }
                }
            }
        }
        reach
    };
    let all = closure(&|_| true);
    let is_gather = |v: usize| shape[v].0 == 1;
    let talk_only = closure(&|v| !is_gather(v));
    let is_exit = |v: usize| shape[v].0 >= 3;
    (0..n).all(|v| {
        let reachable = v == 0 || all[0][v];
        let escapes = is_exit(v) || (0..n).any(|e| is_exit(e) && all[v][e]);
        let asks_in_every_loop = is_gather(v) || !talk_only[v][v];
        reachable && escapes && asks_in_every_loop
    })
}
