//! A CRM backend's requests for one agent (the server API, with an API key): call a number on the agent's behalf, or show a record in their widget.
//!
//! The decision is the center's: whether the agent can be reached (signed in, not busy, under
//! the dial policy's caps), whether the number may be dialled at all, and what the widget is told.
//! A call is never started silently: unless the tenant allows direct dialing
//! ([`CenterConfig::direct_dial_from_host`](crate::CenterConfig)), the widget shows the number
//! with Call / Cancel, as for `Tsunagu.dial()`, and the call starts on the agent's click (the
//! widget then places it through `POST /api/calls`, which checks the policy again).

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CustomerId, Timestamp};
use tsunagu_phone::{DialRefusal, PhoneNumber};
use tsunagu_presence::Status;
use tsunagu_protocol::{
    CustomerCard, Localized, PushedRecord, RECORD_SUBTITLE_MAX_CHARS, RECORD_TITLE_MAX_CHARS,
    RECORD_URL_MAX_BYTES, ServerMessage,
};

use crate::{Center, CenterError};

/// What a CRM backend asks of one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "push", rename_all = "snake_case")]
pub enum AgentPush {
    /// Call `to` on the agent's behalf.
    Dial {
        to: PhoneNumber,
        /// The CRM record the backend named, or the number's, if the directory knows it.
        #[serde(default)]
        customer: Option<CustomerCard>,
        /// The agent is a supervisor (the directory's roles): the policy's country list may be
        /// theirs only.
        #[serde(default)]
        supervisor: bool,
    },
    /// Show this record in the agent's widget.
    ShowRecord { record: PushedRecord },
}

/// What happened, for the CRM backend's `202`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pushed {
    /// The widget shows the number with Call / Cancel; the call starts on the agent's click.
    OfferedToAgent,
    /// The tenant allows direct dialing: the widget places the call at once.
    Dialing,
    /// The widget shows the record.
    Shown,
}

/// Why a push was refused; nothing was sent to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refused", rename_all = "snake_case")]
pub enum PushRefusal {
    /// No widget of the agent is open (or the agent chose to be offline).
    NotSignedIn,
    /// The agent is ringing, on a call or in wrap-up.
    AgentBusy,
    /// The dial policy refuses the number, or a call rate cap is reached.
    DialRefused { reason: DialRefusal },
    /// More pushes to this agent than `tsunagu_auth::PUSH_RATE_LIMIT` allows (the hub counts).
    TooManyPushes,
}

impl PushRefusal {
    /// The refusal of a push the center answered with `error`, if it is one of a push's.
    pub fn of(error: &CenterError) -> Option<PushRefusal> {
        match error {
            CenterError::NotSignedIn => Some(PushRefusal::NotSignedIn),
            CenterError::AgentBusy => Some(PushRefusal::AgentBusy),
            CenterError::DialRefused(reason) => Some(PushRefusal::DialRefused { reason: *reason }),
            _ => None,
        }
    }

    /// The stable code: `not_signed_in`, `agent_busy`, `dial_refused` (with the policy's reason),
    /// `too_many_pushes`.
    pub fn code(self) -> &'static str {
        match self {
            PushRefusal::NotSignedIn => "not_signed_in",
            PushRefusal::AgentBusy => "agent_busy",
            PushRefusal::DialRefused { .. } => "dial_refused",
            PushRefusal::TooManyPushes => "too_many_pushes",
        }
    }

    /// What to tell the CRM's user, in Japanese and English; never names the number.
    pub fn message(self) -> Localized {
        let (ja, en) = match self {
            PushRefusal::NotSignedIn => (
                "担当者はウィジェットにサインインしていません。",
                "The agent is not signed in to the widget.",
            ),
            PushRefusal::AgentBusy => (
                "担当者は通話中または後処理中です。",
                "The agent is on a call or in wrap-up.",
            ),
            PushRefusal::DialRefused { reason } => dial_refusal_text(reason),
            PushRefusal::TooManyPushes => (
                "この担当者への通知が多すぎます。少し待ってから送ってください。",
                "Too many pushes to this agent; wait a moment before sending more.",
            ),
        };
        Localized {
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }
}

