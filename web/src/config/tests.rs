//! Tests that the boot config read by hand falls back where its former serde derive did.

use serde::Deserialize;

use super::{BootConfig, default_version_check_ms};

#[derive(Deserialize, Default)]
struct Derived {
    #[serde(default)]
    allowed_origins: String,
    #[serde(default = "default_version_check_ms")]
    version_check_ms: u64,
}

#[test]
fn the_boot_config_reads_as_the_derive_read_it() {
    let cases = [
        r#"{"allowed_origins":"https://crm.example 'self'","version_check_ms":60000}"#,
        r#"{"allowed_origins":"https://crm.example"}"#,
        r#"{"version_check_ms":0}"#,
        r#"{"version_check_ms":null}"#,
        r#"{"version_check_ms":-5,"allowed_origins":"x"}"#,
        r#"{"allowed_origins":null}"#,
        r#"{"allowed_origins":["x"]}"#,
        "{}",
        "",
        "[1]",
        "[]",
    ];
    for json in cases {
        let read = BootConfig::read(json).unwrap_or_default();
        let derived: Derived = serde_json::from_str(json).unwrap_or_default();
        // What the widget uses: 0 (no config) means the default interval.
        let interval = |ms: u64| {
            if ms == 0 {
                default_version_check_ms()
            } else {
                ms
            }
        };
        assert_eq!(
            (read.allowed_origins, interval(read.version_check_ms)),
            (derived.allowed_origins, interval(derived.version_check_ms)),
            "{json}"
        );
    }
}
