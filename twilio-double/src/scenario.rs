//! Scenarios as data: small JSON stories (call, agent answers, expect what the caller heard, hang up) run against a live worker.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::{
    call::{self, InboundCall},
    client::{self, ClientAction},
    state::{AutoBehaviour, ClientConnection, Control, EventKind, Shared},
};

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read the scenario: {0}")]
    Read(#[from] std::io::Error),
    #[error("the scenario is not valid: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Overrides the double's time scale for this story.
    #[serde(default)]
    pub time_scale: Option<f64>,
    pub steps: Vec<Step>,
}

/// How long an expectation waits by default.
const DEFAULT_WITHIN_MS: u64 = 10_000;

fn default_within() -> u64 {
    DEFAULT_WITHIN_MS
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// A caller dials a configured number; later steps name the call by `id`.
    Call {
        id: String,
        from: String,
        to: String,
        #[serde(default)]
        digits: Option<String>,
    },
    /// An agent's softphone registers, answering (or rejecting) by itself.
    Client {
        identity: String,
        #[serde(flatten)]
        auto: AutoBehaviour,
    },
    /// An agent's softphone answers, rejects or hangs up now.
    ClientAction {
        identity: String,
        action: String,
    },
    Wait {
        ms: u64,
    },
    /// Some `<Say>` of the call contains `contains`.
    ExpectSay {
        call: String,
        contains: String,
        #[serde(default = "default_within")]
        within_ms: u64,
    },
    /// Some logged event of the call, as JSON, contains `contains`.
    ExpectEvent {
        call: String,
        contains: String,
        #[serde(default = "default_within")]
        within_ms: u64,
    },
    /// The call's first leg reaches `status`.
    ExpectStatus {
        call: String,
        status: String,
        #[serde(default = "default_within")]
        within_ms: u64,
    },
    /// The caller hangs up after `after_ms`.
    Hangup {
        call: String,
        #[serde(default)]
        after_ms: u64,
    },
    /// The caller presses keys.
    Digits {
        call: String,
        digits: String,
    },
    /// The caller says something (to a `<Gather>` listening for speech).
    Speech {
        call: String,
        text: String,
        #[serde(default)]
        confidence: Option<f64>,
    },
}

impl Scenario {
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, ScenarioError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}

/// One step's result, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    pub index: usize,
    pub description: String,
    pub failure: Option<String>,
}

/// Runs the steps in order against a running double; stops at the first failure.
pub async fn run(double: &Shared, scenario: &Scenario) -> Vec<StepResult> {
    let mut calls: Vec<(String, String)> = Vec::new();
    let mut results = Vec::new();
    for (index, step) in scenario.steps.iter().enumerate() {
        let description = describe(step);
        let failure = execute(double, step, &mut calls).await.err();
        let failed = failure.is_some();
        results.push(StepResult {
            index: index + 1,
            description,
            failure,
        });
        if failed {
            break;
        }
    }
    // Let calls the story left running finish and their last callbacks go out before the
    // process exits.
    let _ = poll(2_000, || {
        double.with(|inner| inner.calls.values().all(|c| c.is_over()))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    results
}

fn describe(step: &Step) -> String {
    serde_json::to_string(&step_json(step)).unwrap_or_default()
}

fn step_json(step: &Step) -> Value {
    match step {
        Step::Call { id, from, to, .. } => serde_json::json!({"call": id, "from": from, "to": to}),
        Step::Client { identity, auto } => serde_json::json!({"client": identity, "auto": auto}),
        Step::ClientAction { identity, action } => {
            serde_json::json!({"client": identity, "action": action})
        }
        Step::Wait { ms } => serde_json::json!({"wait_ms": ms}),
        Step::ExpectSay { call, contains, .. } => {
            serde_json::json!({"expect_say": call, "contains": contains})
        }
        Step::ExpectEvent { call, contains, .. } => {
            serde_json::json!({"expect_event": call, "contains": contains})
        }
        Step::ExpectStatus { call, status, .. } => {
            serde_json::json!({"expect_status": call, "status": status})
        }
        Step::Hangup { call, after_ms } => {
            serde_json::json!({"hangup": call, "after_ms": after_ms})
        }
        Step::Digits { call, digits } => serde_json::json!({"digits": call, "keys": digits}),
        Step::Speech { call, text, .. } => serde_json::json!({"speech": call, "text": text}),
    }
}

fn sid_of<'a>(calls: &'a [(String, String)], id: &str) -> Result<&'a str, String> {
    calls
        .iter()
        .find(|(name, _)| name == id)
        .map(|(_, sid)| sid.as_str())
        .ok_or_else(|| format!("no earlier step placed a call named {id:?}"))
}

