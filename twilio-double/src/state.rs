//! The double's shared state: calls and their event logs, registered clients, queues, recordings and the REST log.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::{
    config::{Account, Config},
    util::{SplitMix64, now_unix_ms, rfc2822},
};

/// What the interpreter of a call can be told from outside.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// REST `Url` (+`Method`): fetch new TwiML now.
    Redirect { url: String, method: String },
    /// REST `Twiml`: run this document now.
    Twiml(String),
    /// The caller hung up (control API), or the outbound call's callee did.
    CallerHangup,
    /// REST `Status=completed`.
    Complete,
    /// REST `Status=canceled` (only affects a call that is queued or ringing).
    Cancel,
    /// DTMF from the caller (fed to `<Gather>`).
    Digits(String),
    /// Something the caller says (fed to a `<Gather>` that listens for speech), with the
    /// recogniser's confidence (0.0–1.0) when it reports one.
    Speech {
        text: String,
        confidence: Option<f64>,
    },
    /// Something happened on one of the call's dial legs (or, for an outbound call, on itself).
    Leg { call_sid: String, event: LegEvent },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegEvent {
    Answered,
    Rejected,
    Busy,
    HungUp,
    Dtmf(String),
}

/// One entry of a call's story. Everything on any leg of a call is logged on the first leg.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Milliseconds since the first leg was created.
    pub at_ms: u64,
    /// The leg it is about.
    pub call_sid: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A request to the application: a TwiML fetch or a callback.
    Webhook {
        purpose: String,
        url: String,
        method: String,
        params: BTreeMap<String, String>,
        idempotency_token: String,
        status: Option<u16>,
        error: Option<String>,
        /// The body of a TwiML fetch.
        twiml: Option<String>,
        /// The second copy of a duplicated delivery.
        duplicate: bool,
        /// Held back so later callbacks overtook it.
        delayed: bool,
    },
    /// A verb the interpreter started.
    Verb {
        verb: String,
    },
    /// Text the caller heard.
    Say {
        text: String,
        language: Option<String>,
        voice: Option<String>,
    },
    Play {
        url: String,
    },
    Status {
        status: String,
    },
    Dial {
        targets: Vec<String>,
    },
    DialResult {
        dial_call_status: String,
        dial_call_sid: Option<String>,
        dial_call_duration: Option<u64>,
    },
    Enqueued {
        queue: String,
    },
    QueueResult {
        queue: String,
        result: String,
    },
    Gathered {
        digits: String,
        /// What the caller said (`SpeechResult`), when the gather heard speech.
        #[serde(skip_serializing_if = "Option::is_none")]
        speech: Option<String>,
    },
    Recording {
        recording_sid: String,
        status: String,
    },
    /// Something a client endpoint was sent or did.
    Client {
        identity: String,
        message: Value,
    },
    /// A REST request about this call.
    Rest {
        method: String,
        path: String,
        params: BTreeMap<String, String>,
        status: u16,
    },
    /// TwiML that could not be read, or another problem worth seeing.
    Error {
        message: String,
    },
}

/// A status-callback subscription of one leg.
#[derive(Debug, Clone, Default)]
pub struct StatusCallback {
    pub url: Option<String>,
    pub method: String,
    pub events: Vec<String>,
}

impl StatusCallback {
    /// Whether `event` (`initiated ringing answered completed`) is reported; `completed` always is
    /// when there is a URL.
    pub fn wants(&self, event: &str) -> bool {
        self.url.is_some() && (event == "completed" || self.events.iter().any(|e| e == event))
    }
}

/// One call leg as the double knows it.
#[derive(Debug)]
pub struct CallRecord {
    pub sid: String,
    pub account_sid: String,
    pub parent_sid: Option<String>,
    /// The first leg of this call tree (itself for a first leg).
    pub root_sid: String,
    pub from: String,
    pub to: String,
    pub direction: String,
    pub status: String,
    pub created_ms: u64,
    pub answered_ms: Option<u64>,
    pub ended_ms: Option<u64>,
    pub children: Vec<String>,
    /// Only on first legs.
    pub events: Vec<Event>,
    /// Only on legs with their own interpreter (first legs).
    pub control: Option<mpsc::UnboundedSender<Control>>,
    pub status_callback: StatusCallback,
    pub sequence: u32,
    /// Scripted DTMF the caller will press, consumed by `<Gather>`.
    pub digits: VecDeque<char>,
    /// Scripted utterances (text, confidence) the caller will say, consumed by a `<Gather>`
    /// whose `input` includes `speech`.
    pub speech: VecDeque<(String, Option<f64>)>,
    /// Per-call random decisions (duplicates, reordering), seeded from the run's seed.
    pub rng: SplitMix64,
    /// The client identity, for `client:` legs.
    pub client_identity: Option<String>,
    pub queue: Option<String>,
}

