//! Property tests: random inputs never panic, keep every invariant, and survive a snapshot.

use proptest::prelude::*;
use tsunagu_core::{Millis, Timestamp};
use tsunagu_interaction::ExternalNumber;
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{
    AwayReason, CallEndReason, CallerEvent, CallerMessage, ClientMessage, RequestedStatus, Signal,
    TransferTo,
};

use super::{T0, agent, arrival, card, config, interaction, invariants, sid};
use crate::{
    AgentLegStatus, BusinessCalendar, CallPlan, Center, CenterConfig, ClockTime, DialOutcome, Line,
    MenuAnswer, OpeningHours, Output, QueueResult, WebCallStart, Weekday,
};

const AGENTS: u8 = 4;
const CONNS: u8 = 6;
const CALLS: u8 = 5;
/// Customer sockets are numbered from here; the lowest overlap the agents' sockets.
const FIRST_CALLER: u8 = 4;
const CALLERS: u8 = 5;

#[derive(Debug, Clone)]
pub(super) enum Op {
    Connect {
        conn: u8,
        agent: u8,
    },
    Disconnect {
        conn: u8,
    },
    SetStatus {
        conn: u8,
        status: u8,
    },
    /// Acknowledges the offer ringing at the socket's agent, or a made-up one.
    Ack {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    Decline {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    EndWrapUp {
        conn: u8,
    },
    /// The socket's agent places an outbound call (the worker created it as `call`).
    PlaceCall {
        conn: u8,
        call: u8,
    },
    /// The socket's agent puts a call on hold or takes it back.
    Hold {
        conn: u8,
        call: u8,
        held: bool,
    },
    /// The socket's agent transfers a call (to an agent, a team, a number, or a bad number).
    Transfer {
        conn: u8,
        call: u8,
        target: u8,
    },
    Ping {
        conn: u8,
    },
    Hello {
        conn: u8,
    },
    Arrive {
        call: u8,
        owner: Option<u8>,
        team: Option<u8>,
        legacy: bool,
    },
    /// A dial result for the call's current attempt, or for another one.
    Dial {
        call: u8,
        attempt: Option<u8>,
        outcome: u8,
    },
    /// A leg callback of the agent the call rings (or talks to), or of another agent.
    Leg {
        call: u8,
        other_agent: Option<u8>,
        status: u8,
    },
    Ended {
        call: u8,
    },
    Wait {
        call: u8,
    },
    Left {
        call: u8,
        result: u8,
    },
    Redirected {
        call: u8,
    },
    /// The IVR hook of a call: an answer (keys 1, 2, 9, 5, speech 「請求」, none) to the menu's
    /// question `node` (0: the real one, 1: one never asked) at `retry`.
    MenuAnswer {
        call: u8,
        node: u8,
        retry: u8,
        answer: u8,
    },
    /// A customer socket places a web call; `seed` makes its id (the same seed twice collides).
    WebCall {
        caller: u8,
        seed: u8,
        named: bool,
    },
    /// The customer page sends signalling (`large`: over the size limit).
    CallerSignal {
        caller: u8,
        large: bool,
    },
    CallerHangUp {
        caller: u8,
    },
    /// The customer socket closes.
    CallerGone {
        caller: u8,
    },
    /// The socket's agent accepts the web call ringing them, or a made-up one.
    Accept {
        conn: u8,
        made_up: Option<(u8, u8)>,
    },
    /// The socket's agent sends signalling for the web call they are on (or another one).
    AgentSignal {
        conn: u8,
        seed: Option<u8>,
    },
    /// The socket's agent hangs up the call they are on (or another one).
    AgentHangUp {
        conn: u8,
        seed: Option<u8>,
    },
    /// The socket's page says it is going away (the socket counts as closed).
    Leaving {
        conn: u8,
    },
    /// The socket's widget takes back the call its agent is on (or another web call).
    Rejoin {
        conn: u8,
        seed: Option<u8>,
    },
    /// Time passes; a punctual alarm fires at every deadline, a late one once at the end.
    Advance {
        ms: u32,
        punctual: bool,
    },
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let conn = 0..CONNS;
    let call = 0..CALLS;
    let made_up = proptest::option::weighted(0.3, (0..CALLS, 0..4u8));
    let caller = FIRST_CALLER..FIRST_CALLER + CALLERS;
    let seed = proptest::option::weighted(0.2, 0..CALLS);
    prop_oneof![
        4 => (caller.clone(), 0..CALLS, any::<bool>())
            .prop_map(|(caller, seed, named)| Op::WebCall { caller, seed, named }),
        3 => (caller.clone(), proptest::bool::weighted(0.1))
            .prop_map(|(caller, large)| Op::CallerSignal { caller, large }),
        1 => caller.clone().prop_map(|caller| Op::CallerHangUp { caller }),
        1 => caller.prop_map(|caller| Op::CallerGone { caller }),
        6 => (conn.clone(), made_up.clone()).prop_map(|(conn, made_up)| Op::Accept { conn, made_up }),
        3 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentSignal { conn, seed }),
        1 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentHangUp { conn, seed }),
        1 => conn.clone().prop_map(|conn| Op::Leaving { conn }),
        3 => (conn.clone(), seed).prop_map(|(conn, seed)| Op::Rejoin { conn, seed }),
        4 => (conn.clone(), 0..AGENTS).prop_map(|(conn, agent)| Op::Connect { conn, agent }),
        2 => conn.clone().prop_map(|conn| Op::Disconnect { conn }),
        3 => (conn.clone(), 0..5u8).prop_map(|(conn, status)| Op::SetStatus { conn, status }),
        4 => (conn.clone(), made_up.clone()).prop_map(|(conn, made_up)| Op::Ack { conn, made_up }),
        1 => (conn.clone(), made_up).prop_map(|(conn, made_up)| Op::Decline { conn, made_up }),
        1 => conn.clone().prop_map(|conn| Op::EndWrapUp { conn }),
        1 => (conn.clone(), call.clone()).prop_map(|(conn, call)| Op::PlaceCall { conn, call }),
        2 => (conn.clone(), call.clone(), any::<bool>())
            .prop_map(|(conn, call, held)| Op::Hold { conn, call, held }),
        2 => (conn.clone(), call.clone(), 0..AGENTS + 4)
            .prop_map(|(conn, call, target)| Op::Transfer { conn, call, target }),
        1 => conn.clone().prop_map(|conn| Op::Ping { conn }),
        1 => conn.prop_map(|conn| Op::Hello { conn }),
        5 => (
            call.clone(),
            proptest::option::of(0..AGENTS + 1),
            proptest::option::of(0..2u8),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(call, owner, team, legacy)| Op::Arrive { call, owner, team, legacy }),
        3 => (call.clone(), proptest::option::weighted(0.3, 0..5u8), 0..7u8)
            .prop_map(|(call, attempt, outcome)| Op::Dial { call, attempt, outcome }),
        4 => (call.clone(), proptest::option::weighted(0.2, 0..AGENTS), 0..3u8)
            .prop_map(|(call, other_agent, status)| Op::Leg { call, other_agent, status }),
        2 => call.clone().prop_map(|call| Op::Ended { call }),
        2 => call.clone().prop_map(|call| Op::Wait { call }),
        1 => (call.clone(), 0..5u8).prop_map(|(call, result)| Op::Left { call, result }),
        2 => call.clone().prop_map(|call| Op::Redirected { call }),
        4 => (call, 0..2u8, 0..3u8, 0..6u8)
            .prop_map(|(call, node, retry, answer)| Op::MenuAnswer { call, node, retry, answer }),
        4 => (0..40_000u32, any::<bool>()).prop_map(|(ms, punctual)| Op::Advance { ms, punctual }),
    ]
}

