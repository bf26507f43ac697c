//! One scenario or rule per test, each read as a spec: the script, then what the machine did.

use expect_test::expect;
use tsunagu_core::{AgentId, Channel, InteractionId, Timestamp};

use super::script::check;
use crate::{Event, Interaction};

// --- Scenarios ------------------------------------------------------------------------------------

#[test]
fn owner_answers_and_the_customer_hangs_up() {
    check(
        "
        t=0 arrive voice customer=c1
        t=1s offer sato step=0
        t=4s accept sato
        t=5s connected sato
        t=3m customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice customer=c1  => queued
            t=1s offer sato step=0        => offered sato step=0 | ring sato step=0
            t=4s accept sato              => accepted sato | offer sato accepted
            t=5s connected sato           => connected sato | sato joined
            t=3m customer-hangup          => completed by customer | sato left, ended
            ---
            voice customer=c1: completed by customer
            arrived=0s first-offered=1s connected=5s hold=0s ended=180s
            offer sato step=0 at 1s: accepted at 4s, connected at 5s
        "#]],
    );
}

#[test]
fn owner_then_team_then_anyone_until_someone_answers() {
    check(
        "
        t=0 arrive voice customer=c1
        t=1s offer sato step=0
        t=21s no-answer sato
        t=21s offer suzuki step=1
        t=23s decline suzuki
        t=23s offer tanaka step=2
        t=30s accept tanaka
        t=31s connected tanaka
        t=2m hangup tanaka
        ",
        expect![[r#"
            t=0 arrive voice customer=c1  => queued
            t=1s offer sato step=0        => offered sato step=0 | ring sato step=0
            t=21s no-answer sato          => queued | offer sato no-answer, needs agent
            t=21s offer suzuki step=1     => offered suzuki step=1 | ring suzuki step=1
            t=23s decline suzuki          => queued | offer suzuki declined, needs agent
            t=23s offer tanaka step=2     => offered tanaka step=2 | ring tanaka step=2
            t=30s accept tanaka           => accepted tanaka | offer tanaka accepted
            t=31s connected tanaka        => connected tanaka | tanaka joined
            t=2m hangup tanaka            => completed by tanaka | tanaka left, ended
            ---
            voice customer=c1: completed by tanaka
            arrived=0s first-offered=1s connected=31s hold=0s ended=120s
            offer sato step=0 at 1s: no-answer at 21s
            offer suzuki step=1 at 21s: declined at 23s
            offer tanaka step=2 at 23s: accepted at 30s, connected at 31s
        "#]],
    );
}

#[test]
fn a_ring_the_widget_never_acknowledged_moves_on() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=4s not-ack sato
        t=4s offer suzuki step=1
        t=6s connected suzuki
        ",
        expect![[r#"
            t=0 arrive voice          => queued
            t=1s offer sato step=0    => offered sato step=0 | ring sato step=0
            t=4s not-ack sato         => queued | offer sato not-acknowledged, needs agent
            t=4s offer suzuki step=1  => offered suzuki step=1 | ring suzuki step=1
            t=6s connected suzuki     => connected suzuki | offer suzuki accepted, suzuki joined
            ---
            voice customer=-: connected suzuki
            arrived=0s first-offered=1s connected=6s hold=0s ended=-
            offer sato step=0 at 1s: not-acknowledged at 4s
            offer suzuki step=1 at 4s: accepted at 6s, connected at 6s
        "#]],
    );
}

#[test]
fn a_softphone_answer_is_accept_and_connect_at_once() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=3s connected sato
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=3s connected sato     => connected sato | offer sato accepted, sato joined
            ---
            voice customer=-: connected sato
            arrived=0s first-offered=1s connected=3s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 3s, connected at 3s
        "#]],
    );
}

#[test]
fn an_accepted_leg_that_never_connects_goes_back_to_the_queue() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s accept sato
        t=8s connect-failed sato
        t=8s offer suzuki step=1
        t=9s connected suzuki
        ",
        expect![[r#"
            t=0 arrive voice          => queued
            t=1s offer sato step=0    => offered sato step=0 | ring sato step=0
            t=2s accept sato          => accepted sato | offer sato accepted
            t=8s connect-failed sato  => queued | needs agent
            t=8s offer suzuki step=1  => offered suzuki step=1 | ring suzuki step=1
            t=9s connected suzuki     => connected suzuki | offer suzuki accepted, suzuki joined
            ---
            voice customer=-: connected suzuki
            arrived=0s first-offered=1s connected=9s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s
            offer suzuki step=1 at 8s: accepted at 9s, connected at 9s
        "#]],
    );
}

