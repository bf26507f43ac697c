//! The `twilio` voice backend: Twilio's Voice JS SDK (`Twilio.Device`) through wasm-bindgen, its file loaded on first use.
//!
//! The SDK's browser bundle is copied by `cargo xtask build` under a content-hashed name that the
//! widget page names in `<meta name="tsunagu-twilio-sdk">`; a `<script>` for it is added to the
//! page only when a `twilio` line registers, so widgets on the test double never download it.
//! Every SDK listener is a Rust closure owned by the line (device listeners) or by its call (call
//! listeners) and removed from the SDK before it is dropped, so nothing leaks past a call.

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
    time::Duration,
};

use js_sys::{Array, Function, Map, Object, Promise, Reflect};
use leptos::prelude::set_timeout;
use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};

use super::{
    CallWarning, DEFAULT_EDGE, IncomingCall, VoiceEvent, VoiceLine, VoiceProblem, VoiceSink,
};
use crate::api;

mod sdk_file;

use sdk_file::load_sdk;

#[wasm_bindgen]
extern "C" {
    /// The SDK's event emitter: both `Device` and `Call` are one.
    #[derive(Clone)]
    type Emitter;
    #[wasm_bindgen(method)]
    fn on(this: &Emitter, event: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeListener)]
    fn remove_listener(this: &Emitter, event: &str, listener: &Function);

    #[wasm_bindgen(extends = Emitter, js_namespace = Twilio, js_name = Device)]
    #[derive(Clone)]
    type Device;
    #[wasm_bindgen(constructor, catch, js_namespace = Twilio, js_class = "Device")]
    fn new(token: &str, options: &Object) -> Result<Device, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn register(this: &Device) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = updateToken)]
    fn update_token(this: &Device, token: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn destroy(this: &Device) -> Result<(), JsValue>;
    #[wasm_bindgen(method, getter)]
    fn audio(this: &Device) -> Option<AudioHelper>;

    type AudioHelper;
    /// Turns the SDK's own incoming ringtone on or off.
    #[wasm_bindgen(method, catch)]
    fn incoming(this: &AudioHelper, enabled: bool) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(extends = Emitter)]
    #[derive(Clone)]
    type Call;
    #[wasm_bindgen(method, getter)]
    fn parameters(this: &Call) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = customParameters)]
    fn custom_parameters(this: &Call) -> JsValue;
    #[wasm_bindgen(method, catch)]
    fn accept(this: &Call) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn reject(this: &Call) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn disconnect(this: &Call) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn mute(this: &Call, muted: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = sendDigits)]
    fn send_digits(this: &Call, digits: &str) -> Result<(), JsValue>;
}

/// Ask for a fresh token this long before the current one expires (the SDK's default is 10 s,
/// too short for a round trip to `/api/token` on a slow office network).
const TOKEN_REFRESH_MS: f64 = 60_000.0;

/// A line that has neither registered nor reported an error by then says it cannot connect:
/// the SDK itself retries silently when a connection attempt merely times out.
const REGISTER_DEADLINE: Duration = Duration::from_secs(15);

/// A handler of an SDK event; events pass at most two arguments we read.
type Handler = Closure<dyn FnMut(JsValue, JsValue)>;

/// Listeners on one emitter, taken off it when dropped so no event reaches a freed closure.
struct Listeners {
    emitter: Emitter,
    handlers: Vec<(&'static str, Handler)>,
}

impl Listeners {
    fn new(emitter: Emitter) -> Listeners {
        Listeners {
            emitter,
            handlers: Vec::new(),
        }
    }