/// What may happen around a connected web call of agent 0: their sockets (0 to 2) drop, come
/// back (sometimes as another agent's), leave, take the call back, signal and hang up, and the
/// customer signals, while time passes.
fn blip_op() -> impl Strategy<Value = Op> {
    let conn = 0..3u8;
    let seed = proptest::option::weighted(0.2, 0..2u8);
    prop_oneof![
        3 => conn.clone().prop_map(|conn| Op::Disconnect { conn }),
        3 => (conn.clone(), prop::sample::select(vec![0u8, 0, 0, 1]))
            .prop_map(|(conn, agent)| Op::Connect { conn, agent }),
        1 => conn.clone().prop_map(|conn| Op::Leaving { conn }),
        4 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::Rejoin { conn, seed }),
        2 => (conn.clone(), seed.clone()).prop_map(|(conn, seed)| Op::AgentSignal { conn, seed }),
        1 => (conn, seed).prop_map(|(conn, seed)| Op::AgentHangUp { conn, seed }),
        2 => Just(Op::CallerSignal { caller: FIRST_CALLER + 1, large: false }),
        2 => (0..20_000u32, any::<bool>()).prop_map(|(ms, punctual)| Op::Advance { ms, punctual }),
    ]
}

pub(super) fn center_config() -> impl Strategy<Value = CenterConfig> {
    (
        any::<bool>(),
        1..120u64,
        any::<bool>(),
        any::<bool>(),
        0..500u64,
    )
        .prop_map(|(fallback, max_wait, wrap_up, hours, broadcast)| {
            let mut config = config();
            if fallback {
                config.fallback_numbers =
                    vec![ExternalNumber::new("+81355550000").unwrap_or_else(|e| panic!("{e}"))];
            }
            config.max_wait = Millis::from_secs(max_wait);
            if !wrap_up {
                config.presence.wrap_up = Millis(0);
            }
            if hours {
                // Open Monday 10:00 to 10:02 in Japan: T0 and the two minutes after it.
                config.hours = BusinessCalendar {
                    weekly: Some(vec![OpeningHours {
                        day: Weekday::Mon,
                        open: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
                        close: ClockTime::new(10, 2).unwrap_or_else(|e| panic!("{e}")),
                    }]),
                    ..Default::default()
                };
            }
            config.broadcast_interval = Millis(broadcast);
            config
        })
}