#[test]
fn customer_leaving_while_queued_is_abandoned() {
    check(
        "
        t=0 arrive voice customer=c1
        t=40s customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice customer=c1  => queued
            t=40s customer-hangup         => abandoned | ended
            ---
            voice customer=c1: abandoned
            arrived=0s first-offered=- connected=- hold=0s ended=40s
        "#]],
    );
}

#[test]
fn customer_leaving_while_ringing_cancels_the_offer_and_abandons() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=9s customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=9s customer-hangup    => abandoned | offer sato cancelled, ended
            ---
            voice customer=-: abandoned
            arrived=0s first-offered=1s connected=- hold=0s ended=9s
            offer sato step=0 at 1s: cancelled at 9s
        "#]],
    );
}

#[test]
fn hold_time_adds_up_including_a_hold_the_call_ends_in() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=10s hold sato
        t=40s resume sato
        t=50s hold sato
        t=60s customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=2s connected sato     => connected sato | offer sato accepted, sato joined
            t=10s hold sato         => held sato | hold started
            t=40s resume sato       => connected sato | hold ended after 30s
            t=50s hold sato         => held sato | hold started
            t=60s customer-hangup   => completed by customer | hold ended after 10s, sato left, ended
            ---
            voice customer=-: completed by customer
            arrived=0s first-offered=1s connected=2s hold=40s ended=60s
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
        "#]],
    );
}

