//! Properties of webhook signatures: order never matters, duplicates never matter, nothing panics.

use proptest::prelude::*;
use tsunagu_twilio::signature::{
    UrlVariant, compute, url_candidates, validate_form, validate_json,
};

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("[A-Za-z.]{1,8}", "\\PC{0,12}"), 0..12)
}

fn http_url() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("https"), Just("http")],
        "[a-z]{1,10}(\\.[a-z]{2,5}){1,2}",
        proptest::option::of(prop_oneof![Just(443_u16), Just(80), 1..u16::MAX]),
        "(/[A-Za-z0-9._~-]{0,10}){0,3}",
        proptest::option::of("[A-Za-z0-9=&_-]{0,20}"),
    )
        .prop_map(|(scheme, host, port, path, query)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{scheme}://{host}{port}{path}{query}")
        })
}

proptest! {
    #[test]
    fn parameter_order_never_changes_the_signature(
        url in http_url(),
        (original, shuffled) in pairs().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
    ) {
        prop_assert_eq!(compute("token", &url, &original), compute("token", &url, &shuffled));
    }

    #[test]
    fn repeating_a_pair_never_changes_the_signature(
        url in http_url(),
        pairs in pairs(),
        index in any::<proptest::sample::Index>(),
    ) {
        prop_assume!(!pairs.is_empty());
        let mut doubled = pairs.clone();
        doubled.push(index.get(&pairs).clone());
        prop_assert_eq!(compute("token", &url, &pairs), compute("token", &url, &doubled));
    }

    #[test]
    fn a_computed_signature_validates_exactly(
        url in http_url(),
        pairs in pairs(),
        token in "\\PC{1,40}",
    ) {
        let signature = compute(&token, &url, &pairs);
        let found = validate_form(&token, &url, &pairs, &signature).expect("validates");
        prop_assert_eq!(found.variant, UrlVariant::Exact);
        prop_assert_eq!(url_candidates(&url).first().cloned(), Some(url));
    }

    #[test]
    fn the_default_port_may_be_signed_or_seen_either_way(
        https in any::<bool>(),
        host in "[a-z]{1,10}\\.[a-z]{2,5}",
        rest in "(/[A-Za-z0-9._~-]{0,10}){0,3}(\\?[A-Za-z0-9=&_-]{0,20})?",
        pairs in pairs(),
    ) {
        let (scheme, port) = if https { ("https", 443) } else { ("http", 80) };
        let without = format!("{scheme}://{host}{rest}");
        let with = format!("{scheme}://{host}:{port}{rest}");
        let signed_without = compute("token", &without, &pairs);
        let signed_with = compute("token", &with, &pairs);
        prop_assert!(validate_form("token", &with, &pairs, &signed_without).is_ok());
        prop_assert!(validate_form("token", &without, &pairs, &signed_with).is_ok());
    }

    #[test]
    fn a_changed_value_is_refused(
        url in http_url(),
        pairs in pairs(),
        index in any::<proptest::sample::Index>(),
        extra in "[a-z]{1,3}",
    ) {
        prop_assume!(!pairs.is_empty());
        let signature = compute("token", &url, &pairs);
        let mut changed = pairs.clone();
        let i = index.index(changed.len());
        changed[i].1.push_str(&extra);
        prop_assume!(!pairs.contains(&changed[i]));
        prop_assert!(validate_form("token", &url, &changed, &signature).is_err());
    }

    #[test]
    fn validation_never_panics(
        token in "\\PC{0,20}",
        url in prop_oneof![any::<String>(), http_url()],
        pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        signature in prop_oneof![any::<String>(), "[A-Za-z0-9+/=]{0,40}"],
    ) {
        let _ = url_candidates(&url);
        let _ = compute(&token, &url, &pairs);
        let _ = validate_form(&token, &url, &pairs, &signature);
        let _ = validate_json(&token, &url, &body, &signature);
    }
}
