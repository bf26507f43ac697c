//! The presence state machine of one agent: inputs and deadlines in, status changes out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use tsunagu_core::{InteractionId, Millis, Timestamp};

use crate::{
    AwayReason, ConnectionId, Input, OfferId, OfferLostReason, Output, PresenceInterval,
    PresencePolicy, Rejected, RequestedStatus, Status, StatusKind,
};

/// The presence of one agent, as a sans-IO state machine (in the style of `str0m` / `quinn-proto`).
///
/// The shell (a Durable Object) owns one `Presence` per agent and drives it:
///
/// 1. Feed what happened with [`handle_input`](Self::handle_input)`(now, input)`. An input that
///    does not apply is returned as [`Rejected`] and changes nothing.
/// 2. After every call that takes `&mut self`, drain [`poll_output`](Self::poll_output) until it
///    returns `None`, and act on each [`Output`].
/// 3. Arm an alarm for [`poll_timeout`](Self::poll_timeout) and, when it fires, call
///    [`handle_timeout`](Self::handle_timeout)`(now)`. Calling it early, late or twice is safe:
///    a deadline takes effect at the deadline itself, whatever `now` is, and a call with nothing
///    due does nothing.
///
/// Deadlines that are due are always applied before an input, so a late alarm never changes the
/// outcome. Time never goes backwards here: a `now` earlier than one already seen is treated as
/// the latest time seen.
///
/// The value is `Serialize + Deserialize`: persisting it and restoring it later behaves exactly as
/// if it had stayed in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    policy: PresencePolicy,
    state: State,
    /// When the current status began.
    status_since: Timestamp,
    created_at: Timestamp,
    /// The latest time any call told us about.
    last_seen: Timestamp,
    connections: BTreeSet<ConnectionId>,
    /// Set exactly while no connection is open and the agent is neither offline nor on a call.
    offline_at: Option<Timestamp>,
    /// The status to return to after the current call's wrap-up; `None` means available.
    next_status: Option<RequestedStatus>,
    /// Time spent in each finished status. JSON maps need string keys, hence a list of pairs.
    #[serde(with = "pairs")]
    totals: BTreeMap<StatusKind, Millis>,
    outputs: VecDeque<Output>,
}

/// The status with the timers and bookkeeping that belong to it, so that a timer can only exist
/// in the status it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum State {
    Offline,
    Available {
        idle_since: Timestamp,
    },
    Away {
        reason: AwayReason,
    },
    Reserved {
        offer: OfferId,
        /// The idle time the agent had before the offer, given back if the offer goes away
        /// through no fault of theirs so they keep their place for longest-idle routing.
        idle_since: Timestamp,
        /// Deadline for the acknowledgement; `None` once acknowledged.
        ack_by: Option<Timestamp>,
        answer_by: Timestamp,
        /// A web call's offer: ringing out unanswered leaves the agent available.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        web: bool,
    },
    OnCall {
        interaction: InteractionId,
    },
    WrapUp {
        interaction: InteractionId,
        until: Timestamp,
    },
}

impl State {
    fn status(&self) -> Status {
        match self {
            State::Offline => Status::Offline,
            State::Available { .. } => Status::Available,
            State::Away { reason } => Status::Away { reason: *reason },
            State::Reserved { offer, .. } => Status::Reserved {
                offer: offer.clone(),
            },
            State::OnCall { interaction } => Status::OnCall {
                interaction: interaction.clone(),
            },
            State::WrapUp { interaction, .. } => Status::WrapUp {
                interaction: interaction.clone(),
            },
        }
    }

    fn requested(requested: RequestedStatus, now: Timestamp) -> State {
        match requested {
            RequestedStatus::Available => State::Available { idle_since: now },
            RequestedStatus::Away(reason) => State::Away { reason },
            RequestedStatus::Offline => State::Offline,
        }
    }