fn agent_name(n: u8) -> String {
    format!("a{n}")
}

fn call_name(n: u8) -> String {
    format!("CA{n}")
}

/// The id of the web call made with `seed` (`WC` + the random bytes in hex).
fn web_call_name(seed: u8) -> String {
    format!("WC{}", format!("{seed:02x}").repeat(16))
}

fn candidate() -> Signal {
    Signal::Candidate {
        candidate: "candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    }
}

/// One run: the center, the virtual clock, and everything it said.
pub(super) struct Run {
    pub(super) center: Center,
    pub(super) now: Timestamp,
    pub(super) transcript: Vec<String>,
    /// Customer sockets that must hear nothing more: closed, or told their call ended.
    pub(super) silent_callers: std::collections::BTreeSet<u64>,
    /// The offers the routing audit has explained, as (contact, agent): every offer must be.
    pub(super) explained_offers: std::collections::BTreeSet<(String, String)>,
}

impl Run {
    pub(super) fn new(config: CenterConfig) -> Self {
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

    pub(super) fn apply(&mut self, op: &Op) {
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
                    arrival.menu = Some(super::ivr::seed_menu());
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

    fn restore_from_json(&mut self) {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_inputs_never_panic_and_keep_every_invariant(
        config in center_config(),
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let mut run = Run::new(config);
        for op in &ops {
            run.apply(op);
        }
    }

    #[test]
    fn a_center_restored_from_json_behaves_exactly_as_before(
        config in center_config(),
        ops in prop::collection::vec(op(), 1..100),
        split in any::<prop::sample::Index>(),
    ) {
        let split = split.index(ops.len() + 1);
        let (before, after) = ops.split_at(split);
        let mut original = Run::new(config);
        for op in before {
            original.apply(op);
        }
        let mut restored = Run {
            center: original.center.clone(),
            now: original.now,
            transcript: Vec::new(),
            silent_callers: original.silent_callers.clone(),
            explained_offers: original.explained_offers.clone(),
        };
        restored.restore_from_json();
        original.transcript.clear();
        for op in after {
            original.apply(op);
            restored.apply(op);
        }
        prop_assert_eq!(&restored.transcript, &original.transcript);
        let snapshot = |run: &Run| serde_json::to_string(&run.center.snapshot()).unwrap_or_default();
        prop_assert_eq!(snapshot(&restored), snapshot(&original));
    }

    #[test]
    fn a_web_call_through_socket_blips_is_never_bound_to_a_closed_socket(
        ops in prop::collection::vec(blip_op(), 1..60),
        restore_at in any::<prop::sample::Index>(),
    ) {
        let mut run = Run::new(config());
        run.apply(&Op::Connect { conn: 0, agent: 0 });
        run.apply(&Op::WebCall { caller: FIRST_CALLER + 1, seed: 0, named: false });
        run.apply(&Op::Accept { conn: 0, made_up: None });
        let call = interaction(&web_call_name(0));
        let connected = matches!(
            run.center.calls.get(&call).map(|call| &call.place),
            Some(crate::state::Place::Connected { .. })
        );
        prop_assert!(connected, "the web call is connected before the blips");
        let restore_at = restore_at.index(ops.len());
        for (i, op) in ops.iter().enumerate() {
            if i == restore_at {
                run.restore_from_json();
            }
            // `drain` checks every invariant after each input: a connected web call is bound
            // to an open socket of its agent, or waits (with a deadline) for one.
            run.apply(op);
        }
    }

    #[test]
    fn call_sids_are_interaction_ids(raw in "[A-Za-z0-9_-]{1,64}") {
        let call_sid = sid(&raw);
        let id = crate::calls::interaction_of(&call_sid);
        prop_assert_eq!(id.as_str(), raw.as_str());
    }
}
