//! Validation on save: every mistake of a menu at once, each as a typed [`MenuError`] naming its
//! node and field, with a fixed sentence in Japanese and English (never the input).
//!
//! Besides each node's own fields, the graph must be sound: the start and every reference
//! resolve, ids are unique, every node is reachable from the start, every node can reach an exit
//! (route, voicemail, transfer, hang-up) — so no loop is without a way out —, and every loop asks
//! the caller something (a loop of says and branches would spin without waiting for anyone).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;
use tsunagu_phone::PhoneNumber;

use crate::menu::{
    Gather, MAX_CASES, MAX_CHOICES, MAX_KEYWORD_CHARS, MAX_KEYWORDS, MAX_LABEL_CHARS,
    MAX_NAME_CHARS, MAX_NODES, MAX_RETRIES, MAX_SKILL_LEVEL, MAX_SKILLS, MAX_TEXT_CHARS,
    MAX_TIMEOUT_SECS, Menu, Node, NodeId, NodeKind, RouteTarget, VOICEMAIL_SECS,
};
use crate::speech::normalise;

/// Why one part of a menu was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// Not a menu at all: not JSON of the menu's shape (an unknown node type, a missing or
    /// mistyped field, a skill that is not a skill). Reported by the reader, not by validation.
    Malformed,
    TooManyNodes {
        max: u32,
    },
    /// The start names no node.
    UnknownStart,
    /// Not `[a-z0-9_-]{1,32}`.
    InvalidId,
    DuplicateId,
    /// Names a node the menu does not have.
    UnknownNode,
    /// No way from the start leads here.
    Unreachable,
    /// No way from here leads to an exit: a loop without a way out.
    NoExit,
    /// Part of a loop that never waits for the caller.
    LoopWithoutQuestion,
    MissingTimeout,
    MissingRetryLimit,
    NotInRange {
        min: u32,
        max: u32,
    },
    NoChoices,
    TooMany {
        max: u32,
    },
    /// Not `0`–`9`, `*` or `#`.
    InvalidDigit,
    /// The same key, keyword or value twice.
    Duplicate,
    /// The gather's input cannot pick this choice (no key for DTMF only, no keyword for speech
    /// only, or neither).
    CannotBeChosen,
    Blank,
    TooLong {
        max: u32,
    },
    /// Control or bidirectional-override characters (they cannot be said, and forge logs).
    ControlCharacter,
    /// Not `[a-z0-9_-]{1,32}`.
    InvalidName,
    /// Not a phone number in E.164 form (`+81…`).
    InvalidPhone,
    /// A comma inside a hint (Twilio reads hints as a comma-separated list).
    Comma,
}

impl Problem {
    /// The sentence for an operator, in Japanese.
    pub fn ja(self) -> String {
        match self {
            Problem::Malformed => {
                "メニューの形式が正しくありません（ノードの種類・必須項目・値の型を確認してください）。"
                    .to_owned()
            }
            Problem::TooManyNodes { max } => format!("ノードは{max}個までです。"),
            Problem::UnknownStart => "開始ノードが見つかりません。".to_owned(),
            Problem::InvalidId | Problem::InvalidName => {
                format!("英小文字・数字・「_」「-」で{MAX_NAME_CHARS}文字以内にしてください。")
            }
            Problem::DuplicateId => "同じIDのノードがほかにもあります。".to_owned(),
            Problem::UnknownNode => "存在しないノードを指しています。".to_owned(),
            Problem::Unreachable => "開始ノードからたどり着けないノードです。".to_owned(),
            Problem::NoExit => {
                "ここから終了（転送・留守番電話・切電など）にたどり着けません。抜け道のないループです。"
                    .to_owned()
            }
            Problem::LoopWithoutQuestion => {
                "お客様の入力を待たずに同じ所を回り続けるループがあります。".to_owned()
            }
            Problem::MissingTimeout => "入力待ちの秒数を指定してください。".to_owned(),
            Problem::MissingRetryLimit => "聞き直す回数の上限を指定してください。".to_owned(),
            Problem::NotInRange { min, max } => format!("{min}から{max}までの値にしてください。"),
            Problem::NoChoices => "選択肢を1つ以上指定してください。".to_owned(),
            Problem::TooMany { max } => format!("{max}個までです。"),
            Problem::InvalidDigit => "0〜9、*、# のいずれか1文字にしてください。".to_owned(),
            Problem::Duplicate => "同じ値がほかにもあります。".to_owned(),
            Problem::CannotBeChosen => {
                "この入力方法では選べない選択肢です（ボタンかキーワードが必要です）。".to_owned()
            }
            Problem::Blank => "空にはできません。".to_owned(),
            Problem::TooLong { max } => format!("{max}文字以内にしてください。"),
            Problem::ControlCharacter => "使えない制御文字が含まれています。".to_owned(),
            Problem::InvalidPhone => "+81… の形式の電話番号にしてください。".to_owned(),
            Problem::Comma => "半角カンマは使えません（1件ずつ分けてください）。".to_owned(),
        }
    }

