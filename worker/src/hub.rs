//! Talking to a tenant's `PresenceHub` Durable Object: the requests the stateless handlers send it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tsunagu_center::{CallArrival, CallInput, CallPlan, CenterConfig, DryRun};
use tsunagu_core::{AgentId, CallSid, InteractionId, TenantId, Timestamp};
use tsunagu_routing::Skill;
use tsunagu_stitch::CallEvent;
use worker::{Env, Method, Request, RequestInit, Stub};

use crate::{error::AppError, fetch_body, store::hub_directory::DirectoryChange};

/// The binding of the tenants' `PresenceHub` Durable Object class (wrangler.toml).
const BINDING: &str = "PRESENCE_HUB";

/// One request to the hub: the tenant's current settings (fresh from D1), where Twilio reaches the
/// worker (for REST redirects), and the call event.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct HubRequest {
    /// Whose hub this is: a hub that never ran reads the tenant's settings from D1 with it.
    pub(crate) tenant: TenantId,
    /// `None` when D1 could not be read: the hub goes on with the settings it already holds, so a
    /// database outage does not stop calls.
    pub(crate) config: Option<CenterConfig>,
    pub(crate) origin: String,
    /// The call's event for the center; `None` when the request only carries call-log writes
    /// (`log`).
    pub(crate) call: Option<CallInput>,
    /// A call that just arrived: the hub looks the caller and the line up in its directory copy
    /// and gives the center the `CallArrived` it makes of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) incoming: Option<IncomingCall>,
    /// The webhook's call events for the log: the hub keeps them in its outbox (same storage
    /// batch as its state change) and writes them to D1 after answering, retrying until D1 takes
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) log: Vec<WebhookEvent>,
}

/// Who called which of the tenant's numbers, as Twilio said it (the hub normalises and looks up).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IncomingCall {
    pub(crate) call_sid: CallSid,
    /// Twilio's `From`, as sent ("anonymous" for a withheld number).
    pub(crate) from: String,
    /// Twilio's `To`: the line called.
    pub(crate) called: Option<String>,
    /// An announced legacy call, redirected to the main line after its announcement.
    pub(crate) main_line: bool,
}

/// A write route changed the directory in D1: the hub's copy re-reads what changed.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DirectorySyncRequest {
    pub(crate) tenant: TenantId,
    pub(crate) change: DirectoryChange,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DirectorySyncReply {
    pub(crate) refreshed: bool,
}

/// Tells the tenant's hub that `change` was written to D1, so that the next call reads it. A hub
/// that cannot be told is logged, not an error of the write: D1 has the change, and the hub's
/// copy takes it at its next full refresh (`DIRECTORY_MAX_AGE_MS`).
pub(crate) async fn directory_changed(env: &Env, tenant: &TenantId, change: DirectoryChange) {
    let request = DirectorySyncRequest {
        tenant: tenant.clone(),
        change,
    };
    if let Err(err) = sync_directory(env, &request).await {
        crate::log::warn(
            "hub.directory_sync_failed",
            &[
                ("tenant", tenant.as_str().into()),
                ("change", format!("{:?}", request.change).into()),
                ("detail", err.to_string().into()),
            ],
        );
    }
}

/// Asks the tenant's hub to re-read `request.change` from D1 now.
pub(crate) async fn sync_directory(
    env: &Env,
    request: &DirectorySyncRequest,
) -> Result<DirectorySyncReply, AppError> {
    post(env, &request.tenant, "directory-sync", request).await
}

/// A call event for the log, with the conversation it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WebhookEvent {
    pub(crate) interaction: InteractionId,
    pub(crate) event: CallEvent,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct HubReply {
    /// The plan for the call's TwiML; `None` for events that need no answer (callbacks).
    pub(crate) plan: Option<CallPlan>,
    /// Why the center refused the request (the center's own words), if it did.
    #[serde(default)]
    pub(crate) refused: Option<Refusal>,
}

/// A refusal the caller of the hub maps to an HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Refusal {
    NotSignedIn,
    AgentBusy,
    /// A cap of the dial policy (the agent's call rate, the tenant's open outbound calls).
    DialRefused(tsunagu_phone::DialRefusal),
}

impl Refusal {
    pub(crate) fn of(error: &tsunagu_center::CenterError) -> Refusal {
        match error {
            tsunagu_center::CenterError::NotSignedIn => Refusal::NotSignedIn,
            tsunagu_center::CenterError::DialRefused(refusal) => Refusal::DialRefused(*refusal),
            _ => Refusal::AgentBusy,
        }
    }
}

