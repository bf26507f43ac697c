//! `GET /api/socket?tenant=…`: upgrades the widget's WebSocket and hands it to the tenant's presence hub.

use worker::{Env, Request, Response, Url};

use super::tenant_param;
use crate::{error::AppError, presence_hub, store};

pub(crate) async fn upgrade(req: Request, env: &Env) -> Result<Response, AppError> {
    let is_upgrade = req
        .headers()
        .get("Upgrade")?
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return Err(AppError::UpgradeRequired);
    }
    let tenant = tenant_param(&req)?;
    let row = store::tenant(env, &tenant).await?;

    // The hub cannot read D1 on every wake-up cheaply, so the worker hands it the tenant's
    // directory entry; the hub keeps it in its own storage.
    let hub_url = Url::parse_with_params(
        "https://presence-hub.invalid/connect",
        &[
            ("tenant", row.id.as_str()),
            ("name_ja", row.name_ja.as_str()),
            ("name_en", row.name_en.as_str()),
        ],
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut hub_request = Request::new(hub_url.as_str(), worker::Method::Get)?;
    hub_request.headers_mut()?.set("Upgrade", "websocket")?;
    let stub = env
        .durable_object(presence_hub::BINDING)?
        .id_from_name(tenant.as_str())?
        .get_stub()?;
    Ok(stub.fetch_with_request(hub_request).await?)
}