    fn add(&mut self, event: &'static str, handler: impl FnMut(JsValue, JsValue) + 'static) {
        let handler = Handler::new(handler);
        self.emitter.on(event, handler.as_ref().unchecked_ref());
        self.handlers.push((event, handler));
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for (event, handler) in &self.handlers {
            self.emitter
                .remove_listener(event, handler.as_ref().unchecked_ref());
        }
    }
}

struct LiveDevice {
    device: Device,
    _listeners: Listeners,
}

struct LiveCall {
    call_sid: String,
    call: Call,
    /// Quality warnings standing on this call, by the SDK's name.
    warnings: Vec<(String, CallWarning)>,
    shown: Option<CallWarning>,
    _listeners: Listeners,
}

/// The line's state, shared (weakly) with the SDK listeners.
struct Shared {
    sdk_url: String,
    sink: VoiceSink,
    device: RefCell<Option<LiveDevice>>,
    /// The calls ringing or connected: a handful at most, so a list.
    calls: RefCell<Vec<LiveCall>>,
    /// Invalidates SDK-load callbacks and deadlines of an earlier `register`.
    generation: Cell<u32>,
    registered: Cell<bool>,
    /// The line was registered and dropped: its next `registered` follows a reconnect.
    reconnecting: Cell<bool>,
    /// An error was reported since `register`, so the deadline need not say anything.
    reported: Cell<bool>,
}

pub(crate) struct TwilioLine {
    shared: Rc<Shared>,
}

impl TwilioLine {
    pub(crate) fn new(sdk_url: String, sink: VoiceSink) -> TwilioLine {
        TwilioLine {
            shared: Rc::new(Shared {
                sdk_url,
                sink,
                device: RefCell::new(None),
                calls: RefCell::new(Vec::new()),
                generation: Cell::new(0),
                registered: Cell::new(false),
                reconnecting: Cell::new(false),
                reported: Cell::new(false),
            }),
        }
    }

    fn call(&self, call_sid: &str) -> Option<Call> {
        let calls = self.shared.calls.borrow();
        calls
            .iter()
            .find(|live| live.call_sid == call_sid)
            .map(|live| live.call.clone())
    }

    fn device(&self) -> Option<Device> {
        let device = self.shared.device.borrow();
        device.as_ref().map(|live| live.device.clone())
    }

    fn emit(&self, event: VoiceEvent) {
        (self.shared.sink)(event);
    }
}

impl Drop for TwilioLine {
    fn drop(&mut self) {
        self.unregister();
    }
}

impl VoiceLine for TwilioLine {
    fn register(&self, token: &str, edge: &str) {
        self.unregister();
        let generation = self.shared.generation.get();
        let edge = if edge.is_empty() { DEFAULT_EDGE } else { edge };
        let weak = Rc::downgrade(&self.shared);
        let (token, edge) = (token.to_owned(), edge.to_owned());
        load_sdk(
            &self.shared.sdk_url,
            Box::new(move |loaded| {
                let Some(shared) = current(&weak, generation) else {
                    return;
                };
                if loaded {
                    Shared::start(&shared, &token, &edge);
                } else {
                    leptos::logging::warn!("twilio voice: the SDK file did not load");
                    shared.report(VoiceProblem::Network);
                }
            }),
        );
        let weak = Rc::downgrade(&self.shared);
        set_timeout(
            move || {
                if let Some(shared) = current(&weak, generation)
                    && !shared.registered.get()
                    && !shared.reconnecting.get()
                    && !shared.reported.get()
                {
                    shared.report(VoiceProblem::Network);
                }
            },
            REGISTER_DEADLINE,
        );
    }

    fn update_token(&self, token: &str) {
        if let Some(device) = self.device()
            && device.update_token(token).is_err()
        {
            leptos::logging::warn!("twilio voice: the SDK refused the new token");
        }
    }

    fn accept(&self, call_sid: &str) {
        match self.call(call_sid) {
            // `accept` (then `Connected`) comes from the SDK once the microphone is open.
            Some(call) => {
                if call.accept().is_err() {
                    self.emit(VoiceEvent::Error(VoiceProblem::Other));
                }
            }
            None => self.emit(VoiceEvent::Disconnected {
                call_sid: call_sid.to_owned(),
            }),
        }
    }

    fn reject(&self, call_sid: &str) {
        match self.call(call_sid) {
            Some(call) => {
                let _ = call.reject();
            }
            None => self.emit(VoiceEvent::Disconnected {
                call_sid: call_sid.to_owned(),
            }),
        }
    }

    fn hangup(&self, call_sid: &str) {
        match self.call(call_sid) {
            Some(call) => {
                let _ = call.disconnect();
            }
            None => self.emit(VoiceEvent::Disconnected {
                call_sid: call_sid.to_owned(),
            }),
        }
    }

    fn mute(&self, call_sid: &str, muted: bool) {
        if let Some(call) = self.call(call_sid) {
            let _ = call.mute(muted);
        }
    }

    fn send_digits(&self, call_sid: &str, digits: &str) {
        // The SDK throws on anything but 0-9 * # w; the keypad sends nothing else.
        if let Some(call) = self.call(call_sid)
            && call.send_digits(digits).is_err()
        {
            leptos::logging::warn!("twilio voice: the SDK refused the digits");
        }
    }

