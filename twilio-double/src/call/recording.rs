//! A call's recordings: `<Record>`, dual-channel `<Dial record>` files, and their status callbacks.

use super::*;

impl Runner {
    pub(super) async fn record(&mut self, record: &Record) -> Result<(), Break> {
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

    pub(super) fn recording_url(&self, recording_sid: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{recording_sid}",
            self.double.config.public_url(),
            self.account_sid
        )
    }

    pub(super) fn start_recording(&self, channels: u8, source: &str, start_ms: u64) -> String {
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
    pub(super) fn recording_callback(
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

    pub(super) fn finish_recording(
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
}
