//! Component tests of the header's 管理 / Admin and 通話履歴 / Conversations buttons and the views' place in the widget.

use leptos::prelude::*;
use tsunagu_protocol::PresenceStatus;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{mount, settle, signed_in};
use crate::{i18n::Lang, ui::App};

#[wasm_bindgen_test]
async fn admin_button_shows_for_admins_only_and_opens_the_views_in_place_of_the_idle_phone() {
    let state = signed_in(Lang::Ja, "watanabe", PresenceStatus::Available);
    let ui = mount(state, move || view! { <App state=state /> });
    settle().await;
    assert!(
        ui.find("admin-toggle").is_none(),
        "an agent has no 管理 button"
    );

    state.is_admin.set(true);
    settle().await;
    assert_eq!(ui.text("admin-toggle"), "管理");
    assert_eq!(
        ui.attribute("admin-toggle", "aria-pressed").as_deref(),
        Some("false")
    );
    assert!(ui.find("admin").is_none(), "closed until asked for");

    ui.click("admin-toggle");
    settle().await;
    settle().await;
    assert!(ui.find("admin").is_some(), "the views open");
    assert!(
        ui.find("presence-status").is_none(),
        "in place of the idle phone's controls"
    );
    assert!(ui.find("roster").is_none(), "in place of the roster");
    let tabs = ui.all("[data-testid=admin-tab]");
    let labels: Vec<String> = tabs
        .iter()
        .map(|t| t.text_content().unwrap_or_default())
        .collect();
    assert_eq!(
        labels,
        [
            "チーム・担当者",
            "顧客",
            "電話番号",
            "営業時間",
            "着信ルール",
            "キュー",
            "音声メニュー",
            "APIキー",
            "Webhook",
            "テナント設定"
        ]
    );
    // No session in a component test: the directory's first request fails and says so in Japanese.
    assert!(
        ui.text("form-problem")
            .contains("サーバーに接続できませんでした"),
        "{}",
        ui.text("form-problem")
    );

    ui.click("lang-toggle");
    settle().await;
    assert_eq!(ui.text("admin-toggle"), "Admin");
    assert!(
        ui.text("form-problem")
            .contains("Could not reach the server")
    );

    ui.click("admin-toggle");
    settle().await;
    assert!(ui.find("admin").is_none(), "closed again");
    assert!(
        ui.find("presence-status").is_some(),
        "the phone's controls are back"
    );

    // Signing out closes the views and hides the button.
    state.is_admin.set(false);
    settle().await;
    assert!(ui.find("admin-toggle").is_none());
}

#[wasm_bindgen_test]
async fn conversations_button_shows_for_audit_readers_and_switches_with_the_admin_views() {
    let state = signed_in(Lang::Ja, "takahashi", PresenceStatus::Available);
    let ui = mount(state, move || view! { <App state=state /> });
    settle().await;
    assert!(
        ui.find("conversations-toggle").is_none(),
        "an agent has no 通話履歴 button"
    );

    state.audit_reader.set(true);
    state.is_admin.set(true);
    settle().await;
    assert_eq!(ui.text("conversations-toggle"), "通話履歴");
    ui.click("conversations-toggle");
    settle().await;
    settle().await;
    assert!(ui.find("conversations").is_some(), "the view opens");
    assert!(
        ui.find("presence-status").is_none(),
        "in place of the idle phone's controls"
    );
    // No session in a component test: the first page cannot be asked for, and it says so.
    assert!(
        ui.text("conversations-problem").contains("サインイン"),
        "{}",
        ui.text("conversations-problem")
    );

    // 管理 replaces it, and 通話履歴 brings it back: one view at a time.
    ui.click("admin-toggle");
    settle().await;
    settle().await;
    assert!(ui.find("admin").is_some() && ui.find("conversations").is_none());
    assert_eq!(
        ui.attribute("conversations-toggle", "aria-pressed")
            .as_deref(),
        Some("false")
    );
    ui.click("conversations-toggle");
    settle().await;
    settle().await;
    assert!(ui.find("conversations").is_some() && ui.find("admin").is_none());

    ui.click("lang-toggle");
    settle().await;
    assert_eq!(ui.text("conversations-toggle"), "Conversations");
    ui.click("conversations-toggle");
    settle().await;
    assert!(ui.find("conversations").is_none(), "closed again");
    assert!(ui.find("presence-status").is_some());
}
