//! Twilio's 2010-04-01 REST API as the worker uses it: Basic auth, calls (create, fetch, redirect, hang up), queue members, conference participants, recordings.

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use tsunagu_twilio::params;

use crate::{
    call::{self, Next, OutboundCall},
    client,
    config::Config,
    state::{Control, EventKind, LegEvent, RestLogEntry, Shared, StatusCallback},
    util::now_unix_ms,
};

/// Which credential a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// API key SID and secret.
    ApiKey,
    /// Account SID and auth token.
    AuthToken,
}

/// Checks `Authorization: Basic …` against `account_sid`'s API key or auth token.
pub fn authenticate(
    config: &Config,
    account_sid: &str,
    authorization: Option<&str>,
) -> Option<Credential> {
    let account = config.account(account_sid)?;
    let encoded = authorization?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    if user == account.api_key_sid && password == account.api_key_secret {
        Some(Credential::ApiKey)
    } else if user == account.account_sid && password == account.auth_token {
        Some(Credential::AuthToken)
    } else {
        None
    }
}

/// Twilio's error body.
fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

fn not_found(path: &str) -> Response {
    twilio_error(
        StatusCode::NOT_FOUND,
        20404,
        &format!("The requested resource {path} was not found"),
    )
}

fn first(params: &[(String, String)], name: &str) -> Option<String> {
    params::first(params, name)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Every `/2010-04-01/…` request.
pub async fn handle(
    State(double): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let form = if method == Method::GET {
        uri.query()
            .and_then(|q| params::parse_form(q.as_bytes()).ok())
            .unwrap_or_default()
    } else {
        params::parse_form(&body).unwrap_or_default()
    };
    let segments: Vec<&str> = path.trim_start_matches("/2010-04-01/").split('/').collect();
    let account_sid = match segments.as_slice() {
        ["Accounts", sid, ..] => sid.trim_end_matches(".json").to_owned(),
        _ => String::new(),
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let credential = authenticate(&double.config, &account_sid, authorization);
    let response = match credential {
        None => twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate"),
        Some(_) => route(
            &double,
            &method,
            &path,
            &account_sid,
            segments.get(2..).unwrap_or_default(),
            &form,
        ),
    };
    let status = response.status().as_u16();
    let auth = match (credential, authorization) {
        (Some(Credential::ApiKey), _) => "api_key",
        (Some(Credential::AuthToken), _) => "account",
        (None, Some(_)) => "invalid",
        (None, None) => "none",
    };
    double.with(|inner| {
        inner.rest_log.push(RestLogEntry {
            at_unix_ms: now_unix_ms(),
            method: method.to_string(),
            path: path.clone(),
            auth: auth.to_owned(),
            params: form.clone(),
            status,
        });
    });
    if let ["Calls", call] = segments.get(2..).unwrap_or_default() {
        let sid = call.trim_end_matches(".json");
        double.log(
            sid,
            EventKind::Rest {
                method: method.to_string(),
                path: path.clone(),
                params: form.into_iter().collect(),
                status,
            },
        );
    }
    response
}

fn route(
    double: &Shared,
    method: &Method,
    path: &str,
    account_sid: &str,
    rest: &[&str],
    form: &[(String, String)],
) -> Response {
    match (method.as_str(), rest) {
        ("POST", ["Calls.json"]) => create_call(double, account_sid, form),
        ("GET", ["Calls", call]) if call.ends_with(".json") => {
            let sid = call.trim_end_matches(".json");
            match call_json(double, account_sid, sid) {
                Some(body) => Json(body).into_response(),
                None => not_found(path),
            }
        }
        ("POST", ["Calls", call]) if call.ends_with(".json") => update_call(
            double,
            account_sid,
            call.trim_end_matches(".json"),
            path,
            form,
        ),
        ("POST", ["Queues", _queue, "Members", member]) if member.ends_with(".json") => dequeue(
            double,
            account_sid,
            member.trim_end_matches(".json"),
            path,
            form,
        ),
        ("POST", ["Conferences", conference, "Participants.json"]) => {
            participant(double, conference, None, form, StatusCode::CREATED)
        }
        ("POST", ["Conferences", conference, "Participants", who]) => participant(
            double,
            conference,
            Some(who.trim_end_matches(".json")),
            form,
            StatusCode::OK,
        ),
        ("DELETE", ["Conferences", _, "Participants", _]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["Conferences", conference]) => Json(json!({
            "sid": conference.trim_end_matches(".json"),
            "account_sid": account_sid,
            "status": first(form, "Status").unwrap_or_else(|| "in-progress".to_owned()),
        }))
        .into_response(),
        ("GET", ["Recordings", recording]) => {
            recording_resource(double, account_sid, recording, path)
        }
        _ => not_found(path),
    }
}

fn call_json(double: &Shared, account_sid: &str, sid: &str) -> Option<Value> {
    double.with(|inner| {
        let call = inner.calls.get(sid)?;
        if call.account_sid != account_sid {
            return None;
        }
        inner.call_json(sid)
    })
}

fn not_in_progress() -> Response {
    twilio_error(
        StatusCode::BAD_REQUEST,
        21220,
        "Call is not in-progress. Cannot redirect.",
    )
}

fn update_call(
    double: &Shared,
    account_sid: &str,
    sid: &str,
    path: &str,
    form: &[(String, String)],
) -> Response {
    let Some(known) = double.with(|inner| {
        inner
            .calls
            .get(sid)
            .filter(|c| c.account_sid == account_sid)
            .map(|c| {
                (
                    c.is_over(),
                    c.parent_sid.is_some(),
                    c.client_identity.clone(),
                    c.status.clone(),
                )
            })
    }) else {
        return not_found(path);
    };
    let (over, is_child, identity, status) = known;
    let url = first(form, "Url");
    let twiml = first(form, "Twiml");
    let requested_status = first(form, "Status");
    let control = match (requested_status.as_deref(), url, twiml) {
        (Some("canceled"), _, _) => {
            if !matches!(status.as_str(), "queued" | "ringing" | "initiated") {
                // Twilio leaves a call that is already answered alone.
                return Json(call_json(double, account_sid, sid).unwrap_or(Value::Null))
                    .into_response();
            }
            Control::Cancel
        }
        (Some("completed"), _, _) => Control::Complete,
        (Some(_), _, _) => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                21218,
                "Invalid Status: must be completed or canceled",
            );
        }
        (None, Some(url), None) => Control::Redirect {
            url,
            method: first(form, "Method")
                .unwrap_or_else(|| "POST".to_owned())
                .to_ascii_uppercase(),
        },
        (None, None, Some(twiml)) => Control::Twiml(twiml),
        (None, Some(_), Some(_)) => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                21201,
                "Url and Twiml are mutually exclusive",
            );
        }
        (None, None, None) => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                20001,
                "Missing parameter: Url, Twiml or Status",
            );
        }
    };
    if over {
        return not_in_progress();
    }
    let delivered = if is_child {
        // A dial leg: hanging it up (or sending it elsewhere, which is not simulated) ends the
        // bridge for the parent, whose <Dial> then completes.
        if let Some(identity) = &identity {
            client::leg_ended(double, identity, sid);
            client::stop_ringing(double, identity, sid);
        }
        double.send_control(
            sid,
            Control::Leg {
                call_sid: sid.to_owned(),
                event: LegEvent::HungUp,
            },
        )
    } else {
        double.send_control(sid, control)
    };
    if !delivered {
        return not_in_progress();
    }
    Json(call_json(double, account_sid, sid).unwrap_or(Value::Null)).into_response()
}

