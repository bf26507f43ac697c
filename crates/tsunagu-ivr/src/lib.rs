//! IVR menus per line: what a caller hears and chooses before routing.
//!
//! A [`Menu`] is a tree (a graph, since a menu may loop back) of nodes: say, gather (DTMF and
//! ja-JP speech with hints, a timeout, a retry limit, no-input and no-fit sentences, choices),
//! branch on business hours or on a customer attribute, set skills and priority, and the exits:
//! route (to the line's routing, a queue, a team or an agent), voicemail, transfer to a number,
//! hang up. [`Menu::validate`] refuses every mistake at once with typed, per-node errors in
//! Japanese and English; only a [`ValidMenu`] runs. [`IvrCall`] runs one call through it as a
//! sans-IO state machine (`handle_input(now, Input)`, `handle_timeout`, `poll_output`,
//! `poll_timeout`) and ends with an [`Outcome`]: the path taken (for the screen pop,
//! `IVR: 請求 → 料金チーム`), the skills and priority, and what the center does next.
//!
//! Pure: no I/O, no clock; builds for native and wasm32. Limits are constants in [`menu`].

mod call;
pub mod menu;
mod speech;
mod validate;

pub use call::{
    CallFacts, CallState, End, HangupReason, Input, IvrCall, MAX_PATH_LABELS, MAX_PROMPTS_PER_CALL,
    Outcome, Output, Prompt, PromptId, Rejected, Stage,
};
pub use menu::{
    AttributeCase, Choice, Gather, InputMode, Menu, Node, NodeId, NodeKind, RouteTarget,
    SkillRequirement, VOICEMAIL_SECS,
};
pub use speech::{match_digits, match_speech, normalise};
pub use validate::{MenuError, Problem, ValidMenu};

#[cfg(test)]
mod tests;
