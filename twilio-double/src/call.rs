//! One task per call: creates the call, fetches its TwiML and plays it verb by verb, as Twilio would.

mod audio;
mod dial;
mod queue;
mod recording;

use std::{collections::VecDeque, future::Future, sync::Arc, time::Duration};

use tokio::{sync::mpsc, time::Instant};

use crate::{
    client,
    state::{
        CallRecord, Control, EventKind, LegEvent, QueueMember, QueueState, RecordingInfo, Shared,
        StatusCallback,
    },
    twiml_read::{self, Dial, DialNoun, Enqueue, Gather, LegCallbacks, Record, Verb},
    util::{SplitMix64, elapsed_seconds, now_unix_ms, rfc2822, scaled},
    webhook::{CallbackJob, Callbacks, Webhook},
};

/// Why a call could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("no configured number matches `to`")]
    UnknownNumber,
    #[error("the number's account is not configured")]
    UnknownAccount,
    #[error("`{0}` is required")]
    Missing(&'static str),
}

/// Where the next TwiML comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Fetch {
        purpose: String,
        url: String,
        method: String,
        extra: Vec<(String, String)>,
    },
    Inline(String),
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Completed,
    Canceled,
    Busy,
    NoAnswer,
    Failed,
}

impl End {
    fn status(self) -> &'static str {
        match self {
            End::Completed => "completed",
            End::Canceled => "canceled",
            End::Busy => "busy",
            End::NoAnswer => "no-answer",
            End::Failed => "failed",
        }
    }
}

/// What stops the verb being played.
#[derive(Debug, Clone, PartialEq)]
pub enum Break {
    Goto(Next),
    End(End),
}

/// A new inbound call, as `POST /_double/calls` describes it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct InboundCall {
    pub from: String,
    pub to: String,
    /// DTMF the caller will press when a `<Gather>` listens.
    #[serde(default)]
    pub digits: Option<String>,
}

/// A new outbound call from `POST …/Calls.json`.
#[derive(Debug, Clone, Default)]
pub struct OutboundCall {
    pub account_sid: String,
    pub from: String,
    pub to: String,
    pub next: Option<Next>,
    pub status_callback: StatusCallback,
    pub timeout: u32,
}

/// The fields of a new first leg that are not about a leg in particular.
struct NewLeg {
    sid: String,
    account_sid: String,
    from: String,
    to: String,
    direction: &'static str,
    status: &'static str,
}

fn new_record(double: &Shared, calls_created: u64, leg: NewLeg) -> CallRecord {
    let NewLeg {
        sid,
        account_sid,
        from,
        to,
        direction,
        status,
    } = leg;
    CallRecord {
        root_sid: sid.clone(),
        sid,
        account_sid,
        parent_sid: None,
        from,
        to,
        direction: direction.to_owned(),
        status: status.to_owned(),
        created_ms: now_unix_ms(),
        answered_ms: None,
        ended_ms: None,
        children: Vec::new(),
        events: Vec::new(),
        control: None,
        status_callback: StatusCallback::default(),
        sequence: 0,
        digits: VecDeque::new(),
        speech: VecDeque::new(),
        rng: SplitMix64::new(
            double
                .seed
                .wrapping_mul(0x9E37_79B9)
                .wrapping_add(calls_created),
        ),
        client_identity: None,
        queue: None,
    }
}

/// Creates an inbound call to a configured number and starts playing it. Returns its CallSid.
pub fn start_inbound(double: &Shared, call: &InboundCall) -> Result<String, StartError> {
    let number = double
        .config
        .number(&call.to)
        .ok_or(StartError::UnknownNumber)?
        .clone();
    let account = double
        .config
        .account_of(&number)
        .ok_or(StartError::UnknownAccount)?
        .clone();
    let (sender, receiver) = mpsc::unbounded_channel();
    let sid = double.with(|inner| {
        let sid = inner.rng.sid("CA");
        inner.calls_created += 1;
        let mut record = new_record(
            double,
            inner.calls_created,
            NewLeg {
                sid: sid.clone(),
                account_sid: account.account_sid.clone(),
                from: call.from.clone(),
                to: call.to.clone(),
                direction: "inbound",
                status: "ringing",
            },
        );
        record.control = Some(sender);
        record.status_callback = StatusCallback {
            url: number.status_callback.clone(),
            method: number.status_callback_method.clone(),
            events: number.status_callback_events.clone(),
        };
        record.digits = call.digits.clone().unwrap_or_default().chars().collect();
        inner.calls.insert(sid.clone(), record);
        inner.call_order.push(sid.clone());
        inner.log(
            &sid,
            EventKind::Status {
                status: "ringing".to_owned(),
            },
        );
        sid
    });
    let runner = Runner::new(double, sid.clone(), account.account_sid, receiver);
    let first = Next::Fetch {
        purpose: "voice".to_owned(),
        url: number.voice_url,
        method: number.voice_method,
        extra: Vec::new(),
    };
    tokio::spawn(runner.run_inbound(first));
    Ok(sid)
}