fn dequeue(
    double: &Shared,
    account_sid: &str,
    member: &str,
    path: &str,
    form: &[(String, String)],
) -> Response {
    let Some(url) = first(form, "Url") else {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            20001,
            "Missing required parameter Url",
        );
    };
    let sid = if member == "Front" {
        double.with(|inner| {
            inner
                .queues
                .values()
                .find_map(|q| q.members.first().map(|m| m.call_sid.clone()))
        })
    } else {
        Some(member.to_owned())
    };
    let Some(sid) = sid else {
        return not_found(path);
    };
    let queued = double.with(|inner| inner.calls.get(&sid).is_some_and(|c| c.queue.is_some()));
    if !queued {
        return not_found(path);
    }
    let control = Control::Redirect {
        url,
        method: first(form, "Method").unwrap_or_else(|| "POST".to_owned()),
    };
    if !double.send_control(&sid, control) {
        return not_found(path);
    }
    Json(json!({"call_sid": sid, "account_sid": account_sid, "position": 1})).into_response()
}

fn create_call(double: &Shared, account_sid: &str, form: &[(String, String)]) -> Response {
    let next = match (first(form, "Url"), first(form, "Twiml")) {
        (Some(url), _) => Some(Next::Fetch {
            purpose: "voice".to_owned(),
            url,
            method: first(form, "Method").unwrap_or_else(|| "POST".to_owned()),
            extra: Vec::new(),
        }),
        (None, Some(twiml)) => Some(Next::Inline(twiml)),
        (None, None) => None,
    };
    let events = form
        .iter()
        .filter(|(k, _)| k == "StatusCallbackEvent")
        .flat_map(|(_, v)| v.split_whitespace().map(str::to_owned))
        .collect();
    let outbound = OutboundCall {
        account_sid: account_sid.to_owned(),
        from: first(form, "From").unwrap_or_default(),
        to: first(form, "To").unwrap_or_default(),
        next,
        status_callback: StatusCallback {
            url: first(form, "StatusCallback"),
            method: first(form, "StatusCallbackMethod").unwrap_or_else(|| "POST".to_owned()),
            events,
        },
        timeout: first(form, "Timeout")
            .and_then(|t| t.parse().ok())
            .unwrap_or(60),
    };
    match call::start_outbound(double, &outbound) {
        Ok(sid) => (
            StatusCode::CREATED,
            Json(call_json(double, account_sid, &sid).unwrap_or(Value::Null)),
        )
            .into_response(),
        Err(err) => twilio_error(StatusCode::BAD_REQUEST, 21205, &err.to_string()),
    }
}

