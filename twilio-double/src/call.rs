//! One task per call: creates the call, fetches its TwiML and plays it verb by verb, as Twilio would.

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
            Verb::Play { url, .. } => self.log(EventKind::Play { url: url.clone() }),
            Verb::Pause { length } => {
                let duration = scaled(f64::from(*length), self.scale());
                self.wait(duration).await?;
            }
            _ => {}
        }
        Ok(())
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
                self.double.with(|inner| {
                    inner
                        .calls
                        .get_mut(&self.sid)
                        .and_then(|c| c.digits.pop_front())
                })
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

    async fn record(&mut self, record: &Record) -> Result<(), Break> {
        self.ensure_answered();
        let seconds = self
            .double
            .config
            .options
            .record_seconds
            .min(u64::from(record.max_length));
        let started = now_unix_ms();
        #[allow(clippy::cast_precision_loss, reason = "a few seconds")]
        let duration = scaled(seconds as f64, self.scale());
        self.wait(duration).await?;
        let recording_sid = self.start_recording(1, "RecordVerb", started);
        self.finish_recording(
            &recording_sid,
            record.recording_status_callback.as_deref(),
            &record.recording_status_callback_method,
            &record.recording_status_callback_events,
            seconds,
        );
        let action = record
            .action
            .clone()
            .or_else(|| self.document_url.clone())
            .unwrap_or_default();
        let extra = vec![
            ("RecordingSid".to_owned(), recording_sid.clone()),
            (
                "RecordingUrl".to_owned(),
                self.recording_url(&recording_sid),
            ),
            ("RecordingDuration".to_owned(), seconds.to_string()),
        ];
        Err(Break::Goto(self.fetch_next(
            "record_action",
            &action,
            &record.method,
            extra,
        )?))
    }

    fn recording_url(&self, recording_sid: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{recording_sid}",
            self.double.config.public_url(),
            self.account_sid
        )
    }

    fn start_recording(&self, channels: u8, source: &str, start_ms: u64) -> String {
        self.double.with(|inner| {
            let sid = inner.rng.sid("RE");
            inner.recordings.insert(
                sid.clone(),
                RecordingInfo {
                    sid: sid.clone(),
                    account_sid: self.account_sid.clone(),
                    call_sid: self.sid.clone(),
                    status: "in-progress".to_owned(),
                    channels,
                    source: source.to_owned(),
                    start_ms,
                    duration_secs: None,
                },
            );
            sid
        })
    }

    /// Sends a recording status callback for `status` if `events` asks for it (default `completed`).
    fn recording_callback(
        &self,
        recording_sid: &str,
        url: Option<&str>,
        method: &str,
        events: &[String],
        status: &str,
    ) {
        let wanted = if events.is_empty() {
            status == "completed"
        } else {
            events.iter().any(|e| e == status)
        };
        let Some(url) = url.filter(|_| wanted).and_then(|u| self.resolve(u)) else {
            return;
        };
        let Some(info) = self
            .double
            .with(|inner| inner.recordings.get(recording_sid).cloned())
        else {
            return;
        };
        let mut params = vec![
            ("AccountSid".to_owned(), self.account_sid.clone()),
            ("CallSid".to_owned(), self.sid.clone()),
            ("RecordingSid".to_owned(), recording_sid.to_owned()),
            ("RecordingStatus".to_owned(), status.to_owned()),
            ("RecordingChannels".to_owned(), info.channels.to_string()),
            ("RecordingSource".to_owned(), info.source.clone()),
            ("RecordingStartTime".to_owned(), rfc2822(info.start_ms)),
            ("RecordingTrack".to_owned(), "both".to_owned()),
        ];
        if status != "absent" {
            params.push(("RecordingUrl".to_owned(), self.recording_url(recording_sid)));
        }
        if let Some(duration) = info.duration_secs.filter(|_| status == "completed") {
            params.push(("RecordingDuration".to_owned(), duration.to_string()));
        }
        self.log(EventKind::Recording {
            recording_sid: recording_sid.to_owned(),
            status: status.to_owned(),
        });
        self.callbacks.send(CallbackJob {
            call_sid: self.sid.clone(),
            account_sid: self.account_sid.clone(),
            hook: Webhook {
                purpose: format!("recording_status_callback:{status}"),
                url,
                method: method.to_owned(),
                params,
            },
        });
    }

    fn finish_recording(
        &self,
        recording_sid: &str,
        url: Option<&str>,
        method: &str,
        events: &[String],
        seconds: u64,
    ) {
        self.double.with(|inner| {
            if let Some(info) = inner.recordings.get_mut(recording_sid) {
                info.status = "completed".to_owned();
                info.duration_secs = Some(seconds);
            }
        });
        self.recording_callback(recording_sid, url, method, events, "completed");
    }

    /// Starts a simulated outside phone: it answers, hangs up or is busy as configured.
    fn simulate_phone(&self, number: &str, leg_sid: &str) {
        let behaviour = self
            .double
            .with(|inner| inner.phones.get(number).cloned())
            .unwrap_or_default();
        let double = Arc::clone(&self.double);
        let leg = leg_sid.to_owned();
        tokio::spawn(async move {
            if behaviour.busy {
                tokio::time::sleep(Duration::from_millis(50)).await;
                double.send_control(
                    &leg,
                    Control::Leg {
                        call_sid: leg.clone(),
                        event: LegEvent::Busy,
                    },
                );
                return;
            }
            let Some(answer_after) = behaviour.answer_after_ms else {
                return;
            };
            tokio::time::sleep(Duration::from_millis(answer_after)).await;
            double.send_control(
                &leg,
                Control::Leg {
                    call_sid: leg.clone(),
                    event: LegEvent::Answered,
                },
            );
            if let Some(hangup_after) = behaviour.hangup_after_ms {
                tokio::time::sleep(Duration::from_millis(hangup_after)).await;
                double.send_control(
                    &leg,
                    Control::Leg {
                        call_sid: leg.clone(),
                        event: LegEvent::HungUp,
                    },
                );
            }
        });
    }

    /// Creates a child leg of this call.
    fn new_leg(
        &self,
        to: &str,
        from: &str,
        callbacks: &LegCallbacks,
        identity: Option<&str>,
    ) -> String {
        let url = callbacks
            .status_callback
            .as_deref()
            .and_then(|u| self.resolve(u));
        self.double.with(|inner| {
            let sid = inner.rng.sid("CA");
            let seed = inner.rng.next_u64();
            let record = CallRecord {
                sid: sid.clone(),
                account_sid: self.account_sid.clone(),
                parent_sid: Some(self.sid.clone()),
                root_sid: self.sid.clone(),
                from: from.to_owned(),
                to: to.to_owned(),
                direction: "outbound-dial".to_owned(),
                status: "queued".to_owned(),
                created_ms: now_unix_ms(),
                answered_ms: None,
                ended_ms: None,
                children: Vec::new(),
                events: Vec::new(),
                control: None,
                status_callback: StatusCallback {
                    url,
                    method: callbacks.status_callback_method.clone(),
                    events: callbacks.status_callback_events.clone(),
                },
                sequence: 0,
                digits: VecDeque::new(),
                speech: VecDeque::new(),
                rng: SplitMix64::new(seed),
                client_identity: identity.map(str::to_owned),
                queue: None,
            };
            inner.calls.insert(sid.clone(), record);
            if let Some(parent) = inner.calls.get_mut(&self.sid) {
                parent.children.push(sid.clone());
            }
            sid
        })
    }

    fn end_leg(&self, leg: &Leg, status: &str) {
        if let Some(identity) = &leg.identity {
            if status == "completed" {
                client::leg_ended(&self.double, identity, &leg.sid);
            } else {
                client::stop_ringing(&self.double, identity, &leg.sid);
            }
        }
        if self
            .double
            .with(|inner| inner.calls.get(&leg.sid).is_some_and(CallRecord::is_over))
        {
            return;
        }
        self.status(&leg.sid, status, "completed");
    }

    async fn dial(&mut self, dial: &Dial) -> Result<(), Break> {
        if !dial.answer_on_bridge {
            self.ensure_answered();
        }
        let targets = dial
            .nouns
            .iter()
            .map(|noun| match noun {
                DialNoun::Client { identity, .. } => format!("client:{identity}"),
                DialNoun::Number { number, .. } => number.clone(),
                DialNoun::Conference { name, .. } => format!("conference:{name}"),
                DialNoun::Queue { name, .. } => format!("queue:{name}"),
                DialNoun::Unsupported { name } => format!("unsupported:{name}"),
            })
            .collect();
        self.log(EventKind::Dial { targets });
        if let Some(DialNoun::Conference { name, .. }) = dial.nouns.first() {
            return self.conference(dial, name).await;
        }
        let (parent_from, parent_to) = self.double.with(|inner| {
            inner
                .calls
                .get(&self.sid)
                .map(|c| (c.from.clone(), c.to.clone()))
                .unwrap_or_default()
        });
        let caller_id = dial
            .caller_id
            .clone()
            .unwrap_or_else(|| parent_from.clone());
        let _ = parent_to;
        let mut legs = Vec::new();
        for noun in &dial.nouns {
            match noun {
                DialNoun::Client {
                    identity,
                    parameters,
                    callbacks,
                    ..
                } => {
                    let to = format!("client:{identity}");
                    let sid = self.new_leg(&to, &caller_id, callbacks, Some(identity));
                    self.status(&sid, "initiated", "initiated");
                    let registered = client::ring(
                        &self.double,
                        identity,
                        &sid,
                        Some(&self.sid),
                        &caller_id,
                        &to,
                        parameters,
                    );
                    let mut leg = Leg {
                        sid: sid.clone(),
                        identity: Some(identity.clone()),
                        ringing: registered,
                        outcome: None,
                    };
                    if registered {
                        self.status(&sid, "ringing", "ringing");
                    } else {
                        // Nobody registered under that identity: Twilio gives up on the leg.
                        leg.outcome = Some("no-answer");
                        self.status(&sid, "no-answer", "completed");
                    }
                    legs.push(leg);
                }
                DialNoun::Number {
                    number, callbacks, ..
                } => {
                    let sid = self.new_leg(number, &caller_id, callbacks, None);
                    self.status(&sid, "initiated", "initiated");
                    self.status(&sid, "ringing", "ringing");
                    self.simulate_phone(number, &sid);
                    legs.push(Leg {
                        sid,
                        identity: None,
                        ringing: true,
                        outcome: None,
                    });
                }
                DialNoun::Queue { .. }
                | DialNoun::Unsupported { .. }
                | DialNoun::Conference { .. } => {
                    self.error("only <Client> and <Number> can be dialled together; <Queue>, <Sip> and friends are not simulated");
                }
            }
        }
        let deadline = Instant::now() + scaled(f64::from(dial.timeout), self.scale());
        let outcome = self.ring(&mut legs, deadline).await;
        let winner = match outcome {
            RingOutcome::Answered(index) => index,
            RingOutcome::TimedOut | RingOutcome::AllFailed => {
                for leg in legs.iter_mut().filter(|l| l.ringing) {
                    leg.ringing = false;
                    leg.outcome = Some("no-answer");
                    self.end_leg(leg, "no-answer");
                }
                let status = if legs.iter().any(|l| l.outcome == Some("no-answer")) {
                    "no-answer"
                } else if legs.iter().any(|l| l.outcome == Some("busy")) {
                    "busy"
                } else {
                    "failed"
                };
                self.recording_absent(dial);
                return self.dial_done(dial, status, None, None, None);
            }
            RingOutcome::Interrupted(interrupt) => {
                for leg in legs.iter_mut().filter(|l| l.ringing) {
                    leg.ringing = false;
                    self.end_leg(leg, "canceled");
                }
                self.recording_absent(dial);
                return self
                    .after_interrupt(dial, interrupt, "canceled", None)
                    .await;
            }
        };
        for (index, leg) in legs.iter_mut().enumerate() {
            if index != winner && leg.ringing {
                leg.ringing = false;
                self.end_leg(leg, "canceled");
            }
        }
        let Some(leg) = legs.get(winner).cloned() else {
            return Ok(());
        };
        self.status(&leg.sid, "in-progress", "answered");
        self.ensure_answered();
        let bridged_at = now_unix_ms();
        let recording = dial.records().then(|| {
            let sid = self.start_recording(dial.recording_channels(), "DialVerb", bridged_at);
            self.recording_callback(
                &sid,
                dial.recording_status_callback.as_deref(),
                &dial.recording_status_callback_method,
                &dial.recording_status_callback_events,
                "in-progress",
            );
            sid
        });
        let limit = Instant::now() + scaled(f64::from(dial.time_limit), self.scale());
        let end = self.bridge(&leg.sid, limit).await;
        self.end_leg(&leg, "completed");
        let seconds = elapsed_seconds(bridged_at, now_unix_ms());
        if let Some(sid) = &recording {
            self.finish_recording(
                sid,
                dial.recording_status_callback.as_deref(),
                &dial.recording_status_callback_method,
                &dial.recording_status_callback_events,
                seconds,
            );
        }
        let recording_url = recording.as_deref().map(|sid| self.recording_url(sid));
        match end {
            BridgeEnd::ChildHungUp | BridgeEnd::TimeLimit => self.dial_done(
                dial,
                "completed",
                Some(&leg.sid),
                Some(seconds),
                recording_url,
            ),
            BridgeEnd::Parent(interrupt) => {
                let details = DialDetails {
                    sid: leg.sid.clone(),
                    seconds,
                    recording_url,
                };
                self.after_interrupt(dial, interrupt, "completed", Some(details))
                    .await
            }
        }
    }

    async fn ring(&mut self, legs: &mut [Leg], deadline: Instant) -> RingOutcome {
        loop {
            if !legs.iter().any(|l| l.ringing) {
                return RingOutcome::AllFailed;
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return RingOutcome::TimedOut,
                control = self.receiver.recv() => match control {
                    // The call's own callee (an outbound call's `<Client>`) hanging up ends it.
                    Some(Control::Leg { call_sid, event }) if call_sid == self.sid => {
                        if let Some(interrupt) = self.interrupt(Control::Leg { call_sid, event }) {
                            return RingOutcome::Interrupted(interrupt);
                        }
                    }
                    Some(Control::Leg { call_sid, event }) => {
                        let Some(index) = legs.iter().position(|l| l.sid == call_sid && l.ringing) else {
                            continue;
                        };
                        match event {
                            LegEvent::Answered => return RingOutcome::Answered(index),
                            LegEvent::Rejected | LegEvent::Busy | LegEvent::HungUp => {
                                if let Some(leg) = legs.get_mut(index) {
                                    leg.ringing = false;
                                    leg.outcome = Some("busy");
                                    let leg = leg.clone();
                                    self.end_leg(&leg, "busy");
                                }
                            }
                            LegEvent::Dtmf(_) => {}
                        }
                    }
                    Some(control) => {
                        if let Some(interrupt) = self.interrupt(control) {
                            return RingOutcome::Interrupted(interrupt);
                        }
                    }
                    None => {}
                },
            }
        }
    }

    async fn bridge(&mut self, leg_sid: &str, limit: Instant) -> BridgeEnd {
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(limit) => return BridgeEnd::TimeLimit,
                control = self.receiver.recv() => match control {
                    Some(Control::Leg { call_sid, event }) if call_sid == leg_sid => match event {
                        LegEvent::HungUp | LegEvent::Rejected | LegEvent::Busy => return BridgeEnd::ChildHungUp,
                        LegEvent::Dtmf(digits) => self.log(EventKind::Client {
                            identity: String::new(),
                            message: serde_json::json!({"type": "dtmf", "digits": digits}),
                        }),
                        LegEvent::Answered => {}
                    },
                    None => {}
                    // Other legs' events are ignored; the call's own callee hanging up ends it.
                    Some(control) => {
                        if let Some(interrupt) = self.interrupt(control) {
                            return BridgeEnd::Parent(interrupt);
                        }
                    }
                },
            }
        }
    }

    fn recording_absent(&self, dial: &Dial) {
        if !dial.records()
            || !dial
                .recording_status_callback_events
                .iter()
                .any(|e| e == "absent")
        {
            return;
        }
        let sid = self.start_recording(dial.recording_channels(), "DialVerb", now_unix_ms());
        self.double.with(|inner| {
            if let Some(info) = inner.recordings.get_mut(&sid) {
                info.status = "absent".to_owned();
            }
        });
        self.recording_callback(
            &sid,
            dial.recording_status_callback.as_deref(),
            &dial.recording_status_callback_method,
            &dial.recording_status_callback_events,
            "absent",
        );
    }

    fn dial_params(
        status: &str,
        dial_sid: Option<&str>,
        seconds: Option<u64>,
        recording_url: Option<String>,
    ) -> Vec<(String, String)> {
        let mut extra = vec![
            ("DialCallStatus".to_owned(), status.to_owned()),
            (
                "DialBridged".to_owned(),
                (status == "completed").to_string(),
            ),
        ];
        if let Some(sid) = dial_sid {
            extra.push(("DialCallSid".to_owned(), sid.to_owned()));
        }
        if let Some(seconds) = seconds {
            extra.push(("DialCallDuration".to_owned(), seconds.to_string()));
        }
        if let Some(url) = recording_url {
            extra.push(("RecordingUrl".to_owned(), url));
        }
        extra
    }

    /// A `<Dial>` that ended by itself: the action gets its result and its TwiML continues the
    /// call; without an action the next verb plays.
    fn dial_done(
        &self,
        dial: &Dial,
        status: &str,
        dial_sid: Option<&str>,
        seconds: Option<u64>,
        recording_url: Option<String>,
    ) -> Result<(), Break> {
        self.log(EventKind::DialResult {
            dial_call_status: status.to_owned(),
            dial_call_sid: dial_sid.map(str::to_owned),
            dial_call_duration: seconds,
        });
        let Some(action) = &dial.action else {
            return Ok(());
        };
        let extra = Self::dial_params(status, dial_sid, seconds, recording_url);
        Err(Break::Goto(self.fetch_next(
            "dial_action",
            action,
            &dial.method,
            extra,
        )?))
    }

    /// A `<Dial>` cut short from outside. When the caller is gone the action is still requested
    /// (with the call completed) and its TwiML ignored; a redirect skips the action.
    async fn after_interrupt(
        &mut self,
        dial: &Dial,
        interrupt: Break,
        status: &str,
        details: Option<DialDetails>,
    ) -> Result<(), Break> {
        let (dial_sid, seconds, recording_url) = match details {
            Some(d) => (Some(d.sid), Some(d.seconds), d.recording_url),
            None => (None, None, None),
        };
        self.log(EventKind::DialResult {
            dial_call_status: status.to_owned(),
            dial_call_sid: dial_sid.clone(),
            dial_call_duration: seconds,
        });
        if let (Break::End(end), Some(action)) = (&interrupt, &dial.action) {
            let sid = self.sid.clone();
            self.status_quiet(&sid, end.status());
            let extra = Self::dial_params(status, dial_sid.as_deref(), seconds, recording_url);
            if let Ok(Next::Fetch {
                purpose,
                url,
                method,
                extra,
            }) = self.fetch_next("dial_action", action, &dial.method, extra)
            {
                self.post_ignoring_twiml(purpose, url, method, extra).await;
            }
        }
        Err(interrupt)
    }

    /// Sets a status without its callback (the callback follows in `finish`).
    fn status_quiet(&self, call_sid: &str, status: &str) {
        self.double.with(|inner| inner.set_status(call_sid, status));
    }

    /// Requests a URL whose TwiML Twilio would not play (the call is over or elsewhere).
    async fn post_ignoring_twiml(
        &self,
        purpose: String,
        url: String,
        method: String,
        extra: Vec<(String, String)>,
    ) {
        let mut params = self.double.with(|inner| inner.call_params(&self.sid));
        params.extend(extra);
        let hook = Webhook {
            purpose,
            url,
            method,
            params,
        };
        self.double
            .fetch_twiml(&self.sid, &self.account_sid, &hook)
            .await;
    }

    async fn conference(&mut self, dial: &Dial, name: &str) -> Result<(), Break> {
        self.ensure_answered();
        self.log(EventKind::Verb {
            verb: format!("Conference:{name}"),
        });
        // Conference audio is not simulated: the caller stays until hung up or redirected.
        let limit = scaled(f64::from(dial.time_limit), self.scale());
        match self.wait(limit).await {
            Ok(()) => self.dial_done(dial, "completed", None, None, None),
            Err(interrupt) => {
                self.after_interrupt(dial, interrupt, "completed", None)
                    .await
            }
        }
    }

    fn queue_params(&self, queue: &str) -> Vec<(String, String)> {
        self.double.with(|inner| {
            let Some(state) = inner.queues.get(queue) else {
                return Vec::new();
            };
            let now = now_unix_ms();
            let position = state
                .members
                .iter()
                .position(|m| m.call_sid == self.sid)
                .map_or(0, |p| p + 1);
            let since = state
                .members
                .iter()
                .find(|m| m.call_sid == self.sid)
                .map_or(now, |m| m.since_ms);
            let average = state
                .waited_total_secs
                .checked_div(state.waited_count)
                .unwrap_or(0);
            vec![
                ("QueuePosition".to_owned(), position.to_string()),
                ("QueueSid".to_owned(), state.sid.clone()),
                (
                    "QueueTime".to_owned(),
                    elapsed_seconds(since, now).to_string(),
                ),
                ("AvgQueueTime".to_owned(), average.to_string()),
                (
                    "CurrentQueueSize".to_owned(),
                    state.members.len().to_string(),
                ),
                ("MaxQueueSize".to_owned(), "1000".to_owned()),
            ]
        })
    }

    async fn enqueue(&mut self, enqueue: &Enqueue) -> Result<(), Break> {
        self.ensure_answered();
        let queue = enqueue.queue.clone();
        let since = now_unix_ms();
        self.double.with(|inner| {
            let sid = inner.rng.sid("QU");
            let state = inner.queues.entry(queue.clone()).or_insert(QueueState {
                sid,
                members: Vec::new(),
                waited_total_secs: 0,
                waited_count: 0,
            });
            state.members.push(QueueMember {
                call_sid: self.sid.clone(),
                since_ms: since,
            });
            if let Some(call) = inner.calls.get_mut(&self.sid) {
                call.queue = Some(queue.clone());
            }
        });
        self.log(EventKind::Enqueued {
            queue: queue.clone(),
        });
        let wait_url = enqueue.wait_url.as_deref().and_then(|u| self.resolve(u));
        let exit = self
            .wait_in_queue(&queue, wait_url, &enqueue.wait_url_method)
            .await;
        let (queue_sid, waited) = self.double.with(|inner| {
            let waited = elapsed_seconds(since, now_unix_ms());
            if let Some(call) = inner.calls.get_mut(&self.sid) {
                call.queue = None;
            }
            match inner.queues.get_mut(&queue) {
                Some(state) => {
                    state.members.retain(|m| m.call_sid != self.sid);
                    state.waited_total_secs += waited;
                    state.waited_count += 1;
                    (state.sid.clone(), waited)
                }
                None => (String::new(), waited),
            }
        });
        let result = match &exit {
            QueueExit::Leave => "leave",
            QueueExit::HangupVerb | QueueExit::Interrupted(Break::End(_)) => "hangup",
            QueueExit::Redirected(_) | QueueExit::Interrupted(Break::Goto(_)) => "redirected",
        };
        self.log(EventKind::QueueResult {
            queue: queue.clone(),
            result: result.to_owned(),
        });
        let extra = vec![
            ("QueueResult".to_owned(), result.to_owned()),
            ("QueueSid".to_owned(), queue_sid),
            ("QueueTime".to_owned(), waited.to_string()),
        ];
        let action = enqueue.action.as_deref().and_then(|a| {
            self.fetch_next("enqueue_action", a, &enqueue.method, extra)
                .ok()
        });
        let after: Break = match exit {
            QueueExit::Leave => {
                return match action {
                    Some(next) => Err(Break::Goto(next)),
                    None => Ok(()),
                };
            }
            QueueExit::HangupVerb => Break::End(End::Completed),
            QueueExit::Redirected(next) => Break::Goto(next),
            QueueExit::Interrupted(interrupt) => interrupt,
        };
        if let Break::End(end) = &after {
            let sid = self.sid.clone();
            self.status_quiet(&sid, end.status());
        }
        if let Some(Next::Fetch {
            purpose,
            url,
            method,
            extra,
        }) = action
        {
            self.post_ignoring_twiml(purpose, url, method, extra).await;
        }
        Err(after)
    }

    /// Polls the waitUrl and plays its TwiML until the caller leaves the queue one way or another.
    async fn wait_in_queue(
        &mut self,
        queue: &str,
        wait_url: Option<String>,
        method: &str,
    ) -> QueueExit {
        let minimum = scaled(1.0, self.scale());
        loop {
            let Some(url) = wait_url.clone() else {
                if let Err(interrupt) = self.wait(Duration::from_secs(86_400)).await {
                    return QueueExit::Interrupted(interrupt);
                }
                continue;
            };
            let started = Instant::now();
            let mut params = self.double.with(|inner| inner.call_params(&self.sid));
            params.extend(self.queue_params(queue));
            let hook = Webhook {
                purpose: "wait_url".to_owned(),
                url: url.clone(),
                method: method.to_owned(),
                params,
            };
            let double = Arc::clone(&self.double);
            let (sid, account) = (self.sid.clone(), self.account_sid.clone());
            let reply = match self
                .interruptible(async move { double.fetch_twiml(&sid, &account, &hook).await })
                .await
            {
                Ok(reply) => reply,
                Err(interrupt) => return QueueExit::Interrupted(interrupt),
            };
            let verbs = if reply.is_success() {
                twiml_read::parse(reply.body.as_deref().unwrap_or_default()).unwrap_or_else(|e| {
                    self.error(format!("unreadable waitUrl TwiML: {e}"));
                    Vec::new()
                })
            } else {
                self.error("the waitUrl did not answer with TwiML");
                Vec::new()
            };
            for verb in &verbs {
                if let Err(interrupt) = self.poll_controls() {
                    return QueueExit::Interrupted(interrupt);
                }
                self.log(EventKind::Verb {
                    verb: verb.name().to_owned(),
                });
                match verb {
                    Verb::Say { .. } | Verb::Play { .. } | Verb::Pause { .. } => {
                        if let Err(interrupt) = self.media(verb).await {
                            return QueueExit::Interrupted(interrupt);
                        }
                    }
                    Verb::Leave => return QueueExit::Leave,
                    Verb::Hangup => return QueueExit::HangupVerb,
                    Verb::Redirect { url, method } => {
                        // Unverified: a <Redirect> in waitUrl TwiML is taken to leave the queue.
                        match self.fetch_next("redirect", url, method, Vec::new()) {
                            Ok(next) => return QueueExit::Redirected(next),
                            Err(_) => return QueueExit::HangupVerb,
                        }
                    }
                    other => self.error(format!(
                        "<{}> is not allowed in waitUrl TwiML; skipped",
                        other.name()
                    )),
                }
            }
            // Real hold music takes time; never poll the application in a tight loop.
            let elapsed = started.elapsed();
            if elapsed < minimum
                && let Err(interrupt) = self.wait(minimum.saturating_sub(elapsed)).await
            {
                return QueueExit::Interrupted(interrupt);
            }
        }
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
