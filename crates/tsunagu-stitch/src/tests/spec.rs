//! Spec scenarios: a script of callbacks and application events in, the stitched conversation out.

use expect_test::{Expect, expect};

use super::*;
use crate::{IngestOutcome, Stitcher, stitch};

/// Stitches `events` and compares the rendering. Every scenario also checks that feeding the
/// events backwards, one at a time, gives the very same value.
#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as check(events, expect![..]) without a `&`"
)]
fn check(events: &[CallEvent], expect: Expect) {
    let stitched = stitch(&crate::tests::tenant(), events);
    let mut stitcher = Stitcher::new(crate::tests::tenant());
    for event in events.iter().rev() {
        stitcher.ingest(event.clone());
    }
    assert_eq!(stitcher.stitched(), stitched, "reversed, incremental");
    expect.assert_eq(&render(&stitched));
}

#[test]
fn seed_story_is_one_conversation_with_three_agent_legs_and_the_recording() {
    check(
        &seed_story(),
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+171s outcome: answered
              answered_by=takahashi at=+50s waited=50s team=support queue=- queued=0s
              talk=120s hold=0s wrap_up=30s
              agent sato [owner] no_answer: offered=+1s ringing=+2s answered=- ended=+22s CA-sato
              agent suzuki [team] no_answer: offered=+22s ringing=+23s answered=- ended=+43s CA-suzuki
              agent takahashi [team] answered: offered=+43s ringing=+44s answered=+50s ended=+170s talk=120s hold=0s wrap_up=30s (resolved) CA-takahashi
              recording RE1 on CA-root completed duration=120s channels=2 url=https://api.twilio.com/rec/RE1
        "#]],
    );
}

#[test]
fn any_arrival_order_gives_the_same_conversation() {
    let story = seed_story();
    let expected = stitch(&crate::tests::tenant(), &story);
    // Interleave from both ends: last, first, second to last, second, ...
    let mut shuffled = Vec::new();
    let (mut low, mut high) = (0, story.len());
    while low < high {
        high -= 1;
        shuffled.push(story[high].clone());
        if low < high {
            shuffled.push(story[low].clone());
            low += 1;
        }
    }
    assert_ne!(shuffled, story);
    assert_eq!(stitch(&crate::tests::tenant(), &shuffled), expected);
}

#[test]
fn retried_callbacks_are_recognised_and_change_nothing() {
    let story = seed_story();
    let mut stitcher = Stitcher::new(crate::tests::tenant());
    for event in &story {
        stitcher.ingest(event.clone());
    }
    // Twilio retries a status callback verbatim (same SequenceNumber), a dial action callback
    // arrives again with a later receive time, and the application re-sends an event with its
    // id; only the last, a genuinely new hold, is news.
    let mut late_dial = dial("CA-takahashi", "completed", Some(120), 173);
    late_dial.dedup_key = Some(crate::DedupKey("retry-2".to_owned()));
    let mut hold_once = mark(CallEventKind::Hold, 60);
    hold_once.dedup_key = Some(crate::DedupKey("evt-7".to_owned()));
    let mut hold_again = mark(CallEventKind::Hold, 61);
    hold_again.dedup_key = Some(crate::DedupKey("evt-7".to_owned()));
    let outcomes: Vec<IngestOutcome> = [
        agent_leg("CA-sato", "sato", "ringing", 1, 2),
        late_dial,
        recording("completed", 175),
        hold_once,
        hold_again,
    ]
    .into_iter()
    .map(|event| stitcher.ingest(event))
    .collect();
    expect!["[Duplicate, Duplicate, Duplicate, Inserted, Duplicate]"]
        .assert_eq(&format!("{outcomes:?}"));
    let with_hold: Vec<CallEvent> = story
        .iter()
        .cloned()
        .chain(
            stitcher
                .events()
                .filter(|e| matches!(e.kind, CallEventKind::Hold(_)))
                .cloned(),
        )
        .collect();
    assert_eq!(
        stitcher.stitched(),
        stitch(&crate::tests::tenant(), &with_hold)
    );
    assert_eq!(stitcher.len(), story.len() + 1);
}

