//! The web-call line: the agent's end of a customer's browser call (WebRTC), signalled over the hub socket.
//!
//! A web call needs no phone line: once the agent accepts (`accept_offer`), this module asks for
//! the microphone and the ICE servers (`GET /api/webcall/ice`) at the same time, then answers the
//! customer page's SDP offer, trickles ICE candidates both ways through the hub, and plays the
//! customer's audio in an `<audio>` element. Signals that arrive before the peer connection
//! exists wait in order. The peer connection is `window.__tsunaguPeer` inside the widget frame,
//! for tests. There is one web call at a time; closing it stops the microphone.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use tsunagu_core::InteractionId;
use tsunagu_protocol::{
    ClientMessage, Signal,
    http::{IceServer, IceServersReply, IceUrls},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{
    HtmlAudioElement, MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcConfiguration,
    RtcIceCandidateInit, RtcPeerConnection, RtcPeerConnectionIceEvent, RtcSdpType,
    RtcSessionDescriptionInit, RtcTrackEvent,
};

use crate::api;

/// Sends a message to the hub on the line's behalf.
pub(crate) type Sender = Rc<dyn Fn(ClientMessage)>;
/// Called once when the line cannot carry the call (no microphone, no peer connection).
pub(crate) type OnFailure = Rc<dyn Fn()>;

/// A peer-connection event handler.
type Handler = Closure<dyn FnMut(JsValue)>;
/// Handles a customer's signal on the line (the web-call module's `Line::receive`).
type Receive = fn(&Rc<Line>, Signal);

/// Where the worker lists the STUN/TURN servers.
const ICE_PATH: &str = "/api/webcall/ice";

thread_local! {
    static LINE: RefCell<Option<Rc<Line>>> = const { RefCell::new(None) };
}

fn current() -> Option<Rc<Line>> {
    LINE.with(|line| line.borrow().clone())
}

struct Line {
    conversation: InteractionId,
    send: Sender,
    on_failure: OnFailure,
    /// `RTCConfiguration.iceServers`, once the worker said (an empty list if it could not).
    ice_servers: RefCell<Option<JsValue>>,
    microphone: RefCell<Option<MediaStream>>,
    peer: RefCell<Option<RtcPeerConnection>>,
    /// Signals from the customer that came before the peer connection.
    early: RefCell<Vec<Signal>>,
    /// Candidates that came before the customer's offer was applied.
    candidates: RefCell<Vec<RtcIceCandidateInit>>,
    described: Cell<bool>,
    audio: RefCell<Option<HtmlAudioElement>>,
    /// The peer connection's event handlers, alive as long as the line.
    handlers: RefCell<Vec<Handler>>,
    closed: Cell<bool>,
    /// How a customer's signal is handled, set by the web-call module once it is downloaded;
    /// until then signals wait in `early`.
    receive: Cell<Option<Receive>>,
}

/// The agent accepted web call `conversation`: gets the microphone and the ICE servers (asked
/// with the agent's `session`: TURN credentials go to signed-in agents only, named after the
/// call), then waits for the customer's offer. Replaces any earlier line.
pub(crate) fn start(
    conversation: InteractionId,
    session: Option<&str>,
    send: Sender,
    on_failure: OnFailure,
) {
    close();
    let ice_path = format!("{ICE_PATH}?conversation={}", conversation.as_str());
    let line = Rc::new(Line {
        conversation,
        send,
        on_failure,
        ice_servers: RefCell::new(None),
        microphone: RefCell::new(None),
        peer: RefCell::new(None),
        early: RefCell::new(Vec::new()),
        candidates: RefCell::new(Vec::new()),
        described: Cell::new(false),
        audio: RefCell::new(None),
        handlers: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        receive: Cell::new(None),
    });
    LINE.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&line)));
    let session = session.map(str::to_owned);
    leptos::task::spawn_local(async move {
        if connect(Rc::clone(&line), ice_path, session).await.is_err() {
            line.fail();
        }
    });
}

/// The rest of answering a web call (microphone, ICE servers, the peer connection, SDP): a
/// feature module, downloaded the first time an agent answers a web call (see ARCHITECTURE.md).
#[cfg(not(test))]
#[leptos::wasm_split::wasm_split(tsunagu_web_call, wasm_split_path = ::leptos::wasm_split, fallible)]
fn connect(
    line: Rc<Line>,
    ice_path: String,
    session: Option<String>,
) -> Result<(), leptos::wasm_split::SplitLoaderError> {
    answer_call(&line, &ice_path, session.as_deref());
    Ok(())
}

/// Component tests run an unsplit wasm (no link module to load from): called as is.
#[cfg(test)]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the split point's"
)]
async fn connect(
    line: Rc<Line>,
    ice_path: String,
    session: Option<String>,
) -> Result<(), leptos::wasm_split::SplitLoaderError> {
    answer_call(&line, &ice_path, session.as_deref());
    Ok(())
}

