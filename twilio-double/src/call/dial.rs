//! `<Dial>`: legs to clients and numbers, the ring, the bridge, the action and its parameters, conferences.

use super::*;

impl Runner {
    /// Starts a simulated outside phone: it answers, hangs up or is busy as configured.
    pub(super) fn simulate_phone(&self, number: &str, leg_sid: &str) {
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
    pub(super) fn new_leg(
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

    pub(super) fn end_leg(&self, leg: &Leg, status: &str) {
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

    pub(super) async fn dial(&mut self, dial: &Dial) -> Result<(), Break> {
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

    pub(super) async fn ring(&mut self, legs: &mut [Leg], deadline: Instant) -> RingOutcome {
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

    pub(super) async fn bridge(&mut self, leg_sid: &str, limit: Instant) -> BridgeEnd {
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

    pub(super) fn recording_absent(&self, dial: &Dial) {
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

    pub(super) fn dial_params(
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
    pub(super) fn dial_done(
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
    pub(super) async fn after_interrupt(
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
    pub(super) fn status_quiet(&self, call_sid: &str, status: &str) {
        self.double.with(|inner| inner.set_status(call_sid, status));
    }

    /// Requests a URL whose TwiML Twilio would not play (the call is over or elsewhere).
    pub(super) async fn post_ignoring_twiml(
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

    pub(super) async fn conference(&mut self, dial: &Dial, name: &str) -> Result<(), Break> {
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
}