    fn unregister(&self) {
        let shared = &self.shared;
        shared
            .generation
            .set(shared.generation.get().wrapping_add(1));
        shared.registered.set(false);
        shared.reconnecting.set(false);
        shared.reported.set(false);
        let calls = std::mem::take(&mut *shared.calls.borrow_mut());
        drop(calls);
        let live = shared.device.borrow_mut().take();
        if let Some(live) = live {
            let device = live.device.clone();
            // Listeners first: `destroy` hangs up and unregisters, and nobody needs to hear it.
            drop(live);
            let _ = device.destroy();
        }
    }
}

/// The line behind `weak`, unless it is gone or has registered again since `generation`.
fn current(weak: &Weak<Shared>, generation: u32) -> Option<Rc<Shared>> {
    weak.upgrade()
        .filter(|shared| shared.generation.get() == generation)
}

impl Shared {
    fn emit(&self, event: VoiceEvent) {
        (self.sink)(event);
    }

    fn report(&self, problem: VoiceProblem) {
        self.reported.set(true);
        self.emit(VoiceEvent::Error(problem));
    }

    /// Creates the `Device` on the SDK that just loaded, listens to it and registers it.
    fn start(this: &Rc<Shared>, token: &str, edge: &str) {
        let options = Object::new();
        set(&options, "edge", &JsValue::from_str(edge));
        set(
            &options,
            "tokenRefreshMs",
            &JsValue::from_f64(TOKEN_REFRESH_MS),
        );
        set(&options, "appName", &JsValue::from_str("tsunagu"));
        let codecs = Array::of2(&JsValue::from_str("opus"), &JsValue::from_str("pcmu"));
        set(&options, "codecPreferences", &codecs);
        let Ok(device) = Device::new(token, &options) else {
            // NotSupportedError (no WebRTC) or a token the SDK cannot even read.
            leptos::logging::warn!("twilio voice: the SDK refused to create the line");
            return this.report(VoiceProblem::Other);
        };
        // The widget rings itself when the offer arrives; the SDK's ringtone would double it.
        if let Some(audio) = device.audio() {
            let _ = audio.incoming(false);
        }
        let mut listeners = Listeners::new(Emitter::from(device.clone()));
        let weak = Rc::downgrade(this);
        let on = move |handle: fn(&Rc<Shared>, JsValue, JsValue)| {
            let weak = weak.clone();
            move |first: JsValue, second: JsValue| {
                if let Some(shared) = weak.upgrade() {
                    handle(&shared, first, second);
                }
            }
        };
        listeners.add("registered", on(|shared, _, _| shared.registered()));
        listeners.add("unregistered", on(|shared, _, _| shared.unregistered()));
        listeners.add(
            "incoming",
            on(|shared, call, _| Shared::incoming(shared, call.unchecked_into())),
        );
        listeners.add("error", on(|shared, error, _| shared.error(&error)));
        listeners.add(
            "tokenWillExpire",
            on(|shared, _, _| shared.emit(VoiceEvent::TokenNeeded)),
        );
        *this.device.borrow_mut() = Some(LiveDevice {
            device: device.clone(),
            _listeners: listeners,
        });
        match device.register() {
            // Failures arrive as `error` events; the promise only says registration ended.
            Ok(done) => api::settle(&done, |result| {
                if result.is_err() {
                    leptos::logging::warn!("twilio voice: registration did not complete");
                }
            }),
            Err(_) => this.report(VoiceProblem::Other),
        }
    }

    fn registered(&self) {
        let reconnected = self.reconnecting.replace(false);
        self.registered.set(true);
        self.emit(VoiceEvent::Registered);
        if reconnected {
            // The SDK re-registered with the token it had; the old one may be close to expiry.
            self.emit(VoiceEvent::TokenNeeded);
        }
    }

    fn unregistered(&self) {
        if self.registered.replace(false) {
            self.reconnecting.set(true);
            self.emit(VoiceEvent::Reconnecting);
        }
    }

    fn error(&self, error: &JsValue) {
        let code = Reflect::get(error, &JsValue::from_str("code"))
            .ok()
            .and_then(|code| code.as_f64())
            .and_then(twilio_code);
        let problem = VoiceProblem::from_twilio_code(code, self.registered.get());
        leptos::logging::warn!("twilio voice: error {}", code.unwrap_or_default());
        self.report(problem);
    }

