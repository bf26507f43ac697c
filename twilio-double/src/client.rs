//! `<Client>` endpoints (agents' softphones): Access-Token-checked WebSockets, and an HTTP stand-in for tests without a browser.

use std::{sync::Arc, time::Duration};

use axum::{
    Json,
    extract::{
        Path, Query, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tsunagu_auth::jwt;
use tsunagu_twilio::access_token::{CONTENT_TYPE, Identity};

use crate::{
    config::Config,
    state::{AutoBehaviour, ClientConnection, ClientEntry, Control, EventKind, LegEvent, Shared},
    util::now_unix_ms,
};

/// Why an Access Token was refused. Messages never quote the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a valid HS256 JWT")]
    Malformed,
    #[error("the token's API key (iss) and account (sub) are not configured")]
    UnknownKey,
    #[error("the token's signature does not verify with the API key secret")]
    BadSignature,
    #[error("the token is not a Twilio Access Token (cty)")]
    NotAccessToken,
    #[error("the token has expired or is not yet valid")]
    Expired,
    #[error("the token has no grants.identity")]
    NoIdentity,
}

/// Checks a Voice Access Token as Twilio does: HS256 with the secret of the API key in `iss`,
/// `sub` its account, `cty`, `exp`/`nbf`, and returns `grants.identity`.
pub fn verify_access_token(
    config: &Config,
    token: &str,
    now_secs: u64,
) -> Result<String, TokenError> {
    let unverified = jwt::decode_unverified(token).map_err(|_| TokenError::Malformed)?;
    let claim = |name: &str| {
        unverified
            .claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(issuer), Some(subject)) = (claim("iss"), claim("sub")) else {
        return Err(TokenError::UnknownKey);
    };
    let account = config
        .accounts
        .iter()
        .find(|a| a.api_key_sid == issuer && a.account_sid == subject)
        .ok_or(TokenError::UnknownKey)?;
    let decoded = jwt::verify(token, account.api_key_secret.as_bytes()).map_err(|e| match e {
        jwt::JwtError::BadSignature => TokenError::BadSignature,
        _ => TokenError::Malformed,
    })?;
    if decoded.header.get("cty").and_then(Value::as_str) != Some(CONTENT_TYPE) {
        return Err(TokenError::NotAccessToken);
    }
    let exp = decoded.claims.get("exp").and_then(Value::as_u64);
    let nbf = decoded.claims.get("nbf").and_then(Value::as_u64);
    if exp.is_none_or(|exp| exp <= now_secs) || nbf.is_some_and(|nbf| nbf > now_secs) {
        return Err(TokenError::Expired);
    }
    decoded
        .claims
        .get("grants")
        .and_then(|g| g.get("identity"))
        .and_then(Value::as_str)
        .filter(|identity| !identity.is_empty())
        .map(str::to_owned)
        .ok_or(TokenError::NoIdentity)
}

/// What a client does to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAction {
    Accept,
    Reject,
    Hangup,
    Dtmf(String),
}

impl ClientAction {
    /// The message type a softphone sends for it.
    pub fn name(&self) -> &'static str {
        match self {
            ClientAction::Accept => "accept",
            ClientAction::Reject => "reject",
            ClientAction::Hangup => "hangup",
            ClientAction::Dtmf(_) => "dtmf",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("no client is registered under that identity")]
    NotRegistered,
    #[error("the client has no such call ringing or in progress")]
    NoSuchCall,
}

/// Sends `message` to a client (its socket, and its inbox either way).
fn push(double: &Shared, identity: &str, message: &Value) {
    double.with(|inner| {
        if let Some(entry) = inner.clients.get_mut(identity) {
            if let ClientConnection::Socket { sender, .. } = &entry.connection {
                let _ = sender.send(message.clone());
            }
            entry.inbox.push(message.clone());
        }
    });
}