    /// The sentence for an operator, in English.
    pub fn en(self) -> String {
        match self {
            Problem::Malformed => "Not a menu: check the node types, the required fields and the value types.".to_owned(),
            Problem::TooManyNodes { max } => format!("A menu has at most {max} nodes."),
            Problem::UnknownStart => "The start node does not exist.".to_owned(),
            Problem::InvalidId | Problem::InvalidName => format!(
                "Use lowercase letters, digits, `_` and `-`, at most {MAX_NAME_CHARS} characters."
            ),
            Problem::DuplicateId => "Another node has the same id.".to_owned(),
            Problem::UnknownNode => "This names a node that does not exist.".to_owned(),
            Problem::Unreachable => "No path from the start reaches this node.".to_owned(),
            Problem::NoExit => "No path from here reaches an exit (route, voicemail, transfer or hang-up): a loop without a way out.".to_owned(),
            Problem::LoopWithoutQuestion => {
                "This node is on a loop that never waits for the caller.".to_owned()
            }
            Problem::MissingTimeout => "Give the seconds to wait for an answer.".to_owned(),
            Problem::MissingRetryLimit => "Give how many times to ask again.".to_owned(),
            Problem::NotInRange { min, max } => format!("Use a value from {min} to {max}."),
            Problem::NoChoices => "Give at least one choice.".to_owned(),
            Problem::TooMany { max } => format!("At most {max}."),
            Problem::InvalidDigit => "Use one of 0–9, * or #.".to_owned(),
            Problem::Duplicate => "The same value appears twice.".to_owned(),
            Problem::CannotBeChosen => {
                "The gather's input cannot pick this choice (it needs a key or a keyword)."
                    .to_owned()
            }
            Problem::Blank => "Must not be empty.".to_owned(),
            Problem::TooLong { max } => format!("At most {max} characters."),
            Problem::ControlCharacter => "Contains control characters.".to_owned(),
            Problem::InvalidPhone => "Use a phone number in +81… form.".to_owned(),
            Problem::Comma => "No commas: give one hint per entry.".to_owned(),
        }
    }
}

/// One mistake: where (`node`, `None` for the menu itself, and a field path inside it) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuError {
    pub node: Option<NodeId>,
    /// `start`, `nodes`, `choices[1].digit`, …
    pub field: String,
    #[serde(flatten)]
    pub problem: Problem,
}

/// A menu that passed [`Menu::validate`]; only such a menu can be run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidMenu {
    menu: Menu,
    #[serde(skip)]
    index: BTreeMap<NodeId, usize>,
}

/// A stored menu is validated again as it is read (a call keeps its menu with its state): JSON
/// that is not a valid menu is refused, so only a [`ValidMenu`] ever runs.
impl<'de> serde::Deserialize<'de> for ValidMenu {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let menu = Menu::deserialize(deserializer)?;
        menu.validate().map_err(|errors| {
            serde::de::Error::custom(format!("not a valid IVR menu ({} problems)", errors.len()))
        })
    }
}

impl ValidMenu {
    pub fn menu(&self) -> &Menu {
        &self.menu
    }

    pub fn start(&self) -> &NodeId {
        &self.menu.start
    }

    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.index.get(id).and_then(|&i| self.menu.nodes.get(i))
    }
}

