//! The worker's HTTP replies that the widget reads: written by the worker with serde, read by the
//! widget by hand through this crate's one JSON reader (as hub messages are, `read.rs`), so both
//! sides share one definition of each.

use serde::{Deserialize, Serialize};

use crate::{
    json::Value,
    read::{Fields, list, number, text},
};

/// `POST /api/session`'s reply: the session the widget keeps in memory and who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionReply {
    /// Kept in the widget's memory only; the host page never sees it.
    pub session: String,
    /// Unix seconds.
    pub expires_at: u64,
    #[serde(default)]
    pub tenant: String,
    pub agent: String,
    pub name: String,
    #[serde(default)]
    pub team: Option<String>,
    /// `agent`, `supervisor`, `admin`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Whether `Tsunagu.dial()` calls at once (the tenant trusts its CRM) instead of asking the
    /// agent to confirm.
    #[serde(default)]
    pub direct_dial_from_host: bool,
}

impl SessionReply {
    /// The reply in `json`, read as the derive reads it; `None` when it is not one.
    pub fn read(json: &str) -> Option<SessionReply> {
        let mut fields = Fields::of(Value::parse(json)?)?;
        Some(SessionReply {
            session: fields.required("session", text)?,
            expires_at: fields.required("expires_at", number)?,
            tenant: fields.defaulted("tenant", String::new(), text)?,
            agent: fields.required("agent", text)?,
            name: fields.required("name", text)?,
            team: fields.optional("team", text)?,
            roles: fields.defaulted("roles", Vec::new(), |roles| match roles {
                Value::Array(roles) => roles.into_iter().map(text).collect(),
                _ => None,
            })?,
            direct_dial_from_host: fields
                .defaulted("direct_dial_from_host", false, |v| v.as_bool())?,
        })
    }

    /// Whether the session holds `role` (the worker checks it again on every route).
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }
}

/// `POST /api/token`'s reply: the voice line's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceTokenReply {
    /// Twilio Access Token (JWT) for the Voice SDK, for `identity`.
    pub token: String,
    /// The agent's Twilio client identity: tenant and agent (`ClientIdentity`).
    #[serde(default)]
    pub identity: String,
    /// The Twilio edge the SDK must use (`tokyo` unless the tenant says otherwise).
    pub edge: String,
    /// Unix seconds; the widget refreshes on the SDK's `tokenWillExpire` well before this.
    #[serde(default)]
    pub expires_at: u64,
    /// Which voice implementation the widget uses: `twilio` (the Voice JS SDK) or `double` (the
    /// project's Twilio test double, for tests and the demo; `VOICE_BACKEND` in the environment).
    pub backend: String,
    /// For `double`: the WebSocket URL of the double's `<Client>` endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_url: Option<String>,
}

impl VoiceTokenReply {
    pub fn read(json: &str) -> Option<VoiceTokenReply> {
        let mut fields = Fields::of(Value::parse(json)?)?;
        Some(VoiceTokenReply {
            token: fields.required("token", text)?,
            identity: fields.defaulted("identity", String::new(), text)?,
            edge: fields.required("edge", text)?,
            expires_at: fields.defaulted("expires_at", 0, number)?,
            backend: fields.required("backend", text)?,
            client_url: fields.optional("client_url", text)?,
        })
    }
}

/// `POST /api/calls`' reply: the outbound call the worker created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialReply {
    /// The conversation (and the Twilio call the widget will be rung with).
    pub conversation: String,
    pub call_sid: String,
    /// The number dialled, in E.164 and as Japanese callers write it.
    #[serde(default)]
    pub to: String,
    pub to_display: String,
    pub customer: Option<DialledCustomer>,
}

/// The CRM record of a dialled number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialledCustomer {
    pub id: String,
    pub name: String,
}

impl DialReply {
    pub fn read(json: &str) -> Option<DialReply> {
        let mut fields = Fields::of(Value::parse(json)?)?;
        Some(DialReply {
            conversation: fields.required("conversation", text)?,
            call_sid: fields.required("call_sid", text)?,
            to: fields.defaulted("to", String::new(), text)?,
            to_display: fields.required("to_display", text)?,
            customer: fields.optional("customer", |customer| {
                let mut customer = Fields::of(customer)?;
                Some(DialledCustomer {
                    id: customer.required("id", text)?,
                    name: customer.required("name", text)?,
                })
            })?,
        })
    }
}

/// An error reply of any route: a stable code and a sentence of ours (never the input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub message: String,
}

impl ErrorReply {
    /// The error in `json`; both empty when it is unreadable.
    pub fn read(json: &str) -> ErrorReply {
        let read = Value::parse(json)
            .and_then(Fields::of)
            .and_then(|mut fields| {
                Some(ErrorReply {
                    error: fields.defaulted("error", String::new(), text)?,
                    message: fields.defaulted("message", String::new(), text)?,
                })
            });
        read.unwrap_or(ErrorReply {
            error: String::new(),
            message: String::new(),
        })
    }
}

/// `GET /widget/version`'s reply: the widget build the worker serves (`build/site/version.json`),
/// which open widgets compare with their own to update themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetVersionReply {
    /// The boot script's content hash, as in the page's `<meta name="tsunagu-version">`.
    pub version: String,
}

impl WidgetVersionReply {
    pub fn read(json: &str) -> Option<WidgetVersionReply> {
        let mut fields = Fields::of(Value::parse(json)?)?;
        Some(WidgetVersionReply {
            version: fields.required("version", text)?,
        })
    }
}

/// `GET /api/webcall/ice`'s reply: the STUN/TURN servers for the agent's end of one web call,
/// the TURN credential minted for that call alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServersReply {
    pub ice_servers: Vec<IceServer>,
}

/// One STUN or TURN server, in the shape `RTCPeerConnection` takes (`RTCIceServer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: IceUrls,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `RTCIceServer.urls`: one URL or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IceUrls {
    One(String),
    Many(Vec<String>),
}

impl IceServer {
    /// Whether it names at least one URL and every URL is `stun:`, `stuns:`, `turn:` or `turns:`
    /// (what the worker accepts from its configuration).
    pub fn is_valid(&self) -> bool {
        let ice = |url: &String| {
            ["stun:", "stuns:", "turn:", "turns:"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        };
        match &self.urls {
            IceUrls::One(url) => ice(url),
            IceUrls::Many(urls) => !urls.is_empty() && urls.iter().all(ice),
        }
    }

    fn from_value(value: Value) -> Option<IceServer> {
        let mut fields = Fields::of(value)?;
        Some(IceServer {
            // As the untagged derive tries them: a string, else a list of strings.
            urls: fields.required("urls", |urls| match urls {
                Value::String(url) => Some(IceUrls::One(url)),
                urls => list(urls, text).map(IceUrls::Many),
            })?,
            username: fields.optional("username", text)?,
            credential: fields.optional("credential", text)?,
        })
    }
}

impl IceServersReply {
    pub fn read(json: &str) -> Option<IceServersReply> {
        let mut fields = Fields::of(Value::parse(json)?)?;
        Some(IceServersReply {
            ice_servers: fields.required("ice_servers", |servers| {
                list(servers, IceServer::from_value)
            })?,
        })
    }
}

#[cfg(test)]
mod tests;
