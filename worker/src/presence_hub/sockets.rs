//! The hub's sockets: a widget's hello and sign-in, a customer's "call us" page, and what a socket's close means.

use super::*;

/// The socket buckets are pruned of closed sockets no sooner than at this many entries.
pub(super) const SOCKET_BUCKETS_PRUNE_MIN: usize = 1024;

impl PresenceHub {
    /// `GET /connect?config=…`: accepts a widget socket. It may do nothing but say hello until it
    /// has signed in with a session of this tenant.
    pub(super) async fn accept_socket(&self, url: &worker::Url) -> Result<Response> {
        let config = url
            .query_pairs()
            .find(|(name, _)| name == "config")
            .and_then(|(_, raw)| serde_json::from_str::<CenterConfig>(&raw).ok())
            .ok_or_else(|| internal("connect without a valid config"))?;
        self.load(Some(config)).await?;
        // Drawn, not counted in storage: a socket that never signs in must cost no storage.
        let conn = sessions::random_connection()?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[&conn_tag(conn)]);
        let now = clock::now().0;
        pair.server.serialize_attachment(SocketTag {
            conn,
            signed_in: false,
            caller: false,
            opened_at: now,
            address: None,
            session: None,
        })?;
        self.expect_hello(now).await?;
        Response::from_websocket(pair.client)
    }

    /// `GET /connect-caller?config=…&address=…`: accepts a customer page's socket. Its first
    /// message must start the call. Who may come in is the center's rule
    /// (`CenterConfig::admit_caller_socket`: web calls on, a free line, a few per address); idle
    /// pages it names are closed first. Refused with nothing created: 404 when web calls are
    /// off, 429 when the address has its share, 503 when every line is busy.
    pub(super) async fn accept_caller_socket(&self, url: &worker::Url) -> Result<Response> {
        let config = url
            .query_pairs()
            .find(|(name, _)| name == "config")
            .and_then(|(_, raw)| serde_json::from_str::<CenterConfig>(&raw).ok())
            .ok_or_else(|| internal("connect without a valid config"))?;
        let address = url
            .query_pairs()
            .find(|(name, _)| name == "address")
            .and_then(|(_, hex)| webcall::address_from_hex(&hex))
            .ok_or_else(|| internal("connect-caller without an address key"))?;
        let now = clock::now();
        let callers = self.state.get_websockets_with_tag(CALLER_TAG);
        let open: Vec<OpenCallerSocket> = callers
            .iter()
            .map(|ws| {
                let tag = ws.deserialize_attachment::<SocketTag>().ok().flatten();
                OpenCallerSocket {
                    opened_at: Timestamp(tag.as_ref().map_or(0, |tag| tag.opened_at)),
                    // Unreadable: counted as a call, never closed.
                    started: tag.as_ref().is_none_or(|tag| tag.signed_in),
                    address: tag.and_then(|tag| tag.address),
                }
            })
            .collect();
        match config.admit_caller_socket(now, &open, address) {
            Ok(admission) => {
                for index in admission.close {
                    if let Some(ws) = callers.get(index) {
                        ws.close(Some(CLOSE_START_OVERDUE), Some("call not started in time"))?;
                    }
                }
            }
            Err(refusal) => {
                log::warn(
                    "webcall.refused",
                    &[
                        ("reason", refusal.to_string().into()),
                        ("open", open.len().into()),
                    ],
                );
                let status = match refusal {
                    CallerRefusal::WebCallsOff => 404,
                    CallerRefusal::TooManyFromAddress => 429,
                    CallerRefusal::Busy => 503,
                };
                return Response::error(refusal.to_string(), status);
            }
        }
        self.load(Some(config)).await?;
        let conn = self.next_connection().await?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[&conn_tag(conn), CALLER_TAG]);
        pair.server.serialize_attachment(SocketTag {
            conn,
            signed_in: false,
            caller: true,
            opened_at: now.0,
            address: Some(address),
            session: None,
        })?;
        Response::from_websocket(pair.client)
    }

    /// A message from a customer socket: `start` first, then signalling and hang-up for the
    /// center; `ping` is answered here.
    pub(super) async fn caller_message(
        &self,
        ws: &WebSocket,
        tag: &mut SocketTag,
        text: &str,
        now: Timestamp,
    ) -> Result<()> {
        let Ok(message) = serde_json::from_str::<CallerMessage>(text) else {
            if let Some(version) = hello_version(text).filter(|v| *v != PROTOCOL_VERSION) {
                return incompatible_caller(ws, version);
            }
            return send_caller(ws, &caller_rejected("unrecognised message"));
        };
        let conn = ConnectionId(tag.conn);
        let result = match message {
            CallerMessage::Ping => return send_caller(ws, &CallerEvent::Pong),
            CallerMessage::Start {
                protocol,
                name,
                number,
            } if !tag.signed_in => {
                if protocol != PROTOCOL_VERSION {
                    return incompatible_caller(ws, protocol);
                }
                let start = WebCallStart {
                    name,
                    number,
                    random: random_bytes()?,
                };
                let started = self.with_center(|center| {
                    center.handle_input(now, Input::WebCallStarted { conn, start })
                });
                match started {
                    Some(Ok(Reply::WebCall(conversation))) => {
                        tag.signed_in = true;
                        ws.serialize_attachment(&*tag)?;
                        let tenant = self.with_center(|center| center.config().tenant.clone());
                        log::info(
                            "webcall.started",
                            &[
                                ("tenant", tenant.as_ref().map_or("", |t| t.as_str()).into()),
                                ("conversation", conversation.as_str().into()),
                                ("conn", tag.conn.into()),
                            ],
                        );
                        Ok(())
                    }
                    Some(Err(CenterError::WebCallsOff)) => {
                        // Turned off since the socket opened: nothing changed in the center.
                        return end_caller(
                            ws,
                            &CallerEvent::Ended {
                                reason: CallEndReason::Unavailable,
                            },
                        );
                    }
                    Some(Err(CenterError::WebCallsBusy)) => {
                        // Nothing changed in the center; the page hears why and is closed.
                        return end_caller(
                            ws,
                            &CallerEvent::Ended {
                                reason: CallEndReason::Busy,
                            },
                        );
                    }
                    Some(Err(err)) => Err(err),
                    Some(Ok(_)) | None => Ok(()),
                }
            }
            message if tag.signed_in => self
                .with_center(|center| {
                    center
                        .handle_input(now, Input::CallerMessage { conn, message })
                        .map(|_| ())
                })
                .unwrap_or(Ok(())),
            _ => return send_caller(ws, &caller_rejected("start the call first")),
        };
        if let Err(err) = result {
            send_caller(ws, &caller_rejected(&err.to_string()))?;
        }
        self.settle().await
    }

    pub(super) async fn next_connection(&self) -> Result<u64> {
        let storage = self.state.storage();
        let next = storage.get::<u64>(NEXT_CONN_KEY).await?.unwrap_or(1);
        storage.put(NEXT_CONN_KEY, next + 1).await?;
        Ok(next)
    }

    /// The first message of a socket: protocol check, then the session.
    pub(super) async fn hello(
        &self,
        ws: &WebSocket,
        tag: &mut SocketTag,
        text: &str,
        now: Timestamp,
    ) -> Result<()> {
        if let Some(version) = hello_version(text).filter(|v| *v != PROTOCOL_VERSION) {
            send(
                ws,
                &ServerMessage::IncompatibleProtocol {
                    server: PROTOCOL_VERSION,
                    client: version,
                },
            )?;
            return ws.close(Some(CLOSE_INCOMPATIBLE), Some("incompatible protocol"));
        }
        let Ok(ClientMessage::Hello { session, .. }) = serde_json::from_str::<ClientMessage>(text)
        else {
            return refuse(ws, "say hello with a session token first");
        };
        let session = match auth::verify_token(&session, &self.env) {
            Ok(session) => session,
            Err(AppError::Auth(err)) => return refuse(ws, &err.to_string()),
            Err(err) => return Err(internal(err)),
        };
        // The socket is the agent's phone: every message after hello handles calls.
        if auth::permit(&session, Permission::HandleCalls).is_err() {
            return refuse(
                ws,
                "this socket is the agent's phone: the session needs the agent role",
            );
        }
        let own_tenant = self.with_center(|center| center.config().tenant.clone());
        if own_tenant.as_ref() != Some(&session.tenant) {
            log::warn(
                "socket.refused",
                &[
                    ("reason", "session of another tenant".into()),
                    ("session_tenant", session.tenant.as_str().into()),
                ],
            );
            return refuse(ws, "this session belongs to another tenant");
        }
        self.load_ledger().await?;
        if !self.session_is_valid(&session.id, clock::now_unix()) {
            return refuse(ws, "this session was signed out or revoked; sign in again");
        }
        // The directory, not the embed token, says what the agent can do. Without D1 the center
        // keeps the skills it knew (`None`). Read, like the ledger, before the socket counts as
        // signed in.
        let skills = match store::agent_skills_json(
            &self.env,
            &session.tenant,
            session.agent.as_str(),
        )
        .await
        {
            Ok(row) => Some(row.map(|json| skill_levels(&json)).unwrap_or_default()),
            Err(err) => {
                log::warn(
                    "socket.skills_unread",
                    &[
                        ("tenant", session.tenant.as_str().into()),
                        ("detail", err.to_string().into()),
                    ],
                );
                None
            }
        };
        tag.signed_in = true;
        tag.session = Some(session.id.clone());
        ws.serialize_attachment(&*tag)?;
        let reach = self
            .with_center(|center| center.config().supervisor_reach)
            .unwrap_or_default();
        let card = AgentCard {
            id: session.agent.clone(),
            name: session.name.clone(),
            teams: session.team.iter().cloned().collect(),
            skills,
            roster: RosterScope::of(&session, reach),
        };
        let conn = ConnectionId(tag.conn);
        if let Some(Err(err)) = self
            .with_center(|center| center.handle_input(now, Input::AgentConnected { conn, card }))
        {
            return refuse(ws, &err.to_string());
        }
        log::info(
            "socket.signed_in",
            &[
                ("tenant", session.tenant.as_str().into()),
                ("agent", session.agent.as_str().into()),
                ("conn", tag.conn.into()),
            ],
        );
        self.settle().await
    }

    /// Takes one message from the socket's bucket: `false` when the socket is over its rate.
    pub(super) fn socket_may_send(&self, conn: u64) -> bool {
        let mut buckets = self.socket_buckets.borrow_mut();
        // A socket the hub closed itself may never get to `socket_gone` (the runtime reports a
        // close only once the client answers it): whenever the map has doubled since it last
        // held only open sockets, the others' entries go.
        if buckets.len() >= self.socket_buckets_prune_at.get() {
            let open: std::collections::HashSet<u64> = self
                .state
                .get_websockets()
                .iter()
                .filter_map(|ws| ws.deserialize_attachment::<SocketTag>().ok().flatten())
                .map(|tag| tag.conn)
                .collect();
            buckets.retain(|conn, _| open.contains(conn));
            self.socket_buckets_prune_at
                .set((buckets.len() * 2).max(SOCKET_BUCKETS_PRUNE_MIN));
        }
        buckets
            .entry(conn)
            .or_default()
            .take(SOCKET_RATE_LIMIT, clock::now_ms())
    }

    pub(super) async fn socket_gone(&self, ws: &WebSocket) -> Result<()> {
        let Some(tag) = ws.deserialize_attachment::<SocketTag>()? else {
            return Ok(());
        };
        self.socket_buckets.borrow_mut().remove(&tag.conn);
        if !tag.signed_in || !self.load(None).await? {
            return Ok(());
        }
        let now = clock::now();
        let conn = ConnectionId(tag.conn);
        // Unknown connection: already handled (close and error can both arrive, and a finished
        // web call's socket is no longer the center's).
        let _ = self.with_center(|center| {
            let input = if tag.caller {
                Input::CallerDisconnected { conn }
            } else {
                Input::AgentDisconnected { conn }
            };
            center.handle_input(now, input)
        });
        self.settle().await
    }
}
