//! The widget's reactive state: what the UI shows. Only the controller writes it.

use leptos::prelude::*;
use tsunagu_core::TeamId;
use tsunagu_protocol::{AgentPresence, Localized, PresenceStatus};

use crate::{
    dial_policy::{DialRefusal, PendingDial},
    i18n::{Lang, Texts},
    voice::{CallWarning, VoiceProblem},
};

/// Where sign-in and the hub connection stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The widget was loaded without a valid tenant.
    Misconfigured,
    /// The page that framed the widget is not one of the tenant's allowed origins.
    HostRefused,
    /// The host page's `embed.js` speaks another major version of the host messages.
    IncompatibleHost,
    /// No session: the host page must call `Tsunagu.init`, or sign-in failed.
    SignedOut,
    SigningIn,
    Connecting,
    Connected,
    Reconnecting,
    /// The worker speaks another protocol version; reconnecting would not help.
    Incompatible,
}

impl Phase {
    /// Stable name for tests and styling (`data-state`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Phase::Misconfigured => "misconfigured",
            Phase::HostRefused => "host-refused",
            Phase::IncompatibleHost => "incompatible-host",
            Phase::SignedOut => "signed-out",
            Phase::SigningIn => "signing-in",
            Phase::Connecting => "connecting",
            Phase::Connected => "connected",
            Phase::Reconnecting => "reconnecting",
            Phase::Incompatible => "incompatible",
        }
    }

    pub(crate) fn text(self, t: &Texts) -> &'static str {
        match self {
            Phase::Misconfigured => t.misconfigured,
            Phase::HostRefused => t.host_refused,
            Phase::IncompatibleHost => t.incompatible_host,
            Phase::SignedOut => t.signed_out,
            Phase::SigningIn => t.signing_in,
            Phase::Connecting => t.connecting,
            Phase::Connected => t.connected,
            Phase::Reconnecting => t.reconnecting,
            Phase::Incompatible => t.incompatible,
        }
    }

    pub(crate) fn is_error(self) -> bool {
        matches!(
            self,
            Phase::Misconfigured
                | Phase::HostRefused
                | Phase::IncompatibleHost
                | Phase::Incompatible
        )
    }
}

/// A problem the agent should read, in their language; `code` is what the host's `error` event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    TokenExpired,
    TokenInvalid,
    TokenNotYetValid,
    UnknownTenant,
    SessionRefused,
    TokenUnavailable,
    Network,
    SessionLost,
    NotSignedIn,
    Rejected,
    TransferTargetBusy,
    TransferNumberInvalid,
    InvalidNumber,
    AgentBusy,
    DialFailed,
    /// The phone line's token ran out and no fresh one came.
    VoiceTokenExpired,
    VoiceTokenInvalid,
    VoiceMicrophone,
    VoiceNetwork,
    VoiceError,
    /// A web call needs the microphone, and the browser refused it.
    Microphone,
    /// The tenant's dial policy refused the number (click-to-call or a transfer).
    DialRefused(DialRefusal),
}

