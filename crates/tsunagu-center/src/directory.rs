//! What the directory and the call log say about a caller, turned into what the center routes on
//! and the screen pop shows: the rules, kept out of the worker (which only reads the rows).

use std::collections::BTreeMap;

use tsunagu_core::{AgentId, CustomerId, Millis, TeamId};
use tsunagu_protocol::{CustomerCard, RecentContact};
use tsunagu_routing::Skill;
use tsunagu_stitch::{Conversation, LegStatus};

use crate::{CallPlan, CallRequirements, Line};

/// The highest skill level the directory grades (1 = can take it … 5 = expert).
const SKILL_LEVEL_MAX: u8 = 5;

/// Skills as the directory stores them (`{"billing": 3}`, written by the admin API, which
/// validated them): name → level for the router. An entry that is no skill or whose level is
/// outside 1–5 is left out rather than refusing the rest; anything but an object is none.
pub fn skill_levels(skills_json: &str) -> BTreeMap<Skill, u8> {
    let Ok(serde_json::Value::Object(entries)) = serde_json::from_str(skills_json) else {
        return BTreeMap::new();
    };
    entries
        .into_iter()
        .filter_map(|(name, level)| {
            let level = u8::try_from(level.as_u64()?).ok()?;
            let skill = Skill::new(name).ok()?;
            (1..=SKILL_LEVEL_MAX)
                .contains(&level)
                .then_some((skill, level))
        })
        .collect()
}

impl CallRequirements {
    /// A line's requirements from its `phone_lines` row: its required skills (as
    /// [`skill_levels`] reads them), priority, and the seconds a call waits for a skilled agent
    /// before anyone may take it (0: never).
    pub fn from_line(
        required_skills_json: &str,
        priority: u32,
        skill_relax_after_secs: u32,
    ) -> Self {
        CallRequirements {
            skills: skill_levels(required_skills_json),
            priority: u8::try_from(priority).unwrap_or(u8::MAX),
            relax_after: (skill_relax_after_secs > 0)
                .then(|| Millis::from_secs(u64::from(skill_relax_after_secs))),
        }
    }
}

/// A customer's attributes as the directory stores them (`{"plan": "gold"}`, written by the admin
/// API or a CSV import, which validated them, or by a live CRM lookup): name → value for the IVR.
/// An entry that breaks the rules of `tsunagu_core::attributes` is left out rather than refusing
/// the rest (and anything past the first `ATTRIBUTES_MAX`); anything but an object is none.
pub fn customer_attributes(attributes_json: &str) -> BTreeMap<String, String> {
    let Ok(serde_json::Value::Object(entries)) = serde_json::from_str(attributes_json) else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| {
            let key = tsunagu_core::attribute_key(key).ok()?;
            let value = tsunagu_core::attribute_value(value.as_str()?).ok()?;
            Some((key, value))
        })
        .take(tsunagu_core::ATTRIBUTES_MAX)
        .collect()
}

/// A customer as the directory stores them: the CRM's fields, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryCustomer {
    pub id: String,
    pub name: String,
    /// May be empty (a private person).
    pub company: String,
    pub owner: Option<String>,
    pub owner_team: Option<String>,
}

impl DirectoryCustomer {
    /// The card the screen pop shows and routing steers by: `山田 太郎（山田商事株式会社）`, the
    /// company in full-width parentheses as Japanese business writing has it. `None` when the
    /// id is not a valid customer id; an owner or team that is not a valid id is left out.
    pub fn card(self) -> Option<CustomerCard> {
        Some(CustomerCard {
            id: CustomerId::new(self.id).ok()?,
            name: if self.company.is_empty() {
                self.name
            } else {
                format!("{}（{}）", self.name, self.company)
            },
            owner: self.owner.and_then(|a| AgentId::new(a).ok()),
            team: self.owner_team.and_then(|t| TeamId::new(t).ok()),
        })
    }
}

impl Line {
    /// The line a number is, from its `phone_lines` row: `legacy` with a number to announce, or
    /// else (an unknown number included) the main line.
    pub fn from_directory(kind: &str, announce: Option<String>) -> Self {
        match announce {
            Some(new_number) if kind == "legacy" => Line::Legacy { new_number },
            _ => Line::Main,
        }
    }
}

/// An earlier conversation as the screen pop lists it: when, on which channel, who answered, and
/// the last wrap-up disposition written for it.
pub fn recent_contact(conversation: &Conversation) -> RecentContact {
    RecentContact {
        at: conversation.started_at,
        channel: conversation.channel,
        agent: conversation.answered_by.clone(),
        summary: conversation
            .agent_legs
            .iter()
            .rev()
            .find_map(|leg| leg.wrap_up.as_ref()?.disposition.clone()),
    }
}

/// Whether a status callback from the call's own status URL says the caller's call is over: the
/// root leg (no parent) reached a terminal status. Agents' legs end on their own hook.
pub fn ends_the_call(leg: &LegStatus) -> bool {
    leg.parent_call_sid.is_none() && leg.status.is_terminal()
}

impl CallPlan {
    /// A short stable name for logs and metrics (`ring`, `enqueue`, …).
    pub fn name(&self) -> &'static str {
        match self {
            CallPlan::Ring { .. } => "ring",
            CallPlan::Enqueue { .. } => "enqueue",
            CallPlan::Hold { .. } => "hold",
            CallPlan::LeaveQueue { .. } => "leave_queue",
            CallPlan::Fallback { .. } => "fallback",
            CallPlan::TransferOut { .. } => "transfer_out",
            CallPlan::DialOut { .. } => "dial_out",
            CallPlan::HoldForAgent { .. } => "hold_for_agent",
            CallPlan::OnHold { .. } => "on_hold",
            CallPlan::Closed { .. } => "closed",
            CallPlan::AnnounceNewNumber { .. } => "announce_new_number",
            CallPlan::Ask { .. } => "ask",
            CallPlan::MenuEnd { .. } => "menu_end",
            CallPlan::CallbackBooked { .. } => "callback_booked",
            CallPlan::Hangup { .. } => "hangup",
        }
    }
}
