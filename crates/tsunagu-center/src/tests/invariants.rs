//! The center's invariants, checked after every step of every test.

use std::collections::BTreeMap;

use tsunagu_core::{AgentId, Channel};
use tsunagu_interaction::State;
use tsunagu_presence::Status;
use tsunagu_routing::ContactState;

use crate::{
    Center,
    state::{Ending, Place, Told},
};

/// Every invariant, or the first one broken.
pub(crate) fn check(center: &Center) -> Result<(), String> {
    calls_are_in_one_place(center)?;
    agents_ring_once(center)?;
    queue_positions_are_dense(center)?;
    announced_positions_count_their_queue(center)?;
    web_calls_keep_to_their_peers(center)?;
    indexes_match(center)
}

/// Each call is ringing one agent, queued, connected or ended, and presence, routing and its
/// interaction say the same.
fn calls_are_in_one_place(center: &Center) -> Result<(), String> {
    for (id, call) in &center.calls {
        let routed = center.router.contact_state(id);
        let state = call.interaction.state();
        let status_of = |agent: &AgentId| center.agents.get(agent).map(|a| a.presence.status());
        match &call.place {
            Place::Ringing { agent, attempt, .. } => {
                let reserved = matches!(status_of(agent), Some(Status::Reserved { offer })
                    if offer.interaction == *id && offer.attempt == *attempt);
                if !reserved {
                    return Err(format!(
                        "{id} rings {agent} whose presence is not reserved for it"
                    ));
                }
                if !matches!(&routed, Some(ContactState::Offered { agent: a, .. }) if a == agent) {
                    return Err(format!("{id} rings {agent} but routing says {routed:?}"));
                }
                if !matches!(state, State::Offered { agent: a, .. } if a == agent) {
                    return Err(format!("{id} rings {agent} but its interaction is {state}"));
                }
            }
            Place::Queued => {
                if !matches!(routed, Some(ContactState::Queued { .. })) {
                    return Err(format!("{id} is queued but routing says {routed:?}"));
                }
                if *state != State::Queued {
                    return Err(format!("{id} is queued but its interaction is {state}"));
                }
            }
            Place::Connected { agent, .. } => {
                let on_call = matches!(status_of(agent), Some(Status::OnCall { interaction })
                    if interaction == *id);
                if !on_call {
                    return Err(format!("{id} is connected to {agent} who is not on it"));
                }
                // Routing holds an outbound call as work assigned outside it.
                let held = center
                    .router
                    .holdings(agent)
                    .is_some_and(|holdings| holdings.contains_key(id));
                let accepted =
                    matches!(&routed, Some(ContactState::Accepted { agent: a }) if a == agent);
                if !(accepted || call.outbound.is_some() && held) {
                    return Err(format!("{id} is connected but routing says {routed:?}"));
                }
                if state.connected_agent() != Some(agent) {
                    return Err(format!("{id} is connected but its interaction is {state}"));
                }
            }
            Place::InMenu => {
                if routed.is_some() || call.menu.as_ref().and_then(|m| m.asked()).is_none() {
                    return Err(format!(
                        "{id} is in its menu but routing says {routed:?} or nothing is asked"
                    ));
                }
                if *state != State::Queued {
                    return Err(format!(
                        "{id} is in its menu but its interaction is {state}"
                    ));
                }
            }
            Place::Ended { ending } => {
                if routed.is_some() {
                    return Err(format!("{id} ended but routing still has it: {routed:?}"));
                }
                let agrees = match ending {
                    Ending::Completed => matches!(state, State::Completed { .. }),
                    Ending::Abandoned => {
                        matches!(state, State::Abandoned | State::Completed { .. })
                    }
                    Ending::FellBack { .. } => matches!(state, State::FellBack { .. }),
                    // An IVR's transfer is no agent's: its interaction falls back to the number.
                    Ending::TransferredOut { .. } => {
                        matches!(state, State::TransferredOut { .. } | State::FellBack { .. })
                    }
                    Ending::Menu { .. } => *state == State::Abandoned,
                    // The agent took the callback: for the interaction, answered and done.
                    Ending::CalledBack { .. } => matches!(state, State::Completed { .. }),
                    // Interactions have no "closed" end: the call was never routed.
                    Ending::Closed => *state == State::Queued,
                };
                if !agrees {
                    return Err(format!(
                        "{id} ended as {ending:?} but its interaction is {state}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// An agent is offered at most one call, is never offered one while on another, and an agent's
/// reservation always belongs to a call that rings them.
fn agents_ring_once(center: &Center) -> Result<(), String> {
    let mut busy: BTreeMap<&AgentId, usize> = BTreeMap::new();
    for call in center.calls.values() {
        if let Place::Ringing { agent, .. } | Place::Connected { agent, .. } = &call.place {
            *busy.entry(agent).or_default() += 1;
        }
    }
    if let Some((agent, calls)) = busy.iter().find(|(_, calls)| **calls > 1) {
        return Err(format!("{agent} rings or talks on {calls} calls at once"));
    }
    for (agent, entry) in &center.agents {
        if let Status::Reserved { offer } = entry.presence.status() {
            let rings = center.calls.get(&offer.interaction).is_some_and(|call| {
                matches!(&call.place, Place::Ringing { agent: a, attempt, .. }
                    if a == agent && *attempt == offer.attempt)
            });
            if !rings {
                return Err(format!(
                    "{agent} is reserved for {offer}, which does not ring them"
                ));
            }
        }
    }
    Ok(())
}

/// The queued calls of each channel hold positions 1..n of its line, and the lines hold nothing
/// else.
fn queue_positions_are_dense(center: &Center) -> Result<(), String> {
    for channel in [Channel::Voice, Channel::WebCall] {
        let mut positions: Vec<usize> = center
            .calls
            .iter()
            .filter(|(_, call)| call.place == Place::Queued && call.channel() == channel)
            .filter_map(|(id, _)| center.router.queue_position(id))
            .collect();
        positions.sort_unstable();
        let expected: Vec<usize> = (1..=positions.len()).collect();
        if positions != expected {
            return Err(format!("{channel} queue positions are {positions:?}"));
        }
        if center.router.queue_len(channel) != positions.len() {
            return Err(format!(
                "{} {channel} calls queued but the line holds {}",
                positions.len(),
                center.router.queue_len(channel)
            ));
        }
    }
    if center.queue_len() != center.router.queue_len(Channel::Voice) {
        return Err("queue_len is not the phone line's".into());
    }
    Ok(())
}

/// The place a queued caller is told counts exactly the callers ahead of it in its own queue (a
/// deleted queue's callers in the tenant's line), whichever way the center computes it.
fn announced_positions_count_their_queue(center: &Center) -> Result<(), String> {
    let waits_in = |call: &crate::state::CallEntry| {
        call.queue
            .clone()
            .filter(|queue| center.config.queues.contains_key(queue))
    };
    for channel in [Channel::Voice, Channel::WebCall] {
        let line: Vec<_> = center.router.queued(channel).collect();
        for (index, id) in line.iter().enumerate() {
            let Some(call) = center.calls.get(*id) else {
                continue;
            };
            let ahead = line[..index]
                .iter()
                .filter(|other| {
                    center
                        .calls
                        .get(**other)
                        .is_some_and(|other| waits_in(other) == waits_in(call))
                })
                .count();
            let told = center.position_in_queue(id);
            if told != ahead + 1 {
                return Err(format!(
                    "{id} is told place {told}, {ahead} wait ahead of it"
                ));
            }
        }
    }
    Ok(())
}

/// A web call has no CallSid and a customer side; its customer socket counts while it is open
/// and the call not over; a connected one is bound to an
/// open socket of the agent it is connected to (and nothing before); no socket is both an
/// agent's and a customer's.
pub(crate) fn web_calls_keep_to_their_peers(center: &Center) -> Result<(), String> {
    let mut open = 0usize;
    for (id, call) in &center.calls {
        let Some(web) = &call.web else {
            if call.call_sid.is_none() {
                return Err(format!("phone call {id} has no CallSid"));
            }
            continue;
        };
        if call.call_sid.is_some() || call.interaction.channel() != Channel::WebCall {
            return Err(format!("web call {id} looks like a phone call"));
        }
        if web.socket_open {
            open += 1;
            if web.told == Told::Ended || matches!(call.place, Place::Ended { .. }) {
                return Err(format!(
                    "web call {id} is over but its customer still counts"
                ));
            }
            if center.callers.get(&web.conn) != Some(id) {
                return Err(format!("web call {id}'s customer socket is not indexed"));
            }
        }
        if web.agent_lost_at.is_some() && web.agent_conn.is_some() {
            return Err(format!("web call {id} waits for a widget it has"));
        }
        if web.agent_lost_at.is_some() && !matches!(call.place, Place::Connected { .. }) {
            return Err(format!(
                "web call {id} waits for a widget but is not connected"
            ));
        }
        if let Some(lost_at) = web.agent_lost_at {
            let grace = center.config.presence.disconnect_grace;
            if !center.web_waits.contains(&(lost_at + grace, id.clone())) {
                return Err(format!(
                    "web call {id} waits for a widget without a deadline"
                ));
            }
            if lost_at + grace <= center.now {
                return Err(format!(
                    "web call {id} waits for a widget past its deadline"
                ));
            }
        }
        if let Place::Connected { agent, .. } = &call.place
            && web.agent_lost_at.is_none()
        {
            let bound_to = web
                .agent_conn
                .and_then(|bound| center.connections.get(&bound));
            if bound_to != Some(agent) {
                return Err(format!(
                    "web call {id} is connected to {agent} but signals to {bound_to:?}"
                ));
            }
        }
        if matches!(call.place, Place::Queued | Place::Ringing { .. }) && web.agent_conn.is_some() {
            return Err(format!(
                "web call {id} is bound to a widget before it is accepted"
            ));
        }
        let max = tsunagu_protocol::SIGNALS_PER_SIDE_MAX;
        if web.signals_from_agent > max || web.signals_from_caller > max {
            return Err(format!("web call {id} relayed too many signals"));
        }
    }
    if open != center.callers.len() {
        return Err("the customer socket index has strays".into());
    }
    if let Some(conn) = center
        .callers
        .keys()
        .find(|conn| center.connections.contains_key(conn))
    {
        return Err(format!("socket {conn} is both an agent's and a customer's"));
    }
    Ok(())
}

/// Derived indexes agree with the facts they are derived from.
fn indexes_match(center: &Center) -> Result<(), String> {
    for (conn, agent) in &center.connections {
        if !center
            .agents
            .get(agent)
            .is_some_and(|entry| entry.conns.contains(conn))
        {
            return Err(format!(
                "socket {conn} of {agent} is not in the agent's list"
            ));
        }
    }
    for (agent, entry) in &center.agents {
        if entry.presence.connection_count() != entry.conns.len() {
            return Err(format!("{agent}: presence and center disagree on sockets"));
        }
        if center.deadlines.get(agent).copied() != entry.presence.poll_timeout() {
            return Err(format!("{agent}: timer index is stale"));
        }
    }
    if center.timers.len() != center.deadlines.len() {
        return Err("timer index has strays".into());
    }
    let phone_calls = center.calls.values().filter(|call| call.web.is_none());
    if center.by_call_sid.len() != phone_calls.count()
        || center.calls.iter().any(|(id, call)| {
            call.call_sid
                .as_ref()
                .is_some_and(|call_sid| center.by_call_sid.get(call_sid) != Some(id))
        })
    {
        return Err("CallSid index is stale".into());
    }
    if center.flush_at.is_some() == center.dirty.is_empty() {
        return Err("a roster flush is pending without changes, or the other way round".into());
    }
    Ok(())
}
