//! Web calls: a customer's browser calls in over the hub, is routed like a phone call, and talks to the agent's widget peer to peer.

// A web call is a `CallEntry` without a CallSid and with a `WebCaller`. It walks the same places
// as a phone call (queued → ringing → connected → ended) through the same router, presence and
// interaction; what Twilio does for a phone call the center does itself:
//
// - the ring ends by presence's own deadlines (acknowledgement, then `ring_no_answer`), since no
//   `<Dial>` times out;
// - the agent answers with `accept_offer` from the widget, which connects the call at once;
// - the customer page is told every change of place (`CallerEvent`), and both sides' WebRTC
//   signalling is relayed between the customer socket and the one widget socket that accepted;
// - the end is recorded here (`Ended`), as no status callback will report it.
//
// The audio flows peer to peer between the two pages, so it outlives a drop of the widget's hub
// socket (a Wi-Fi hiccup, a proxy timeout). Such a blip unbinds the call (`agent_conn` none) and
// it waits `disconnect_grace` for a widget of the same agent to take it back (`Resume` with
// `web`, answered by `rejoin`); only a page going away (`leaving`) ends it at once, since its
// peer connection died with the page.

use tsunagu_core::{AgentId, Channel, InteractionId, Timestamp};
use tsunagu_interaction::Interaction;
use tsunagu_phone::{PhoneNumber, Region};
use tsunagu_presence::ConnectionId;
use tsunagu_protocol::{
    CALLER_NAME_MAX_CHARS, CALLER_NUMBER_MAX_CHARS, CallEndReason, CallerEvent, CallerMessage,
    OfferId, SIGNALS_PER_SIDE_MAX, ServerMessage, Signal,
};
use tsunagu_stitch::{CallEventKind, ConversationDirection, ConversationStarted};

use crate::{
    Center, CenterError, Output,
    state::{CallEntry, Ending, Place, Served, Told, WebCaller},
};

/// A customer page asking to place a web call, as the shell passes it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebCallStart {
    /// What the customer typed: untrusted. The name is trimmed and cut; the number is kept only
    /// if it is a valid phone number (then in E.164). Neither is used to look anything up.
    pub name: Option<String>,
    pub number: Option<String>,
    /// Fresh random bytes from the shell: the call's id (`WC` + 32 hex digits) is made of them.
    pub random: [u8; 16],
}

impl Center {
    /// A customer socket said `start`: a web call arrives. It is routed like a phone call from
    /// an unknown number (the tenant's ladder, then the queue) or, after hours, ends at once. The
    /// page hears `started`, then where the call stands. Refused, with nothing changed, when the
    /// socket already has a live call or is an agent's, when the tenant has
    /// `max_web_calls` live web calls already ([`CenterError::WebCallsBusy`]), or when the id the
    /// random bytes make is taken.
    pub(crate) fn web_call_started(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        start: WebCallStart,
    ) -> Result<InteractionId, CenterError> {
        let now = self.begin(now);
        let result = self.start_web_call(now, conn, start);
        self.finish();
        result
    }

    /// A message from a customer socket after `start`: signalling for the agent (only while
    /// connected, within the size and count limits), the customer hanging up, or `ping`
    /// (answered with `pong`). A second `start` is refused.
    pub(crate) fn caller_message(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        message: CallerMessage,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = match self.callers.get(&conn).cloned() {
            None => Err(CenterError::UnknownConnection),
            Some(id) => match message {
                CallerMessage::Start { .. } => Err(CenterError::WebCallAlreadyStarted),
                CallerMessage::Ping => {
                    self.outputs.push_back(Output::ToCaller {
                        conn,
                        message: CallerEvent::Pong,
                    });
                    Ok(())
                }
                CallerMessage::HangUp => {
                    self.set_end_reason(&id, CallEndReason::CallerHungUp);
                    self.caller_left(now, &id);
                    Ok(())
                }
                CallerMessage::Signal { signal } => self.relay_from_caller(&id, signal),
            },
        };
        self.finish();
        result
    }

