//! Component tests in headless Chromium: each mounts a component over a `WidgetState` and reads the DOM.

use std::{
    cell::Cell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll},
    time::Duration,
};

use leptos::{mount::mount_to, prelude::*, tachys::view::Mountable};
use tsunagu_core::{AgentId, TeamId, Timestamp};
use tsunagu_protocol::{AgentPresence, AwayReason, NOTES_MAX_CHARS, PresenceStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

use super::{
    App, call::CallPanel, dial::DialForm, presence::PresenceControl, roster::Roster,
    transfer::TransferPanel, wrap_up::WrapUpPanel,
};
use crate::{
    i18n::Lang,
    state::{CallView, Me, Phase, VoiceState, WidgetState},
};

wasm_bindgen_test_configure!(run_in_browser);

mod admin;
mod offer;
mod pushed;

/// A component mounted into its own `<div>` in the test page; dropping it unmounts and removes both.
struct Mounted<M: Mountable> {
    root: HtmlElement,
    _handle: UnmountHandle<M>,
}

impl<M: Mountable> Drop for Mounted<M> {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl<M: Mountable> Mounted<M> {
    /// The element with `data-testid`, if the component rendered it.
    fn find(&self, testid: &str) -> Option<Element> {
        self.root
            .query_selector(&format!("[data-testid=\"{testid}\"]"))
            .ok()
            .flatten()
    }

    fn get(&self, testid: &str) -> Element {
        self.find(testid)
            .unwrap_or_else(|| panic!("nothing has data-testid={testid}"))
    }

    fn text(&self, testid: &str) -> String {
        self.get(testid).text_content().unwrap_or_default()
    }

    fn attribute(&self, testid: &str, name: &str) -> Option<String> {
        self.get(testid).get_attribute(name)
    }

    fn is_disabled(&self, testid: &str) -> bool {
        self.get(testid).has_attribute("disabled")
    }

    /// Every element matching a CSS selector, in document order.
    fn all(&self, selector: &str) -> Vec<Element> {
        let Ok(list) = self.root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.get(i))
            .filter_map(|node| node.dyn_into::<Element>().ok())
            .collect()
    }

    fn click(&self, testid: &str) {
        self.get(testid).unchecked_into::<HtmlElement>().click();
    }
}

/// Mounts `view` with `state` in context, as `App` provides it.
fn mount<F, N>(state: WidgetState, view: F) -> Mounted<N::State>
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    let root = document()
        .create_element("div")
        .expect("the test page can create elements")
        .unchecked_into::<HtmlElement>();
    document()
        .body()
        .expect("the test page has a body")
        .append_child(&root)
        .expect("the body takes children");
    let handle = mount_to(root.clone(), move || {
        provide_context(state);
        view()
    });
    Mounted {
        root,
        _handle: handle,
    }
}

/// Resolves on the browser's next macrotask, after every reactive effect queued so far has run.
struct NextMacrotask {
    fired: Rc<Cell<bool>>,
    armed: bool,
}

impl Future for NextMacrotask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.fired.get() {
            return Poll::Ready(());
        }
        if !self.armed {
            self.armed = true;
            let fired = Rc::clone(&self.fired);
            let waker = cx.waker().clone();
            set_timeout(
                move || {
                    fired.set(true);
                    waker.wake();
                },
                Duration::ZERO,
            );
        }
        Poll::Pending
    }
}

/// Lets Leptos apply the signal writes made so far to the DOM (its effects run on microtasks).
async fn settle() {
    NextMacrotask {
        fired: Rc::new(Cell::new(false)),
        armed: false,
    }
    .await;
}

fn agent(id: &str) -> AgentId {
    AgentId::new(id).expect("test agent ids are valid")
}

fn presence(id: &str, name: &str, status: PresenceStatus) -> AgentPresence {
    AgentPresence {
        agent: agent(id),
        name: name.to_owned(),
        status,
        since: Timestamp(0),
    }
}

