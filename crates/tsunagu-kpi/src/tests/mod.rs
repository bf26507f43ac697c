//! Tests of the KPI computation: hand-computed reports over a small day, and properties.

mod props;
mod spec;

use std::fmt::Write as _;

use tsunagu_core::{AgentId, Channel, CustomerId, InteractionId, Millis, TeamId, Timestamp};
use tsunagu_stitch::{
    AgentLeg, Conversation, ConversationDirection, ConversationId, ConversationOutcome, LegOutcome,
    WrapUp,
};

use crate::{KpiReport, PresenceInterval, PresenceState};

/// 2026-04-01 00:00 JST.
const DAY0: u64 = 1_774_969_200_000;

/// `day` days after DAY0, at local `h:m:s` (JST).
fn jst(day: u64, h: u64, m: u64, s: u64) -> Timestamp {
    Timestamp(DAY0 + ((day * 24 + h) * 60 + m) * 60_000 + s * 1000)
}

fn agent(raw: &str) -> AgentId {
    AgentId::new(raw).expect("test agent ids are valid")
}

fn team(raw: &str) -> TeamId {
    TeamId::new(raw).expect("test team ids are valid")
}

/// A conversation under construction; starts inbound, unanswered and still going.
struct Call(Conversation);

fn inbound(id: &str, customer: &str, started_at: Timestamp) -> Call {
    let interaction = InteractionId::new(id).expect("valid");
    Call(Conversation {
        id: ConversationId::Interaction(interaction.clone()),
        interaction: Some(interaction),
        root_call_sid: None,
        customer: Some(CustomerId::new(customer).expect("valid")),
        customer_number: None,
        channel: Channel::Voice,
        direction: ConversationDirection::Inbound,
        started_at,
        ended_at: None,
        queue: None,
        queue_time: Millis(0),
        agent_legs: Vec::new(),
        external_legs: Vec::new(),
        answered_by: None,
        answered_at: None,
        time_to_answer: None,
        team: None,
        talk_time: Millis(0),
        hold_time: Millis(0),
        wrap_up_time: Millis(0),
        transfers: Vec::new(),
        recordings: Vec::new(),
        routing: Vec::new(),
        ivr_path: None,
        outcome: ConversationOutcome::InProgress,
    })
}

fn outbound(id: &str, customer: &str, started_at: Timestamp) -> Call {
    let mut call = inbound(id, customer, started_at);
    call.0.direction = ConversationDirection::Outbound;
    call
}

fn leg(agent_id: &str, outcome: LegOutcome) -> AgentLeg {
    AgentLeg {
        agent: agent(agent_id),
        call_sid: None,
        step: None,
        team: None,
        consult: false,
        offered_at: None,
        ringing_at: None,
        outcome,
        answered_at: None,
        ended_at: None,
        talk_time: Millis(0),
        hold_time: Millis(0),
        wrap_up: None,
    }
}

impl Call {
    fn team(mut self, name: &str) -> Self {
        self.0.team = Some(team(name));
        self
    }

    fn queue(mut self, name: &str) -> Self {
        self.0.queue = Some(name.to_owned());
        self
    }

    fn channel(mut self, channel: Channel) -> Self {
        self.0.channel = channel;
        self
    }

    /// `agent_id`'s widget rang and nobody picked up.
    fn rang(mut self, agent_id: &str) -> Self {
        self.0.agent_legs.push(leg(agent_id, LegOutcome::NoAnswer));
        self
    }

    /// `agent_id` answered `after` seconds from arrival; (talk, hold, wrap-up) in seconds.
    fn answered(mut self, agent_id: &str, after: u64, (talk, hold, wrap): (u64, u64, u64)) -> Self {
        let c = &mut self.0;
        let answered_at = c.started_at + Millis::from_secs(after);
        let ended_at = answered_at + Millis::from_secs(talk + hold);
        let mut answered = leg(agent_id, LegOutcome::Answered);
        answered.answered_at = Some(answered_at);
        answered.ended_at = Some(ended_at);
        answered.talk_time = Millis::from_secs(talk);
        answered.hold_time = Millis::from_secs(hold);
        answered.wrap_up = Some(WrapUp {
            ended_at: ended_at + Millis::from_secs(wrap),
            duration: Millis::from_secs(wrap),
            disposition: None,
            notes: None,
        });
        c.agent_legs.push(answered);
        c.answered_by = Some(agent(agent_id));
        c.answered_at = Some(answered_at);
        c.time_to_answer = Some(Millis::from_secs(after));
        c.talk_time = Millis::from_secs(talk);
        c.hold_time = Millis::from_secs(hold);
        c.wrap_up_time = Millis::from_secs(wrap);
        c.ended_at = Some(ended_at);
        c.outcome = ConversationOutcome::Answered;
        self
    }

    /// The caller hung up `after` seconds from arrival, with nobody answering.
    fn abandoned(mut self, after: u64) -> Self {
        self.0.ended_at = Some(self.0.started_at + Millis::from_secs(after));
        self.0.outcome = ConversationOutcome::Abandoned {
            after: Millis::from_secs(after),
        };
        self
    }

    /// Nobody answered; the backup number took the call and it lasted `secs`.
    fn fell_back(mut self, secs: u64) -> Self {
        self.0.ended_at = Some(self.0.started_at + Millis::from_secs(secs));
        self.0.outcome = ConversationOutcome::Fallback {
            number: "+819087654321".to_owned(),
            answered: true,
        };
        self
    }

