//! Why the center refused an input, a configuration, a snapshot or stored entries. Messages are fixed text of ours.

/// An input the center refused; nothing changed. The worker may answer a widget with
/// `ServerMessage::Rejected { reason: error.to_string() }`: no message echoes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CenterError {
    #[error("this connection is not open")]
    UnknownConnection,
    #[error("this connection is already open")]
    DuplicateConnection,
    #[error("hello is only valid as the first message of a socket")]
    UnexpectedHello,
    #[error("this away reason is set by the system and cannot be chosen")]
    ReasonNotSelectable,
    #[error("the status cannot be changed now: answer or decline the ringing call first")]
    StatusNotChangeable,
    #[error("this offer is not ringing at this agent")]
    UnknownOffer,
    #[error("there is no wrap-up to end")]
    NotInWrapUp,
    #[error("this call is not known")]
    UnknownCall,
    #[error("this leg does not belong to the call's current ring or connection")]
    StaleLeg,
    #[error("you are not connected to this call")]
    NotOnThisCall,
    #[error("a call cannot be transferred to the agent who has it")]
    TransferToSelf,
    #[error("nobody the transfer names is available now")]
    TransferTargetUnavailable,
    #[error("the transfer number is not a phone number that can be dialled")]
    InvalidTransferNumber,
    #[error("the agent is not signed in to the widget")]
    NotSignedIn,
    #[error("the agent is busy with another call")]
    AgentBusy,
    #[error("this call is already known")]
    DuplicateCall,
    #[error("this call cannot be put on hold or taken back now")]
    CannotHold,
    #[error("all web call lines are busy; please try again later")]
    WebCallsBusy,
    #[error("this company does not take calls from the web")]
    WebCallsOff,
    #[error("this call has already started")]
    WebCallAlreadyStarted,
    #[error("this is not a web call: a phone call is answered and hung up on the phone line")]
    NotAWebCall,
    #[error("the web call is not connected")]
    WebCallNotConnected,
    #[error("a signalling message is larger than allowed")]
    SignalTooLarge,
    #[error("too many signalling messages for this call")]
    TooManySignals,
    #[error("a web call cannot be transferred")]
    WebCallNotTransferable,
    /// The dial policy refuses the number, or the agent's or tenant's call rate is at its cap.
    /// The text starts with `dial refused (<code>)`, the code the widget translates.
    #[error("dial refused ({code}): {refusal}", code = .0.code(), refusal = .0)]
    DialRefused(tsunagu_phone::DialRefusal),
}

/// A configuration the center cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("the routing ladder has no steps")]
    EmptyLadder,
    #[error("at most {max} fallback numbers can be dialled at once")]
    TooManyFallbackNumbers { max: usize },
    #[error("business hours: {0}")]
    Hours(tsunagu_calendar::CalendarError),
    #[error("business hours of line {line}: {reason}")]
    LineHours { line: String, reason: String },
    #[error("fallback number {index} is not a valid E.164 number")]
    FallbackNumberInvalid { index: usize },
    #[error("fallback number {index} is refused by the dial policy ({}): {reason}", .reason.code())]
    FallbackNumberRefused {
        index: usize,
        reason: tsunagu_phone::DialRefusal,
    },
    #[error("the dial policy's rate window must be between 1 and {max_secs} seconds")]
    DialRateWindow { max_secs: u64 },
    #[error("a tenant has at most {max} queues")]
    TooManyQueues { max: usize },
    #[error("queue {queue}: {problem}")]
    Queue {
        queue: crate::queue_id::QueueId,
        problem: QueueProblem,
    },
    #[error("after-hours rule of line {line}: {problem}")]
    LineAfterHours { line: String, problem: QueueProblem },
}

/// What is wrong with a queue or a line's after-hours rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueueProblem {
    #[error("the queue is filed under another id")]
    FiledUnderAnotherId,
    #[error("the queue's ladder has no steps")]
    EmptyLadder,
    #[error("business hours: {0}")]
    Hours(String),
    #[error("after-hours rule: {0}")]
    AfterHoursRule(Box<QueueProblem>),
    #[error("the longest wait is 1 second to 1 hour")]
    WaitOutOfRange,
    #[error("the hold music must be an https URL")]
    MusicNotHttps,
    #[error("the callback key is 0-9, * or #")]
    NotAPhoneKey,
    #[error("a voicemail lasts {min} to {max} seconds")]
    VoicemailLength { min: u16, max: u16 },
    #[error("a prompt is 1 to {max} characters without control characters")]
    PromptText { max: usize },
    #[error("the overflow names a queue that does not exist")]
    UnknownOverflowQueue,
    #[error("the overflows lead back to a queue already passed")]
    OverflowLoop,
    #[error("forwarding needs at least one number")]
    NoForwardNumbers,
    #[error("forward number {index} is not a valid E.164 number")]
    ForwardNumberInvalid { index: usize },
    #[error("forward number {index} is refused by the dial policy ({}): {reason}", .reason.code())]
    ForwardNumberRefused {
        index: usize,
        reason: tsunagu_phone::DialRefusal,
    },
}

/// A snapshot, or stored entries, the center cannot be restored from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    #[error("snapshot format {found} is not supported (expected {expected})")]
    UnsupportedVersion { found: u32, expected: u32 },
    #[error("the snapshot's configuration is invalid: {0}")]
    Config(#[from] ConfigError),
    #[error("the snapshot contradicts itself: {0}")]
    Inconsistent(&'static str),
    #[error(transparent)]
    Router(#[from] tsunagu_routing::StoredRouterError),
    #[error("an entry's key is not one of the center's")]
    UnknownKey,
    #[error("the {kind} entry cannot be read")]
    UnreadableEntry { kind: &'static str },
    #[error("the entries have no meta entry")]
    MissingMeta,
}