/// Creates an outbound API call: rings `to` (a `client:` identity or an outside phone) and plays
/// `next` once it answers. Returns its CallSid.
pub fn start_outbound(double: &Shared, call: &OutboundCall) -> Result<String, StartError> {
    let next = call.next.clone().ok_or(StartError::Missing("Url"))?;
    if call.to.is_empty() {
        return Err(StartError::Missing("To"));
    }
    let (sender, receiver) = mpsc::unbounded_channel();
    let sid = double.with(|inner| {
        let sid = inner.rng.sid("CA");
        inner.calls_created += 1;
        let mut record = new_record(
            double,
            inner.calls_created,
            NewLeg {
                sid: sid.clone(),
                account_sid: call.account_sid.clone(),
                from: call.from.clone(),
                to: call.to.clone(),
                direction: "outbound-api",
                status: "queued",
            },
        );
        record.control = Some(sender);
        record.status_callback = call.status_callback.clone();
        record.client_identity = call.to.strip_prefix("client:").map(str::to_owned);
        inner.calls.insert(sid.clone(), record);
        inner.call_order.push(sid.clone());
        inner.log(
            &sid,
            EventKind::Status {
                status: "queued".to_owned(),
            },
        );
        sid
    });
    let runner = Runner::new(double, sid.clone(), call.account_sid.clone(), receiver);
    tokio::spawn(runner.run_outbound(next, call.timeout));
    Ok(sid)
}

/// State of one dial leg while the `<Dial>` rings.
#[derive(Debug, Clone)]
struct Leg {
    sid: String,
    identity: Option<String>,
    ringing: bool,
    /// Terminal status when it failed or was given up.
    outcome: Option<&'static str>,
}

enum RingOutcome {
    Answered(usize),
    TimedOut,
    AllFailed,
    Interrupted(Break),
}

enum BridgeEnd {
    ChildHungUp,
    TimeLimit,
    Parent(Break),
}

enum QueueExit {
    Leave,
    HangupVerb,
    Redirected(Next),
    Interrupted(Break),
}

/// The interpreter of one call (its first leg and the legs it dials).
struct Runner {
    double: Shared,
    sid: String,
    account_sid: String,
    receiver: mpsc::UnboundedReceiver<Control>,
    callbacks: Callbacks,
    /// The URL of the document being played, for relative URLs and `<Gather>` without action.
    document_url: Option<String>,
}

impl Runner {
    fn new(
        double: &Shared,
        sid: String,
        account_sid: String,
        receiver: mpsc::UnboundedReceiver<Control>,
    ) -> Self {
        Self {
            callbacks: Callbacks::start(Arc::clone(double), sid.clone()),
            double: Arc::clone(double),
            sid,
            account_sid,
            receiver,
            document_url: None,
        }
    }

    fn scale(&self) -> f64 {
        self.double.time_scale()
    }

    fn log(&self, kind: EventKind) {
        self.double.log(&self.sid, kind);
    }

    fn error(&self, message: impl Into<String>) {
        self.log(EventKind::Error {
            message: message.into(),
        });
    }

    /// Sets `call_sid`'s status and sends the matching status callback if it is wanted.
    fn status(&self, call_sid: &str, status: &str, event: &str) {
        let job = self.double.with(|inner| {
            inner.set_status(call_sid, status);
            inner.status_callback(call_sid, event)
        });
        if let Some(job) = job {
            self.callbacks.send(job);
        }
    }

    fn current_status(&self, call_sid: &str) -> String {
        self.double.with(|inner| {
            inner
                .calls
                .get(call_sid)
                .map(|c| c.status.clone())
                .unwrap_or_default()
        })
    }

    fn ensure_answered(&self) {
        if self.current_status(&self.sid) != "in-progress" {
            self.status(&self.sid, "in-progress", "answered");
        }
    }

    fn resolve(&self, url: &str) -> Option<String> {
        if let Ok(absolute) = url::Url::parse(url) {
            return Some(absolute.to_string());
        }
        let base = url::Url::parse(self.document_url.as_deref()?).ok()?;
        base.join(url).ok().map(|u| u.to_string())
    }

