//! An IVR menu as the admin API stores it: a start node and a flat list of nodes that name each
//! other by id. Nothing here is trusted until [`Menu::validate`](crate::Menu::validate) accepts it.

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, TeamId};
use tsunagu_routing::Skill;

/// A node's id, unique in its menu: `[a-z0-9_-]{1,32}` (checked by validation, not by parsing,
/// so that a bad id is reported against its node like every other mistake).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub String);

impl NodeId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A whole menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    /// Where every call begins.
    pub start: NodeId,
    pub nodes: Vec<Node>,
}

/// One step of a menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: NodeId,
    /// Added to the call's path when the call reaches this node (`料金チーム`), for the screen
    /// pop and the conversation; `None` adds nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    pub kind: NodeKind,
}

/// What a node does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    /// Says `text` (ja-JP), then goes on to `next`.
    Say { text: String, next: NodeId },
    /// Asks the caller to choose.
    Gather(Gather),
    /// Goes to `open` or `closed` by the line's business calendar at the call's start.
    BranchHours { open: NodeId, closed: NodeId },
    /// Goes to the first case whose value equals the customer's attribute, else to `otherwise`
    /// (also when the caller is unknown or lacks the attribute).
    BranchAttribute {
        attribute: String,
        cases: Vec<AttributeCase>,
        otherwise: NodeId,
    },
    /// Adds required skills (each with a minimum level) and sets the priority, then goes on.
    SetRouting {
        #[serde(default)]
        skills: Vec<SkillRequirement>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<u8>,
        next: NodeId,
    },
    /// Ends the menu: the center routes the call to `target`.
    Route { target: RouteTarget },
    /// Ends the menu: says `prompt`, then records a message of at most `max_length_secs`.
    Voicemail {
        prompt: String,
        max_length_secs: u16,
    },
    /// Ends the menu: the center dials `number` (E.164), if the tenant's dial policy allows it.
    Transfer { number: String },
    /// Ends the menu: says `text` (if any) and hangs up.
    Hangup {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

impl NodeKind {
    /// The nodes this one may go to, in order.
    pub fn successors(&self) -> Vec<&NodeId> {
        match self {
            NodeKind::Say { next, .. } | NodeKind::SetRouting { next, .. } => vec![next],
            NodeKind::Gather(gather) => gather
                .choices
                .iter()
                .map(|choice| &choice.next)
                .chain([&gather.on_failure])
                .collect(),
            NodeKind::BranchHours { open, closed } => vec![open, closed],
            NodeKind::BranchAttribute {
                cases, otherwise, ..
            } => cases
                .iter()
                .map(|case| &case.next)
                .chain([otherwise])
                .collect(),
            NodeKind::Route { .. }
            | NodeKind::Voicemail { .. }
            | NodeKind::Transfer { .. }
            | NodeKind::Hangup { .. } => Vec::new(),
        }
    }

    /// Whether the menu ends here.
    pub fn is_exit(&self) -> bool {
        self.successors().is_empty()
    }

    /// The stable name of the node's type, as in JSON (`gather`, `route`, …).
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Say { .. } => "say",
            NodeKind::Gather(_) => "gather",
            NodeKind::BranchHours { .. } => "branch_hours",
            NodeKind::BranchAttribute { .. } => "branch_attribute",
            NodeKind::SetRouting { .. } => "set_routing",
            NodeKind::Route { .. } => "route",
            NodeKind::Voicemail { .. } => "voicemail",
            NodeKind::Transfer { .. } => "transfer",
            NodeKind::Hangup { .. } => "hangup",
        }
    }
}

/// Which kinds of answer a gather listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputMode {
    Dtmf,
    Speech,
    DtmfSpeech,
}

impl InputMode {
    pub fn hears_digits(self) -> bool {
        matches!(self, InputMode::Dtmf | InputMode::DtmfSpeech)
    }

    pub fn hears_speech(self) -> bool {
        matches!(self, InputMode::Speech | InputMode::DtmfSpeech)
    }
}