    /// Outbound: `agent_id` called and the customer never picked up.
    fn not_reached(mut self, agent_id: &str, secs: u64) -> Self {
        self.0.agent_legs.push(leg(agent_id, LegOutcome::Answered));
        self.0.ended_at = Some(self.0.started_at + Millis::from_secs(secs));
        self.0.outcome = ConversationOutcome::NotReached;
        self
    }

    fn done(self) -> Conversation {
        self.0
    }
}

/// A small day at a contact center, 2026-04-01 (JST), plus one call two days later. The
/// expected numbers in the tests are worked out by hand from this list.
fn day_of_calls() -> Vec<Conversation> {
    vec![
        // 1. Alice: rings sato, answered after 10 s; talk 120 s, hold 20 s, wrap-up 30 s.
        inbound("c1", "alice", jst(0, 9, 0, 0))
            .team("east")
            .queue("support")
            .answered("sato", 10, (120, 20, 30))
            .done(),
        // 2. Bob: suzuki answers after 30 s (outside the 20 s service level); 60 s + 20 s wrap.
        inbound("c2", "bob", jst(0, 9, 10, 0))
            .team("west")
            .queue("support")
            .answered("suzuki", 30, (60, 0, 20))
            .done(),
        // 3. Carol: hangs up after 3 s while takahashi rings: a short abandon.
        inbound("c3", "carol", jst(0, 9, 20, 0))
            .team("east")
            .queue("support")
            .rang("takahashi")
            .abandoned(3)
            .done(),
        // 4. Dave: takahashi, then sato ring; he gives up after 40 s.
        inbound("c4", "dave", jst(0, 10, 5, 0))
            .team("east")
            .queue("sales")
            .rang("takahashi")
            .rang("sato")
            .abandoned(40)
            .done(),
        // 5. Alice again two days later (so call 1 was not resolved first time); sato, 5 s.
        inbound("c5", "alice", jst(2, 10, 0, 0))
            .team("east")
            .answered("sato", 5, (30, 0, 10))
            .done(),
        // 6. suzuki calls Erin and reaches her: 45 s talk, 15 s wrap-up. No team on it.
        outbound("c6", "erin", jst(0, 11, 0, 0))
            .answered("suzuki", 8, (45, 0, 15))
            .done(),
        // 7. suzuki calls Frank, no answer.
        outbound("c7", "frank", jst(0, 11, 30, 0))
            .not_reached("suzuki", 30)
            .done(),
        // 8. Grace: takahashi does not answer; the backup number does.
        inbound("c8", "grace", jst(0, 12, 0, 0))
            .team("east")
            .rang("takahashi")
            .fell_back(90)
            .done(),
        // 9. Heidi: still ringing sato when the report is made.
        inbound("c9", "heidi", jst(0, 13, 0, 0)).rang("sato").done(),
    ]
}

fn presence(
    agent_id: &str,
    team_name: &str,
    state: PresenceState,
    from: Timestamp,
    secs: u64,
) -> PresenceInterval {
    PresenceInterval {
        agent: agent(agent_id),
        team: Some(team(team_name)),
        state,
        start: from,
        end: from + Millis::from_secs(secs),
    }
}

/// sato (east): 600 s available, 300 s on a call, 100 s wrap-up, then away.
/// suzuki (west): 300 s available, 100 s reserved, 100 s on a call, then offline.
fn day_of_presence() -> Vec<PresenceInterval> {
    use PresenceState::*;
    vec![
        presence("sato", "east", Available, jst(0, 8, 50, 0), 600),
        presence("sato", "east", OnCall, jst(0, 9, 0, 0), 300),
        presence("sato", "east", WrapUp, jst(0, 9, 5, 0), 100),
        presence("sato", "east", Away, jst(0, 9, 6, 40), 1000),
        presence("suzuki", "west", Available, jst(0, 9, 0, 0), 300),
        presence("suzuki", "west", Reserved, jst(0, 9, 5, 0), 100),
        presence("suzuki", "west", OnCall, jst(0, 9, 6, 40), 100),
        presence("suzuki", "west", Offline, jst(0, 9, 8, 20), 5000),
    ]
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

fn render(report: &KpiReport) -> String {
    let mut out = String::new();
    for row in &report.rows {
        let _ = writeln!(
            out,
            "{}: offered={} answered={} abandoned={} short={} fallback={} within={} in_progress={}",
            row.key,
            row.offered,
            row.answered,
            row.abandoned,
            row.short_abandoned,
            row.fallback,
            row.answered_within_threshold,
            row.in_progress,
        );
        let _ = writeln!(
            out,
            "  abandonment={} asa={} sl={} sl_of_answered={} aht={} ({}/{})",
            rate(row.abandonment_rate),
            row.average_speed_of_answer
                .map_or_else(|| "-".to_owned(), |m| m.to_string()),
            rate(row.service_level),
            rate(row.service_level_of_answered),
            row.average_handle_time
                .map_or_else(|| "-".to_owned(), |m| m.to_string()),
            row.handle_time,
            row.handled,
        );
        let _ = writeln!(
            out,
            "  occupancy={} ({}/{}) fcr={} ({}/{}) reach={} ({}/{})",
            rate(row.occupancy),
            row.busy_time,
            row.staffed_time,
            rate(row.first_contact_resolution),
            row.resolved_first_contact,
            row.fcr_eligible,
            rate(row.reach_rate),
            row.outbound_reached,
            row.outbound_attempted,
        );
    }
    out
}