    fn deadline(&self) -> Option<Timestamp> {
        match self {
            State::Reserved {
                ack_by, answer_by, ..
            } => Some(ack_by.map_or(*answer_by, |ack_by| ack_by.min(*answer_by))),
            State::WrapUp { until, .. } => Some(*until),
            _ => None,
        }
    }

    fn is_call(&self) -> bool {
        matches!(self, State::OnCall { .. } | State::WrapUp { .. })
    }
}

impl Presence {
    /// A new agent, offline since `now`.
    pub fn new(now: Timestamp, policy: PresencePolicy) -> Self {
        Self {
            policy,
            state: State::Offline,
            status_since: now,
            created_at: now,
            last_seen: now,
            connections: BTreeSet::new(),
            offline_at: None,
            next_status: None,
            totals: BTreeMap::new(),
            outputs: VecDeque::new(),
        }
    }

    /// The tenant policy this agent runs under.
    pub fn policy(&self) -> &PresencePolicy {
        &self.policy
    }

    /// Replaces the tenant's policy. Timers already running keep their deadlines.
    pub fn set_policy(&mut self, policy: PresencePolicy) {
        self.policy = policy;
    }

    /// The agent's current status.
    pub fn status(&self) -> Status {
        self.state.status()
    }

    /// When the current status began.
    pub fn status_since(&self) -> Timestamp {
        self.status_since
    }

    /// When this presence was created: the origin of [`time_in_status`](Self::time_in_status).
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When an available agent became idle, for longest-idle-first routing; `None` unless
    /// available. A cancelled offer (or one lost because the tab closed) gives the agent their
    /// earlier idle time back; a declined or missed one does not.
    pub fn idle_since(&self) -> Option<Timestamp> {
        match self.state {
            State::Available { idle_since } => Some(idle_since),
            _ => None,
        }
    }

    /// Whether routing may offer work now: available with at least one widget open to ring.
    pub fn is_routable(&self) -> bool {
        matches!(self.state, State::Available { .. }) && !self.connections.is_empty()
    }

    /// How many widget connections (tabs) are open.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// The status the agent takes when the current call's wrap-up ends; `None` means available.
    pub fn next_status(&self) -> Option<RequestedStatus> {
        self.next_status
    }

    /// Time spent in each kind of status from creation until `now`, the current status included.
    /// The totals sum exactly to `now - created_at` for any `now` not before the last time seen.
    /// Due deadlines are not applied here: call [`handle_timeout`](Self::handle_timeout) first.
    pub fn time_in_status(&self, now: Timestamp) -> BTreeMap<StatusKind, Millis> {
        let mut totals = self.totals.clone();
        let current = totals.entry(self.state.status().kind()).or_default();
        *current = *current + now.saturating_since(self.status_since);
        totals
    }