impl CallRecord {
    pub fn is_over(&self) -> bool {
        matches!(
            self.status.as_str(),
            "completed" | "busy" | "failed" | "no-answer" | "canceled"
        )
    }
}

/// A waiting caller.
#[derive(Debug, Clone)]
pub struct QueueMember {
    pub call_sid: String,
    pub since_ms: u64,
}

#[derive(Debug, Clone)]
pub struct QueueState {
    pub sid: String,
    pub members: Vec<QueueMember>,
    /// For `AvgQueueTime`: total and count of finished waits (simulated seconds).
    pub waited_total_secs: u64,
    pub waited_count: u64,
}

/// A recording the double "made".
#[derive(Debug, Clone, Serialize)]
pub struct RecordingInfo {
    pub sid: String,
    pub account_sid: String,
    pub call_sid: String,
    pub status: String,
    pub channels: u8,
    pub source: String,
    pub start_ms: u64,
    pub duration_secs: Option<u64>,
}

/// One REST request, as `GET /_double/rest-log` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RestLogEntry {
    pub at_unix_ms: u64,
    pub method: String,
    pub path: String,
    /// `api_key`, `account` or `none`/`invalid` (refused).
    pub auth: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
}

/// How a client endpoint is connected.
#[derive(Debug)]
pub enum ClientConnection {
    /// A WebSocket (`/_double/client`); messages go to its writer task.
    Socket {
        id: u64,
        sender: mpsc::UnboundedSender<Value>,
    },
    /// Registered over HTTP for tests without a browser; messages pile up in `inbox`.
    Http,
}

/// What a client registered over HTTP does by itself.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct AutoBehaviour {
    /// Accepts an incoming call after this many milliseconds.
    #[serde(default)]
    pub answer_after_ms: Option<u64>,
    /// Rejects an incoming call (after `answer_after_ms`, or at once).
    #[serde(default)]
    pub reject: bool,
    /// Hangs up this many milliseconds after accepting.
    #[serde(default)]
    pub hangup_after_ms: Option<u64>,
}

/// A registered `<Client>` identity.
#[derive(Debug)]
pub struct ClientEntry {
    pub identity: String,
    pub connection: ClientConnection,
    pub auto: AutoBehaviour,
    /// Calls ringing this client: leg CallSid → the incoming message that was pushed.
    pub ringing: BTreeMap<String, Value>,
    /// The leg this client has accepted and not yet left.
    pub active: Option<String>,
    /// Every message pushed to this client, oldest first.
    pub inbox: Vec<Value>,
}

/// Mutable state behind one lock, never held across an await.
#[derive(Debug)]
pub struct Inner {
    pub calls: BTreeMap<String, CallRecord>,
    /// First legs in creation order.
    pub call_order: Vec<String>,
    pub clients: BTreeMap<String, ClientEntry>,
    pub queues: BTreeMap<String, QueueState>,
    pub recordings: BTreeMap<String, RecordingInfo>,
    pub rest_log: Vec<RestLogEntry>,
    /// Conference participants created or updated over REST (recorded, not simulated).
    pub participants: Vec<Value>,
    /// Outside phones by E.164 (from the configuration, changeable at run time).
    pub phones: BTreeMap<String, crate::config::PhoneBehaviour>,
    pub rng: SplitMix64,
    pub calls_created: u64,
    pub next_socket_id: u64,
}

/// The double: configuration, an HTTP client for webhooks, and the state.
#[derive(Debug)]
pub struct Double {
    pub config: Config,
    /// The seed in use (the configured one, or one from the clock).
    pub seed: u64,
    pub http: reqwest::Client,
    inner: Mutex<Inner>,
}

pub type Shared = Arc<Double>;