    /// A customer socket closed: its call ends as if the customer hung up (a queued or ringing
    /// call is abandoned). Unknown sockets (never started, or already told the call ended) are
    /// refused with [`CenterError::UnknownConnection`] and change nothing.
    pub(crate) fn caller_disconnected(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
    ) -> Result<(), CenterError> {
        let now = self.begin(now);
        let result = match self.callers.remove(&conn) {
            None => Err(CenterError::UnknownConnection),
            Some(id) => {
                if let Some(web) = self.calls.get_mut(&id).and_then(|call| call.web.as_mut()) {
                    web.socket_open = false;
                    self.journal.call(&id);
                }
                self.set_end_reason(&id, CallEndReason::CallerHungUp);
                self.caller_left(now, &id);
                Ok(())
            }
        };
        self.finish();
        result
    }

    fn start_web_call(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        start: WebCallStart,
    ) -> Result<InteractionId, CenterError> {
        if self.connections.contains_key(&conn) || self.callers.contains_key(&conn) {
            return Err(CenterError::DuplicateConnection);
        }
        if !self.config.web_calls_on() {
            return Err(CenterError::WebCallsOff);
        }
        let limit = usize::try_from(self.config.max_web_calls).unwrap_or(usize::MAX);
        if self.callers.len() >= limit {
            return Err(CenterError::WebCallsBusy);
        }
        let id = web_call_id(&start.random).ok_or(CenterError::DuplicateCall)?;
        if self.calls.contains_key(&id) {
            return Err(CenterError::DuplicateCall);
        }
        let name = typed_name(start.name);
        let number = typed_number(start.number);
        let call = CallEntry {
            interaction: Interaction::arrive(id.clone(), Channel::WebCall, None, now),
            call_sid: None,
            caller_number: number,
            customer: None,
            recent: Vec::new(),
            owner_team: None,
            arrived_at: now,
            attempts: 0,
            place: Place::Queued,
            served: Served::Nothing,
            leg_call_sid: None,
            ended_at: None,
            hung_up: false,
            transfer: None,
            menu: None,
            ivr_path: None,
            placed_by: None,
            web: Some(WebCaller {
                conn,
                name,
                socket_open: true,
                agent_conn: None,
                agent_lost_at: None,
                told: Told::Nothing,
                end_reason: None,
                signals_from_caller: 0,
                signals_from_agent: 0,
            }),
            outbound: None,
            dropped_at: None,
            held_since: None,
            last_heard: None,
            requirements: crate::CallRequirements::default(),
            called: None,
            queue: None,
            waiting_since: None,
            callback: None,
            say_first: Vec::new(),
        };
        let contact = call.contact(None);
        self.calls.insert(id.clone(), call);
        self.callers.insert(conn, id.clone());
        self.web_waits
            .insert((now + self.config.max_web_queue_wait, id.clone()));
        self.journal.call(&id);
        self.changed.insert(id.clone());
        self.outputs.push_back(Output::ToCaller {
            conn,
            message: CallerEvent::Started {
                conversation: id.clone(),
            },
        });
        self.record(CallEventKind::ConversationStarted(ConversationStarted {
            interaction: id.clone(),
            root_call_sid: None,
            customer: None,
            // Typed on a public page: shown to the agent, never stored as the caller's number
            // (the call log's numbers are the network's, and find a caller's recent contacts).
            customer_number: None,
            channel: Channel::WebCall,
            direction: ConversationDirection::Inbound,
            at: now,
        }));
        if self.config.hours.is_open(now) {
            match self.router_route(contact, now) {
                Ok(decision) => self.act(now, decision),
                Err(_) => self.lose(now, &id),
            }
        } else {
            self.set_end_reason(&id, CallEndReason::Closed);
            self.end(now, &id, Ending::Closed);
        }
        Ok(id)
    }

    /// `accept_offer` from the widget socket `conn` of `agent`: the web call ringing them with
    /// this attempt connects, and signalling is bound to `conn`.
    pub(crate) fn accept_web_call(
        &mut self,
        now: Timestamp,
        conn: ConnectionId,
        agent: &AgentId,
        offer: &OfferId,
    ) -> Result<(), CenterError> {
        let id = &offer.interaction;
        let call = self.calls.get(id).ok_or(CenterError::UnknownOffer)?;
        if call.web.is_none() {
            return Err(CenterError::NotAWebCall);
        }
        if call.ringing(agent) != Some(offer.attempt) || !self.connect(now, id, agent) {
            return Err(CenterError::UnknownOffer);
        }
        if let Some(web) = self.calls.get_mut(id).and_then(|call| call.web.as_mut()) {
            web.agent_conn = Some(conn);
            self.journal.call(id);
        }
        Ok(())
    }