/// Rings `identity` for the leg `leg_sid`. False when no such client is registered.
pub fn ring(
    double: &Shared,
    identity: &str,
    leg_sid: &str,
    parent_sid: Option<&str>,
    from: &str,
    to: &str,
    parameters: &[(String, String)],
) -> bool {
    let params: serde_json::Map<String, Value> = parameters
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    let message = json!({
        "type": "incoming",
        "call_sid": leg_sid,
        "parent_call_sid": parent_sid,
        "from": from,
        "to": to,
        "parameters": params,
    });
    let auto = double.with(|inner| {
        let entry = inner.clients.get_mut(identity)?;
        entry.ringing.insert(leg_sid.to_owned(), message.clone());
        Some(entry.auto.clone())
    });
    let Some(auto) = auto else {
        return false;
    };
    push(double, identity, &message);
    double.log(
        leg_sid,
        EventKind::Client {
            identity: identity.to_owned(),
            message,
        },
    );
    if auto.answer_after_ms.is_some() || auto.reject {
        let double = Arc::clone(double);
        let (identity, leg) = (identity.to_owned(), leg_sid.to_owned());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(auto.answer_after_ms.unwrap_or(0))).await;
            let action = if auto.reject {
                ClientAction::Reject
            } else {
                ClientAction::Accept
            };
            let _ = act(&double, &identity, &action, Some(&leg));
        });
    }
    true
}

/// The leg stopped ringing before this client answered it.
pub fn stop_ringing(double: &Shared, identity: &str, leg_sid: &str) {
    let was_pending = double.with(|inner| {
        let entry = inner.clients.get_mut(identity)?;
        let ringing = entry.ringing.remove(leg_sid).is_some();
        let raced = entry.active.as_deref() == Some(leg_sid);
        if raced {
            entry.active = None;
        }
        Some(ringing || raced)
    });
    if was_pending == Some(true) {
        let message = json!({"type": "cancelled", "call_sid": leg_sid});
        push(double, identity, &message);
        double.log(
            leg_sid,
            EventKind::Client {
                identity: identity.to_owned(),
                message,
            },
        );
    }
}

/// The other side ended a call this client had accepted.
pub fn leg_ended(double: &Shared, identity: &str, leg_sid: &str) {
    let was_active = double.with(|inner| {
        let entry = inner.clients.get_mut(identity)?;
        let active = entry.active.as_deref() == Some(leg_sid);
        if active {
            entry.active = None;
        }
        Some(active)
    });
    if was_active == Some(true) {
        let message = json!({"type": "ended", "call_sid": leg_sid});
        push(double, identity, &message);
        double.log(
            leg_sid,
            EventKind::Client {
                identity: identity.to_owned(),
                message,
            },
        );
    }
}

/// A client accepts, rejects, hangs up or presses keys. Without `call_sid`, the call it has
/// (the active one, or the oldest ringing one). Returns the leg's CallSid.
pub fn act(
    double: &Shared,
    identity: &str,
    action: &ClientAction,
    call_sid: Option<&str>,
) -> Result<String, ClientError> {
    let (leg, event, hangup_after) = double.with(|inner| {
        let entry = inner
            .clients
            .get_mut(identity)
            .ok_or(ClientError::NotRegistered)?;
        let pick_ringing = |entry: &ClientEntry| match call_sid {
            Some(sid) => entry.ringing.contains_key(sid).then(|| sid.to_owned()),
            None => entry.ringing.keys().next().cloned(),
        };
        let pick_active = |entry: &ClientEntry| match (call_sid, &entry.active) {
            (Some(sid), Some(active)) if sid == active => Some(active.clone()),
            (None, Some(active)) => Some(active.clone()),
            _ => None,
        };
        match action {
            ClientAction::Accept => {
                let leg = pick_ringing(entry).ok_or(ClientError::NoSuchCall)?;
                entry.ringing.remove(&leg);
                entry.active = Some(leg.clone());
                Ok((leg, LegEvent::Answered, entry.auto.hangup_after_ms))
            }
            ClientAction::Reject => {
                let leg = pick_ringing(entry).ok_or(ClientError::NoSuchCall)?;
                entry.ringing.remove(&leg);
                Ok((leg, LegEvent::Rejected, None))
            }
            ClientAction::Hangup => {
                if let Some(leg) = pick_active(entry) {
                    entry.active = None;
                    return Ok((leg, LegEvent::HungUp, None));
                }
                let leg = pick_ringing(entry).ok_or(ClientError::NoSuchCall)?;
                entry.ringing.remove(&leg);
                Ok((leg, LegEvent::Rejected, None))
            }
            ClientAction::Dtmf(digits) => {
                let leg = pick_active(entry).ok_or(ClientError::NoSuchCall)?;
                Ok((leg, LegEvent::Dtmf(digits.clone()), None))
            }
        }
    })?;
    double.log(
        &leg,
        EventKind::Client {
            identity: identity.to_owned(),
            message: json!({"type": action.name(), "call_sid": leg}),
        },
    );
    double.send_control(
        &leg,
        Control::Leg {
            call_sid: leg.clone(),
            event,
        },
    );
    if let Some(after) = hangup_after {
        let double = Arc::clone(double);
        let (identity, leg) = (identity.to_owned(), leg.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(after)).await;
            let _ = act(&double, &identity, &ClientAction::Hangup, Some(&leg));
        });
    }
    Ok(leg)
}

