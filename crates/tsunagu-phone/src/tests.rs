//! Specs for phone number parsing: the formats agents type, the ones we refuse, and round trips.

use expect_test::{Expect, expect};
use proptest::prelude::*;

use crate::{PhoneError, PhoneNumber, Region};

fn describe(result: &Result<PhoneNumber, PhoneError>) -> String {
    match result {
        Ok(number) => format!(
            "{} | {} | {} | {}",
            number.as_e164(),
            number.national_display(),
            number.international_display(),
            number.kind()
        ),
        Err(error) => format!("error: {error}"),
    }
}

/// One line per input: `input => e164 | national | international | kind`, or the error.
#[track_caller]
#[allow(
    clippy::needless_pass_by_value,
    reason = "tests read best as check(input, expect![..]) without a `&`"
)]
fn check_table(region: Region, inputs: &[&str], expect: Expect) {
    let quoted: Vec<String> = inputs.iter().map(|raw| format!("{raw:?}")).collect();
    let width = quoted.iter().map(|q| q.chars().count()).max().unwrap_or(0);
    let mut actual = String::new();
    for (raw, quoted) in inputs.iter().zip(&quoted) {
        let pad = " ".repeat(width - quoted.chars().count());
        let result = PhoneNumber::parse(raw, region);
        actual.push_str(&format!("{quoted}{pad} => {}\n", describe(&result)));
    }
    expect.assert_eq(&actual);
}

