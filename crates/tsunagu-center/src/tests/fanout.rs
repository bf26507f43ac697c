//! Presence fan-out by roster scope: agents hear their teams, supervisors the teams they watch, a
//! socket widened for the transfer list hears everyone until it narrows again.

use expect_test::expect;
use tsunagu_auth::RosterScope;
use tsunagu_protocol::{AwayReason, ClientMessage};

use super::{Sim, card, team, team_card};

/// sato and suzuki in sales, watanabe in support, each hearing their team; kato supervises both
/// teams; ito (no scope: an admin) hears the whole tenant.
fn two_teams() -> Sim {
    let mut sim = Sim::new();
    sim.connect_card(1, team_card("sato", &["sales"]));
    sim.connect_card(2, team_card("suzuki", &["sales"]));
    sim.connect_card(3, team_card("watanabe", &["support"]));
    let mut kato = card("kato", &["sales"]);
    kato.roster = RosterScope::Teams {
        teams: [team("sales"), team("support")].into(),
    };
    sim.connect_card(4, kato);
    sim.connect_card(5, card("ito", &[]));
    sim.at(1.0);
    sim
}

#[test]
fn a_change_reaches_the_team_and_its_watchers_only_and_a_welcome_carries_the_team() {
    let mut sim = two_teams();
    sim.set_away(3, AwayReason::Lunch);
    sim.at(2.0);
    sim.set_away(1, AwayReason::Break);
    sim.at(3.0);
    expect![[r#"
        t=0s connect c1 sato {TeamId("sales")} hears Teams { teams: {TeamId("sales")} }
          c1 ← welcome sato (available); roster: sato available since 0s
        t=0s connect c2 suzuki {TeamId("sales")} hears Teams { teams: {TeamId("sales")} }
          c2 ← welcome suzuki (available); roster: sato available since 0s, suzuki available since 0s
        t=0s connect c3 watanabe {TeamId("support")} hears Teams { teams: {TeamId("support")} }
          c3 ← welcome watanabe (available); roster: watanabe available since 0s
        t=0s connect c4 kato {TeamId("sales")} hears Teams { teams: {TeamId("sales"), TeamId("support")} }
          c4 ← welcome kato (available); roster: kato available since 0s, sato available since 0s, suzuki available since 0s, watanabe available since 0s
        t=0s connect c5 ito {} hears Tenant
          c5 ← welcome ito (available); roster: ito available since 0s, kato available since 0s, sato available since 0s, suzuki available since 0s, watanabe available since 0s
        t=250ms alarm
          c5 ← roster: ito available since 0s, kato available since 0s, sato available since 0s, suzuki available since 0s, watanabe available since 0s
          c1,c2 ← roster: kato available since 0s, sato available since 0s, suzuki available since 0s
          c4 ← roster: kato available since 0s, sato available since 0s, suzuki available since 0s, watanabe available since 0s
          c3 ← roster: watanabe available since 0s
        t=1s c3 says {"type":"set_status","status":{"kind":"away","reason":"lunch"}}
          c3 ← status away(lunch) since 1s
        t=1250ms alarm
          c3,c4,c5 ← roster: watanabe away(lunch) since 1s
        t=2s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 2s
        t=2250ms alarm
          c1,c2,c4,c5 ← roster: sato away(break) since 2s
    "#]]
    .assert_eq(&sim.take());
}

#[test]
fn a_widened_socket_hears_everyone_until_it_narrows_and_each_starts_with_a_full_roster() {
    let mut sim = two_teams();
    sim.take();
    sim.send(3, ClientMessage::WatchRoster { everyone: true });
    sim.set_away(1, AwayReason::Break);
    sim.at(2.0);
    sim.send(3, ClientMessage::WatchRoster { everyone: false });
    sim.set_away(2, AwayReason::Meeting);
    sim.at(3.0);
    expect![[r#"
        t=1s c3 says {"type":"watch_roster","everyone":true}
          c3 ← full roster: ito available since 0s, kato available since 0s, sato available since 0s, suzuki available since 0s, watanabe available since 0s
        t=1s c1 says {"type":"set_status","status":{"kind":"away","reason":"break"}}
          c1 ← status away(break) since 1s
        t=1250ms alarm
          all ← roster: sato away(break) since 1s
        t=2s c3 says {"type":"watch_roster","everyone":false}
          c3 ← full roster: watanabe available since 0s
        t=2s c2 says {"type":"set_status","status":{"kind":"away","reason":"meeting"}}
          c2 ← status away(meeting) since 2s
        t=2250ms alarm
          c1,c2,c4,c5 ← roster: suzuki away(meeting) since 2s
    "#]]
    .assert_eq(&sim.take());
}

mod props {
    //! Whatever sockets open, close, change status, widen and narrow: after every broadcast,
    //! each open socket's picture of the roster is exactly the agents of its scope with their
    //! current status — nobody of another team unless it asked (widened), and nobody missing.
    //! A supervisor watching two teams sees exactly the union of the two.

    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;
    use tsunagu_auth::RosterScope;
    use tsunagu_core::{AgentId, Timestamp};
    use tsunagu_presence::ConnectionId;
    use tsunagu_protocol::{
        AgentPresence, AwayReason, ClientMessage, RequestedStatus, ServerMessage,
    };

    use crate::{
        AgentCard, Center, Input, Output,
        tests::{agent, config, team},
    };

    /// Agent i: team sales (even) or support (odd); scope by `scope_kind`: 0 own team, 1 both
    /// teams (a supervisor), 2 the tenant.
    fn card_of(i: u8, scope_kind: u8) -> AgentCard {
        let own = team(if i.is_multiple_of(2) {
            "sales"
        } else {
            "support"
        });
        let roster = match scope_kind % 3 {
            0 => RosterScope::Teams {
                teams: [own.clone()].into(),
            },
            1 => RosterScope::Teams {
                teams: [team("sales"), team("support")].into(),
            },
            _ => RosterScope::Tenant,
        };
        AgentCard {
            id: agent(&format!("a{i}")),
            name: format!("a{i}"),
            teams: [own].into(),
            skills: None,
            roster,
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Connect { conn: u8, who: u8, scope: u8 },
        Disconnect { conn: u8 },
        Status { conn: u8, away: bool },
        Watch { conn: u8, everyone: bool },
        Wait { ms: u16 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..8u8, 0..6u8, 0..3u8).prop_map(|(conn, who, scope)| Op::Connect {
                conn,
                who,
                scope
            }),
            (0..8u8).prop_map(|conn| Op::Disconnect { conn }),
            (0..8u8, any::<bool>()).prop_map(|(conn, away)| Op::Status { conn, away }),
            (0..8u8, any::<bool>()).prop_map(|(conn, everyone)| Op::Watch { conn, everyone }),
            (0..2000u16).prop_map(|ms| Op::Wait { ms }),
        ]
    }

    /// What each socket was told, applied as a widget applies it.
    #[derive(Default)]
    struct Views(BTreeMap<ConnectionId, BTreeMap<AgentId, AgentPresence>>);

    impl Views {
        fn apply(&mut self, conn: ConnectionId, message: &ServerMessage) {
            let replace = |agents: &[AgentPresence]| {
                agents
                    .iter()
                    .map(|a| (a.agent.clone(), a.clone()))
                    .collect()
            };
            match message {
                ServerMessage::Welcome { roster, .. } => {
                    self.0.insert(conn, replace(roster));
                }
                ServerMessage::Roster { agents, full: true } => {
                    self.0.insert(conn, replace(agents));
                }
                ServerMessage::Roster {
                    agents,
                    full: false,
                } => {
                    let view = self.0.entry(conn).or_default();
                    for a in agents {
                        view.insert(a.agent.clone(), a.clone());
                    }
                }
                _ => {}
            }
        }
    }

    fn drain(center: &mut Center, views: &mut Views) {
        while let Some(output) = center.poll_output() {
            match output {
                Output::Send { conn, message } => views.apply(conn, &message),
                Output::Multicast { conns, message } => {
                    for conn in conns {
                        views.apply(conn, &message);
                    }
                }
                _ => {}
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn every_socket_sees_exactly_its_scope(ops in proptest::collection::vec(op(), 1..60)) {
            let mut center = Center::new(config()).expect("valid config");
            let mut now = Timestamp(1_000);
            let mut views = Views::default();
            // conn -> (agent index, card scope kind, widened)
            let mut open: BTreeMap<u8, (u8, u8, bool)> = BTreeMap::new();
            let mut scope_of_agent: BTreeMap<u8, u8> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Connect { conn, who, scope } => {
                        // One agent's sockets share the scope of their latest sign-in.
                        if center.handle_input(now, Input::AgentConnected {
                            conn: ConnectionId(u64::from(conn)),
                            card: card_of(who, scope),
                        }).is_ok() {
                            open.insert(conn, (who, scope, false));
                            scope_of_agent.insert(who, scope);
                        }
                    }
                    Op::Disconnect { conn } => {
                        if center.handle_input(now, Input::AgentDisconnected { conn: ConnectionId(u64::from(conn)) }).is_ok() {
                            open.remove(&conn);
                            views.0.remove(&ConnectionId(u64::from(conn)));
                        }
                    }
                    Op::Status { conn, away } => {
                        let status = if away { RequestedStatus::Away { reason: AwayReason::Break } } else { RequestedStatus::Available };
                        let _ = center.handle_input(now, Input::ClientMessage {
                            conn: ConnectionId(u64::from(conn)),
                            message: ClientMessage::SetStatus { status },
                        });
                    }
                    Op::Watch { conn, everyone } => {
                        if center.handle_input(now, Input::ClientMessage {
                            conn: ConnectionId(u64::from(conn)),
                            message: ClientMessage::WatchRoster { everyone },
                        }).is_ok() && let Some(entry) = open.get_mut(&conn) {
                            entry.2 = everyone;
                        }
                    }
                    Op::Wait { ms } => {
                        let until = Timestamp(now.0 + u64::from(ms));
                        while let Some(due) = center.poll_timeout().filter(|due| *due <= until) {
                            now = Timestamp(now.0.max(due.0));
                            let _ = center.handle_input(now, Input::Timeout);
                            drain(&mut center, &mut views);
                        }
                        now = until;
                    }
                }
                drain(&mut center, &mut views);
            }
            // Let the last broadcast go out, then compare every open socket's picture.
            now = Timestamp(now.0 + 10_000);
            while let Some(due) = center.poll_timeout().filter(|due| *due <= now) {
                let _ = center.handle_input(due, Input::Timeout);
                drain(&mut center, &mut views);
            }
            // A change the window's last timer made (a disconnect grace ending on its edge) goes
            // out with the broadcast after it.
            if let Some(flush) = center.flush_at {
                let _ = center.handle_input(flush, Input::Timeout);
                drain(&mut center, &mut views);
            }
            let truth: BTreeMap<AgentId, AgentPresence> = center
                .agents
                .keys()
                .filter_map(|id| Some((id.clone(), center.agent_presence(id)?)))
                .collect();
            for (conn, (who, _, widened)) in &open {
                let scope = if *widened {
                    RosterScope::Tenant
                } else {
                    card_of(*who, scope_of_agent[who]).roster
                };
                let expected: BTreeMap<AgentId, AgentPresence> = truth
                    .iter()
                    .filter(|(id, _)| scope.covers(&center.agents[*id].teams))
                    .map(|(id, p)| (id.clone(), p.clone()))
                    .collect();
                let seen = views.0.get(&ConnectionId(u64::from(*conn))).cloned().unwrap_or_default();
                let expected_ids: BTreeSet<&AgentId> = expected.keys().collect();
                let seen_ids: BTreeSet<&AgentId> = seen.keys().collect();
                prop_assert_eq!(&seen_ids, &expected_ids, "socket c{} ({:?}) sees the wrong agents", conn, scope);
                for (id, p) in &expected {
                    prop_assert_eq!(&seen[id].status, &p.status, "c{} has a stale status for {}", conn, id);
                }
            }
        }
    }
}
