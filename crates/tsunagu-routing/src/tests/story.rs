//! The seed story, one rule per test: owner, then the owner's team, then anyone, then the queue.

use expect_test::expect;

use super::check;

/// The sales team and one support agent, as in the seed documents.
const OFFICE: &str = "
    agent sato      team=sales   idle=09:00:00
    agent suzuki    team=sales   idle=09:02:10
    agent takahashi team=sales   oncall
    agent tanaka    team=support idle=08:55:00
";

#[test]
fn an_available_owner_gets_their_customers_call() {
    check(
        &format!("{OFFICE} route c1 at=09:10:00 owner=sato owner_team=sales"),
        expect![[r#"
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): chose sato, idle since 09:00:00
            → offer c1 to sato for 15s (step 1)
        "#]],
    );
}

#[test]
fn an_away_owner_hands_over_to_the_longest_idle_of_their_team() {
    check(
        &format!(
            "{OFFICE}
            set sato away=break
            route c1 at=09:10:00 owner=sato owner_team=sales"
        ),
        expect![[r#"
            > set sato away=break
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): nobody available — skipped sato (away: break)
            Step 2 (owner's team sales, 3 agents): chose suzuki, idle since 09:02:10 — skipped sato (away: break); takahashi (on call)
            → offer c1 to suzuki for 20s (step 2)
        "#]],
    );
}

#[test]
fn when_the_whole_team_is_away_anyone_available_gets_it() {
    check(
        &format!(
            "{OFFICE}
            set sato away=break
            set suzuki offline
            route c1 at=09:10:00 owner=sato owner_team=sales"
        ),
        expect![[r#"
            > set sato away=break
            > set suzuki offline
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): nobody available — skipped sato (away: break)
            Step 2 (owner's team sales, 3 agents): nobody available — skipped suzuki (offline); sato (away: break); takahashi (on call)
            Step 3 (anyone, 4 agents): chose tanaka, idle since 08:55:00 — skipped suzuki (offline); sato (away: break); takahashi (on call)
            → offer c1 to tanaka for 30s (step 3)
        "#]],
    );
}

#[test]
fn when_nobody_is_available_the_contact_waits_with_its_position() {
    check(
        "
        agent sato   team=sales away=break
        agent suzuki team=sales oncall
        route c1 at=09:10:00 owner=sato owner_team=sales
        route c2 at=09:10:30 owner=suzuki owner_team=sales
        ",
        expect![[r#"
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): nobody available — skipped sato (away: break)
            Step 2 (owner's team sales, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            Step 3 (anyone, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            → c1 queued on voice: number 1 of 1
            > route c2 at=09:10:30 owner=suzuki owner_team=sales
            c2 arrived on voice, priority 0
            Step 1 (owner suzuki): nobody available — skipped suzuki (on call)
            Step 2 (owner's team sales, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            Step 3 (anyone, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            → c2 queued on voice: number 2 of 2
        "#]],
    );
}

#[test]
fn an_agent_who_frees_up_is_offered_the_head_of_the_queue() {
    check(
        "
        agent sato   team=sales away=break
        agent suzuki team=sales oncall
        route c1 at=09:10:00 owner=sato owner_team=sales
        route c2 at=09:10:30
        available suzuki at=09:12:00
        queue
        ",
        expect![[r#"
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): nobody available — skipped sato (away: break)
            Step 2 (owner's team sales, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            Step 3 (anyone, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            → c1 queued on voice: number 1 of 1
            > route c2 at=09:10:30
            c2 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): nobody available — skipped sato (away: break); suzuki (on call)
            → c2 queued on voice: number 2 of 2
            > available suzuki at=09:12:00
            suzuki can take work; 2 contacts queued on channels with room
            → offer c1 to suzuki for 20s (step 2)
            > queue
            voice: c2
        "#]],
    );
}

#[test]
fn a_higher_priority_contact_is_served_before_an_older_one() {
    check(
        "
        agent sato team=sales oncall
        route old at=09:10:00 priority=0
        route vip at=09:11:00 priority=5
        queue
        available sato at=09:12:00
        ",
        expect![[r#"
            > route old at=09:10:00 priority=0
            old arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → old queued on voice: number 1 of 1
            > route vip at=09:11:00 priority=5
            vip arrived on voice, priority 5
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 1 agent): nobody available — skipped sato (on call)
            → vip queued on voice: number 1 of 2
            > queue
            voice: vip, old
            > available sato at=09:12:00
            sato can take work; 2 contacts queued on channels with room
            → offer vip to sato for 30s (step 3)
        "#]],
    );
}

#[test]
fn a_contact_needing_a_skill_goes_to_an_agent_who_has_it_even_if_less_idle() {
    check(
        "
        agent sato   team=sales idle=09:00:00
        agent suzuki team=sales idle=09:01:00 skills=english
        agent kim    team=sales idle=09:05:00 skills=english,korean
        route c1 at=09:10:00 owner_team=sales skills=korean
        ",
        expect![[r#"
            > route c1 at=09:10:00 owner_team=sales skills=korean
            c1 arrived on voice, priority 0, needs korean
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team sales, 3 agents): chose kim, idle since 09:05:00 — skipped sato, suzuki (missing skill korean)
            → offer c1 to kim for 20s (step 2)
        "#]],
    );
}

#[test]
fn an_agent_on_a_call_gets_nothing_else_and_text_capacity_is_counted_per_channel() {
    check(
        "
        agent sato   idle=09:00:00 chat=2
        agent suzuki idle=09:01:00
        assign sato x1 channel=voice
        route chat1 at=09:10:00 channel=chat          # sato is on a call: suzuki
        accept chat1
        release sato x1
        assign sato x2 channel=chat
        assign sato x3 channel=chat
        route chat2 at=09:11:00 channel=chat          # sato has 2 of 2 chats: suzuki again
        accept chat2
        route v1 at=09:12:00 channel=voice            # a call may still reach sato, who is only chatting
        accept v1
        assign sato x4 channel=web_call               # refused: one call at a time
        ",
        expect![[r#"
            > assign sato x1 channel=voice
            > route chat1 at=09:10:00 channel=chat
            chat1 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose suzuki, idle since 09:01:00 — skipped sato (busy on voice)
            → offer chat1 to suzuki for 30s (step 3)
            > accept chat1
            accepted by suzuki
            > release sato x1
            > assign sato x2 channel=chat
            > assign sato x3 channel=chat
            > route chat2 at=09:11:00 channel=chat
            chat2 arrived on chat, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose suzuki, idle since 09:10:00 — skipped sato (at capacity for chat)
            → offer chat2 to suzuki for 30s (step 3)
            > accept chat2
            accepted by suzuki
            > route v1 at=09:12:00 channel=voice
            v1 arrived on voice, priority 0
            Step 1 (owner): not applicable, the contact has no owner
            Step 2 (owner's team): not applicable, the contact has no owner team
            Step 3 (anyone, 2 agents): chose sato, idle since 09:00:00 (longest idle; 1 more behind in idle order)
            → offer v1 to sato for 30s (step 3)
            > accept v1
            accepted by sato
            > assign sato x4 channel=web_call
            error: agent sato has no room for another web_call contact
        "#]],
    );
}

#[test]
fn agents_who_missed_or_declined_are_not_offered_the_same_contact_again() {
    check(
        &format!(
            "{OFFICE}
            route c1 at=09:10:00 owner=sato owner_team=sales
            fail c1 at=09:10:15      # sato missed it: the team is next
            fail c1 at=09:10:35      # suzuki declined: takahashi is on call, so anyone
            fail c1 at=09:11:05      # tanaka missed it too: nobody is left
            available sato at=09:12:00
            "
        ),
        expect![[r#"
            > route c1 at=09:10:00 owner=sato owner_team=sales
            c1 arrived on voice, priority 0
            Step 1 (owner sato): chose sato, idle since 09:00:00
            → offer c1 to sato for 15s (step 1)
            > fail c1 at=09:10:15
            c1: sato missed or declined the offer; routing again
            Step 1 (owner sato): nobody available — skipped sato (already missed or declined it)
            Step 2 (owner's team sales, 3 agents): chose suzuki, idle since 09:02:10 — skipped takahashi (on call); sato (already missed or declined it)
            → offer c1 to suzuki for 20s (step 2)
            > fail c1 at=09:10:35
            c1: suzuki missed or declined the offer; routing again
            Step 1 (owner sato): nobody available — skipped sato (already missed or declined it)
            Step 2 (owner's team sales, 3 agents): nobody available — skipped takahashi (on call); sato, suzuki (already missed or declined it)
            Step 3 (anyone, 4 agents): chose tanaka, idle since 08:55:00 (longest idle; 2 more behind in idle order) — skipped takahashi (on call)
            → offer c1 to tanaka for 30s (step 3)
            > fail c1 at=09:11:05
            c1: tanaka missed or declined the offer; routing again
            Step 1 (owner sato): nobody available — skipped sato (already missed or declined it)
            Step 2 (owner's team sales, 3 agents): nobody available — skipped takahashi (on call); sato, suzuki (already missed or declined it)
            Step 3 (anyone, 4 agents): nobody available — skipped takahashi (on call); tanaka, sato, suzuki (already missed or declined it)
            → c1 queued on voice: number 1 of 1
            > available sato at=09:12:00
            nothing for sato
        "#]],
    );
}
