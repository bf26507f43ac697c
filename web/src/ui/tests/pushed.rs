//! Component tests of what a CRM backend pushes to the widget: the record card, and a click-to-call waiting with Call / Cancel and its customer.

use leptos::prelude::*;
use tsunagu_core::CustomerId;
use tsunagu_protocol::{PresenceStatus, PushedRecord};
use wasm_bindgen_test::wasm_bindgen_test;

use super::{mount, settle, signed_in};
use crate::{
    dial_policy::PendingDial,
    i18n::Lang,
    ui::{dial_confirm::DialConfirm, pushed_record::PushedRecordCard},
};

#[wasm_bindgen_test]
async fn a_pushed_record_shows_name_company_number_and_a_safe_link_in_both_languages() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::Available);
    let ui = mount(state, || view! { <PushedRecordCard /> });
    settle().await;
    assert!(ui.find("pushed-record").is_none(), "nothing until a push");

    state.pushed_record.set(Some(PushedRecord {
        customer: Some(CustomerId::new("c001").expect("valid")),
        title: "山田 太郎".into(),
        subtitle: Some("山田商事株式会社".into()),
        number: Some("03-5555-0101".into()),
        url: Some("https://crm.example.jp/customers/c001".into()),
    }));
    settle().await;
    assert_eq!(ui.text("pushed-record-title"), "山田 太郎");
    assert_eq!(ui.text("pushed-record-subtitle"), "山田商事株式会社");
    assert_eq!(ui.text("pushed-record-number"), "03-5555-0101");
    assert_eq!(ui.text("pushed-record-link"), "CRMで開く");
    assert_eq!(
        ui.attribute("pushed-record-link", "href").as_deref(),
        Some("https://crm.example.jp/customers/c001")
    );
    assert_eq!(
        ui.attribute("pushed-record-link", "target").as_deref(),
        Some("_blank")
    );
    assert_eq!(
        ui.attribute("pushed-record-link", "rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(ui.text("pushed-record-close"), "閉じる");

    state.lang.set(Lang::En);
    state.pushed_record.set(Some(PushedRecord {
        customer: None,
        title: "案件 #4411".into(),
        subtitle: None,
        number: None,
        url: None,
    }));
    settle().await;
    assert_eq!(ui.text("pushed-record-title"), "案件 #4411");
    assert!(ui.find("pushed-record-subtitle").is_none());
    assert!(
        ui.find("pushed-record-link").is_none(),
        "no link without one"
    );
    assert_eq!(ui.text("pushed-record-close"), "Close");

    state.pushed_record.set(None);
    settle().await;
    assert!(ui.find("pushed-record").is_none());
}

#[wasm_bindgen_test]
async fn a_crm_click_to_call_waits_with_the_number_as_people_read_it_and_the_customer() {
    let state = signed_in(Lang::Ja, "sato", PresenceStatus::Available);
    let ui = mount(state, || view! { <DialConfirm /> });
    state.pending_dial.set(Some(PendingDial {
        number: "+81355550101".into(),
        display: Some("03-5555-0101".into()),
        customer_id: Some("c001".into()),
        customer_name: Some("山田 太郎".into()),
    }));
    settle().await;
    assert_eq!(ui.text("dial-confirm-number"), "03-5555-0101");
    assert_eq!(ui.text("dial-confirm-customer"), "山田 太郎");
    assert_eq!(ui.text("dial-confirm-call"), "発信");
    assert_eq!(ui.text("dial-confirm-cancel"), "キャンセル");

    // `Tsunagu.dial()`: the number as the host gave it, no customer line.
    state.pending_dial.set(Some(PendingDial {
        number: "03-1234-5678".into(),
        display: None,
        customer_id: None,
        customer_name: None,
    }));
    settle().await;
    assert_eq!(ui.text("dial-confirm-number"), "03-1234-5678");
    assert!(ui.find("dial-confirm-customer").is_none());
}
