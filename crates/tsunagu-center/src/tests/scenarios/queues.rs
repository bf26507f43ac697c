//! Stories of named queues: a line's queue rings by its own ladder, counts places among its own
//! callers, overflows where it says (another queue, voicemail), offers a callback that keeps the
//! caller's place; and a line's own after-hours rule.

use std::collections::BTreeMap;

use tsunagu_core::TeamId;
use tsunagu_routing::{Ladder, Step, Target};

use super::*;
use crate::{AfterHours, CallQueue, CenterConfig, Overflow, QueueId, VoicemailRule};

fn queue(id: &str, team: &str) -> CallQueue {
    CallQueue {
        id: QueueId::new(id).unwrap_or_else(|| panic!("{id}")),
        name: tsunagu_protocol::Localized {
            ja: "請求窓口".into(),
            en: "Billing".into(),
        },
        ladder: Some(Ladder {
            steps: vec![Step {
                target: Target::Team(TeamId::new(team).unwrap_or_else(|e| panic!("{e}"))),
                timeout: Millis::from_secs(20),
            }],
        }),
        max_wait: Some(Millis::from_secs(60)),
        overflow: Overflow::KeepWaiting,
        announce_position: true,
        hold_music_url: None,
        callback_digit: None,
        required_skills: BTreeMap::new(),
        priority: 0,
        hours: None,
        after_hours: None,
    }
}

fn with_queues(queues: Vec<CallQueue>) -> CenterConfig {
    let mut config = config();
    config.queues = queues
        .into_iter()
        .map(|queue| (queue.id.clone(), queue))
        .collect::<BTreeMap<_, _>>();
    config.validate().unwrap_or_else(|e| panic!("{e}"));
    config
}

fn queued_for(sim: &mut Sim, call: &str, queue: &str) {
    let mut arrival = arrival(call, None, None);
    arrival.queue = QueueId::new(queue);
    sim.arrive(arrival);
}

