//! Web calls whose agent's widget drops: the page leaving ends the call at once; a socket blip
//! keeps it, waiting `disconnect_grace` for a widget of the same agent to take it back.

use super::*;

fn rejoin(sim: &mut Sim, conn: u64, call: &str) {
    sim.send(
        conn,
        ClientMessage::Rejoin {
            conversation: interaction(call),
        },
    );
}

/// Suzuki (c2) talks with customer c10 on WC1 since t=2s.
fn talking() -> Sim {
    let mut sim = office();
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    sim.at(2.5);
    sim.take();
    sim
}

#[test]
fn the_agents_page_leaving_ends_the_call_it_carried_at_once() {
    let mut sim = office();
    sim.connect(3, "suzuki", &["sales"]);
    sim.web_call(10, None, None, 1);
    sim.ack(2, WC1, 1);
    accept(&mut sim, 2, WC1, 1);
    sim.take();
    // The agent's other window cannot take the call's signalling over.
    agent_signal(&mut sim, 3, WC1, candidate());
    sim.send(2, ClientMessage::Leaving);
    sim.disconnect(2);
    expect![[r#"
        t=2s c3 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! you are not connected to this call
        t=2s c2 says {"type":"leaving"}
          record ended WC01010101010101010101010101010101
          c3 ← status wrap_up since 2s
          customer c10 ← {"type":"ended","reason":"agent_disconnected"}
        t=2s disconnect c2
          ! this connection is not open
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_blip_of_the_widget_socket_keeps_the_call_and_the_widget_takes_it_back() {
    let mut sim = talking();
    // A second window of the agent's opening while the call is bound is not told about it: it
    // cannot carry the call and would hang it up.
    sim.connect(3, "suzuki", &["sales"]);
    sim.at(3.0);
    sim.disconnect(2);
    // Unbound: the customer's signals have nowhere to go.
    caller_signal(&mut sim, 10, candidate());
    sim.at(5.0);
    sim.connect(4, "suzuki", &["sales"]);
    rejoin(&mut sim, 4, WC1);
    caller_signal(&mut sim, 10, candidate());
    agent_signal(&mut sim, 4, WC1, Signal::Answer { sdp: sdp("again") });
    // Taken back: the deadline is gone, and taking it back again changes nothing.
    sim.at(60.0);
    rejoin(&mut sim, 4, WC1);
    sim.send(
        4,
        ClientMessage::HangUp {
            conversation: interaction(WC1),
        },
    );
    expect![[r#"
        t=2500ms connect c3 suzuki ["sales"]
          c3 ← welcome suzuki (on_call); roster: sato available since 1s, suzuki on_call since 2s
        t=3s disconnect c2
        t=3s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          ! the web call is not connected
        t=5s connect c4 suzuki ["sales"]
          c4 ← welcome suzuki (on_call); roster: sato available since 1s, suzuki on_call since 2s
          c4 ← {"type":"resume","conversation":"WC01010101010101010101010101010101","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"since":1711933202000,"rejoin":false,"web":true}
        t=5s c4 says {"type":"rejoin","conversation":"WC01010101010101010101010101010101"}
        t=5s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          c4 ← {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=5s c4 says {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"answer","sdp":"v=0 again"}}
          customer c10 ← {"type":"signal","signal":{"kind":"answer","sdp":"v=0 again"}}
        t=60s c4 says {"type":"rejoin","conversation":"WC01010101010101010101010101010101"}
        t=60s c4 says {"type":"hang_up","conversation":"WC01010101010101010101010101010101"}
          record ended WC01010101010101010101010101010101
          c3 ← status wrap_up since 60s
          c4 ← status wrap_up since 60s
          customer c10 ← {"type":"ended","reason":"agent_hung_up"}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_widget_back_before_the_hub_heard_its_old_socket_close_takes_the_call_back() {
    let mut sim = talking();
    // The page reconnected while the hub still thinks its old socket (c2) is open: the call is
    // bound to c2, so the new socket is not told; the page says it holds the call all the same.
    sim.at(3.0);
    sim.connect(4, "suzuki", &["sales"]);
    rejoin(&mut sim, 4, WC1);
    // The old socket's close arrives late and changes nothing; signals go to the new one.
    sim.disconnect(2);
    caller_signal(&mut sim, 10, candidate());
    sim.at(60.0);
    sim.send(
        4,
        ClientMessage::HangUp {
            conversation: interaction(WC1),
        },
    );
    expect![[r#"
        t=3s connect c4 suzuki ["sales"]
          c4 ← welcome suzuki (on_call); roster: sato available since 1s, suzuki on_call since 2s
        t=3s c4 says {"type":"rejoin","conversation":"WC01010101010101010101010101010101"}
        t=3s disconnect c2
        t=3s customer c10 says {"type":"signal","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
          c4 ← {"type":"signal","conversation":"WC01010101010101010101010101010101","signal":{"kind":"candidate","candidate":"candidate:1 1 udp 2122194687 192.0.2.2 52721 typ host","sdp_mid":"0","sdp_m_line_index":0}}
        t=60s c4 says {"type":"hang_up","conversation":"WC01010101010101010101010101010101"}
          record ended WC01010101010101010101010101010101
          c4 ← status wrap_up since 60s
          customer c10 ← {"type":"ended","reason":"agent_hung_up"}
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_web_call_nobody_takes_back_within_the_grace_ends_as_agent_disconnected() {
    let mut sim = talking();
    sim.at(3.0);
    sim.disconnect(2);
    sim.at(20.0);
    // The wait survives the hub being evicted and restored.
    sim.restore();
    sim.at(40.0);
    // Too late: a widget back now finds the agent in wrap-up and no call to take back.
    sim.connect(4, "suzuki", &["sales"]);
    rejoin(&mut sim, 4, WC1);
    expect![[r#"
        t=3s disconnect c2
        t=20s (restored from JSON)
        t=33s alarm
          record ended WC01010101010101010101010101010101
          customer c10 ← {"type":"ended","reason":"agent_disconnected"}
        t=33250ms alarm
          all ← roster: suzuki wrap_up since 33s
        t=40s connect c4 suzuki ["sales"]
          c4 ← welcome suzuki (wrap_up); roster: sato available since 1s, suzuki wrap_up since 33s
        t=40s c4 says {"type":"rejoin","conversation":"WC01010101010101010101010101010101"}
          ! you are not connected to this call
    "#]]
    .assert_eq(&sim.take());
    expect![[r#"
        interaction:WC01010101010101010101010101010101 channel=web_call number=None answered_by=Some("suzuki") outcome=Answered queue=None queue_time=0s talk=31s wrap_up=0s legs=[suzuki Some(Anyone) Answered]
    "#]].assert_eq(&stitched(&sim));
}

#[test]
fn only_the_agents_own_widget_takes_a_waiting_web_call_back_and_a_fresh_page_hangs_it_up() {
    let mut sim = talking();
    sim.disconnect(2);
    // Another agent, a call that is not the agent's, an unknown call.
    rejoin(&mut sim, 1, WC1);
    sim.connect(4, "suzuki", &["sales"]);
    rejoin(&mut sim, 4, WC2);
    sim.web_call(11, None, None, 2);
    rejoin(&mut sim, 4, WC2);
    // A page without the call's peer connection (after a crash) hangs it up.
    sim.send(
        4,
        ClientMessage::HangUp {
            conversation: interaction(WC1),
        },
    );
    expect![[r#"
        t=2500ms disconnect c2
        t=2500ms c1 says {"type":"rejoin","conversation":"WC01010101010101010101010101010101"}
          ! you are not connected to this call
        t=2500ms connect c4 suzuki ["sales"]
          c4 ← welcome suzuki (on_call); roster: sato available since 1s, suzuki on_call since 2s
          c4 ← {"type":"resume","conversation":"WC01010101010101010101010101010101","screen_pop":{"caller_number":null,"customer":null,"recent":[]},"since":1711933202000,"rejoin":false,"web":true}
        t=2500ms c4 says {"type":"rejoin","conversation":"WC02020202020202020202020202020202"}
          ! you are not connected to this call
        t=2500ms customer c11 calls from the web as None None
          = WC02020202020202020202020202020202
          customer c11 ← {"type":"started","conversation":"WC02020202020202020202020202020202"}
          record started WC02020202020202020202020202020202 customer=-
          c1 ← status reserved since 2500ms
          record offered WC02020202020202020202020202020202 to sato (Anyone)
          c1 ← web offer WC02020202020202020202020202020202#1 (ring 15s, ack 3s) from ? (no name)
          customer c11 ← {"type":"ringing"}
        t=2500ms c4 says {"type":"rejoin","conversation":"WC02020202020202020202020202020202"}
          ! you are not connected to this call
        t=2500ms c4 says {"type":"hang_up","conversation":"WC01010101010101010101010101010101"}
          record ended WC01010101010101010101010101010101
          c4 ← status wrap_up since 2500ms
          customer c10 ← {"type":"ended","reason":"agent_hung_up"}
    "#]]
    .assert_eq(&sim.take());
}
