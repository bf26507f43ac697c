//! A fetched response's body read by the runtime's own `Response.text()`: one promise.
//!
//! workers-rs' `Response::text`/`json` pull the body stream chunk by chunk through wasm
//! (`wasm_streams`, a lock and a release per read); on the hub's hop that was ~7% of the
//! isolate's CPU at 100 calls/s (README, "Load and fault runs"). Every response the worker reads
//! whole (the hub's replies, Twilio's REST answers, Turnstile's verdict) goes through here.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use worker::{Response, wasm_bindgen_futures::JsFuture};

use crate::error::AppError;

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
    let body = text(response).await?;
    serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("response body: {e}")))
}