/// The dial policy's refusals in the words the widget shows for them.
fn dial_refusal_text(reason: DialRefusal) -> (&'static str, &'static str) {
    match reason {
        DialRefusal::PremiumRate => (
            "この番号（有料番号 0990 など）には発信できません。",
            "Calls to premium-rate numbers (such as 0990) are not allowed.",
        ),
        DialRefusal::SharedCost => (
            "この番号（ナビダイヤル 0570 など）には発信できません。",
            "Calls to shared-cost numbers (such as 0570) are not allowed.",
        ),
        DialRefusal::Satellite => (
            "衛星電話には発信できません。",
            "Calls to satellite phones are not allowed.",
        ),
        DialRefusal::International => (
            "国際電話は許可されていません。",
            "International calls are not allowed.",
        ),
        DialRefusal::InternationalSupervisorsOnly => (
            "国際電話はスーパーバイザーのみ発信できます。",
            "Only supervisors may place international calls.",
        ),
        DialRefusal::AgentRateLimit => (
            "短時間の発信が多すぎます。1分ほど待ってからお試しください。",
            "Too many calls in a short time. Please wait a minute.",
        ),
        DialRefusal::TenantOutboundLimit => (
            "同時に発信できる件数の上限に達しています。しばらくしてからお試しください。",
            "Too many outbound calls at once. Please try again shortly.",
        ),
        // `KindNotAllowed`, and any reason a newer policy adds.
        _ => (
            "この種類の番号には発信できません。",
            "Calls to this kind of number are not allowed.",
        ),
    }
}

impl Center {
    /// Applies a CRM backend's `push` for `agent` at `now`; refused, sending nothing, when the
    /// agent cannot be reached or (a dial) the number or the caps refuse it.
    pub(crate) fn push_to_agent(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        push: AgentPush,
    ) -> Result<Pushed, CenterError> {
        let now = self.begin(now);
        let result = self.push(now, agent, push);
        self.finish();
        result
    }

    fn push(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        push: AgentPush,
    ) -> Result<Pushed, CenterError> {
        match push {
            AgentPush::Dial {
                to,
                customer,
                supervisor,
            } => {
                // The number first: a refused one is refused whoever is asked.
                self.config
                    .dial_policy
                    .check(&to, supervisor)
                    .map_err(CenterError::DialRefused)?;
                self.can_dial(now, agent, None)?;
                let confirm = !self.config.direct_dial_from_host;
                let message = ServerMessage::DialRequest {
                    to: to.as_e164().to_owned(),
                    to_display: to.national_display().to_owned(),
                    customer,
                    confirm,
                };
                self.send_to_agent(agent, &message);
                Ok(if confirm {
                    Pushed::OfferedToAgent
                } else {
                    Pushed::Dialing
                })
            }
            AgentPush::ShowRecord { record } => {
                let reachable = self.agents.get(agent).is_some_and(|entry| {
                    !entry.conns.is_empty() && entry.presence.status() != Status::Offline
                });
                if !reachable {
                    return Err(CenterError::NotSignedIn);
                }
                self.send_to_agent(agent, &ServerMessage::ShowRecord { record });
                Ok(Pushed::Shown)
            }
        }
    }
}

/// Why a record the CRM describes cannot be shown: the field and the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordProblem {
    /// `title` is missing or blank.
    TitleMissing,
    TitleTooLong,
    SubtitleTooLong,
    /// `title` or `subtitle` holds control characters (line breaks included).
    ControlCharacters {
        field: &'static str,
    },
    /// `url` is not `https://host…`.
    UrlNotHttps,
    UrlTooLong,
    /// `url` has a user name, spaces, non-ASCII or characters a link cannot hold unescaped.
    UrlInvalid,
    /// `customer_id` names no customer of the directory.
    UnknownCustomer,
}