#[test]
fn recording_that_arrives_before_the_call_ends_is_already_linked() {
    let story = seed_story();
    let mut stitcher = Stitcher::new(crate::tests::tenant());
    for event in story.iter().take(16) {
        stitcher.ingest(event.clone());
    }
    stitcher.ingest(recording("in-progress", 50));
    stitcher.ingest(recording("completed", 169));
    expect![[r#"
        interaction:I1 voice inbound customer=alice number=+819012345678
          root=CA-root started=+0s ended=- outcome: answered
          answered_by=takahashi at=+50s waited=50s team=support queue=- queued=0s
          talk=0s hold=0s wrap_up=0s
          agent sato [owner] no_answer: offered=+1s ringing=+2s answered=- ended=+22s CA-sato
          agent suzuki [team] no_answer: offered=+22s ringing=+23s answered=- ended=+43s CA-suzuki
          agent takahashi [team] answered: offered=+43s ringing=+44s answered=+50s ended=- talk=0s hold=0s CA-takahashi
          recording RE1 on CA-root completed duration=120s channels=2 url=https://api.twilio.com/rec/RE1
    "#]]
    .assert_eq(&render(&stitcher.stitched()));
    for event in story.iter().skip(16) {
        stitcher.ingest(event.clone());
    }
    let mut with_progress = story;
    with_progress.push(recording("in-progress", 50));
    with_progress.push(recording("completed", 169));
    assert_eq!(
        stitcher.stitched(),
        stitch(&crate::tests::tenant(), &with_progress)
    );
    let done = &stitcher.stitched().conversations[0];
    assert_eq!(done.talk_time, Millis::from_secs(120));
    assert_eq!(done.recordings.len(), 1);
}

#[test]
fn caller_who_hangs_up_in_the_queue_is_abandoned() {
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            queued(5),
            lasting(root_leg("completed", 1, 35), 35),
            recording("absent", 36),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+35s outcome: abandoned after 35s
              answered_by=- at=- waited=- team=- queue=support queued=30s
              talk=0s hold=0s wrap_up=0s
              recording RE1 on CA-root absent duration=- channels=2 url=-
        "#]],
    );
}

#[test]
fn twilio_whole_seconds_never_start_a_conversation_before_the_center_heard_of_it() {
    // The center heard of the call 1.5 s in; Twilio's callbacks name whole seconds, and the
    // answer derived from the 7 s `CallDuration` (ended at +8 s) lands at +1 s, before that.
    check(
        &[
            started_at(Timestamp(T0 + 1_500)),
            root_leg("ringing", 0, 1),
            queued(2),
            lasting(root_leg("completed", 1, 8), 7),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+1500ms ended=+8s outcome: abandoned after 6500ms
              answered_by=- at=- waited=- team=- queue=support queued=6s
              talk=0s hold=0s wrap_up=0s
        "#]],
    );
}

#[test]
fn caller_who_hangs_up_while_an_agent_rings_is_abandoned_and_the_ring_canceled() {
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-sato", "sato", "ringing", 0, 2),
            agent_leg("CA-sato", "sato", "canceled", 1, 4),
            lasting(root_leg("completed", 1, 4), 4),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+4s outcome: abandoned after 4s
              answered_by=- at=- waited=- team=support queue=- queued=0s
              talk=0s hold=0s wrap_up=0s
              agent sato [owner] canceled: offered=+1s ringing=+2s answered=- ended=+4s CA-sato
        "#]],
    );
}

#[test]
fn transfer_keeps_both_agents_in_one_conversation() {
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-a", "sato", "ringing", 0, 2),
            agent_leg("CA-a", "sato", "in-progress", 1, 5),
            mark(CallEventKind::Hold, 30),
            mark(CallEventKind::Unhold, 40),
            transferred("sato", "suzuki", None, 60),
            lasting(agent_leg("CA-a", "sato", "completed", 2, 62), 57),
            offered("suzuki", OfferStep::Transfer, 60),
            agent_leg("CA-b", "suzuki", "ringing", 0, 61),
            agent_leg("CA-b", "suzuki", "in-progress", 1, 63),
            lasting(agent_leg("CA-b", "suzuki", "completed", 2, 123), 60),
            lasting(root_leg("completed", 1, 123), 123),
            wrapped("sato", "transferred", 70),
            wrapped("suzuki", "resolved", 153),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+123s outcome: answered
              answered_by=sato at=+5s waited=5s team=support queue=- queued=0s
              talk=107s hold=10s wrap_up=38s
              agent sato [owner] answered: offered=+1s ringing=+2s answered=+5s ended=+62s talk=47s hold=10s wrap_up=8s (transferred) CA-a
              agent suzuki [transfer] answered: offered=+60s ringing=+61s answered=+63s ended=+123s talk=60s hold=0s wrap_up=30s (resolved) CA-b
              transfer sato -> agent suzuki at +60s
        "#]],
    );
}

