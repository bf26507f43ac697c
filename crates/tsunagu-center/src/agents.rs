//! Socket-side inputs: widgets connecting and disconnecting, and what they send.

use std::collections::{BTreeMap, BTreeSet};

use tsunagu_core::{AgentId, InteractionId, Timestamp};
use tsunagu_presence::{self as presence, ConnectionId, Presence, Rejected};
use tsunagu_protocol::{ClientMessage, DISPOSITION_MAX_CHARS, NOTES_MAX_CHARS, ServerMessage};
use tsunagu_routing::{AgentProfile, Skill};

use crate::{
    AgentCard, Center, CenterError,
    state::{AgentEntry, Place},
    wire,
};

impl Center {
    /// A widget socket of the agent on `card` opened (the worker verified the session). Adds the
    /// agent to the directory or updates their name and teams, logs them in if it is their first
    /// socket (per the presence policy), and sends the socket a `Welcome`, followed by the offer
    /// that rings the agent, if one does.
    pub(crate) fn agent_connected(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        card: AgentCard,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = self.connect_socket(now, conn, card);
        self.finish();
        result
    }

    /// A widget socket closed. When it was the agent's last, the disconnect grace starts: without
    /// a socket back in time they go offline, and meanwhile they are offered nothing. A web call
    /// bound to this socket waits the same grace for a widget of the agent to take it back
    /// (its audio is peer to peer); it ends at once only if the page said it was leaving.
    pub(crate) fn agent_disconnected(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = self.close_socket(now, conn, false);
        self.finish();
        result
    }

    /// `leaving`: the page said it is going away, so what lived in it (a web call's peer
    /// connection) is gone too; otherwise the socket may have dropped under a live page.
    fn close_socket(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        leaving: bool,
    ) -> Result<(), CenterError> {
        let agent = self
            .connections
            .remove(&conn)
            .ok_or(CenterError::UnknownConnection)?;
        if let Some(entry) = self.agents.get_mut(&agent) {
            entry.conns.remove(&conn);
            entry.widened.remove(&conn);
            self.journal.agent(&agent);
        }
        self.unwatch(conn);
        self.widget_closed(now, conn, leaving);
        let _ = self.presence_input(now, &agent, presence::Input::Disconnected(conn));
        Ok(())
    }

    /// A message from a widget socket after its hello. Replies (`Pong`) and every consequence
    /// come out of [`poll_output`](Self::poll_output).
    pub(crate) fn client_message(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        message: ClientMessage,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = match self.connections.get(&conn).cloned() {
            None => Err(CenterError::UnknownConnection),
            Some(agent) => self.agent_message(now, conn, &agent, message),
        };
        self.finish();
        result
    }

    fn connect_socket(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        card: AgentCard,
    ) -> Result<(), CenterError> {
        if self.connections.contains_key(&conn) || self.callers.contains_key(&conn) {
            return Err(CenterError::DuplicateConnection);
        }
        let agent = card.id.clone();
        self.upsert_agent(now, card);
        self.connections.insert(conn, agent.clone());
        if let Some(entry) = self.agents.get_mut(&agent) {
            entry.conns.insert(conn);
            self.journal.agent(&agent);
        }
        self.watch(&agent, conn);
        self.welcoming = Some(conn);
        // A connection id is never open twice (checked above), so presence accepts it.
        let _ = self.presence_input(now, &agent, presence::Input::Connected(conn));
        self.welcoming = None;
        // The agents of the socket's scope only: signing in costs the agent's teams, not the tenant.
        let roster = self.roster_in(&self.scope_of(&agent, conn));
        if let Some(entry) = self.agents.get(&agent) {
            let welcome = ServerMessage::Welcome {
                agent: agent.clone(),
                name: entry.name.clone(),
                tenant: self.config.tenant.clone(),
                tenant_name: self.config.tenant_name.clone(),
                status: wire::status(&entry.presence.status()),
                roster,
                teams: entry.teams.iter().cloned().collect(),
            };
            self.outputs.push_back(crate::Output::Send {
                conn,
                message: welcome,
            });
        }
        if let Some(offer) = self.current_offer(&agent) {
            self.outputs.push_back(crate::Output::Send {
                conn,
                message: offer,
            });
        }
        self.rejoin(conn, &agent);
        Ok(())
    }

