//! Specs for the dial policy: the default's verdict on a table of numbers, the settings that open it, and its invariant.

use std::collections::BTreeSet;

use expect_test::{Expect, expect};
use proptest::prelude::*;

use crate::{DialPolicy, DialRefusal, PhoneKind, PhoneNumber, Region};

fn number(raw: &str) -> PhoneNumber {
    PhoneNumber::parse(raw, Region::Jp).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

/// One line per input: `input (kind) => ok`, or the refusal's code; an agent and a supervisor.
#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as verdicts(policy, inputs, expect![..]) without a `&`"
)]
fn verdicts(policy: &DialPolicy, inputs: &[&str], expect: Expect) {
    let width = inputs.iter().map(|raw| raw.len()).max().unwrap_or(0);
    let verdict = |number: &PhoneNumber, supervisor| match policy.check(number, supervisor) {
        Ok(()) => "ok".to_owned(),
        Err(refusal) => refusal.code().to_owned(),
    };
    let mut actual = String::new();
    for raw in inputs {
        let number = number(raw);
        actual.push_str(&format!(
            "{raw:width$} {:<20} agent: {:<29} supervisor: {}\n",
            number.kind().as_str(),
            verdict(&number, false),
            verdict(&number, true),
        ));
    }
    expect.assert_eq(&actual);
}

const TABLE: &[&str] = &[
    "03-5555-0101",
    "06-6555-0101",
    "090-5555-0103",
    "050-5555-0104",
    "0120-555-108",
    "0800-555-0108",
    "0990-123-456",
    "0570-555-108",
    "+44 909 876 5432",
    "+1 900 555 0199",
    "+44 20 7946 0107",
    "+1 415 555 0100",
    "+82 2-312-3456",
    "+881 6 3123 4567",
    "+870 773 111 632",
];

