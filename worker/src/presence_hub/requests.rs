//! The hub's requests from the stateless handlers: call events, routing dry runs, directory skills, the storage report.

use super::*;

impl PresenceHub {
    /// `POST /call`: a call event from a stateless handler; answers the call's plan.
    pub(super) async fn call(&self, mut req: Request) -> Result<Response> {
        let request: HubRequest = req.json().await?;
        let mut config = request.config;
        if request.incoming.is_some() {
            // A hub's first call fills its directory copy (and brings the tenant's settings).
            let refreshed = self.directory_before_call(&request.tenant).await;
            config = config.or(refreshed);
        }
        if !self.load(config).await? && !self.load_from_d1(&request.tenant).await? {
            // A hub that never ran, asked while D1 (and so the tenant's settings) is out of reach.
            return Response::error("the tenant's settings are not available yet", 503);
        }
        self.remember_origin(&request.origin).await?;
        // Written with this request's state change (see `settle`).
        self.webhook_log.borrow_mut().extend(request.log);
        let now = clock::now();
        let call = match &request.incoming {
            Some(incoming) => {
                // Parsed once for the CRM lookup and the copy (was once each).
                let number = crate::voice::e164_of_caller(&incoming.from);
                let crm = self
                    .crm_caller(&request.tenant, incoming, number.as_deref())
                    .await;
                Some(CallInput::CallArrived {
                    arrival: self.arrival_from_copy(&request.tenant, incoming, number, crm),
                })
            }
            None => request.call,
        };
        let reply = match call {
            Some(call) => self.with_center(|center| center.handle_input(now, Input::Call(call))),
            None => None,
        };
        let (plan, refused) = match reply {
            Some(Ok(Reply::Plan(plan))) => (Some(plan), None),
            // A stale agent leg (an older ring) is refused too; Twilio is not told.
            Some(Err(err)) => (None, Some(Refusal::of(&err))),
            Some(Ok(_)) | None => (None, None),
        };
        self.settle().await?;
        Response::from_json(&HubReply { plan, refused })
    }

    /// `POST /dry-run`: what a call would do, decided on a copy of the center (`Center::dry_run`):
    /// no output, no storage write, no alarm.
    pub(super) async fn dry_run(&self, mut req: Request) -> Result<Response> {
        let request: DryRunRequest = req.json().await?;
        if !self.load(request.config).await? {
            return Response::error("the tenant's settings are not available yet", 503);
        }
        let at = request.at.unwrap_or_else(clock::now);
        match self.with_center(|center| {
            center.dry_run_with_keys(
                at,
                request.arrival,
                request.preview,
                request.menu_keys.as_deref(),
            )
        }) {
            Some(result) => Response::from_json(&result),
            None => Response::error("the tenant's center is not loaded", 503),
        }
    }

    /// `POST /agent-skills`: the directory changed an agent's skills (the admin API wrote them).
    pub(super) async fn agent_skills(&self, mut req: Request) -> Result<Response> {
        let request: AgentSkillsRequest = req.json().await?;
        if !self.load(None).await? {
            return Response::from_json(&AgentSkillsReply { applied: false });
        }
        let now = clock::now();
        let input = Input::AgentSkills {
            agent: request.agent,
            skills: request.skills,
        };
        let applied = matches!(
            self.with_center(|center| center.handle_input(now, input)),
            Some(Ok(_))
        );
        self.settle().await?;
        Response::from_json(&AgentSkillsReply { applied })
    }

    /// `GET /storage-report`: the entries set aside (quarantined) and the call-log writes given up
    /// on (dead letters), at most [`REPORT_MAX`] of each, values cut to a preview.
    pub(super) async fn storage_report(&self) -> Result<Response> {
        let storage = self.state.storage();
        let mut report = serde_json::Map::new();
        for (name, prefix) in [
            ("quarantined", QUARANTINE_PREFIX),
            ("dead_letters", log_outbox::DEAD_LETTER_PREFIX),
        ] {
            let map = storage
                .list_with_options(ListOptions::new().prefix(prefix).limit(REPORT_MAX))
                .await?;
            let mut items = Vec::new();
            map.for_each(&mut |value, key| {
                if let (Some(key), Some(value)) = (key.as_string(), value.as_string()) {
                    let mut item = serde_json::from_str::<serde_json::Value>(&value)
                        .unwrap_or(serde_json::Value::Null);
                    if let Some(fields) = item.as_object_mut() {
                        // The stored value itself can be large; a preview says what it was.
                        for field in ["value", "write"] {
                            if let Some(full) = fields.remove(field) {
                                let text = match full {
                                    serde_json::Value::String(text) => text,
                                    other => other.to_string(),
                                };
                                fields.insert(
                                    format!("{field}_preview"),
                                    text.chars().take(200).collect::<String>().into(),
                                );
                            }
                        }
                    }
                    items.push(serde_json::json!({
                        "key": &key[prefix.len()..],
                        "entry": item,
                    }));
                }
            });
            report.insert(name.into(), items.into());
        }
        // How much the tenant's hub holds, in keys: what an admin watches grow, and how a test
        // sees that a socket which never signed in wrote nothing.
        let stored_keys = storage.list().await?.size();
        report.insert("stored_keys".into(), stored_keys.into());
        // The directory copy (its own SQLite tables, not keys): what calls are routed by.
        report.insert(
            "directory".into(),
            serde_json::to_value(self.directory_size()).unwrap_or_default(),
        );
        Response::from_json(&report)
    }
}