#[test]
fn attended_transfer_to_an_agent_hands_over_when_they_connect() {
    check(
        "
        t=0 arrive voice customer=c1
        t=1s offer sato step=0
        t=2s connected sato
        t=30s hold sato
        t=31s transfer sato to=agent:tanaka
        t=32s offer tanaka step=0
        t=35s accept tanaka
        t=36s connected tanaka
        t=2m hangup tanaka
        ",
        expect![[r#"
            t=0 arrive voice customer=c1         => queued
            t=1s offer sato step=0               => offered sato step=0 | ring sato step=0
            t=2s connected sato                  => connected sato | offer sato accepted, sato joined
            t=30s hold sato                      => held sato | hold started
            t=31s transfer sato to=agent:tanaka  => held sato (transfer pending) | transfer sato -> agent:tanaka, needs agent of agent:tanaka
            t=32s offer tanaka step=0            => held sato (transfer offered tanaka step=0) | ring tanaka step=0
            t=35s accept tanaka                  => held sato (transfer accepted tanaka) | offer tanaka accepted
            t=36s connected tanaka               => connected tanaka | hold ended after 6s, sato left, tanaka joined, transfer completed
            t=2m hangup tanaka                   => completed by tanaka | tanaka left, ended
            ---
            voice customer=c1: completed by tanaka
            arrived=0s first-offered=1s connected=2s hold=6s ended=120s
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            offer tanaka step=0 at 32s (transfer): accepted at 35s, connected at 36s
            transfer sato -> agent:tanaka at 31s: completed at 36s to tanaka
        "#]],
    );
}

#[test]
fn transfer_to_a_team_tries_the_next_member_after_a_decline() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=30s transfer sato to=team:billing
        t=31s offer suzuki step=0
        t=33s decline suzuki
        t=33s offer tanaka step=1
        t=40s connected tanaka
        ",
        expect![[r#"
            t=0 arrive voice                     => queued
            t=1s offer sato step=0               => offered sato step=0 | ring sato step=0
            t=2s connected sato                  => connected sato | offer sato accepted, sato joined
            t=30s transfer sato to=team:billing  => connected sato (transfer pending) | transfer sato -> team:billing, needs agent of team:billing
            t=31s offer suzuki step=0            => connected sato (transfer offered suzuki step=0) | ring suzuki step=0
            t=33s decline suzuki                 => connected sato (transfer pending) | offer suzuki declined, needs agent of team:billing
            t=33s offer tanaka step=1            => connected sato (transfer offered tanaka step=1) | ring tanaka step=1
            t=40s connected tanaka               => connected tanaka | offer tanaka accepted, sato left, tanaka joined, transfer completed
            ---
            voice customer=-: connected tanaka
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            offer suzuki step=0 at 31s (transfer): declined at 33s
            offer tanaka step=1 at 33s (transfer): accepted at 40s, connected at 40s
            transfer sato -> team:billing at 30s: completed at 40s to tanaka
        "#]],
    );
}

#[test]
fn agent_hanging_up_during_a_transfer_makes_it_blind() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=30s transfer sato to=team:billing
        t=31s hangup sato
        t=32s offer suzuki step=0
        t=40s no-answer suzuki
        t=40s offer tanaka step=1
        t=45s connected tanaka
        ",
        expect![[r#"
            t=0 arrive voice                     => queued
            t=1s offer sato step=0               => offered sato step=0 | ring sato step=0
            t=2s connected sato                  => connected sato | offer sato accepted, sato joined
            t=30s transfer sato to=team:billing  => connected sato (transfer pending) | transfer sato -> team:billing, needs agent of team:billing
            t=31s hangup sato                    => queued | sato left, needs agent of team:billing
            t=32s offer suzuki step=0            => offered suzuki step=0 | ring suzuki step=0
            t=40s no-answer suzuki               => queued | offer suzuki no-answer, needs agent of team:billing
            t=40s offer tanaka step=1            => offered tanaka step=1 | ring tanaka step=1
            t=45s connected tanaka               => connected tanaka | offer tanaka accepted, tanaka joined, transfer completed
            ---
            voice customer=-: connected tanaka
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            offer suzuki step=0 at 32s (transfer): no-answer at 40s
            offer tanaka step=1 at 40s (transfer): accepted at 45s, connected at 45s
            transfer sato -> team:billing at 30s: completed at 45s to tanaka
        "#]],
    );
}

#[test]
fn customer_leaving_during_a_blind_transfer_completes_the_contact() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=30s transfer sato to=agent:tanaka
        t=31s offer tanaka step=0
        t=32s hangup sato
        t=50s customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice                     => queued
            t=1s offer sato step=0               => offered sato step=0 | ring sato step=0
            t=2s connected sato                  => connected sato | offer sato accepted, sato joined
            t=30s transfer sato to=agent:tanaka  => connected sato (transfer pending) | transfer sato -> agent:tanaka, needs agent of agent:tanaka
            t=31s offer tanaka step=0            => connected sato (transfer offered tanaka step=0) | ring tanaka step=0
            t=32s hangup sato                    => offered tanaka step=0 | sato left
            t=50s customer-hangup                => completed by customer | offer tanaka cancelled, transfer customer-left, ended
            ---
            voice customer=-: completed by customer
            arrived=0s first-offered=1s connected=2s hold=0s ended=50s
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            offer tanaka step=0 at 31s (transfer): cancelled at 50s
            transfer sato -> agent:tanaka at 30s: customer-left at 50s
        "#]],
    );
}

#[test]
fn cancelling_a_transfer_keeps_the_customer_with_the_agent() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=30s transfer sato to=agent:tanaka
        t=31s offer tanaka step=0
        t=50s cancel-transfer
        t=60s hangup sato
        ",
        expect![[r#"
            t=0 arrive voice                     => queued
            t=1s offer sato step=0               => offered sato step=0 | ring sato step=0
            t=2s connected sato                  => connected sato | offer sato accepted, sato joined
            t=30s transfer sato to=agent:tanaka  => connected sato (transfer pending) | transfer sato -> agent:tanaka, needs agent of agent:tanaka
            t=31s offer tanaka step=0            => connected sato (transfer offered tanaka step=0) | ring tanaka step=0
            t=50s cancel-transfer                => connected sato | offer tanaka cancelled, transfer cancelled
            t=60s hangup sato                    => completed by sato | sato left, ended
            ---
            voice customer=-: completed by sato
            arrived=0s first-offered=1s connected=2s hold=0s ended=60s
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            offer tanaka step=0 at 31s (transfer): cancelled at 50s
            transfer sato -> agent:tanaka at 30s: cancelled at 50s
        "#]],
    );
}

