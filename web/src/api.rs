//! The worker's HTTP API from the widget: `fetch` with JSON, completed through callbacks.

use std::{cell::RefCell, rc::Rc};

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{Headers, RequestInit, Response};

/// A finished request: the HTTP status and the body text. `Err` when nothing came back.
pub(crate) type Reply = Result<(u16, String), ()>;

/// Runs `done` once `promise` settles, with its value or its rejection.
pub(crate) fn settle(promise: &Promise, done: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    let done = Rc::new(RefCell::new(Some(done)));
    let on_ok = {
        let done = Rc::clone(&done);
        Closure::once_into_js(move |value: JsValue| {
            if let Some(done) = done.borrow_mut().take() {
                done(Ok(value));
            }
        })
    };
    let on_err = Closure::once_into_js(move |error: JsValue| {
        if let Some(done) = done.borrow_mut().take() {
            done(Err(error));
        }
    });
    // `Promise.then` through reflection: it takes the self-freeing `once_into_js` callbacks.
    let then = js_sys::Reflect::get(promise, &JsValue::from_str("then"))
        .ok()
        .and_then(|then| then.dyn_into::<js_sys::Function>().ok());
    if let Some(then) = then {
        let _ = then.call2(promise, &on_ok, &on_err);
    }
}

/// `POST path` with a JSON body and, when given, `Authorization: Bearer <bearer>`.
pub(crate) fn post_json(
    path: &str,
    body: &str,
    bearer: Option<&str>,
    done: impl FnOnce(Reply) + 'static,
) {
    let body = JsValue::from_str(body);
    text_of(
        start("POST", path, Some((&body, "application/json")), bearer),
        done,
    );
}

/// `GET path`, with `Authorization: Bearer <bearer>` when given.
pub(crate) fn get(path: &str, bearer: Option<&str>, done: impl FnOnce(Reply) + 'static) {
    text_of(start("GET", path, None, bearer), done);
}

/// Starts `method path` with `body` (its content and content type) and, when given,
/// `Authorization: Bearer <bearer>`: the fetch's promise of a `Response`, `None` when it could
/// not start. Every request of the widget goes through here, the admin views' too (they add file
/// bodies and downloads).
pub(crate) fn start(
    method: &str,
    path: &str,
    body: Option<(&JsValue, &str)>,
    bearer: Option<&str>,
) -> Option<Promise> {
    let window = web_sys::window()?;
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().ok()?;
    if let Some((content, content_type)) = body {
        init.set_body(content);
        let _ = headers.set("content-type", content_type);
    }
    if let Some(bearer) = bearer {
        let _ = headers.set("authorization", &format!("Bearer {bearer}"));
    }
    init.set_headers(&headers);
    Some(window.fetch_with_str_and_init(path, &init))
}

/// Runs `done` with the status and body text of the `Response` that `response` (from [`start`])
/// settles with; `Err` when the request did not start or nothing came back.
pub(crate) fn text_of(response: Option<Promise>, done: impl FnOnce(Reply) + 'static) {
    let Some(response) = response else {
        return done(Err(()));
    };
    settle(&response, move |result| {
        let Ok(response) = result.map(JsValue::unchecked_into::<Response>) else {
            return done(Err(()));
        };
        let status = response.status();
        let Ok(text) = response.text() else {
            return done(Err(()));
        };
        settle(&text, move |body| {
            done(
                body.ok()
                    .and_then(|b| b.as_string())
                    .map(|b| (status, b))
                    .ok_or(()),
            );
        });
    });
}