impl Notice {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Notice::TokenExpired => "token_expired",
            Notice::TokenInvalid => "token_invalid",
            Notice::TokenNotYetValid => "token_not_yet_valid",
            Notice::UnknownTenant => "unknown_tenant",
            Notice::SessionRefused => "session_refused",
            Notice::TokenUnavailable => "token_unavailable",
            Notice::Network => "network",
            Notice::SessionLost => "session_lost",
            Notice::NotSignedIn => "not_signed_in",
            Notice::Rejected => "rejected",
            Notice::TransferTargetBusy => "transfer_target_busy",
            Notice::TransferNumberInvalid => "transfer_number_invalid",
            Notice::InvalidNumber => "invalid_number",
            Notice::AgentBusy => "agent_busy",
            Notice::DialFailed => "dial_failed",
            Notice::VoiceTokenExpired => "voice_token_expired",
            Notice::VoiceTokenInvalid => "voice_token_invalid",
            Notice::VoiceMicrophone => "voice_microphone",
            Notice::VoiceNetwork => "voice_network",
            Notice::VoiceError => "voice_error",
            Notice::Microphone => "microphone_unavailable",
            Notice::DialRefused(_) => "dial_refused",
        }
    }

    pub(crate) fn text(self, t: &Texts) -> &'static str {
        match self {
            Notice::TokenExpired => t.err_token_expired,
            Notice::TokenInvalid => t.err_token_invalid,
            Notice::TokenNotYetValid => t.err_token_not_yet_valid,
            Notice::UnknownTenant => t.err_unknown_tenant,
            Notice::SessionRefused => t.err_session_refused,
            Notice::TokenUnavailable => t.err_token_unavailable,
            Notice::Network => t.err_network,
            Notice::SessionLost => t.err_session_lost,
            Notice::NotSignedIn => t.err_not_signed_in,
            Notice::Rejected => t.err_rejected,
            Notice::TransferTargetBusy => t.err_transfer_target_busy,
            Notice::TransferNumberInvalid => t.err_transfer_number_invalid,
            Notice::InvalidNumber => t.err_invalid_number,
            Notice::AgentBusy => t.err_agent_busy,
            Notice::DialFailed => t.err_dial_failed,
            Notice::VoiceTokenExpired => t.err_voice_token_expired,
            Notice::VoiceTokenInvalid => t.err_voice_token_invalid,
            Notice::VoiceMicrophone => t.err_voice_microphone,
            Notice::VoiceNetwork => t.err_voice_network,
            Notice::VoiceError => t.err_voice_error,
            Notice::Microphone => t.err_microphone,
            Notice::DialRefused(refusal) => refusal.text(t),
        }
    }

    /// Reads the hub's refusal of a widget message (the center's fixed English text).
    pub(crate) fn from_rejection(reason: &str) -> Notice {
        if let Some(refusal) = DialRefusal::from_rejection(reason) {
            Notice::DialRefused(refusal)
        } else if reason.contains("transfer number") {
            Notice::TransferNumberInvalid
        } else if reason.contains("transfer") {
            Notice::TransferTargetBusy
        } else {
            Notice::Rejected
        }
    }

    /// The notice for a phone-line problem.
    pub(crate) fn voice(problem: VoiceProblem) -> Notice {
        match problem {
            VoiceProblem::TokenExpired => Notice::VoiceTokenExpired,
            VoiceProblem::TokenInvalid => Notice::VoiceTokenInvalid,
            VoiceProblem::Microphone => Notice::VoiceMicrophone,
            VoiceProblem::Network => Notice::VoiceNetwork,
            VoiceProblem::Other => Notice::VoiceError,
        }
    }

    /// A notice that says the line cannot ring, which its recovery makes obsolete.
    pub(crate) fn is_voice_line_down(self) -> bool {
        matches!(
            self,
            Notice::VoiceTokenExpired | Notice::VoiceTokenInvalid | Notice::VoiceNetwork
        )
    }

    /// The English text the host's `error` event carries, for its logs.
    pub(crate) fn english(self) -> &'static str {
        self.text(crate::i18n::texts(Lang::En))
    }

    /// Reads `/api/session`'s 401 message (the worker's fixed English text) as a notice.
    pub(crate) fn from_session_refusal(message: &str) -> Notice {
        let message = message.to_ascii_lowercase();
        if message.contains("expired") {
            Notice::TokenExpired
        } else if message.contains("not valid yet") {
            Notice::TokenNotYetValid
        } else if message.contains("unknown tenant") {
            Notice::UnknownTenant
        } else if message.contains("token") {
            Notice::TokenInvalid
        } else {
            Notice::SessionRefused
        }
    }
}

/// The phone line's state, as the agent should understand it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VoiceState {
    /// Not signed in, or the token is on its way.
    Off,
    Connecting,
    Ready,
    /// This build cannot carry the tenant's voice backend (unknown backend, or no SDK file).
    NotAvailable,
    Failed,
    /// Another tab of this agent holds the phone; this one takes over when that tab closes.
    OtherTab,
}

impl VoiceState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VoiceState::Off => "off",
            VoiceState::Connecting => "connecting",
            VoiceState::Ready => "ready",
            VoiceState::NotAvailable => "not-available",
            VoiceState::Failed => "failed",
            VoiceState::OtherTab => "other-tab",
        }
    }
}

/// The agent who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Me {
    pub(crate) agent: String,
    pub(crate) name: String,
}

pub(crate) use tsunagu_agent::{CallView, OfferView, WrapUpView};

