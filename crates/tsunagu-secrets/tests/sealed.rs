//! Sealing: what is stored, what opens, and that every tampering, mix-up or wrong key is a typed error.

use expect_test::expect;
use proptest::prelude::*;
use tsunagu_core::TenantId;
use tsunagu_secrets::{Keyring, OpenError, Rotation, SecretName, Version, open, seal};

fn keyring(text: &str) -> Keyring {
    Keyring::parse(text).expect("test keyring parses")
}

const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const K2: &str = "k2:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn tenant(id: &str) -> TenantId {
    TenantId::new(id).expect("valid tenant id")
}

#[test]
fn a_sealed_value_is_the_key_id_the_nonce_and_ciphertext_with_a_tag() {
    let ring = keyring(K1);
    let sealed = seal(
        ring.sealing_key(),
        &tenant("demo"),
        SecretName::EmbedSecret,
        "demo-embed-secret-for-development-only-0001",
        [7; 12],
    );
    // 43 characters of plaintext, 16 bytes of tag; nothing of the plaintext shows.
    expect![[r#"
        k1 070707070707070707070707 59 false"#]]
    .assert_eq(&format!(
        "{} {} {} {}",
        sealed.key_id,
        hex(&sealed.nonce),
        sealed.ciphertext.len(),
        sealed.ciphertext.windows(4).any(|w| w == b"demo"),
    ));
    let opened = open(&ring, &tenant("demo"), SecretName::EmbedSecret, &sealed);
    expect![[r#"
        Ok(
            "demo-embed-secret-for-development-only-0001",
        )
    "#]]
    .assert_debug_eq(&opened);
}

#[test]
fn another_tenant_name_key_or_a_flipped_bit_does_not_open() {
    let ring = keyring(&format!("{K1},{K2}"));
    let sealed = seal(
        ring.sealing_key(),
        &tenant("acme"),
        SecretName::TwilioAuthToken,
        "twilio-auth-token-0123456789abcdef",
        [1; 12],
    );
    let mut flipped = sealed.clone();
    flipped.ciphertext[3] ^= 0x10;
    let mut relabelled = sealed.clone();
    relabelled.key_id = "k2".into();
    let mut short_nonce = sealed.clone();
    short_nonce.nonce.pop();
    let cases = [
        (
            "another tenant",
            open(&ring, &tenant("evil"), SecretName::TwilioAuthToken, &sealed),
        ),
        (
            "another name",
            open(&ring, &tenant("acme"), SecretName::EmbedSecret, &sealed),
        ),
        (
            "a flipped bit",
            open(
                &ring,
                &tenant("acme"),
                SecretName::TwilioAuthToken,
                &flipped,
            ),
        ),
        (
            "another key id",
            open(
                &ring,
                &tenant("acme"),
                SecretName::TwilioAuthToken,
                &relabelled,
            ),
        ),
        (
            "a key no longer in the ring",
            open(
                &keyring(K2),
                &tenant("acme"),
                SecretName::TwilioAuthToken,
                &sealed,
            ),
        ),
        (
            "a short nonce",
            open(
                &ring,
                &tenant("acme"),
                SecretName::TwilioAuthToken,
                &short_nonce,
            ),
        ),
    ];
    let actual: Vec<String> = cases
        .iter()
        .map(|(case, result)| format!("{case}: {result:?}"))
        .collect();
    expect![[r#"
        [
            "another tenant: Err(NotAuthentic)",
            "another name: Err(NotAuthentic)",
            "a flipped bit: Err(NotAuthentic)",
            "another key id: Err(NotAuthentic)",
            "a key no longer in the ring: Err(UnknownKey(\"k1\"))",
            "a short nonce: Err(BadNonce)",
        ]
    "#]]
    .assert_debug_eq(&actual);
}

#[test]
fn keyrings_parse_id_colon_base64_and_never_show_the_key() {
    let cases = [
        K1.to_owned(),
        format!("{K2}, {K1}"),
        String::new(),
        "k1".into(),
        "K1:AAAA".into(),
        "k1:not base64!".into(),
        "k1:AAAA".into(),
        format!("{K1},{K1}"),
    ];
    let actual: Vec<String> = cases
        .iter()
        .map(|text| match Keyring::parse(text) {
            Ok(ring) => format!(
                "ok, seals with {:?}, opens {:?}",
                ring.sealing_key(),
                ring.ids().map(|id| id.as_str()).collect::<Vec<_>>()
            ),
            Err(err) => format!("error: {err}"),
        })
        .collect();
    expect![[r#"
        [
            "ok, seals with MasterKey(k1, …), opens [\"k1\"]",
            "ok, seals with MasterKey(k2, …), opens [\"k2\", \"k1\"]",
            "error: the keyring is empty",
            "error: entry 0 is not `id:base64`",
            "error: entry 0: the key id must be 1–32 of a-z, 0-9, `_`, `-`",
            "error: entry 0: the key is not standard base64",
            "error: entry 0: the key is not 32 bytes",
            "error: entry 1: the key id is used twice",
        ]
    "#]]
    .assert_debug_eq(&actual);
}

#[test]
fn a_replaced_value_stays_valid_for_the_grace_only_where_the_secret_keeps_it() {
    let grace = 60_000;
    let at = |name: SecretName, now: u64| {
        let rotation = Rotation {
            name,
            current: "new".into(),
            previous: Some(Version {
                value: "old".into(),
                valid_until_ms: Rotation::previous_valid_until(name, 1_000, grace),
            }),
        };
        format!("{} at {now}: {:?}", name.as_str(), rotation.valid_at(now))
    };
    let actual = [
        at(SecretName::EmbedSecret, 1_000),
        at(SecretName::EmbedSecret, 60_999),
        at(SecretName::EmbedSecret, 61_000),
        at(SecretName::TwilioAuthToken, 30_000),
        at(SecretName::TwilioApiKeySecret, 1_000),
        at(SecretName::TurnstileSecret, 1_000),
    ];
    expect![[r#"
        [
            "embed_secret at 1000: [\"new\", \"old\"]",
            "embed_secret at 60999: [\"new\", \"old\"]",
            "embed_secret at 61000: [\"new\"]",
            "twilio_auth_token at 30000: [\"new\", \"old\"]",
            "twilio_api_key_secret at 1000: [\"new\"]",
            "turnstile_secret at 1000: [\"new\"]",
        ]
    "#]]
    .assert_debug_eq(&actual);
}

fn any_name() -> impl Strategy<Value = SecretName> {
    prop::sample::select(SecretName::ALL.to_vec())
}

proptest! {
    #[test]
    fn what_is_sealed_opens_as_itself(
        value in "\\PC{0,200}",
        nonce in any::<[u8; 12]>(),
        name in any_name(),
        tenant_id in "[a-z0-9-]{1,63}",
    ) {
        let ring = keyring(&format!("{K2},{K1}"));
        let tenant = tenant(&tenant_id);
        let sealed = seal(ring.sealing_key(), &tenant, name, &value, nonce);
        prop_assert_eq!(open(&ring, &tenant, name, &sealed), Ok(value));
    }

    #[test]
    fn any_altered_byte_or_other_binding_is_refused(
        value in "[ -~]{1,100}",
        nonce in any::<[u8; 12]>(),
        index in any::<prop::sample::Index>(),
        bit in 0u8..8,
        other_name in any_name(),
    ) {
        let ring = keyring(K1);
        let tenant = tenant("acme");
        let sealed = seal(ring.sealing_key(), &tenant, SecretName::EmbedSecret, &value, nonce);
        let mut altered = sealed.clone();
        let i = index.index(altered.ciphertext.len());
        altered.ciphertext[i] ^= 1 << bit;
        prop_assert_eq!(open(&ring, &tenant, SecretName::EmbedSecret, &altered), Err(OpenError::NotAuthentic));
        let mut renonced = sealed.clone();
        renonced.nonce[i % 12] ^= 1 << bit;
        prop_assert_eq!(open(&ring, &tenant, SecretName::EmbedSecret, &renonced), Err(OpenError::NotAuthentic));
        if other_name != SecretName::EmbedSecret {
            prop_assert_eq!(open(&ring, &tenant, other_name, &sealed), Err(OpenError::NotAuthentic));
        }
    }

    #[test]
    fn arbitrary_stored_bytes_never_panic(
        key_id in "[a-z0-9]{0,4}",
        nonce in prop::collection::vec(any::<u8>(), 0..20),
        ciphertext in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let ring = keyring(K1);
        let sealed = tsunagu_secrets::Sealed { key_id, nonce, ciphertext };
        let _ = open(&ring, &tenant("acme"), SecretName::EmbedSecret, &sealed);
    }

    #[test]
    fn arbitrary_keyring_text_never_panics(text in "\\PC{0,120}") {
        let _ = Keyring::parse(&text);
    }
}

#[test]
fn a_value_sealed_for_one_record_opens_only_as_that_record() {
    use tsunagu_secrets::{open_named, seal_named};
    let ring = keyring(K1);
    let sealed = seal_named(
        ring.sealing_key(),
        &tenant("demo"),
        "webhook/wh_1",
        "whsec_x",
        [9; 12],
    );
    assert_eq!(
        open_named(&ring, &tenant("demo"), "webhook/wh_1", &sealed),
        Ok("whsec_x".to_owned())
    );
    for (tenant_id, name) in [("demo", "webhook/wh_2"), ("other", "webhook/wh_1")] {
        assert_eq!(
            open_named(&ring, &tenant(tenant_id), name, &sealed),
            Err(OpenError::NotAuthentic),
            "{tenant_id} {name}"
        );
    }
    // The same format as the named secrets: `seal` is `seal_named` with the secret's name.
    let embed = seal(
        ring.sealing_key(),
        &tenant("demo"),
        SecretName::EmbedSecret,
        "v",
        [1; 12],
    );
    assert_eq!(
        open_named(
            &ring,
            &tenant("demo"),
            SecretName::EmbedSecret.as_str(),
            &embed
        ),
        Ok("v".to_owned())
    );
}
