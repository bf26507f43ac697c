//! Requests to the application as Twilio makes them: standard parameters, `X-Twilio-Signature`, idempotency tokens, retries, duplicates and reordering.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use tokio::sync::mpsc;
use tsunagu_twilio::signature;

use crate::{
    state::{Double, EventKind, Inner, Shared},
    util::{elapsed_seconds, now_unix_ms, rfc2822},
};

/// One request to the application.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// What it is for, as logged: `voice`, `action`, `wait_url`, `status_callback`, …
    pub purpose: String,
    pub url: String,
    /// `POST` or `GET`.
    pub method: String,
    pub params: Vec<(String, String)>,
}

/// What came back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub status: Option<u16>,
    pub body: Option<String>,
    pub error: Option<String>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The URL actually requested and its signature: a POST signs the URL plus the parameters, a GET
/// carries the parameters in its query and signs the URL alone (twilio.md §1.1).
pub fn signed_request(auth_token: &str, hook: &Webhook) -> (String, String) {
    let url = hook.url.split('#').next().unwrap_or_default().to_owned();
    if hook.method.eq_ignore_ascii_case("GET") {
        let url = match url::Url::parse(&url) {
            Ok(mut parsed) => {
                parsed
                    .query_pairs_mut()
                    .extend_pairs(hook.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                parsed.to_string()
            }
            Err(_) => url,
        };
        let signature = signature::compute(auth_token, &url, &[]);
        (url, signature)
    } else {
        let signature = signature::compute(auth_token, &url, &hook.params);
        (url, signature)
    }
}

impl Double {
    /// Sends `hook` once (plus retries when it could not be delivered at all), all with the same
    /// idempotency token.
    async fn deliver(&self, account_sid: &str, hook: &Webhook, token: &str) -> Reply {
        let Some(account) = self.account(account_sid) else {
            return Reply {
                error: Some("no such account".to_owned()),
                ..Reply::default()
            };
        };
        let (url, signature) = signed_request(&account.auth_token, hook);
        let mut reply = Reply::default();
        for _ in 0..=self.config.options.webhook_retries {
            let request = if hook.method.eq_ignore_ascii_case("GET") {
                self.http.get(&url)
            } else {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&hook.params)
                    .finish();
                self.http
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
            };
            let result = request
                .header("X-Twilio-Signature", &signature)
                .header("I-Twilio-Idempotency-Token", token)
                .send()
                .await;
            match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.ok();
                    return Reply {
                        status: Some(status),
                        body,
                        error: None,
                    };
                }
                Err(err) => {
                    reply.error = Some(if err.is_timeout() {
                        "timed out".to_owned()
                    } else {
                        "could not connect".to_owned()
                    });
                }
            }
        }
        reply
    }

    /// Requests TwiML (voice URL, action, waitUrl, redirect) and logs the exchange on the call.
    pub async fn fetch_twiml(&self, call_sid: &str, account_sid: &str, hook: &Webhook) -> Reply {
        let token = self.with(|inner| inner.rng.token());
        let reply = self.deliver(account_sid, hook, &token).await;
        self.log(
            call_sid,
            webhook_event(hook, &token, &reply, true, false, false),
        );
        reply
    }
}

fn webhook_event(
    hook: &Webhook,
    token: &str,
    reply: &Reply,
    with_body: bool,
    duplicate: bool,
    delayed: bool,
) -> EventKind {
    EventKind::Webhook {
        purpose: hook.purpose.clone(),
        url: hook.url.clone(),
        method: hook.method.clone(),
        params: hook.params.iter().cloned().collect::<BTreeMap<_, _>>(),
        idempotency_token: token.to_owned(),
        status: reply.status,
        error: reply.error.clone(),
        twiml: if with_body { reply.body.clone() } else { None },
        duplicate,
        delayed,
    }
}

/// A callback to deliver in the background; the response body is ignored, as Twilio ignores it.
#[derive(Debug, Clone)]
pub struct CallbackJob {
    pub call_sid: String,
    pub account_sid: String,
    pub hook: Webhook,
}

/// Delivers one call tree's callbacks in order, except those the reorder option holds back;
/// the duplicate option sends some twice with the same token.
#[derive(Debug, Clone)]
pub struct Callbacks {
    sender: mpsc::UnboundedSender<CallbackJob>,
}

