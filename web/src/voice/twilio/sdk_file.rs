//! Loading Twilio's SDK file into the page once, on the first line that needs it.

use std::cell::RefCell;

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::set;
use crate::api;

/// Where the SDK file stands in this page.
enum SdkLoad {
    Idle,
    Loading(Vec<Box<dyn FnOnce(bool)>>),
    Ready,
}

thread_local! {
    static SDK: RefCell<SdkLoad> = const { RefCell::new(SdkLoad::Idle) };
}

/// Runs `done(true)` once `Twilio.Device` is defined, adding the SDK's `<script>` the first time;
/// `done(false)` when the file could not be loaded (a later call tries again).
pub(super) fn load_sdk(url: &str, done: Box<dyn FnOnce(bool)>) {
    enum Next {
        Now(Box<dyn FnOnce(bool)>),
        Wait,
        Inject,
    }
    let next = SDK.with(|sdk| {
        let mut sdk = sdk.borrow_mut();
        match &mut *sdk {
            SdkLoad::Ready => Next::Now(done),
            SdkLoad::Loading(waiting) => {
                waiting.push(done);
                Next::Wait
            }
            SdkLoad::Idle => {
                *sdk = SdkLoad::Loading(vec![done]);
                Next::Inject
            }
        }
    });
    match next {
        Next::Now(done) => done(true),
        Next::Wait => {}
        Next::Inject => inject_script(url),
    }
}

fn inject_script(url: &str) {
    let document = web_sys::window().and_then(|w| w.document());
    let script = document
        .as_ref()
        .and_then(|d| d.create_element("script").ok());
    let parent = document.as_ref().and_then(|d| {
        d.query_selector("head")
            .ok()
            .flatten()
            .or(d.document_element())
    });
    let (Some(script), Some(parent)) = (script, parent) else {
        return sdk_loaded(false);
    };
    let _ = script.set_attribute("src", url);
    let _ = script.set_attribute("data-tsunagu", "twilio-voice-sdk");
    let loaded = Promise::new(&mut |resolve, reject| {
        set(script.unchecked_ref(), "onload", &resolve);
        set(script.unchecked_ref(), "onerror", &reject);
    });
    if parent.append_child(&script).is_err() {
        return sdk_loaded(false);
    }
    api::settle(&loaded, move |result| {
        set(script.unchecked_ref(), "onload", &JsValue::NULL);
        set(script.unchecked_ref(), "onerror", &JsValue::NULL);
        let ready = result.is_ok() && sdk_present();
        if !ready {
            script.remove();
        }
        sdk_loaded(ready);
    });
}

/// Whether the page has `Twilio.Device` (the SDK file defines it; tests may stand one in).
fn sdk_present() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("Twilio"))
        .ok()
        .filter(JsValue::is_object)
        .and_then(|twilio| Reflect::get(&twilio, &JsValue::from_str("Device")).ok())
        .is_some_and(|device| device.is_function())
}

fn sdk_loaded(ready: bool) {
    let waiting = SDK.with(|sdk| {
        let next = if ready { SdkLoad::Ready } else { SdkLoad::Idle };
        match std::mem::replace(&mut *sdk.borrow_mut(), next) {
            SdkLoad::Loading(waiting) => waiting,
            SdkLoad::Idle | SdkLoad::Ready => Vec::new(),
        }
    });
    for done in waiting {
        done(ready);
    }
}
