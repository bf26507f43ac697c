//! Live CRM lookup: at routing time, ask the tenant's CRM who is calling.
//!
//! The hub POSTs [`LookupRequest::body`] to the tenant's `crm_lookup_url`, signed like a webhook
//! ([`crate::signature`]) under the tenant's `crm_lookup_secret`, and waits at most
//! [`LOOKUP_BUDGET_MS`]. The CRM answers `200 {"customer": {…}}` (`id`, `name`, optional
//! `company`, `owner` and `attributes`), `200 {"customer": null}` or `404`
//! (not known); [`read_reply`] takes that apart with every field bounded, and anything else is a
//! [`LookupError`]: the call then goes on with the local directory, never later than the budget.
//! [`LookupCache`] keeps answers briefly, so a caller who redials does not cost another round trip.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use tsunagu_core::AgentId;

/// The longest a call waits for the CRM's answer.
pub const LOOKUP_BUDGET_MS: u64 = 800;
/// The largest answer read; a longer one is refused, not truncated.
pub const REPLY_MAX_BYTES: usize = 16 * 1024;
/// How long an answer (a record, or "not known") is reused for the same number.
pub const CACHE_TTL_MS: u64 = 60_000;
/// Numbers remembered at once; the oldest answer goes first.
pub const CACHE_CAPACITY: usize = 1_000;

const ID_MAX_CHARS: usize = 64;
const TEXT_MAX_CHARS: usize = 100;

/// What the hub asks: who called which number, in which call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LookupRequest<'a> {
    /// Always `caller.lookup`, so a receiver that shares a URL with webhooks can tell them apart.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub tenant: &'a str,
    /// The caller in E.164.
    pub caller: &'a str,
    /// The tenant's number that was called, in E.164, if known.
    pub called: Option<&'a str>,
    pub call_sid: &'a str,
}

impl<'a> LookupRequest<'a> {
    pub fn new(
        tenant: &'a str,
        caller: &'a str,
        called: Option<&'a str>,
        call_sid: &'a str,
    ) -> Self {
        LookupRequest {
            kind: "caller.lookup",
            tenant,
            caller,
            called,
            call_sid,
        }
    }

    /// The request body, the bytes that are signed.
    pub fn body(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The caller as the CRM knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmCaller {
    pub id: String,
    pub name: String,
    pub company: String,
    /// The agent who owns the customer (routing rings them first), if an agent id.
    pub owner: Option<AgentId>,
    /// The customer's attributes (`plan` → `gold`) an IVR menu branches on, within
    /// `tsunagu_core::attributes`' limits; absent or `null`: none (the local directory's are
    /// not used then: the CRM's answer wins as a whole).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Why an answer was not used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LookupError {
    #[error("the CRM answered HTTP {0}")]
    Status(u16),
    #[error("the answer is larger than {REPLY_MAX_BYTES} bytes")]
    TooLarge,
    #[error("the answer is not JSON with a `customer` object or null")]
    NotJson,
    #[error("`customer.{0}` is missing, empty, too long or not text")]
    BadField(&'static str),
    #[error("no answer within {LOOKUP_BUDGET_MS} ms")]
    Timeout,
    #[error("the CRM could not be reached: {0}")]
    Unreachable(String),
    #[error("no `crm_lookup_secret` is set: the lookup is never sent unsigned")]
    Unsigned,
}

/// The CRM's answer: `Ok(None)` when it does not know the number.
pub fn read_reply(status: u16, body: &[u8]) -> Result<Option<CrmCaller>, LookupError> {
    match status {
        404 => return Ok(None),
        200 => {}
        other => return Err(LookupError::Status(other)),
    }
    if body.len() > REPLY_MAX_BYTES {
        return Err(LookupError::TooLarge);
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| LookupError::NotJson)?;
    let customer = match value.get("customer") {
        Some(Value::Null) => return Ok(None),
        Some(Value::Object(customer)) => customer,
        _ => return Err(LookupError::NotJson),
    };
    let text = |field: &'static str, required: bool, max: usize| match customer.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(text))
            if !text.trim().is_empty()
                && text.chars().count() <= max
                && !text.chars().any(char::is_control) =>
        {
            Ok(Some(text.trim().to_owned()))
        }
        Some(Value::String(text)) if text.is_empty() && !required => Ok(None),
        _ => Err(LookupError::BadField(field)),
    };
    let id = text("id", true, ID_MAX_CHARS)?.unwrap_or_default();
    let name = text("name", true, TEXT_MAX_CHARS)?.unwrap_or_default();
    let company = text("company", false, TEXT_MAX_CHARS)?.unwrap_or_default();
    let owner = match text("owner", false, ID_MAX_CHARS)? {
        Some(owner) => Some(AgentId::new(owner).map_err(|_| LookupError::BadField("owner"))?),
        None => None,
    };
    let attributes = match customer.get("attributes") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(entries)) => {
            let texts: Option<Vec<(&str, &str)>> = entries
                .iter()
                .map(|(key, value)| Some((key.as_str(), value.as_str()?)))
                .collect();
            let texts = texts.ok_or(LookupError::BadField("attributes"))?;
            tsunagu_core::attributes(texts).map_err(|_| LookupError::BadField("attributes"))?
        }
        Some(_) => return Err(LookupError::BadField("attributes")),
    };
    Ok(Some(CrmCaller {
        id,
        name,
        company,
        owner,
        attributes,
    }))
}

/// Recent answers by number, as pure bookkeeping: the time is an input.
#[derive(Debug, Default)]
pub struct LookupCache {
    answers: BTreeMap<String, (u64, Option<CrmCaller>)>,
    /// Numbers in the order they were stored (a number stored again moves to the back).
    order: VecDeque<String>,
}

impl LookupCache {
    /// The answer for `number` stored less than [`CACHE_TTL_MS`] before `now_ms`: `Some(None)` is
    /// a remembered "not known".
    pub fn get(&self, now_ms: u64, number: &str) -> Option<Option<CrmCaller>> {
        let (at, answer) = self.answers.get(number)?;
        (now_ms.saturating_sub(*at) < CACHE_TTL_MS && now_ms >= *at).then(|| answer.clone())
    }

    /// Remembers an answer (errors are not answers: they are never stored).
    pub fn put(&mut self, now_ms: u64, number: &str, answer: Option<CrmCaller>) {
        if self
            .answers
            .insert(number.to_owned(), (now_ms, answer))
            .is_some()
        {
            self.order.retain(|stored| stored != number);
        }
        self.order.push_back(number.to_owned());
        while self.order.len() > CACHE_CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.answers.remove(&oldest);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

#[cfg(test)]
mod tests;
