//! Test harness: a simulated tenant on virtual time, printing every input, plan and output.
//!
//! `Sim` drives one `Center` the way the Durable Object will: each method is one input at the
//! current virtual time; `at(t)` moves time forward, firing the alarm at every `poll_timeout` on
//! the way (as a punctual alarm would). Everything is written to a transcript that the scenario
//! tests compare with `expect!` snapshots, and the invariants are checked after every step.

mod audit;
mod directory;
mod entries;
mod fanout;
mod hold;
mod hours;
mod invariants;
mod ivr;
mod outbound;
mod props;
mod push;
mod recover;
mod scenarios;
mod skills;
mod transfers;
mod watchdog;
mod webcall_limits;
mod webcalls;

use std::fmt::Write as _;

use tsunagu_auth::RosterScope;
use tsunagu_core::{AgentId, CallSid, CustomerId, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{
    AwayReason, CallerMessage, ClientMessage, CustomerCard, Localized, OfferId, PresenceStatus,
    RecentContact, RequestedStatus, ServerMessage,
};
use tsunagu_stitch::{CallEvent, CallEventKind, ContactRef};

use crate::{
    AgentCard, AgentLegStatus, CallArrival, CallInput, CallPlan, CallRequirements, Center,
    CenterConfig, DialOutcome, Input, Line, Output, QueueResult, Reply, WebCallStart,
};

/// Monday 2024-04-01, 10:00 in Japan (01:00 UTC).
pub(crate) const T0: Timestamp = Timestamp(1_711_933_200_000);

pub(crate) fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).unwrap_or_else(|e| panic!("agent id {raw:?}: {e}"))
}

pub(crate) fn team(raw: &str) -> TeamId {
    TeamId::new(raw).unwrap_or_else(|e| panic!("team id {raw:?}: {e}"))
}

pub(crate) fn sid(raw: &str) -> CallSid {
    CallSid::new(raw).unwrap_or_else(|e| panic!("call sid {raw:?}: {e}"))
}

pub(crate) fn interaction(raw: &str) -> InteractionId {
    InteractionId::new(raw).unwrap_or_else(|e| panic!("interaction id {raw:?}: {e}"))
}

/// The demo tenant's defaults, with web calls turned on (they are off by default).
pub(crate) fn config() -> CenterConfig {
    let mut config = CenterConfig::new(
        tsunagu_core::TenantId::new("demo").unwrap_or_else(|e| panic!("{e}")),
        Localized {
            ja: "デモ株式会社".into(),
            en: "Demo Corp.".into(),
        },
    );
    config.web_calls_enabled = true;
    config
}

pub(crate) fn card(id: &str, teams: &[&str]) -> AgentCard {
    AgentCard {
        id: agent(id),
        name: format!("{id}-san"),
        teams: teams.iter().map(|t| team(t)).collect(),
        skills: None,
        roster: RosterScope::Tenant,
    }
}

/// An agent who hears only their own teams' presence (an embed token with a team).
pub(crate) fn team_card(id: &str, teams: &[&str]) -> AgentCard {
    AgentCard {
        roster: RosterScope::Teams {
            teams: teams.iter().map(|t| team(t)).collect(),
        },
        ..card(id, teams)
    }
}

/// A caller whose CRM record is owned by `owner` (of `team`), or an unknown number.
pub(crate) fn arrival(call: &str, owner: Option<&str>, team_of_owner: Option<&str>) -> CallArrival {
    let customer = owner.map(|owner| CustomerCard {
        id: CustomerId::new(format!("cust-{call}")).unwrap_or_else(|e| panic!("{e}")),
        name: "山田商事".into(),
        owner: Some(agent(owner)),
        team: team_of_owner.map(team),
    });
    CallArrival {
        call_sid: sid(call),
        customer_number: Some("+81312345678".into()),
        customer,
        customer_attributes: Default::default(),
        recent: vec![RecentContact {
            at: Timestamp(T0.0 - 86_400_000),
            channel: tsunagu_core::Channel::Voice,
            agent: owner.map(agent),
            summary: Some("見積もり".into()),
        }],
        line: Line::Main,
        requirements: CallRequirements::default(),
        queue: None,
        menu: None,
        called: None,
    }
}

