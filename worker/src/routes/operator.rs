//! The platform operator's routes: `POST /api/operator/tenants` creates a tenant with its sealed embed secret and its first admin API key.
//!
//! Authorised by the Worker secret `OPERATOR_KEY` (`auth::require_operator`), never by a tenant's
//! session or key. The reply carries the embed secret (for the CRM vendor's backend) and the admin
//! API key once; neither is stored in plaintext. Everything else — teams, agents, customers,
//! lines, Twilio secrets — the tenant's admin does with that key (`tsunagu admin …`).

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::json;
use tsunagu_admin::{ApiKeyToken, ErrorCode, Invalid, NewTenant, api_key};
use tsunagu_auth::ApiScope;
use tsunagu_secrets::SecretName;
use worker::{Env, Request, Response};

use crate::{
    auth, clock,
    error::AppError,
    log, random,
    routes::admin::json_body,
    secrets,
    store::{admin::NewApiKey, operator as store},
};

pub(crate) async fn create_tenant(mut req: Request, env: &Env) -> Result<Response, AppError> {
    auth::require_operator(&req, env)?;
    let tenant = NewTenant::validate(&json_body(&mut req).await?)?;
    if store::tenant_exists(env, tenant.id.as_str()).await? {
        return Err(AppError::Invalid(Invalid::one("id", ErrorCode::Taken)));
    }
    // 32 random bytes: the HS256 key the CRM's backend signs embed tokens with.
    let embed_secret = URL_SAFE_NO_PAD.encode(random::bytes::<32>()?);
    let sealed = secrets::seal_value(env, &tenant.id, SecretName::EmbedSecret, &embed_secret)?;
    let key = ApiKeyToken::mint(tenant.id.clone(), random::bytes()?, random::bytes()?);
    let scopes = api_key::scopes_column(&[ApiScope::Admin].into());
    let now = clock::now_ms();
    store::create_tenant(
        env,
        &tenant,
        &sealed,
        now,
        &NewApiKey {
            id: &key.id,
            name: &tenant.admin_key_name,
            scopes: &scopes,
            secret_sha256: &key.secret_hash(),
            created_by: "operator",
            created_at_ms: now,
        },
    )
    .await?;
    log::info(
        "operator.tenant_created",
        &[
            ("tenant", tenant.id.as_str().into()),
            ("key", key.id.as_str().into()),
        ],
    );
    let reply = json!({
        "tenant": tenant.id.as_str(),
        "name": { "ja": tenant.settings.name.ja, "en": tenant.settings.name.en },
        "allowed_origins": tenant.settings.allowed_origins,
        "embed_secret": embed_secret,
        "api_key": { "id": key.id, "name": tenant.admin_key_name, "scopes": ["admin"], "key": key.reveal() },
    });
    Ok(Response::from_json(&reply)?.with_status(201))
}
