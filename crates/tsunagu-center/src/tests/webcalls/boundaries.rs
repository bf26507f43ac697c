//! What a web call's sockets may do: signalling only between the call's two peers and a limited
//! number of signals per side, no Twilio input reaching a web call, the tenant's cap on live web
//! calls, and customer sockets apart from widget sockets.

use super::*;

#[test]
fn signalling_flows_only_between_the_two_peers_of_a_connected_call() {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    sim.take();
    // Ringing: nothing is relayed yet, and no other agent can speak for the call.
    caller_signal(&mut sim, 10, Signal::Offer { sdp: sdp("early") });
    agent_signal(&mut sim, 2, WC1, candidate());
    accept(&mut sim, 1, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    agent_signal(&mut sim, 1, WC1, candidate());
    accept(&mut sim, 2, WC1, 1);
    let too_large = Signal::Offer {
        sdp: "a".repeat(tsunagu_protocol::SDP_MAX_BYTES + 1),
    };
    assert_eq!(
        sim.center.caller_message(
            sim.now,
            tsunagu_presence::ConnectionId(10),
            CallerMessage::Signal { signal: too_large }
        ),
        Err(crate::CenterError::SignalTooLarge)
    );
    // A socket that never started a call, and a second start on the same socket.
    caller_signal(&mut sim, 99, candidate());
    sim.caller_says(
        10,
        CallerMessage::Start {
            protocol: 2,
            name: None,
            number: None,
        },
    );
    // Web calls are not transferred, and phone-call commands do not apply.
    sim.send(
        2,
        ClientMessage::Transfer {
            conversation: interaction(WC1),
            to: TransferTo::Agent {
                agent: agent("sato"),
            },
        },
    );
    expect![[r#"
        t=2s customer c10 says {"type":"signal","signal":{"kind":"offer","sdp":"v=0 early"}}
          ! the web call is not connected
        t=2s c2 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! you are not connected to this call
        t=2s c1 says {"type":"accept_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
          ! this offer is not ringing at this agent
        t=2s c2 says {"type":"accept_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
          c2 ← status on_call since 2s
          record suzuki Accepted WC01010101010101010101010101010101
          customer c10 ← {"type":"connected"}
        t=2s c1 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! you are not connected to this call
        t=2s c2 says {"type":"accept_offer","offer":{"interaction":"WC01010101010101010101010101010101","attempt":1}}
          ! this offer is not ringing at this agent
        t=2s customer c99 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! this connection is not open
        t=2s customer c10 says {"type":"start","protocol":2}
          ! this call has already started
        t=2s c2 says {"type":"transfer","conversation":"WC01010101010101010101010101010101","to":{"kind":"agent","agent":"sato"}}
          ! a web call cannot be transferred
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn each_side_is_limited_to_a_number_of_signals() {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    for _ in 0..SIGNALS_PER_SIDE_MAX {
        let _ = sim
            .center
            .caller_message(sim.now, tsunagu_presence::ConnectionId(10), {
                CallerMessage::Signal {
                    signal: candidate(),
                }
            });
    }
    sim.take();
    while sim.center.poll_output().is_some() {}
    caller_signal(&mut sim, 10, candidate());
    agent_signal(&mut sim, 2, WC1, candidate());
    expect![[r#"
        t=2s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! too many signalling messages for this call
        t=2s c2 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          customer c10 ← {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn twilio_inputs_never_reach_a_web_call() {
    let mut sim = office();
    sim.set_away(1, AwayReason::Meeting);
    sim.set_away(2, AwayReason::Meeting);
    sim.web_call(10, None, None, 1);
    sim.take();
    sim.wait(WC1);
    sim.left(WC1, QueueResult::Hangup);
    sim.dial(WC1, 1, DialOutcome::NoAnswer);
    sim.redirected(WC1);
    sim.send(
        1,
        ClientMessage::HangUp {
            conversation: interaction(WC1),
        },
    );
    expect![[r#"
        t=2s queue poll WC01010101010101010101010101010101
          → Hangup
        t=2s queue left WC01010101010101010101010101010101 Hangup
          → Hangup
        t=2s dial result WC01010101010101010101010101010101#1 NoAnswer
          → Hangup
        t=2s redirected WC01010101010101010101010101010101
          → Hangup
        t=2s c1 says {"type":"hang_up","conversation":"WC01010101010101010101010101010101"}
          ! you are not connected to this call
    "#]]
    .assert_eq(&sim.take());
    assert_eq!(
        sim.center.callers().collect::<Vec<_>>(),
        vec![tsunagu_presence::ConnectionId(10)],
        "the call still waits"
    );
}

#[test]
fn the_tenant_caps_live_web_calls_and_sockets_are_one_kind() {
    let mut config = config();
    config.max_web_calls = 1;
    let mut sim = Sim::with(config);
    sim.connect(1, "sato", &["sales"]);
    sim.web_call(10, None, None, 1);
    sim.web_call(11, None, None, 2);
    sim.web_call(1, None, None, 3);
    sim.caller_says(10, CallerMessage::HangUp);
    sim.web_call(11, None, None, 2);
    sim.connect(11, "suzuki", &["sales"]);
    expect![[r#"
        t=0s connect c1 sato ["sales"]
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s customer c10 calls from the web as None None
          = WC01010101010101010101010101010101
          customer c10 ← {"type":"started","conversation":"WC01010101010101010101010101010101"}
          record started WC01010101010101010101010101010101 customer=-
          c1 ← status reserved since 0s
          record offered WC01010101010101010101010101010101 to sato (Anyone)
          c1 ← web offer WC01010101010101010101010101010101#1 (ring 15s, ack 3s) from ? (no name)
          customer c10 ← {"type":"ringing"}
        t=0s customer c11 calls from the web as None None
          ! all web call lines are busy; please try again later
        t=0s customer c1 calls from the web as None None
          ! this connection is already open
        t=0s customer c10 says {"type":"hang_up"}
          record ended WC01010101010101010101010101010101
          c1 ← offer WC01010101010101010101010101010101#1 withdrawn: CallerHungUp
          c1 ← status available since 0s
          customer c10 ← {"type":"ended","reason":"caller_hung_up"}
        t=0s customer c11 calls from the web as None None
          = WC02020202020202020202020202020202
          customer c11 ← {"type":"started","conversation":"WC02020202020202020202020202020202"}
          record started WC02020202020202020202020202020202 customer=-
          c1 ← status reserved since 0s
          record offered WC02020202020202020202020202020202 to sato (Anyone)
          c1 ← web offer WC02020202020202020202020202020202#1 (ring 15s, ack 3s) from ? (no name)
          customer c11 ← {"type":"ringing"}
        t=0s connect c11 suzuki ["sales"]
          ! this connection is already open
    "#]]
    .assert_eq(&sim.take());
}
