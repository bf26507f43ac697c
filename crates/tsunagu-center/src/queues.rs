//! Named call queues: each with its own ladder, longest wait, overflow, position announcements,
//! hold music and a callback key; and what a line does after hours. The settings here are read
//! by the center's call handling (`calls.rs`, `offers.rs`, `call_plans.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsunagu_core::Millis;
use tsunagu_interaction::ExternalNumber;
use tsunagu_protocol::Localized;
use tsunagu_routing::{Ladder, Skill};

use crate::{BusinessCalendar, ConfigError, QueueProblem, queue_id::QueueId};

/// The most queues a tenant may have.
pub const MAX_QUEUES: usize = 50;
/// The longest text said to a caller by a queue or an after-hours rule, in characters.
pub const MAX_QUEUE_TEXT_CHARS: usize = 400;
/// The longest hold-music URL.
pub const MAX_HOLD_MUSIC_URL_CHARS: usize = 500;
/// A voicemail's shortest and longest message, in seconds (as an IVR menu's).
pub(crate) const QUEUE_VOICEMAIL_SECS: (u16, u16) = tsunagu_ivr::VOICEMAIL_SECS;
/// The longest a queue may keep a caller before its overflow: one hour.
pub const MAX_QUEUE_WAIT: Millis = Millis::from_secs(60 * 60);

/// One queue: where a line or an IVR branch sends its callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallQueue {
    pub id: QueueId,
    /// Its name in the admin views and the routing audit (`請求窓口`).
    pub name: Localized,
    /// Whom its calls ring, in order; `None`: the tenant's ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder: Option<Ladder>,
    /// How long a caller waits in it (counted from entering it) before `overflow`; `None`: the
    /// tenant's `max_wait`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait: Option<Millis>,
    /// What happens to a caller who waited `max_wait`.
    #[serde(default)]
    pub overflow: Overflow,
    /// Whether waiting callers hear their place in this queue. Default: yes.
    #[serde(default = "yes")]
    pub announce_position: bool,
    /// An `https` URL of the music played while callers wait (`<Play>`); `None`: the bundled
    /// royalty-free tune the worker serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_music_url: Option<String>,
    /// The key (`0`–`9`, `*`, `#`) a waiting caller presses to be called back instead, keeping
    /// their place; `None`: no callback offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_digit: Option<char>,
    /// Skills (each with the lowest level) its callers need, joined to what the line and the IVR
    /// menu asked for (the higher level wins).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_skills: BTreeMap<Skill, u8>,
    /// Its callers' priority, if higher than the line's or the menu's.
    #[serde(default)]
    pub priority: u8,
    /// When it answers, if not whenever its line does: a call entering it while it is closed
    /// goes by `after_hours` (else its line's rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<BusinessCalendar>,
    /// What it does with a call while closed; `None`: what the call's line does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_hours: Option<AfterHours>,
}

fn yes() -> bool {
    true
}

/// What a queue does with a caller who waited its longest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Overflow {
    /// The tenant's fallback numbers, as without queues (keep waiting when there are none).
    #[default]
    TenantFallback,
    /// Keep waiting: the caller stays until someone answers or they hang up.
    KeepWaiting,
    /// Dial these numbers (all at once), if the dial policy allows each.
    Forward { numbers: Vec<ExternalNumber> },
    /// Take a message.
    Voicemail(VoicemailRule),
    /// Move to another queue (its wait counts from the move).
    Queue { queue: QueueId },
}

/// A message the caller leaves instead of talking to someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoicemailRule {
    /// Said before the beep; a standard sentence when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The longest message, in seconds.
    #[serde(default = "default_voicemail_secs")]
    pub max_length_secs: u16,
}

fn default_voicemail_secs() -> u16 {
    120
}

/// What a line does with a call outside its hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AfterHours {
    /// Say why it is closed (a holiday, the year end, the hours) and hang up.
    Announce,
    /// Say it is closed and take a message.
    Voicemail(VoicemailRule),
    /// Dial these numbers (all at once), if the dial policy allows each.
    Forward { numbers: Vec<ExternalNumber> },
}

/// Said before the beep when a voicemail rule says nothing itself.
pub const DEFAULT_VOICEMAIL_PROMPT: &str =
    "ただいま電話に出ることができません。発信音の後に、お名前とご用件をお話しください。";
/// Said before the beep after hours when the line's rule says nothing itself.
pub const DEFAULT_AFTER_HOURS_VOICEMAIL_PROMPT: &str = "お電話ありがとうございます。ただいま営業時間外です。発信音の後に、お名前とご用件をお話しください。";

