//! The session ledger: single-use embed tokens, revocation, expiry and the cap.

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::AgentId;

use super::NOW;
use crate::{LedgerError, Opening, SessionLedger};

fn agent(name: &str) -> AgentId {
    AgentId::new(name).expect("valid agent")
}

fn open(
    ledger: &mut SessionLedger,
    jti: &str,
    sid: &str,
    who: &str,
    now: u64,
) -> Result<(), LedgerError> {
    let who = agent(who);
    ledger.open_session(
        &Opening {
            embed_token_id: jti,
            embed_expires_at: now + 300,
            session_id: sid,
            agent: &who,
            session_expires_at: now + 8 * 3600,
        },
        now,
    )
}

#[test]
fn an_embed_token_opens_one_session_only() {
    let mut ledger = SessionLedger::new(100);
    let first = open(&mut ledger, "jti-1", "s1", "sato", NOW);
    let replay = open(&mut ledger, "jti-1", "s2", "sato", NOW + 10);
    let after_expiry = open(&mut ledger, "jti-1", "s3", "sato", NOW + 300);
    expect![[r#"
        first: Ok(())
        replay: Err(Replayed)
        after expiry: Ok(())
        valid: s1=true s2=false s3=true"#]]
    .assert_eq(&format!(
        "first: {first:?}\nreplay: {replay:?}\nafter expiry: {after_expiry:?}\nvalid: s1={} s2={} s3={}",
        ledger.is_valid("s1", NOW + 300),
        ledger.is_valid("s2", NOW + 300),
        ledger.is_valid("s3", NOW + 300),
    ));
}

#[test]
fn revocation_removes_sessions_and_says_which() {
    let mut ledger = SessionLedger::new(100);
    for (jti, sid, who) in [("a", "s1", "sato"), ("b", "s2", "sato"), ("c", "s3", "ito")] {
        open(&mut ledger, jti, sid, who, NOW).expect("opens");
    }
    let _ = ledger.take_delta();
    let signed_out = ledger.revoke_session("s1");
    let again = ledger.revoke_session("s1");
    let delta_after_sign_out = ledger.take_delta();
    let of_sato = ledger.revoke_agent(&agent("sato"));
    let all = ledger.revoke_all();
    expect![[r#"
        sign-out: true, again: false
        delta: LedgerDelta { puts: [], deletes: ["ledger/sid/s1"] }
        sato: ["s2"]
        all: ["s3"]
        left: 3 entries, none valid: true"#]]
    .assert_eq(&format!(
        "sign-out: {signed_out}, again: {again}\ndelta: {delta_after_sign_out:?}\nsato: {of_sato:?}\nall: {all:?}\nleft: {} entries, none valid: {}",
        ledger.len(),
        ["s1", "s2", "s3"].iter().all(|sid| !ledger.is_valid(sid, NOW)),
    ));
}

#[test]
fn expiry_forgets_entries_and_names_the_expired_sessions() {
    let mut ledger = SessionLedger::new(100);
    open(&mut ledger, "a", "s1", "sato", NOW).expect("opens");
    open(&mut ledger, "b", "s2", "ito", NOW + 60).expect("opens");
    let first_timeout = ledger.poll_timeout();
    let at_embed_expiry = ledger.expire(NOW + 300);
    let expired = ledger.expire(NOW + 8 * 3600);
    let _ = ledger.take_delta();
    let restored = SessionLedger::restore(
        [(
            "ledger/sid/s2".to_owned(),
            r#"{"agent":"ito","expires_at":1700028860}"#.to_owned(),
        )],
        100,
    );
    expect![[r#"
        first timeout: Some(1700000300)
        at the embed token's expiry: [] (entries: 3)
        at the first session's expiry: ["s1"] (entries: 1)
        restored equals: true"#]]
    .assert_eq(&format!(
        "first timeout: {first_timeout:?}\nat the embed token's expiry: {at_embed_expiry:?} (entries: 3)\nat the first session's expiry: {expired:?} (entries: {})\nrestored equals: {}",
        ledger.len(),
        restored.as_ref() == Ok(&ledger),
    ));
}

#[test]
fn a_full_ledger_refuses_new_sessions_until_entries_expire() {
    let mut ledger = SessionLedger::new(4);
    open(&mut ledger, "a", "s1", "sato", NOW).expect("opens");
    open(&mut ledger, "b", "s2", "sato", NOW).expect("opens");
    let full = open(&mut ledger, "c", "s3", "sato", NOW + 1);
    let later = open(&mut ledger, "c", "s3", "sato", NOW + 300);
    expect!["full: Err(Full), once the embed tokens expired: Ok(())"].assert_eq(&format!(
        "full: {full:?}, once the embed tokens expired: {later:?}"
    ));
    let broken = SessionLedger::restore([("ledger/jti/x".to_owned(), "soon".to_owned())], 4);
    expect!["Err(CorruptEntry)"].assert_eq(&format!("{broken:?}"));
}

#[derive(Debug, Clone)]
enum Step {
    Open { jti: u8, sid: u8, agent: u8 },
    RevokeSession(u8),
    RevokeAgent(u8),
    RevokeAll,
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..6_u8, 0..12_u8, 0..3_u8).prop_map(|(jti, sid, agent)| Step::Open { jti, sid, agent }),
        1 => (0..12_u8).prop_map(Step::RevokeSession),
        1 => (0..3_u8).prop_map(Step::RevokeAgent),
        1 => Just(Step::RevokeAll),
        2 => (0..40_000_u64).prop_map(Step::Wait),
    ]
}

proptest! {
    /// A jti is accepted at most once before its expiry; pruning never forgets an unexpired jti;
    /// a revoked session is never valid again (the worker never reuses a session id); what is
    /// stored always restores to the same ledger.
    #[test]
    fn the_ledger_keeps_its_promises(steps in proptest::collection::vec(step(), 1..60)) {
        let mut ledger = SessionLedger::new(16);
        let mut now = NOW;
        let mut accepted: Vec<(String, u64)> = Vec::new();
        let mut revoked: Vec<String> = Vec::new();
        let mut opened: Vec<String> = Vec::new();
        let mut stored: std::collections::BTreeMap<String, String> = Default::default();
        for (round, step) in steps.into_iter().enumerate() {
            match step {
                Step::Open { jti, sid, agent } => {
                    let jti = format!("j{jti}");
                    // Session ids are fresh each time, as the worker draws them at random.
                    let sid = format!("s{sid}-{round}");
                    let result = open(&mut ledger, &jti, &sid, &format!("a{agent}"), now);
                    let unexpired_use = accepted.iter().any(|(j, exp)| *j == jti && *exp > now);
                    if unexpired_use {
                        prop_assert_eq!(result, Err(LedgerError::Replayed));
                    }
                    if result.is_ok() {
                        accepted.push((jti, now + 300));
                        opened.push(sid);
                    }
                }
                Step::RevokeSession(sid) => {
                    if let Some(id) = opened.get(usize::from(sid)).cloned() {
                        ledger.revoke_session(&id);
                        revoked.push(id);
                    }
                }
                Step::RevokeAgent(agent) => revoked.extend(ledger.revoke_agent(&self::agent(&format!("a{agent}")))),
                Step::RevokeAll => revoked.extend(ledger.revoke_all()),
                Step::Wait(secs) => {
                    now += secs;
                    ledger.expire(now);
                }
            }
            for id in &revoked {
                prop_assert!(!ledger.is_valid(id, now));
            }
            prop_assert!(ledger.len() <= ledger.max_entries());
            let delta = ledger.take_delta();
            for key in delta.deletes {
                stored.remove(&key);
            }
            stored.extend(delta.puts);
            // The next deadline is the earliest expiry of anything stored (its index agrees).
            let earliest = stored.iter().filter_map(|(key, value)| match key.strip_prefix("ledger/jti/") {
                Some(_) => value.parse::<u64>().ok(),
                None => serde_json::from_str::<crate::LiveSession>(value).ok().map(|s| s.expires_at),
            }).min();
            prop_assert_eq!(ledger.poll_timeout(), earliest);
            let restored = SessionLedger::restore(stored.clone(), 16);
            prop_assert_eq!(restored.as_ref(), Ok(&ledger));
        }
    }
}
