//! One property run: the center on a virtual clock, each [`Op`] applied as the shell would, and
//! every output checked as it is drained (invariants, plans, the routing audit, skills, sockets
//! that must stay silent); a restore through JSON on demand.

use super::*;

/// One run: the center, the virtual clock, and everything it said.
pub(crate) struct Run {
    pub(crate) center: Center,
    pub(crate) now: Timestamp,
    pub(crate) transcript: Vec<String>,
    /// Customer sockets that must hear nothing more: closed, or told their call ended.
    pub(crate) silent_callers: std::collections::BTreeSet<u64>,
    /// The offers the routing audit has explained, as (contact, agent): every offer must be.
    pub(crate) explained_offers: std::collections::BTreeSet<(String, String)>,
}

impl Run {
    pub(crate) fn new(config: CenterConfig) -> Self {
        Self {
            center: Center::new(config).unwrap_or_else(|e| panic!("config: {e}")),
            now: T0,
            transcript: Vec::new(),
            silent_callers: std::collections::BTreeSet::new(),
            explained_offers: std::collections::BTreeSet::new(),
        }
    }

    /// The web call the agent of `conn` is connected to, if any.
    fn current_call(&self, conn: u8) -> Option<tsunagu_core::InteractionId> {
        let agent = self.conn_agent(conn)?;
        match self.center.agents.get(&agent)?.presence.status() {
            tsunagu_presence::Status::OnCall { interaction } => Some(interaction),
            _ => None,
        }
    }

    fn chosen_call(&self, conn: u8, seed: Option<u8>) -> Option<tsunagu_core::InteractionId> {
        match seed {
            Some(seed) => Some(interaction(&web_call_name(seed))),
            None => self.current_call(conn),
        }
    }

    fn conn_agent(&self, conn: u8) -> Option<tsunagu_core::AgentId> {
        self.center
            .connections
            .get(&ConnectionId(u64::from(conn)))
            .cloned()
    }

    /// The offer ringing at the agent of `conn`, if any.
    fn current_offer(&self, conn: u8) -> Option<tsunagu_protocol::OfferId> {
        let agent = self.conn_agent(conn)?;
        match self.center.agents.get(&agent)?.presence.status() {
            tsunagu_presence::Status::Reserved { offer } => Some(tsunagu_protocol::OfferId {
                interaction: offer.interaction,
                attempt: offer.attempt,
            }),
            _ => None,
        }
    }

