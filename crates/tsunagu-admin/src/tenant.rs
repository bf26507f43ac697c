//! A new tenant, as the platform operator creates it (`POST /api/operator/tenants`): its id and settings, and who administers it first.
//!
//! The tenant's own admin does everything after this through the admin API with the API key the
//! creation answers with (shown once); the operator never needs SQL or a per-tenant Worker secret.

use serde_json::Value;
use tsunagu_core::TenantId;

use crate::{ErrorCode, Invalid, TenantSettings, fields::Fields};

/// The longest name of the first admin's API key.
const KEY_NAME_MAX_CHARS: u32 = 100;

/// What `POST /api/operator/tenants` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    pub id: TenantId,
    /// Name, allowed origins, voice edge (default Tokyo), supervisor reach (default teams).
    pub settings: TenantSettings,
    /// The name of the first admin API key (default `first admin`).
    pub admin_key_name: String,
    /// The tenant's Twilio account (`AC…`), API key (`SK…`) and TwiML App (`AP…`) SIDs, when
    /// known at creation (their secrets go through `PUT /api/admin/secrets/<name>`).
    pub twilio: TwilioSids,
}

/// Non-secret Twilio identifiers: `AC`/`SK`/`AP` and 32 lowercase hex digits each.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TwilioSids {
    pub account_sid: Option<String>,
    pub api_key_sid: Option<String>,
    pub twiml_app_sid: Option<String>,
}

impl TwilioSids {
    /// `GET`/`PUT /api/admin/twilio`: `{"account_sid", "api_key_sid", "twiml_app_sid"}`, each a
    /// SID or null (not set); a `PUT` replaces all three. Every problem at once.
    pub fn validate(body: &Value) -> Result<TwilioSids, Invalid> {
        if !body.is_object() {
            return Err(Invalid::one("", ErrorCode::NotAnObject));
        }
        let mut fields = Fields::of(body);
        let sids = TwilioSids {
            account_sid: read_sid(&mut fields, "account_sid", "AC"),
            api_key_sid: read_sid(&mut fields, "api_key_sid", "SK"),
            twiml_app_sid: read_sid(&mut fields, "twiml_app_sid", "AP"),
        };
        fields.finish(Some(sids))
    }
}

/// An optional SID at `name` (absent or null: none), refused unless `prefix` and 32 lowercase
/// hex digits.
fn read_sid(fields: &mut Fields<'_>, name: &str, prefix: &str) -> Option<String> {
    fields.get(name)?;
    let raw = fields.text(name, 34)?;
    if is_sid(&raw, prefix) {
        Some(raw)
    } else {
        fields.fail(name, ErrorCode::InvalidId);
        None
    }
}

/// Whether `raw` is `prefix` and 32 lowercase hex digits, as Twilio writes SIDs.
fn is_sid(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl NewTenant {
    /// Validates a request body; every problem at once. `voice_edge` and `supervisor_reach` may
    /// be left out (Tokyo, teams).
    pub fn validate(body: &Value) -> Result<NewTenant, Invalid> {
        let mut problems = Vec::new();
        let id = match body.get("id") {
            None => {
                problems.push(crate::FieldError::new("id", ErrorCode::Required));
                None
            }
            Some(Value::String(raw)) => match TenantId::new(raw.as_str()) {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(crate::FieldError::new("id", ErrorCode::InvalidId));
                    None
                }
            },
            Some(_) => {
                problems.push(crate::FieldError::new("id", ErrorCode::NotText));
                None
            }
        };
        let mut with_defaults = body.clone();
        if let Value::Object(map) = &mut with_defaults {
            map.remove("id");
            map.remove("admin_key_name");
            map.remove("twilio_account_sid");
            map.remove("twilio_api_key_sid");
            map.remove("twilio_twiml_app_sid");
            map.entry("voice_edge").or_insert_with(|| "tokyo".into());
            map.entry("supervisor_reach")
                .or_insert_with(|| "teams".into());
        }
        let settings = match TenantSettings::validate(&with_defaults) {
            Ok(settings) => Some(settings),
            Err(Invalid(more)) => {
                problems.extend(more);
                None
            }
        };
        let mut fields = Fields::of(body);
        let admin_key_name = match fields.get("admin_key_name") {
            None => Some("first admin".to_owned()),
            Some(_) => fields.text("admin_key_name", KEY_NAME_MAX_CHARS),
        };
        let twilio = TwilioSids {
            account_sid: read_sid(&mut fields, "twilio_account_sid", "AC"),
            api_key_sid: read_sid(&mut fields, "twilio_api_key_sid", "SK"),
            twiml_app_sid: read_sid(&mut fields, "twilio_twiml_app_sid", "AP"),
        };
        if let Err(Invalid(more)) = fields.finish(Some(())) {
            problems.extend(more);
        }
        match (id, settings, admin_key_name) {
            (Some(id), Some(settings), Some(admin_key_name)) if problems.is_empty() => {
                Ok(NewTenant {
                    id,
                    settings,
                    admin_key_name,
                    twilio,
                })
            }
            _ => Err(Invalid(problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use serde_json::json;

    use super::{NewTenant, TwilioSids};

    #[test]
    fn twilio_sids_are_checked_and_null_clears_one() {
        let sids = TwilioSids::validate(&json!({
            "account_sid": format!("AC{}", "0a".repeat(16)), "api_key_sid": null,
            "twiml_app_sid": format!("AP{}", "1b".repeat(16)),
        }))
        .expect("valid");
        assert_eq!(sids.api_key_sid, None);
        assert!(sids.account_sid.is_some() && sids.twiml_app_sid.is_some());
        let bad = TwilioSids::validate(&json!({"account_sid": "AC123", "api_key_sid": format!("AC{}", "0a".repeat(16)), "twiml_app_sid": 7}))
            .expect_err("refused");
        let fields: Vec<String> = bad.0.iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["account_sid", "api_key_sid", "twiml_app_sid"]);
        assert!(TwilioSids::validate(&json!([1])).is_err());
    }

    #[test]
    fn a_tenant_needs_an_id_a_name_and_origins_and_gets_tokyo_and_teams_by_default() {
        let ok = NewTenant::validate(&json!({
            "id": "acme-jp",
            "name": {"ja": "アクメ株式会社", "en": "Acme K.K."},
            "allowed_origins": ["https://crm.acme.example"],
        }))
        .expect("valid");
        expect![[r#"NewTenant { id: TenantId("acme-jp"), settings: TenantSettings { name: Name { ja: "アクメ株式会社", en: "Acme K.K." }, allowed_origins: ["https://crm.acme.example"], voice_edge: Tokyo, supervisor_reach: Teams, crm_lookup_url: None, session_lifetime_minutes: None }, admin_key_name: "first admin", twilio: TwilioSids { account_sid: None, api_key_sid: None, twiml_app_sid: None } }"#]]
        .assert_eq(&format!("{ok:?}"));
        let bad = NewTenant::validate(&json!({
            "id": "ACME_JP",
            "name": {"ja": "", "en": "Acme"},
            "allowed_origins": ["javascript:alert(1)"],
            "admin_key_name": 7,
            "twilio_account_sid": "AC123",
        }))
        .expect_err("invalid");
        let fields: Vec<String> = bad
            .0
            .iter()
            .map(|e| format!("{} {:?}", e.field, e.code))
            .collect();
        expect![[r#"
            [
                "id InvalidId",
                "name.ja Blank",
                "allowed_origins[0] InvalidOrigin",
                "admin_key_name NotText",
                "twilio_account_sid InvalidId",
            ]
        "#]]
        .assert_debug_eq(&fields);
    }
}