impl VoicemailRule {
    /// What is said before the beep, as an IVR voicemail's outcome.
    pub(crate) fn outcome(&self, default_prompt: &str) -> tsunagu_ivr::Outcome {
        tsunagu_ivr::Outcome {
            path: Vec::new(),
            skills: Vec::new(),
            priority: None,
            say_first: Vec::new(),
            end: tsunagu_ivr::End::Voicemail {
                prompt: self
                    .prompt
                    .clone()
                    .unwrap_or_else(|| default_prompt.to_owned()),
                max_length_secs: self.max_length_secs,
            },
        }
    }

    fn validate(&self) -> Result<(), QueueProblem> {
        let (min, max) = QUEUE_VOICEMAIL_SECS;
        if !(min..=max).contains(&self.max_length_secs) {
            return Err(QueueProblem::VoicemailLength { min, max });
        }
        match self.prompt.as_deref() {
            Some(text)
                if text.trim().is_empty()
                    || text.chars().count() > MAX_QUEUE_TEXT_CHARS
                    || text.chars().any(char::is_control) =>
            {
                Err(QueueProblem::PromptText {
                    max: MAX_QUEUE_TEXT_CHARS,
                })
            }
            _ => Ok(()),
        }
    }
}

/// Whether `url` may be handed to Twilio as hold music: `https`, no spaces or quotes.
pub fn hold_music_url_ok(url: &str) -> bool {
    url.starts_with("https://")
        && url.len() > "https://".len()
        && url.len() <= MAX_HOLD_MUSIC_URL_CHARS
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

/// Checks the tenant's queues: ids unique, a ladder to walk, waits in range, music `https`,
/// a callback key from the pad, overflow targets that exist and never lead back in a circle.
/// Forward numbers are checked against the dial policy by the caller (`CenterConfig::validate`).
pub(crate) fn validate_queues(queues: &BTreeMap<QueueId, CallQueue>) -> Result<(), ConfigError> {
    if queues.len() > MAX_QUEUES {
        return Err(ConfigError::TooManyQueues { max: MAX_QUEUES });
    }
    for (id, queue) in queues {
        let fail = |problem: QueueProblem| ConfigError::Queue {
            queue: id.clone(),
            problem,
        };
        if &queue.id != id {
            return Err(fail(QueueProblem::FiledUnderAnotherId));
        }
        if queue
            .ladder
            .as_ref()
            .is_some_and(|ladder| ladder.steps.is_empty())
        {
            return Err(fail(QueueProblem::EmptyLadder));
        }
        if queue
            .max_wait
            .is_some_and(|wait| wait.0 == 0 || wait > MAX_QUEUE_WAIT)
        {
            return Err(fail(QueueProblem::WaitOutOfRange));
        }
        if queue
            .hold_music_url
            .as_deref()
            .is_some_and(|url| !hold_music_url_ok(url))
        {
            return Err(fail(QueueProblem::MusicNotHttps));
        }
        if queue
            .callback_digit
            .is_some_and(|digit| !(digit.is_ascii_digit() || digit == '*' || digit == '#'))
        {
            return Err(fail(QueueProblem::NotAPhoneKey));
        }
        if let Some(hours) = &queue.hours {
            hours
                .validate()
                .map_err(|err| fail(QueueProblem::Hours(err.to_string())))?;
        }
        if let Some(rule) = &queue.after_hours {
            rule.validate()
                .map_err(|problem| fail(QueueProblem::AfterHoursRule(Box::new(problem))))?;
        }
        match &queue.overflow {
            Overflow::Voicemail(rule) => rule.validate().map_err(fail)?,
            Overflow::Queue { queue: next } if !queues.contains_key(next) => {
                return Err(fail(QueueProblem::UnknownOverflowQueue));
            }
            Overflow::Forward { numbers } if numbers.is_empty() => {
                return Err(fail(QueueProblem::NoForwardNumbers));
            }
            _ => {}
        }
        // Following overflows from here must end somewhere other than a queue already passed.
        let mut seen = vec![id];
        let mut at = queue;
        while let Overflow::Queue { queue: next } = &at.overflow {
            if seen.contains(&next) {
                return Err(fail(QueueProblem::OverflowLoop));
            }
            seen.push(next);
            match queues.get(next) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
    Ok(())
}

impl AfterHours {
    pub(crate) fn validate(&self) -> Result<(), QueueProblem> {
        match self {
            AfterHours::Announce => Ok(()),
            AfterHours::Voicemail(rule) => rule.validate(),
            AfterHours::Forward { numbers } if numbers.is_empty() => {
                Err(QueueProblem::NoForwardNumbers)
            }
            AfterHours::Forward { .. } => Ok(()),
        }
    }

    /// The numbers it forwards to, if it does.
    pub(crate) fn numbers(&self) -> &[ExternalNumber] {
        match self {
            AfterHours::Forward { numbers } => numbers,
            _ => &[],
        }
    }
}

impl Overflow {
    /// The numbers it forwards to, if it does.
    pub(crate) fn numbers(&self) -> &[ExternalNumber] {
        match self {
            Overflow::Forward { numbers } => numbers,
            _ => &[],
        }
    }
}