fn signed_in(lang: Lang, me: &str, status: PresenceStatus) -> WidgetState {
    let state = WidgetState::new(lang);
    state.phase.set(Phase::Connected);
    state.me.set(Some(Me {
        agent: me.to_owned(),
        name: me.to_owned(),
    }));
    state.status.set(Some(status));
    state
}

fn call(started_ms: f64, held: bool, call_sid: Option<&str>) -> CallView {
    CallView {
        conversation: "conv-1".to_owned(),
        call_sid: call_sid.map(str::to_owned),
        caller: Some("+81312345678".to_owned()),
        customer: Some("山田 太郎".to_owned()),
        started_ms,
        held,
        web: false,
        direction: tsunagu_agent::Direction::Inbound,
    }
}

const LUNCH: PresenceStatus = PresenceStatus::Away {
    reason: AwayReason::Lunch,
};

#[wasm_bindgen_test]
async fn presence_shows_the_status_in_japanese_then_in_english() {
    let state = signed_in(Lang::Ja, "sato", LUNCH);
    let ui = mount(state, || view! { <PresenceControl /> });
    settle().await;
    assert_eq!(ui.text("presence-status"), "離席（昼食）");
    assert_eq!(
        ui.attribute("presence-status", "data-status").as_deref(),
        Some("away")
    );
    assert_eq!(ui.text("presence-available"), "受付可");
    assert_eq!(
        ui.attribute("presence-away", "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        ui.attribute("presence-available", "aria-pressed")
            .as_deref(),
        Some("false")
    );

    state.lang.set(Lang::En);
    settle().await;
    assert_eq!(ui.text("presence-status"), "Away (Lunch)");
    assert_eq!(ui.text("presence-available"), "Available");
    assert_eq!(ui.text("presence-offline"), "Offline");
}

#[wasm_bindgen_test]
async fn presence_buttons_are_locked_while_a_call_rings_or_is_open() {
    let state = signed_in(Lang::En, "sato", PresenceStatus::OnCall);
    let ui = mount(state, || view! { <PresenceControl /> });
    settle().await;
    assert_eq!(ui.text("presence-status"), "On a call");
    for button in [
        "presence-available",
        "presence-away",
        "presence-offline",
        "away-reason",
    ] {
        assert!(ui.is_disabled(button), "{button} is enabled on a call");
    }

    state.status.set(Some(PresenceStatus::Available));
    settle().await;
    for button in [
        "presence-available",
        "presence-away",
        "presence-offline",
        "away-reason",
    ] {
        assert!(
            !ui.is_disabled(button),
            "{button} is disabled while available"
        );
    }
}

#[wasm_bindgen_test]
async fn call_view_runs_a_timer_and_shows_hold() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::OnCall);
    // Half a second off the whole second, so a slow render cannot tip the clock over.
    state.call.set(Some(call(
        js_sys::Date::now() - 65_500.0,
        false,
        Some("CA0123"),
    )));
    let ui = mount(state, || view! { <CallPanel /> });
    settle().await;
    assert_eq!(ui.text("call-timer"), "1:05");
    assert_eq!(ui.attribute("call", "data-held").as_deref(), Some("false"));
    assert!(ui.find("call-held").is_none());
    assert_eq!(
        ui.attribute("call-hold", "aria-pressed").as_deref(),
        Some("false")
    );
    assert_eq!(ui.text("call-hold"), "保留");
    assert!(!ui.is_disabled("call-hold"));
    assert!(!ui.is_disabled("call-hang-up"));
    // Until the hub says the agent is on the call (Twilio's word that the line is connected),
    // hold would only be refused: the button waits for it.
    state.status.set(Some(PresenceStatus::Reserved));
    settle().await;
    assert!(ui.is_disabled("call-hold"));
    state.status.set(Some(PresenceStatus::OnCall));
    settle().await;
    assert!(!ui.is_disabled("call-hold"));

    // On hold the phone leg is gone, yet the agent must still be able to take the caller back.
    state
        .call
        .set(Some(call(js_sys::Date::now() - 3_725_500.0, true, None)));
    settle().await;
    assert_eq!(ui.text("call-timer"), "1:02:05");
    assert_eq!(ui.text("call-held"), "保留中：お客様は保留音を聞いています");
    assert_eq!(
        ui.attribute("call-hold", "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(ui.text("call-hold"), "保留解除");
    assert!(!ui.is_disabled("call-hold"));
    assert!(ui.is_disabled("call-hang-up"));
    assert!(ui.is_disabled("call-mute"));
}

#[wasm_bindgen_test]
async fn wrap_up_panel_appears_only_in_wrap_up() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::OnCall);
    let ui = mount(state, || view! { <WrapUpPanel /> });
    settle().await;
    assert!(ui.find("wrap-up").is_none(), "wrap-up shown on a call");

    state.status.set(Some(PresenceStatus::WrapUp));
    settle().await;
    assert!(ui.find("wrap-up").is_some(), "no wrap-up in wrap-up");
    let codes: Vec<String> = ui
        .all("[data-testid=wrap-up-disposition] option")
        .iter()
        .map(|option| option.get_attribute("value").unwrap_or_default())
        .collect();
    assert_eq!(
        codes,
        ["", "resolved", "follow_up", "escalated", "wrong_number"]
    );
    let labels: Vec<String> = ui
        .all("[data-testid=wrap-up-disposition] option")
        .iter()
        .map(|option| option.text_content().unwrap_or_default())
        .collect();
    assert_eq!(labels[1], "解決");
    assert_eq!(ui.get("wrap-up-notes").tag_name(), "TEXTAREA");
    assert_eq!(
        ui.attribute("wrap-up-notes", "maxlength"),
        Some(NOTES_MAX_CHARS.to_string())
    );
    assert_eq!(ui.text("end-wrap-up"), "後処理を終了");

    state.status.set(Some(PresenceStatus::Available));
    settle().await;
    assert!(ui.find("wrap-up").is_none(), "wrap-up outlived wrap-up");
}