/// Registers (or re-registers) `identity`, keeping calls it already has.
pub(crate) fn register(
    double: &Shared,
    identity: &str,
    connection: ClientConnection,
    auto: Option<AutoBehaviour>,
) {
    double.with(|inner| {
        let entry = inner
            .clients
            .entry(identity.to_owned())
            .or_insert_with(|| ClientEntry {
                identity: identity.to_owned(),
                connection: ClientConnection::Http,
                auto: AutoBehaviour::default(),
                ringing: std::collections::BTreeMap::new(),
                active: None,
                inbox: Vec::new(),
            });
        entry.connection = connection;
        if let Some(auto) = auto {
            entry.auto = auto;
        }
    });
}

/// Removes a client; a call it was on ends as if it hung up.
fn unregister(double: &Shared, identity: &str) {
    let active = double.with(|inner| inner.clients.remove(identity).and_then(|e| e.active));
    if let Some(leg) = active {
        double.send_control(
            &leg,
            Control::Leg {
                call_sid: leg.clone(),
                event: LegEvent::HungUp,
            },
        );
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// `GET /_double/client?token=…`: a softphone's socket.
pub async fn socket(
    State(double): State<Shared>,
    Query(query): Query<TokenQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let identity = match verify_access_token(&double.config, &query.token, now_unix_ms() / 1000) {
        Ok(identity) => identity,
        Err(err) => {
            let body = json!({"code": 20101, "message": err.to_string(), "status": 401});
            return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        }
    };
    upgrade.on_upgrade(move |socket| session(double, identity, socket))
}

#[derive(Debug, Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    call_sid: Option<String>,
    #[serde(default)]
    digits: Option<String>,
}

async fn session(double: Shared, identity: String, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (sender, mut receiver) = mpsc::unbounded_channel::<Value>();
    let id = double.with(|inner| {
        inner.next_socket_id += 1;
        inner.next_socket_id
    });
    register(
        &double,
        &identity,
        ClientConnection::Socket {
            id,
            sender: sender.clone(),
        },
        None,
    );
    let _ = sender.send(json!({"type": "registered", "identity": identity}));
    let writer = tokio::spawn(async move {
        while let Some(message) = receiver.recv().await {
            if sink
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else {
            if matches!(message, Message::Close(_)) {
                break;
            }
            continue;
        };
        let Ok(message) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
            let _ = sender.send(json!({"type": "error", "message": "unreadable message"}));
            continue;
        };
        let action = match message.kind.as_str() {
            "accept" => ClientAction::Accept,
            "reject" => ClientAction::Reject,
            "hangup" => ClientAction::Hangup,
            "dtmf" => ClientAction::Dtmf(message.digits.unwrap_or_default()),
            _ => {
                let _ = sender.send(json!({"type": "error", "message": "unknown message type"}));
                continue;
            }
        };
        if let Err(err) = act(&double, &identity, &action, message.call_sid.as_deref()) {
            let _ = sender.send(json!({"type": "error", "message": err.to_string()}));
        }
    }
    writer.abort();
    let current = double.with(|inner| {
        inner
            .clients
            .get(&identity)
            .is_some_and(|e| matches!(e.connection, ClientConnection::Socket { id: current, .. } if current == id))
    });
    if current {
        unregister(&double, &identity);
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// `POST /_double/clients/{identity}/register` with an optional [`AutoBehaviour`] body.
pub async fn http_register(
    State(double): State<Shared>,
    Path(identity): Path<String>,
    body: Option<Json<AutoBehaviour>>,
) -> Response {
    if Identity::new(identity.as_str()).is_err() {
        return error(StatusCode::BAD_REQUEST, "invalid client identity");
    }
    let auto = body.map(|Json(auto)| auto).unwrap_or_default();
    let is_socket = double.with(|inner| {
        inner
            .clients
            .get(&identity)
            .is_some_and(|e| matches!(e.connection, ClientConnection::Socket { .. }))
    });
    if is_socket {
        // Keep the socket; only the automatic behaviour changes.
        double.with(|inner| {
            if let Some(entry) = inner.clients.get_mut(&identity) {
                entry.auto = auto;
            }
        });
    } else {
        register(&double, &identity, ClientConnection::Http, Some(auto));
    }
    Json(json!({"identity": identity, "registered": true})).into_response()
}

/// `DELETE /_double/clients/{identity}`.
pub async fn http_unregister(
    State(double): State<Shared>,
    Path(identity): Path<String>,
) -> Response {
    unregister(&double, &identity);
    Json(json!({"identity": identity, "registered": false})).into_response()
}

fn client_json(entry: &ClientEntry) -> Value {
    json!({
        "identity": entry.identity,
        "connection": match entry.connection {
            ClientConnection::Socket { .. } => "socket",
            ClientConnection::Http => "http",
        },
        "auto": entry.auto,
        "ringing": entry.ringing.values().collect::<Vec<_>>(),
        "active": entry.active,
        "inbox": entry.inbox,
    })
}

/// `GET /_double/clients/{identity}`.
pub async fn http_show(State(double): State<Shared>, Path(identity): Path<String>) -> Response {
    match double.with(|inner| inner.clients.get(&identity).map(client_json)) {
        Some(body) => Json(body).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "no client is registered under that identity",
        ),
    }
}

/// `GET /_double/clients`.
pub async fn http_list(State(double): State<Shared>) -> Json<Value> {
    Json(Value::Array(double.with(|inner| {
        inner.clients.values().map(client_json).collect()
    })))
}

#[derive(Debug, Default, Deserialize)]
pub struct ActBody {
    #[serde(default)]
    call_sid: Option<String>,
    #[serde(default)]
    digits: Option<String>,
}

/// `POST /_double/clients/{identity}/{answer|reject|hangup|dtmf}`.
pub async fn http_act(
    State(double): State<Shared>,
    Path((identity, verb)): Path<(String, String)>,
    body: Option<Json<ActBody>>,
) -> Response {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let action = match verb.as_str() {
        "answer" | "accept" => ClientAction::Accept,
        "reject" => ClientAction::Reject,
        "hangup" => ClientAction::Hangup,
        "dtmf" => ClientAction::Dtmf(body.digits.clone().unwrap_or_default()),
        _ => return error(StatusCode::NOT_FOUND, "unknown client action"),
    };
    match act(&double, &identity, &action, body.call_sid.as_deref()) {
        Ok(call_sid) => Json(json!({"identity": identity, "call_sid": call_sid})).into_response(),
        Err(ClientError::NotRegistered) => error(
            StatusCode::NOT_FOUND,
            ClientError::NotRegistered.to_string(),
        ),
        Err(err) => error(StatusCode::CONFLICT, err.to_string()),
    }
}
