//! Finer rules: ties, summaries, ladders, offers, removals and refusals.

use std::fmt::Write as _;

use expect_test::expect;
use tsunagu_core::Channel;

use super::{agent, check, interaction};
use crate::{Contact, Ladder, Router, RoutingError};

#[test]
fn equally_idle_agents_are_ordered_by_id() {
    check(
        "
        agent suzuki idle=09:00:00
        agent sato   idle=09:00:00
        route c1 at=09:10:00
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 (longest idle; 1 more behind in idle order)
            → offer c1 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_step_over_a_thousand_agents_is_summarised_not_listed() {
    let mut script = String::new();
    for n in 0..1000 {
        let state = match n % 10 {
            0..=5 => "offline",
            6..=8 => "away=lunch",
            _ => "oncall",
        };
        let _ = writeln!(script, "agent a{n:04} {state}");
    }
    script.push_str(
        "
        agent zz1 idle=09:05:00
        agent zz2 idle=09:01:00 skills=korean
        agent zz3 idle=09:00:00
        route c1 at=09:10:00 skills=korean
        ",
    );
    check(
        &script,
        expect![[r#"
            > route c1 at=09:10:00 skills=korean
            c1 arrived on voice, priority 0, needs korean
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1003 agents): chose zz2, idle since 09:01:00 — skipped 600 agents (offline), e.g. a0000, a0001, a0002; 300 agents (away: lunch), e.g. a0006, a0007, a0008; 100 agents (on call), e.g. a0009, a0019, a0029; zz3, zz1 (missing skill korean)
            → offer c1 to zz2 for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_contact_needing_two_skills_skips_agents_with_only_one() {
    check(
        "
        agent sato  team=support idle=09:00:00
        agent ito   team=support idle=09:00:30
        agent kim   team=support idle=09:01:00 skills=korean
        agent park  team=support idle=09:02:00 skills=korean,billing
        agent mori  team=support idle=08:59:00 skills=billing
        agent lee   team=support idle=09:04:00 skills=korean,billing
        route c1 at=09:10:00 owner_team=support skills=billing,korean
        ",
        expect![[r#"
            > route c1 at=09:10:00 owner_team=support skills=billing,korean
            c1 arrived on voice, priority 0, needs billing, korean
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team support, 6 agents): chose park, idle since 09:02:00 (longest idle; 1 more behind in idle order) — skipped sato, ito, kim (missing skill billing); mori (missing skill korean)
            → offer c1 to park for 20s (step 2)
        "#]],
    );
}

#[test]
fn a_list_step_names_each_agent_and_flags_unknown_ones() {
    check(
        "
        agent sato   oncall
        agent suzuki idle=09:03:00
        agent tanaka idle=09:01:00
        ladder agents:sato+ghost+suzuki+tanaka/10 anyone/30
        route c1 at=09:10:00
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (agents sato, ghost, suzuki and 1 more): chose tanaka, idle since 09:01:00 (longest idle; 1 more behind in idle order) — skipped ghost (not in the directory); sato (on call)
            → offer c1 to tanaka for 10s (step 1)
        "#]],
    );
}

#[test]
fn an_owner_or_team_unknown_to_the_directory_is_passed_over() {
    check(
        "
        agent sato idle=09:00:00
        ladder owner/15 team:nobody/20 anyone/30
        route c1 at=09:10:00 owner=ghost
        ",
        expect![[r#"
            > route c1 at=09:10:00 owner=ghost
            c1 arrived on voice, priority 0
            Step 1 (owner ghost): nobody available — skipped ghost (not in the directory)
            Step 2 (team nobody, 0 agents): nobody available, no agents
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer c1 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn accepted_text_contacts_spread_across_agents() {
    check(
        "
        agent sato   idle=09:00:00
        agent suzuki idle=09:01:00
        route chat1 at=09:10:00 channel=chat
        accept chat1
        route chat2 at=09:10:05 channel=chat     # sato is now idle since the first offer
        accept chat2
        route chat3 at=09:10:10 channel=chat
        ",
        expect![[r#"
            > route chat1 at=09:10:00 channel=chat
            chat1 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 (longest idle; 1 more behind in idle order)
            → offer chat1 to sato for 30s (step 3)
            > accept chat1
            accepted by sato
            > route chat2 at=09:10:05 channel=chat
            chat2 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose suzuki, idle since 09:01:00 (longest idle; 1 more behind in idle order)
            → offer chat2 to suzuki for 30s (step 3)
            > accept chat2
            accepted by suzuki
            > route chat3 at=09:10:10 channel=chat
            chat3 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:10:00 (longest idle; 1 more behind in idle order)
            → offer chat3 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn an_agent_being_offered_something_is_offered_nothing_else() {
    check(
        "
        agent sato idle=09:00:00
        route chat1 at=09:10:00 channel=chat
        set sato idle=09:00:00           # the caller says routable while the offer rings
        route chat2 at=09:10:01 channel=chat
        ",
        expect![[r#"
            > route chat1 at=09:10:00 channel=chat
            chat1 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer chat1 to sato for 30s (step 3)
            > set sato idle=09:00:00
            > route chat2 at=09:10:01 channel=chat
            chat2 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (being offered another contact)
            → chat2 queued on chat: number 1 of 1
        "#]],
    );
}

#[test]
fn after_a_failed_offer_the_callers_newer_availability_stands() {
    check(
        "
        agent sato   idle=09:00:00
        agent suzuki idle=09:05:00
        route c1 at=09:10:00
        set sato away=not-responding     # presence noticed the widget is gone
        fail c1 at=09:10:30
        next sato at=09:11:00
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 (longest idle; 1 more behind in idle order)
            → offer c1 to sato for 30s (step 3)
            > set sato away=not-responding
            > fail c1 at=09:10:30
            c1: sato missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose suzuki, idle since 09:05:00 — skipped sato (away: not-responding)
            → offer c1 to suzuki for 30s (step 3)
            > next sato at=09:11:00
            nothing for sato
        "#]],
    );
}

#[test]
fn an_offer_failed_without_the_caller_speaking_restores_the_agent() {
    check(
        "
        agent sato idle=09:00:00
        route c1 at=09:10:00
        fail c1 at=09:10:30
        route c2 at=09:10:40
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer c1 to sato for 30s (step 3)
            > fail c1 at=09:10:30
            c1: sato missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (already missed or declined it)
            → c1 queued on voice: number 1 of 1
            > route c2 at=09:10:40
            c2 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer c2 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn an_agent_who_missed_a_contact_gets_it_when_they_come_back() {
    // The only agent's tab froze: the miss sends them away, the caller waits; once they are
    // available again the waiting caller is theirs. An agent who stays available (a decline that
    // did not send them away) is still passed over.
    check(
        "
        agent sato   idle=09:00:00
        agent suzuki idle=09:01:00
        route c1 at=09:10:00
        set sato away=missed-offer
        fail c1 at=09:10:03
        fail c1 at=09:10:20
        next suzuki at=09:10:30
        available sato at=09:12:00
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 (longest idle; 1 more behind in idle order)
            → offer c1 to sato for 30s (step 3)
            > set sato away=missed-offer
            > fail c1 at=09:10:03
            c1: sato missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose suzuki, idle since 09:01:00 — skipped sato (away: missed-offer)
            → offer c1 to suzuki for 30s (step 3)
            > fail c1 at=09:10:20
            c1: suzuki missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped sato (away: missed-offer); suzuki (already missed or declined it)
            → c1 queued on voice: number 1 of 1
            > next suzuki at=09:10:30
            nothing for suzuki
            > available sato at=09:12:00
            sato can take work; 1 contact queued on channels with room
            → offer c1 to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn abandoning_withdraws_offers_and_moves_the_line_up() {
    check(
        "
        agent sato oncall
        route c1 at=09:10:00
        route c2 at=09:10:10
        route c3 at=09:10:20
        abandon c1
        queue
        available sato at=09:11:00
        abandon c2
        next sato at=09:11:30
        abandon c3
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → c1 queued on voice: number 1 of 1
            > route c2 at=09:10:10
            c2 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → c2 queued on voice: number 2 of 2
            > route c3 at=09:10:20
            c3 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → c3 queued on voice: number 3 of 3
            > abandon c1
            left the queue
            > queue
            voice: c2, c3
            > available sato at=09:11:00
            sato can take work; 2 contacts queued on channels with room
            → offer c2 to sato for 30s (step 3)
            > abandon c2
            withdrawn from sato
            > next sato at=09:11:30
            sato can take work; 1 contact queued on channels with room
            → offer c3 to sato for 30s (step 3)
            > abandon c3
            withdrawn from sato
        "#]],
    );
}

#[test]
fn removing_a_ringing_agent_routes_their_contact_again() {
    check(
        "
        agent sato   team=sales idle=09:00:00
        agent suzuki team=sales idle=09:02:00
        assign sato x1 channel=chat
        route c1 at=09:10:00 owner=sato owner_team=sales
        remove sato at=09:10:05
        remove sato at=09:10:06
        ",
        expect![[r#"
            > assign sato x1 channel=chat
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): chose sato, idle since 09:00:00
            → offer c1 to sato for 15s (step 1)
            > remove sato at=09:10:05
            released x1
            c1: sato left the directory during the offer; routing again
            Step 1 (owner sato): nobody available — skipped sato (not in the directory)
            Step 2 (owner's team sales, 1 agent): chose suzuki, idle since 09:02:00
            → offer c1 to suzuki for 20s (step 2)
            > remove sato at=09:10:06
            error: agent sato is not in the directory
        "#]],
    );
}

#[test]
fn a_freed_agent_passes_over_queued_contacts_they_cannot_serve() {
    check(
        "
        agent sato   team=sales oncall
        agent suzuki team=sales oncall
        ladder owner/15 owner_team/20
        route for-suzuki at=09:00:00 owner=suzuki priority=3
        ladder owner/15 owner_team/20 anyone/30
        route korean at=09:01:00 priority=2 skills=korean
        route other-team at=09:02:00 owner_team=support priority=2
        route plain at=09:03:00
        available sato at=09:05:00
        ",
        expect![[r#"
            > route for-suzuki at=09:00:00 owner=suzuki priority=3
            for-suzuki arrived on voice, priority 3
            Step 1 (owner suzuki): nobody available — skipped suzuki (on call)
            Step 2 (owner's team): not applicable, the contact has no owner team
            → for-suzuki queued on voice: number 1 of 1
            > route korean at=09:01:00 priority=2 skills=korean
            korean arrived on voice, priority 2, needs korean
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped sato, suzuki (on call)
            → korean queued on voice: number 2 of 2
            > route other-team at=09:02:00 owner_team=support priority=2
            other-team arrived on voice, priority 2
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team support, 0 agents): nobody available, no agents
            Step 3 (anyone, 2 agents): nobody available — skipped sato, suzuki (on call)
            → other-team queued on voice: number 3 of 3
            > route plain at=09:03:00
            plain arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped sato, suzuki (on call)
            → plain queued on voice: number 4 of 4
            > available sato at=09:05:00
            sato can take work; 4 contacts queued on channels with room
            passed over for-suzuki (its ladder does not target this agent); korean (needs skill korean)
            → offer other-team to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_freed_agent_is_offered_only_channels_they_have_room_for() {
    check(
        "
        agent sato oncall chat=1
        route chat at=09:00:00 channel=chat
        route call at=09:01:00
        assign sato x1 channel=chat
        available sato at=09:05:00       # no room for another chat, but a call may come
        ",
        expect![[r#"
            > route chat at=09:00:00 channel=chat
            chat arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → chat queued on chat: number 1 of 1
            > route call at=09:01:00
            call arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → call queued on voice: number 1 of 1
            > assign sato x1 channel=chat
            > available sato at=09:05:00
            sato can take work; 1 contact queued on channels with room
            → offer call to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn work_taken_while_an_offer_rings_can_leave_no_room_to_accept_it() {
    check(
        "
        agent sato idle=09:00:00
        route c1 at=09:10:00
        assign sato out1 channel=web_call    # sato dialled out while c1 was ringing
        accept c1                            # refused: two calls at once
        fail c1 at=09:10:05
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer c1 to sato for 30s (step 3)
            > assign sato out1 channel=web_call
            > accept c1
            error: agent sato has no room for another voice contact
            > fail c1 at=09:10:05
            c1: sato missed or declined the offer; routing again
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (busy on web_call)
            → c1 queued on voice: number 1 of 1
        "#]],
    );
}

#[test]
fn invalid_operations_are_refused_and_change_nothing() {
    check(
        "
        agent sato idle=09:00:00
        route c1 at=09:10:00
        route c1 at=09:10:01
        accept c1
        accept c1
        abandon c1
        fail c1 at=09:11:00
        release sato c2
        release ghost c1
        assign sato c1 channel=chat
        next ghost at=09:12:00
        set ghost offline
        abandon nope
        fail nope at=09:12:00
        route c2 at=09:12:00
        fail c2 at=09:12:10
        ",
        expect![[r#"
            > route c1 at=09:10:00
            c1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): chose sato, idle since 09:00:00
            → offer c1 to sato for 30s (step 3)
            > route c1 at=09:10:01
            error: contact c1 is already known to the router
            > accept c1
            accepted by sato
            > accept c1
            error: contact c1 was already accepted by sato; release it instead
            > abandon c1
            error: contact c1 was already accepted by sato; release it instead
            > fail c1 at=09:11:00
            error: contact c1 was already accepted by sato; release it instead
            > release sato c2
            error: agent sato does not hold c2
            > release ghost c1
            error: agent ghost is not in the directory
            > assign sato c1 channel=chat
            error: interaction c1 is already held by sato
            > next ghost at=09:12:00
            error: agent ghost is not in the directory
            > set ghost offline
            error: agent ghost is not in the directory
            > abandon nope
            error: contact nope is not being routed
            > fail nope at=09:12:00
            error: contact nope is not being routed
            > route c2 at=09:12:00
            c2 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (busy on voice)
            → c2 queued on voice: number 1 of 1
            > fail c2 at=09:12:10
            error: contact c2 has no pending offer
        "#]],
    );
    let mut router = Router::new();
    let contact = Contact::new(interaction("c1"), Channel::Voice, super::at("09:00:00"));
    let empty = Ladder { steps: Vec::new() };
    assert_eq!(
        router.route(contact, &empty, super::at("09:00:00")),
        Err(RoutingError::EmptyLadder)
    );
    assert_eq!(
        router.remove_agent(&agent("ghost"), super::at("09:00:00")),
        Err(RoutingError::UnknownAgent(agent("ghost")))
    );
}

#[test]
fn ladders_deserialize_from_tenant_settings() {
    let json = r#"{"steps": [
        {"target": "owner", "timeout": 10000},
        {"target": {"team": "vip-desk"}, "timeout": 20000},
        {"target": {"agents": ["sato", "suzuki"]}, "timeout": 15000},
        {"target": "anyone", "timeout": 30000}
    ]}"#;
    let ladder: Result<Ladder, _> = serde_json::from_str(json);
    let steps = match ladder {
        Ok(ladder) => ladder
            .steps
            .iter()
            .map(|step| format!("{:?} for {}\n", step.target, step.timeout))
            .collect(),
        Err(e) => format!("error: {e}"),
    };
    expect![[r#"
        Owner for 10s
        Team(TeamId("vip-desk")) for 20s
        Agents([AgentId("sato"), AgentId("suzuki")]) for 15s
        Anyone for 30s
    "#]]
    .assert_eq(&steps);
    let bad: Result<Ladder, _> =
        serde_json::from_str(r#"{"steps": [{"target": {"team": "a b"}, "timeout": 1}]}"#);
    expect![[
        r#"Err("team id may contain only ASCII letters, digits, `_` and `-` at line 1 column 37")"#
    ]]
    .assert_eq(&format!("{:?}", bad.map_err(|e| e.to_string())));
    let default = serde_json::to_string(&Ladder::default()).unwrap_or_default();
    expect![[r#"{"steps":[{"target":"owner","timeout":15000},{"target":"owner_team","timeout":20000},{"target":"anyone","timeout":30000}]}"#]].assert_eq(&default);
}

#[test]
fn profiles_and_contacts_deserialize_with_defaults() {
    let profile: Result<crate::AgentProfile, _> = serde_json::from_str(
        r#"{"id": "sato", "teams": ["sales"], "skills": ["korean"], "capacity": {"chat": 5}}"#,
    );
    let summary = profile.map(|p| {
        let limits: Vec<String> = Channel::ALL
            .iter()
            .map(|c| format!("{c}={}", p.capacity.limit(*c)))
            .collect();
        format!(
            "{} teams={:?} skills={:?} {}",
            p.id,
            p.teams.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            p.skills.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            limits.join(" ")
        )
    });
    expect![[r#"Ok("sato teams=[\"sales\"] skills=[\"korean\"] voice=1 web_call=1 chat=5 sms=3 line=3 email=5")"#]].assert_eq(&format!("{summary:?}"));
    let contact: Result<Contact, _> =
        serde_json::from_str(r#"{"id": "c1", "channel": "line", "arrived_at": 1000}"#);
    expect![[r#"
        Ok(
            Contact {
                id: InteractionId(
                    "c1",
                ),
                customer: None,
                owner: None,
                owner_team: None,
                channel: Line,
                priority: 0,
                skills: {},
                skill_levels: {},
                relax_skills_at: None,
                arrived_at: Timestamp(
                    1000,
                ),
            },
        )
    "#]]
    .assert_debug_eq(&contact);
}

#[test]
fn availabilities_deserialize_from_presence_messages() {
    let parsed: Vec<String> = [
        r#"{"state": "routable", "idle_since": 1000}"#,
        r#"{"state": "not_routable", "why": {"reason": "away", "label": "break"}}"#,
        r#"{"state": "not_routable", "why": {"reason": "wrap_up"}}"#,
        r#"{"state": "not_routable", "why": {"reason": "asleep"}}"#,
    ]
    .iter()
    .map(
        |json| match serde_json::from_str::<crate::Availability>(json) {
            Ok(crate::Availability::Routable { idle_since }) => {
                format!("routable since {idle_since:?}")
            }
            Ok(crate::Availability::NotRoutable { why }) => format!("not routable: {why}"),
            Err(e) => format!("error: {e}"),
        },
    )
    .collect();
    expect![[r#"
        [
            "routable since Timestamp(1000)",
            "not routable: away: break",
            "not routable: in wrap-up",
            "error: unknown variant `asleep`, expected one of `offline`, `away`, `reserved`, `on_call`, `wrap_up`",
        ]
    "#]].assert_debug_eq(&parsed);
}

#[test]
fn skills_are_validated() {
    let results: Vec<String> = ["korean", "ja-JP.keigo", "", "日本語", &"x".repeat(65)]
        .iter()
        .map(|raw| match crate::Skill::new(*raw) {
            Ok(skill) => format!("ok {skill}"),
            Err(e) => format!("error: {e}"),
        })
        .collect();
    expect![[r#"
        [
            "ok korean",
            "ok ja-JP.keigo",
            "error: a skill must not be empty",
            "error: a skill may contain only ASCII letters, digits, `_`, `-` and `.`",
            "error: a skill is at most 64 characters long",
        ]
    "#]]
    .assert_debug_eq(&results);
}
