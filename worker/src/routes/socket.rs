//! `GET /api/socket?tenant=…`: upgrades the widget's WebSocket and hands it to the tenant's presence hub.
//!
//! The socket must then sign in with its session token (`hello`); the hub refuses sessions of
//! other tenants, so the tenant in the URL only chooses which hub to knock on.

use worker::{Env, Request, Response, Url};

use super::tenant_param;
use crate::{error::AppError, hub, tenant_config};

pub(crate) async fn upgrade(req: Request, env: &Env) -> Result<Response, AppError> {
    upgrade_into_hub(&req, env, "/connect").await
}

/// Hands an upgrade request to the hub of the `tenant` query parameter at `hub_path`, with the
/// tenant's settings fresh from D1.
pub(crate) async fn upgrade_into_hub(
    req: &Request,
    env: &Env,
    hub_path: &str,
) -> Result<Response, AppError> {
    let is_upgrade = req
        .headers()
        .get("Upgrade")?
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return Err(AppError::UpgradeRequired);
    }
    let tenant = tenant_param(req)?;
    let config = tenant_config::load(env, &tenant).await?;
    let config =
        serde_json::to_string(&config).map_err(|e| AppError::Internal(format!("config: {e}")))?;
    // The hub may be created by this very request, so it gets the tenant's settings with it.
    let hub_url = Url::parse_with_params(
        &format!("https://presence-hub.invalid{hub_path}"),
        &[("config", config)],
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut hub_request = Request::new(hub_url.as_str(), worker::Method::Get)?;
    hub_request.headers_mut()?.set("Upgrade", "websocket")?;
    Ok(hub::stub(env, &tenant)?
        .fetch_with_request(hub_request)
        .await?)
}