impl Menu {
    /// Checks everything and returns the menu ready to run, or every mistake found.
    pub fn validate(self) -> Result<ValidMenu, Vec<MenuError>> {
        let mut errors = Errors::default();
        if self.nodes.len() > MAX_NODES {
            errors.push(
                None,
                "nodes",
                Problem::TooManyNodes {
                    max: cap(MAX_NODES),
                },
            );
            return Err(errors.0);
        }
        let mut index = BTreeMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if !is_name(node.id.as_str()) {
                errors.push(Some(&node.id), "id", Problem::InvalidId);
            }
            if index.insert(node.id.clone(), i).is_some() {
                errors.push(Some(&node.id), "id", Problem::DuplicateId);
            }
        }
        if !index.contains_key(&self.start) {
            errors.push(None, "start", Problem::UnknownStart);
        }
        for node in &self.nodes {
            check_node(node, &index, &mut errors);
        }
        if errors.0.is_empty() {
            check_graph(&self, &index, &mut errors);
        }
        if errors.0.is_empty() {
            Ok(ValidMenu { menu: self, index })
        } else {
            Err(errors.0)
        }
    }
}

#[derive(Default)]
struct Errors(Vec<MenuError>);

impl Errors {
    fn push(&mut self, node: Option<&NodeId>, field: impl Into<String>, problem: Problem) {
        self.0.push(MenuError {
            node: node.cloned(),
            field: field.into(),
            problem,
        });
    }
}

