//! Component tests of the offer card: the screen pop, accepting only once the line rings, what it says when it knows little, and its going with the offer.

use leptos::prelude::*;
use tsunagu_core::{Channel, CustomerId, InteractionId, Timestamp};
use tsunagu_protocol::{CustomerCard, OfferId, PresenceStatus, RecentContact, ScreenPop};
use wasm_bindgen_test::wasm_bindgen_test;

use super::{agent, mount, presence, settle, signed_in};
use crate::{
    i18n::Lang,
    state::{OfferView, VoiceState},
    ui::offer::OfferCard,
};

#[wasm_bindgen_test]
async fn offer_card_shows_the_screen_pop_and_accepts_only_once_the_line_rings() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::Reserved);
    state.roster.set(vec![
        presence("sato", "佐藤 花子", PresenceStatus::Reserved),
        presence("suzuki", "鈴木 一郎", PresenceStatus::Available),
    ]);
    state.offer.set(Some(OfferView {
        offer: OfferId {
            interaction: InteractionId::new("int-42").expect("valid interaction id"),
            attempt: 1,
        },
        screen_pop: ScreenPop {
            caller_name: None,
            caller_number: Some("+81312345678".to_owned()),
            caller_display: Some("03-1234-5678".to_owned()),
            customer: Some(CustomerCard {
                id: CustomerId::new("cust-1").expect("valid customer id"),
                name: "山田 太郎".to_owned(),
                owner: Some(agent("sato")),
                team: None,
            }),
            recent: vec![
                RecentContact {
                    at: Timestamp(1_750_000_000_000),
                    channel: Channel::Voice,
                    agent: Some(agent("suzuki")),
                    summary: Some("請求書の再送".to_owned()),
                },
                RecentContact {
                    at: Timestamp(1_740_000_000_000),
                    channel: Channel::Email,
                    agent: None,
                    summary: None,
                },
            ],
            skills: vec![tsunagu_protocol::NeededSkill {
                skill: "billing".to_owned(),
                level: 2,
            }],
            ivr_path: Some(vec!["請求".to_owned(), "料金チーム".to_owned()]),
            callback: None,
        },
        call_sid: None,
        channel: tsunagu_core::Channel::Voice,
    }));
    let ui = mount(state, || view! { <OfferCard /> });
    settle().await;
    assert_eq!(
        ui.attribute("offer", "data-conversation").as_deref(),
        Some("int-42")
    );
    assert_eq!(
        ui.text("offer-caller"),
        "03-1234-5678",
        "the number as a Japanese agent reads it"
    );
    assert_eq!(ui.text("offer-customer"), "山田 太郎");
    // The owner reads as the roster's display name, not the agent id.
    assert_eq!(ui.text("offer-owner"), "担当: 佐藤 花子");
    assert_eq!(
        ui.text("offer-skills"),
        "必要なスキル: billing（レベル 2 以上）"
    );
    assert_eq!(
        ui.text("offer-ivr-path"),
        "IVR: 請求 → 料金チーム",
        "the menu's path in one line"
    );
    let recent = ui.all("[data-testid=offer-recent] li");
    assert_eq!(recent.len(), 2);
    let first = recent[0].text_content().unwrap_or_default();
    assert!(first.contains("電話"), "{first}");
    assert!(first.contains("鈴木 一郎"), "{first}");
    assert!(first.contains("請求書の再送"), "{first}");
    assert!(
        recent[1]
            .text_content()
            .unwrap_or_default()
            .contains("メール")
    );

    assert!(ui.is_disabled("offer-accept"));
    assert!(!ui.is_disabled("offer-reject"));
    assert_eq!(
        ui.text("offer-voice"),
        "電話回線からの呼び出しを待っています…"
    );

    state.offer.update(|offer| {
        if let Some(offer) = offer {
            offer.call_sid = Some("CA0123".to_owned());
        }
    });
    settle().await;
    assert!(!ui.is_disabled("offer-accept"));
    assert_eq!(ui.text("offer-voice"), "");
}

#[wasm_bindgen_test]
async fn offer_card_names_what_it_does_not_know_and_goes_when_the_offer_does() {
    let state = signed_in(Lang::En, "sato", PresenceStatus::Reserved);
    state.voice.set(VoiceState::OtherTab);
    let ui = mount(state, || view! { <OfferCard /> });
    settle().await;
    assert!(ui.find("offer").is_none(), "an offer card without an offer");

    state.offer.set(Some(OfferView {
        offer: OfferId {
            interaction: InteractionId::new("int-7").expect("valid interaction id"),
            attempt: 1,
        },
        screen_pop: ScreenPop {
            caller_name: None,
            caller_number: None,
            caller_display: None,
            customer: None,
            recent: Vec::new(),
            skills: Vec::new(),
            ivr_path: None,
            callback: None,
        },
        call_sid: None,
        channel: tsunagu_core::Channel::Voice,
    }));
    settle().await;
    assert_eq!(ui.text("offer-caller"), "Unknown number");
    assert_eq!(ui.text("offer-customer"), "No customer record");
    assert!(ui.find("offer-owner").is_none());
    assert!(
        ui.find("offer-skills").is_none(),
        "no line requirement, no line"
    );
    assert!(ui.find("offer-ivr-path").is_none(), "no menu, no path");
    assert_eq!(ui.text("offer-recent"), "No earlier contacts");
    assert!(ui.text("offer-voice").contains("another tab"));

    state.offer.set(None);
    settle().await;
    assert!(ui.find("offer").is_none(), "the card outlived its offer");
}