    fn fetch_next(
        &self,
        purpose: &str,
        url: &str,
        method: &str,
        extra: Vec<(String, String)>,
    ) -> Result<Next, Break> {
        match self.resolve(url) {
            Some(url) => Ok(Next::Fetch {
                purpose: purpose.to_owned(),
                url,
                method: method.to_owned(),
                extra,
            }),
            None => {
                self.error(format!("cannot resolve the {purpose} URL"));
                Err(Break::End(End::Completed))
            }
        }
    }

    /// What a control message means for the verb being played; `None` when it changes nothing.
    fn interrupt(&mut self, control: Control) -> Option<Break> {
        match control {
            Control::Redirect { url, method } => Some(Break::Goto(Next::Fetch {
                purpose: "redirect".to_owned(),
                url,
                method,
                extra: Vec::new(),
            })),
            Control::Twiml(xml) => Some(Break::Goto(Next::Inline(xml))),
            Control::CallerHangup | Control::Complete => Some(Break::End(End::Completed)),
            Control::Cancel => {
                let status = self.current_status(&self.sid);
                matches!(status.as_str(), "queued" | "ringing" | "initiated")
                    .then_some(Break::End(End::Canceled))
            }
            Control::Digits(digits) => {
                self.double.with(|inner| {
                    if let Some(call) = inner.calls.get_mut(&self.sid) {
                        call.digits.extend(digits.chars());
                    }
                });
                None
            }
            Control::Speech { text, confidence } => {
                self.double.with(|inner| {
                    if let Some(call) = inner.calls.get_mut(&self.sid) {
                        call.speech.push_back((text, confidence));
                    }
                });
                None
            }
            Control::Leg { call_sid, event } => {
                // On an outbound call the leg is the call itself: its callee hanging up ends it.
                (call_sid == self.sid && event == LegEvent::HungUp)
                    .then_some(Break::End(End::Completed))
            }
        }
    }

    /// Runs `future` unless a control message interrupts it first.
    async fn interruptible<F: Future>(&mut self, future: F) -> Result<F::Output, Break> {
        tokio::pin!(future);
        loop {
            tokio::select! {
                output = &mut future => return Ok(output),
                control = self.receiver.recv() => {
                    if let Some(control) = control
                        && let Some(interrupt) = self.interrupt(control)
                    {
                        return Err(interrupt);
                    }
                }
            }
        }
    }

    async fn wait(&mut self, duration: Duration) -> Result<(), Break> {
        self.interruptible(tokio::time::sleep(duration)).await
    }

    /// Applies control messages that arrived while nothing was waiting.
    fn poll_controls(&mut self) -> Result<(), Break> {
        while let Ok(control) = self.receiver.try_recv() {
            if let Some(interrupt) = self.interrupt(control) {
                return Err(interrupt);
            }
        }
        Ok(())
    }

    async fn run_inbound(mut self, first: Next) {
        if let Some(job) = self
            .double
            .with(|inner| inner.status_callback(&self.sid, "ringing"))
        {
            self.callbacks.send(job);
        }
        let end = self.play(first).await;
        self.finish(end).await;
    }

    async fn run_outbound(mut self, next: Next, timeout: u32) {
        let sid = self.sid.clone();
        self.status(&sid, "initiated", "initiated");
        let end = match self.ring_self(timeout).await {
            Ok(()) => {
                self.status(&sid, "in-progress", "answered");
                self.play(next).await
            }
            Err(end) => end,
        };
        self.finish(end).await;
    }

