//! The double in-process against a tiny fake worker with canned TwiML: ring without answer, queue with waitUrl polling, REST redirect, an agent answering over HTTP and over a WebSocket.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Uri},
    routing::post,
};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tsunagu_twilio::{
    access_token::{AccessToken, Identity},
    params,
    rest::basic_auth,
    signature,
};
use tsunagu_twilio_double::{config::Config, server};

const ACCOUNT: &str = "AC00000000000000000000000000000d30";
const KEY: &str = "SK00000000000000000000000000000d30";
const TOKEN: &str = "fake-auth-token";
const SECRET: &str = "fake-api-key-secret";
const MAIN: &str = "+815012345678";
/// A line whose canned answer is an IVR question (`<Gather input="dtmf speech">`).
const IVR: &str = "+815012345679";

/// One request the fake worker received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    query: String,
    params: Vec<(String, String)>,
    signed: bool,
    idempotency_token: Option<String>,
}

impl Received {
    fn param(&self, name: &str) -> Option<&str> {
        params::first(&self.params, name)
    }
}

#[derive(Clone)]
struct Worker {
    origin: String,
    received: Arc<Mutex<Vec<Received>>>,
}

fn twiml(body: &str) -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>"#)
}

async fn hook(State(worker): State<Worker>, uri: Uri, headers: HeaderMap, body: Bytes) -> String {
    let pairs = params::parse_form(&body).unwrap_or_default();
    let url = format!("{}{}", worker.origin, uri);
    let sig = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed = signature::validate_form(TOKEN, &url, &pairs, sig).is_ok();
    let received = Received {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        params: pairs,
        signed,
        idempotency_token: headers
            .get("I-Twilio-Idempotency-Token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let answer = answer(&worker.origin, &received);
    worker
        .received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(received);
    answer
}

fn dial_sato(origin: &str, attempt: u32) -> String {
    format!(
        r#"<Dial answerOnBridge="true" timeout="2" action="{origin}/dial-result?attempt={attempt}" record="record-from-answer-dual" recordingStatusCallback="{origin}/recording" recordingStatusCallbackEvent="completed absent"><Client statusCallback="{origin}/agent-status?agent=sato" statusCallbackEvent="initiated ringing answered completed"><Identity>sato</Identity><Parameter name="attempt" value="{attempt}"/></Client></Dial>"#
    )
}

/// Canned TwiML, by hook.
fn answer(origin: &str, request: &Received) -> String {
    match request.path.as_str() {
        "/incoming" => twiml(&dial_sato(origin, 1)),
        "/dial-result" => match request.param("DialCallStatus") {
            Some("completed") => {
                twiml(r#"<Say language="ja-JP">ありがとうございました。</Say><Hangup/>"#)
            }
            _ => twiml(&format!(
                r#"<Say language="ja-JP">ただいま混み合っております。</Say><Enqueue action="{origin}/queue-result" waitUrl="queue-wait">tsunagu</Enqueue><Say>unreachable after action</Say>"#
            )),
        },
        "/queue-wait" => twiml(&format!(
            r#"<Say language="ja-JP">お客様は{}番目です。</Say><Pause length="2"/>"#,
            request.param("QueuePosition").unwrap_or("?")
        )),
        "/route" => twiml(&dial_sato(origin, 2)),
        "/ivr-incoming" => twiml(&format!(
            r#"<Gather action="{origin}/ivr?node=root" hints="請求,予約" input="dtmf speech" language="ja-JP" method="POST" numDigits="1" speechTimeout="auto" timeout="1"><Say language="ja-JP">請求は1、予約は2。</Say></Gather><Redirect>{origin}/ivr?node=root&amp;retry=1</Redirect>"#
        )),
        "/ivr" => twiml("<Hangup/>"),
        _ => twiml(""),
    }
}

async fn start_worker() -> Worker {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address: SocketAddr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let worker = Worker {
        origin: format!("http://{address}"),
        received: Arc::default(),
    };
    let app = Router::new()
        .route("/{*path}", post(hook))
        .with_state(worker.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    worker
}

async fn start_double(worker: &Worker) -> server::Running {
    start_double_with(worker, "").await
}

/// `extra_options`: more JSON members of `options`, each followed by a comma.
async fn start_double_with(worker: &Worker, extra_options: &str) -> server::Running {
    let origin = &worker.origin;
    let config = Config::from_json(&format!(
        r#"{{
            "listen": "127.0.0.1:0",
            "accounts": [{{"account_sid": "{ACCOUNT}", "auth_token": "{TOKEN}", "api_key_sid": "{KEY}", "api_key_secret": "{SECRET}"}}],
            "numbers": [
                {{"number": "{MAIN}", "voice_url": "{origin}/incoming", "status_callback": "{origin}/status"}},
                {{"number": "{IVR}", "voice_url": "{origin}/ivr-incoming", "status_callback": "{origin}/status"}}
            ],
            "options": {{{extra_options} "time_scale": 0.05, "seed": 42}}
        }}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    server::start(config)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn request(
    method: reqwest::Method,
    url: &str,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut builder = client.request(method, url);
    if let Some((user, password)) = auth {
        builder = builder.header("Authorization", basic_auth(user, password));
    }
    if let Some(body) = body {
        builder = builder
            .header("Content-Type", "application/json")
            .body(body.to_string());
    } else if !form.is_empty() {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        builder = builder
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encoded);
    }
    let response = builder.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..400 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

fn received(worker: &Worker) -> Vec<Received> {
    worker
        .received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

async fn call_detail(double: &str, sid: &str) -> Value {
    request(
        reqwest::Method::GET,
        &format!("{double}/_double/calls/{sid}"),
        None,
        &[],
        None,
    )
    .await
    .1
}

/// The TwiML fetches of a call, in order, with consecutive waitUrl polls collapsed.
fn fetches(detail: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for event in detail["events"].as_array().into_iter().flatten() {
        if event["kind"] != "webhook" || event["twiml"].is_null() {
            continue;
        }
        let url = event["url"].as_str().unwrap_or_default();
        let path = url.split_once("//").map_or(url, |(_, rest)| {
            rest.split_once('/').map_or(rest, |(_, p)| p)
        });
        let extra = ["DialCallStatus", "QueueResult"]
            .iter()
            .filter_map(|k| event["params"][k].as_str().map(|v| format!(" {k}={v}")))
            .collect::<String>();
        let line = format!(
            "{} /{path}{extra}",
            event["purpose"].as_str().unwrap_or_default()
        );
        if out.last() != Some(&line) {
            out.push(line);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ring_no_answer_queue_rest_redirect_answer_and_hang_up() {
    let worker = start_worker().await;
    let running = start_double(&worker).await;
    let double = running.url();
    let rest_call = |sid: &str| format!("{double}/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json");

    // sato is registered but does not answer: the 2 s ring (0.1 s scaled) ends in no-answer.
    let (status, _) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/clients/sato/register"),
        None,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, created) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/calls"),
        None,
        &[],
        Some(json!({"from": "+81355550101", "to": MAIN})),
    )
    .await;
    assert_eq!(status, 201);
    let sid = created["call_sid"].as_str().unwrap_or_default().to_owned();
    assert!(sid.starts_with("CA") && sid.len() == 34, "{sid}");

    // The caller waits in the queue while the waitUrl is polled.
    wait_for("two waitUrl polls", || {
        received(&worker)
            .iter()
            .filter(|r| r.path == "/queue-wait")
            .count()
            >= 2
    })
    .await;

    // REST: refused without credentials, 404 for an unknown call, then a redirect with the API key.
    let (status, body) = request(
        reqwest::Method::POST,
        &rest_call(&sid),
        None,
        &[("Url", "x")],
        None,
    )
    .await;
    assert_eq!((status, body["code"].clone()), (401, json!(20003)));
    let unknown = "CA0123456789abcdef0123456789abcdef";
    let (status, _) = request(
        reqwest::Method::POST,
        &rest_call(unknown),
        Some((KEY, SECRET)),
        &[("Url", "x")],
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, fetched) = request(
        reqwest::Method::GET,
        &rest_call(&sid),
        Some((ACCOUNT, TOKEN)),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, fetched["status"].clone()),
        (200, json!("in-progress"))
    );

    // Now sato answers after 50 ms and hangs up 200 ms later.
    let (status, _) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/clients/sato/register"),
        None,
        &[],
        Some(json!({"answer_after_ms": 50, "hangup_after_ms": 200})),
    )
    .await;
    assert_eq!(status, 200);
    let route = format!("{}/route", worker.origin);
    let (status, _) = request(
        reqwest::Method::POST,
        &rest_call(&sid),
        Some((KEY, SECRET)),
        &[("Method", "POST"), ("Url", &route)],
        None,
    )
    .await;
    assert_eq!(status, 200);

    wait_for("the parent's completed callback", || {
        received(&worker)
            .iter()
            .any(|r| r.path == "/status" && r.param("CallStatus") == Some("completed"))
    })
    .await;
    wait_for("the recording callback", || {
        received(&worker)
            .iter()
            .any(|r| r.path == "/recording" && r.param("RecordingStatus") == Some("completed"))
    })
    .await;

    let detail = call_detail(&double, &sid).await;
    assert_eq!(detail["status"], "completed");
    expect_test::expect![[r#"
        voice /incoming
        dial_action /dial-result?attempt=1 DialCallStatus=no-answer
        wait_url /queue-wait
        enqueue_action /queue-result QueueResult=redirected
        redirect /route
        dial_action /dial-result?attempt=2 DialCallStatus=completed"#]]
    .assert_eq(&fetches(&detail).join("\n"));
    let said: Vec<&str> = detail["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "say")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(said.first(), Some(&"ただいま混み合っております。"));
    assert!(said.contains(&"お客様は1番目です。"), "{said:?}");
    assert_eq!(said.last(), Some(&"ありがとうございました。"));
    assert!(!said.contains(&"unreachable after action"));

    // Every request was signed, carried an idempotency token, and the Enqueue action came first.
    let all = received(&worker);
    assert!(
        all.iter().all(|r| r.signed),
        "unsigned: {:?}",
        all.iter().filter(|r| !r.signed).collect::<Vec<_>>()
    );
    assert!(all.iter().all(|r| r.idempotency_token.is_some()));
    let wait = all.iter().find(|r| r.path == "/queue-wait").map(|r| {
        (
            r.param("QueuePosition"),
            r.param("CurrentQueueSize"),
            r.param("QueueSid").map(|q| q.starts_with("QU")),
        )
    });
    assert_eq!(wait, Some((Some("1"), Some("1"), Some(true))));

    // Agent legs: the first rang and went unanswered, the second was answered and completed.
    let legs: Vec<Vec<String>> = detail["legs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|leg| {
            let leg_sid = leg["call_sid"].as_str().unwrap_or_default();
            all.iter()
                .filter(|r| r.path == "/agent-status" && r.param("CallSid") == Some(leg_sid))
                .map(|r| {
                    assert_eq!(r.param("ParentCallSid"), Some(sid.as_str()));
                    assert_eq!(r.query, "agent=sato");
                    format!(
                        "{} {} seq={} duration={}",
                        r.param("CallStatus").unwrap_or_default(),
                        r.param("To").unwrap_or_default(),
                        r.param("SequenceNumber").unwrap_or_default(),
                        r.param("CallDuration").unwrap_or("-")
                    )
                })
                .collect()
        })
        .collect();
    assert_eq!(legs.len(), 2);
    assert_eq!(
        legs[0],
        [
            "initiated client:sato seq=0 duration=-",
            "ringing client:sato seq=1 duration=-",
            "no-answer client:sato seq=2 duration=0"
        ]
    );
    assert_eq!(legs[1].len(), 4, "{:?}", legs[1]);
    assert!(legs[1][2].starts_with("in-progress client:sato seq=2"));
    assert!(legs[1][3].starts_with("completed client:sato seq=3"));

    let recordings: Vec<(String, Option<String>)> = all
        .iter()
        .filter(|r| r.path == "/recording")
        .map(|r| {
            (
                r.param("RecordingStatus").unwrap_or_default().to_owned(),
                r.param("RecordingChannels").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        recordings,
        [
            ("absent".to_owned(), Some("2".to_owned())),
            ("completed".to_owned(), Some("2".to_owned()))
        ]
    );
    let completed = all.iter().find(|r| r.path == "/status").map(|r| {
        (
            r.param("CallSid").map(str::to_owned),
            r.param("CallDuration").is_some(),
            r.param("Timestamp")
                .and_then(params::rfc2822_unix_ms)
                .is_some(),
        )
    });
    assert_eq!(completed, Some((Some(sid.clone()), true, true)));

    // The finished call can no longer be redirected; the REST log has every request.
    let (status, body) = request(
        reqwest::Method::POST,
        &rest_call(&sid),
        Some((KEY, SECRET)),
        &[("Url", &route)],
        None,
    )
    .await;
    assert_eq!((status, body["code"].clone()), (400, json!(21220)));
    let (_, log) = request(
        reqwest::Method::GET,
        &format!("{double}/_double/rest-log"),
        None,
        &[],
        None,
    )
    .await;
    let statuses: Vec<(String, u64)> = log["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["auth"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("none".to_owned(), 401),
            ("api_key".to_owned(), 404),
            ("account".to_owned(), 200),
            ("api_key".to_owned(), 200),
            ("api_key".to_owned(), 400)
        ]
    );
    let recording_url = all
        .iter()
        .find_map(|r| r.param("RecordingUrl").map(str::to_owned))
        .unwrap_or_default();
    let (status, recording) = request(
        reqwest::Method::GET,
        &format!("{recording_url}.json"),
        Some((KEY, SECRET)),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (
            status,
            recording["channels"].clone(),
            recording["status"].clone()
        ),
        (200, json!(2), json!("completed"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_softphone_on_a_websocket_answers_and_hangs_up() {
    let worker = start_worker().await;
    let running = start_double(&worker).await;
    let double = running.url();
    let ws_base = double.replace("http://", "ws://");

    let identity = Identity::new("sato").unwrap_or_else(|e| panic!("{e}"));
    let now = tsunagu_twilio_double::util::now_unix_ms() / 1000;
    let jwt = AccessToken::new(ACCOUNT, KEY, identity)
        .to_jwt(SECRET, now)
        .unwrap_or_default();
    let forged = AccessToken::new(
        ACCOUNT,
        KEY,
        Identity::new("sato").unwrap_or_else(|e| panic!("{e}")),
    )
    .to_jwt("not-the-secret", now)
    .unwrap_or_default();
    assert!(
        tokio_tungstenite::connect_async(format!("{ws_base}/_double/client?token={forged}"))
            .await
            .is_err()
    );

    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{ws_base}/_double/client?token={jwt}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let mut next = async || -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
            if let Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text)))) = message {
                return serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
            }
            assert!(message.is_ok(), "no message within 10 s");
        }
    };
    assert_eq!(next().await["type"], "registered");

    let (_, created) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/calls"),
        None,
        &[],
        Some(json!({"from": "+81355550101", "to": MAIN})),
    )
    .await;
    let sid = created["call_sid"].as_str().unwrap_or_default().to_owned();
    let incoming = next().await;
    assert_eq!(incoming["type"], "incoming");
    assert_eq!(incoming["parent_call_sid"], json!(sid));
    assert_eq!(incoming["from"], "+81355550101");
    assert_eq!(incoming["parameters"], json!({"attempt": "1"}));
    let leg = incoming["call_sid"].as_str().unwrap_or_default().to_owned();

    let send =
        |value: Value| tokio_tungstenite::tungstenite::Message::Text(value.to_string().into());
    socket
        .send(send(json!({"type": "accept", "call_sid": leg})))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for("the answered leg", || {
        received(&worker)
            .iter()
            .any(|r| r.path == "/agent-status" && r.param("CallStatus") == Some("in-progress"))
    })
    .await;
    socket
        .send(send(json!({"type": "hangup"})))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for("the dial result", || {
        received(&worker)
            .iter()
            .any(|r| r.path == "/dial-result" && r.param("DialCallStatus") == Some("completed"))
    })
    .await;
    wait_for("the call to end", || {
        received(&worker).iter().any(|r| r.path == "/status")
    })
    .await;
    let detail = call_detail(&double, &sid).await;
    assert_eq!(detail["status"], "completed");
    assert_eq!(detail["legs"][0]["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_repeat_the_idempotency_token_and_a_caller_hangs_up_in_the_queue() {
    let worker = start_worker().await;
    let running = start_double_with(&worker, r#""duplicate_probability": 1.0,"#).await;
    let double = running.url();
    // Nobody is registered as sato: the leg gives up at once and the caller is queued.
    let (_, created) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/calls"),
        None,
        &[],
        Some(json!({"from": "+81355550101", "to": MAIN})),
    )
    .await;
    let sid = created["call_sid"].as_str().unwrap_or_default().to_owned();
    wait_for("a waitUrl poll", || {
        received(&worker).iter().any(|r| r.path == "/queue-wait")
    })
    .await;
    let (status, _) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/calls/{sid}/hangup"),
        None,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    wait_for("both copies of the completed callback", || {
        received(&worker)
            .iter()
            .filter(|r| r.path == "/status")
            .count()
            == 2
    })
    .await;
    let all = received(&worker);
    let callbacks: Vec<&Received> = all
        .iter()
        .filter(|r| r.path == "/agent-status" || r.path == "/status")
        .collect();
    assert_eq!(
        callbacks.len(),
        6,
        "initiated, no-answer and the parent's completed, each twice"
    );
    for pair in callbacks.chunks(2) {
        assert_eq!(pair[0].idempotency_token, pair[1].idempotency_token);
        assert_eq!(pair[0].params, pair[1].params);
    }
    assert_ne!(
        callbacks[0].idempotency_token,
        callbacks[2].idempotency_token
    );
    // TwiML fetches are never duplicated; the Enqueue action reports the hangup.
    assert_eq!(all.iter().filter(|r| r.path == "/incoming").count(), 1);
    let queue_result: Vec<Option<&str>> = all
        .iter()
        .filter(|r| r.path == "/queue-result")
        .map(|r| r.param("QueueResult"))
        .collect();
    assert_eq!(queue_result, [Some("hangup")]);
    let detail = call_detail(&double, &sid).await;
    assert_eq!(detail["status"], "completed");
}

/// Places a call to the IVR line, with keys the caller will press.
async fn place(double: &str, digits: Option<&str>) -> Value {
    let mut body = json!({"from": "+81355550101", "to": IVR});
    if let Some(digits) = digits {
        body["digits"] = json!(digits);
    }
    let url = format!("{double}/_double/calls");
    request(reqwest::Method::POST, &url, None, &[], Some(body))
        .await
        .1
}

/// A `<Gather input="dtmf speech">` hears what the caller says (control API), posted as
/// `SpeechResult` and `Confidence`; keys as `Digits`; silence falls through to the `<Redirect>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gather_hears_speech_or_keys_and_silence_falls_through_to_the_redirect() {
    let worker = start_worker().await;
    let running = start_double(&worker).await;
    let double = running.url();
    let spoken = place(&double, None).await;
    let spoken = spoken["call_sid"].as_str().unwrap_or_default().to_owned();
    let (status, _) = request(
        reqwest::Method::POST,
        &format!("{double}/_double/calls/{spoken}/speech"),
        None,
        &[],
        Some(json!({"text": "請求です", "confidence": 0.92})),
    )
    .await;
    assert_eq!(status, 200);
    let pressed = place(&double, Some("1")).await;
    let pressed = pressed["call_sid"].as_str().unwrap_or_default().to_owned();
    let silent = place(&double, None).await;
    let silent = silent["call_sid"].as_str().unwrap_or_default().to_owned();

    wait_for("the three answers", || {
        received(&worker)
            .iter()
            .filter(|r| r.path == "/ivr")
            .count()
            == 3
    })
    .await;
    let mut answers: Vec<String> = received(&worker)
        .iter()
        .filter(|r| r.path == "/ivr")
        .map(|r| {
            let who = [
                (&spoken, "spoken"),
                (&pressed, "pressed"),
                (&silent, "silent"),
            ]
            .iter()
            .find(|(sid, _)| r.param("CallSid") == Some(sid.as_str()))
            .map_or("?", |(_, name)| name);
            format!(
                "{who} ?{} SpeechResult={:?} Confidence={:?} Digits={:?}",
                r.query,
                r.param("SpeechResult"),
                r.param("Confidence"),
                r.param("Digits")
            )
        })
        .collect();
    answers.sort();
    assert_eq!(
        answers,
        [
            r#"pressed ?node=root SpeechResult=None Confidence=None Digits=Some("1")"#,
            r#"silent ?node=root&retry=1 SpeechResult=None Confidence=None Digits=None"#,
            r#"spoken ?node=root SpeechResult=Some("請求です") Confidence=Some("0.92") Digits=None"#,
        ]
    );
    let detail = call_detail(&double, &spoken).await;
    let gathered: Vec<&Value> = detail["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "gathered")
        .collect();
    assert_eq!(gathered.len(), 1);
    assert_eq!(gathered[0]["speech"], "請求です");
}