#[test]
fn tokyo_fixed_line_in_every_format_agents_type() {
    check_table(
        Region::Jp,
        &[
            "03-5555-0101",
            "0355550101",
            "(03) 5555-0101",
            "03 5555 0101",
            "03.5555.0101",
            "  03-5555-0101  ",
            "+81 3 5555 0101",
            "+81-3-5555-0101",
            "+81 (0)3-5555-0101",
            "tel:+81-3-5555-0101",
            "010 81 3 5555 0101",
        ],
        expect![[r#"
            "03-5555-0101"        => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "0355550101"          => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "(03) 5555-0101"      => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "03 5555 0101"        => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "03.5555.0101"        => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "  03-5555-0101  "    => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "+81 3 5555 0101"     => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "+81-3-5555-0101"     => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "+81 (0)3-5555-0101"  => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "tel:+81-3-5555-0101" => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "010 81 3 5555 0101"  => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
        "#]],
    );
}

#[test]
fn full_width_digits_hyphens_and_parentheses_from_japanese_imes() {
    check_table(
        Region::Jp,
        &[
            "０３－５５５５－０１０１",
            "（０３）５５５５－０１０１",
            "＋８１　３　５５５５　０１０１",
            "03ー5555ー0101",
            "03‐5555‐0101",
            "03−5555−0101",
        ],
        expect![[r#"
            "０３－５５５５－０１０１"                         => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "（０３）５５５５－０１０１"                        => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "＋８１\u{3000}３\u{3000}５５５５\u{3000}０１０１" => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "03ー5555ー0101"                         => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "03‐5555‐0101"                         => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "03−5555−0101"                         => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
        "#]],
    );
}

#[test]
fn japanese_mobile_free_dial_and_ip_phone() {
    check_table(
        Region::Jp,
        &[
            "090-5555-0103",
            "080-5555-0103",
            "070-5555-0103",
            "+81-90-5555-0103",
            "0120-555-108",
            "0120555108",
            "0800-555-0108",
            "050-5555-0104",
            "06-6555-0101",
            "0570-555-108",
        ],
        expect![[r#"
            "090-5555-0103"    => +819055550103 | 090-5555-0103 | +81 90-5555-0103 | mobile
            "080-5555-0103"    => +818055550103 | 080-5555-0103 | +81 80-5555-0103 | mobile
            "070-5555-0103"    => +817055550103 | 070-5555-0103 | +81 70-5555-0103 | mobile
            "+81-90-5555-0103" => +819055550103 | 090-5555-0103 | +81 90-5555-0103 | mobile
            "0120-555-108"     => +81120555108 | 0120-555-108 | +81 120-555-108 | toll_free
            "0120555108"       => +81120555108 | 0120-555-108 | +81 120-555-108 | toll_free
            "0800-555-0108"    => +818005550108 | 0800-555-0108 | +81 800-555-0108 | toll_free
            "050-5555-0104"    => +815055550104 | 050-5555-0104 | +81 50-5555-0104 | voip
            "06-6555-0101"     => +81665550101 | 06-6555-0101 | +81 6-6555-0101 | fixed_line
            "0570-555-108"     => +81570555108 | 0570-555-108 | +81 570-555-108 | shared_cost
        "#]],
    );
}

#[test]
fn international_numbers_parse_from_a_japanese_default() {
    check_table(
        Region::Jp,
        &[
            "+44 20 7946 0107",
            "+1 415 555 0100",
            "+1 (415) 555-0100",
            "010 44 20 7946 0107",
            "+82 2-312-3456",
            "+44 (0)20 7946 0107",
            "+39 06 6988 4857",
            "010 39 06 6988 4857",
        ],
        expect![[r#"
            "+44 20 7946 0107"    => +442079460107 | 020 7946 0107 | +44 20 7946 0107 | fixed_line
            "+1 415 555 0100"     => +14155550100 | (415) 555-0100 | +1 415-555-0100 | fixed_line_or_mobile
            "+1 (415) 555-0100"   => +14155550100 | (415) 555-0100 | +1 415-555-0100 | fixed_line_or_mobile
            "010 44 20 7946 0107" => +442079460107 | 020 7946 0107 | +44 20 7946 0107 | fixed_line
            "+82 2-312-3456"      => +8223123456 | 02-312-3456 | +82 2-312-3456 | fixed_line
            "+44 (0)20 7946 0107" => +442079460107 | 020 7946 0107 | +44 20 7946 0107 | fixed_line
            "+39 06 6988 4857"    => +390669884857 | 06 6988 4857 | +39 06 6988 4857 | other
            "010 39 06 6988 4857" => +390669884857 | 06 6988 4857 | +39 06 6988 4857 | other
        "#]],
    );
}

#[test]
fn other_default_regions_read_their_own_national_formats() {
    check_table(
        Region::Us,
        &[
            "(415) 555-0100",
            "415-555-0100",
            "011 81 3 5555 0101",
            "+81 120 555 108",
            "03-5555-0101",
        ],
        expect![[r#"
            "(415) 555-0100"     => +14155550100 | (415) 555-0100 | +1 415-555-0100 | fixed_line_or_mobile
            "415-555-0100"       => +14155550100 | (415) 555-0100 | +1 415-555-0100 | fixed_line_or_mobile
            "011 81 3 5555 0101" => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
            "+81 120 555 108"    => +81120555108 | 0120-555-108 | +81 120-555-108 | toll_free
            "03-5555-0101"       => error: +10355550101 is not a number in use in the numbering plan of +1
        "#]],
    );
    check_table(
        Region::Gb,
        &["020 7946 0107", "00 81 3 5555 0101"],
        expect![[r#"
        "020 7946 0107"     => +442079460107 | 020 7946 0107 | +44 20 7946 0107 | fixed_line
        "00 81 3 5555 0101" => +81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line
    "#]],
    );
}

#[test]
fn twilio_client_and_sip_addresses_are_not_phone_numbers() {
    check_table(
        Region::Jp,
        &["client:agent", "CLIENT:sato_k", "sip:sato@example.jp"],
        expect![[r#"
            "client:agent"        => error: a Twilio client identity (`client:…`) is an agent's browser, not a phone number
            "CLIENT:sato_k"       => error: a Twilio client identity (`client:…`) is an agent's browser, not a phone number
            "sip:sato@example.jp" => error: a SIP address (`sip:…`) is not a phone number
        "#]],
    );
}

#[test]
fn empty_and_digitless_inputs() {
    check_table(
        Region::Jp,
        &["", "   ", "---", "（）", "+"],
        expect![[r#"
        ""    => error: no phone number given (no digits)
        "   " => error: no phone number given (no digits)
        "---" => error: no phone number given (no digits)
        "（）"  => error: no phone number given (no digits)
        "+"   => error: no phone number given (no digits)
    "#]],
    );
}

#[test]
fn numbers_longer_than_e164_allows_are_refused_though_the_plan_lists_them() {
    // Found by `anything_accepted_round_trips_through_e164`: Korea's plan has 14-digit numbers.
    check_table(
        Region::Kr,
        &["80000000000000", "+82 80000000000000", "02-2345-6789"],
        expect![[r#"
            "80000000000000"     => error: too long to be a phone number (14 digits)
            "+82 80000000000000" => error: too long to be a phone number (16 digits)
            "02-2345-6789"       => +82223456789 | 02-2345-6789 | +82 2-2345-6789 | fixed_line
        "#]],
    );
}

#[test]
fn too_short_and_too_long() {
    check_table(
        Region::Jp,
        &[
            "110",
            "03-5555",
            "03-555-0101",
            "090-5555-01033",
            "03-5555-0101-0101-0101",
            "+81 3 5555 0101 0101 0101 0101",
        ],
        expect![[r#"
            "110"                            => error: too short to be a phone number (3 digits)
            "03-5555"                        => error: too short to be a phone number (6 digits)
            "03-555-0101"                    => error: too short to be a phone number (9 digits)
            "090-5555-01033"                 => error: too long to be a phone number (12 digits)
            "03-5555-0101-0101-0101"         => error: too long to be a phone number (18 digits)
            "+81 3 5555 0101 0101 0101 0101" => error: too long to be a phone number (23 digits)
        "#]],
    );
}

#[test]
fn letters_extensions_and_vanity_numbers_are_refused() {
    check_table(
        Region::Jp,
        &[
            "03-5555-O1O1",
            "1-800-FLOWERS",
            "03-5555-0101 ext. 12",
            "０３－５５５５－ａ",
            "03-5555-0101#",
            "03\n5555-0101",
        ],
        expect![[r#"
            "03-5555-O1O1"         => error: unexpected character 'O' at position 9
            "1-800-FLOWERS"        => error: unexpected character 'F' at position 7
            "03-5555-0101 ext. 12" => error: unexpected character 'e' at position 14
            "０３－５５５５－ａ"            => error: unexpected character 'ａ' at position 9
            "03-5555-0101#"        => error: unexpected character '#' at position 13
            "03\n5555-0101"        => error: unexpected character '\n' at position 3
        "#]],
    );
}

#[test]
fn invalid_japanese_prefixes_are_errors_not_guesses() {
    check_table(
        Region::Jp,
        &[
            "0190-555-108",
            "00-5555-0101",
            // 010 is Japan's international prefix: this dials Brazil (+55), too short for it.
            "010-5555-0101",
            "3-5555-0101",
            "81355550101",
            "+81 10 5555 0101",
            "+999 1234 5678",
            "03+5555-0101",
        ],
        expect![[r#"
            "0190-555-108"     => error: +81190555108 is not a number in use in the numbering plan of +81
            "00-5555-0101"     => error: too short to be a phone number (10 digits)
            "010-5555-0101"    => error: too short to be a phone number (11 digits)
            "3-5555-0101"      => error: a number in JP must start with the trunk prefix 0, or with + and a country code
            "81355550101"      => error: a number in JP must start with the trunk prefix 0, or with + and a country code
            "+81 10 5555 0101" => error: +811055550101 is not a number in use in the numbering plan of +81
            "+999 1234 5678"   => error: the number does not start with a known country calling code
            "03+5555-0101"     => error: `+` may only start the number
        "#]],
    );
}

#[test]
fn error_messages_never_echo_huge_input() {
    let huge = "0".repeat(1_000_000);
    expect!["error: input is 1000000 characters long; a phone number is at most 64"]
        .assert_eq(&describe(&PhoneNumber::parse(&huge, Region::Jp)));
    let huge_letters = format!("03-5555-0101{}", "x".repeat(40));
    expect!["error: unexpected character 'x' at position 13"]
        .assert_eq(&describe(&PhoneNumber::parse(&huge_letters, Region::Jp)));
    let wide = "０".repeat(65);
    expect!["error: input is 65 characters long; a phone number is at most 64"]
        .assert_eq(&describe(&PhoneNumber::parse(&wide, Region::Jp)));
}

#[test]
fn serde_is_the_e164_string_and_validates_on_the_way_in() {
    let number = PhoneNumber::parse("03-5555-0101", Region::Jp).map_err(|e| e.to_string());
    let json = number
        .as_ref()
        .map(|n| serde_json::to_string(n).unwrap_or_default());
    expect![[r#"Ok("\"+81355550101\"")"#]].assert_eq(&format!("{json:?}"));
    let decode = |json: &str| match serde_json::from_str::<PhoneNumber>(json) {
        Ok(number) => describe(&Ok(number)),
        Err(error) => format!("error: {error}"),
    };
    expect!["+81355550101 | 03-5555-0101 | +81 3-5555-0101 | fixed_line"]
        .assert_eq(&decode(r#""+81355550101""#));
    expect!["error: not an E.164 number (expected `+` and digits only)"]
        .assert_eq(&decode(r#""03-5555-0101""#));
    expect!["error: not an E.164 number (expected `+` and digits only)"]
        .assert_eq(&decode(r#""+81 3 5555 0101""#));
    expect!["error: not an E.164 number (expected `+` and digits only)"]
        .assert_eq(&decode(r#""+810355550101""#));
    expect!["error: +81190555108 is not a number in use in the numbering plan of +81"]
        .assert_eq(&decode(r#""+81190555108""#));
}

#[test]
fn equality_is_by_e164_whatever_the_input_format() {
    let a = PhoneNumber::parse("０３－５５５５－０１０１", Region::Jp);
    let b = PhoneNumber::parse("+81 3 5555 0101", Region::Jp);
    assert!(a.is_ok());
    assert_eq!(a, b);
    assert_ne!(a, PhoneNumber::parse("03-5555-0102", Region::Jp));
}

#[test]
fn regions_serialise_as_iso_codes() {
    let codes: Vec<String> = Region::ALL
        .iter()
        .map(|r| format!("{r}={}", r.calling_code()))
        .collect();
    expect!["JP=81 US=1 GB=44 KR=82 CN=86 TW=886"].assert_eq(&codes.join(" "));
    expect![[r#""JP""#]].assert_eq(&serde_json::to_string(&Region::default()).unwrap_or_default());
}

/// Characters a phone-number field sees, weighted towards the ones the parser treats specially.
fn phone_like() -> impl Strategy<Value = String> {
    let symbol = prop_oneof![
        4 => proptest::char::range('0', '9'),
        1 => proptest::char::range('０', '９'),
        1 => prop::sample::select(vec!['+', '＋', '-', '－', 'ー', ' ', '(', ')', '.', 'a', ':', '\u{3000}']),
    ];
    proptest::collection::vec(symbol, 0..24).prop_map(|chars| chars.into_iter().collect())
}

/// Real Japanese prefixes followed by random subscriber digits, in national format: usually the
/// right count for the prefix, sometimes one too many or too few.
fn japanese_national() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        ("03", 8),
        ("06", 8),
        ("011", 7),
        ("045", 7),
        ("052", 7),
        ("092", 7),
        ("0466", 6),
        ("090", 8),
        ("080", 8),
        ("070", 8),
        ("050", 8),
        ("0120", 6),
        ("0800", 7),
        ("0570", 6),
        ("0990", 6),
        ("020", 8),
    ]);
    let length_error = prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)];
    (prefix, length_error, proptest::collection::vec(0u8..10, 9)).prop_map(
        |((prefix, len), error, digits)| {
            let len = usize::try_from(i8::try_from(len).unwrap_or(0) + error).unwrap_or(0);
            let rest: String = digits
                .iter()
                .take(len)
                .map(|d| char::from(b'0' + d))
                .collect();
            format!("{prefix}{rest}")
        },
    )
}

/// A country code (or Japan's international prefix and one) followed by random digits.
fn international_like() -> impl Strategy<Value = String> {
    let code = prop::sample::select(vec![
        "+81 ", "+1 ", "+44 ", "+82 ", "+86 ", "+886 ", "+39 ", "010 44 ", "010 1 ",
    ]);
    (code, proptest::collection::vec(0u8..10, 6..12)).prop_map(|(code, digits)| {
        let rest: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{code}{rest}")
    })
}

/// Anything from noise to plausible numbers.
fn any_number_input() -> impl Strategy<Value = String> {
    prop_oneof![phone_like(), japanese_national(), international_like()]
}

/// Writes plain digits the ways people do: hyphenated, spaced, bracketed, full-width.
fn restyle(digits: &str, style: usize) -> String {
    let (head, tail) = digits.split_at(3.min(digits.len()));
    match style {
        0 => format!("{head}-{tail}"),
        1 => format!("({head}) {tail}"),
        2 => digits
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .and_then(|d| char::from_u32(0xFF10 + d))
                    .unwrap_or(c)
            })
            .collect(),
        _ => format!(" {head}ー{tail} "),
    }
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(raw in any::<String>()) {
        let _ = PhoneNumber::parse(&raw, Region::Jp);
        let _ = PhoneNumber::from_e164(&raw);
    }

    #[test]
    fn parse_never_panics_on_phone_like_strings(raw in any_number_input(), region in prop::sample::select(Region::ALL.to_vec())) {
        let _ = PhoneNumber::parse(&raw, region);
    }

    #[test]
    fn anything_accepted_round_trips_through_e164(raw in any_number_input(), region in prop::sample::select(Region::ALL.to_vec())) {
        if let Ok(number) = PhoneNumber::parse(&raw, region) {
            prop_assert_eq!(PhoneNumber::parse(number.as_e164(), Region::Jp), Ok(number.clone()));
            prop_assert_eq!(PhoneNumber::from_e164(number.as_e164()), Ok(number.clone()));
            prop_assert!(number.as_e164().len() <= 16);
        }
    }

    #[test]
    fn formatting_never_changes_the_outcome(digits in japanese_national(), style in 0usize..4) {
        prop_assert_eq!(
            PhoneNumber::parse(&restyle(&digits, style), Region::Jp),
            PhoneNumber::parse(&digits, Region::Jp)
        );
    }

    #[test]
    fn japanese_numbers_round_trip_through_their_displays(raw in japanese_national()) {
        if let Ok(number) = PhoneNumber::parse(&raw, Region::Jp) {
            prop_assert_eq!(number.country_code(), 81);
            prop_assert!(number.national_display().starts_with('0'));
            prop_assert_eq!(PhoneNumber::parse(number.national_display(), Region::Jp), Ok(number.clone()));
            prop_assert_eq!(PhoneNumber::parse(number.international_display(), Region::Jp), Ok(number.clone()));
            prop_assert_eq!(PhoneNumber::parse(number.as_e164(), Region::Us), Ok(number));
        }
    }
}

#[test]
fn display_in_japan_is_national_at_home_and_international_abroad() {
    let shown: Vec<String> = ["+81355550101", "+819055550103", "+442079460107"]
        .iter()
        .map(|e164| {
            PhoneNumber::from_e164(e164).map_or_else(
                |e| format!("error: {e}"),
                |n| n.display_in_japan().to_owned(),
            )
        })
        .collect();
    expect![[r#"["03-5555-0101", "090-5555-0103", "+44 20 7946 0107"]"#]]
        .assert_eq(&format!("{shown:?}"));
}
