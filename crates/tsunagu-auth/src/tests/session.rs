//! Session tokens: opened from embed claims, eight hours long, never confused with embed tokens.

use expect_test::expect;

use super::{NOW, SECRET, sample_claims};

const SID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
use crate::{
    SESSION_TTL_SECS, Session, mint_embed_token, mint_session, verify_embed_token, verify_session,
};

#[test]
fn a_session_opened_from_embed_claims_round_trips() {
    let session = Session::start(sample_claims(), SID.to_owned(), NOW + 5);
    let token = mint_session(&session, SECRET, NOW + 5).expect("valid session");
    expect![[r#"
        Ok(
            Session {
                tenant: TenantId(
                    "acme-jp",
                ),
                agent: AgentId(
                    "sato_k",
                ),
                name: "佐藤 健",
                team: Some(
                    TeamId(
                        "support",
                    ),
                ),
                roles: {
                    Supervisor,
                },
                id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                issued_at: 1700000005,
                expires_at: 1700028805,
            },
        )
    "#]]
    .assert_debug_eq(&verify_session(&token, SECRET, NOW + 5));
    assert_eq!(session.expires_at, NOW + 5 + SESSION_TTL_SECS);
    let last_second = session.expires_at - 1;
    assert_eq!(verify_session(&token, SECRET, last_second), Ok(session));
}

#[test]
fn sessions_expire_after_eight_hours() {
    let session = Session::start(sample_claims(), SID.to_owned(), NOW);
    let token = mint_session(&session, SECRET, NOW).expect("valid session");
    expect!["Err(Expired)"].assert_eq(&format!(
        "{:?}",
        verify_session(&token, SECRET, NOW + SESSION_TTL_SECS)
    ));
}

#[test]
fn embed_and_session_tokens_are_not_interchangeable() {
    let embed = mint_embed_token(&sample_claims(), SECRET).expect("valid claims");
    let session = mint_session(
        &Session::start(sample_claims(), SID.to_owned(), NOW),
        SECRET,
        NOW,
    )
    .expect("valid session");
    let actual = format!(
        "embed as session: {:?}\nsession as embed: {:?}",
        verify_session(&embed, SECRET, NOW),
        verify_embed_token(&session, SECRET, NOW),
    );
    expect![[r#"
        embed as session: Err(WrongAudience)
        session as embed: Err(WrongAudience)"#]]
    .assert_eq(&actual);
}

#[test]
fn minting_refuses_expired_or_overlong_sessions() {
    let mut session = Session::start(sample_claims(), SID.to_owned(), NOW);
    let on_time = format!("{:?}", mint_session(&session, SECRET, NOW).map(|_| "token"));
    let late = format!("{:?}", mint_session(&session, SECRET, session.expires_at));
    session.expires_at += 1;
    let overlong = format!("{:?}", mint_session(&session, SECRET, NOW));
    let weak = format!("{:?}", mint_session(&session, b"short", NOW + 1));
    expect![[r#"
        Ok("token")
        Err(Expired)
        Err(LifetimeTooLong)
        Err(WeakSecret)"#]]
    .assert_eq(&[on_time, late, overlong, weak].join("\n"));
}