impl RecordProblem {
    /// The field the problem is in: `title`, `subtitle` or `url`.
    pub fn field(self) -> &'static str {
        match self {
            RecordProblem::TitleMissing | RecordProblem::TitleTooLong => "title",
            RecordProblem::SubtitleTooLong => "subtitle",
            RecordProblem::ControlCharacters { field } => field,
            RecordProblem::UrlNotHttps | RecordProblem::UrlTooLong | RecordProblem::UrlInvalid => {
                "url"
            }
            RecordProblem::UnknownCustomer => "customer_id",
        }
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RecordProblem::TitleMissing => "title_missing",
            RecordProblem::TitleTooLong => "title_too_long",
            RecordProblem::SubtitleTooLong => "subtitle_too_long",
            RecordProblem::ControlCharacters { .. } => "control_characters",
            RecordProblem::UrlNotHttps => "url_not_https",
            RecordProblem::UrlTooLong => "url_too_long",
            RecordProblem::UrlInvalid => "url_invalid",
            RecordProblem::UnknownCustomer => "unknown_customer",
        }
    }

    /// The problem in Japanese and English; never quotes the input.
    pub fn message(self) -> Localized {
        let (ja, en) = match self {
            RecordProblem::TitleMissing => (
                "title（顧客名など）を指定してください。",
                "`title` (such as the customer's name) is required.",
            ),
            RecordProblem::TitleTooLong => (
                "title は120文字以内で指定してください。",
                "`title` must be at most 120 characters.",
            ),
            RecordProblem::SubtitleTooLong => (
                "subtitle は200文字以内で指定してください。",
                "`subtitle` must be at most 200 characters.",
            ),
            RecordProblem::ControlCharacters { .. } => (
                "改行などの制御文字は使えません。",
                "Line breaks and other control characters are not allowed.",
            ),
            RecordProblem::UrlNotHttps => (
                "url は https:// で始まる必要があります。",
                "`url` must start with https://.",
            ),
            RecordProblem::UrlTooLong => (
                "url は2048バイト以内で指定してください。",
                "`url` must be at most 2048 bytes.",
            ),
            RecordProblem::UrlInvalid => (
                "url にユーザー名、空白、全角文字などは使えません（パーセントエンコードしてください）。",
                "`url` may not hold a user name, spaces or non-ASCII characters (percent-encode them).",
            ),
            RecordProblem::UnknownCustomer => (
                "customer_id の顧客は登録されていません。",
                "`customer_id` names no customer of the directory.",
            ),
        };
        Localized {
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }
}

/// A record the CRM describes, checked: a title of at most [`RECORD_TITLE_MAX_CHARS`], an
/// optional subtitle of at most [`RECORD_SUBTITLE_MAX_CHARS`] (both without control
/// characters), an optional `https://` link of at most [`RECORD_URL_MAX_BYTES`].
pub fn crm_record(
    title: &str,
    subtitle: Option<&str>,
    url: Option<&str>,
) -> Result<PushedRecord, RecordProblem> {
    let title = title.trim();
    if title.is_empty() {
        return Err(RecordProblem::TitleMissing);
    }
    if title.chars().count() > RECORD_TITLE_MAX_CHARS {
        return Err(RecordProblem::TitleTooLong);
    }
    plain_text(title, "title")?;
    let subtitle = subtitle.map(str::trim).filter(|s| !s.is_empty());
    if let Some(subtitle) = subtitle {
        if subtitle.chars().count() > RECORD_SUBTITLE_MAX_CHARS {
            return Err(RecordProblem::SubtitleTooLong);
        }
        plain_text(subtitle, "subtitle")?;
    }
    Ok(PushedRecord {
        customer: None,
        title: title.to_owned(),
        subtitle: subtitle.map(str::to_owned),
        number: None,
        url: crm_link(url)?,
    })
}

/// A directory customer's card as a pushed record, with the CRM's link to it if one was given.
pub fn customer_record(
    id: CustomerId,
    name: &str,
    company: &str,
    number_display: Option<&str>,
    url: Option<&str>,
) -> Result<PushedRecord, RecordProblem> {
    Ok(PushedRecord {
        customer: Some(id),
        title: name.to_owned(),
        subtitle: Some(company.trim())
            .filter(|company| !company.is_empty())
            .map(str::to_owned),
        number: number_display.map(str::to_owned),
        url: crm_link(url)?,
    })
}

fn plain_text(text: &str, field: &'static str) -> Result<(), RecordProblem> {
    if text.chars().any(char::is_control) {
        return Err(RecordProblem::ControlCharacters { field });
    }
    Ok(())
}

/// An `https://` link a widget may open: a host, no user name (`https://crm.example@evil.test`
/// reads as the first host but opens the second), only characters a URL holds unescaped.
fn crm_link(url: Option<&str>) -> Result<Option<String>, RecordProblem> {
    let Some(url) = url.map(str::trim).filter(|url| !url.is_empty()) else {
        return Ok(None);
    };
    if url.len() > RECORD_URL_MAX_BYTES {
        return Err(RecordProblem::UrlTooLong);
    }
    let rest = url
        .strip_prefix("https://")
        .ok_or(RecordProblem::UrlNotHttps)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let unsafe_char = |c: char| !c.is_ascii_graphic() || matches!(c, '"' | '<' | '>' | '\\' | '`');
    if host.is_empty() || host.contains('@') || rest.chars().any(unsafe_char) {
        return Err(RecordProblem::UrlInvalid);
    }
    Ok(Some(url.to_owned()))
}