#[wasm_bindgen_test]
async fn transfer_form_lists_only_available_colleagues() {
    let state = signed_in(Lang::En, "sato", PresenceStatus::OnCall);
    state.roster.set(vec![
        presence("sato", "Sato", PresenceStatus::Available),
        presence("suzuki", "Suzuki", PresenceStatus::Available),
        presence("tanaka", "Tanaka", LUNCH),
        presence("ito", "Ito", PresenceStatus::OnCall),
        presence("kato", "Kato", PresenceStatus::WrapUp),
        presence("abe", "Abe", PresenceStatus::Available),
    ]);
    state
        .teams
        .set(vec![TeamId::new("support").expect("valid team id")]);
    let ui = mount(state, || view! { <TransferPanel /> });
    settle().await;
    assert!(ui.find("transfer-form").is_none(), "the form starts open");

    ui.click("call-transfer");
    settle().await;
    assert_eq!(
        ui.attribute("call-transfer", "aria-expanded").as_deref(),
        Some("true")
    );
    let agents: Vec<String> = ui
        .all("[data-testid=transfer-agent]")
        .iter()
        .map(|button| button.get_attribute("data-agent").unwrap_or_default())
        .collect();
    assert_eq!(agents, ["suzuki", "abe"]);
    let teams: Vec<String> = ui
        .all("[data-testid=transfer-team]")
        .iter()
        .map(|button| button.get_attribute("data-team").unwrap_or_default())
        .collect();
    assert_eq!(teams, ["support"]);

    state.roster.update(|roster| {
        for entry in roster.iter_mut().filter(|e| e.agent.as_str() != "sato") {
            entry.status = PresenceStatus::OnCall;
        }
    });
    settle().await;
    assert!(ui.all("[data-testid=transfer-agent]").is_empty());
    assert!(
        ui.text("transfer-form").contains("Nobody is available"),
        "{}",
        ui.text("transfer-form")
    );
}