pub(crate) fn offer(call: &str, attempt: u32) -> OfferId {
    OfferId {
        interaction: interaction(call),
        attempt,
    }
}

/// A center on virtual time, with a transcript.
pub(crate) struct Sim {
    pub(crate) center: Center,
    pub(crate) now: Timestamp,
    pub(crate) log: String,
    /// Print presence intervals too (off by default: they double every status change).
    pub(crate) intervals: bool,
    /// Print the routing audit's records too (off by default: one per routing decision).
    pub(crate) routing: bool,
    /// Every call-log event recorded, for the stitcher.
    pub(crate) records: Vec<CallEvent>,
}

impl Sim {
    pub(crate) fn new() -> Self {
        Self::with(config())
    }

    pub(crate) fn with(config: CenterConfig) -> Self {
        Self {
            center: Center::new(config).unwrap_or_else(|e| panic!("config: {e}")),
            now: T0,
            log: String::new(),
            intervals: false,
            routing: false,
            records: Vec::new(),
        }
    }

    fn line(&mut self, text: &str) {
        let t = since(self.now);
        let _ = writeln!(self.log, "t={t} {text}");
    }

    /// Moves virtual time to `T0 + secs`, firing every alarm due on the way at its time.
    pub(crate) fn at(&mut self, secs: f64) {
        let target = Timestamp(T0.0 + (secs * 1000.0).round() as u64);
        while let Some(due) = self.center.poll_timeout().filter(|due| *due <= target) {
            self.now = self.now.max(due);
            self.done(due, Input::Timeout);
            if self.has_output() {
                self.line("alarm");
                self.drain();
            } else {
                self.check();
            }
        }
        self.now = self.now.max(target);
    }

    /// Moves virtual time to `T0 + secs` without firing any alarm (a late or lost alarm).
    pub(crate) fn skip_to(&mut self, secs: f64) {
        self.now = self
            .now
            .max(Timestamp(T0.0 + (secs * 1000.0).round() as u64));
    }

    /// One input through the center's one contract, at the current time.
    fn input(&mut self, input: Input) -> Result<(), crate::CenterError> {
        self.center.handle_input(self.now, input).map(|_| ())
    }

    /// An input whose answer does not matter (an alarm).
    fn done(&mut self, now: Timestamp, input: Input) {
        if let Err(e) = self.center.handle_input(now, input) {
            panic!("{e}");
        }
    }

    /// A call input that answers Twilio with a plan.
    fn call_plan(&mut self, input: CallInput) -> CallPlan {
        match self.center.handle_input(self.now, Input::Call(input)) {
            Ok(Reply::Plan(plan)) => plan,
            other => panic!("a plan was expected, not {other:?}"),
        }
    }

    fn has_output(&self) -> bool {
        !self.center.outputs.is_empty()
    }

    pub(crate) fn connect(&mut self, conn: u64, who: &str, teams: &[&str]) {
        self.line(&format!("connect c{conn} {who} {teams:?}"));
        let result = self.input(Input::AgentConnected {
            conn: ConnectionId(conn),
            card: card(who, teams),
        });
        self.result(result);
    }

    /// A socket of an agent who hears only their teams' presence, or (`card`) any card.
    pub(crate) fn connect_card(&mut self, conn: u64, card: AgentCard) {
        self.line(&format!(
            "connect c{conn} {} {:?} hears {:?}",
            card.id, card.teams, card.roster
        ));
        let result = self.input(Input::AgentConnected {
            conn: ConnectionId(conn),
            card,
        });
        self.result(result);
    }

    pub(crate) fn disconnect(&mut self, conn: u64) {
        self.line(&format!("disconnect c{conn}"));
        let result = self.input(Input::AgentDisconnected {
            conn: ConnectionId(conn),
        });
        self.result(result);
    }

    pub(crate) fn send(&mut self, conn: u64, message: ClientMessage) {
        self.line(&format!("c{conn} says {}", message.to_json()));
        let result = self.input(Input::ClientMessage {
            conn: ConnectionId(conn),
            message,
        });
        self.result(result);
    }

