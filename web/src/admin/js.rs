//! The few browser calls only the admin views make (a file's bytes, a download, a stylesheet
//! rule), through `Reflect` and `Function.prototype.call`, which the phone binds already.
//!
//! A `web-sys` binding per call would add a function to the wasm-bindgen glue and an import to
//! the main module, which every agent downloads; these reach the same APIs by name instead.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `target[key]` (`undefined` when it cannot be read).
pub(super) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `target[key] = value`.
pub(super) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `target.method(first, second)`; a method taking fewer arguments ignores the rest, as
/// JavaScript does. `None` when there is no such method or it threw.
pub(super) fn call(
    target: &JsValue,
    method: &str,
    first: &JsValue,
    second: &JsValue,
) -> Option<JsValue> {
    let function = get(target, method).dyn_into::<Function>().ok()?;
    function.call2(target, first, second).ok()
}

/// A global (`URL`, `document`).
pub(super) fn global(name: &str) -> JsValue {
    get(&js_sys::global(), name)
}

/// The first file an `<input type=file>`'s change event picked.
pub(super) fn picked_file(event: &web_sys::Event) -> Option<JsValue> {
    let input: JsValue = event.target()?.into();
    let file = get(&get(&input, "files"), "0");
    (!file.is_undefined() && !file.is_null()).then_some(file)
}

/// Whether a checkbox's change event left it checked.
pub(super) fn checked(event: &web_sys::Event) -> bool {
    event
        .target()
        .is_some_and(|input| get(&input.into(), "checked").as_bool() == Some(true))
}