/// The stub of `tenant`'s hub (one Durable Object per tenant, addressed by the tenant id).
pub(crate) fn stub(env: &Env, tenant: &TenantId) -> Result<Stub, AppError> {
    Ok(env
        .durable_object(BINDING)?
        .id_from_name(tenant.as_str())?
        .get_stub()?)
}

/// Sends `request` to the hub and returns its reply.
pub(crate) async fn call(
    env: &Env,
    tenant: &TenantId,
    request: &HubRequest,
) -> Result<HubReply, AppError> {
    post(env, tenant, "call", request).await
}

/// `POST`s `request` as JSON to the hub's `path` (no leading `/`) and reads its JSON answer.
pub(crate) async fn post<T: DeserializeOwned>(
    env: &Env,
    tenant: &TenantId,
    path: &str,
    request: &impl Serialize,
) -> Result<T, AppError> {
    let body = serde_json::to_string(request)
        .map_err(|e| AppError::Internal(format!("hub request: {e}")))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init(&format!("https://presence-hub.invalid/{path}"), &init)?;
    let response = stub(env, tenant)?.fetch_with_request(req).await?;
    let status = response.status_code();
    if status != 200 {
        let detail = fetch_body::text(response).await.unwrap_or_default();
        return Err(AppError::Internal(format!(
            "hub answered {status} to /{path}: {detail}"
        )));
    }
    fetch_body::json(response).await
}

/// A routing dry run: the call the hub decides on a copy of its center (nobody rings, nothing
/// is stored).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DryRunRequest {
    /// As in [`HubRequest::config`].
    pub(crate) config: Option<CenterConfig>,
    /// When the call is taken to arrive; `None` for now.
    pub(crate) at: Option<Timestamp>,
    pub(crate) arrival: CallArrival,
    /// Settings to try on the copy instead of the tenant's (a routing change not yet saved).
    #[serde(default)]
    pub(crate) preview: Option<CenterConfig>,
    /// Keys answering the line's IVR menu in turn; `None` skips the menu.
    #[serde(default)]
    pub(crate) menu_keys: Option<String>,
}

/// Asks the hub what `request`'s call would do.
pub(crate) async fn dry_run(
    env: &Env,
    tenant: &TenantId,
    request: &DryRunRequest,
) -> Result<DryRun, AppError> {
    post(env, tenant, "dry-run", request).await
}

/// The directory changed an agent's skills: the hub's center routes by them from now on.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AgentSkillsRequest {
    pub(crate) agent: AgentId,
    pub(crate) skills: BTreeMap<Skill, u8>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AgentSkillsReply {
    /// Whether a center took them (a hub that never ran has no center: the agent's sign-in reads
    /// the directory anyway).
    pub(crate) applied: bool,
}

/// Tells `tenant`'s hub an agent's new skills.
pub(crate) async fn agent_skills(
    env: &Env,
    tenant: &TenantId,
    request: &AgentSkillsRequest,
) -> Result<AgentSkillsReply, AppError> {
    post(env, tenant, "agent-skills", request).await
}

/// What the tenant's hub set aside: quarantined entries and dead-lettered call-log writes (see
/// ARCHITECTURE "The presence hub"), for admins.
pub(crate) async fn storage_report(
    env: &Env,
    tenant: &TenantId,
) -> Result<serde_json::Value, AppError> {
    let req = Request::new("https://presence-hub.invalid/storage-report", Method::Get)?;
    let response = stub(env, tenant)?.fetch_with_request(req).await?;
    if response.status_code() != 200 {
        return Err(AppError::Internal(format!(
            "hub answered {} to the storage report",
            response.status_code()
        )));
    }
    fetch_body::json(response).await
}

/// A CRM backend's push for one agent (the server API): the tenant's settings (for the dial
/// policy and the direct-dial setting), the agent, and what is asked.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PushRequest {
    /// As in [`HubRequest::config`].
    pub(crate) config: Option<CenterConfig>,
    pub(crate) agent: AgentId,
    pub(crate) push: tsunagu_center::AgentPush,
}

/// What the center did with a push, or why it refused it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PushReply {
    pub(crate) pushed: Option<tsunagu_center::Pushed>,
    pub(crate) refused: Option<tsunagu_center::PushRefusal>,
}

/// Gives `tenant`'s hub a CRM backend's push.
pub(crate) async fn push(
    env: &Env,
    tenant: &TenantId,
    request: &PushRequest,
) -> Result<PushReply, AppError> {
    post(env, tenant, "push", request).await
}