fn participant(
    double: &Shared,
    conference: &str,
    who: Option<&str>,
    form: &[(String, String)],
    status: StatusCode,
) -> Response {
    let call_sid = match who {
        Some(who) => who.to_owned(),
        None => double.with(|inner| inner.rng.sid("CA")),
    };
    let flag = |name: &str| first(form, name).is_some_and(|v| v == "true");
    let body = json!({
        "conference_sid": conference,
        "call_sid": call_sid,
        "label": first(form, "Label"),
        "muted": flag("Muted"),
        "hold": flag("Hold"),
        "coaching": flag("Coaching"),
        "call_sid_to_coach": first(form, "CallSidToCoach"),
        "status": if who.is_some() { "connected" } else { "queued" },
        "request": form.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
    });
    double.with(|inner| inner.participants.push(body.clone()));
    (status, Json(body)).into_response()
}

fn recording_resource(double: &Shared, account_sid: &str, name: &str, path: &str) -> Response {
    let (sid, as_json) = match name.strip_suffix(".json") {
        Some(sid) => (sid, true),
        None => (
            name.trim_end_matches(".wav").trim_end_matches(".mp3"),
            false,
        ),
    };
    let Some(info) = double.with(|inner| {
        inner
            .recordings
            .get(sid)
            .filter(|r| r.account_sid == account_sid)
            .cloned()
    }) else {
        return not_found(path);
    };
    if as_json {
        return Json(json!({
            "sid": info.sid,
            "account_sid": info.account_sid,
            "call_sid": info.call_sid,
            "status": info.status,
            "channels": info.channels,
            "source": info.source,
            "duration": info.duration_secs.map(|d| d.to_string()),
            "start_time": crate::util::rfc2822(info.start_ms),
            "uri": format!("/2010-04-01/Accounts/{account_sid}/Recordings/{sid}.json"),
        }))
        .into_response();
    }
    (
        [(header::CONTENT_TYPE, "audio/x-wav")],
        silent_wav(info.channels),
    )
        .into_response()
}

/// One second of 8 kHz 16-bit silence.
fn silent_wav(channels: u8) -> Vec<u8> {
    let channels = u16::from(channels.max(1));
    let rate: u32 = 8000;
    let block = channels * 2;
    let data_len = rate * u32::from(block);
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&channels.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    wav.extend_from_slice(&block.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}
