//! The Tsunagu edge worker: decodes requests, calls the domain, performs effects. Nothing clever lives here.

mod auth;
mod body_limit;
mod calllog;
mod clock;
mod deployment;
mod error;
mod fetch_body;
mod hub;
mod log;
mod log_outbox;
mod presence_hub;
mod random;
mod routes;
mod secrets;
mod sessions;
mod store;
mod tenant_config;
mod turnstile;
mod twilio_rest;
mod voice;
mod webhooks;

use worker::{Context, Env, Method, Request, Response, event};

pub use presence_hub::PresenceHub;

use crate::error::AppError;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let method = req.method();
    let path = req.path();
    match route(req, &env).await {
        Ok(response) => Ok(response),
        Err(err) => err.into_response(&method, &path),
    }
}

/// The route table: every URL the worker answers, in one place.
async fn route(req: Request, env: &Env) -> Result<Response, AppError> {
    deployment::refuse_development_secrets(&req, env)?;
    let req = body_limit::within_cap(req).await?;
    let path = req.path();
    if path.starts_with("/api/") && path != "/api/session" {
        auth::refuse_revoked(&req, env).await?;
    }
    match (req.method(), path.as_str()) {
        (Method::Get, "/healthz") => routes::api::healthz(),
        (Method::Get, "/" | "/demo") => routes::demo::page(&req, env).await,
        (Method::Get, "/embed.js") => routes::assets::embed_js(env).await,
        (Method::Get, "/widget") => routes::assets::widget_page(&req, env).await,
        (Method::Get, "/widget/version") => routes::assets::widget_version(env).await,
        (Method::Get, tsunagu_voice::HOLD_MUSIC_PATH) => routes::assets::hold_music(),
        (Method::Get, tsunagu_protocol::SOCKET_PATH) => routes::socket::upgrade(req, env).await,
        (Method::Get, tsunagu_protocol::WEBCALL_SOCKET_PATH) => {
            routes::webcall::socket(req, env).await
        }
        (Method::Get, routes::webcall::ICE_PATH) => routes::webcall::ice(&req, env).await,
        (Method::Get, routes::webcall::SCRIPT_PATH) => routes::webcall::script(),
        (Method::Get, p) if p.starts_with(routes::webcall::PAGE_PREFIX) => {
            routes::webcall::page(&p[routes::webcall::PAGE_PREFIX.len()..], env).await
        }
        (Method::Post, "/demo/embed-token") => routes::demo::embed_token(req, env).await,
        (Method::Post, "/demo/simulate-call") => routes::demo::simulate_call(req, env).await,
        (Method::Get, "/demo/simulate-call") => routes::demo::simulated_call(req, env).await,
        (Method::Post, "/demo/simulate-call/hangup") => {
            routes::demo::simulated_hangup(req, env).await
        }
        (Method::Post, "/api/session") => routes::auth::open_session(req, env).await,
        (Method::Post, "/api/session/revoke") => routes::sessions::sign_out(req, env).await,
        (Method::Post, "/api/sessions/revoke-all") => routes::sessions::revoke_all(req, env).await,
        (Method::Post, p) if p.starts_with(routes::sessions::AGENTS_PREFIX) => {
            routes::push::agents_post(req, env, p).await
        }
        (Method::Post, "/api/token") => routes::auth::voice_token(req, env).await,
        (Method::Post, "/api/calls") => routes::calls::place(req, env).await,
        (Method::Get, "/api/conversations") => routes::calllog::conversations(req, env).await,
        (Method::Get, p) if p.starts_with("/api/conversations/") => {
            routes::calllog::conversation(req, env, &p["/api/conversations/".len()..]).await
        }
        (Method::Get, "/api/kpi") => routes::calllog::kpi(req, env).await,
        (Method::Post, "/api/routing/dry-run") => routes::routing::dry_run(req, env).await,
        (Method::Get, "/api/admin/hub-storage") => routes::admin::hub_storage(req, env).await,
        (Method::Get, "/api/admin/twilio") => routes::admin::twilio(req, env).await,
        (Method::Put, "/api/admin/twilio") => routes::admin::put_twilio(req, env).await,
        (Method::Post, "/api/admin/directory/sync") => {
            routes::admin::directory_sync(req, env).await
        }
        (Method::Get, "/api/openapi.json") => routes::openapi::document(),
        (Method::Post, "/api/operator/tenants") => routes::operator::create_tenant(req, env).await,
        (Method::Get, "/api/admin/settings") => routes::admin::settings(req, env).await,
        (Method::Put, "/api/admin/settings") => routes::admin::put_settings(req, env).await,
        (Method::Get, "/api/admin/calling") => routes::admin::calling(req, env).await,
        (Method::Put, "/api/admin/calling") => routes::admin::put_calling(req, env).await,
        (Method::Get, "/api/admin/web-calls") => routes::admin::web_calls(req, env).await,
        (Method::Put, "/api/admin/web-calls") => routes::admin::put_web_calls(req, env).await,
        (Method::Get, "/api/admin/routing") => routes::admin::routing(req, env).await,
        (Method::Put, "/api/admin/routing") => routes::admin::put_routing(req, env).await,
        (Method::Get, "/api/admin/teams") => routes::directory::teams(req, env).await,
        (Method::Post, "/api/admin/teams") => routes::directory::create_team(req, env).await,
        (Method::Put, p) if p.starts_with(routes::directory::TEAMS_PREFIX) => {
            routes::directory::update_team(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::directory::TEAMS_PREFIX) => {
            routes::directory::delete_team(req, env, p).await
        }
        (Method::Get, "/api/admin/agents") => routes::directory::agents(req, env).await,
        (Method::Post, "/api/admin/agents") => routes::directory::create_agent(req, env).await,
        (Method::Put, p) if p.starts_with(routes::directory::AGENTS_PREFIX) => {
            routes::directory::update_agent(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::directory::AGENTS_PREFIX) => {
            routes::directory::delete_agent(req, env, p).await
        }
        (Method::Get, "/api/admin/customers") => routes::directory::customers(req, env).await,
        (Method::Post, routes::customer_csv::IMPORT_PATH) => {
            routes::customer_csv::import(req, env).await
        }
        (Method::Get, routes::customer_csv::EXPORT_PATH) => {
            routes::customer_csv::export(req, env).await
        }
        (Method::Post, "/api/admin/customers") => {
            routes::directory::create_customer(req, env).await
        }
        (Method::Get, p) if p.starts_with(routes::directory::CUSTOMERS_PREFIX) => {
            routes::directory::customer(req, env, p).await
        }
        (Method::Put, p) if p.starts_with(routes::directory::CUSTOMERS_PREFIX) => {
            routes::directory::update_customer(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::directory::CUSTOMERS_PREFIX) => {
            routes::directory::delete_customer(req, env, p).await
        }
        (Method::Get, p) if p.starts_with(routes::ivr::PREFIX) => {
            routes::ivr::get(req, env, p).await
        }
        (Method::Put, p) if p.starts_with(routes::ivr::PREFIX) => {
            routes::ivr::put(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::ivr::PREFIX) => {
            routes::ivr::delete(req, env, p).await
        }
        (Method::Get, "/api/admin/queues") => routes::queues::list(req, env).await,
        (Method::Put, p) if p.starts_with(routes::queues::PREFIX) => {
            routes::queues::put(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::queues::PREFIX) => {
            routes::queues::delete(req, env, p).await
        }
        (Method::Get, "/api/admin/phone-lines") => routes::lines::list(req, env).await,
        (Method::Post, "/api/admin/phone-lines") => routes::lines::create(req, env).await,
        (Method::Put, p) if p.starts_with(routes::lines::PREFIX) => {
            routes::lines::update(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::lines::PREFIX) => {
            routes::lines::delete(req, env, p).await
        }
        (Method::Get, "/api/admin/api-keys") => routes::api_keys::list(req, env).await,
        (Method::Post, "/api/admin/api-keys") => routes::api_keys::create(req, env).await,
        (Method::Delete, p) if p.starts_with(routes::api_keys::PREFIX) => {
            routes::api_keys::revoke(req, env, p).await
        }
        (Method::Get, "/api/admin/webhooks") => routes::webhooks::list(req, env).await,
        (Method::Post, "/api/admin/webhooks") => routes::webhooks::create(req, env).await,
        (Method::Post, p) if p.starts_with(routes::webhooks::DELIVERIES_PREFIX) => {
            routes::webhooks::redeliver(req, env, p).await
        }
        (Method::Get, p) if p.starts_with(routes::webhooks::PREFIX) => {
            routes::webhooks::deliveries(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::webhooks::PREFIX) => {
            routes::webhooks::delete(req, env, p).await
        }
        (Method::Get, "/api/admin/secrets") => routes::secrets::list(req, env).await,
        (Method::Put, p) if p.starts_with(routes::secrets::PREFIX) => {
            routes::secrets::put(req, env, p).await
        }
        (Method::Delete, p) if p.starts_with(routes::secrets::PREFIX) => {
            routes::secrets::delete(req, env, p).await
        }
        (Method::Post, p) if p.starts_with(routes::twilio::PREFIX) => {
            routes::twilio::webhook(req, env).await
        }
        (Method::Get, p) if p.starts_with("/api/tenants/") => {
            routes::api::tenant(&p["/api/tenants/".len()..], env).await
        }
        _ => Err(AppError::NotFound),
    }
}