fn cap(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// C0/C1 controls (line breaks included: a prompt is one sentence) and bidirectional overrides.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

/// A text field: not blank, not too long, no control characters.
fn check_text(node: &NodeId, field: &str, text: &str, max: usize, errors: &mut Errors) {
    if text.trim().is_empty() {
        errors.push(Some(node), field, Problem::Blank);
    } else if text.chars().count() > max {
        errors.push(Some(node), field, Problem::TooLong { max: cap(max) });
    } else if has_control(text) {
        errors.push(Some(node), field, Problem::ControlCharacter);
    }
}

fn check_ref(
    node: &NodeId,
    field: &str,
    target: &NodeId,
    index: &BTreeMap<NodeId, usize>,
    errors: &mut Errors,
) {
    if !index.contains_key(target) {
        errors.push(Some(node), field, Problem::UnknownNode);
    }
}

fn check_node(node: &Node, index: &BTreeMap<NodeId, usize>, errors: &mut Errors) {
    let id = &node.id;
    if let Some(label) = &node.label {
        check_text(id, "label", label, MAX_LABEL_CHARS, errors);
    }
    match &node.kind {
        NodeKind::Say { text, next } => {
            check_text(id, "text", text, MAX_TEXT_CHARS, errors);
            check_ref(id, "next", next, index, errors);
        }
        NodeKind::Gather(gather) => check_gather(id, gather, index, errors),
        NodeKind::BranchHours { open, closed } => {
            check_ref(id, "open", open, index, errors);
            check_ref(id, "closed", closed, index, errors);
        }
        NodeKind::BranchAttribute {
            attribute,
            cases,
            otherwise,
        } => {
            // A customer attribute's name and values follow the directory's rule
            // (`tsunagu_core::attribute_key`), so `区分` can be branched on as `plan` can.
            check_text(
                id,
                "attribute",
                attribute,
                tsunagu_core::ATTRIBUTE_KEY_MAX_CHARS,
                errors,
            );
            if cases.len() > MAX_CASES {
                errors.push(
                    Some(id),
                    "cases",
                    Problem::TooMany {
                        max: cap(MAX_CASES),
                    },
                );
            }
            let mut seen = BTreeSet::new();
            for (i, case) in cases.iter().enumerate() {
                check_text(
                    id,
                    &format!("cases[{i}].equals"),
                    &case.equals,
                    tsunagu_core::ATTRIBUTE_VALUE_MAX_CHARS,
                    errors,
                );
                if !seen.insert(case.equals.as_str()) {
                    errors.push(Some(id), format!("cases[{i}].equals"), Problem::Duplicate);
                }
                check_ref(id, &format!("cases[{i}].next"), &case.next, index, errors);
            }
            check_ref(id, "otherwise", otherwise, index, errors);
        }
        NodeKind::SetRouting { skills, next, .. } => {
            if skills.len() > MAX_SKILLS {
                errors.push(
                    Some(id),
                    "skills",
                    Problem::TooMany {
                        max: cap(MAX_SKILLS),
                    },
                );
            }
            let mut seen = BTreeSet::new();
            for (i, requirement) in skills.iter().enumerate() {
                if !(1..=MAX_SKILL_LEVEL).contains(&requirement.min_level) {
                    errors.push(
                        Some(id),
                        format!("skills[{i}].min_level"),
                        Problem::NotInRange {
                            min: 1,
                            max: u32::from(MAX_SKILL_LEVEL),
                        },
                    );
                }
                if !seen.insert(&requirement.skill) {
                    errors.push(Some(id), format!("skills[{i}].skill"), Problem::Duplicate);
                }
            }
            check_ref(id, "next", next, index, errors);
        }
        NodeKind::Route { target } => {
            if let RouteTarget::Queue(queue) = target
                && !is_name(queue)
            {
                errors.push(Some(id), "target.queue", Problem::InvalidName);
            }
        }
        NodeKind::Voicemail {
            prompt,
            max_length_secs,
        } => {
            check_text(id, "prompt", prompt, MAX_TEXT_CHARS, errors);
            let (min, max) = VOICEMAIL_SECS;
            if !(min..=max).contains(max_length_secs) {
                errors.push(
                    Some(id),
                    "max_length_secs",
                    Problem::NotInRange {
                        min: u32::from(min),
                        max: u32::from(max),
                    },
                );
            }
        }
        NodeKind::Transfer { number } => {
            if PhoneNumber::from_e164(number).is_err() {
                errors.push(Some(id), "number", Problem::InvalidPhone);
            }
        }
        NodeKind::Hangup { text } => {
            if let Some(text) = text {
                check_text(id, "text", text, MAX_TEXT_CHARS, errors);
            }
        }
    }
}

fn check_gather(
    id: &NodeId,
    gather: &Gather,
    index: &BTreeMap<NodeId, usize>,
    errors: &mut Errors,
) {
    check_text(id, "prompt", &gather.prompt, MAX_TEXT_CHARS, errors);
    for (field, text) in [
        ("no_input_prompt", &gather.no_input_prompt),
        ("invalid_prompt", &gather.invalid_prompt),
    ] {
        if let Some(text) = text {
            check_text(id, field, text, MAX_TEXT_CHARS, errors);
        }
    }
    match gather.timeout_secs {
        None => errors.push(Some(id), "timeout_secs", Problem::MissingTimeout),
        Some(secs) if !(1..=MAX_TIMEOUT_SECS).contains(&secs) => errors.push(
            Some(id),
            "timeout_secs",
            Problem::NotInRange {
                min: 1,
                max: u32::from(MAX_TIMEOUT_SECS),
            },
        ),
        Some(_) => {}
    }
    match gather.max_retries {
        None => errors.push(Some(id), "max_retries", Problem::MissingRetryLimit),
        Some(retries) if retries > MAX_RETRIES => errors.push(
            Some(id),
            "max_retries",
            Problem::NotInRange {
                min: 0,
                max: u32::from(MAX_RETRIES),
            },
        ),
        Some(_) => {}
    }
    if gather.min_confidence_percent.is_some_and(|p| p > 100) {
        errors.push(
            Some(id),
            "min_confidence_percent",
            Problem::NotInRange { min: 0, max: 100 },
        );
    }
    if gather.hints.len() > MAX_KEYWORDS {
        errors.push(
            Some(id),
            "hints",
            Problem::TooMany {
                max: cap(MAX_KEYWORDS),
            },
        );
    }
    for (i, hint) in gather.hints.iter().enumerate() {
        check_text(id, &format!("hints[{i}]"), hint, MAX_KEYWORD_CHARS, errors);
        // Twilio reads hints as a comma-separated list.
        if hint.contains(',') {
            errors.push(Some(id), format!("hints[{i}]"), Problem::Comma);
        }
    }
    if gather.choices.is_empty() {
        errors.push(Some(id), "choices", Problem::NoChoices);
    }
    if gather.choices.len() > MAX_CHOICES {
        errors.push(
            Some(id),
            "choices",
            Problem::TooMany {
                max: cap(MAX_CHOICES),
            },
        );
    }
    let mut digits = BTreeSet::new();
    // Normalised keyword → the choice that has it: two choices may not share one.
    let mut keywords: BTreeMap<String, usize> = BTreeMap::new();
    for (i, choice) in gather.choices.iter().enumerate() {
        check_text(
            id,
            &format!("choices[{i}].label"),
            &choice.label,
            MAX_LABEL_CHARS,
            errors,
        );
        if let Some(digit) = choice.digit {
            if !matches!(digit, '0'..='9' | '*' | '#') {
                errors.push(
                    Some(id),
                    format!("choices[{i}].digit"),
                    Problem::InvalidDigit,
                );
            } else if !digits.insert(digit) {
                errors.push(Some(id), format!("choices[{i}].digit"), Problem::Duplicate);
            }
        }
        if choice.keywords.len() > MAX_KEYWORDS {
            errors.push(
                Some(id),
                format!("choices[{i}].keywords"),
                Problem::TooMany {
                    max: cap(MAX_KEYWORDS),
                },
            );
        }
        for (k, keyword) in choice.keywords.iter().enumerate() {
            let field = format!("choices[{i}].keywords[{k}]");
            check_text(id, &field, keyword, MAX_KEYWORD_CHARS, errors);
            let folded = normalise(keyword);
            if folded.is_empty() {
                // Only punctuation: it would match every utterance.
                errors.push(Some(id), field, Problem::Blank);
            } else if keywords.insert(folded, i).is_some_and(|other| other != i) {
                errors.push(Some(id), field, Problem::Duplicate);
            }
        }
        let by_key = choice.digit.is_some() && gather.input.hears_digits();
        let by_voice = !choice.keywords.is_empty() && gather.input.hears_speech();
        if !by_key && !by_voice {
            errors.push(Some(id), format!("choices[{i}]"), Problem::CannotBeChosen);
        }
        check_ref(
            id,
            &format!("choices[{i}].next"),
            &choice.next,
            index,
            errors,
        );
    }
    check_ref(id, "on_failure", &gather.on_failure, index, errors);
}

/// Reachability, a way out from everywhere, and no loop that asks nothing. Run only once every
/// reference resolves, so the edges are exactly the successors.
fn check_graph(menu: &Menu, index: &BTreeMap<NodeId, usize>, errors: &mut Errors) {
    let n = menu.nodes.len();
    let edges: Vec<Vec<usize>> = menu
        .nodes
        .iter()
        .map(|node| {
            node.kind
                .successors()
                .into_iter()
                .filter_map(|next| index.get(next).copied())
                .collect()
        })
        .collect();
    let Some(&start) = index.get(&menu.start) else {
        return;
    };
    let reachable = closure(n, [start], |v| edges[v].clone());
    let mut reverse = vec![Vec::new(); n];
    for (from, tos) in edges.iter().enumerate() {
        for &to in tos {
            reverse[to].push(from);
        }
    }
    let exits = (0..n).filter(|&v| menu.nodes[v].kind.is_exit());
    let escapes = closure(n, exits, |v| reverse[v].clone());
    // A loop that asks nothing: a node that reaches itself through nodes that are not gathers.
    let is_gather = |v: usize| matches!(menu.nodes[v].kind, NodeKind::Gather(_));
    for (v, node) in menu.nodes.iter().enumerate() {
        if !reachable[v] {
            errors.push(Some(&node.id), "id", Problem::Unreachable);
        } else if !escapes[v] {
            errors.push(Some(&node.id), "id", Problem::NoExit);
        } else if !is_gather(v) {
            let onward = closure(
                n,
                edges[v].iter().copied().filter(|&w| !is_gather(w)),
                |w| {
                    edges[w]
                        .iter()
                        .copied()
                        .filter(|&x| !is_gather(x))
                        .collect()
                },
            );
            if onward[v] {
                errors.push(Some(&node.id), "id", Problem::LoopWithoutQuestion);
            }
        }
    }
}

/// Which of `n` nodes are reached from `seeds` (included) following `next`.
fn closure(
    n: usize,
    seeds: impl IntoIterator<Item = usize>,
    next: impl Fn(usize) -> Vec<usize>,
) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for seed in seeds {
        if seed < n && !seen[seed] {
            seen[seed] = true;
            queue.push_back(seed);
        }
    }
    while let Some(v) = queue.pop_front() {
        for w in next(v) {
            if w < n && !seen[w] {
                seen[w] = true;
                queue.push_back(w);
            }
        }
    }
    seen
}