    pub(crate) fn ack(&mut self, conn: u64, call: &str, attempt: u32) {
        self.send(
            conn,
            ClientMessage::AckOffer {
                offer: offer(call, attempt),
            },
        );
    }

    pub(crate) fn set_away(&mut self, conn: u64, reason: AwayReason) {
        self.send(
            conn,
            ClientMessage::SetStatus {
                status: RequestedStatus::Away { reason },
            },
        );
    }

    pub(crate) fn set_available(&mut self, conn: u64) {
        self.send(
            conn,
            ClientMessage::SetStatus {
                status: RequestedStatus::Available,
            },
        );
    }

    pub(crate) fn call(&mut self, call: &str, owner: Option<&str>, team: Option<&str>) {
        self.line(&format!("call {call} owner={owner:?} team={team:?}"));
        let plan = self.call_plan(CallInput::CallArrived {
            arrival: arrival(call, owner, team),
        });
        self.plan(&plan);
    }

    pub(crate) fn arrive(&mut self, arrival: CallArrival) {
        self.line(&format!("call {} on {:?}", arrival.call_sid, arrival.line));
        let plan = self.call_plan(CallInput::CallArrived { arrival });
        self.plan(&plan);
    }

    /// The worker created outbound call `call` for `who` to `to` (E.164).
    pub(crate) fn place(&mut self, call: &str, who: &str, to: &str) {
        self.line(&format!("{who} places {call} to {to}"));
        let placed = crate::OutboundCall {
            call_sid: sid(call),
            agent: agent(who),
            to: tsunagu_interaction::ExternalNumber::new(to).unwrap_or_else(|e| panic!("{e}")),
            customer: None,
        };
        let result = self.input(Input::Call(CallInput::OutboundPlaced { outbound: placed }));
        self.result(result);
    }

    pub(crate) fn dial(&mut self, call: &str, attempt: u32, outcome: DialOutcome) {
        self.line(&format!("dial result {call}#{attempt} {outcome:?}"));
        let plan = self.call_plan(CallInput::DialFinished {
            interaction: interaction(call),
            attempt,
            outcome,
            caller_left: false,
        });
        self.plan(&plan);
    }

    /// A dial action sent because the caller hung up during the ring (`CallStatus=completed`).
    pub(crate) fn dial_after_hang_up(&mut self, call: &str, attempt: u32, outcome: DialOutcome) {
        self.line(&format!(
            "dial result {call}#{attempt} {outcome:?} (caller gone)"
        ));
        let plan = self.call_plan(CallInput::DialFinished {
            interaction: interaction(call),
            attempt,
            outcome,
            caller_left: true,
        });
        self.plan(&plan);
    }

    pub(crate) fn leg(&mut self, call: &str, who: &str, status: AgentLegStatus) {
        self.line(&format!("leg {call} {who} {status:?}"));
        let result = self.input(Input::Call(CallInput::AgentLeg {
            interaction: interaction(call),
            agent: agent(who),
            status,
            call_sid: sid(&format!("{call}-{who}")),
        }));
        self.result(result);
    }

    pub(crate) fn hang_up(&mut self, call: &str) {
        self.line(&format!("caller of {call} hangs up"));
        let result = self.input(Input::Call(CallInput::CallEnded {
            call_sid: sid(call),
        }));
        self.result(result);
    }

    pub(crate) fn wait(&mut self, call: &str) {
        self.line(&format!("queue poll {call}"));
        let plan = self.call_plan(CallInput::QueueWait {
            interaction: interaction(call),
        });
        self.plan(&plan);
    }

    /// The caller presses `digits` during the hold music (its `<Gather>` action).
    pub(crate) fn press(&mut self, call: &str, digits: &str) {
        self.line(&format!("caller of {call} presses {digits}"));
        let plan = self.call_plan(CallInput::QueueKeyPressed {
            interaction: interaction(call),
            digits: digits.into(),
        });
        self.plan(&plan);
    }