    /// `signal` from the widget socket `conn` of `agent`, for the customer of the web call they
    /// are connected to.
    pub(crate) fn relay_from_agent(
        &mut self,
        conn: ConnectionId,
        agent: &AgentId,
        id: &InteractionId,
        signal: Signal,
    ) -> Result<(), CenterError> {
        if !signal.within_limits() {
            return Err(CenterError::SignalTooLarge);
        }
        let call = self.calls.get_mut(id).ok_or(CenterError::NotOnThisCall)?;
        match &call.place {
            Place::Connected { agent: talking, .. } if talking == agent => {}
            _ => return Err(CenterError::NotOnThisCall),
        }
        let web = call.web.as_mut().ok_or(CenterError::NotAWebCall)?;
        if web.agent_conn != Some(conn) {
            // Accepted in another window of the agent's, which carries the audio.
            return Err(CenterError::NotOnThisCall);
        }
        if web.signals_from_agent >= SIGNALS_PER_SIDE_MAX {
            return Err(CenterError::TooManySignals);
        }
        if !web.socket_open {
            return Err(CenterError::WebCallNotConnected);
        }
        web.signals_from_agent += 1;
        let caller = web.conn;
        self.journal.call(id);
        self.outputs.push_back(Output::ToCaller {
            conn: caller,
            message: CallerEvent::Signal { signal },
        });
        Ok(())
    }

    fn relay_from_caller(&mut self, id: &InteractionId, signal: Signal) -> Result<(), CenterError> {
        if !signal.within_limits() {
            return Err(CenterError::SignalTooLarge);
        }
        let call = self
            .calls
            .get_mut(id)
            .ok_or(CenterError::WebCallNotConnected)?;
        let Place::Connected { agent, .. } = &call.place else {
            return Err(CenterError::WebCallNotConnected);
        };
        let web = call.web.as_mut().ok_or(CenterError::NotAWebCall)?;
        // While the call waits for its widget (`agent_conn` none) the signal is refused rather
        // than queued: the peer connection is already up, so a late candidate adds nothing, and
        // the page hears (as a warning) that it was not delivered.
        let to = web
            .agent_conn
            .filter(|bound| self.connections.get(bound) == Some(agent))
            .ok_or(CenterError::WebCallNotConnected)?;
        if web.signals_from_caller >= SIGNALS_PER_SIDE_MAX {
            return Err(CenterError::TooManySignals);
        }
        web.signals_from_caller += 1;
        self.journal.call(id);
        self.outputs.push_back(Output::Send {
            conn: to,
            message: ServerMessage::Signal {
                conversation: id.clone(),
                signal,
            },
        });
        Ok(())
    }

    /// `hang_up` from a widget of `agent`: the web call they are on is complete and they go to
    /// wrap-up; the customer page hears `ended`.
    pub(crate) fn agent_hang_up(
        &mut self,
        now: Timestamp,
        agent: &AgentId,
        id: &InteractionId,
    ) -> Result<(), CenterError> {
        let call = self.calls.get(id).ok_or(CenterError::NotOnThisCall)?;
        if call.web.is_none() {
            return Err(CenterError::NotAWebCall);
        }
        match &call.place {
            Place::Connected { agent: talking, .. } if talking == agent => {}
            _ => return Err(CenterError::NotOnThisCall),
        }
        self.set_end_reason(id, CallEndReason::AgentHungUp);
        self.end_leg(now, id, false);
        Ok(())
    }

