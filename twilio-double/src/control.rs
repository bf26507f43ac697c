//! The double's own JSON API for tests and the demo: place calls, hang up as the caller, press keys, read every call's story and the REST log.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    call::{self, InboundCall, StartError},
    client,
    config::PhoneBehaviour,
    state::{CallRecord, Control, LegEvent, Shared},
};

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// `GET /_double/health`.
pub async fn health(State(double): State<Shared>) -> Json<Value> {
    let (calls, live) = double.with(|inner| {
        (
            inner.call_order.len(),
            inner
                .call_order
                .iter()
                .filter(|sid| inner.calls.get(*sid).is_some_and(|c| !c.is_over()))
                .count(),
        )
    });
    Json(json!({"ok": true, "calls": calls, "live_calls": live}))
}

/// `POST /_double/calls` `{from, to, digits?}`: a caller dials a configured number.
pub async fn create_call(State(double): State<Shared>, Json(body): Json<InboundCall>) -> Response {
    match call::start_inbound(&double, &body) {
        Ok(sid) => (StatusCode::CREATED, Json(json!({"call_sid": sid}))).into_response(),
        Err(err @ StartError::UnknownNumber) => error(StatusCode::NOT_FOUND, err.to_string()),
        Err(err) => error(StatusCode::BAD_REQUEST, err.to_string()),
    }
}

fn summary(call: &CallRecord) -> Value {
    json!({
        "call_sid": call.sid,
        "parent_call_sid": call.parent_sid,
        "from": call.from,
        "to": call.to,
        "direction": call.direction,
        "status": call.status,
        "queue": call.queue,
    })
}

/// `GET /_double/calls`: every first leg, oldest first.
pub async fn list_calls(State(double): State<Shared>) -> Json<Value> {
    Json(Value::Array(double.with(|inner| {
        inner
            .call_order
            .iter()
            .filter_map(|sid| inner.calls.get(sid).map(summary))
            .collect()
    })))
}

/// `GET /_double/calls/{sid}`: the call (or leg), its legs and the ordered event log of the
/// whole call.
pub async fn show_call(State(double): State<Shared>, Path(sid): Path<String>) -> Response {
    let body = double.with(|inner| {
        let call = inner.calls.get(&sid)?;
        let root = inner.calls.get(&call.root_sid)?;
        let mut body = summary(call);
        let legs: Vec<Value> = root
            .children
            .iter()
            .filter_map(|child| inner.calls.get(child).map(summary))
            .collect();
        body["root_call_sid"] = Value::from(root.sid.clone());
        body["legs"] = Value::Array(legs);
        body["events"] = serde_json::to_value(&root.events).unwrap_or(Value::Null);
        Some(body)
    });
    match body {
        Some(body) => Json(body).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such call"),
    }
}

/// `POST /_double/calls/{sid}/hangup`: the caller hangs up (on a dial leg: that party does).
pub async fn hangup(State(double): State<Shared>, Path(sid): Path<String>) -> Response {
    let leg = double.with(|inner| {
        inner.calls.get(&sid).map(|c| {
            (
                c.is_over(),
                c.parent_sid.is_some(),
                c.client_identity.clone(),
            )
        })
    });
    let Some((over, is_child, identity)) = leg else {
        return error(StatusCode::NOT_FOUND, "no such call");
    };
    if over {
        return error(StatusCode::CONFLICT, "the call is already over");
    }
    let control = if is_child {
        if let Some(identity) = identity {
            client::leg_ended(&double, &identity, &sid);
        }
        Control::Leg {
            call_sid: sid.clone(),
            event: LegEvent::HungUp,
        }
    } else {
        Control::CallerHangup
    };
    if double.send_control(&sid, control) {
        Json(json!({"call_sid": sid, "hung_up": true})).into_response()
    } else {
        error(StatusCode::CONFLICT, "the call is already over")
    }
}

#[derive(Debug, Deserialize)]
pub struct DigitsBody {
    digits: String,
}

/// `POST /_double/calls/{sid}/digits` `{digits}`: the caller presses keys.
pub async fn digits(
    State(double): State<Shared>,
    Path(sid): Path<String>,
    Json(body): Json<DigitsBody>,
) -> Response {
    if double.send_control(&sid, Control::Digits(body.digits)) {
        Json(json!({"call_sid": sid})).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "no such live call")
    }
}

#[derive(Debug, Deserialize)]
pub struct SpeechBody {
    text: String,
    #[serde(default)]
    confidence: Option<f64>,
}

/// `POST /_double/calls/{sid}/speech` `{text, confidence?}`: the caller says something (heard by
/// a `<Gather>` listening for speech, posted as `SpeechResult` and `Confidence`).
pub async fn speech(
    State(double): State<Shared>,
    Path(sid): Path<String>,
    Json(body): Json<SpeechBody>,
) -> Response {
    let control = Control::Speech {
        text: body.text,
        confidence: body.confidence,
    };
    if double.send_control(&sid, control) {
        Json(json!({"call_sid": sid})).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "no such live call")
    }
}

/// `GET /_double/rest-log`: every REST request, oldest first.
pub async fn rest_log(State(double): State<Shared>) -> Json<Value> {
    Json(double.with(|inner| {
        json!({
            "requests": inner.rest_log,
            "conference_participants": inner.participants,
        })
    }))
}

/// `GET /_double/recordings`.
pub async fn recordings(State(double): State<Shared>) -> Json<Value> {
    Json(double.with(|inner| {
        serde_json::to_value(inner.recordings.values().collect::<Vec<_>>()).unwrap_or(Value::Null)
    }))
}

/// `PUT /_double/phones/{number}` with a [`PhoneBehaviour`]: how an outside phone answers.
pub async fn set_phone(
    State(double): State<Shared>,
    Path(number): Path<String>,
    Json(behaviour): Json<PhoneBehaviour>,
) -> Json<Value> {
    double.with(|inner| inner.phones.insert(number.clone(), behaviour.clone()));
    Json(json!({"number": number, "behaviour": behaviour}))
}

/// `POST /_double/reset`: forgets finished calls, the REST log and recordings (live calls stay).
pub async fn reset(State(double): State<Shared>) -> Json<Value> {
    double.with(|inner| {
        let finished: Vec<String> = inner
            .call_order
            .iter()
            .filter(|sid| inner.calls.get(*sid).is_some_and(CallRecord::is_over))
            .cloned()
            .collect();
        for sid in &finished {
            if let Some(call) = inner.calls.remove(sid) {
                for child in call.children {
                    inner.calls.remove(&child);
                }
            }
        }
        inner.call_order.retain(|sid| inner.calls.contains_key(sid));
        inner.rest_log.clear();
        inner.participants.clear();
        inner.recordings.clear();
    });
    Json(json!({"ok": true}))
}
