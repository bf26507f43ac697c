//! The body size cap every route shares (one route has a larger one), enforced before any route
//! reads a body.
//!
//! A declared `Content-Length` over the cap is refused (413) without reading a byte; a body without
//! one (chunked) is read here up to the cap and handed on as a fresh request, or refused as soon as
//! it passes the cap.

use js_sys::{Function, Reflect, Uint8Array};
use tsunagu_admin::customer_csv;
use wasm_bindgen::{JsCast, JsValue};
use worker::{Method, Request, RequestInit, wasm_bindgen_futures::JsFuture};

use crate::{error::AppError, routes};

/// The longest request body any route accepts. The largest legitimate ones are Twilio's webhook
/// forms and an embed token (a few KB each).
pub(crate) const BODY_MAX_BYTES: usize = 64 * 1024;

/// The cap of `req`'s route: [`BODY_MAX_BYTES`], except a customer CSV import, which takes a
/// file of up to [`customer_csv::IMPORT_MAX_BYTES`] (10,000 rows).
fn cap_of(req: &Request) -> usize {
    if req.method() == Method::Post && req.path() == routes::customer_csv::IMPORT_PATH {
        customer_csv::IMPORT_MAX_BYTES
    } else {
        BODY_MAX_BYTES
    }
}

/// `req` unchanged if its body is within its route's cap by its `Content-Length` (or it has
/// none), else its body read up to the cap into a new request; 413 beyond the cap.
pub(crate) async fn within_cap(req: Request) -> Result<Request, AppError> {
    let cap = cap_of(&req);
    if let Some(length) = req.headers().get("Content-Length")? {
        let length: usize = length
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest("malformed Content-Length"))?;
        return if length > cap {
            Err(AppError::PayloadTooLarge)
        } else {
            Ok(req)
        };
    }
    let Some(body) = req.inner().body() else {
        return Ok(req);
    };
    let bytes = read_capped(&body, cap).await?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone())
        .with_body(Some(Uint8Array::from(bytes.as_slice()).into()));
    Ok(Request::new_with_init(req.url()?.as_str(), &init)?)
}

/// Reads a stream chunk by chunk, stopping (and cancelling it) once it passes the cap.
pub(crate) async fn read_capped(body: &JsValue, cap: usize) -> Result<Vec<u8>, AppError> {
    let reader = call(body, "getReader", None)?;
    let mut bytes = Vec::new();
    loop {
        let step = JsFuture::from(js_sys::Promise::from(call(&reader, "read", None)?))
            .await
            .map_err(js_error)?;
        if Reflect::get(&step, &"done".into())
            .map_err(js_error)?
            .is_truthy()
        {
            return Ok(bytes);
        }
        let chunk: Uint8Array = Reflect::get(&step, &"value".into())
            .map_err(js_error)?
            .dyn_into()
            .map_err(js_error)?;
        if bytes.len() + chunk.length() as usize > cap {
            let _ = call(&reader, "cancel", None);
            return Err(AppError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk.to_vec());
    }
}

fn call(target: &JsValue, method: &str, arg: Option<&JsValue>) -> Result<JsValue, AppError> {
    let function: Function = Reflect::get(target, &method.into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    match arg {
        Some(arg) => function.call1(target, arg),
        None => function.call0(target),
    }
    .map_err(js_error)
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "`map_err` hands the error over by value"
)]
fn js_error(err: JsValue) -> AppError {
    AppError::Internal(format!("reading the body: {err:?}"))
}
