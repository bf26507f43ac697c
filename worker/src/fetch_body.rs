//! A fetched response's body read by the runtime's own `Response.text()`: one promise.
//!
//! workers-rs' `Response::text`/`json` pull the body stream chunk by chunk through wasm
//! (`wasm_streams`, a lock and a release per read); on the hub's hop that was ~7% of the
//! isolate's CPU at 100 calls/s (README, "Load and fault runs"). Every response the worker reads
//! whole (the hub's replies, Twilio's REST answers, Turnstile's verdict) goes through here; the
//! replies of services outside the worker are read only up to [`REPLY_MAX_BYTES`].

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use worker::{Response, wasm_bindgen_futures::JsFuture};

use crate::{body_limit, error::AppError};

/// The most the worker reads of an outside service's reply (Twilio's REST API, Turnstile's
/// siteverify): both answer a few KB; a reply past this is refused, declared or streamed, and
/// its body is not read further. (The CRM lookup has its own, smaller cap.)
pub(crate) const REPLY_MAX_BYTES: usize = 64 * 1024;

/// `response`'s body as text (invalid UTF-8 replaced, as `Response.text()` does).
pub(crate) async fn text(response: Response) -> Result<String, AppError> {
    let raw: web_sys::Response = response.into();
    let promise = raw
        .text()
        .map_err(|e| AppError::Internal(format!("response body: {e:?}")))?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|e| AppError::Internal(format!("response body: {e:?}")))?;
    value
        .dyn_into::<js_sys::JsString>()
        .map(String::from)
        .map_err(|_| AppError::Internal("response body: not text".into()))
}

/// `response`'s body read as JSON into `T`.
pub(crate) async fn json<T: DeserializeOwned>(response: Response) -> Result<T, AppError> {
    parse(&text(response).await?)
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(format!("response body: {e}")))
}

/// An outside service's reply as text, refused (never read past `cap`) when larger.
pub(crate) async fn text_within(response: Response, cap: usize) -> Result<String, AppError> {
    let too_large = || AppError::Internal(format!("the reply is over {cap} bytes"));
    if let Ok(Some(length)) = response.headers().get("Content-Length")
        && length.trim().parse::<usize>().is_ok_and(|n| n > cap)
    {
        return Err(too_large());
    }
    let raw: web_sys::Response = response.into();
    let Some(body) = raw.body() else {
        return Ok(String::new());
    };
    match body_limit::read_capped(&body, cap).await {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(AppError::PayloadTooLarge) => Err(too_large()),
        Err(err) => Err(err),
    }
}

/// An outside service's reply read as JSON into `T`, refused when larger than `cap`.
pub(crate) async fn json_within<T: DeserializeOwned>(
    response: Response,
    cap: usize,
) -> Result<T, AppError> {
    parse(&text_within(response, cap).await?)
}
