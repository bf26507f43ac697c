//! The call watchdog: a connected call whose hang-up callback never came is ended, and its agent freed, after `call_watchdog` of silence; a call in an IVR menu a minute past its question's deadline.

use expect_test::expect;
use tsunagu_core::Millis;

use super::{Sim, config};
use crate::AgentLegStatus;

/// A short watchdog (a minute) so the transcript stays readable.
fn sim() -> Sim {
    let mut config = config();
    config.call_watchdog = Millis::from_secs(60);
    Sim::with(config)
}

#[test]
fn a_connected_call_nothing_is_heard_of_ends_and_frees_the_agent() {
    let mut sim = sim();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.take();
    // Thirty seconds in, Twilio says something about the call: the minute counts from there.
    sim.at(30.0);
    sim.redirected("CA1");
    sim.at(89.0);
    assert!(
        !sim.take().contains("watchdog"),
        "still within a minute of the last word from Twilio"
    );
    sim.at(91.0);
    expect![[r#"
        t=90s alarm
          watchdog gave up on CA1
          c1 ← status wrap_up since 90s
          record ended CA1
        t=90250ms alarm
          all ← roster: sato wrap_up since 90s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_call_that_hangs_up_in_time_is_not_touched_and_queued_calls_are_not_watched() {
    let mut sim = sim();
    sim.connect(1, "sato", &["sales"]);
    sim.call("CA1", Some("sato"), Some("sales"));
    sim.ack(1, "CA1", 1);
    sim.leg("CA1", "sato", AgentLegStatus::Answered);
    sim.call("CA2", None, None);
    sim.at(50.0);
    sim.hang_up("CA1");
    sim.take();
    // CA2 waits in the queue far past the watchdog: the queue has its own limits.
    sim.at(600.0);
    assert!(!sim.take().contains("watchdog"));
}

#[test]
fn a_menu_call_whose_redirect_and_hang_up_were_both_lost_ends_a_minute_past_its_question() {
    let mut sim = sim();
    sim.connect(1, "sato", &["sales"]);
    sim.arrive(super::ivr::menu_call("CA3"));
    // The question's own deadline: its 48 characters said (9.6 s), its 5 s gather timeout and
    // 15 s of slack, 29.6 s after it was asked; the watchdog waits a minute more.
    sim.at(89.0);
    assert!(
        !sim.take().contains("watchdog"),
        "within a minute of the question's deadline"
    );
    sim.at(90.0);
    expect![[r#"
        t=89600ms alarm
          watchdog gave up on CA3
          record menu passed CA3 []
          record ended CA3
    "#]]
    .assert_eq(&sim.take());
}
