//! Tests that the worker's replies read by hand accept and refuse what their former serde derives did.

use serde::Deserialize;

use super::{DialRefusal, Dialing, SessionReply, error_message, web_resume_reply};
use crate::voice::VoiceToken;

#[derive(Deserialize)]
struct DerivedSession {
    session: String,
    expires_at: u64,
    agent: String,
    name: String,
}

#[derive(Deserialize, Default)]
struct DerivedError {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct DerivedDialing {
    conversation: String,
    call_sid: String,
    to_display: String,
    #[serde(default)]
    customer: Option<DerivedCustomer>,
}

#[derive(Deserialize)]
struct DerivedCustomer {
    id: String,
    name: String,
}

#[derive(Deserialize, Default)]
struct DerivedRefusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct DerivedToken {
    token: String,
    edge: String,
    backend: String,
    #[serde(default)]
    client_url: Option<String>,
}

#[test]
fn session_replies_read_as_the_derive_read_them() {
    let cases = [
        r#"{"session":"v1.s","expires_at":1700000000000,"agent":"sato","name":"佐藤","extra":1}"#,
        r#"{"session":"v1.s","expires_at":1.5,"agent":"sato","name":"佐藤"}"#,
        r#"{"session":"v1.s","expires_at":-1,"agent":"sato","name":"佐藤"}"#,
        r#"{"session":"v1.s","agent":"sato","name":"佐藤"}"#,
        r#"{"session":null,"expires_at":1,"agent":"sato","name":"佐藤"}"#,
        r#"{"error":"bad_token","message":"the embed token expired"}"#,
        r#"{"message":null}"#,
        r#"{"message":5}"#,
        "{}",
        "[]",
        "<html>",
        "",
    ];
    for json in cases {
        let read = SessionReply::read(json).map(|r| (r.session, r.expires_at, r.agent, r.name));
        let derived = serde_json::from_str::<DerivedSession>(json)
            .ok()
            .map(|r| (r.session, r.expires_at, r.agent, r.name));
        assert_eq!(read, derived, "{json}");
        let derived = serde_json::from_str::<DerivedError>(json)
            .unwrap_or_default()
            .message;
        assert_eq!(error_message(json), derived, "{json}");
    }
}

#[test]
fn the_session_s_roles_say_phone_administration_and_the_call_log() {
    let flags = |roles: &str| {
        let json = format!(
            r#"{{"session":"v1.s","expires_at":1,"agent":"a","name":"A","roles":{roles}}}"#
        );
        SessionReply::read(&json).map(|r| (r.phone, r.admin, r.audit))
    };
    assert_eq!(flags(r#"["agent"]"#), Some((true, false, false)));
    assert_eq!(
        flags(r#"["agent","supervisor"]"#),
        Some((true, false, true))
    );
    assert_eq!(flags(r#"["supervisor"]"#), Some((false, false, true)));
    assert_eq!(flags(r#"["admin"]"#), Some((false, true, true)));
    assert_eq!(flags("null"), Some((false, false, false)));
}

#[test]
fn dial_replies_read_as_the_derive_read_them() {
    let cases = [
        r#"{"conversation":"CA1","call_sid":"CA2","to_display":"03-1234-5678"}"#,
        r#"{"conversation":"CA1","call_sid":"CA2","to_display":"03","customer":null}"#,
        r#"{"conversation":"CA1","call_sid":"CA2","to_display":"03","customer":{"id":"c1","name":"山田商事","x":0}}"#,
        r#"{"conversation":"CA1","call_sid":"CA2","to_display":"03","customer":{"id":"c1"}}"#,
        r#"{"conversation":"CA1","call_sid":"CA2","to_display":"03","customer":"c1"}"#,
        r#"{"conversation":"CA1","to_display":"03"}"#,
        r#"{"error":"agent_busy","message":"you are on a call"}"#,
        r#"{"error":"invalid_number"}"#,
        r#"{"error":409,"message":"x"}"#,
        r#"{"error":"agent_busy","message":null}"#,
        "{}",
        "[]",
        "not json",
    ];
    for json in cases {
        let read = Dialing::read(json).map(|d| {
            let customer = d.customer.map(|c| (c.id, c.name));
            (d.conversation, d.call_sid, d.to_display, customer)
        });
        let derived = serde_json::from_str::<DerivedDialing>(json).ok().map(|d| {
            let customer = d.customer.map(|c| (c.id, c.name));
            (d.conversation, d.call_sid, d.to_display, customer)
        });
        assert_eq!(read, derived, "{json}");
        let DialRefusal { error, message } = DialRefusal::read(json);
        let derived = serde_json::from_str::<DerivedRefusal>(json).unwrap_or_default();
        assert_eq!((error, message), (derived.error, derived.message), "{json}");
    }
}

#[test]
fn voice_tokens_read_as_the_derive_read_them() {
    let cases = [
        r#"{"token":"t","edge":"tokyo","backend":"twilio"}"#,
        r#"{"token":"t","edge":"tokyo","backend":"double","client_url":"ws://127.0.0.1:1/client"}"#,
        r#"{"token":"t","edge":"tokyo","backend":"double","client_url":null}"#,
        r#"{"token":"t","edge":"tokyo","backend":"double","client_url":3}"#,
        r#"{"token":"t","backend":"twilio"}"#,
        r#"{"token":1,"edge":"tokyo","backend":"twilio"}"#,
        "{}",
        "",
    ];
    for json in cases {
        let read = VoiceToken::read(json).map(|t| (t.token, t.edge, t.backend, t.client_url));
        let derived = serde_json::from_str::<DerivedToken>(json)
            .ok()
            .map(|t| (t.token, t.edge, t.backend, t.client_url));
        assert_eq!(read, derived, "{json}");
    }
}

#[test]
fn a_resumed_web_call_is_taken_back_by_its_page_hung_up_by_the_phone_owner_left_by_other_tabs() {
    let conversation =
        tsunagu_core::InteractionId::new("WC01010101010101010101010101010101").expect("valid");
    let reply = |holds_line, owns_phone| {
        web_resume_reply(holds_line, owns_phone, conversation.clone()).map(|m| m.to_json())
    };
    let rejoin = r#"{"type":"rejoin","conversation":"WC01010101010101010101010101010101"}"#;
    assert_eq!(reply(true, true).as_deref(), Some(rejoin));
    assert_eq!(reply(true, false).as_deref(), Some(rejoin));
    assert_eq!(
        reply(false, true).as_deref(),
        Some(r#"{"type":"hang_up","conversation":"WC01010101010101010101010101010101"}"#)
    );
    assert_eq!(reply(false, false), None);
}