    /// The widget socket `conn` closed. A web call bound to it is over when its page went away
    /// (`leaving`: the peer connection died with the page), and the agent goes to wrap-up.
    /// Otherwise it was a blip: the audio may still flow peer to peer, so the call is unbound and
    /// waits `disconnect_grace` for a widget of the agent to take it back.
    pub(crate) fn widget_closed(&mut self, now: Timestamp, conn: ConnectionId, leaving: bool) {
        let bound: Vec<InteractionId> = self
            .calls
            .iter()
            .filter(|(_, call)| matches!(call.place, Place::Connected { .. }))
            .filter(|(_, call)| {
                call.web
                    .as_ref()
                    .is_some_and(|web| web.agent_conn == Some(conn))
            })
            .map(|(id, _)| id.clone())
            .collect();
        let grace = self.config.presence.disconnect_grace;
        for id in bound {
            if leaving {
                self.set_end_reason(&id, CallEndReason::AgentDisconnected);
                self.end_leg(now, &id, false);
            } else if let Some(web) = self.calls.get_mut(&id).and_then(|call| call.web.as_mut()) {
                web.agent_conn = None;
                web.agent_lost_at = Some(now);
                self.journal.call(&id);
                self.web_waits.insert((now + grace, id));
            }
        }
    }

    /// `rejoin` from the widget socket `conn` of `agent` for a web call: this page holds the
    /// call's peer connection, so its signalling is relayed to `conn` from now on. The call may
    /// be waiting for its widget, or still bound to the socket it dropped (the hub can hear of a
    /// dead socket after the page has reconnected, and a later close of it then changes
    /// nothing); taking it back twice is harmless. Only the agent on the call can
    /// ([`CenterError::NotOnThisCall`] otherwise).
    pub(crate) fn rebind_web_call(
        &mut self,
        conn: ConnectionId,
        agent: &AgentId,
        id: &InteractionId,
    ) -> Result<(), CenterError> {
        let call = self.calls.get_mut(id).ok_or(CenterError::NotOnThisCall)?;
        if !matches!(&call.place, Place::Connected { agent: talking, .. } if talking == agent) {
            return Err(CenterError::NotOnThisCall);
        }
        let web = call.web.as_mut().ok_or(CenterError::NotAWebCall)?;
        if web.agent_conn == Some(conn) {
            return Ok(());
        }
        web.agent_conn = Some(conn);
        let lost_at = web.agent_lost_at.take();
        self.journal.call(id);
        if let Some(lost_at) = lost_at {
            let grace = self.config.presence.disconnect_grace;
            self.web_waits.remove(&(lost_at + grace, id.clone()));
        }
        Ok(())
    }

    /// A deadline of web call `id` came at `at`: the wait for an answer (`max_web_queue_wait`
    /// since it arrived), or for its widget to come back after a blip.
    pub(crate) fn web_wait_over(&mut self, at: Timestamp, id: &InteractionId) {
        let Some(call) = self.calls.get(id) else {
            return;
        };
        match call.place {
            Place::Queued => self.web_queue_wait_over(at, id),
            // Not cut off mid-ring: looked at again when this ring can have ended.
            Place::Ringing { timeout, .. } => {
                let again = at + timeout.max(self.config.presence.ring_no_answer);
                self.web_waits.insert((again, id.clone()));
            }
            Place::Connected { .. } => self.web_widget_wait_over(at, id),
            // Web calls run no menu.
            Place::Ended { .. } | Place::InMenu => {}
        }
    }

    /// A web call waited `max_web_queue_wait` without an answer: it leaves the queue as
    /// abandoned, and the page hears `wait_too_long`.
    fn web_queue_wait_over(&mut self, at: Timestamp, id: &InteractionId) {
        let overdue = self.calls.get(id).is_some_and(|call| {
            at.saturating_since(call.arrived_at) >= self.config.max_web_queue_wait
        });
        if !overdue {
            return;
        }
        if let Some(call) = self.calls.get_mut(id) {
            call.hung_up = true;
            let _ = call
                .interaction
                .handle(at, tsunagu_interaction::Event::CustomerHungUp);
            self.journal.call(id);
        }
        self.set_end_reason(id, CallEndReason::WaitTooLong);
        self.router_abandon(id);
        self.end(at, id, Ending::Abandoned);
    }