    /// Rings an outbound call's callee until it answers.
    async fn ring_self(&mut self, timeout: u32) -> Result<(), End> {
        let sid = self.sid.clone();
        self.status(&sid, "ringing", "ringing");
        let (to, from, identity) = self.double.with(|inner| {
            inner
                .calls
                .get(&sid)
                .map(|c| (c.to.clone(), c.from.clone(), c.client_identity.clone()))
                .unwrap_or_default()
        });
        if let Some(identity) = &identity {
            if !client::ring(&self.double, identity, &sid, None, &from, &to, &[]) {
                return Err(End::NoAnswer);
            }
        } else {
            self.simulate_phone(&to, &sid);
        }
        let deadline = Instant::now() + scaled(f64::from(timeout), self.scale());
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    if let Some(identity) = &identity {
                        client::stop_ringing(&self.double, identity, &sid);
                    }
                    return Err(End::NoAnswer);
                }
                control = self.receiver.recv() => match control {
                    Some(Control::Leg { call_sid, event }) if call_sid == sid => match event {
                        LegEvent::Answered => return Ok(()),
                        LegEvent::Rejected | LegEvent::Busy | LegEvent::HungUp => return Err(End::Busy),
                        LegEvent::Dtmf(_) => {}
                    },
                    Some(Control::Complete | Control::Cancel | Control::CallerHangup) => {
                        if let Some(identity) = &identity {
                            client::stop_ringing(&self.double, identity, &sid);
                        }
                        return Err(End::Canceled);
                    }
                    _ => {}
                },
            }
        }
    }

    /// Plays documents until the call ends.
    async fn play(&mut self, first: Next) -> End {
        let mut next = first;
        loop {
            let verbs = match self.load(next).await {
                Ok(verbs) => verbs,
                Err(Break::Goto(goto)) => {
                    next = goto;
                    continue;
                }
                Err(Break::End(end)) => return end,
            };
            match self.execute(&verbs).await {
                Break::Goto(goto) => next = goto,
                Break::End(end) => return end,
            }
        }
    }

    fn failed(&self) -> End {
        if self.current_status(&self.sid) == "in-progress" {
            End::Completed
        } else {
            End::Failed
        }
    }

    async fn load(&mut self, next: Next) -> Result<Vec<Verb>, Break> {
        let xml = match next {
            Next::Inline(xml) => {
                self.document_url = None;
                xml
            }
            Next::Fetch {
                purpose,
                url,
                method,
                extra,
            } => {
                let mut params = self.double.with(|inner| inner.call_params(&self.sid));
                params.extend(extra);
                let hook = Webhook {
                    purpose,
                    url: url.clone(),
                    method,
                    params,
                };
                let double = Arc::clone(&self.double);
                let (sid, account) = (self.sid.clone(), self.account_sid.clone());
                let reply = self
                    .interruptible(async move { double.fetch_twiml(&sid, &account, &hook).await })
                    .await?;
                if !reply.is_success() {
                    self.error("the application did not answer with TwiML (Twilio plays an application error and hangs up)");
                    return Err(Break::End(self.failed()));
                }
                self.document_url = Some(url);
                reply.body.unwrap_or_default()
            }
        };
        twiml_read::parse(&xml).map_err(|e| {
            self.error(format!("unreadable TwiML: {e}"));
            Break::End(self.failed())
        })
    }

    /// Plays a document's verbs; returns where to go next (a document that runs out hangs up).
    async fn execute(&mut self, verbs: &[Verb]) -> Break {
        for verb in verbs {
            if let Err(interrupt) = self.poll_controls() {
                return interrupt;
            }
            self.log(EventKind::Verb {
                verb: verb.name().to_owned(),
            });
            if let Err(interrupt) = self.verb(verb).await {
                return interrupt;
            }
        }
        Break::End(End::Completed)
    }

    async fn verb(&mut self, verb: &Verb) -> Result<(), Break> {
        match verb {
            Verb::Say { .. } | Verb::Play { .. } | Verb::Pause { .. } => {
                self.ensure_answered();
                self.media(verb).await
            }
            Verb::Gather(gather) => self.gather(gather).await,
            Verb::Dial(dial) => self.dial(dial).await,
            Verb::Enqueue(enqueue) => self.enqueue(enqueue).await,
            Verb::Leave => Ok(()),
            Verb::Redirect { url, method } => Err(Break::Goto(self.fetch_next(
                "redirect",
                url,
                method,
                Vec::new(),
            )?)),
            Verb::Hangup => Err(Break::End(End::Completed)),
            Verb::Reject { reason } => {
                // Unverified: both reasons are reported as `busy` here.
                let _ = reason;
                Err(Break::End(End::Busy))
            }
            Verb::Record(record) => self.record(record).await,
            Verb::Unsupported { name } => {
                self.error(format!("<{name}> is not simulated; skipped"));
                Ok(())
            }
        }
    }

    /// `<Say>`, `<Play>`, `<Pause>`: logged; only a pause takes time.
    async fn media(&mut self, verb: &Verb) -> Result<(), Break> {
        match verb {
            Verb::Say {
                text,
                voice,
                language,
                ..
            } => self.log(EventKind::Say {
                text: text.clone(),
                language: language.clone(),
                voice: voice.clone(),
            }),
            Verb::Play { url, .. } => {
                self.log(EventKind::Play { url: url.clone() });
                let url = self.resolve(url).unwrap_or_else(|| url.clone());
                self.play_audio(&url).await?;
            }
            Verb::Pause { length } => {
                let duration = scaled(f64::from(*length), self.scale());
                self.wait(duration).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The next key the scenario has the caller press, if any is waiting.
    fn next_digit(&self) -> Option<char> {
        self.double.with(|inner| {
            inner
                .calls
                .get_mut(&self.sid)
                .and_then(|c| c.digits.pop_front())
        })
    }

    async fn gather(&mut self, gather: &Gather) -> Result<(), Break> {
        self.ensure_answered();
        for child in &gather.children {
            self.media(child).await?;
        }
        let deadline = Instant::now() + scaled(f64::from(gather.timeout), self.scale());
        let mut digits = String::new();
        let mut speech: Option<(String, Option<f64>)> = None;
        let finished = loop {
            // Speech is heard only before the first key, as Twilio stops listening for speech
            // once the caller starts pressing keys.
            if gather.hears_speech && digits.is_empty() {
                speech = self.double.with(|inner| {
                    inner
                        .calls
                        .get_mut(&self.sid)
                        .and_then(|c| c.speech.pop_front())
                });
                if speech.is_some() {
                    break true;
                }
            }
            let next = if gather.hears_dtmf {
                self.next_digit()
            } else {
                None
            };
            match next {
                Some(key) if gather.finish_on_key.contains(key) => break true,
                Some(key) => {
                    digits.push(key);
                    if gather
                        .num_digits
                        .is_some_and(|n| digits.chars().count() >= n as usize)
                    {
                        break true;
                    }
                }
                None => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => break false,
                        control = self.receiver.recv() => {
                            if let Some(control) = control
                                && let Some(interrupt) = self.interrupt(control)
                            {
                                return Err(interrupt);
                            }
                        }
                    }
                }
            }
        };
        let _ = finished;
        if digits.is_empty() && speech.is_none() && !gather.action_on_empty_result {
            return Ok(());
        }
        self.log(EventKind::Gathered {
            digits: digits.clone(),
            speech: speech.as_ref().map(|(text, _)| text.clone()),
        });
        let action = gather
            .action
            .clone()
            .or_else(|| self.document_url.clone())
            .unwrap_or_default();
        // Speech: `SpeechResult` and (when the recogniser gave one) `Confidence`, no `Digits`.
        let extra = match speech {
            Some((text, confidence)) => {
                let mut extra = vec![("SpeechResult".to_owned(), text)];
                if let Some(confidence) = confidence {
                    extra.push(("Confidence".to_owned(), confidence.to_string()));
                }
                extra
            }
            None => vec![("Digits".to_owned(), digits)],
        };
        Err(Break::Goto(self.fetch_next(
            "gather_action",
            &action,
            &gather.method,
            extra,
        )?))
    }

    /// The call is over: final status, `completed` callback, clients told, queue left.
    async fn finish(mut self, end: End) {
        let sid = self.sid.clone();
        let status = self.current_status(&sid);
        let final_status =
            if end == End::Completed && !matches!(status.as_str(), "in-progress" | "completed") {
                // Hung up before anything answered it (e.g. while an answerOnBridge <Dial> rang).
                // Unverified which status Twilio reports then; `completed` is the common one.
                "completed"
            } else {
                end.status()
            };
        let (job, identity, children) = self.double.with(|inner| {
            inner.set_status(&sid, final_status);
            let job = inner.status_callback(&sid, "completed");
            let call = inner.calls.get_mut(&sid);
            let identity = call.as_ref().and_then(|c| c.client_identity.clone());
            let children = call
                .as_ref()
                .map(|c| c.children.clone())
                .unwrap_or_default();
            if let Some(call) = call {
                call.control = None;
            }
            for queue in inner.queues.values_mut() {
                queue.members.retain(|m| m.call_sid != sid);
            }
            (job, identity, children)
        });
        for child in children {
            let live = self
                .double
                .with(|inner| inner.calls.get(&child).is_some_and(|c| !c.is_over()));
            if live {
                self.status(&child, "completed", "completed");
            }
        }
        if let Some(job) = job {
            self.callbacks.send(job);
        }
        if let Some(identity) = identity {
            client::leg_ended(&self.double, &identity, &sid);
            client::stop_ringing(&self.double, &identity, &sid);
        }
        // Late control messages (a REST call racing the end) have nothing left to change.
        self.receiver.close();
    }
}

struct DialDetails {
    sid: String,
    seconds: u64,
    recording_url: Option<String>,
}
