//! The admin API from the admin views: the widget's one `fetch` (`api::start`) with its session, JSON or a file body.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Response;

use super::js;
use crate::api::{self, Reply, settle};

/// What a request carries.
pub(super) enum Body {
    None,
    Json(String),
    /// A CSV file as the admin picked it (a `File`): its bytes go as they are (Shift_JIS
    /// included).
    Csv(JsValue),
}

/// `method path` with `Authorization: Bearer <the session>`; `done` gets the status and the body.
pub(super) fn send(method: &str, path: &str, body: Body, done: impl FnOnce(Reply) + 'static) {
    api::text_of(start(method, path, body), done);
}

/// `GET path` and saves the reply as a file named `file_name` (the CSV export: its bytes, BOM
/// or Shift_JIS, kept as the worker wrote them). `done` gets the status (0: nothing came back).
pub(super) fn download(path: &str, file_name: &'static str, done: impl FnOnce(u16) + 'static) {
    let Some(response) = start("GET", path, Body::None) else {
        return done(0);
    };
    settle(&response, move |result| {
        let Ok(response) = result.map(JsValue::unchecked_into::<Response>) else {
            return done(0);
        };
        let status = response.status();
        let Ok(blob) = response.blob() else {
            return done(0);
        };
        if status != 200 {
            return done(status);
        }
        settle(&blob, move |blob| {
            let saved = blob
                .ok()
                .and_then(|blob| save(&blob.unchecked_into(), file_name));
            done(if saved.is_some() { status } else { 0 });
        });
    });
}

/// Saves `blob` as a download: a link to an object URL, clicked.
fn save(blob: &JsValue, file_name: &str) -> Option<()> {
    let urls = js::global("URL");
    let none = JsValue::UNDEFINED;
    let url = js::call(&urls, "createObjectURL", blob, &none)?;
    let link: JsValue = web_sys::window()?
        .document()?
        .create_element("a")
        .ok()?
        .into();
    js::set(&link, "href", &url);
    js::set(&link, "download", &JsValue::from_str(file_name));
    js::call(&link, "click", &none, &none)?;
    js::call(&urls, "revokeObjectURL", &url, &none);
    Some(())
}

/// The phone's own request (`api::start`) with the admin's session and body.
fn start(method: &str, path: &str, body: Body) -> Option<js_sys::Promise> {
    let session = crate::controller::session_token()?;
    let body = match body {
        Body::None => None,
        Body::Json(json) => Some((JsValue::from_str(&json), "application/json")),
        Body::Csv(file) => Some((file, "text/csv")),
    };
    let body = body.as_ref().map(|(content, kind)| (content, *kind));
    api::start(method, path, body, Some(&session))
}

/// A path segment from an id the admin typed or the API listed (`+81…` numbers, ids).
pub(super) fn segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}