fn answer_call(line: &Rc<Line>, ice_path: &str, session: Option<&str>) {
    if line.closed.get() {
        return;
    }
    line.receive.set(Some(Line::receive));
    let for_ice = Rc::clone(line);
    api::get(ice_path, session, move |reply| {
        let servers = match reply {
            Ok((200, body)) => {
                IceServersReply::read(&body).map(|reply| ice_servers_to_js(&reply.ice_servers))
            }
            _ => None,
        };
        // Without the worker's list, host candidates still connect on one machine or LAN.
        *for_ice.ice_servers.borrow_mut() =
            Some(servers.unwrap_or_else(|| js_sys::Array::new().into()));
        for_ice.try_connect();
    });
    let for_microphone = Rc::clone(line);
    let microphone = web_sys::window()
        .map(|window| window.navigator())
        .and_then(|navigator| navigator.media_devices().ok())
        .and_then(|devices| {
            let constraints = MediaStreamConstraints::new();
            constraints.set_audio(&JsValue::TRUE);
            constraints.set_video(&JsValue::FALSE);
            devices.get_user_media_with_constraints(&constraints).ok()
        });
    let Some(microphone) = microphone else {
        return line.fail();
    };
    api::settle(&microphone, move |result| match result {
        Ok(stream) => {
            let stream: MediaStream = stream.unchecked_into();
            if for_microphone.closed.get() {
                return stop_tracks(&stream);
            }
            *for_microphone.microphone.borrow_mut() = Some(stream);
            for_microphone.try_connect();
        }
        Err(_) => for_microphone.fail(),
    });
}

/// A signal from the customer of `conversation`, relayed by the hub.
pub(crate) fn remote_signal(conversation: &InteractionId, signal: Signal) {
    if let Some(line) = current().filter(|line| &line.conversation == conversation) {
        match line.receive.get() {
            Some(receive) => receive(&line, signal),
            None => line.early.borrow_mut().push(signal),
        }
    }
}

/// The web call this page's line carries, if any (its peer connection lives here).
pub(crate) fn held() -> Option<InteractionId> {
    current()
        .filter(|line| !line.closed.get())
        .map(|line| line.conversation.clone())
}

/// Whether this page's line carries web call `conversation` (its peer connection lives here).
/// A dropped hub socket leaves the line alone: the audio is peer to peer.
pub(crate) fn holds(conversation: &InteractionId) -> bool {
    current().is_some_and(|line| &line.conversation == conversation && !line.closed.get())
}

/// Mutes or unmutes the microphone (the track is disabled, the call goes on). Whether a web
/// call took it.
pub(crate) fn set_muted(muted: bool) -> bool {
    let Some(line) = current() else {
        return false;
    };
    if let Some(stream) = line.microphone.borrow().as_ref() {
        for track in stream.get_audio_tracks().iter() {
            track
                .unchecked_into::<MediaStreamTrack>()
                .set_enabled(!muted);
        }
    }
    true
}

/// Ends the line, if there is one: the peer connection closes and the microphone stops.
pub(crate) fn close() {
    if let Some(line) = LINE.with(|slot| slot.borrow_mut().take()) {
        line.shut();
    }
}

impl Line {
    fn fail(&self) {
        if self.closed.get() {
            return;
        }
        (self.on_failure)();
    }

