//! The HTTP server: routes for the REST API, the client sockets and the control API.

use std::{io, net::SocketAddr};

use axum::{
    Router,
    routing::{any, delete, get, post, put},
};
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{
    client,
    config::Config,
    control, rest,
    state::{Double, Shared},
};

pub fn router(double: Shared) -> Router {
    Router::new()
        .route("/2010-04-01/{*path}", any(rest::handle))
        .route("/_double/health", get(control::health))
        .route(
            "/_double/calls",
            post(control::create_call).get(control::list_calls),
        )
        .route("/_double/calls/{sid}", get(control::show_call))
        .route("/_double/calls/{sid}/hangup", post(control::hangup))
        .route("/_double/calls/{sid}/digits", post(control::digits))
        .route("/_double/calls/{sid}/speech", post(control::speech))
        .route("/_double/rest-log", get(control::rest_log))
        .route("/_double/recordings", get(control::recordings))
        .route("/_double/phones/{number}", put(control::set_phone))
        .route("/_double/reset", post(control::reset))
        .route("/_double/client", get(client::socket))
        .route("/_double/clients", get(client::http_list))
        .route(
            "/_double/clients/{identity}",
            get(client::http_show).merge(delete(client::http_unregister)),
        )
        .route(
            "/_double/clients/{identity}/register",
            post(client::http_register),
        )
        .route(
            "/_double/clients/{identity}/{action}",
            post(client::http_act),
        )
        .with_state(double)
}

/// A running double.
#[derive(Debug)]
pub struct Running {
    pub double: Shared,
    pub address: SocketAddr,
    pub task: JoinHandle<io::Result<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Binds `config.listen` (port 0 picks a free one) and serves in the background. Recording URLs
/// point at the bound address unless `public_url` says otherwise.
pub async fn start(mut config: Config) -> io::Result<Running> {
    let listener = TcpListener::bind(&config.listen).await?;
    let address = listener.local_addr()?;
    config.listen = address.to_string();
    let double = Double::new(config);
    let app = router(double.clone());
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running {
        double,
        address,
        task,
    })
}