    /// The next output to act on, oldest first.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        match (self.state.deadline(), self.offline_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Applies every deadline due by `now`, each at its own time, in order.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        let now = self.observe(now);
        // Terminates: each step removes the deadline it handles; the only deadline a step can
        // add is `offline_at`, whose own step ends in a state without deadlines.
        while let Some(due) = self.poll_timeout().filter(|due| *due <= now) {
            self.fire(due);
        }
    }

    /// Applies `input` at `now`, after any deadline due by then.
    pub fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Rejected> {
        self.handle_timeout(now);
        let now = self.last_seen;
        let result = self.apply(now, input);
        self.keep_offline_deadline(now);
        result
    }

    fn observe(&mut self, now: Timestamp) -> Timestamp {
        self.last_seen = self.last_seen.max(now);
        self.last_seen
    }

    fn fire(&mut self, at: Timestamp) {
        // The offline deadline goes first on a tie: one change to offline instead of two.
        if self.offline_at.is_some_and(|offline_at| offline_at <= at) {
            self.offline_at = None;
            if !matches!(self.state, State::OnCall { .. }) {
                self.change(at, State::Offline);
            }
        } else {
            match &self.state {
                State::Reserved {
                    ack_by,
                    web,
                    idle_since,
                    ..
                } => {
                    let (reason, then) = if ack_by.is_some() {
                        let then = self.policy.status_after_missed_offer;
                        (OfferLostReason::NotAcknowledged, State::requested(then, at))
                    } else if *web {
                        // Never away for a web call nobody answered (see `Input::WebOffer`); the
                        // agent keeps their place in the longest-idle order.
                        let back = State::Available {
                            idle_since: *idle_since,
                        };
                        (OfferLostReason::NoAnswer, back)
                    } else {
                        let then = self.policy.status_after_no_answer;
                        (OfferLostReason::NoAnswer, State::requested(then, at))
                    };
                    self.lose_offer(at, reason, then);
                }
                State::WrapUp { .. } => self.finish_wrap_up(at),
                _ => {}
            }
        }
        self.keep_offline_deadline(at);
    }

    fn apply(&mut self, now: Timestamp, input: Input) -> Result<(), Rejected> {
        let web = matches!(input, Input::WebOffer(_));
        match input {
            Input::Connected(connection) => {
                if !self.connections.insert(connection) {
                    return Err(Rejected::AlreadyConnected { connection });
                }
                let logs_in = self.connections.len() == 1 && self.state == State::Offline;
                if logs_in {
                    self.change(now, State::requested(self.policy.status_on_login, now));
                }
                Ok(())
            }
            Input::Disconnected(connection) => {
                if !self.connections.remove(&connection) {
                    return Err(Rejected::UnknownConnection { connection });
                }
                if let State::Reserved { idle_since, .. } = self.state
                    && self.connections.is_empty()
                {
                    let back = State::Available { idle_since };
                    self.lose_offer(now, OfferLostReason::AgentDisconnected, back);
                }
                Ok(())
            }
            Input::SetStatus(requested) => match self.state {
                State::Reserved { .. } => Err(Rejected::StatusWhileReserved {
                    from: self.status(),
                    requested,
                }),
                // Not taken mid-call: queued for when the wrap-up ends.
                State::OnCall { .. } => {
                    self.next_status = Some(requested);
                    Ok(())
                }
                _ => {
                    if self.status() != Status::from(requested) {
                        self.change(now, State::requested(requested, now));
                    }
                    Ok(())
                }
            },
            Input::Offer(offer) | Input::WebOffer(offer) => match self.state {
                State::Available { idle_since } if !self.connections.is_empty() => {
                    let reserved = State::Reserved {
                        offer,
                        idle_since,
                        ack_by: Some(now + self.policy.offer_ack_timeout),
                        answer_by: now + self.policy.ring_no_answer,
                        web,
                    };
                    self.change(now, reserved);
                    Ok(())
                }
                State::Available { .. } => Err(Rejected::OfferWithoutConnection { offer }),
                _ => Err(Rejected::OfferWhileUnavailable {
                    from: self.status(),
                    offer,
                }),
            },
            Input::OfferAcknowledged(ref acknowledged) => match &mut self.state {
                State::Reserved { offer, ack_by, .. } if offer == acknowledged => {
                    // A repeated acknowledgement (a second tab, a resent message) is harmless.
                    *ack_by = None;
                    Ok(())
                }
                _ => Err(self.unknown_offer(input)),
            },
            Input::OfferDeclined(ref declined) => match &self.state {
                State::Reserved { offer, .. } if offer == declined => {
                    let then = State::requested(self.policy.status_after_decline, now);
                    self.lose_offer(now, OfferLostReason::Declined, then);
                    Ok(())
                }
                _ => Err(self.unknown_offer(input)),
            },
            Input::OfferUnanswered(ref unanswered) => match &self.state {
                State::Reserved { offer, .. } if offer == unanswered => {
                    let then = State::requested(self.policy.status_after_no_answer, now);
                    self.lose_offer(now, OfferLostReason::NoAnswer, then);
                    Ok(())
                }
                _ => Err(self.unknown_offer(input)),
            },
            Input::OfferCancelled(ref cancelled) => match self.state {
                State::Reserved {
                    ref offer,
                    idle_since,
                    ..
                } if offer == cancelled => {
                    self.change(now, State::Available { idle_since });
                    Ok(())
                }
                _ => Err(self.unknown_offer(input)),
            },
            Input::CallConnected(interaction) => {
                let next_status = match &self.state {
                    State::Reserved { offer, .. } if offer.interaction == interaction => None,
                    State::Reserved { .. } | State::OnCall { .. } => {
                        return Err(Rejected::CallWhileBusy {
                            from: self.status(),
                            interaction,
                        });
                    }
                    // Outbound calls: after them the agent returns to the status they had chosen.
                    State::Available { .. } => None,
                    State::Away { reason } => Some(RequestedStatus::Away(*reason)),
                    State::Offline => Some(RequestedStatus::Offline),
                    State::WrapUp { .. } => self.next_status,
                };
                self.change(now, State::OnCall { interaction });
                self.next_status = next_status;
                Ok(())
            }
            Input::CallEnded(ended) => match &self.state {
                State::OnCall { interaction } if *interaction == ended => {
                    if self.policy.wrap_up == Millis(0) {
                        self.finish_wrap_up(now);
                    } else {
                        let until = now + self.policy.wrap_up;
                        let interaction = ended;
                        self.change(now, State::WrapUp { interaction, until });
                    }
                    Ok(())
                }
                _ => Err(Rejected::UnknownCall {
                    from: self.status(),
                    interaction: ended,
                }),
            },
            Input::WrapUpFinished => match self.state {
                State::WrapUp { .. } => {
                    self.finish_wrap_up(now);
                    Ok(())
                }
                _ => Err(Rejected::NotInWrapUp {
                    from: self.status(),
                }),
            },
        }
    }

    fn unknown_offer(&self, input: Input) -> Rejected {
        Rejected::UnknownOffer {
            from: self.status(),
            input,
        }
    }

    fn finish_wrap_up(&mut self, at: Timestamp) {
        let next = self
            .next_status
            .take()
            .unwrap_or(RequestedStatus::Available);
        self.change(at, State::requested(next, at));
    }

    fn lose_offer(&mut self, at: Timestamp, reason: OfferLostReason, then: State) {
        if let State::Reserved { offer, .. } = &self.state {
            let offer = offer.clone();
            self.change(at, then);
            self.outputs.push_back(Output::OfferLost { offer, reason });
        }
    }

    /// Moves to `to` at `at`, closing the current status's interval.
    fn change(&mut self, at: Timestamp, to: State) {
        let from = self.state.status();
        self.state = to;
        if !self.state.is_call() {
            self.next_status = None;
        }
        let to = self.state.status();
        if from == to {
            return;
        }
        let spent = at.saturating_since(self.status_since);
        let total = self.totals.entry(from.kind()).or_default();
        *total = *total + spent;
        self.outputs.push_back(Output::StatusChanged {
            from: from.clone(),
            to,
            at,
        });
        self.outputs
            .push_back(Output::IntervalClosed(PresenceInterval {
                status_kind: from.kind(),
                start: self.status_since,
                end: at,
            }));
        self.status_since = at;
    }

    /// Starts the disconnect grace when the agent is left without any connection, and stops it
    /// when a connection opens or the agent is offline anyway. A call suspends it: an agent is
    /// never dropped mid-call (the call may survive a tab reload); the grace starts over when the
    /// call ends.
    fn keep_offline_deadline(&mut self, now: Timestamp) {
        let lapses = self.connections.is_empty()
            && !matches!(self.state, State::Offline | State::OnCall { .. });
        if !lapses {
            self.offline_at = None;
        } else if self.offline_at.is_none() {
            self.offline_at = Some(now + self.policy.disconnect_grace);
        }
    }
}

/// Serializes a map with non-string keys as a list of `[key, value]` pairs.
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<K, V, S>(map: &BTreeMap<K, V>, serializer: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        V: Serialize,
        S: Serializer,
    {
        serializer.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs = Vec::<(K, V)>::deserialize(deserializer)?;
        Ok(pairs.into_iter().collect())
    }
}
