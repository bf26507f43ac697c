//! Snapshots of the payloads and of a fixed signature vector; properties of the retry schedule.

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::{AgentId, Channel, InteractionId, TeamId, TenantId, Timestamp};
use tsunagu_stitch::{
    AgentResponded, AgentResponse, CallEvent, CallEventKind, ContactRef, ConversationDirection,
    ConversationStarted, Mark, OfferStep, Offered, Queued, WrapUpEnded, stitch,
};

use crate::{
    Attempt, EventType, EventTypes, MissedReason, RetryPolicy, SignatureError, WebhookEvent,
    delivery_id, event::missed_reason, sign, signature_header, verify,
};

fn tenant() -> TenantId {
    TenantId::new("acme").expect("valid tenant")
}

fn contact() -> ContactRef {
    ContactRef::Interaction(InteractionId::new("i-1").expect("valid interaction"))
}

fn agent() -> AgentId {
    AgentId::new("sato").expect("valid agent")
}

fn event(kind: CallEventKind) -> CallEvent {
    CallEvent {
        dedup_key: None,
        kind,
    }
}

fn started(at: u64) -> CallEvent {
    event(CallEventKind::ConversationStarted(ConversationStarted {
        interaction: InteractionId::new("i-1").expect("valid interaction"),
        root_call_sid: None,
        customer: None,
        customer_number: Some("+81312345678".into()),
        channel: Channel::WebCall,
        direction: ConversationDirection::Inbound,
        at: Timestamp(at),
    }))
}

fn offered(at: u64) -> CallEvent {
    event(CallEventKind::Offered(Offered {
        contact: contact(),
        leg_call_sid: None,
        agent: agent(),
        team: Some(TeamId::new("sales").expect("valid team")),
        step: OfferStep::Team,
        at: Timestamp(at),
    }))
}

fn accepted(at: u64) -> CallEvent {
    event(CallEventKind::AgentResponded(AgentResponded {
        contact: contact(),
        leg_call_sid: None,
        agent: agent(),
        response: AgentResponse::Accepted,
        at: Timestamp(at),
    }))
}

fn ended(at: u64) -> CallEvent {
    event(CallEventKind::Ended(Mark {
        contact: contact(),
        at: Timestamp(at),
    }))
}

fn wrap_up(at: u64) -> CallEvent {
    event(CallEventKind::WrapUpEnded(WrapUpEnded {
        contact: contact(),
        agent: agent(),
        disposition: Some("商談化".into()),
        notes: Some("折り返し希望 / call back".into()),
        at: Timestamp(at),
    }))
}

fn derived(events: &[CallEvent]) -> Vec<WebhookEvent> {
    events
        .iter()
        .filter_map(|event| WebhookEvent::from_call_event(&tenant(), event))
        .collect()
}

