//! `<Enqueue>` and the wait in a queue: the waitUrl loop, dequeue, the action's queue parameters.

use super::*;

impl Runner {
    pub(super) fn queue_params(&self, queue: &str) -> Vec<(String, String)> {
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

    pub(super) async fn enqueue(&mut self, enqueue: &Enqueue) -> Result<(), Break> {
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
    pub(super) async fn wait_in_queue(
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
            let mut verbs = verbs;
            let mut next = 0;
            while let Some(verb) = verbs.get(next).cloned() {
                next += 1;
                let verb = &verb;
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
                    // A key pressed during the hold music: the gather's action answers with
                    // more waitUrl TwiML (a `<Leave/>`, or the hold again).
                    Verb::Gather(gather) => match self.gather_in_queue(gather).await {
                        Ok(Some(more)) => {
                            verbs = more;
                            next = 0;
                        }
                        Ok(None) => {}
                        Err(interrupt) => return QueueExit::Interrupted(interrupt),
                    },
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
}

impl Runner {
    /// A `<Gather>` in waitUrl TwiML: its prompts play, then it listens; a key posts to its
    /// action, whose TwiML is returned to play on in the queue (`None`: nothing pressed).
    async fn gather_in_queue(&mut self, gather: &Gather) -> Result<Option<Vec<Verb>>, Break> {
        for child in &gather.children {
            self.media(child).await?;
        }
        let deadline = Instant::now() + scaled(f64::from(gather.timeout), self.scale());
        let key = loop {
            let key = self.next_digit();
            if key.is_some() {
                break key;
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break None,
                control = self.receiver.recv() => {
                    if let Some(control) = control
                        && let Some(interrupt) = self.interrupt(control)
                    {
                        return Err(interrupt);
                    }
                }
            }
        };
        let Some(key) = key else {
            return Ok(None);
        };
        self.log(EventKind::Gathered {
            digits: key.to_string(),
            speech: None,
        });
        let Some(action) = gather.action.as_deref().and_then(|a| self.resolve(a)) else {
            return Ok(None);
        };
        let mut params = self.double.with(|inner| inner.call_params(&self.sid));
        params.push(("Digits".to_owned(), key.to_string()));
        let hook = Webhook {
            purpose: "gather_action".to_owned(),
            url: action,
            method: gather.method.clone(),
            params,
        };
        let double = Arc::clone(&self.double);
        let (sid, account) = (self.sid.clone(), self.account_sid.clone());
        let reply = self
            .interruptible(async move { double.fetch_twiml(&sid, &account, &hook).await })
            .await?;
        Ok(Some(
            twiml_read::parse(reply.body.as_deref().unwrap_or_default()).unwrap_or_default(),
        ))
    }
}