impl Callbacks {
    pub fn start(double: Shared, root_sid: String) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<CallbackJob>();
        tokio::spawn(async move {
            while let Some(job) = receiver.recv().await {
                let (token, duplicate, delayed) = double.with(|inner| {
                    let options = &double.config.options;
                    let token = inner.rng.token();
                    let rng = inner.calls.get_mut(&root_sid).map(|c| &mut c.rng);
                    match rng {
                        Some(rng) => {
                            let duplicate = rng.chance(options.duplicate_probability);
                            let delayed = rng.chance(options.reorder_probability);
                            (token, duplicate, delayed)
                        }
                        None => (token, false, false),
                    }
                });
                if delayed {
                    let double = Arc::clone(&double);
                    let delay = Duration::from_millis(double.config.options.reorder_delay_ms);
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        send_callback(&double, &job, &token, duplicate, true).await;
                    });
                } else {
                    send_callback(&double, &job, &token, duplicate, false).await;
                }
            }
        });
        Self { sender }
    }

    pub fn send(&self, job: CallbackJob) {
        // The delivery task lives as long as any sender; a send can only fail after shutdown.
        let _ = self.sender.send(job);
    }
}

async fn send_callback(
    double: &Double,
    job: &CallbackJob,
    token: &str,
    duplicate: bool,
    delayed: bool,
) {
    let copies = if duplicate { 2 } else { 1 };
    for copy in 0..copies {
        let reply = double.deliver(&job.account_sid, &job.hook, token).await;
        double.log(
            &job.call_sid,
            webhook_event(&job.hook, token, &reply, false, copy > 0, delayed),
        );
    }
}

fn country_of(number: &str) -> Option<&'static str> {
    [("+81", "JP"), ("+1", "US"), ("+44", "GB"), ("+61", "AU")]
        .into_iter()
        .find(|(prefix, _)| number.starts_with(prefix))
        .map(|(_, country)| country)
}

impl Inner {
    /// The parameters of every voice request (twilio.md §4.1) for `call_sid` as it is now.
    pub fn call_params(&self, call_sid: &str) -> Vec<(String, String)> {
        let Some(call) = self.calls.get(call_sid) else {
            return Vec::new();
        };
        let mut params = vec![
            ("AccountSid".to_owned(), call.account_sid.clone()),
            ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
            ("CallSid".to_owned(), call.sid.clone()),
            ("CallStatus".to_owned(), call.status.clone()),
            ("Called".to_owned(), call.to.clone()),
            ("Caller".to_owned(), call.from.clone()),
            ("Direction".to_owned(), call.direction.clone()),
            ("From".to_owned(), call.from.clone()),
            ("To".to_owned(), call.to.clone()),
        ];
        if let Some(parent) = &call.parent_sid {
            params.push(("ParentCallSid".to_owned(), parent.clone()));
        }
        if let Some(country) = country_of(&call.from) {
            params.push(("CallerCountry".to_owned(), country.to_owned()));
            params.push(("FromCountry".to_owned(), country.to_owned()));
        }
        if let Some(country) = country_of(&call.to) {
            params.push(("CalledCountry".to_owned(), country.to_owned()));
            params.push(("ToCountry".to_owned(), country.to_owned()));
        }
        params
    }

    /// The status callback for `event` of `call_sid` (§4.2), if its subscription wants it. The
    /// leg's status must already be the one to report.
    pub fn status_callback(&mut self, call_sid: &str, event: &str) -> Option<CallbackJob> {
        let call = self.calls.get(call_sid)?;
        if !call.status_callback.wants(event) {
            return None;
        }
        let url = call.status_callback.url.clone()?;
        let method = call.status_callback.method.clone();
        let account_sid = call.account_sid.clone();
        let status = call.status.clone();
        let timing = (call.answered_ms, call.ended_ms);
        let mut params = self.call_params(call_sid);
        let call = self.calls.get_mut(call_sid)?;
        let sequence = call.sequence;
        call.sequence += 1;
        params.push((
            "CallbackSource".to_owned(),
            "call-progress-events".to_owned(),
        ));
        params.push(("SequenceNumber".to_owned(), sequence.to_string()));
        params.push(("Timestamp".to_owned(), rfc2822(now_unix_ms())));
        if event == "completed" {
            let seconds = match timing {
                (Some(start), Some(end)) => elapsed_seconds(start, end),
                _ => 0,
            };
            params.push(("CallDuration".to_owned(), seconds.to_string()));
            params.push(("Duration".to_owned(), seconds.div_ceil(60).to_string()));
            let sip = match status.as_str() {
                "no-answer" | "canceled" => Some("487"),
                "busy" => Some("486"),
                "failed" => Some("500"),
                _ => None,
            };
            if let Some(code) = sip {
                params.push(("SipResponseCode".to_owned(), code.to_owned()));
            }
        }
        Some(CallbackJob {
            call_sid: call_sid.to_owned(),
            account_sid,
            hook: Webhook {
                purpose: format!("status_callback:{event}"),
                url,
                method,
                params,
            },
        })
    }
}