#[wasm_bindgen_test]
async fn dial_form_shows_only_while_free_with_the_line_ready() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::Available);
    state.voice.set(VoiceState::Connecting);
    let ui = mount(state, || view! { <DialForm /> });
    settle().await;
    assert!(
        ui.find("dial-form").is_none(),
        "dialling before the line is ready"
    );

    state.voice.set(VoiceState::Ready);
    settle().await;
    assert!(
        ui.find("dial-form").is_some(),
        "no dial form while available"
    );
    assert_eq!(ui.text("dial-go"), "発信");

    state.status.set(Some(LUNCH));
    settle().await;
    assert!(ui.find("dial-form").is_some(), "no dial form while away");

    for busy in [
        PresenceStatus::Reserved,
        PresenceStatus::OnCall,
        PresenceStatus::WrapUp,
        PresenceStatus::Offline,
    ] {
        state.status.set(Some(busy));
        settle().await;
        assert!(ui.find("dial-form").is_none(), "dial form while {busy:?}");
    }

    state.status.set(Some(PresenceStatus::Available));
    state
        .call
        .set(Some(call(js_sys::Date::now(), false, Some("CA0123"))));
    settle().await;
    assert!(ui.find("dial-form").is_none(), "dial form during a call");
}

#[wasm_bindgen_test]
async fn roster_puts_the_agent_first_then_colleagues_by_name() {
    let state = signed_in(Lang::Ja, "ueda", PresenceStatus::Available);
    let ui = mount(state, || view! { <Roster /> });
    settle().await;
    assert_eq!(ui.text("roster"), "まだ誰もいません");

    state.roster.set(vec![
        presence("chiba", "Chiba", PresenceStatus::OnCall),
        presence("ueda", "Ueda", PresenceStatus::Available),
        presence("abe", "Abe", LUNCH),
    ]);
    settle().await;
    let rows = ui.all("[data-testid=roster] li[data-agent]");
    let order: Vec<String> = rows
        .iter()
        .map(|row| row.get_attribute("data-agent").unwrap_or_default())
        .collect();
    assert_eq!(order, ["ueda", "abe", "chiba"]);
    let statuses: Vec<String> = rows
        .iter()
        .map(|row| row.get_attribute("data-status").unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["available", "away", "on_call"]);
    let first = rows[0].text_content().unwrap_or_default();
    assert_eq!(first, "Ueda（自分）受付可");
    assert_eq!(
        rows[1].text_content().unwrap_or_default(),
        "Abe離席（昼食）"
    );
}

#[wasm_bindgen_test]
async fn app_shows_the_agent_panels_only_once_signed_in() {
    let state = WidgetState::new(Lang::En);
    let ui = mount(state, move || view! { <App state=state /> });
    settle().await;
    assert_eq!(
        ui.attribute("connection-status", "data-state").as_deref(),
        Some("signed-out")
    );
    assert!(
        ui.find("presence-status").is_none(),
        "presence before sign-in"
    );
    assert!(ui.find("roster").is_none(), "roster before sign-in");

    state.me.set(Some(Me {
        agent: "sato".to_owned(),
        name: "Sato Hanako".to_owned(),
    }));
    state.status.set(Some(PresenceStatus::Available));
    state.phase.set(Phase::Connected);
    settle().await;
    assert_eq!(ui.text("connection-status"), "Signed in: Sato Hanako");
    assert_eq!(ui.text("presence-status"), "Available");
    assert!(ui.find("roster").is_some(), "no roster once signed in");

    ui.click("lang-toggle");
    settle().await;
    assert_eq!(ui.text("presence-status"), "受付可");
}
