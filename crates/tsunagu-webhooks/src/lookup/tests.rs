//! The lookup's wire: the request the CRM receives, the answers it may give, and the cache.

use expect_test::expect;
use proptest::prelude::*;

use super::*;
use crate::signature;

fn read(status: u16, body: &str) -> String {
    format!("{:?}", read_reply(status, body.as_bytes()))
}

#[test]
fn the_request_and_its_signature() {
    let request = LookupRequest::new("demo", "+819055550103", Some("+815012345678"), "CA01");
    let body = request.body();
    expect![[r#"{"type":"caller.lookup","tenant":"demo","caller":"+819055550103","called":"+815012345678","call_sid":"CA01"}"#]]
        .assert_eq(&body);
    let header = signature::signature_header(b"lookup-secret", 1_765_000_000, body.as_bytes());
    assert_eq!(
        signature::verify(
            b"lookup-secret",
            &header,
            body.as_bytes(),
            1_765_000_000,
            300
        ),
        Ok(())
    );
    let withheld = LookupRequest::new("demo", "+819055550103", None, "CA01").body();
    assert!(withheld.contains(r#""called":null"#), "{withheld}");
}

#[test]
fn answers() {
    // Fields the reader does not know (a CRM's own extras) are ignored.
    expect![[r#"Ok(Some(CrmCaller { id: "k-9", name: "小林 誠", company: "小林工業", owner: Some(AgentId("suzuki")), attributes: {} }))"#]]
        .assert_eq(&read(200, r#"{"customer": {"id": "k-9", "name": " 小林 誠 ", "company": "小林工業", "owner": "suzuki", "rank": "A"}}"#));
    expect![[r#"Ok(Some(CrmCaller { id: "k-9", name: "小林 誠", company: "", owner: None, attributes: {} }))"#]]
        .assert_eq(&read(
            200,
            r#"{"customer": {"id": "k-9", "name": "小林 誠", "company": null, "owner": ""}}"#,
        ));
    expect![[r#"Ok(Some(CrmCaller { id: "k-9", name: "小林 誠", company: "", owner: None, attributes: {"plan": "gold", "区分": "法人"} }))"#]].assert_eq(&read(
        200,
        r#"{"customer": {"id": "k-9", "name": "小林 誠", "attributes": {" plan ": "gold", "区分": "法人"}}}"#,
    ));
    expect![[r#"Ok(Some(CrmCaller { id: "k-9", name: "小林 誠", company: "", owner: None, attributes: {} }))"#]].assert_eq(&read(
        200,
        r#"{"customer": {"id": "k-9", "name": "小林 誠", "attributes": null}}"#,
    ));
    for bad in [
        r#"["plan"]"#,
        r#"{"plan": 1}"#,
        r#"{"plan": ""}"#,
        r#"{"plan": "a\nb"}"#,
        r#"{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "x"}"#,
    ] {
        let body = format!(r#"{{"customer": {{"id": "1", "name": "a", "attributes": {bad}}}}}"#);
        expect![[r#"Err(BadField("attributes"))"#]].assert_eq(&read(200, &body));
    }
    expect!["Ok(None)"].assert_eq(&read(200, r#"{"customer": null}"#));
    expect!["Ok(None)"].assert_eq(&read(404, "not found"));
    expect!["Err(Status(500))"].assert_eq(&read(500, r#"{"customer": null}"#));
    expect!["Err(Status(302))"].assert_eq(&read(302, ""));
    expect!["Err(NotJson)"].assert_eq(&read(200, "<html>"));
    expect!["Err(NotJson)"].assert_eq(&read(200, r#"{"customers": []}"#));
    expect!["Err(NotJson)"].assert_eq(&read(200, r#"{"customer": "c001"}"#));
    expect![[r#"Err(BadField("id"))"#]].assert_eq(&read(200, r#"{"customer": {"name": "x"}}"#));
    expect![[r#"Err(BadField("name"))"#]]
        .assert_eq(&read(200, r#"{"customer": {"id": "1", "name": "  "}}"#));
    expect![[r#"Err(BadField("name"))"#]]
        .assert_eq(&read(200, r#"{"customer": {"id": "1", "name": "a\nb"}}"#));
    expect![[r#"Err(BadField("owner"))"#]].assert_eq(&read(
        200,
        r#"{"customer": {"id": "1", "name": "a", "owner": "佐藤"}}"#,
    ));
    expect![[r#"Err(BadField("company"))"#]].assert_eq(&read(
        200,
        r#"{"customer": {"id": "1", "name": "a", "company": 7}}"#,
    ));
    let long = format!(
        r#"{{"customer": {{"id": "1", "name": "{}"}}}}"#,
        "名".repeat(101)
    );
    expect![[r#"Err(BadField("name"))"#]].assert_eq(&read(200, &long));
    let huge = format!(
        r#"{{"customer": null, "pad": "{}"}}"#,
        "x".repeat(REPLY_MAX_BYTES)
    );
    expect!["Err(TooLarge)"].assert_eq(&read(200, &huge));
}

#[test]
fn the_cache_keeps_answers_for_a_minute_and_the_newest_thousand() {
    let mut cache = LookupCache::default();
    let known = read_reply(200, br#"{"customer": {"id": "1", "name": "a"}}"#)
        .ok()
        .flatten();
    cache.put(1_000, "+81311110000", known.clone());
    cache.put(1_000, "+81322220000", None);
    assert_eq!(
        cache.get(1_000 + CACHE_TTL_MS - 1, "+81311110000"),
        Some(known)
    );
    assert_eq!(
        cache.get(1_000, "+81322220000"),
        Some(None),
        "a remembered 'not known'"
    );
    assert_eq!(
        cache.get(1_000 + CACHE_TTL_MS, "+81311110000"),
        None,
        "expired"
    );
    assert_eq!(
        cache.get(999, "+81311110000"),
        None,
        "from the future: not trusted"
    );
    assert_eq!(cache.get(1_000, "+81333330000"), None);
    for n in 0..CACHE_CAPACITY {
        cache.put(2_000, &format!("+8150{n:08}"), None);
    }
    assert_eq!(cache.len(), CACHE_CAPACITY);
    assert_eq!(
        cache.get(2_000, "+81322220000"),
        None,
        "the oldest went first"
    );
    cache.put(2_000, "+815000000000", None);
    assert_eq!(
        cache.len(),
        CACHE_CAPACITY,
        "storing a number again adds nothing"
    );
}

proptest! {
    /// Any bytes with any status: an answer or a typed error, never a panic, and what is read
    /// is bounded.
    #[test]
    fn reading_never_panics(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(Some(caller)) = read_reply(status, &body) {
            prop_assert!(caller.id.chars().count() <= 64 && !caller.id.is_empty());
            prop_assert!(caller.name.chars().count() <= 100);
        }
    }

    /// Arbitrary field values inside a well-formed answer.
    #[test]
    fn fields_are_bounded(id in ".{0,80}", name in ".{0,120}", owner in ".{0,20}") {
        let body = serde_json::json!({"customer": {"id": id, "name": name, "owner": owner}});
        if let Ok(Some(caller)) = read_reply(200, body.to_string().as_bytes()) {
            prop_assert!(!caller.name.chars().any(char::is_control));
            prop_assert!(!caller.id.chars().any(char::is_control));
        }
    }

    /// The cache never grows past its capacity and never answers with an expired entry.
    #[test]
    fn the_cache_is_bounded(ops in proptest::collection::vec((0u64..200_000, 0u16..1_500), 0..3_000)) {
        let mut cache = LookupCache::default();
        let mut now = 0;
        for (step, n) in ops {
            now += step % 1_000;
            let number = format!("+81{n}");
            cache.put(now, &number, None);
            prop_assert!(cache.len() <= CACHE_CAPACITY);
            prop_assert_eq!(cache.get(now + CACHE_TTL_MS, &number), None);
        }
    }
}
