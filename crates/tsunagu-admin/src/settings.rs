//! The tenant's settings as the admin API reads and writes them: its name in both languages, the
//! origins allowed to embed the widget, the Twilio edge, how far supervisors read the log, and
//! the CRM's live lookup URL.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagu_auth::SupervisorReach;

use crate::{
    ErrorCode, Invalid,
    fields::Fields,
    webhooks::{URL_MAX_CHARS, is_webhook_url},
};

/// Longest display name of a tenant or team.
pub const NAME_MAX_CHARS: u32 = 100;
/// Most origins a tenant may list (each is a CSP `frame-ancestors` source).
pub const ORIGINS_MAX: u32 = 20;
const ORIGIN_MAX_CHARS: u32 = 253;

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub ja: String,
    pub en: String,
}

impl Name {
    /// Reads `{ "ja": …, "en": … }` at `field`.
    pub(crate) fn read(fields: &mut Fields<'_>, field: &str) -> Option<Name> {
        let Some(value) = fields.get(field) else {
            fields.fail(field, ErrorCode::Required);
            return None;
        };
        if !value.is_object() {
            fields.fail(field, ErrorCode::NotAnObject);
            return None;
        }
        let mut text = |lang: &str| {
            let path = format!("{field}.{lang}");
            match value.get(lang).filter(|v| !v.is_null()) {
                Some(v) => fields.text_value(&path, v, NAME_MAX_CHARS, false),
                None => {
                    fields.fail(path, ErrorCode::Required);
                    None
                }
            }
        };
        let ja = text("ja");
        let en = text("en");
        Some(Name { ja: ja?, en: en? })
    }
}

/// The Twilio edge location the widget's Voice SDK connects through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoiceEdge {
    Tokyo,
    Singapore,
    Sydney,
    Ashburn,
    Umatilla,
    Dublin,
    Frankfurt,
    SaoPaulo,
    Roaming,
}

impl VoiceEdge {
    pub const ALL: [VoiceEdge; 9] = [
        VoiceEdge::Tokyo,
        VoiceEdge::Singapore,
        VoiceEdge::Sydney,
        VoiceEdge::Ashburn,
        VoiceEdge::Umatilla,
        VoiceEdge::Dublin,
        VoiceEdge::Frankfurt,
        VoiceEdge::SaoPaulo,
        VoiceEdge::Roaming,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VoiceEdge::Tokyo => "tokyo",
            VoiceEdge::Singapore => "singapore",
            VoiceEdge::Sydney => "sydney",
            VoiceEdge::Ashburn => "ashburn",
            VoiceEdge::Umatilla => "umatilla",
            VoiceEdge::Dublin => "dublin",
            VoiceEdge::Frankfurt => "frankfurt",
            VoiceEdge::SaoPaulo => "sao-paulo",
            VoiceEdge::Roaming => "roaming",
        }
    }

    pub fn from_name(name: &str) -> Option<VoiceEdge> {
        VoiceEdge::ALL
            .into_iter()
            .find(|edge| edge.as_str() == name)
    }
}

/// The tenant's settings (`GET`/`PUT /api/admin/settings`). A `PUT` replaces them all.
/// How long a tenant's widget sessions may last, in minutes: 30 min to eight hours.
pub const SESSION_LIFETIME_MINUTES: (u32, u32) = (30, 480);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    pub name: Name,
    /// CSP `frame-ancestors` sources: the CRM pages that may embed the widget.
    pub allowed_origins: Vec<String>,
    pub voice_edge: VoiceEdge,
    pub supervisor_reach: SupervisorReach,
    /// Where calls ask the CRM who is calling (`tsunagu_webhooks::lookup`); `None`: the
    /// directory alone. Optional in a request: absent, null or "" turns the lookup off.
    #[serde(default)]
    pub crm_lookup_url: Option<String>,
    /// How long a widget session lasts, in minutes (30 to 480, the eight hours a session may last
    /// at most). Optional in a request: absent or null keeps what is stored (clients that predate
    /// it do not reset it).
    #[serde(default)]
    pub session_lifetime_minutes: Option<u32>,
}

impl TenantSettings {
    /// Validates a request body; every problem at once.
    pub fn validate(body: &Value) -> Result<TenantSettings, Invalid> {
        let mut fields = Fields::of(body);
        let name = Name::read(&mut fields, "name");
        let mut origins = Vec::new();
        match fields.list("allowed_origins", ORIGINS_MAX) {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let path = format!("allowed_origins[{index}]");
                    let Some(origin) = fields.text_value(&path, item, ORIGIN_MAX_CHARS, false)
                    else {
                        continue;
                    };
                    if !is_csp_source(&origin) {
                        fields.fail(path, ErrorCode::InvalidOrigin);
                    } else if origins.contains(&origin) {
                        fields.fail(path, ErrorCode::Duplicate);
                    } else {
                        origins.push(origin);
                    }
                }
            }
            None if fields.get("allowed_origins").is_none() => {
                fields.fail("allowed_origins", ErrorCode::Required);
            }
            None => {}
        }
        let voice_edge = fields
            .text("voice_edge", 20)
            .and_then(|edge| match VoiceEdge::from_name(&edge) {
                Some(edge) => Some(edge),
                None => {
                    fields.fail("voice_edge", ErrorCode::UnknownValue);
                    None
                }
            });
        let supervisor_reach =
            fields
                .text("supervisor_reach", 20)
                .and_then(|reach| match reach.as_str() {
                    "teams" => Some(SupervisorReach::Teams),
                    "tenant" => Some(SupervisorReach::Tenant),
                    _ => {
                        fields.fail("supervisor_reach", ErrorCode::UnknownValue);
                        None
                    }
                });
        let crm_lookup_url = fields
            .optional_text("crm_lookup_url", URL_MAX_CHARS, true)
            .filter(|url| !url.is_empty())
            .filter(|url| {
                let ok = is_webhook_url(url);
                if !ok {
                    fields.fail("crm_lookup_url", ErrorCode::InvalidWebhookUrl);
                }
                ok
            });
        let session_lifetime_minutes = match fields.get("session_lifetime_minutes") {
            None => Some(None),
            Some(value) => fields
                .number_value(
                    "session_lifetime_minutes",
                    value,
                    SESSION_LIFETIME_MINUTES.0,
                    SESSION_LIFETIME_MINUTES.1,
                )
                .map(Some),
        };
        let settings = (|| {
            Some(TenantSettings {
                name: name?,
                allowed_origins: origins,
                voice_edge: voice_edge?,
                supervisor_reach: supervisor_reach?,
                crm_lookup_url,
                session_lifetime_minutes: session_lifetime_minutes?,
            })
        })();
        fields.finish(settings)
    }
}

/// Whether `source` is a CSP source we accept for `frame-ancestors`: `'self'`, or
/// `http(s)://` + a host (optionally `*.`-prefixed) + an optional `:port` or `:*`, nothing else.
/// Plain `http` is allowed only for `localhost` and `127.0.0.1` (development CRMs).
pub fn is_csp_source(source: &str) -> bool {
    if source == "'self'" {
        return true;
    }
    let (secure, rest) = if let Some(rest) = source.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = source.strip_prefix("http://") {
        (false, rest)
    } else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let port_ok = port.is_none_or(|port| {
        port == "*"
            || (!port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
    });
    let bare_host = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = !bare_host.is_empty()
        && bare_host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let local = matches!(host, "localhost" | "127.0.0.1");
    port_ok && host_ok && (secure || local)
}