#[test]
fn consult_call_named_by_the_transfer_joins_the_conversation() {
    // sato holds Alice and calls suzuki from the widget (a call tree of its own, From=client:sato),
    // then transfers: Alice's call is redirected to ring suzuki.
    let consult = |status: &str, seq: u32, secs: u64| {
        leg_status(
            "CA-consult",
            None,
            LegDirection::Inbound,
            ("client:demo_sato", "client:demo_suzuki"),
            status,
            seq,
            secs,
        )
    };
    let consult_child = |status: &str, seq: u32, secs: u64| {
        leg_status(
            "CA-consult-b",
            Some("CA-consult"),
            LegDirection::OutboundDial,
            ("client:demo_sato", "client:demo_suzuki"),
            status,
            seq,
            secs,
        )
    };
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-a", "sato", "in-progress", 0, 3),
            mark(CallEventKind::Hold, 20),
            consult("in-progress", 0, 21),
            consult_child("in-progress", 0, 25),
            transferred("sato", "suzuki", Some("CA-consult"), 40),
            lasting(consult("completed", 1, 40), 19),
            lasting(consult_child("completed", 1, 40), 15),
            lasting(agent_leg("CA-a", "sato", "completed", 1, 41), 38),
            offered("suzuki", OfferStep::Transfer, 41),
            agent_leg("CA-b", "suzuki", "in-progress", 0, 42),
            mark(CallEventKind::Unhold, 42),
            lasting(agent_leg("CA-b", "suzuki", "completed", 1, 90), 48),
            lasting(root_leg("completed", 1, 90), 90),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+90s outcome: answered
              answered_by=sato at=+3s waited=3s team=support queue=- queued=0s
              talk=65s hold=21s wrap_up=0s
              agent sato [owner] answered: offered=+1s ringing=- answered=+3s ended=+41s talk=17s hold=21s CA-a
              agent sato [-] answered: offered=- ringing=- answered=+21s ended=+40s talk=0s hold=0s consult CA-consult
              agent suzuki [-] answered: offered=- ringing=- answered=+25s ended=+40s talk=0s hold=0s consult CA-consult-b
              agent suzuki [transfer] answered: offered=+41s ringing=- answered=+42s ended=+90s talk=48s hold=0s CA-b
              transfer sato -> agent suzuki at +40s
        "#]],
    );
}

