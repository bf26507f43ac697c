//! [`Desk`]: the ring ↔ offer ↔ dial ↔ rejoin correlation, the call view, hold, mute and wrap-up.

use std::collections::VecDeque;

use tsunagu_core::{Channel, InteractionId};
use tsunagu_protocol::{ClientMessage, PresenceStatus, ServerMessage};

use crate::{
    CallView, Command, Dialled, Direction, HostEvent, Input, LineEvent, LineOp,
    MAX_UNMATCHED_RINGS, Millis, OfferView, Output, SAVED_NOTICE_MS, View, WebCallOp, WrapUpView,
};

/// A ring of the line no offer, dial or rejoin has claimed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ring {
    call_sid: String,
    conversation: Option<String>,
}

/// The agent's side of calls; see the crate docs.
#[derive(Debug, Default)]
pub struct Desk {
    view: View,
    owns_phone: bool,
    line_ready: bool,
    /// The latest offer, kept for the call view once it is answered.
    last_offer: Option<OfferView>,
    /// Phone calls that rang before their offer (or dial reply) arrived.
    unmatched: Vec<Ring>,
    /// The outbound call the agent placed, until they are on it.
    dialled: Option<Dialled>,
    /// The conversation whose ring is this agent's own call coming back (reload, hold).
    rejoining: Option<String>,
    /// The call that just ended, for the wrap-up that may follow.
    last_call: Option<WrapUpView>,
    /// The agent sent their wrap-up; the hub's next status confirms it.
    wrap_up_sent: bool,
    saved_until: Option<Millis>,
    /// A web call's peer connection may be open.
    web_open: bool,
    outputs: VecDeque<Output>,
}

impl Desk {
    pub fn new() -> Desk {
        Desk::default()
    }