    pub(crate) fn left(&mut self, call: &str, result: QueueResult) {
        self.line(&format!("queue left {call} {result:?}"));
        let plan = self.call_plan(CallInput::QueueLeft {
            interaction: interaction(call),
            result,
        });
        self.plan(&plan);
    }

    pub(crate) fn redirected(&mut self, call: &str) {
        self.line(&format!("redirected {call}"));
        let plan = self.call_plan(CallInput::CallRedirected {
            interaction: interaction(call),
        });
        self.plan(&plan);
    }

    /// The customer socket `conn` places a web call; the random bytes are all `seed`, so the call
    /// is `WC` + `seed` in hex, 16 times.
    pub(crate) fn web_call(
        &mut self,
        conn: u64,
        name: Option<&str>,
        number: Option<&str>,
        seed: u8,
    ) {
        self.line(&format!(
            "customer c{conn} calls from the web as {name:?} {number:?}"
        ));
        let result = self.center.handle_input(
            self.now,
            Input::WebCallStarted {
                conn: ConnectionId(conn),
                start: WebCallStart {
                    name: name.map(str::to_owned),
                    number: number.map(str::to_owned),
                    random: [seed; 16],
                },
            },
        );
        if let Ok(Reply::WebCall(id)) = &result {
            let _ = writeln!(self.log, "  = {id}");
        }
        self.result(result.map(|_| ()));
    }

    pub(crate) fn caller_says(&mut self, conn: u64, message: CallerMessage) {
        self.line(&format!("customer c{conn} says {}", message.to_json()));
        let result = self.input(Input::CallerMessage {
            conn: ConnectionId(conn),
            message,
        });
        self.result(result);
    }

    pub(crate) fn caller_gone(&mut self, conn: u64) {
        self.line(&format!("customer c{conn} closes the page"));
        let result = self.input(Input::CallerDisconnected {
            conn: ConnectionId(conn),
        });
        self.result(result);
    }

    /// Stores the center as JSON and continues with the center read back from it.
    pub(crate) fn restore(&mut self) {
        let json = serde_json::to_string(&self.center.snapshot()).expect("snapshot serializes");
        let snapshot = serde_json::from_str(&json).expect("snapshot deserializes");
        self.center = Center::restore(snapshot).unwrap_or_else(|e| panic!("restore: {e}"));
        self.line("(restored from JSON)");
        self.check();
    }

    fn result(&mut self, result: Result<(), crate::CenterError>) {
        if let Err(e) = result {
            let _ = writeln!(self.log, "  ! {e}");
        }
        self.drain();
    }

    fn plan(&mut self, plan: &CallPlan) {
        let _ = writeln!(self.log, "  → {}", describe_plan(plan));
        self.drain();
    }

    fn drain(&mut self) {
        while let Some(output) = self.center.poll_output() {
            if let Output::Record(event) = &output {
                self.records.push(event.clone());
            }
            if matches!(output, Output::PresenceInterval { .. }) && !self.intervals {
                continue;
            }
            if matches!(&output, Output::Record(e) if matches!(e.kind, CallEventKind::Routed(_)))
                && !self.routing
            {
                continue;
            }
            let open: Vec<ConnectionId> = self.center.connections.keys().copied().collect();
            let _ = writeln!(self.log, "  {}", describe_output(&output, &open));
        }
        self.check();
    }

    fn check(&self) {
        if let Err(broken) = invariants::check(&self.center) {
            panic!("invariant broken: {broken}\n{}", self.log);
        }
    }

    /// The transcript so far, cleared.
    pub(crate) fn take(&mut self) -> String {
        std::mem::take(&mut self.log)
    }
}

pub(crate) fn since(at: Timestamp) -> Millis {
    at.saturating_since(T0)
}

/// `Say "…" then ` for each sentence said before a plan.
fn said(texts: &[String]) -> String {
    texts
        .iter()
        .map(|text| format!("Say {text:?} then "))
        .collect()
}