    fn incoming(this: &Rc<Shared>, call: Call) {
        let parameters = call.parameters();
        let Some(call_sid) = text_field(&parameters, "CallSid") else {
            leptos::logging::warn!("twilio voice: a call without a CallSid");
            return;
        };
        let custom = call.custom_parameters();
        let ringing = IncomingCall {
            call_sid: call_sid.clone(),
            from: text_field(&parameters, "From"),
            conversation: custom_parameter(&custom, "conversation"),
            attempt: custom_parameter(&custom, "attempt").and_then(|a| a.parse().ok()),
        };

        let mut listeners = Listeners::new(Emitter::from(call.clone()));
        let weak = Rc::downgrade(this);
        let on = |handle: fn(&Shared, &str, JsValue)| {
            let (weak, call_sid) = (weak.clone(), call_sid.clone());
            move |first: JsValue, _second: JsValue| {
                if let Some(shared) = weak.upgrade() {
                    handle(&shared, &call_sid, first);
                }
            }
        };
        listeners.add(
            "accept",
            on(|shared, call_sid, _| {
                shared.emit(VoiceEvent::Connected {
                    call_sid: call_sid.to_owned(),
                });
            }),
        );
        for ended in ["disconnect", "cancel", "reject"] {
            listeners.add(ended, on(|shared, call_sid, _| shared.ended(call_sid)));
        }
        listeners.add("error", on(|shared, _, error| shared.error(&error)));
        listeners.add(
            "warning",
            on(|shared, call_sid, name| shared.warning(call_sid, &name, true)),
        );
        listeners.add(
            "warning-cleared",
            on(|shared, call_sid, name| shared.warning(call_sid, &name, false)),
        );
        let replaced = Shared::take_call(this, &call_sid);
        drop(replaced);
        this.calls.borrow_mut().push(LiveCall {
            call_sid,
            call,
            warnings: Vec::new(),
            shown: None,
            _listeners: listeners,
        });
        this.emit(VoiceEvent::Ringing(ringing));
    }

    fn take_call(&self, call_sid: &str) -> Option<LiveCall> {
        let mut calls = self.calls.borrow_mut();
        let at = calls.iter().position(|live| live.call_sid == call_sid)?;
        Some(calls.swap_remove(at))
    }

    /// The call is over: its listeners go (wasm-bindgen frees the running one once it returns).
    fn ended(&self, call_sid: &str) {
        let live = self.take_call(call_sid);
        if live.is_some() {
            drop(live);
            self.emit(VoiceEvent::Disconnected {
                call_sid: call_sid.to_owned(),
            });
        }
    }

    fn warning(&self, call_sid: &str, name: &JsValue, raised: bool) {
        let Some(name) = name.as_string() else {
            return;
        };
        let Some(kind) = CallWarning::from_twilio_name(&name) else {
            return;
        };
        let changed = {
            let mut calls = self.calls.borrow_mut();
            let Some(live) = calls.iter_mut().find(|live| live.call_sid == call_sid) else {
                return;
            };
            live.warnings.retain(|(standing, _)| *standing != name);
            if raised {
                live.warnings.push((name, kind));
            }
            let worst = live.warnings.iter().map(|(_, kind)| *kind).max();
            (worst != live.shown).then(|| {
                live.shown = worst;
                worst
            })
        };
        if let Some(warning) = changed {
            self.emit(VoiceEvent::Warning {
                call_sid: call_sid.to_owned(),
                warning,
            });
        }
    }
}

/// An SDK error code as a number, when it is one.
fn twilio_code(code: f64) -> Option<u32> {
    let whole = code.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&code);
    // Whole and in range: the conversion is exact.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked just above"
    )]
    whole.then_some(code as u32)
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

fn text_field(object: &JsValue, name: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()?
        .as_string()
        .filter(|text| !text.is_empty())
}

/// A `<Parameter>` of the worker's TwiML, from the SDK's `customParameters` (a `Map`).
fn custom_parameter(custom: &JsValue, name: &str) -> Option<String> {
    let value = match custom.dyn_ref::<Map>() {
        Some(map) => map.get(&JsValue::from_str(name)),
        None if custom.is_object() => Reflect::get(custom, &JsValue::from_str(name)).ok()?,
        None => return None,
    };
    value.as_string().filter(|text| !text.is_empty())
}
