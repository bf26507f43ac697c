//! A webhook subscription as an admin writes it: where to POST (https, or plain http to this
//! machine for development) and which events.

use serde::Serialize;
use serde_json::Value;
use tsunagu_webhooks::{EventType, EventTypes};

use crate::{ErrorCode, Invalid, fields::Fields};

/// Longest receiver URL.
pub const URL_MAX_CHARS: u32 = 2048;
/// Longest description.
pub const DESCRIPTION_MAX_CHARS: u32 = 200;

/// A validated subscription request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookInput {
    pub url: String,
    /// Absent in the request: every event type.
    pub events: EventTypes,
    pub description: Option<String>,
}

impl WebhookInput {
    /// Reads `{"url": "...", "events": ["call.ended", ...], "description": "..."}`.
    pub fn validate(body: &Value) -> Result<WebhookInput, Invalid> {
        let mut fields = Fields::of(body);
        let url = fields.text("url", URL_MAX_CHARS);
        let url = url.filter(|url| {
            let ok = is_webhook_url(url);
            if !ok {
                fields.fail("url", ErrorCode::InvalidWebhookUrl);
            }
            ok
        });
        let mut events = EventTypes::default();
        let mut seen = Vec::new();
        match fields.list("events", EventType::ALL.len() as u32) {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let path = format!("events[{index}]");
                    let Some(name) = item.as_str() else {
                        fields.fail(path, ErrorCode::NotText);
                        continue;
                    };
                    match EventType::parse(name) {
                        Some(kind) if seen.contains(&kind) => {
                            fields.fail(path, ErrorCode::Duplicate);
                        }
                        Some(kind) => {
                            seen.push(kind);
                            events.insert(kind);
                        }
                        None => fields.fail(path, ErrorCode::UnknownValue),
                    }
                }
                if items.is_empty() {
                    fields.fail("events", ErrorCode::Blank);
                }
            }
            None if fields.get("events").is_none() => events = EventTypes::all(),
            None => {}
        }
        let description = fields.optional_text("description", DESCRIPTION_MAX_CHARS, true);
        let value = url.map(|url| WebhookInput {
            url,
            events,
            description: description.filter(|text| !text.is_empty()),
        });
        fields.finish(value)
    }
}

/// `https://host[:port][/path][?query]`, or `http://127.0.0.1` / `http://localhost` (development:
/// a receiver on the same machine). No credentials in the URL, no fragment, no blanks.
pub fn is_webhook_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('#') {
        return false;
    }
    let (rest, local_only) = if let Some(rest) = url.strip_prefix("https://") {
        (rest, false)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (rest, true)
    } else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (host, Some(port)),
        _ => (authority, None),
    };
    if port.is_some_and(|port| port.parse::<u16>().map_or(true, |port| port == 0)) {
        return false;
    }
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-']);
    if local_only {
        matches!(host, "127.0.0.1" | "localhost")
    } else {
        host_ok
    }
}