pub(crate) fn describe_plan(plan: &CallPlan) -> String {
    match plan {
        CallPlan::Ring {
            agent,
            attempt,
            timeout,
            say_first,
            ..
        } => format!("{}Ring {agent} #{attempt} for {timeout}", said(say_first)),
        CallPlan::Enqueue {
            position,
            say_first,
            ..
        } => format!("{}Enqueue at {position}", said(say_first)),
        CallPlan::Hold {
            position,
            waited,
            announce_position,
            music,
            callback_digit,
            ..
        } => format!(
            "Hold at {position}{}, waited {waited}{}{}",
            if *announce_position {
                ""
            } else {
                " (not said)"
            },
            music
                .as_ref()
                .map(|url| format!(", music {url}"))
                .unwrap_or_default(),
            callback_digit
                .map(|key| format!(", callback key {key}"))
                .unwrap_or_default(),
        ),
        CallPlan::CallbackBooked { number, .. } => format!("CallbackBooked {number}"),
        CallPlan::LeaveQueue { .. } => "LeaveQueue".into(),
        CallPlan::Fallback {
            numbers, reason, ..
        } => {
            let numbers: Vec<&str> = numbers.iter().map(|n| n.as_str()).collect();
            format!("Fallback {reason:?} to {}", numbers.join(", "))
        }
        CallPlan::HoldForAgent { agent, .. } => format!("HoldForAgent {agent}"),
        CallPlan::OnHold { .. } => "OnHold".into(),
        CallPlan::DialOut { number, .. } => format!("DialOut to {}", number.as_str()),
        CallPlan::TransferOut { number, .. } => format!("TransferOut to {}", number.as_str()),
        CallPlan::Closed { .. } => "Closed".into(),
        CallPlan::AnnounceNewNumber { new_number } => format!("AnnounceNewNumber {new_number}"),
        CallPlan::Ask { prompt, .. } => format!(
            "Ask {}#{}.{} {:?}{}",
            prompt.id.node.as_str(),
            prompt.id.visit,
            prompt.id.retry,
            prompt.question,
            prompt
                .say_first
                .iter()
                .map(|say| format!(" after {say:?}"))
                .collect::<String>()
        ),
        CallPlan::MenuEnd { outcome, .. } => format!("MenuEnd {:?}", outcome.end),
        CallPlan::Hangup { .. } => "Hangup".into(),
    }
}

pub(crate) fn describe_status(status: &PresenceStatus) -> String {
    match status {
        PresenceStatus::Away { reason } => {
            format!(
                "away({})",
                serde_json::to_value(reason)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or("?")
            )
        }
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_owned)))
            .unwrap_or_default(),
    }
}

