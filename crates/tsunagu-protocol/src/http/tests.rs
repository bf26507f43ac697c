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
    let version = WidgetVersionReply {
        version: "9bb4ee2596af".into(),
    };
    let written = serde_json::to_string(&version).expect("json");
    assert_eq!(WidgetVersionReply::read(&written), Some(version));
    let ice = IceServersReply {
        ice_servers: vec![
            IceServer {
                urls: IceUrls::One("stun:stun.example.net:3478".into()),
                username: None,
                credential: None,
            },
            IceServer {
                urls: IceUrls::Many(vec![
                    "turn:turn.example.net:3478".into(),
                    "turns:turn.example.net:5349".into(),
                ]),
                username: Some("1700000000:WC1".into()),
                credential: Some("c2VjcmV0".into()),
            },
        ],
    };
    let written = serde_json::to_string(&ice).expect("json");
    assert!(
        !written.contains("null"),
        "absent credentials are left out: {written}"
    );
    assert_eq!(IceServersReply::read(&written), Some(ice));
    assert_eq!(
        IceServersReply::read(r#"{"ice_servers":[]}"#),
        Some(IceServersReply {
            ice_servers: Vec::new()
        })
    );
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
    for json in ["{}", r#"{"version":null}"#, r#"{"version":1}"#] {
        assert_eq!(WidgetVersionReply::read(json), None, "{json}");
    }
    for json in [
        "{}",
        r#"{"ice_servers":null}"#,
        r#"{"ice_servers":[{}]}"#,
        r#"{"ice_servers":[{"urls":["stun:a",1]}]}"#,
        r#"{"ice_servers":[{"urls":"stun:a","username":1}]}"#,
    ] {
        assert_eq!(IceServersReply::read(json), None, "{json}");
    }
}

#[test]
fn what_the_worker_accepts_as_an_ice_server() {
    let server = |urls: IceUrls| IceServer {
        urls,
        username: None,
        credential: None,
    };
    assert!(server(IceUrls::One("stun:a:3478".into())).is_valid());
    assert!(server(IceUrls::Many(vec!["turn:a".into(), "turns:a".into()])).is_valid());
    assert!(!server(IceUrls::Many(Vec::new())).is_valid());
    assert!(!server(IceUrls::One("https://a".into())).is_valid());
    assert!(!server(IceUrls::Many(vec!["stun:a".into(), "http://a".into()])).is_valid());
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
        "version",
        "ice_servers",
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
        r#"[{"urls":"stun:a"}]"#,
        r#"[{"urls":["turn:a","turns:a"],"username":"u","credential":"c"}]"#,
        r#"[{"urls":"stun:a","username":null,"extra":1}]"#,
        r#"[{"urls":[]},{"urls":null}]"#,
        r#"[{"urls":[1]}]"#,
        r#"[{"urls":{"a":1}}]"#,
        r#"[{"credential":"c"}]"#,
        r#"[{"urls":"stun:a","credential":true}]"#,
        r#"["stun:a"]"#,
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
        prop_assert_eq!(WidgetVersionReply::read(&json), serde_json::from_str::<WidgetVersionReply>(&json).ok());
        prop_assert_eq!(IceServersReply::read(&json), serde_json::from_str::<IceServersReply>(&json).ok());
    }
}
