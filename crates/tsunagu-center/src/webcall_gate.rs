//! Which customer sockets the hub lets in: web calls turned on, a free line (idle pages past their start window give theirs up), and at most a few per network address.

// The hub calls this before it accepts a "call us" page's socket, with what its open customer
// sockets carry across hibernation. Nothing here stores an address: the shell hands in an opaque
// key (a keyed hash of the address), so a socket's attachment never holds who the caller is.

use serde::{Deserialize, Serialize};
use tsunagu_core::Timestamp;

use crate::CenterConfig;

/// A network address as the hub may keep it: a keyed hash, never the address itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AddressKey(pub [u8; 16]);

/// One open customer socket, as its attachment describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCallerSocket {
    pub opened_at: Timestamp,
    /// Its call has started (it is the center's caller until the call ends).
    pub started: bool,
    /// Sockets opened before addresses were kept have none: they count only against the total.
    pub address: Option<AddressKey>,
}

/// Why a customer socket is not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallerRefusal {
    #[error("this company does not take calls from the web")]
    WebCallsOff,
    #[error("all web call lines are busy; please try again later")]
    Busy,
    #[error("too many calls from this network at once; please try again later")]
    TooManyFromAddress,
}

/// Let in, after closing these sockets (indexes into the list given): idle pages past their
/// start window, whose lines go to the newcomer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerAdmission {
    pub close: Vec<usize>,
}

impl CenterConfig {
    /// Whether a customer socket from `address` may open at `now`, beside the `open` ones.
    /// Refused when web calls are off; when the address already has
    /// `max_web_calls_per_address` sockets that still count (started, or idle within their start
    /// window); or when `max_web_calls` sockets still count after idle, overdue ones are closed.
    /// Overdue idle sockets of the same address are always closed (they count for nothing).
    pub fn admit_caller_socket(
        &self,
        now: Timestamp,
        open: &[OpenCallerSocket],
        address: AddressKey,
    ) -> Result<CallerAdmission, CallerRefusal> {
        if !self.web_calls_on() {
            return Err(CallerRefusal::WebCallsOff);
        }
        let overdue = |socket: &OpenCallerSocket| {
            !socket.started && self.caller_start_overdue(socket.opened_at, now)
        };
        let from_address = open
            .iter()
            .filter(|socket| socket.address == Some(address) && !overdue(socket))
            .count();
        if from_address >= limit(self.max_web_calls_per_address) {
            return Err(CallerRefusal::TooManyFromAddress);
        }
        let live = open.iter().filter(|socket| !overdue(socket)).count();
        if live >= limit(self.max_web_calls) {
            return Err(CallerRefusal::Busy);
        }
        // Lines held by idle pages are given up only when they are needed, or when the same
        // address comes back (it may not keep idle pages beside a new one).
        let full = open.len() >= limit(self.max_web_calls);
        let close = open
            .iter()
            .enumerate()
            .filter(|(_, socket)| overdue(socket) && (full || socket.address == Some(address)))
            .map(|(index, _)| index)
            .collect();
        Ok(CallerAdmission { close })
    }
}

fn limit(max: u32) -> usize {
    usize::try_from(max).unwrap_or(usize::MAX)
}