fn describe_message(message: &ServerMessage) -> String {
    let roster = |agents: &[tsunagu_protocol::AgentPresence]| {
        agents
            .iter()
            .map(|a| {
                format!(
                    "{} {} since {}",
                    a.agent,
                    describe_status(&a.status),
                    since(a.since)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match message {
        ServerMessage::Welcome {
            agent,
            status,
            roster: agents,
            ..
        } => format!(
            "welcome {agent} ({}); roster: {}",
            describe_status(status),
            roster(agents)
        ),
        ServerMessage::Roster { agents, full } => format!(
            "{}roster: {}",
            if *full { "full " } else { "" },
            roster(agents)
        ),
        ServerMessage::Offer {
            offer,
            screen_pop,
            ring_timeout_ms,
            ack_timeout_ms,
            channel: tsunagu_core::Channel::WebCall,
            ..
        } => format!(
            "web offer {}#{} (ring {}, ack {}) from {} {}",
            offer.interaction,
            offer.attempt,
            Millis(*ring_timeout_ms),
            Millis(*ack_timeout_ms),
            screen_pop.caller_number.as_deref().unwrap_or("?"),
            screen_pop.caller_name.as_deref().unwrap_or("(no name)"),
        ),
        ServerMessage::Offer {
            offer,
            screen_pop,
            ring_timeout_ms,
            ack_timeout_ms,
            ..
        } => {
            let needs: String = screen_pop
                .skills
                .iter()
                .map(|needed| format!(" needs {} {}+", needed.skill, needed.level))
                .chain(
                    screen_pop
                        .ivr_path
                        .iter()
                        .map(|path| format!(" ivr [{}]", path.join(" → "))),
                )
                .collect();
            format!(
                "offer {}#{} (ring {}, ack {}) from {} {}{needs}",
                offer.interaction,
                offer.attempt,
                Millis(*ring_timeout_ms),
                Millis(*ack_timeout_ms),
                screen_pop.caller_number.as_deref().unwrap_or("?"),
                screen_pop
                    .customer
                    .as_ref()
                    .map_or("(no record)".to_owned(), |c| format!("{} {}", c.id, c.name)),
            )
        }
        ServerMessage::OfferWithdrawn { offer, reason } => format!(
            "offer {}#{} withdrawn: {reason:?}",
            offer.interaction, offer.attempt
        ),
        ServerMessage::Status { status, since: at } => {
            format!("status {} since {}", describe_status(status), since(*at))
        }
        other => other.to_json(),
    }
}

fn contact(contact: &ContactRef) -> String {
    match contact {
        ContactRef::Interaction(id) => id.to_string(),
        ContactRef::Call(sid) => format!("call {sid}"),
    }
}

fn describe_record(event: &CallEvent) -> String {
    match &event.kind {
        CallEventKind::ConversationStarted(e) => format!(
            "started {} customer={}",
            e.interaction,
            e.customer.as_ref().map_or("-".into(), ToString::to_string)
        ),
        CallEventKind::Offered(e) => format!(
            "offered {} to {} ({:?}{})",
            contact(&e.contact),
            e.agent,
            e.step,
            e.team.as_ref().map_or(String::new(), |t| format!(" {t}"))
        ),
        CallEventKind::AgentResponded(e) => {
            format!("{} {:?} {}", e.agent, e.response, contact(&e.contact))
        }
        CallEventKind::Queued(e) => format!("queued {}", contact(&e.contact)),
        CallEventKind::Dequeued(e) => format!("dequeued {}", contact(&e.contact)),
        CallEventKind::WrapUpEnded(e) => {
            let mut line = format!("wrap-up of {} ended by {}", contact(&e.contact), e.agent);
            if let Some(disposition) = &e.disposition {
                line.push_str(&format!(" disposition={disposition:?}"));
            }
            if let Some(notes) = &e.notes {
                line.push_str(&format!(" notes={notes:?}"));
            }
            line
        }
        CallEventKind::Transferred(e) => format!(
            "transferred {} by {} to {:?}",
            contact(&e.contact),
            e.from_agent
                .as_ref()
                .map_or("-".into(), ToString::to_string),
            e.to
        ),
        CallEventKind::Ended(e) => format!("ended {}", contact(&e.contact)),
        CallEventKind::MenuPassed(e) => format!(
            "menu passed {} [{}]",
            contact(&e.contact),
            e.path.join(" → ")
        ),
        CallEventKind::Routed(e) => format!(
            "routed {} — {}",
            contact(&e.contact),
            e.explanation.ja(540).replace('\n', "\n      ")
        ),
        other => format!("{other:?}"),
    }
}

/// `open`: the widget sockets open now; a multicast to all of them prints as `all`.
pub(crate) fn describe_output(output: &Output, open: &[ConnectionId]) -> String {
    match output {
        Output::Send { conn, message } => format!("c{conn} ← {}", describe_message(message)),
        Output::Multicast { conns, message } if conns == open => {
            format!("all ← {}", describe_message(message))
        }
        Output::Multicast { conns, message } => format!(
            "{} ← {}",
            conns
                .iter()
                .map(|c| format!("c{c}"))
                .collect::<Vec<_>>()
                .join(","),
            describe_message(message)
        ),
        Output::ToCaller { conn, message } => format!("customer c{conn} ← {}", message.to_json()),
        Output::RedirectCall { interaction, .. } => format!("redirect {interaction}"),
        Output::Record(event) => format!("record {}", describe_record(event)),
        Output::PresenceInterval { agent, interval } => format!(
            "interval {agent} {} {}..{}",
            interval.status_kind,
            since(interval.start),
            since(interval.end)
        ),
        Output::CallWatchdog { interaction } => format!("watchdog gave up on {interaction}"),
    }
}
