//! The channels a contact arrives on, and how an agent's capacity is counted per channel.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a customer reaches the contact center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A phone call through Twilio (PSTN or SIP).
    Voice,
    /// A browser voice call from the company's website (WebRTC, no Twilio).
    WebCall,
    Chat,
    Sms,
    Line,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Voice,
        Channel::WebCall,
        Channel::Chat,
        Channel::Sms,
        Channel::Line,
        Channel::Email,
    ];

    /// Real-time voice: an agent on such a contact can take nothing else at the same time.
    pub fn is_exclusive(self) -> bool {
        matches!(self, Channel::Voice | Channel::WebCall)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::WebCall => "web_call",
            Channel::Chat => "chat",
            Channel::Sms => "sms",
            Channel::Line => "line",
            Channel::Email => "email",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