#[test]
fn missed_and_declined_rings_are_told_apart_from_no_answer() {
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-sato", "sato", "ringing", 0, 1),
            responded("sato", AgentResponse::Missed, 6),
            agent_leg("CA-sato", "sato", "canceled", 1, 6),
            offered("suzuki", OfferStep::Team, 6),
            agent_leg("CA-suzuki", "suzuki", "ringing", 0, 6),
            responded("suzuki", AgentResponse::Declined, 8),
            agent_leg("CA-suzuki", "suzuki", "busy", 1, 8),
            offered("takahashi", OfferStep::Anyone, 8),
            agent_leg("CA-takahashi", "takahashi", "in-progress", 0, 11),
            lasting(
                agent_leg("CA-takahashi", "takahashi", "completed", 1, 71),
                60,
            ),
            lasting(root_leg("completed", 1, 71), 71),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+71s outcome: answered
              answered_by=takahashi at=+11s waited=11s team=support queue=- queued=0s
              talk=60s hold=0s wrap_up=0s
              agent sato [owner] missed: offered=+1s ringing=+1s answered=- ended=+6s CA-sato
              agent suzuki [team] declined: offered=+6s ringing=+6s answered=- ended=+8s CA-suzuki
              agent takahashi [anyone] answered: offered=+8s ringing=- answered=+11s ended=+71s talk=60s hold=0s CA-takahashi
        "#]],
    );
}

#[test]
fn nobody_answers_and_the_backup_number_takes_the_call() {
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-sato", "sato", "no-answer", 0, 21),
            leg_status(
                "CA-backup",
                Some(ROOT),
                LegDirection::OutboundDial,
                (OUR_NUMBER, "+819087654321"),
                "in-progress",
                0,
                30,
            ),
            lasting(root_leg("completed", 1, 90), 90),
            dial("CA-backup", "completed", Some(60), 90),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+90s outcome: fallback to +819087654321 (answered: true)
              answered_by=- at=- waited=- team=support queue=- queued=0s
              talk=0s hold=0s wrap_up=0s
              agent sato [owner] no_answer: offered=+1s ringing=- answered=- ended=+21s CA-sato
              number +819087654321 answered: answered=+30s ended=+90s CA-backup
        "#]],
    );
}