#[test]
fn center_events_become_ringing_answered_and_wrap_up() {
    let bodies: Vec<String> = derived(&[
        started(1_000),
        offered(1_100),
        accepted(1_900),
        ended(60_000),
        wrap_up(90_000),
    ])
    .iter()
    .map(WebhookEvent::body)
    .collect();
    expect![[r#"
        {"id":"evt_ad1a837419e4acda6ef7b78fedd7a715","type":"call.ringing","tenant":"acme","occurred_at":1100,"data":{"contact":{"interaction":"i-1"},"agent":"sato","team":"sales","step":"team"}}
        {"id":"evt_3ee08131794ae5f1ab15bf3f6fd5c546","type":"call.answered","tenant":"acme","occurred_at":1900,"data":{"contact":{"interaction":"i-1"},"agent":"sato"}}
        {"id":"evt_803fa3dd99ec40def4d17dbf7355dbaf","type":"wrap_up.saved","tenant":"acme","occurred_at":90000,"data":{"contact":{"interaction":"i-1"},"agent":"sato","outcome":"商談化","notes":"折り返し希望 / call back"}}
    "#]]
    .assert_eq(&(bodies.join("\n") + "\n"));
}

#[test]
fn an_ended_answered_call_is_ended_and_not_missed() {
    let stitched = stitch(
        &tenant(),
        &[
            started(1_000),
            offered(1_100),
            accepted(1_900),
            ended(60_000),
        ],
    );
    let conversation = &stitched.conversations[0];
    let events = WebhookEvent::from_ended_conversation(&tenant(), conversation);
    let kinds: Vec<EventType> = events.iter().map(|event| event.kind).collect();
    assert_eq!(kinds, [EventType::CallEnded]);
    let body: serde_json::Value = serde_json::from_str(&events[0].body()).expect("json");
    expect![[r#"
        {"answered_by":"sato","ended_at":60000,"interaction":"i-1","outcome":"answered","type":"call.ended"}"#]]
    .assert_eq(
        &serde_json::json!({
            "type": body["type"],
            "interaction": body["data"]["conversation"]["interaction"],
            "answered_by": body["data"]["conversation"]["answered_by"],
            "ended_at": body["data"]["conversation"]["ended_at"],
            "outcome": body["data"]["conversation"]["outcome"],
        })
        .to_string(),
    );
}

#[test]
fn an_abandoned_call_is_missed_with_its_reason() {
    let queued = event(CallEventKind::Queued(Queued {
        contact: contact(),
        queue: Some("support".into()),
        at: Timestamp(1_200),
    }));
    let in_queue = stitch(&tenant(), &[started(1_000), queued, ended(30_000)]);
    let rung = stitch(&tenant(), &[started(1_000), offered(1_100), ended(30_000)]);
    let nothing = stitch(&tenant(), &[started(1_000), ended(30_000)]);
    let reasons: Vec<Option<MissedReason>> = [in_queue, rung, nothing]
        .iter()
        .map(|stitched| missed_reason(&stitched.conversations[0]))
        .collect();
    assert_eq!(
        reasons,
        [
            Some(MissedReason::AbandonedInQueue),
            Some(MissedReason::Unanswered),
            Some(MissedReason::NotRouted)
        ]
    );
    let nothing = stitch(&tenant(), &[started(1_000), ended(30_000)]);
    let kinds: Vec<&str> =
        WebhookEvent::from_ended_conversation(&tenant(), &nothing.conversations[0])
            .iter()
            .map(|event| event.kind.as_str())
            .collect();
    assert_eq!(kinds, ["call.ended", "call.missed"]);
}

#[test]
fn a_conversation_still_going_has_no_events() {
    let stitched = stitch(&tenant(), &[started(1_000), offered(1_100)]);
    assert!(
        WebhookEvent::from_ended_conversation(&tenant(), &stitched.conversations[0]).is_empty()
    );
}

#[test]
fn event_ids_are_stable_and_distinct() {
    let first = derived(&[offered(1_100), accepted(1_900)]);
    let again = derived(&[offered(1_100), accepted(1_900)]);
    assert_eq!(first, again);
    assert_ne!(first[0].id, first[1].id);
    assert_ne!(first[0].id, derived(&[offered(1_101)])[0].id);
}

#[test]
fn delivery_ids_depend_on_subscription_and_event() {
    expect!["dlv_35ab40555700570f39678ddd29ec7297"].assert_eq(&delivery_id("wh_1", "evt_1"));
    assert_eq!(delivery_id("wh_1", "evt_1"), delivery_id("wh_1", "evt_1"));
    assert_ne!(delivery_id("wh_1", "evt_1"), delivery_id("wh_2", "evt_1"));
    assert_ne!(delivery_id("wh_1", "evt_1"), delivery_id("wh_1", "evt_2"));
}

// The fixed vector: the Node test (tests/worker/crm-webhooks.test.mjs) recomputes it with
// node:crypto, so the two implementations cannot drift apart.
const VECTOR_SECRET: &[u8] = b"whsec_test_0123456789abcdef";
const VECTOR_TIME: u64 = 1_767_225_600;
const VECTOR_BODY: &[u8] = br#"{"id":"evt_1","type":"call.ringing"}"#;

#[test]
fn signature_of_the_fixed_vector() {
    expect!["t=1767225600,v1=5e5edaf656f3e17887f8eeee088e8177d186a1bde51e4c272032dffccbd85456"]
        .assert_eq(&signature_header(VECTOR_SECRET, VECTOR_TIME, VECTOR_BODY));
}

#[test]
fn verification_accepts_the_signature_and_refuses_changes() {
    let header = signature_header(VECTOR_SECRET, VECTOR_TIME, VECTOR_BODY);
    assert_eq!(
        verify(VECTOR_SECRET, &header, VECTOR_BODY, VECTOR_TIME + 10, 300),
        Ok(())
    );
    assert_eq!(
        verify(b"another secret", &header, VECTOR_BODY, VECTOR_TIME, 300),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(VECTOR_SECRET, &header, b"{}", VECTOR_TIME, 300),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(VECTOR_SECRET, &header, VECTOR_BODY, VECTOR_TIME + 301, 300),
        Err(SignatureError::Stale)
    );
    for malformed in ["", "t=1", "v1=00", "t=x,v1=00", "garbage", "t=1,v1=zz"] {
        assert_eq!(
            verify(VECTOR_SECRET, malformed, VECTOR_BODY, 1, 300),
            Err(SignatureError::Malformed),
            "{malformed}"
        );
    }
    // A header with signatures under an old and the new secret (a rotation) verifies.
    let rotated = format!(
        "{header},v1={}",
        sign(b"old secret", VECTOR_TIME, VECTOR_BODY)
    );
    assert_eq!(
        verify(VECTOR_SECRET, &rotated, VECTOR_BODY, VECTOR_TIME, 300),
        Ok(())
    );
}

#[test]
fn event_types_round_trip_their_stored_form() {
    let set: EventTypes = [EventType::WrapUpSaved, EventType::CallRinging]
        .into_iter()
        .collect();
    expect!["call.ringing,wrap_up.saved"].assert_eq(&set.to_csv());
    assert_eq!(EventTypes::from_csv(&set.to_csv()), set);
    assert_eq!(
        EventTypes::from_csv(&EventTypes::all().to_csv()),
        EventTypes::all()
    );
    assert!(EventTypes::from_csv("message.created").is_empty());
}

#[test]
fn the_default_schedule_backs_off_to_the_hour_and_stops_after_a_day() {
    let policy = RetryPolicy::DEFAULT;
    let waits: Vec<u64> = (1..=11)
        .map(|failures| policy.delay_ms(failures) / 1000)
        .collect();
    expect!["[10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]"]
        .assert_eq(&format!("{waits:?}"));
    let mut now = 0;
    let mut failures = 0;
    while let Attempt::RetryAt(at) = policy.after_failure(failures + 1, 0, now) {
        failures += 1;
        now = at;
    }
    expect!["attempts 33, last at 86400 s"].assert_eq(&format!(
        "attempts {}, last at {} s",
        failures + 1,
        now / 1000
    ));
}

proptest! {
    #[test]
    fn retries_stay_within_the_window_and_back_off(
        base_ms in 1u64..100_000,
        cap_extra in 0u64..10_000_000,
        window in 0u64..200_000_000,
        first in 0u64..1_000_000_000_000,
        elapsed in 0u64..300_000_000,
        failures in 0u32..200,
    ) {
        let policy = RetryPolicy { base_ms, cap_ms: base_ms + cap_extra, give_up_after_ms: window };
        let now = first + elapsed;
        match policy.after_failure(failures, first, now) {
            Attempt::RetryAt(at) => {
                prop_assert!(elapsed < window);
                prop_assert!(at > now);
                prop_assert!(at <= first + window);
                prop_assert!(at - now <= policy.cap_ms);
            }
            Attempt::DeadLetter => prop_assert!(elapsed >= window),
        }
        prop_assert!(policy.delay_ms(failures + 1) >= policy.delay_ms(failures));
        prop_assert!(policy.delay_ms(failures) <= policy.cap_ms);
    }
}

#[test]
fn a_conversation_ends_once_whatever_is_stitched_in_later() {
    let before = stitch(
        &tenant(),
        &[
            started(1_000),
            offered(1_100),
            accepted(1_900),
            ended(60_000),
        ],
    );
    let after = stitch(
        &tenant(),
        &[
            started(1_000),
            offered(1_100),
            accepted(1_900),
            ended(60_000),
            wrap_up(90_000),
        ],
    );
    let first = WebhookEvent::from_ended_conversation(&tenant(), &before.conversations[0]);
    let second = WebhookEvent::from_ended_conversation(&tenant(), &after.conversations[0]);
    assert_ne!(first[0].body(), second[0].body());
    assert_eq!(first[0].id, second[0].id);
}