#[test]
fn a_lines_queue_rings_its_own_team_and_counts_places_among_its_own_callers() {
    let mut sim = Sim::with(with_queues(vec![queue("billing", "support")]));
    sim.connect(1, "sato", &["sales"]);
    sim.connect(2, "tanaka", &["support"]);
    sim.set_away(2, AwayReason::Break);
    // Sato is free, but the billing queue rings support only: the call waits.
    queued_for(&mut sim, "CA1", "billing");
    // A call without a queue goes by the tenant's ladder (anyone): Sato.
    sim.call("CA2", None, None);
    queued_for(&mut sim, "CA3", "billing");
    sim.at(10.0);
    sim.wait("CA3");
    sim.set_available(2);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s connect c2 tanaka ["support"]
          c2 ← welcome tanaka (available); roster: sato available since 0s, tanaka available since 0s
        t=0s c2 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c2 ← status away(break) since 0s
        t=0s call CA1 on Main
          → Enqueue at 1
          record started CA1 customer=-
          record queued CA1
        t=0s call CA2 owner=None team=None
          → Ring sato #1 for 15s
          record started CA2 customer=-
          c1 ← status reserved since 0s
          record offered CA2 to sato (Anyone)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 (no record)
        t=0s call CA3 on Main
          → Enqueue at 2
          record started CA3 customer=-
          record queued CA3
        t=250ms alarm
          all ← roster: sato reserved since 0s, tanaka away(break) since 0s
        t=3s alarm
          c1 ← status away(missed_offer) since 3s
          record sato Missed CA2
          c1 ← offer CA2#1 withdrawn: NotAcknowledged
          record queued CA2
          redirect CA2
        t=3250ms alarm
          all ← roster: sato away(missed_offer) since 3s
        t=10s queue poll CA3
          → Hold at 2, waited 10s
        t=10s c2 says {"type":"set_status","status":{"kind":"available"}}
          c2 ← status available since 10s
          c2 ← status reserved since 10s
          record dequeued CA1
          record offered CA1 to tanaka (Queue)
          c2 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record)
          redirect CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn past_its_longest_wait_a_queue_overflows_to_another_queue_then_to_voicemail() {
    let mut first = queue("billing", "support");
    first.overflow = Overflow::Queue {
        queue: QueueId::new("overflow").unwrap_or_else(|| panic!("id")),
    };
    let mut second = queue("overflow", "sales");
    second.max_wait = Some(Millis::from_secs(30));
    second.announce_position = false;
    second.hold_music_url = Some("https://music.example.jp/hold.mp3".into());
    second.overflow = Overflow::Voicemail(VoicemailRule {
        prompt: None,
        max_length_secs: 60,
    });
    let mut sim = Sim::with(with_queues(vec![first, second]));
    sim.connect(1, "sato", &["sales"]);
    sim.set_away(1, AwayReason::Break);
    queued_for(&mut sim, "CA1", "billing");
    sim.at(61.0);
    sim.wait("CA1");
    sim.at(80.0);
    sim.wait("CA1");
    sim.at(92.0);
    sim.wait("CA1");
    sim.left("CA1", QueueResult::Leave);
    sim.hang_up("CA1");
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 0s
        t=0s call CA1 on Main
          → Enqueue at 1
          record started CA1 customer=-
          record queued CA1
        t=250ms alarm
          all ← roster: sato away(break) since 0s
        t=61s queue poll CA1
          → Hold at 1 (not said), waited 61s, music https://music.example.jp/hold.mp3
          record dequeued CA1
          record queued CA1
        t=80s queue poll CA1
          → Hold at 1 (not said), waited 80s, music https://music.example.jp/hold.mp3
        t=92s queue poll CA1
          → LeaveQueue
          record dequeued CA1
        t=92s queue left CA1 Leave
          → MenuEnd Voicemail { prompt: "ただいま電話に出ることができません。発信音の後に、お名前とご用件をお話しください。", max_length_secs: 60 }
        t=92s caller of CA1 hangs up
          record ended CA1
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_caller_who_presses_the_callback_key_keeps_their_place_and_the_agent_dials_them() {
    let mut billing = queue("billing", "support");
    billing.callback_digit = Some('9');
    let mut sim = Sim::with(with_queues(vec![billing]));
    sim.connect(1, "tanaka", &["support"]);
    sim.set_away(1, AwayReason::Break);
    queued_for(&mut sim, "CA1", "billing");
    queued_for(&mut sim, "CA2", "billing");
    sim.at(5.0);
    sim.wait("CA1");
    // Another key is not the callback key: the caller waits on.
    sim.press("CA1", "1");
    sim.press("CA1", "9");
    sim.left("CA1", QueueResult::Leave);
    sim.hang_up("CA1");
    // The caller is gone but kept their place: the first free agent is offered the callback.
    sim.at(100.0);
    sim.set_available(1);
    sim.ack(1, "CA1", 1);
    sim.send(
        1,
        ClientMessage::AcceptOffer {
            offer: tsunagu_protocol::OfferId {
                interaction: super::super::interaction("CA1"),
                attempt: 1,
            },
        },
    );
    // Reserved for the callback meanwhile: the next caller waits; another number is refused.
    let tanaka = super::super::agent("tanaka");
    assert!(
        sim.center
            .can_dial(sim.now, &tanaka, Some("+81355550101"))
            .is_err()
    );
    sim.place("CA9", "tanaka", "+81312345678");
    expect![[r#"
        t=0s connect c1 tanaka ["support"]
          c1 ← welcome tanaka (available); roster: tanaka available since 0s
        t=0s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 0s
        t=0s call CA1 on Main
          → Enqueue at 1
          record started CA1 customer=-
          record queued CA1
        t=0s call CA2 on Main
          → Enqueue at 2
          record started CA2 customer=-
          record queued CA2
        t=250ms alarm
          all ← roster: tanaka away(break) since 0s
        t=5s queue poll CA1
          → Hold at 1, waited 5s, callback key 9
        t=5s caller of CA1 presses 1
          → Hold at 1, waited 5s, callback key 9
        t=5s caller of CA1 presses 9
          → LeaveQueue
        t=5s queue left CA1 Leave
          → CallbackBooked +81312345678
        t=5s caller of CA1 hangs up
        t=100s c1 says {"type":"set_status","status":{"kind":"available"}}
          c1 ← status available since 100s
          c1 ← status reserved since 100s
          record dequeued CA1
          record offered CA1 to tanaka (Queue)
          c1 ← offer CA1#1 (ring 15s, ack 3s) from +81312345678 (no record)
        t=100s c1 says {"type":"ack_offer","offer":{"interaction":"CA1","attempt":1}}
        t=100s c1 says {"type":"accept_offer","offer":{"interaction":"CA1","attempt":1}}
          c1 ← {"type":"dial_request","to":"+81312345678","to_display":"03-1234-5678","confirm":false}
        t=100s tanaka places CA9 to +81312345678
          record ended CA1
          c1 ← status available since 100s
          record started CA9 customer=-
          c1 ← status on_call since 100s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_line_closed_for_the_night_takes_a_message_by_its_own_rule() {
    let mut config = config();
    let line = "+815012345678";
    // Open Mondays 9–10 only; the stories run on a Thursday.
    let hours = BusinessCalendar {
        weekly: Some(vec![OpeningHours {
            day: Weekday::Mon,
            open: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
            close: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
        }]),
        ..BusinessCalendar::default()
    };
    config.line_hours.insert(line.into(), hours);
    config.line_after_hours.insert(
        line.into(),
        AfterHours::Voicemail(VoicemailRule {
            prompt: Some("本日の受付は終了しました。".into()),
            max_length_secs: 120,
        }),
    );
    config.validate().unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Sim::with(config);
    let mut arrival = arrival("CA1", None, None);
    arrival.called = Some(line.into());
    sim.arrive(arrival);
    // Another line of the tenant is open as usual.
    sim.call("CA2", None, None);
    expect![[r#"
        t=0s call CA1 on Main
          → MenuEnd Voicemail { prompt: "本日の受付は終了しました。", max_length_secs: 120 }
          record started CA1 customer=-
        t=0s call CA2 owner=None team=None
          → Enqueue at 1
          record started CA2 customer=-
          record queued CA2
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn queues_are_checked_when_saved() {
    let mut looping = queue("a", "sales");
    looping.overflow = Overflow::Queue {
        queue: QueueId::new("b").unwrap_or_else(|| panic!("id")),
    };
    let mut back = queue("b", "sales");
    back.overflow = Overflow::Queue {
        queue: QueueId::new("a").unwrap_or_else(|| panic!("id")),
    };
    let mut music = queue("c", "sales");
    music.hold_music_url = Some("http://insecure.example/hold.mp3".into());
    let mut key = queue("d", "sales");
    key.callback_digit = Some('x');
    let mut forward = queue("e", "sales");
    forward.overflow = Overflow::Forward {
        numbers: vec![
            tsunagu_interaction::ExternalNumber::new("+81990123456")
                .unwrap_or_else(|e| panic!("{e}")),
        ],
    };
    let refusals: Vec<String> = [vec![looping, back], vec![music], vec![key], vec![forward]]
        .into_iter()
        .map(|queues| {
            let mut config = config();
            config.queues = queues.into_iter().map(|q| (q.id.clone(), q)).collect();
            config
                .validate()
                .map_or_else(|e| e.to_string(), |()| "ok".into())
        })
        .collect();
    expect![[r#"
        [
            "queue a: the overflows lead back to a queue already passed",
            "queue c: the hold music must be an https URL",
            "queue d: the callback key is 0-9, * or #",
            "queue e: forward number 0 is refused by the dial policy (premium_rate): calls to premium-rate numbers (such as 0990) are not allowed",
        ]
    "#]]
    .assert_debug_eq(&refusals);
    assert!(QueueId::new("Billing").is_none() && QueueId::new("").is_none());
}

#[test]
fn a_queue_closed_while_its_line_is_open_goes_by_the_queues_own_after_hours_rule() {
    let mut billing = queue("billing", "support");
    // Open Mondays 9–10 only; the stories run on a Thursday.
    billing.hours = Some(BusinessCalendar {
        weekly: Some(vec![OpeningHours {
            day: Weekday::Mon,
            open: ClockTime::new(9, 0).unwrap_or_else(|e| panic!("{e}")),
            close: ClockTime::new(10, 0).unwrap_or_else(|e| panic!("{e}")),
        }]),
        ..BusinessCalendar::default()
    });
    billing.after_hours = Some(AfterHours::Forward {
        numbers: vec![
            tsunagu_interaction::ExternalNumber::new("+819011112222")
                .unwrap_or_else(|e| panic!("{e}")),
        ],
    });
    let mut sim = Sim::with(with_queues(vec![billing]));
    sim.connect(1, "tanaka", &["support"]);
    queued_for(&mut sim, "CA1", "billing");
    // The same line without the queue is open.
    sim.call("CA2", None, None);
    expect![[r#"
        t=0s connect c1 tanaka ["support"]
          c1 ← welcome tanaka (available); roster: tanaka available since 0s
        t=0s call CA1 on Main
          → Fallback AfterHours to +819011112222
          record started CA1 customer=-
        t=0s call CA2 owner=None team=None
          → Ring tanaka #1 for 15s
          record started CA2 customer=-
          c1 ← status reserved since 0s
          record offered CA2 to tanaka (Anyone)
          c1 ← offer CA2#1 (ring 15s, ack 3s) from +81312345678 (no record)
    "#]]
    .assert_eq(&sim.take());
}
