//! Each reply read by hand as the derive reads what serde writes, and what the widget refuses.

use proptest::prelude::*;

use super::*;

fn session() -> SessionReply {
    SessionReply {
        session: "v1.s".into(),
        expires_at: 1_700_000_000,
        tenant: "demo".into(),
        agent: "sato".into(),
        name: "佐藤".into(),
        team: Some("sales".into()),
        roles: vec!["agent".into(), "admin".into()],
        direct_dial_from_host: true,
    }
}

#[test]
fn what_the_worker_writes_the_widget_reads_back() {
    let written = serde_json::to_string(&session()).expect("json");
    assert_eq!(SessionReply::read(&written), Some(session()));
    assert!(session().has_role("admin") && !session().has_role("supervisor"));
    let token = VoiceTokenReply {
        token: "jwt".into(),
        identity: "demo_sato".into(),
        edge: "tokyo".into(),
        expires_at: 1,
        backend: "double".into(),
        client_url: Some("ws://127.0.0.1:1/_double/client".into()),
    };
    let written = serde_json::to_string(&token).expect("json");
    assert_eq!(VoiceTokenReply::read(&written), Some(token));
    let dial = DialReply {
        conversation: "CA1".into(),
        call_sid: "CA1".into(),
        to: "+81355550101".into(),
        to_display: "03-5555-0101".into(),
        customer: Some(DialledCustomer {
            id: "c001".into(),
            name: "山田".into(),
        }),
    };
    let written = serde_json::to_string(&dial).expect("json");
    assert_eq!(DialReply::read(&written), Some(dial));
    assert_eq!(
        ErrorReply::read(r#"{"error":"busy","message":"on a call","extra":1}"#),
        ErrorReply {
            error: "busy".into(),
            message: "on a call".into()
        }
    );
}

#[test]
fn what_the_widget_refuses() {
    for json in [
        "",
        "[]",
        r#"{"session":"v1.s","expires_at":1.5,"agent":"sato","name":"佐藤"}"#,
        r#"{"session":"v1.s","expires_at":-1,"agent":"sato","name":"佐藤"}"#,
        r#"{"session":null,"expires_at":1,"agent":"sato","name":"佐藤"}"#,
        r#"{"session":"v1.s","expires_at":1,"agent":"sato","name":"佐藤","roles":"admin"}"#,
    ] {
        assert_eq!(SessionReply::read(json), None, "{json}");
    }
    assert_eq!(ErrorReply::read("not json").error, "");
}

/// JSON objects made of the replies' own field names and values of every kind.
fn reply_json() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "session",
        "expires_at",
        "tenant",
        "agent",
        "name",
        "team",
        "roles",
        "direct_dial_from_host",
        "token",
        "identity",
        "edge",
        "backend",
        "client_url",
        "conversation",
        "call_sid",
        "to",
        "to_display",
        "customer",
        "id",
        "error",
        "message",
    ]);
    let value = prop::sample::select(vec![
        r#""a""#,
        "1",
        "1.5",
        "-1",
        "null",
        "true",
        r#"["agent","admin"]"#,
        r#"[1]"#,
        r#"{"id":"c1","name":"山田"}"#,
        r#"{"id":1}"#,
    ]);
    prop::collection::btree_map(key, value, 0..14).prop_map(|fields| {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|(key, value)| format!("\"{key}\":{value}"))
            .collect();
        format!("{{{}}}", fields.join(","))
    })
}

proptest! {
    #[test]
    fn the_readers_agree_with_the_derive(json in reply_json()) {
        prop_assert_eq!(SessionReply::read(&json), serde_json::from_str::<SessionReply>(&json).ok());
        prop_assert_eq!(VoiceTokenReply::read(&json), serde_json::from_str::<VoiceTokenReply>(&json).ok());
        prop_assert_eq!(DialReply::read(&json), serde_json::from_str::<DialReply>(&json).ok());
    }
}
