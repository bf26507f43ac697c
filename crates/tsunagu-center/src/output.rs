//! What the center asks its shell to do: send to sockets, redirect calls, store call-log events.

use serde::{Deserialize, Serialize};
use tsunagu_core::{AgentId, CallSid, InteractionId};
use tsunagu_presence::{ConnectionId, PresenceInterval};
use tsunagu_protocol::{CallerEvent, ServerMessage};
use tsunagu_stitch::CallEvent;

/// One thing for the shell to do, drained with [`Center::poll_output`](crate::Center::poll_output)
/// in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "output", rename_all = "snake_case")]
pub enum Output {
    /// Send to one widget socket.
    Send {
        conn: ConnectionId,
        message: ServerMessage,
    },
    /// Send the same message to these widget sockets (serialise it once): a roster to the
    /// sockets whose scope it concerns.
    Multicast {
        conns: Vec<ConnectionId>,
        message: ServerMessage,
    },
    /// Send to one customer socket of a web call. After [`CallerEvent::Ended`], close it.
    ToCaller {
        conn: ConnectionId,
        message: CallerEvent,
    },
    /// Twilio is still executing an older plan for this call (ringing an agent who did not
    /// acknowledge, or waiting in the queue): redirect it with the REST API to the route URL,
    /// which asks with [`CallInput::CallRedirected`](crate::CallInput::CallRedirected) for the new plan. If
    /// Twilio answers that the call is over, report [`CallInput::CallEnded`](crate::CallInput::CallEnded).
    RedirectCall {
        call_sid: CallSid,
        interaction: InteractionId,
    },
    /// Store this call-log event (D1), next to Twilio's own callbacks; the stitcher folds them.
    Record(CallEvent),
    /// A closed span of an agent's status, for time tracking and KPIs.
    PresenceInterval {
        agent: AgentId,
        interval: PresenceInterval,
    },
    /// A connected call nothing was heard of for `call_watchdog`, or a call in an IVR menu a
    /// minute past its question's deadline, was taken as over (its hang-up callback was lost) and
    /// its agent freed; for the shell to log, nothing to do.
    CallWatchdog { interaction: InteractionId },
}
