//! The wire format written out, so that any change to it shows up in review.

use expect_test::expect;
use tsunagu_core::TenantId;

use crate::{ClientMessage, Localized, PROTOCOL_VERSION, PresenceSnapshot, ServerMessage};

#[test]
fn client_messages_on_the_wire() {
    expect![[r#"{"type":"hello","protocol":1}"#]].assert_eq(
        &ClientMessage::Hello {
            protocol: PROTOCOL_VERSION,
        }
        .to_json(),
    );
    expect![[r#"{"type":"ping"}"#]].assert_eq(&ClientMessage::Ping.to_json());
}

#[test]
fn presence_snapshot_on_the_wire() {
    let snapshot = ServerMessage::PresenceSnapshot(PresenceSnapshot {
        tenant: TenantId::new("demo").expect("valid"),
        tenant_name: Localized {
            ja: "デモ株式会社".into(),
            en: "Demo Corp.".into(),
        },
        connections: 2,
    });
    expect![[r#"{"type":"presence_snapshot","tenant":"demo","tenant_name":{"ja":"デモ株式会社","en":"Demo Corp."},"connections":2}"#]]
        .assert_eq(&snapshot.to_json());
}

#[test]
fn unknown_client_messages_are_errors_not_panics() {
    let parsed = serde_json::from_str::<ClientMessage>(r#"{"type":"format_disk"}"#);
    assert!(parsed.is_err());
    let parsed = serde_json::from_str::<ClientMessage>("not json");
    assert!(parsed.is_err());
}