    /// A widget of an agent who is on a call opened: it shows the call again; if the agent's leg
    /// dropped with their old page, it asks for the caller once its line is up (`rejoin_call`).
    /// A web call is told only while it waits for its widget (`web`): the page holding its peer
    /// connection takes it back, the tab owning the agent's phone without it hangs it up. One
    /// still bound to another socket is not told: this page cannot carry it (the page that does
    /// sends `rejoin` on its own after its `welcome`).
    fn rejoin(&mut self, conn: ConnectionId, agent: &AgentId) {
        let Some((id, call)) = self.calls.iter_mut().find(|(_, call)| {
            matches!(&call.place, Place::Connected { agent: a, .. } if a == agent) && !call.hung_up
        }) else {
            return;
        };
        let web = match &call.web {
            None => false,
            Some(web) if web.agent_lost_at.is_some() => true,
            Some(_) => return,
        };
        let id = id.clone();
        let rejoin = call.dropped_at.is_some();
        let message = ServerMessage::Resume {
            conversation: id,
            screen_pop: call.screen_pop(),
            since: call
                .interaction
                .timeline()
                .connected_at
                .unwrap_or(call.arrived_at),
            rejoin,
            web,
        };
        self.outputs
            .push_back(crate::Output::Send { conn, message });
    }

    /// Adds the agent on `card` to the directory, or updates their name, teams and skills (the
    /// skills they had when the card brings none).
    fn upsert_agent(&mut self, now: Timestamp, card: AgentCard) {
        let AgentCard {
            id,
            name,
            teams,
            skills,
            roster,
        } = card;
        let mut profile = self
            .router
            .profile(&id)
            .cloned()
            .unwrap_or_else(|| AgentProfile::new(id.clone()));
        profile.teams = teams.clone();
        if let Some(skills) = &skills {
            profile.set_skills(skills);
        }
        match self.agents.get_mut(&id) {
            Some(entry) => {
                let renamed = entry.name != name;
                let moved = entry.teams != teams;
                let before = std::mem::replace(&mut entry.teams, teams.clone());
                let rescoped = entry.roster != roster;
                if renamed || moved || rescoped {
                    self.journal.agent(&id);
                }
                entry.name = name;
                entry.roster = roster;
                let conns: Vec<ConnectionId> = entry.conns.iter().copied().collect();
                // A moved agent appears in their new teams' rosters.
                if renamed || moved {
                    self.mark_dirty(now, &id);
                }
                if rescoped {
                    // The agent's other sockets now hear another scope (a sign-in with other
                    // roles): each starts over from the full roster of it.
                    for conn in conns {
                        self.watch(&id, conn);
                        let agents = self.roster_in(&self.scope_of(&id, conn));
                        self.outputs.push_back(crate::Output::Send {
                            conn,
                            message: ServerMessage::Roster { agents, full: true },
                        });
                    }
                }
                if moved {
                    self.move_member(&id, &before, &teams);
                }
                // New teams or skills (the directory's, read at sign-in).
                if self.router.profile(&id) != Some(&profile) {
                    self.router_upsert_agent(profile);
                }
            }
            None => {
                self.move_member(&id, &BTreeSet::new(), &teams);
                let presence = Presence::new(now, self.config.presence.clone());
                self.router_upsert_agent(profile);
                self.journal.agent(&id);
                self.agents.insert(
                    id.clone(),
                    AgentEntry {
                        name,
                        teams,
                        presence,
                        conns: BTreeSet::new(),
                        roster,
                        widened: BTreeSet::new(),
                    },
                );
                self.mark_dirty(now, &id);
                self.sync_agent(&id);
            }
        }
    }