#[test]
fn transfer_to_an_external_number_ends_when_it_answers() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=30s hold sato
        t=31s transfer sato to=number:+81355550199
        t=40s external-answered
        ",
        expect![[r#"
            t=0 arrive voice                            => queued
            t=1s offer sato step=0                      => offered sato step=0 | ring sato step=0
            t=2s connected sato                         => connected sato | offer sato accepted, sato joined
            t=30s hold sato                             => held sato | hold started
            t=31s transfer sato to=number:+81355550199  => held sato (transfer pending) | transfer sato -> number:+81355550199
            t=40s external-answered                     => transferred out to +81355550199 | hold ended after 10s, sato left, transfer completed, ended
            ---
            voice customer=-: transferred out to +81355550199
            arrived=0s first-offered=1s connected=2s hold=10s ended=40s
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            transfer sato -> number:+81355550199 at 31s: completed at 40s
        "#]],
    );
}

#[test]
fn nobody_answers_so_the_call_falls_back_to_the_old_pbx() {
    check(
        "
        t=0 arrive voice customer=c1
        t=1s offer sato step=0
        t=21s no-answer sato
        t=21s offer suzuki step=2
        t=30s fallback +81355550100
        ",
        expect![[r#"
            t=0 arrive voice customer=c1  => queued
            t=1s offer sato step=0        => offered sato step=0 | ring sato step=0
            t=21s no-answer sato          => queued | offer sato no-answer, needs agent
            t=21s offer suzuki step=2     => offered suzuki step=2 | ring suzuki step=2
            t=30s fallback +81355550100   => fell back to +81355550100 | offer suzuki cancelled, ended
            ---
            voice customer=c1: fell back to +81355550100
            arrived=0s first-offered=1s connected=- hold=0s ended=30s
            offer sato step=0 at 1s: no-answer at 21s
            offer suzuki step=2 at 21s: cancelled at 30s
        "#]],
    );
}

#[test]
fn chat_uses_the_same_machine() {
    check(
        "
        t=0 arrive line
        t=1s identify c7
        t=2s offer sato step=0
        t=3s accept sato
        t=3s connected sato
        t=20m hangup sato
        ",
        expect![[r#"
            t=0 arrive line         => queued
            t=1s identify c7        => queued | customer c7
            t=2s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=3s accept sato        => accepted sato | offer sato accepted
            t=3s connected sato     => connected sato | sato joined
            t=20m hangup sato       => completed by sato | sato left, ended
            ---
            line customer=c7: completed by sato
            arrived=0s first-offered=2s connected=3s hold=0s ended=1200s
            offer sato step=0 at 2s: accepted at 3s, connected at 3s
        "#]],
    );
}

// --- Rules: what is refused, and that refusals change nothing ------------------------------------

#[test]
fn hold_while_queued_is_rejected() {
    check(
        "
        t=0 arrive voice
        t=1s hold sato
        ",
        expect![[r#"
            t=0 arrive voice  => queued
            t=1s hold sato    !! hold rejected while queued: no agent is connected
            ---
            voice customer=-: queued
            arrived=0s first-offered=- connected=- hold=0s ended=-
        "#]],
    );
}

#[test]
fn accept_by_an_agent_who_was_not_offered_is_rejected() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s accept suzuki
        t=3s connected suzuki
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=2s accept suzuki      !! accept rejected while offered: suzuki has no open offer
            t=3s connected suzuki   !! connected rejected while offered: suzuki has not accepted an offer
            ---
            voice customer=-: offered sato step=0
            arrived=0s first-offered=1s connected=- hold=0s ended=-
            offer sato step=0 at 1s: pending
        "#]],
    );
}

#[test]
fn nothing_happens_after_the_end() {
    check(
        "
        t=0 arrive voice
        t=1s customer-hangup
        t=2s offer sato step=0
        t=3s customer-hangup
        t=4s identify c1
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s customer-hangup    => abandoned | ended
            t=2s offer sato step=0  !! offer rejected while abandoned: the interaction has already ended
            t=3s customer-hangup    !! customer_hung_up rejected while abandoned: the interaction has already ended
            t=4s identify c1        !! identify_customer rejected while abandoned: the interaction has already ended
            ---
            voice customer=-: abandoned
            arrived=0s first-offered=- connected=- hold=0s ended=1s
        "#]],
    );
}

#[test]
fn only_one_offer_rings_at_a_time() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s offer suzuki step=1
        t=3s accept sato
        t=4s offer suzuki step=1
        ",
        expect![[r#"
            t=0 arrive voice          => queued
            t=1s offer sato step=0    => offered sato step=0 | ring sato step=0
            t=2s offer suzuki step=1  !! offer rejected while offered: an offer to sato is still open
            t=3s accept sato          => accepted sato | offer sato accepted
            t=4s offer suzuki step=1  !! offer rejected while accepted: an offer to sato is still open
            ---
            voice customer=-: accepted sato
            arrived=0s first-offered=1s connected=- hold=0s ended=-
            offer sato step=0 at 1s: accepted at 3s
        "#]],
    );
}

#[test]
fn a_connected_call_takes_no_offers_without_a_transfer() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=3s offer suzuki step=1
        t=4s connected sato
        ",
        expect![[r#"
            t=0 arrive voice          => queued
            t=1s offer sato step=0    => offered sato step=0 | ring sato step=0
            t=2s connected sato       => connected sato | offer sato accepted, sato joined
            t=3s offer suzuki step=1  !! offer rejected while connected: sato is already connected
            t=4s connected sato       !! connected rejected while connected: sato is already connected
            ---
            voice customer=-: connected sato
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
        "#]],
    );
}

#[test]
fn hold_and_resume_belong_to_the_connected_agent() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=3s hold suzuki
        t=4s resume sato
        t=5s hold sato
        t=6s hold sato
        ",
        expect![[r#"
            t=0 arrive voice        => queued
            t=1s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=2s connected sato     => connected sato | offer sato accepted, sato joined
            t=3s hold suzuki        !! hold rejected while connected: suzuki is not the connected agent
            t=4s resume sato        !! resume rejected while connected: the customer is not on hold
            t=5s hold sato          => held sato | hold started
            t=6s hold sato          !! hold rejected while held: the customer is already on hold
            ---
            voice customer=-: held sato
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
        "#]],
    );
}

#[test]
fn transfers_must_make_sense() {
    check(
        "
        t=0 arrive voice
        t=1s transfer sato to=agent:tanaka
        t=2s offer sato step=0
        t=3s connected sato
        t=4s transfer sato to=agent:sato
        t=5s cancel-transfer
        t=6s external-answered
        t=7s transfer sato to=agent:tanaka
        t=8s transfer sato to=team:billing
        t=9s offer suzuki step=0
        t=10s offer sato step=0
        ",
        expect![[r#"
            t=0 arrive voice                    => queued
            t=1s transfer sato to=agent:tanaka  !! request_transfer rejected while queued: no agent is connected
            t=2s offer sato step=0              => offered sato step=0 | ring sato step=0
            t=3s connected sato                 => connected sato | offer sato accepted, sato joined
            t=4s transfer sato to=agent:sato    !! request_transfer rejected while connected: an agent cannot transfer to themselves
            t=5s cancel-transfer                !! cancel_transfer rejected while connected: no transfer is in progress
            t=6s external-answered              !! external_answered rejected while connected: no transfer is in progress
            t=7s transfer sato to=agent:tanaka  => connected sato (transfer pending) | transfer sato -> agent:tanaka, needs agent of agent:tanaka
            t=8s transfer sato to=team:billing  !! request_transfer rejected while connected: a transfer is already in progress
            t=9s offer suzuki step=0            !! offer rejected while connected: the transfer in progress is addressed to agent:tanaka
            t=10s offer sato step=0             !! offer rejected while connected: the transfer in progress is addressed to agent:tanaka
            ---
            voice customer=-: connected sato (transfer pending)
            arrived=0s first-offered=2s connected=3s hold=0s ended=-
            offer sato step=0 at 2s: accepted at 3s, connected at 3s
            transfer sato -> agent:tanaka at 7s: pending
        "#]],
    );
}

#[test]
fn a_transfer_to_a_number_takes_no_agent_offers() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=3s transfer sato to=number:+81355550199
        t=4s offer tanaka step=0
        ",
        expect![[r#"
            t=0 arrive voice                           => queued
            t=1s offer sato step=0                     => offered sato step=0 | ring sato step=0
            t=2s connected sato                        => connected sato | offer sato accepted, sato joined
            t=3s transfer sato to=number:+81355550199  => connected sato (transfer pending) | transfer sato -> number:+81355550199
            t=4s offer tanaka step=0                   !! offer rejected while connected: the transfer in progress is addressed to number:+81355550199
            ---
            voice customer=-: connected sato (transfer pending)
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
            transfer sato -> number:+81355550199 at 3s: pending
        "#]],
    );
}

#[test]
fn fallback_is_only_for_contacts_no_agent_has_taken() {
    check(
        "
        t=0 arrive voice
        t=1s offer sato step=0
        t=2s connected sato
        t=3s fallback +81355550100
        ",
        expect![[r#"
            t=0 arrive voice            => queued
            t=1s offer sato step=0      => offered sato step=0 | ring sato step=0
            t=2s connected sato         => connected sato | offer sato accepted, sato joined
            t=3s fallback +81355550100  !! fall_back rejected while connected: an agent is already connected; transfer to a number instead
            ---
            voice customer=-: connected sato
            arrived=0s first-offered=1s connected=2s hold=0s ended=-
            offer sato step=0 at 1s: accepted at 2s, connected at 2s
        "#]],
    );
}

#[test]
fn a_late_clock_never_records_time_running_backwards() {
    check(
        "
        t=0 arrive voice
        t=10s offer sato step=0
        t=5s accept sato
        t=12s connected sato
        t=11s customer-hangup
        ",
        expect![[r#"
            t=0 arrive voice         => queued
            t=10s offer sato step=0  => offered sato step=0 | ring sato step=0
            t=5s accept sato         => accepted sato | offer sato accepted
            t=12s connected sato     => connected sato | sato joined
            t=11s customer-hangup    => completed by customer | sato left, ended
            ---
            voice customer=-: completed by customer
            arrived=0s first-offered=10s connected=12s hold=0s ended=12s
            offer sato step=0 at 10s: accepted at 10s, connected at 12s
        "#]],
    );
}

#[test]
fn a_rejected_event_leaves_the_record_untouched() {
    let id = InteractionId::new("i1").unwrap_or_else(|e| panic!("{e}"));
    let sato = AgentId::new("sato").unwrap_or_else(|e| panic!("{e}"));
    let mut interaction = Interaction::arrive(id, Channel::Voice, None, Timestamp(0));
    let offered = interaction.handle(
        Timestamp(1000),
        Event::Offer {
            agent: sato.clone(),
            step: 0,
        },
    );
    assert!(offered.is_ok());
    let before = interaction.clone();
    let rejected = interaction.handle(Timestamp(9000), Event::Hold { agent: sato });
    assert!(rejected.is_err());
    assert_eq!(interaction, before);
}

#[test]
fn the_record_persists_as_json_and_comes_back_equal() {
    let id = InteractionId::new("i1").unwrap_or_else(|e| panic!("{e}"));
    let sato = AgentId::new("sato").unwrap_or_else(|e| panic!("{e}"));
    let mut interaction = Interaction::arrive(id, Channel::Voice, None, Timestamp(0));
    for (t, event) in [
        (
            1000,
            Event::Offer {
                agent: sato.clone(),
                step: 0,
            },
        ),
        (
            2000,
            Event::Connected {
                agent: sato.clone(),
            },
        ),
        (3000, Event::Hold { agent: sato }),
    ] {
        assert!(interaction.handle(Timestamp(t), event).is_ok());
    }
    let json = serde_json::to_string_pretty(&interaction).unwrap_or_default();
    expect![[r#"
        {
          "id": "i1",
          "channel": "voice",
          "customer": null,
          "state": {
            "state": "held",
            "agent": "sato",
            "transfer": null
          },
          "offers": [
            {
              "agent": "sato",
              "step": 0,
              "via_transfer": false,
              "offered_at": 1000,
              "outcome": "accepted",
              "decided_at": 2000,
              "connected_at": 2000
            }
          ],
          "transfers": [],
          "timeline": {
            "arrived_at": 0,
            "first_offered_at": 1000,
            "connected_at": 2000,
            "hold_total": 0,
            "held_since": 3000,
            "ended_at": null,
            "last_event_at": 3000
          }
        }"#]]
    .assert_eq(&json);
    let back: Result<Interaction, _> = serde_json::from_str(&json);
    assert_eq!(back.ok(), Some(interaction));
}