/// Everything the UI reads; `Copy`, so components take it from context.
#[derive(Clone, Copy)]
pub(crate) struct WidgetState {
    pub(crate) lang: RwSignal<Lang>,
    pub(crate) phase: RwSignal<Phase>,
    pub(crate) tenant_name: RwSignal<Option<Localized>>,
    pub(crate) me: RwSignal<Option<Me>>,
    pub(crate) status: RwSignal<Option<PresenceStatus>>,
    pub(crate) roster: RwSignal<Vec<AgentPresence>>,
    /// The agent's own teams, for transfers to a team.
    pub(crate) teams: RwSignal<Vec<TeamId>>,
    /// A new build is out; the widget switches to it when no call is active.
    pub(crate) update_pending: RwSignal<bool>,
    pub(crate) offer: RwSignal<Option<OfferView>>,
    pub(crate) call: RwSignal<Option<CallView>>,
    /// The wrap-up under way and the call it is for; then the one just saved, for a moment.
    pub(crate) wrap_up: RwSignal<Option<WrapUpView>>,
    pub(crate) wrap_up_saved: RwSignal<Option<WrapUpView>>,
    pub(crate) voice: RwSignal<VoiceState>,
    pub(crate) notice: RwSignal<Option<Notice>>,
    /// A `Tsunagu.dial()` waiting for the agent's Call or Cancel.
    pub(crate) pending_dial: RwSignal<Option<PendingDial>>,
    /// A record a CRM backend asked this widget to show, until the agent closes it.
    pub(crate) pushed_record: RwSignal<Option<tsunagu_protocol::PushedRecord>>,
    pub(crate) ringtone: RwSignal<bool>,
    pub(crate) muted: RwSignal<bool>,
    /// The call's worst standing quality warning.
    pub(crate) call_warning: RwSignal<Option<CallWarning>>,
    /// The session holds the `admin` role: the header offers the administration views.
    pub(crate) is_admin: RwSignal<bool>,
    /// The administration views are open (their module is fetched on the first open).
    pub(crate) admin_open: RwSignal<bool>,
    /// The session holds the `agent` role, so the widget is a phone. Without it (an admin who
    /// takes no calls) the widget opens no hub socket and no phone line: the administration
    /// views only.
    pub(crate) phone_role: RwSignal<bool>,
    /// The session may read the routing audit (supervisors, admins): the header offers the
    /// conversations view.
    pub(crate) audit_reader: RwSignal<bool>,
    /// The conversations view is open (its module is fetched on the first open).
    pub(crate) conversations_open: RwSignal<bool>,
}

impl WidgetState {
    pub(crate) fn new(lang: Lang) -> WidgetState {
        WidgetState {
            lang: RwSignal::new(lang),
            phase: RwSignal::new(Phase::SignedOut),
            tenant_name: RwSignal::new(None),
            me: RwSignal::new(None),
            status: RwSignal::new(None),
            roster: RwSignal::new(Vec::new()),
            teams: RwSignal::new(Vec::new()),
            update_pending: RwSignal::new(false),
            offer: RwSignal::new(None),
            call: RwSignal::new(None),
            wrap_up: RwSignal::new(None),
            wrap_up_saved: RwSignal::new(None),
            voice: RwSignal::new(VoiceState::Off),
            notice: RwSignal::new(None),
            pending_dial: RwSignal::new(None),
            pushed_record: RwSignal::new(None),
            ringtone: RwSignal::new(false),
            muted: RwSignal::new(false),
            call_warning: RwSignal::new(None),
            is_admin: RwSignal::new(false),
            admin_open: RwSignal::new(false),
            phone_role: RwSignal::new(true),
            audit_reader: RwSignal::new(false),
            conversations_open: RwSignal::new(false),
        }
    }

    pub(crate) fn texts(self) -> &'static Texts {
        crate::i18n::texts(self.lang.get())
    }

    /// The display name of an agent of the roster, else their id.
    pub(crate) fn agent_name(self, agent: &str) -> String {
        self.roster.with(|roster| {
            roster
                .iter()
                .find(|entry| entry.agent.as_str() == agent)
                .map_or_else(|| agent.to_owned(), |entry| entry.name.clone())
        })
    }
}

#[cfg(test)]
mod tests;