    fn agent_message(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        agent: &AgentId,
        message: ClientMessage,
    ) -> Result<(), CenterError> {
        let input = match message {
            ClientMessage::Hello { .. } => return Err(CenterError::UnexpectedHello),
            ClientMessage::Ping => {
                self.outputs.push_back(crate::Output::Send {
                    conn,
                    message: ServerMessage::Pong,
                });
                return Ok(());
            }
            ClientMessage::SetStatus { status } => {
                let requested = wire::requested(status).ok_or(CenterError::ReasonNotSelectable)?;
                presence::Input::SetStatus(requested)
            }
            ClientMessage::AckOffer { offer } => {
                presence::Input::OfferAcknowledged(wire::presence_offer_id(offer))
            }
            ClientMessage::DeclineOffer { offer } => {
                presence::Input::OfferDeclined(wire::presence_offer_id(offer))
            }
            ClientMessage::EndWrapUp { disposition, notes } => {
                self.wrap_up_note = Some((
                    cleaned(disposition, DISPOSITION_MAX_CHARS),
                    cleaned(notes, NOTES_MAX_CHARS),
                ));
                presence::Input::WrapUpFinished
            }
            ClientMessage::Transfer { conversation, to } => {
                return self.transfer(now, agent, &conversation, to);
            }
            // The page is going away (a reload, a closed tab): the socket counts as closed from
            // now, before the phone leg that dies with the page is reported, so a phone call the
            // agent is on waits for them to come back instead of ending. A web call bound to
            // this socket ends: its peer connection dies with the page.
            ClientMessage::Leaving => return self.close_socket(now, conn, true),
            ClientMessage::Rejoin { conversation } => {
                let web = self
                    .calls
                    .get(&conversation)
                    .is_some_and(|call| call.web.is_some());
                return if web {
                    self.rebind_web_call(conn, agent, &conversation)
                } else {
                    self.rejoin_call(agent, &conversation)
                };
            }
            ClientMessage::Hold { conversation, held } => {
                return self.set_hold(now, agent, &conversation, held);
            }
            ClientMessage::AcceptOffer { offer } => {
                let callback = self
                    .calls
                    .get(&offer.interaction)
                    .is_some_and(|call| call.callback.is_some());
                return if callback {
                    self.accept_callback(agent, &offer)
                } else {
                    self.accept_web_call(now, conn, agent, &offer)
                };
            }
            ClientMessage::Signal {
                conversation,
                signal,
            } => return self.relay_from_agent(conn, agent, &conversation, signal),
            ClientMessage::HangUp { conversation } => {
                return self.agent_hang_up(now, agent, &conversation);
            }
            ClientMessage::WatchRoster { everyone } => {
                self.watch_roster(conn, agent, everyone);
                return Ok(());
            }
        };
        let result = self
            .presence_input(now, agent, input)
            .map_err(|rejected| refusal(&rejected));
        // Used by the wrap-up's end, if there was one to end.
        self.wrap_up_note = None;
        result
    }
}

impl Center {
    /// The directory changed an agent's skills (the admin API wrote them): the router uses them
    /// from now on, and a free agent is offered a queued call they can now serve. An agent the
    /// center does not know yet gets them from the directory when they sign in.
    pub(crate) fn agent_skills_changed(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        skills: &BTreeMap<Skill, u8>,
    ) {
        self.begin(now);
        if let Some(mut profile) = self.router.profile(agent).cloned() {
            profile.set_skills(skills);
            if self.router.profile(agent) != Some(&profile) {
                self.router_upsert_agent(profile);
                self.drain_presence(agent);
            }
        }
        self.finish();
    }

    /// The agent's widget is back with its line: the caller holding for them is rung through.
    fn rejoin_call(&mut self, agent: &AgentId, id: &InteractionId) -> Result<(), CenterError> {
        let call = self.calls.get_mut(id).ok_or(CenterError::NotOnThisCall)?;
        let mine = matches!(&call.place, Place::Connected { agent: a, .. } if a == agent);
        if !mine || call.dropped_at.is_none() || call.hung_up {
            return Err(CenterError::NotOnThisCall);
        }
        call.dropped_at = None;
        call.attempts = call.attempts.saturating_add(1);
        if let Place::Connected { attempt, .. } = &mut call.place {
            *attempt = call.attempts;
        }
        self.journal.call(id);
        self.changed.insert(id.clone());
        Ok(())
    }
}

/// Free text from a widget, trimmed and cut to `max` characters; blank is none.
fn cleaned(text: Option<String>, max: usize) -> Option<String> {
    let text = text?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(trimmed.chars().take(max).collect())
}

/// The widget-facing reason for a presence refusal (fixed text, no echo of ids).
fn refusal(rejected: &Rejected) -> CenterError {
    match rejected {
        Rejected::StatusWhileReserved { .. } => CenterError::StatusNotChangeable,
        Rejected::NotInWrapUp { .. } => CenterError::NotInWrapUp,
        Rejected::AlreadyConnected { .. } => CenterError::DuplicateConnection,
        Rejected::UnknownConnection { .. } => CenterError::UnknownConnection,
        _ => CenterError::UnknownOffer,
    }
}