impl Double {
    pub fn new(config: Config) -> Shared {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.options.webhook_timeout_ms))
            .user_agent("TwilioProxy/1.1")
            .build()
            .unwrap_or_default();
        let seed = config.options.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
        let rng = SplitMix64::new(seed);
        let phones = config.phones.clone();
        Arc::new(Self {
            config,
            seed,
            http,
            inner: Mutex::new(Inner {
                calls: BTreeMap::new(),
                call_order: Vec::new(),
                clients: BTreeMap::new(),
                queues: BTreeMap::new(),
                recordings: BTreeMap::new(),
                rest_log: Vec::new(),
                participants: Vec::new(),
                phones,
                rng,
                calls_created: 0,
                next_socket_id: 0,
            }),
        })
    }

    /// Runs `f` with the state locked. `f` must not block.
    pub fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    pub fn time_scale(&self) -> f64 {
        let scale = self.config.options.time_scale;
        if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        }
    }

    pub fn account(&self, account_sid: &str) -> Option<&Account> {
        self.config.account(account_sid)
    }

    /// Appends an event to the log of the call tree `call_sid` belongs to.
    pub fn log(&self, call_sid: &str, kind: EventKind) {
        self.with(|inner| inner.log(call_sid, kind));
    }

    /// Sends `control` to the interpreter that runs `call_sid` (for a child leg, its parent's).
    /// False when there is none (the call is over or unknown).
    pub fn send_control(&self, call_sid: &str, control: Control) -> bool {
        self.with(|inner| {
            let Some(call) = inner.calls.get(call_sid) else {
                return false;
            };
            let runner = call.parent_sid.clone().unwrap_or_else(|| call.sid.clone());
            inner
                .calls
                .get(&runner)
                .and_then(|c| c.control.as_ref())
                .is_some_and(|tx| tx.send(control).is_ok())
        })
    }
}

impl Inner {
    pub fn log(&mut self, call_sid: &str, kind: EventKind) {
        let Some(root) = self.calls.get(call_sid).map(|c| c.root_sid.clone()) else {
            return;
        };
        if let Some(root_call) = self.calls.get_mut(&root) {
            let event = Event {
                at_ms: now_unix_ms().saturating_sub(root_call.created_ms),
                call_sid: call_sid.to_owned(),
                kind,
            };
            root_call.events.push(event);
        }
    }

    /// Sets a leg's status (and its answer/end times) and logs the change.
    pub fn set_status(&mut self, call_sid: &str, status: &str) {
        let now = now_unix_ms();
        let Some(call) = self.calls.get_mut(call_sid) else {
            return;
        };
        if call.status == status {
            return;
        }
        call.status = status.to_owned();
        if status == "in-progress" && call.answered_ms.is_none() {
            call.answered_ms = Some(now);
        }
        if call.is_over() && call.ended_ms.is_none() {
            call.ended_ms = Some(now);
        }
        self.log(
            call_sid,
            EventKind::Status {
                status: status.to_owned(),
            },
        );
    }

    /// The call resource JSON of the REST API.
    pub fn call_json(&self, call_sid: &str) -> Option<Value> {
        let call = self.calls.get(call_sid)?;
        let duration = match (call.answered_ms, call.ended_ms) {
            (Some(start), Some(end)) => Some(crate::util::elapsed_seconds(start, end)),
            _ => None,
        };
        let uri = format!(
            "/2010-04-01/Accounts/{}/Calls/{}.json",
            call.account_sid, call.sid
        );
        Some(serde_json::json!({
            "sid": call.sid,
            "account_sid": call.account_sid,
            "parent_call_sid": call.parent_sid,
            "from": call.from,
            "from_formatted": call.from,
            "to": call.to,
            "to_formatted": call.to,
            "status": call.status,
            "direction": call.direction,
            "api_version": "2010-04-01",
            "date_created": rfc2822(call.created_ms),
            "date_updated": rfc2822(now_unix_ms()),
            "start_time": call.answered_ms.map(rfc2822),
            "end_time": call.ended_ms.map(rfc2822),
            "duration": duration.map(|d| d.to_string()),
            "answered_by": null,
            "caller_name": null,
            "forwarded_from": null,
            "group_sid": null,
            "phone_number_sid": null,
            "price": null,
            "price_unit": "USD",
            "queue_time": "0",
            "trunk_sid": null,
            "annotation": null,
            "uri": uri,
            "subresource_uris": {
                "recordings": uri.replace(".json", "/Recordings.json"),
                "notifications": uri.replace(".json", "/Notifications.json"),
            },
        }))
    }
}
