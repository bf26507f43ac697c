//! The live CRM lookup at routing time (`tsunagu_webhooks::lookup`): the hub asks the tenant's CRM
//! who is calling, signed like a webhook, and waits at most 800 ms; without an answer the call is
//! routed from the directory copy, no later than that.

use tsunagu_secrets::SecretName;
use tsunagu_webhooks::{
    CrmCaller, LookupError, LookupRequest,
    lookup::{LOOKUP_BUDGET_MS, REPLY_MAX_BYTES},
    read_reply, signature,
};
use worker::{Fetch, Headers, Method, RequestInit};

use super::*;
use crate::{hub::IncomingCall, secrets, webhooks::timeout_signal};

impl PresenceHub {
    /// What the CRM says of the caller (`number`, the caller's E.164 number): `None` when the
    /// tenant has no lookup, the caller's number is withheld, the CRM does not know them, or did
    /// not answer well in time (logged).
    pub(super) async fn crm_caller(
        &self,
        tenant: &TenantId,
        incoming: &IncomingCall,
        number: Option<&str>,
    ) -> Option<CrmCaller> {
        let number = number?;
        let url = self.copy_meta().ok()?.crm_lookup_url?;
        let now = clock::now_ms();
        if let Some(answer) = self.crm_answers.borrow().get(now, number) {
            return answer;
        }
        let started = clock::now_ms();
        let answer = ask(&self.env, tenant, &url, number, incoming).await;
        let took_ms = clock::now_ms().saturating_sub(started);
        match answer {
            Ok(answer) => {
                log::info(
                    "crm.lookup",
                    &[
                        ("tenant", tenant.as_str().into()),
                        ("known", answer.is_some().into()),
                        ("ms", took_ms.into()),
                    ],
                );
                self.crm_answers
                    .borrow_mut()
                    .put(now, number, answer.clone());
                answer
            }
            Err(err) => {
                log::warn(
                    "crm.lookup_failed",
                    &[
                        ("tenant", tenant.as_str().into()),
                        ("detail", err.to_string().into()),
                        ("ms", took_ms.into()),
                    ],
                );
                None
            }
        }
    }
}

/// One signed POST to the CRM, its answer read within the budget (the abort covers the body too).
async fn ask(
    env: &Env,
    tenant: &TenantId,
    url: &str,
    number: &str,
    incoming: &IncomingCall,
) -> std::result::Result<Option<CrmCaller>, LookupError> {
    let secret = secrets::current(env, tenant, SecretName::CrmLookupSecret)
        .await
        .map_err(|err| LookupError::Unreachable(format!("secret: {err}")))?
        .ok_or(LookupError::Unsigned)?;
    let body = LookupRequest::new(
        tenant.as_str(),
        number,
        incoming.called.as_deref(),
        incoming.call_sid.as_str(),
    )
    .body();
    let header = signature::signature_header(secret.as_bytes(), clock::now_unix(), body.as_bytes());
    let unreachable = |err: worker::Error| LookupError::Unreachable(err.to_string());
    let headers = Headers::new();
    headers
        .set("Content-Type", "application/json")
        .map_err(unreachable)?;
    headers
        .set(signature::HEADER, &header)
        .map_err(unreachable)?;
    headers
        .set("User-Agent", "Tsunagu-Lookup/1")
        .map_err(unreachable)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init).map_err(unreachable)?;
    #[expect(clippy::cast_possible_truncation, reason = "800 fits a u32")]
    let signal = timeout_signal(LOOKUP_BUDGET_MS as u32)
        .map_err(|err| LookupError::Unreachable(format!("timeout: {err:?}")))?;
    let timed_out = |err: worker::Error| {
        if signal.aborted() {
            LookupError::Timeout
        } else {
            LookupError::Unreachable(err.to_string())
        }
    };
    let mut response = Fetch::Request(request)
        .send_with_signal(&signal)
        .await
        .map_err(timed_out)?;
    let status = response.status_code();
    if let Ok(Some(length)) = response.headers().get("Content-Length")
        && length.parse::<usize>().is_ok_and(|n| n > REPLY_MAX_BYTES)
    {
        return Err(LookupError::TooLarge);
    }
    let bytes = response.bytes().await.map_err(timed_out)?;
    read_reply(status, &bytes)
}