/// A question to the caller: a prompt, the choices, and what happens when nothing fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gather {
    /// Said (ja-JP) while listening: `請求は1、予約は2。`
    pub prompt: String,
    pub input: InputMode,
    /// Words that help speech recognition; when empty, the choices' keywords are used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Seconds of silence before the caller counts as not having answered. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u8>,
    /// How many times the question is asked again after no answer or an answer that fits no
    /// choice, before `on_failure`. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u8>,
    /// Said before asking again after silence; a standard sentence when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_input_prompt: Option<String>,
    /// Said before asking again after an answer that fits no choice; a standard sentence when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_prompt: Option<String>,
    /// Speech recognised with less confidence (percent) counts as not fitting; default
    /// [`DEFAULT_MIN_CONFIDENCE_PERCENT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence_percent: Option<u8>,
    pub choices: Vec<Choice>,
    /// Where the call goes when the retries are used up.
    pub on_failure: NodeId,
}

/// Speech below this confidence (percent) counts as not understood, unless the gather says.
pub const DEFAULT_MIN_CONFIDENCE_PERCENT: u8 = 30;
/// What a gather says before asking again after silence, unless it says otherwise.
pub const DEFAULT_NO_INPUT_PROMPT: &str = "入力が確認できませんでした。";
/// What a gather says before asking again after an answer that fits no choice.
pub const DEFAULT_INVALID_PROMPT: &str = "恐れ入りますが、もう一度お願いいたします。";

/// One answer a gather accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The key that picks it: `0`–`9`, `*` or `#`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digit: Option<char>,
    /// Words that pick it when said (`請求`, `料金`); matched after folding width and kana.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Added to the call's path when picked (`請求`).
    pub label: String,
    pub next: NodeId,
}

/// A case of a [`NodeKind::BranchAttribute`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeCase {
    pub equals: String,
    pub next: NodeId,
}

/// A skill the answering agent must have, at least at `min_level`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkillRequirement {
    pub skill: Skill,
    /// 1 (any) to [`MAX_SKILL_LEVEL`].
    #[serde(default = "lowest_level")]
    pub min_level: u8,
}

fn lowest_level() -> u8 {
    1
}

/// Where a routed call goes; the center resolves it against its roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTarget {
    /// The line's usual routing (its ladder and queue).
    Default,
    /// A named queue of the tenant.
    Queue(String),
    /// A team's agents.
    Team(TeamId),
    /// One agent first (then the line's ladder).
    Agent(AgentId),
}

/// The most nodes a menu may have.
pub const MAX_NODES: usize = 64;
/// The most choices a gather may have (one per key of a phone pad).
pub const MAX_CHOICES: usize = 12;
/// The most keywords a choice may have, and hints a gather may have.
pub const MAX_KEYWORDS: usize = 10;
/// The longest keyword or hint, in characters.
pub const MAX_KEYWORD_CHARS: usize = 30;
/// The longest text said to the caller (a prompt), in characters.
pub const MAX_TEXT_CHARS: usize = 400;
/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 30;
/// The longest node id or queue name, in characters (attribute names and values follow
/// `tsunagu_core::ATTRIBUTE_KEY_MAX_CHARS` / `ATTRIBUTE_VALUE_MAX_CHARS`).
pub const MAX_NAME_CHARS: usize = 32;
/// The most cases of an attribute branch.
pub const MAX_CASES: usize = 20;
/// The most skills one routing node may add.
pub const MAX_SKILLS: usize = 8;
/// The highest skill level.
pub const MAX_SKILL_LEVEL: u8 = 10;
/// The longest silence a gather may wait for, in seconds (at least 1).
pub const MAX_TIMEOUT_SECS: u8 = 30;
/// The most retries of a gather.
pub const MAX_RETRIES: u8 = 5;
/// A voicemail's shortest and longest message, in seconds.
pub const VOICEMAIL_SECS: (u16, u16) = (5, 600);