    /// Creates the peer connection once both the microphone and the ICE servers are there, then
    /// handles the signals that waited.
    fn try_connect(self: &Rc<Self>) {
        if self.closed.get() || self.peer.borrow().is_some() {
            return;
        }
        let Some(servers) = self.ice_servers.borrow().clone() else {
            return;
        };
        let Some(stream) = self.microphone.borrow().clone() else {
            return;
        };
        let configuration = RtcConfiguration::new();
        let _ = js_sys::Reflect::set(&configuration, &"iceServers".into(), &servers);
        let Ok(peer) = RtcPeerConnection::new_with_configuration(&configuration) else {
            return self.fail();
        };
        for track in stream.get_audio_tracks().iter() {
            peer.add_track_0(&track.unchecked_into::<MediaStreamTrack>(), &stream);
        }
        self.listen(&peer);
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"__tsunaguPeer".into(), &peer);
        }
        *self.peer.borrow_mut() = Some(peer);
        let early = std::mem::take(&mut *self.early.borrow_mut());
        for signal in early {
            self.receive(signal);
        }
    }

    fn listen(self: &Rc<Self>, peer: &RtcPeerConnection) {
        let line = Rc::downgrade(self);
        let on_candidate = Handler::new(move |event: JsValue| {
            let Some(line) = line.upgrade() else {
                return;
            };
            let event: RtcPeerConnectionIceEvent = event.unchecked_into();
            // `null` or an empty candidate marks the end of gathering; nothing to relay.
            let Some(candidate) = event.candidate().filter(|c| !c.candidate().is_empty()) else {
                return;
            };
            (line.send)(ClientMessage::Signal {
                conversation: line.conversation.clone(),
                signal: Signal::Candidate {
                    candidate: candidate.candidate(),
                    sdp_mid: candidate.sdp_mid(),
                    sdp_m_line_index: candidate.sdp_m_line_index(),
                },
            });
        });
        peer.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        let line = Rc::downgrade(self);
        let on_track = Handler::new(move |event: JsValue| {
            if let Some(line) = line.upgrade() {
                line.play(&event.unchecked_into::<RtcTrackEvent>());
            }
        });
        peer.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        self.handlers.borrow_mut().extend([on_candidate, on_track]);
    }

    /// Plays the customer's audio in an `<audio>` element of the widget page.
    fn play(&self, event: &RtcTrackEvent) {
        let stream = event
            .streams()
            .get(0)
            .dyn_into::<MediaStream>()
            .ok()
            .or_else(|| {
                let tracks = js_sys::Array::of1(&event.track());
                MediaStream::new_with_tracks(&tracks).ok()
            });
        let Some(stream) = stream else {
            return;
        };
        let mut slot = self.audio.borrow_mut();
        if slot.is_none() {
            let audio = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                let audio = d.create_element("audio").ok()?;
                audio.set_attribute("data-testid", "webcall-audio").ok()?;
                d.body()?.append_child(&audio).ok()?;
                audio.dyn_into::<HtmlAudioElement>().ok()
            });
            *slot = audio;
        }
        if let Some(audio) = slot.as_ref() {
            audio.set_autoplay(true);
            audio.set_src_object(Some(&stream));
            if let Ok(playing) = audio.play() {
                // A refused autoplay is not fatal: the agent's click started the call.
                api::settle(&playing, |_| {});
            }
        }
    }

    fn receive(self: &Rc<Self>, signal: Signal) {
        if self.closed.get() {
            return;
        }
        let Some(peer) = self.peer.borrow().clone() else {
            self.early.borrow_mut().push(signal);
            return;
        };
        match signal {
            Signal::Offer { sdp } => self.answer(&peer, &sdp),
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_m_line_index,
            } => {
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(sdp_mid.as_deref());
                init.set_sdp_m_line_index(sdp_m_line_index);
                if self.described.get() {
                    add_candidate(&peer, &init);
                } else {
                    self.candidates.borrow_mut().push(init);
                }
            }
            // The customer's page makes the offer; this side only answers.
            Signal::Answer { .. } => {}
        }
    }

    /// Applies the customer's offer, then answers it.
    fn answer(self: &Rc<Self>, peer: &RtcPeerConnection, sdp: &str) {
        let offer = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        offer.set_sdp(sdp);
        let line = Rc::clone(self);
        let peer = peer.clone();
        api::settle(&peer.set_remote_description(&offer), move |applied| {
            if applied.is_err() || line.closed.get() {
                return line.fail();
            }
            line.described.set(true);
            for candidate in std::mem::take(&mut *line.candidates.borrow_mut()) {
                add_candidate(&peer, &candidate);
            }
            let answering = peer.create_answer();
            api::settle(&answering, move |answer| {
                let Ok(answer) = answer else {
                    return line.fail();
                };
                let answer: RtcSessionDescriptionInit = answer.unchecked_into();
                let setting = peer.set_local_description(&answer);
                api::settle(&setting, move |set| {
                    let sdp = peer.local_description().map(|d| d.sdp());
                    match (set, sdp) {
                        (Ok(_), Some(sdp)) if !line.closed.get() => {
                            (line.send)(ClientMessage::Signal {
                                conversation: line.conversation.clone(),
                                signal: Signal::Answer { sdp },
                            });
                        }
                        _ => line.fail(),
                    }
                });
            });
        });
    }

    fn shut(&self) {
        self.closed.set(true);
        if let Some(peer) = self.peer.borrow_mut().take() {
            peer.set_onicecandidate(None);
            peer.set_ontrack(None);
            peer.close();
        }
        if let Some(stream) = self.microphone.borrow_mut().take() {
            stop_tracks(&stream);
        }
        if let Some(audio) = self.audio.borrow_mut().take() {
            audio.set_src_object(None);
            audio.remove();
        }
        self.handlers.borrow_mut().clear();
    }
}

fn add_candidate(peer: &RtcPeerConnection, candidate: &RtcIceCandidateInit) {
    // A candidate the browser cannot use is skipped; the others still connect.
    let adding = peer.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(candidate));
    api::settle(&adding, |_| {});
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

/// `RTCConfiguration.iceServers` for `servers`: plain objects (`Reflect`), so the glue every agent
/// downloads needs no `RTCIceServer` bindings.
fn ice_servers_to_js(servers: &[IceServer]) -> JsValue {
    let set = |object: &JsValue, key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(object, &key.into(), value);
    };
    let list = js_sys::Array::new();
    for server in servers {
        let object: JsValue = js_sys::Object::new().into();
        let urls: JsValue = match &server.urls {
            IceUrls::One(url) => url.into(),
            IceUrls::Many(urls) => urls
                .iter()
                .map(JsValue::from)
                .collect::<js_sys::Array>()
                .into(),
        };
        set(&object, "urls", &urls);
        // Absent rather than `null`, which the browser would take as the text "null".
        if let Some(username) = &server.username {
            set(&object, "username", &username.into());
        }
        if let Some(credential) = &server.credential {
            set(&object, "credential", &credential.into());
        }
        list.push(&object);
    }
    list.into()
}