    /// The wait of web call `id` for its widget ran out at `at`: nobody took it back, so it ends
    /// as if the widget had closed for good.
    fn web_widget_wait_over(&mut self, at: Timestamp, id: &InteractionId) {
        let grace = self.config.presence.disconnect_grace;
        // The call's queue deadline may come while it waits for its widget: only the wait's
        // own end counts.
        let waiting = self.calls.get(id).is_some_and(|call| {
            matches!(call.place, Place::Connected { .. })
                && call.web.as_ref().is_some_and(|web| {
                    web.agent_conn.is_none()
                        && web
                            .agent_lost_at
                            .is_some_and(|lost_at| lost_at + grace <= at)
                })
        });
        if !waiting {
            return;
        }
        if let Some(web) = self.calls.get_mut(id).and_then(|call| call.web.as_mut()) {
            web.agent_lost_at = None;
        }
        self.journal.call(id);
        self.set_end_reason(id, CallEndReason::AgentDisconnected);
        self.end_leg(at, id, false);
    }

    fn set_end_reason(&mut self, id: &InteractionId, reason: CallEndReason) {
        if let Some(web) = self.calls.get_mut(id).and_then(|call| call.web.as_mut())
            && web.end_reason.is_none()
        {
            web.end_reason = Some(reason);
            self.journal.call(id);
        }
    }

    /// Tells customer pages what changed in this input: the web calls that changed, and every
    /// queued web call (its position may have moved). Bounded by `max_web_calls`.
    pub(crate) fn tell_callers(&mut self, changed: &std::collections::BTreeSet<InteractionId>) {
        let queued: Vec<InteractionId> = self.router.queued(Channel::WebCall).cloned().collect();
        for id in changed.iter().chain(&queued) {
            self.tell_caller(id);
        }
    }

    fn tell_caller(&mut self, id: &InteractionId) {
        let position = self.router.queue_position(id);
        let Some(call) = self.calls.get_mut(id) else {
            return;
        };
        let Some(web) = call.web.as_mut() else {
            return;
        };
        if web.told == Told::Ended {
            return;
        }
        let (told, event) = match &call.place {
            // Web calls run no menu: told as waiting.
            Place::Queued | Place::InMenu => {
                let position = u32::try_from(position.unwrap_or(1)).unwrap_or(u32::MAX);
                (Told::Queued { position }, CallerEvent::Queued { position })
            }
            Place::Ringing { .. } => (Told::Ringing, CallerEvent::Ringing),
            Place::Connected { .. } => (Told::Connected, CallerEvent::Connected),
            Place::Ended { ending } => {
                let reason = web.end_reason.unwrap_or(match ending {
                    Ending::Closed => CallEndReason::Closed,
                    Ending::Abandoned => CallEndReason::Unavailable,
                    _ => CallEndReason::Other,
                });
                (Told::Ended, CallerEvent::Ended { reason })
            }
        };
        if told == web.told {
            return;
        }
        web.told = told;
        self.journal.call(id);
        if web.socket_open {
            self.outputs.push_back(Output::ToCaller {
                conn: web.conn,
                message: event,
            });
        }
        if told == Told::Ended && std::mem::replace(&mut web.socket_open, false) {
            // The shell closes the socket after `ended`; the call no longer counts.
            self.callers.remove(&web.conn);
        }
    }
}

/// `WC` and the random bytes in hex: 34 characters, never a Twilio CallSid (`CA…`).
fn web_call_id(random: &[u8; 16]) -> Option<InteractionId> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(34);
    id.push_str("WC");
    for byte in random {
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    // ASCII letters and digits, 34 long: always a valid interaction id.
    InteractionId::new(id).ok()
}

/// A typed name: control characters dropped, trimmed, cut; blank is none.
fn typed_name(raw: Option<String>) -> Option<String> {
    let cleaned: String = raw?.chars().filter(|c| !c.is_control()).collect();
    let name: String = cleaned.trim().chars().take(CALLER_NAME_MAX_CHARS).collect();
    let name = name.trim_end().to_owned();
    (!name.is_empty()).then_some(name)
}

/// A typed number, kept only if it is a phone number (Japanese national or international).
fn typed_number(raw: Option<String>) -> Option<String> {
    let raw = raw?;
    if raw.chars().count() > CALLER_NUMBER_MAX_CHARS {
        return None;
    }
    PhoneNumber::parse(&raw, Region::Jp)
        .ok()
        .map(|number| number.as_e164().to_owned())
}