    pub(crate) fn apply(&mut self, op: &Op) {
        let now = self.now;
        let said = match op {
            Op::Connect { conn, agent } => {
                let teams: &[&str] = if *agent % 2 == 0 { &["t0"] } else { &["t1"] };
                let mut card = card(&agent_name(*agent), teams);
                card.skills = Some(billing_of(*agent).map(billing).unwrap_or_default());
                let result = self
                    .center
                    .agent_connected(now, ConnectionId(u64::from(*conn)), card);
                format!("{result:?}")
            }
            Op::Disconnect { conn } => format!(
                "{:?}",
                self.center
                    .agent_disconnected(now, ConnectionId(u64::from(*conn)))
            ),
            Op::SetStatus { conn, status } => {
                let status = match status {
                    0 => RequestedStatus::Available,
                    1 => RequestedStatus::Away {
                        reason: AwayReason::Break,
                    },
                    2 => RequestedStatus::Offline,
                    3 => RequestedStatus::Away {
                        reason: AwayReason::NoAnswer,
                    },
                    _ => RequestedStatus::Available,
                };
                self.message(*conn, ClientMessage::SetStatus { status })
            }
            Op::Ack { conn, made_up } | Op::Decline { conn, made_up } => {
                let offer = match made_up {
                    Some((call, attempt)) => Some(tsunagu_protocol::OfferId {
                        interaction: interaction(&call_name(*call)),
                        attempt: u32::from(*attempt),
                    }),
                    None => self.current_offer(*conn),
                };
                match offer {
                    None => String::new(),
                    Some(offer) if matches!(op, Op::Ack { .. }) => {
                        self.message(*conn, ClientMessage::AckOffer { offer })
                    }
                    Some(offer) => self.message(*conn, ClientMessage::DeclineOffer { offer }),
                }
            }
            Op::EndWrapUp { conn } => self.message(
                *conn,
                ClientMessage::EndWrapUp {
                    disposition: Some("resolved".into()),
                    notes: None,
                },
            ),
            Op::PlaceCall { conn, call } => match self.conn_agent(*conn) {
                None => String::new(),
                Some(agent) => {
                    let placed = crate::OutboundCall {
                        call_sid: sid(&call_name(*call)),
                        agent,
                        to: ExternalNumber::new("+81312345678").unwrap_or_else(|e| panic!("{e}")),
                        customer: None,
                    };
                    format!("{:?}", self.center.outbound_placed(now, placed))
                }
            },
            Op::Hold { conn, call, held } => self.message(
                *conn,
                ClientMessage::Hold {
                    conversation: interaction(&call_name(*call)),
                    held: *held,
                },
            ),
            Op::Transfer { conn, call, target } => {
                let to = match target.checked_sub(AGENTS) {
                    None => TransferTo::Agent {
                        agent: agent(&agent_name(*target)),
                    },
                    Some(team @ 0..=1) => TransferTo::Team {
                        team: crate::tests::team(&format!("t{team}")),
                    },
                    Some(2) => TransferTo::Number {
                        number: "03-1234-5678".into(),
                    },
                    Some(_) => TransferTo::Number {
                        number: "not a number".into(),
                    },
                };
                self.message(
                    *conn,
                    ClientMessage::Transfer {
                        conversation: interaction(&call_name(*call)),
                        to,
                    },
                )
            }
            Op::Ping { conn } => self.message(*conn, ClientMessage::Ping),
            Op::Hello { conn } => self.message(
                *conn,
                ClientMessage::Hello {
                    protocol: 2,
                    session: String::new(),
                },
            ),
            Op::Arrive {
                call,
                owner,
                team,
                legacy,
            } => {
                let owner = owner.map(agent_name);
                let team = team.map(|t| format!("t{t}"));
                let mut arrival = arrival(&call_name(*call), owner.as_deref(), team.as_deref());
                if *legacy {
                    arrival.line = Line::Legacy {
                        new_number: "0120-000-000".into(),
                    };
                }
                arrival.requirements = requirements_of(*call);
                // Some calls come in on the IVR line (the seed's menu, 請求は1、予約は2).
                if *call % 4 == 3 {
                    arrival.menu = Some(crate::tests::ivr::seed_menu());
                }
                // Some on a line whose calls wait in queue q0 (when the tenant has it).
                if *call % 2 == 0 {
                    arrival.queue = crate::QueueId::new("q0");
                }
                let plan = self.center.call_arrived(now, arrival);
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::Dial {
                call,
                attempt,
                outcome,
            } => {
                let id = interaction(&call_name(*call));
                let attempt =
                    attempt
                        .map(u32::from)
                        .unwrap_or_else(|| match self.center.call_plan(&id) {
                            Some(CallPlan::Ring { attempt, .. }) => attempt,
                            _ => 1,
                        });
                // Half the results come after the caller hung up (`CallStatus=completed`).
                let caller_left = (*outcome / 7) % 2 == 1;
                let outcome = [
                    DialOutcome::Completed,
                    DialOutcome::Answered,
                    DialOutcome::NoAnswer,
                    DialOutcome::Busy,
                    DialOutcome::Failed,
                    DialOutcome::Canceled,
                    DialOutcome::Other,
                ][usize::from(*outcome) % 7];
                let plan = self
                    .center
                    .dial_finished(now, &id, attempt, outcome, caller_left);
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::Leg {
                call,
                other_agent,
                status,
            } => {
                let id = interaction(&call_name(*call));
                let who = match (other_agent, self.center.call_plan(&id)) {
                    (None, Some(CallPlan::Ring { agent, .. })) => agent,
                    (Some(n), _) => agent(&agent_name(*n)),
                    (None, _) => agent(&agent_name(0)),
                };
                let status = [
                    AgentLegStatus::Ringing,
                    AgentLegStatus::Answered,
                    AgentLegStatus::Ended,
                ][usize::from(*status) % 3];
                let leg = sid(&format!("{}-{who}", call_name(*call)));
                format!("{:?}", self.center.agent_leg(now, &id, &who, status, leg))
            }
            Op::Ended { call } => {
                self.center.call_ended(now, &sid(&call_name(*call)));
                String::new()
            }
            Op::Wait { call } => {
                let plan = self.center.queue_wait(now, &interaction(&call_name(*call)));
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::PressKey { call, key } => {
                let digits = ["9", "1", ""][usize::from(*key)];
                let plan = self.center.handle_input(
                    now,
                    crate::Input::Call(crate::CallInput::QueueKeyPressed {
                        interaction: interaction(&call_name(*call)),
                        digits: digits.into(),
                    }),
                );
                format!("{plan:?}")
            }
            Op::Left { call, result } => {
                let result = [
                    QueueResult::Leave,
                    QueueResult::Redirected,
                    QueueResult::Hangup,
                    QueueResult::Bridged,
                    QueueResult::Error,
                ][usize::from(*result) % 5];
                let plan = self
                    .center
                    .queue_left(now, &interaction(&call_name(*call)), result);
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::MenuAnswer {
                call,
                node,
                retry,
                answer,
            } => {
                let answer = match answer {
                    0 => MenuAnswer::Digits { digits: "1".into() },
                    1 => MenuAnswer::Digits { digits: "2".into() },
                    2 => MenuAnswer::Digits { digits: "9".into() },
                    3 => MenuAnswer::Digits { digits: "5".into() },
                    4 => MenuAnswer::Speech {
                        text: "請求".into(),
                        confidence_percent: Some(80),
                    },
                    _ => MenuAnswer::NoInput,
                };
                let prompt = tsunagu_ivr::PromptId {
                    node: tsunagu_ivr::NodeId::new(if *node == 0 { "root" } else { "booking" }),
                    visit: 0,
                    retry: *retry,
                };
                let plan =
                    self.center
                        .menu_answered(now, &interaction(&call_name(*call)), prompt, answer);
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::Redirected { call } => {
                let plan = self
                    .center
                    .call_redirected(now, &interaction(&call_name(*call)));
                check_plan(&plan);
                format!("{plan:?}")
            }
            Op::WebCall {
                caller,
                seed,
                named,
            } => {
                let start = WebCallStart {
                    name: named.then(|| "山田 太郎".to_owned()),
                    number: named.then(|| "03-5555-0101".to_owned()),
                    random: [*seed; 16],
                };
                let result =
                    self.center
                        .web_call_started(now, ConnectionId(u64::from(*caller)), start);
                if result.is_ok() {
                    self.silent_callers.remove(&u64::from(*caller));
                }
                format!("{result:?}")
            }
            Op::CallerSignal { caller, large } => {
                let signal = if *large {
                    Signal::Offer {
                        sdp: "a".repeat(tsunagu_protocol::SDP_MAX_BYTES + 1),
                    }
                } else {
                    candidate()
                };
                self.caller_message(*caller, CallerMessage::Signal { signal })
            }
            Op::CallerHangUp { caller } => self.caller_message(*caller, CallerMessage::HangUp),
            Op::CallerGone { caller } => {
                let conn = ConnectionId(u64::from(*caller));
                let result = self.center.caller_disconnected(now, conn);
                // The socket is gone whether or not the center knew it.
                self.silent_callers.insert(conn.0);
                format!("{result:?}")
            }
            Op::Accept { conn, made_up } => {
                let offer = match made_up {
                    Some((seed, attempt)) => Some(tsunagu_protocol::OfferId {
                        interaction: interaction(&web_call_name(*seed)),
                        attempt: u32::from(*attempt),
                    }),
                    None => self.current_offer(*conn),
                };
                match offer {
                    None => String::new(),
                    Some(offer) => self.message(*conn, ClientMessage::AcceptOffer { offer }),
                }
            }
            Op::AgentSignal { conn, seed } => match self.chosen_call(*conn, *seed) {
                None => String::new(),
                Some(conversation) => self.message(
                    *conn,
                    ClientMessage::Signal {
                        conversation,
                        signal: candidate(),
                    },
                ),
            },
            Op::AgentHangUp { conn, seed } => match self.chosen_call(*conn, *seed) {
                None => String::new(),
                Some(conversation) => self.message(*conn, ClientMessage::HangUp { conversation }),
            },
            Op::Leaving { conn } => self.message(*conn, ClientMessage::Leaving),
            Op::Rejoin { conn, seed } => match self.chosen_call(*conn, *seed) {
                None => String::new(),
                Some(conversation) => self.message(*conn, ClientMessage::Rejoin { conversation }),
            },
            Op::Advance { ms, punctual } => {
                let target = Timestamp(self.now.0 + u64::from(*ms));
                if *punctual {
                    while let Some(due) = self.center.poll_timeout().filter(|due| *due <= target) {
                        self.center.handle_timeout(due);
                        self.drain();
                    }
                }
                self.center.handle_timeout(target);
                self.now = target;
                String::new()
            }
        };
        self.transcript.push(format!("{op:?} -> {said}"));
        self.drain();
    }

    fn caller_message(&mut self, caller: u8, message: CallerMessage) -> String {
        format!(
            "{:?}",
            self.center
                .caller_message(self.now, ConnectionId(u64::from(caller)), message)
        )
    }

    fn message(&mut self, conn: u8, message: ClientMessage) -> String {
        format!(
            "{:?}",
            self.center
                .client_message(self.now, ConnectionId(u64::from(conn)), message)
        )
    }

    fn drain(&mut self) {
        while let Some(output) = self.center.poll_output() {
            if let Output::Send { conn, .. } = &output {
                assert!(
                    self.center.connections.contains_key(conn),
                    "sent to closed socket {conn}: {output:?}"
                );
            }
            if let Output::ToCaller { conn, message } = &output {
                assert!(
                    !self.silent_callers.contains(&conn.0),
                    "sent to a closed or finished customer socket {conn}: {output:?}"
                );
                assert!(
                    !self.center.connections.contains_key(conn),
                    "sent a customer event to a widget socket {conn}: {output:?}"
                );
                if matches!(message, CallerEvent::Ended { .. }) {
                    self.silent_callers.insert(conn.0);
                }
                if matches!(
                    message,
                    CallerEvent::Ended {
                        reason: CallEndReason::Other
                    }
                ) {
                    panic!("a web call ended without a reason: {output:?}");
                }
            }
            if let Output::Record(event) = &output {
                self.check_audit(event);
            }
            self.transcript
                .push(serde_json::to_string(&output).unwrap_or_default());
        }
        if let Err(broken) = invariants::check(&self.center) {
            panic!("invariant broken: {broken}\n{}", self.transcript.join("\n"));
        }
    }

    /// The routing audit explains every offer routing makes: an `Offered` record comes after a
    /// `Routed` one that concluded with that offer.
    fn check_audit(&mut self, event: &tsunagu_stitch::CallEvent) {
        use tsunagu_routing::explain::Conclusion;
        use tsunagu_stitch::{CallEventKind, ContactRef};
        match &event.kind {
            CallEventKind::Routed(routed) => {
                if let Conclusion::Offer { contact, agent, .. } = &routed.explanation.conclusion {
                    assert_eq!(
                        routed.contact,
                        ContactRef::Interaction(contact.clone()),
                        "a decision filed under another contact: {routed:?}"
                    );
                    self.explained_offers
                        .insert((contact.to_string(), agent.to_string()));
                }
            }
            CallEventKind::Offered(offered) => {
                if let ContactRef::Interaction(contact) = &offered.contact {
                    self.check_skills(contact, &offered.agent, offered.at);
                    assert!(
                        self.explained_offers
                            .contains(&(contact.to_string(), offered.agent.to_string())),
                        "an offer the routing audit does not explain: {offered:?}\n{}",
                        self.transcript.join("\n")
                    );
                }
            }
            _ => {}
        }
    }

    /// Before its skills relax, a call is offered only to an agent with every skill it needs at
    /// its level (a transferred call needs none: the agent chose where it goes).
    fn check_skills(
        &self,
        contact: &tsunagu_core::InteractionId,
        offered_to: &tsunagu_core::AgentId,
        at: Timestamp,
    ) {
        let Some(call) = self.center.calls.get(contact) else {
            return;
        };
        let needed = call.requirements.skills.values().copied().max();
        let relaxed = call.relax_skills_at().is_none_or(|relax_at| at >= relax_at);
        let Some(needed) = needed.filter(|_| call.transfer.is_none() && !relaxed) else {
            return;
        };
        let n: u8 = offered_to
            .as_str()
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(u8::MAX);
        assert!(
            billing_of(n).is_some_and(|level| level >= needed),
            "{contact} needing billing {needed} offered to {offered_to} at {at:?} before its skills relax\n{}",
            self.transcript.join("\n")
        );
    }

    pub(crate) fn restore_from_json(&mut self) {
        let json = serde_json::to_string(&self.center.snapshot()).expect("snapshot serializes");
        let snapshot = serde_json::from_str(&json).expect("snapshot deserializes");
        self.center = Center::restore(snapshot).unwrap_or_else(|e| panic!("restore: {e}"));
        let again = serde_json::to_string(&self.center.snapshot()).expect("snapshot serializes");
        assert_eq!(again, json, "a restored center snapshots differently");
    }
}

/// Agent n's billing level: agents 1 and 2 have it at that level, the others lack it.
fn billing_of(agent: u8) -> Option<u8> {
    matches!(agent, 1 | 2).then_some(agent)
}

fn billing(level: u8) -> std::collections::BTreeMap<tsunagu_routing::Skill, u8> {
    let skill = tsunagu_routing::Skill::new("billing").unwrap_or_else(|e| panic!("{e}"));
    std::collections::BTreeMap::from([(skill, level)])
}

/// Call n's line: none; billing 1 relaxed after 30 s; billing 2 with priority 3, never relaxed.
fn requirements_of(call: u8) -> crate::CallRequirements {
    match call % 3 {
        1 => crate::CallRequirements {
            skills: billing(1),
            priority: 0,
            relax_after: Some(Millis::from_secs(30)),
        },
        2 => crate::CallRequirements {
            skills: billing(2),
            priority: 3,
            relax_after: None,
        },
        _ => crate::CallRequirements::default(),
    }
}

/// Plans are well formed: a ring names an attempt, a fallback has numbers.
fn check_plan(plan: &CallPlan) {
    match plan {
        CallPlan::Ring { attempt, .. } => assert!(*attempt >= 1),
        CallPlan::Fallback { numbers, .. } => assert!(!numbers.is_empty()),
        CallPlan::Enqueue { position, .. } | CallPlan::Hold { position, .. } => {
            assert!(*position >= 1);
        }
        _ => {}
    }
}
