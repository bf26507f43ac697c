//! The public "call us" page's limits and its challenge, as the admin API reads and writes them
//! (`/api/admin/web-calls`): how many web calls at once and from one address, how soon an open
//! page must start its call, how long a caller waits and talks at most, and the Cloudflare
//! Turnstile site key. Seconds and minutes here, milliseconds in the center.
//!
//! Whether the page takes calls at all is not here: it is the routing resource's
//! `web_calls_enabled`, the one switch, so there is no second place to turn web calls off (and
//! `max_web_calls` starts at 1 for that reason: 0 would be a hidden off switch).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::{ErrorCode, Invalid, fields::Fields};

/// Simultaneous web calls (waiting, ringing or talking): each holds one socket on the tenant's
/// hub, the media goes browser to browser. 500 is far above any one tenant's agents, so it caps
/// what a flood of bots can hold, never real callers.
pub const MAX_WEB_CALLS: (u32, u32) = (1, 500);
/// Customer sockets from one network address. An office or a mobile carrier's shared address
/// (CGNAT) may carry several real callers; above 50 one address could hold most of the lines.
/// When this is above `max_web_calls`, the lower of the two applies.
pub const PER_ADDRESS: (u32, u32) = (1, 50);
/// Seconds an open page has to start its call. The page opens its socket after the microphone
/// was granted and starts on open, so a live page needs a round trip; 5 s leaves room for a slow
/// mobile network, and more than 2 min would only let idle pages hold lines.
pub const START_WITHIN_SECS: (u32, u32) = (5, 120);
/// Seconds a web call may wait for an answer before it ends politely (`wait_too_long`).
pub const QUEUE_WAIT_SECS: (u32, u32) = (30, 1_800);
/// Minutes a connected web call is expected to last: with the wait it is the lifetime of the TURN
/// credentials minted for the call. The two maxima add up to 4 h, the default cap
/// `WEBRTC_TURN_TTL_SECS`, so these settings alone never outlive a relayed call's credential.
pub const CALL_LENGTH_MINUTES: (u32, u32) = (1, 210);
/// Longest Turnstile site key taken (Cloudflare's are about 24–32 characters, `0x4AAAAAAA…`).
pub const SITE_KEY_MAX_CHARS: u32 = 64;

/// The whole resource. `PUT` replaces it: every field is required, `turnstile_site_key` too
/// (`null` or `""` for no challenge), so a client that leaves it out never turns the challenge
/// off by accident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebCallSettings {
    pub max_web_calls: u32,
    pub max_web_calls_per_address: u32,
    pub web_call_start_within_secs: u32,
    pub max_web_queue_wait_secs: u32,
    pub max_web_call_length_minutes: u32,
    /// `None`: the page shows no challenge.
    pub turnstile_site_key: Option<String>,
}

impl WebCallSettings {
    /// Reads and checks a whole body, every problem at once. The view's read-only
    /// `turnstile_secret_missing` is ignored, so what `GET` answers can be sent back as it is.
    pub fn validate(body: &Value) -> Result<WebCallSettings, Invalid> {
        let mut fields = Fields::of(body);
        let max_web_calls = fields.number("max_web_calls", MAX_WEB_CALLS);
        let per_address = fields.number("max_web_calls_per_address", PER_ADDRESS);
        let start_within = fields.number("web_call_start_within_secs", START_WITHIN_SECS);
        let queue_wait = fields.number("max_web_queue_wait_secs", QUEUE_WAIT_SECS);
        let call_length = fields.number("max_web_call_length_minutes", CALL_LENGTH_MINUTES);
        let site_key = read_site_key(&mut fields);
        let settings = (|| {
            Some(WebCallSettings {
                max_web_calls: max_web_calls?,
                max_web_calls_per_address: per_address?,
                web_call_start_within_secs: start_within?,
                max_web_queue_wait_secs: queue_wait?,
                max_web_call_length_minutes: call_length?,
                turnstile_site_key: site_key?,
            })
        })();
        fields.finish(settings)
    }

    /// Puts these settings into the stored center configuration's fields (milliseconds), the
    /// others kept; no site key removes the field (the center's default: no challenge).
    pub fn merge_into_center(&self, stored: &mut Map<String, Value>) {
        let ms = |secs: u32| Value::from(u64::from(secs) * 1000);
        stored.insert("max_web_calls".into(), self.max_web_calls.into());
        stored.insert(
            "max_web_calls_per_address".into(),
            self.max_web_calls_per_address.into(),
        );
        stored.insert(
            "web_call_start_within".into(),
            ms(self.web_call_start_within_secs),
        );
        stored.insert(
            "max_web_queue_wait".into(),
            ms(self.max_web_queue_wait_secs),
        );
        stored.insert(
            "max_web_call_length".into(),
            ms(self.max_web_call_length_minutes * 60),
        );
        match &self.turnstile_site_key {
            Some(key) => stored.insert("turnstile_site_key".into(), key.clone().into()),
            None => stored.remove("turnstile_site_key"),
        };
    }

    /// This resource's view of a whole center configuration (as JSON, defaults filled in), with
    /// `turnstile_secret_missing`: a site key is set but the tenant has no Turnstile secret, so
    /// every web call is refused (`challenge_failed`) until the secret is set or the key removed.
    pub fn view_of_center(center: &Value, turnstile_secret_set: bool) -> Value {
        let whole = |ms: &Value, unit: u64| ms.as_u64().map(|ms| ms / unit);
        let site_key = center["turnstile_site_key"]
            .as_str()
            .filter(|key| !key.is_empty());
        json!({
            "max_web_calls": center["max_web_calls"],
            "max_web_calls_per_address": center["max_web_calls_per_address"],
            "web_call_start_within_secs": whole(&center["web_call_start_within"], 1000),
            "max_web_queue_wait_secs": whole(&center["max_web_queue_wait"], 1000),
            "max_web_call_length_minutes": whole(&center["max_web_call_length"], 60_000),
            "turnstile_site_key": site_key,
            "turnstile_secret_missing": site_key.is_some() && !turnstile_secret_set,
        })
    }
}

/// The site key: required, `null` or blank for none. `Some(None)` is a valid "no key".
fn read_site_key(fields: &mut Fields<'_>) -> Option<Option<String>> {
    const NAME: &str = "turnstile_site_key";
    if !fields.has(NAME) {
        fields.fail(NAME, ErrorCode::Required);
        return None;
    }
    let Some(value) = fields.get(NAME) else {
        return Some(None);
    };
    let Some(raw) = value.as_str() else {
        fields.fail(NAME, ErrorCode::NotText);
        return None;
    };
    let key = raw.trim();
    if key.is_empty() {
        return Some(None);
    }
    let well_formed = key.len() <= SITE_KEY_MAX_CHARS as usize
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !well_formed {
        fields.fail(NAME, ErrorCode::InvalidSiteKey);
        return None;
    }
    Some(Some(key.to_owned()))
}