async fn execute(
    double: &Shared,
    step: &Step,
    calls: &mut Vec<(String, String)>,
) -> Result<(), String> {
    match step {
        Step::Call {
            id,
            from,
            to,
            digits,
        } => {
            let request = InboundCall {
                from: from.clone(),
                to: to.clone(),
                digits: digits.clone(),
            };
            let sid = call::start_inbound(double, &request).map_err(|e| e.to_string())?;
            calls.push((id.clone(), sid));
            Ok(())
        }
        Step::Client { identity, auto } => {
            client::register(double, identity, ClientConnection::Http, Some(auto.clone()));
            Ok(())
        }
        Step::ClientAction { identity, action } => {
            let action = match action.as_str() {
                "answer" | "accept" => ClientAction::Accept,
                "reject" => ClientAction::Reject,
                "hangup" => ClientAction::Hangup,
                other => return Err(format!("unknown client action {other:?}")),
            };
            client::act(double, identity, &action, None)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Step::Wait { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            Ok(())
        }
        Step::ExpectSay {
            call,
            contains,
            within_ms,
        } => {
            let sid = sid_of(calls, call)?.to_owned();
            poll(*within_ms, || {
                double.with(|inner| {
                    inner.calls.get(&sid).is_some_and(|c| {
                        c.events.iter().any(|e| matches!(&e.kind, EventKind::Say { text, .. } if text.contains(contains.as_str())))
                    })
                })
            })
            .await
            .map_err(|()| format!("nothing said on {call} contained {contains:?} within {within_ms} ms; heard: {}", heard(double, &sid)))
        }
        Step::ExpectEvent {
            call,
            contains,
            within_ms,
        } => {
            let sid = sid_of(calls, call)?.to_owned();
            poll(*within_ms, || {
                double.with(|inner| {
                    inner.calls.get(&sid).is_some_and(|c| {
                        c.events.iter().any(|e| {
                            serde_json::to_string(e)
                                .is_ok_and(|json| json.contains(contains.as_str()))
                        })
                    })
                })
            })
            .await
            .map_err(|()| {
                format!("no event of {call} contained {contains:?} within {within_ms} ms")
            })
        }
        Step::ExpectStatus {
            call,
            status,
            within_ms,
        } => {
            let sid = sid_of(calls, call)?.to_owned();
            poll(*within_ms, || {
                double.with(|inner| inner.calls.get(&sid).is_some_and(|c| &c.status == status))
            })
            .await
            .map_err(|()| {
                let now = double.with(|inner| inner.calls.get(&sid).map(|c| c.status.clone()));
                format!("{call} did not reach {status:?} within {within_ms} ms (it is {now:?})")
            })
        }
        Step::Hangup { call, after_ms } => {
            let sid = sid_of(calls, call)?.to_owned();
            tokio::time::sleep(Duration::from_millis(*after_ms)).await;
            if double.send_control(&sid, Control::CallerHangup) {
                Ok(())
            } else {
                Err(format!("{call} was already over"))
            }
        }
        Step::Digits { call, digits } => {
            let sid = sid_of(calls, call)?.to_owned();
            if double.send_control(&sid, Control::Digits(digits.clone())) {
                Ok(())
            } else {
                Err(format!("{call} was already over"))
            }
        }
        Step::Speech {
            call,
            text,
            confidence,
        } => {
            let sid = sid_of(calls, call)?.to_owned();
            let control = Control::Speech {
                text: text.clone(),
                confidence: *confidence,
            };
            if double.send_control(&sid, control) {
                Ok(())
            } else {
                Err(format!("{call} was already over"))
            }
        }
    }
}

fn heard(double: &Shared, sid: &str) -> String {
    double.with(|inner| {
        let texts: Vec<String> = inner
            .calls
            .get(sid)
            .map(|c| {
                c.events
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EventKind::Say { text, .. } => Some(text.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        format!("{texts:?}")
    })
}

async fn poll(within_ms: u64, mut check: impl FnMut() -> bool) -> Result<(), ()> {
    let deadline = Instant::now() + Duration::from_millis(within_ms);
    loop {
        if check() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