    /// What the UI shows.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The next effect to perform.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Desk::handle_timeout`] is due.
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.saved_until
    }

    pub fn handle_timeout(&mut self, now: Millis) {
        let before = self.view.clone();
        if self.saved_until.is_some_and(|due| now >= due) {
            self.saved_until = None;
            self.view.saved = None;
        }
        self.changed(&before);
    }

    pub fn handle_input(&mut self, now: Millis, input: Input) {
        let before = self.view.clone();
        match input {
            Input::Hub(message) => self.hub(now, message),
            Input::Line(event) => self.line(now, event),
            Input::Command(command) => self.command(command),
            Input::PhoneOwner(owner) => self.owns_phone = owner,
            Input::DialSent => self.view.dialing = true,
            Input::DialReply(reply) => self.dial_reply(now, reply),
            Input::SignedOut => {
                self.set_offer(None);
                self.end_call();
                self.close_web_call();
                self.unmatched.clear();
                self.dialled = None;
                self.rejoining = None;
                self.last_call = None;
                self.line_ready = false;
                self.view.dialing = false;
                self.view.status = None;
                self.view.wrap_up = None;
            }
        }
        self.changed(&before);
    }

    fn changed(&mut self, before: &View) {
        if &self.view != before {
            self.outputs.push_back(Output::ViewChanged);
        }
    }

    fn send(&mut self, message: ClientMessage) {
        self.outputs.push_back(Output::Hub(message));
    }

    fn line_op(&mut self, op: LineOp) {
        self.outputs.push_back(Output::Line(op));
    }

    fn host(&mut self, event: HostEvent) {
        self.outputs.push_back(Output::Host(event));
    }

    // ---- the hub -----------------------------------------------------------------------------

    fn hub(&mut self, now: Millis, message: ServerMessage) {
        match message {
            ServerMessage::Welcome { status, .. } => self.status_changed(now, now, status),
            ServerMessage::Status { status, since } => self.status_changed(now, since.0, status),
            ServerMessage::Offer {
                offer,
                conversation,
                screen_pop,
                channel,
                ..
            } => {
                self.send(ClientMessage::AckOffer {
                    offer: offer.clone(),
                });
                let call_sid = self.take_unmatched_call(conversation.as_str());
                self.host(HostEvent::Ring {
                    conversation: conversation.as_str().to_owned(),
                    screen_pop: screen_pop.clone(),
                    channel,
                });
                self.set_offer(Some(OfferView {
                    offer,
                    screen_pop,
                    call_sid,
                    channel,
                }));
            }
            ServerMessage::Resume {
                conversation,
                screen_pop,
                since,
                rejoin,
                web: false,
            } => {
                let conversation = conversation.as_str().to_owned();
                let shown = self
                    .view
                    .call
                    .as_ref()
                    .filter(|call| call.conversation == conversation);
                if shown.is_some() && !rejoin {
                    // The socket came back but this page never lost the call.
                    return;
                }
                let direction = shown.map_or(Direction::Inbound, |call| call.direction);
                if shown.is_none() && self.view.call.is_some() {
                    // The hub says the agent is on another call: the one shown ended meanwhile
                    // (its hang-up was missed), and the host hears so before the new one shows.
                    self.end_call();
                }
                let call_sid = if rejoin {
                    self.take_unmatched_call(&conversation)
                } else {
                    None
                };
                if rejoin {
                    self.rejoining = Some(conversation.clone());
                }
                self.view.call = Some(CallView {
                    conversation,
                    call_sid: call_sid.clone(),
                    caller: screen_pop.caller_for_people().map(str::to_owned),
                    customer: screen_pop.customer.map(|c| c.name),
                    // The agent's own clock: a timer that started before the page did.
                    started_ms: since.0 as f64,
                    held: false,
                    web: false,
                    direction,
                });
                if let Some(call_sid) = call_sid {
                    self.line_op(LineOp::Accept(call_sid));
                }
                self.request_rejoin();
            }
            ServerMessage::Held { conversation, held } => self.held(conversation.as_str(), held),
            ServerMessage::OfferWithdrawn { offer, .. }
                if self.view.offer.as_ref().is_some_and(|o| o.offer == offer) =>
            {
                self.set_offer(None);
            }
            // A web call's resume is the driver's: only it knows which page holds the audio.
            _ => {}
        }
    }

    fn held(&mut self, conversation: &str, held: bool) {
        let Some(call) = self
            .view
            .call
            .as_mut()
            .filter(|call| call.conversation == conversation)
        else {
            return;
        };
        let was = call.held;
        call.held = held;
        if held {
            // The hold ends the phone leg on purpose; the line rings again to resume.
            call.call_sid = None;
        }
        if was != held {
            let conversation = conversation.to_owned();
            self.host(if held {
                HostEvent::Hold { conversation }
            } else {
                HostEvent::Resumed { conversation }
            });
        }
        if !held {
            // The phone rings with the caller again: answered in `line`.
            self.rejoining = Some(conversation.to_owned());
            if let Some(call_sid) = self.take_unmatched_call(conversation) {
                self.rejoining = None;
                if let Some(call) = self.view.call.as_mut() {
                    call.call_sid = Some(call_sid.clone());
                }
                self.line_op(LineOp::Accept(call_sid));
            }
        }
    }

    /// `since`: when the hub says the status began (a wrap-up's timer counts from it).
    fn status_changed(&mut self, now: Millis, since: Millis, status: PresenceStatus) {
        let before = self.view.status;
        self.view.status = Some(status);
        if before != Some(status) {
            self.host(HostEvent::Presence(status));
        }
        match status {
            PresenceStatus::OnCall => {
                let call_sid = self.view.offer.as_ref().and_then(|o| o.call_sid.clone());
                self.begin_call(now, call_sid);
            }
            PresenceStatus::Reserved => {}
            _ => {
                if before == Some(PresenceStatus::OnCall) {
                    self.end_call();
                }
                // A web call accepted too late (the offer moved on) never connected.
                self.close_web_call();
                if status != PresenceStatus::WrapUp {
                    self.set_offer(None);
                }
            }
        }
        match status {
            PresenceStatus::WrapUp if before != Some(PresenceStatus::WrapUp) => {
                self.wrap_up_sent = false;
                self.view.saved = None;
                self.saved_until = None;
                self.view.wrap_up = Some(match self.last_call.take() {
                    Some(call) => WrapUpView {
                        since_ms: since,
                        ..call
                    },
                    None => WrapUpView {
                        conversation: None,
                        caller: None,
                        customer: None,
                        direction: Direction::Inbound,
                        since_ms: since,
                    },
                });
            }
            PresenceStatus::WrapUp | PresenceStatus::OnCall => {}
            _ => {
                self.last_call = None;
                let wrap_up = self.view.wrap_up.take();
                if std::mem::take(&mut self.wrap_up_sent) {
                    self.view.saved = wrap_up;
                    self.saved_until = Some(now.saturating_add(SAVED_NOTICE_MS));
                }
            }
        }
    }

    // ---- offers and calls --------------------------------------------------------------------

    /// Shows (or clears) the ringing offer; only the tab that owns the phone rings.
    fn set_offer(&mut self, offer: Option<OfferView>) {
        let ringing = offer.is_some() && self.owns_phone;
        if let Some(offer) = &offer {
            self.last_offer = Some(offer.clone());
            if ringing {
                self.outputs.push_back(Output::Alert(Some(offer.clone())));
            }
        } else if self.view.ringing {
            self.outputs.push_back(Output::Alert(None));
        }
        self.view.offer = offer;
        self.view.ringing = ringing;
    }

    /// The agent is on the call: the offer (or dial) becomes the call view, once, and the host
    /// hears `accepted`.
    fn begin_call(&mut self, now: Millis, call_sid: Option<String>) {
        if let Some(call) = self.view.call.as_mut() {
            if call.call_sid.is_none() {
                call.call_sid = call_sid;
            }
            return self.set_offer(None);
        }
        if self.view.dialing {
            // An outbound call placed by this widget; its reply names it (see `dial_reply`).
            return;
        }
        if let Some(dialled) = self.dialled.take() {
            self.view.call = Some(CallView {
                conversation: dialled.conversation.clone(),
                call_sid: Some(dialled.call_sid),
                caller: Some(dialled.to_display),
                customer: dialled.customer.map(|(_, name)| name),
                started_ms: now as f64,
                held: false,
                web: false,
                direction: Direction::Outbound,
            });
            self.set_offer(None);
            return self.host(HostEvent::Accepted {
                conversation: dialled.conversation,
            });
        }
        // On a call this widget did not see start (it opened during it): the hub's `Resume`
        // that follows says which.
        let Some(offer) = self.last_offer.take() else {
            return;
        };
        let conversation = offer.offer.interaction.as_str().to_owned();
        let pop = &offer.screen_pop;
        self.view.call = Some(CallView {
            conversation: conversation.clone(),
            call_sid: call_sid.or_else(|| offer.call_sid.clone()),
            caller: pop
                .caller_for_people()
                .map(str::to_owned)
                .or_else(|| pop.caller_name.clone()),
            customer: pop.customer.as_ref().map(|c| c.name.clone()),
            started_ms: now as f64,
            held: false,
            web: offer.channel == Channel::WebCall,
            direction: Direction::Inbound,
        });
        self.set_offer(None);
        self.host(HostEvent::Accepted { conversation });
    }

    fn end_call(&mut self) {
        self.close_web_call();
        let Some(call) = self.view.call.take() else {
            return;
        };
        self.view.muted = false;
        self.last_call = Some(WrapUpView {
            conversation: Some(call.conversation.clone()),
            caller: call.caller,
            customer: call.customer,
            direction: call.direction,
            since_ms: 0,
        });
        self.outputs.push_back(Output::CallEnded {
            conversation: call.conversation,
        });
    }

    fn close_web_call(&mut self) {
        if std::mem::take(&mut self.web_open) {
            self.outputs.push_back(Output::WebCall(WebCallOp::Close));
        }
    }

    fn dial_reply(&mut self, now: Millis, reply: Option<Dialled>) {
        self.view.dialing = false;
        let Some(dialled) = reply else {
            return;
        };
        self.host(HostEvent::Dialing {
            conversation: dialled.conversation.clone(),
            to: dialled.to_display.clone(),
            customer: dialled.customer.clone(),
        });
        let call_sid = dialled.call_sid.clone();
        let rang_already = self.take_unmatched_sid(&call_sid);
        self.dialled = Some(dialled);
        if rang_already {
            self.line_op(LineOp::Accept(call_sid.clone()));
        }
        if self.view.status == Some(PresenceStatus::OnCall) {
            // The hub was quicker than this reply: the call view opens now.
            self.begin_call(now, Some(call_sid));
        }
    }

    // ---- the phone line ----------------------------------------------------------------------

    fn line(&mut self, now: Millis, event: LineEvent) {
        match event {
            LineEvent::Registered => {
                self.line_ready = true;
                // A `Resume` that came before the line was up left its re-join waiting for this.
                self.request_rejoin();
            }
            LineEvent::Down => self.line_ready = false,
            LineEvent::Ringing {
                call_sid,
                conversation,
            } => self.ringing(call_sid, conversation),
            LineEvent::Connected { call_sid } => self.begin_call(now, Some(call_sid)),
            LineEvent::Disconnected { call_sid } => {
                self.unmatched.retain(|ring| ring.call_sid != call_sid);
                if let Some(offer) = self.view.offer.as_mut()
                    && offer.call_sid.as_deref() == Some(&call_sid)
                {
                    offer.call_sid = None;
                }
                // A hold ends the phone leg on purpose: the call goes on.
                let on_this_call = self
                    .view
                    .call
                    .as_ref()
                    .is_some_and(|c| !c.held && c.call_sid.as_deref() == Some(&call_sid));
                if on_this_call {
                    self.end_call();
                }
            }
        }
    }

    fn ringing(&mut self, call_sid: String, conversation: Option<String>) {
        if conversation.is_some() && self.rejoining == conversation {
            // The call this agent was on before their page reloaded (or a hold), rung again.
            self.rejoining = None;
            if let Some(call) = self.view.call.as_mut() {
                call.call_sid = Some(call_sid.clone());
            }
            return self.line_op(LineOp::Accept(call_sid));
        }
        if self
            .dialled
            .as_ref()
            .is_some_and(|d| d.call_sid == call_sid)
        {
            // The agent's own outbound call: they asked for it, so it connects at once.
            return self.line_op(LineOp::Accept(call_sid));
        }
        match self.view.offer.as_mut() {
            Some(offer) if conversation.as_deref() == Some(offer.offer.interaction.as_str()) => {
                offer.call_sid = Some(call_sid);
            }
            _ => {
                self.unmatched.push(Ring {
                    call_sid,
                    conversation,
                });
                let excess = self.unmatched.len().saturating_sub(MAX_UNMATCHED_RINGS);
                self.unmatched.drain(..excess);
            }
        }
    }

    /// Once the line is up, asks the hub to ring it with the caller who is holding for this
    /// agent (the ring is answered in `ringing`).
    fn request_rejoin(&mut self) {
        if !self.line_ready {
            return;
        }
        let conversation = self
            .rejoining
            .as_deref()
            .and_then(|c| InteractionId::new(c).ok());
        if let Some(conversation) = conversation {
            self.send(ClientMessage::Rejoin { conversation });
        }
    }

    fn take_unmatched_call(&mut self, conversation: &str) -> Option<String> {
        let at = self
            .unmatched
            .iter()
            .position(|ring| ring.conversation.as_deref() == Some(conversation))?;
        Some(self.unmatched.remove(at).call_sid)
    }

    fn take_unmatched_sid(&mut self, call_sid: &str) -> bool {
        let before = self.unmatched.len();
        self.unmatched.retain(|ring| ring.call_sid != call_sid);
        self.unmatched.len() != before
    }

    // ---- the agent's commands ----------------------------------------------------------------

    fn call_id(&self) -> Option<InteractionId> {
        let call = self.view.call.as_ref()?;
        InteractionId::new(&call.conversation).ok()
    }

    fn call_sid(&self) -> Option<String> {
        self.view.call.as_ref().and_then(|c| c.call_sid.clone())
    }

    fn web_call(&self) -> Option<InteractionId> {
        self.call_id()
            .filter(|_| self.view.call.as_ref().is_some_and(|c| c.web))
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Accept => {
                let Some(offer) = self.view.offer.clone() else {
                    return;
                };
                if offer.channel == Channel::WebCall {
                    // The hub connects it; the widget's own line (WebRTC) carries the audio.
                    self.send(ClientMessage::AcceptOffer {
                        offer: offer.offer.clone(),
                    });
                    self.web_open = true;
                    self.outputs
                        .push_back(Output::WebCall(WebCallOp::Start(offer.offer.interaction)));
                } else if offer.screen_pop.callback.is_some() {
                    // A callback rings no phone: the hub, told it is taken, asks this widget to
                    // dial the caller (a `dial_request`), as a click-to-call.
                    self.send(ClientMessage::AcceptOffer {
                        offer: offer.offer.clone(),
                    });
                    self.set_offer(None);
                } else if let Some(call_sid) = offer.call_sid {
                    self.line_op(LineOp::Accept(call_sid));
                }
            }
            Command::Reject => {
                let Some(offer) = self.view.offer.clone() else {
                    return;
                };
                self.send(ClientMessage::DeclineOffer { offer: offer.offer });
                self.set_offer(None);
                if let Some(call_sid) = offer.call_sid {
                    self.line_op(LineOp::Reject(call_sid));
                }
            }
            Command::HangUp => {
                if let Some(conversation) = self.web_call() {
                    return self.send(ClientMessage::HangUp { conversation });
                }
                if let Some(call_sid) = self.call_sid() {
                    self.line_op(LineOp::HangUp(call_sid));
                }
            }
            Command::ToggleMute => {
                let muted = !self.view.muted;
                if self.web_call().is_some() {
                    self.view.muted = muted;
                    return self
                        .outputs
                        .push_back(Output::WebCall(WebCallOp::Mute(muted)));
                }
                if let Some(call_sid) = self.call_sid() {
                    self.view.muted = muted;
                    self.line_op(LineOp::Mute(call_sid, muted));
                }
            }
            Command::Digits(digits) => {
                if let Some(call_sid) = self.call_sid() {
                    self.line_op(LineOp::Digits(call_sid, digits));
                }
            }
            Command::ToggleHold => {
                let held = self.view.call.as_ref().is_some_and(|c| c.held);
                if let Some(conversation) = self.call_id() {
                    self.send(ClientMessage::Hold {
                        conversation,
                        held: !held,
                    });
                }
            }
            Command::Transfer(to) => {
                if let Some(conversation) = self.call_id() {
                    self.send(ClientMessage::Transfer { conversation, to });
                }
            }
            Command::EndWrapUp { disposition, notes } => {
                self.send(ClientMessage::EndWrapUp {
                    disposition: disposition.clone(),
                    notes: notes.clone(),
                });
                if let Some(wrap_up) = &self.view.wrap_up {
                    self.wrap_up_sent = true;
                    self.host(HostEvent::WrapUp {
                        conversation: wrap_up.conversation.clone(),
                        outcome: disposition,
                        notes,
                    });
                }
            }
        }
    }
}