#[test]
fn only_completed_callbacks_still_give_answer_and_talk_times() {
    // Without statusCallbackEvent Twilio sends `completed` only; CallDuration counts from the
    // answer, so the answer time is the end minus the duration.
    check(
        &[
            lasting(agent_leg("CA-sato", "sato", "completed", 0, 100), 80),
            lasting(root_leg("completed", 0, 101), 101),
        ],
        expect![[r#"
            call:CA-root voice inbound customer=- number=+819012345678
              root=CA-root started=+0s ended=+101s outcome: answered
              answered_by=sato at=+20s waited=20s team=- queue=- queued=0s
              talk=80s hold=0s wrap_up=0s
              agent sato [-] answered: offered=- ringing=- answered=+20s ended=+100s talk=80s hold=0s CA-sato
        "#]],
    );
}

#[test]
fn click_to_call_from_the_widget_is_outbound_and_reached() {
    let widget = |status: &str, seq: u32, secs: u64| {
        leg_status(
            "CA-out",
            None,
            LegDirection::Inbound,
            ("client:demo_sato", CALLER),
            status,
            seq,
            secs,
        )
    };
    let customer = |status: &str, seq: u32, secs: u64| {
        leg_status(
            "CA-out-c",
            Some("CA-out"),
            LegDirection::OutboundDial,
            (OUR_NUMBER, CALLER),
            status,
            seq,
            secs,
        )
    };
    check(
        &[
            widget("in-progress", 0, 0),
            customer("ringing", 0, 1),
            customer("in-progress", 1, 9),
            lasting(customer("completed", 2, 69), 60),
            lasting(widget("completed", 1, 69), 69),
        ],
        expect![[r#"
            call:CA-out voice outbound customer=- number=+819012345678
              root=CA-out started=+0s ended=+69s outcome: answered
              answered_by=sato at=+9s waited=9s team=- queue=- queued=0s
              talk=60s hold=0s wrap_up=0s
              agent sato [-] answered: offered=- ringing=- answered=+0s ended=+69s talk=60s hold=0s CA-out
              number +819012345678 answered: answered=+9s ended=+69s CA-out-c
        "#]],
    );
    check(
        &[
            widget("in-progress", 0, 0),
            customer("ringing", 0, 1),
            customer("no-answer", 1, 31),
            widget("completed", 1, 32),
        ],
        expect![[r#"
            call:CA-out voice outbound customer=- number=+819012345678
              root=CA-out started=+0s ended=+32s outcome: not_reached
              answered_by=- at=- waited=- team=- queue=- queued=0s
              talk=0s hold=0s wrap_up=0s
              agent sato [-] answered: offered=- ringing=- answered=+0s ended=+32s talk=0s hold=0s CA-out
              number +819012345678 no_answer: answered=- ended=+31s CA-out-c
        "#]],
    );
}

#[test]
fn chat_without_twilio_is_stitched_from_application_events() {
    let mut start = started(0);
    if let CallEventKind::ConversationStarted(s) = &mut start.kind {
        s.root_call_sid = None;
        s.channel = Channel::Chat;
        s.customer_number = None;
    }
    check(
        &[
            start,
            offered("sato", OfferStep::Owner, 2),
            responded("sato", AgentResponse::Accepted, 12),
            mark(CallEventKind::Ended, 300),
            wrapped("sato", "resolved", 320),
        ],
        expect![[r#"
            interaction:I1 chat inbound customer=alice number=-
              root=- started=+0s ended=+300s outcome: answered
              answered_by=sato at=+12s waited=12s team=support queue=- queued=0s
              talk=288s hold=0s wrap_up=20s
              agent sato [owner] answered: offered=+2s ringing=- answered=+12s ended=+300s talk=288s hold=0s wrap_up=20s (resolved) (no leg)
        "#]],
    );
}

#[test]
fn events_nobody_can_place_become_warnings() {
    check(
        &[
            agent_leg("CA-orphan", "sato", "ringing", 0, 1),
            leg_status(
                "CA-x",
                Some("CA-ghost"),
                LegDirection::OutboundDial,
                (CALLER, "client:demo_sato"),
                "no-answer",
                1,
                2,
            ),
            recording("completed", 3),
            mark(CallEventKind::Hold, 4),
        ],
        expect![[r#"
            warning: leg CA-orphan names parent CA-root, but no root leg or conversation start leads to it
            warning: leg CA-x names parent CA-ghost, but no root leg or conversation start leads to it
            warning: recording RE1 is for call CA-root, which belongs to no known conversation
            warning: hold names interaction I1, which belongs to no known conversation
        "#]],
    );
}

#[test]
fn the_warning_goes_away_once_the_parent_arrives() {
    let orphan = agent_leg("CA-sato", "sato", "ringing", 0, 1);
    let mut stitcher = Stitcher::new(crate::tests::tenant());
    stitcher.ingest(orphan);
    assert_eq!(stitcher.stitched().warnings.len(), 1);
    stitcher.ingest(root_leg("ringing", 0, 0));
    let stitched = stitcher.stitched();
    assert!(stitched.warnings.is_empty(), "{:?}", stitched.warnings);
    assert_eq!(stitched.conversations.len(), 1);
}

#[test]
fn odd_inputs_are_reported_not_fatal() {
    let mut second_start = started(1);
    if let CallEventKind::ConversationStarted(s) = &mut second_start.kind {
        s.interaction = InteractionId::new("I2").expect("valid");
    }
    check(
        &[
            started(0),
            second_start,
            root_leg("ringing", 0, 0),
            leg_status(
                "CA-bad",
                Some(ROOT),
                LegDirection::OutboundDial,
                (CALLER, "client:佐藤"),
                "no-answer",
                0,
                20,
            ),
            // Another tenant's sato, on the same Twilio account: not this tenant's agent.
            leg_status(
                "CA-foreign",
                Some(ROOT),
                LegDirection::OutboundDial,
                (CALLER, "client:acmeXjp_sato"),
                "no-answer",
                0,
                21,
            ),
            dial("CA-silent", "no-answer", None, 20),
            wrapped("suzuki", "resolved", 30),
            lasting(root_leg("completed", 1, 25), 25),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+25s outcome: fallback to client:佐藤 (answered: false)
              answered_by=- at=- waited=- team=- queue=- queued=0s
              talk=0s hold=0s wrap_up=0s
              number client:佐藤 no_answer: answered=- ended=+20s CA-bad
              number client:acmeXjp_sato no_answer: answered=- ended=+21s CA-foreign
            warning: leg CA-silent has no status callback, so who it rang is unknown; it was left out
            warning: leg CA-bad rings `佐藤`, which is not an agent's client identity; kept as a number
            warning: leg CA-foreign rings `acmeXjp_sato`, another tenant's agent; kept as a number
            warning: interaction:I1 was also started as interaction:I2; both are one conversation
            warning: interaction:I1: wrap-up of suzuki has no answered leg to follow; it was left out
        "#]],
    );
}

#[test]
fn stitched_conversations_round_trip_through_json() {
    let stitched = stitch(&crate::tests::tenant(), &seed_story());
    let json = serde_json::to_string(&stitched).expect("serializes");
    let back: crate::Stitched = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, stitched);
    let event_json = serde_json::to_string(&seed_story()).expect("serializes");
    let events: Vec<CallEvent> = serde_json::from_str(&event_json).expect("deserializes");
    assert_eq!(events, seed_story());
}

#[test]
fn twilio_spellings_parse_and_unknown_ones_are_kept() {
    let parsed = format!(
        "{:?} {:?} {:?} {:?} {:?}",
        CallStatus::from_twilio("no-answer"),
        CallStatus::from_twilio("answered-by-robot"),
        DialStatus::from_twilio("canceled"),
        RecordingStatus::from_twilio("absent"),
        LegDirection::from_twilio("trunking-originating"),
    );
    expect![[
        r#"NoAnswer Unknown("answered-by-robot") Canceled Absent Other("trunking-originating")"#
    ]]
    .assert_eq(&parsed);
    expect![[r#"Err(InvalidCharacter { kind: "call sid" })"#]]
        .assert_eq(&format!("{:?}", CallSid::new("CA 1")));
}

#[test]
fn a_hold_that_parks_the_caller_between_two_legs_of_the_agent_is_their_hold_time() {
    // The caller's call is redirected to hold music, which ends sato's phone leg; taking the
    // caller back rings sato again.
    check(
        &[
            started(0),
            root_leg("ringing", 0, 0),
            offered("sato", OfferStep::Owner, 1),
            agent_leg("CA-a", "sato", "ringing", 0, 2),
            agent_leg("CA-a", "sato", "in-progress", 1, 5),
            mark(CallEventKind::Hold, 30),
            lasting(agent_leg("CA-a", "sato", "completed", 2, 31), 26),
            mark(CallEventKind::Unhold, 60),
            agent_leg("CA-b", "sato", "ringing", 0, 61),
            agent_leg("CA-b", "sato", "in-progress", 1, 62),
            lasting(agent_leg("CA-b", "sato", "completed", 2, 100), 38),
            lasting(root_leg("completed", 1, 100), 100),
        ],
        expect![[r#"
            interaction:I1 voice inbound customer=alice number=+819012345678
              root=CA-root started=+0s ended=+100s outcome: answered
              answered_by=sato at=+5s waited=5s team=support queue=- queued=0s
              talk=63s hold=30s wrap_up=0s
              agent sato [owner] answered: offered=+1s ringing=+2s answered=+5s ended=+31s talk=25s hold=30s CA-a
              agent sato [-] answered: offered=- ringing=+61s answered=+62s ended=+100s talk=38s hold=0s CA-b
        "#]],
    );
}