#[test]
fn the_default_dials_japanese_lines_only() {
    verdicts(
        &DialPolicy::default(),
        TABLE,
        expect![[r#"
            03-5555-0101     fixed_line           agent: ok                            supervisor: ok
            06-6555-0101     fixed_line           agent: ok                            supervisor: ok
            090-5555-0103    mobile               agent: ok                            supervisor: ok
            050-5555-0104    voip                 agent: ok                            supervisor: ok
            0120-555-108     toll_free            agent: ok                            supervisor: ok
            0800-555-0108    toll_free            agent: ok                            supervisor: ok
            0990-123-456     premium_rate         agent: premium_rate                  supervisor: premium_rate
            0570-555-108     shared_cost          agent: shared_cost                   supervisor: shared_cost
            +44 909 876 5432 premium_rate         agent: premium_rate                  supervisor: premium_rate
            +1 900 555 0199  premium_rate         agent: premium_rate                  supervisor: premium_rate
            +44 20 7946 0107 fixed_line           agent: international                 supervisor: international
            +1 415 555 0100  fixed_line_or_mobile agent: international                 supervisor: international
            +82 2-312-3456   fixed_line           agent: international                 supervisor: international
            +881 6 3123 4567 mobile               agent: satellite                     supervisor: satellite
            +870 773 111 632 mobile               agent: satellite                     supervisor: satellite
        "#]],
    );
}

#[test]
fn a_country_list_opens_those_countries_to_supervisors_but_never_premium_rate() {
    let policy = DialPolicy {
        allowed_countries: BTreeSet::from([1, 44]),
        ..DialPolicy::default()
    };
    verdicts(
        &policy,
        TABLE,
        expect![[r#"
        03-5555-0101     fixed_line           agent: ok                            supervisor: ok
        06-6555-0101     fixed_line           agent: ok                            supervisor: ok
        090-5555-0103    mobile               agent: ok                            supervisor: ok
        050-5555-0104    voip                 agent: ok                            supervisor: ok
        0120-555-108     toll_free            agent: ok                            supervisor: ok
        0800-555-0108    toll_free            agent: ok                            supervisor: ok
        0990-123-456     premium_rate         agent: premium_rate                  supervisor: premium_rate
        0570-555-108     shared_cost          agent: shared_cost                   supervisor: shared_cost
        +44 909 876 5432 premium_rate         agent: premium_rate                  supervisor: premium_rate
        +1 900 555 0199  premium_rate         agent: premium_rate                  supervisor: premium_rate
        +44 20 7946 0107 fixed_line           agent: international_supervisors_only supervisor: ok
        +1 415 555 0100  fixed_line_or_mobile agent: international_supervisors_only supervisor: ok
        +82 2-312-3456   fixed_line           agent: international                 supervisor: international
        +881 6 3123 4567 mobile               agent: satellite                     supervisor: satellite
        +870 773 111 632 mobile               agent: satellite                     supervisor: satellite
    "#]],
    );
}

#[test]
fn a_country_list_for_everyone_and_an_allow_list_for_single_numbers() {
    let policy = DialPolicy {
        allowed_countries: BTreeSet::from([44]),
        countries_for_supervisors_only: false,
        allowed_numbers: BTreeSet::from([number("0570-555-108"), number("+881 6 3123 4567")]),
        ..DialPolicy::default()
    };
    verdicts(
        &policy,
        TABLE,
        expect![[r#"
        03-5555-0101     fixed_line           agent: ok                            supervisor: ok
        06-6555-0101     fixed_line           agent: ok                            supervisor: ok
        090-5555-0103    mobile               agent: ok                            supervisor: ok
        050-5555-0104    voip                 agent: ok                            supervisor: ok
        0120-555-108     toll_free            agent: ok                            supervisor: ok
        0800-555-0108    toll_free            agent: ok                            supervisor: ok
        0990-123-456     premium_rate         agent: premium_rate                  supervisor: premium_rate
        0570-555-108     shared_cost          agent: ok                            supervisor: ok
        +44 909 876 5432 premium_rate         agent: premium_rate                  supervisor: premium_rate
        +1 900 555 0199  premium_rate         agent: premium_rate                  supervisor: premium_rate
        +44 20 7946 0107 fixed_line           agent: ok                            supervisor: ok
        +1 415 555 0100  fixed_line_or_mobile agent: international                 supervisor: international
        +82 2-312-3456   fixed_line           agent: international                 supervisor: international
        +881 6 3123 4567 mobile               agent: ok                            supervisor: ok
        +870 773 111 632 mobile               agent: satellite                     supervisor: satellite
    "#]],
    );
}

#[test]
fn shared_cost_opens_as_a_kind() {
    let mut policy = DialPolicy::default();
    policy.allowed_kinds.insert(PhoneKind::SharedCost);
    assert_eq!(policy.check(&number("0570-555-108"), false), Ok(()));
    assert_eq!(
        policy.check(&number("0990-123-456"), false),
        Err(DialRefusal::PremiumRate)
    );
}

#[test]
fn a_stored_policy_reads_with_defaults_for_what_it_leaves_out() {
    let policy: DialPolicy =
        serde_json::from_str(r#"{"allowed_countries": [44], "allowed_numbers": ["+81570555108"]}"#)
            .expect("a stored policy reads");
    assert_eq!(policy.allowed_countries, BTreeSet::from([44]));
    assert!(policy.countries_for_supervisors_only);
    assert_eq!(policy.max_calls_per_agent, 10);
    assert_eq!(policy.allowed_kinds, DialPolicy::default().allowed_kinds);
    let empty: DialPolicy = serde_json::from_str("{}").expect("an empty policy reads");
    assert_eq!(empty, DialPolicy::default());
    // An allow-list entry that is not an E.164 number is refused, not ignored.
    assert!(
        serde_json::from_str::<DialPolicy>(r#"{"allowed_numbers": ["0990-123-456"]}"#).is_err()
    );
}

#[test]
fn refusal_codes_are_their_serde_names() {
    for refusal in [
        DialRefusal::PremiumRate,
        DialRefusal::SharedCost,
        DialRefusal::Satellite,
        DialRefusal::International,
        DialRefusal::InternationalSupervisorsOnly,
        DialRefusal::KindNotAllowed,
        DialRefusal::AgentRateLimit,
        DialRefusal::TenantOutboundLimit,
    ] {
        assert_eq!(
            serde_json::to_value(refusal).expect("a refusal serialises"),
            serde_json::Value::from(refusal.code())
        );
    }
}

/// Numbers aimed at what the default must refuse: premium-rate and shared-cost prefixes, other
/// countries (satellites included), and random Japanese digits.
fn dangerous_or_random() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "0990", "0570", "0180", "0120", "050", "090", "03", "0", "+1 900 ", "+1 ", "+44 9", "+44 ",
        "+82 ", "+86 ", "+881 ", "+882 ", "+870 ", "+979 ", "+39 ", "010 44 ",
    ]);
    (prefix, proptest::collection::vec(0u8..10, 5..11)).prop_map(|(prefix, digits)| {
        let rest: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{prefix}{rest}")
    })
}

proptest! {
    #[test]
    fn the_default_never_passes_premium_shared_cost_or_international(
        raw in dangerous_or_random(),
        supervisor in any::<bool>(),
    ) {
        if let Ok(number) = PhoneNumber::parse(&raw, Region::Jp) {
            let dangerous = matches!(number.kind(), PhoneKind::PremiumRate | PhoneKind::SharedCost)
                || number.country_code() != Region::Jp.calling_code();
            if dangerous {
                prop_assert!(DialPolicy::default().check(&number, supervisor).is_err());
            }
        }
    }

    #[test]
    fn with_countries_open_premium_and_shared_cost_still_never_pass(
        raw in dangerous_or_random(),
        supervisor in any::<bool>(),
    ) {
        let policy = DialPolicy {
            allowed_countries: BTreeSet::from([1, 44, 82, 86, 39, 881, 882, 870, 979]),
            countries_for_supervisors_only: false,
            ..DialPolicy::default()
        };
        if let Ok(number) = PhoneNumber::parse(&raw, Region::Jp)
            && matches!(number.kind(), PhoneKind::PremiumRate | PhoneKind::SharedCost)
        {
            prop_assert!(policy.check(&number, supervisor).is_err());
        }
    }
}

/// The widget translates refusal codes without linking this crate (the numbering metadata is too
/// big for its download), so it keeps its own copy of the codes: every code here must be one the
/// widget's copy names, or a new refusal would reach agents as an unnamed error.
#[test]
fn the_widget_knows_every_refusal_code() {
    const WIDGET: &str = include_str!("../../../web/src/dial_policy.rs");
    let all = [
        DialRefusal::PremiumRate,
        DialRefusal::SharedCost,
        DialRefusal::Satellite,
        DialRefusal::International,
        DialRefusal::InternationalSupervisorsOnly,
        DialRefusal::KindNotAllowed,
        DialRefusal::AgentRateLimit,
        DialRefusal::TenantOutboundLimit,
    ];
    // Exhaustive on purpose: a new variant fails to compile here until it is listed above.
    for refusal in all {
        match refusal {
            DialRefusal::PremiumRate
            | DialRefusal::SharedCost
            | DialRefusal::Satellite
            | DialRefusal::International
            | DialRefusal::InternationalSupervisorsOnly
            | DialRefusal::KindNotAllowed
            | DialRefusal::AgentRateLimit
            | DialRefusal::TenantOutboundLimit => {}
        }
        let quoted = format!("\"{}\"", refusal.code());
        // (`kind_not_allowed` is read by the widget's fallback arm, so one mention is enough.)
        assert!(
            WIDGET.contains(&quoted),
            "web/src/dial_policy.rs does not name {quoted}"
        );
    }
}
