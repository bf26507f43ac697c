//! How the tenant's agents call and are called, as the admin API reads and writes it: the dial
//! policy's tenant-set parts (countries, numbers, caps), whether the host page may dial without
//! the agent's click, the status an agent signs in with, and the wrap-up time.
//!
//! The kinds of line that may be dialled are not here on purpose: premium-rate, shared-cost and
//! satellite lines stay refused by kind, and a tenant that needs one such number (a partner's
//! 0570 line) lists that number in `allowed_numbers`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::{ErrorCode, Invalid, fields::Fields};

/// At most this many countries or numbers may be listed.
pub const ALLOWED_MAX: u32 = 50;
/// The highest ITU country calling code.
const COUNTRY_CODE_MAX: u32 = 999;
/// Japan's calling code: always allowed, so listing it is a mistake worth saying.
const JAPAN: u16 = 81;
/// Calling codes that are not countries (satellite systems, international networks): never
/// opened by country, only number by number.
const NOT_COUNTRIES: [u16; 7] = [800, 808, 870, 878, 881, 882, 883];
/// Bounds of the per-agent call cap, its window (s), the tenant's concurrent cap and wrap-up (s).
/// The window is at most 10 min: the center counts an agent's calls among the ended calls it
/// remembers for that long (`CenterConfig::validate` refuses a longer one).
const CALLS_PER_AGENT: (u32, u32) = (1, 1000);
const RATE_WINDOW_SECS: (u32, u32) = (1, 600);
const CONCURRENT_OUTBOUND: (u32, u32) = (1, 10_000);
const WRAP_UP_SECS: (u32, u32) = (0, 3_600);

/// The status an agent has right after signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    /// Ready for calls at once (the default).
    Available,
    /// Signed in but away until they say they are ready.
    Away,
}

/// The dial policy's parts a tenant sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialSettings {
    /// ITU calling codes other than Japan's that may be dialled.
    pub allowed_countries: BTreeSet<u16>,
    pub countries_for_supervisors_only: bool,
    /// Numbers (E.164) that may always be dialled.
    pub allowed_numbers: BTreeSet<String>,
    pub max_calls_per_agent: u32,
    pub rate_window_secs: u32,
    pub max_concurrent_outbound: u32,
}

/// The whole resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallingSettings {
    pub dial_policy: DialSettings,
    pub direct_dial_from_host: bool,
    pub sign_in_status: SignInStatus,
    /// Seconds of after-call work before the agent is offered calls again; 0 skips wrap-up.
    pub wrap_up_secs: u32,
}

impl CallingSettings {
    /// Reads and checks a whole body; every field is required (`PUT` replaces the resource).
    pub fn validate(body: &Value) -> Result<CallingSettings, Invalid> {
        let mut fields = Fields::of(body);
        if !body.is_object() {
            return Err(Invalid::one("", ErrorCode::NotAnObject));
        }
        let dial_policy = read_dial(&mut fields);
        let direct_dial_from_host = boolean(&mut fields, "direct_dial_from_host");
        let sign_in_status = match fields.get("sign_in_status") {
            Some(Value::String(s)) if s == "available" => Some(SignInStatus::Available),
            Some(Value::String(s)) if s == "away" => Some(SignInStatus::Away),
            Some(_) => {
                fields.fail("sign_in_status", ErrorCode::UnknownValue);
                None
            }
            None => {
                fields.fail("sign_in_status", ErrorCode::Required);
                None
            }
        };
        let wrap_up_secs = number(&mut fields, "wrap_up_secs", WRAP_UP_SECS);
        let settings = (|| {
            Some(CallingSettings {
                dial_policy: dial_policy?,
                direct_dial_from_host: direct_dial_from_host?,
                sign_in_status: sign_in_status?,
                wrap_up_secs: wrap_up_secs?,
            })
        })();
        fields.finish(settings)
    }

    /// The center configuration's fields these settings replace, merged into the stored ones so
    /// that what this resource does not show (the allowed kinds of line, the other presence
    /// timers) stays as it was.
    pub fn merge_into_center(&self, stored: &mut Map<String, Value>) {
        let mut dial = object(stored.get("dial_policy"));
        let policy = &self.dial_policy;
        dial.insert("allowed_countries".into(), json!(policy.allowed_countries));
        dial.insert(
            "countries_for_supervisors_only".into(),
            policy.countries_for_supervisors_only.into(),
        );
        dial.insert("allowed_numbers".into(), json!(policy.allowed_numbers));
        dial.insert(
            "max_calls_per_agent".into(),
            policy.max_calls_per_agent.into(),
        );
        dial.insert("rate_window_secs".into(), policy.rate_window_secs.into());
        dial.insert(
            "max_concurrent_outbound".into(),
            policy.max_concurrent_outbound.into(),
        );
        stored.insert("dial_policy".into(), Value::Object(dial));
        stored.insert(
            "direct_dial_from_host".into(),
            self.direct_dial_from_host.into(),
        );
        let mut presence = object(stored.get("presence"));
        presence.insert(
            "status_on_login".into(),
            // `tsunagu_presence::RequestedStatus` as the center stores it.
            match self.sign_in_status {
                SignInStatus::Available => json!("available"),
                SignInStatus::Away => json!({ "away": "other" }),
            },
        );
        presence.insert(
            "wrap_up".into(),
            (u64::from(self.wrap_up_secs) * 1000).into(),
        );
        stored.insert("presence".into(), Value::Object(presence));
    }

    /// This resource's view of a whole center configuration (as JSON, every default filled in).
    pub fn view_of_center(center: &Value) -> Value {
        let dial = &center["dial_policy"];
        // Available, or not ready for calls (away, or the older "offline" a tenant may hold).
        let status = match center["presence"]["status_on_login"].as_str() {
            Some("available") => "available",
            _ => "away",
        };
        json!({
            "dial_policy": {
                "allowed_countries": dial["allowed_countries"],
                "countries_for_supervisors_only": dial["countries_for_supervisors_only"],
                "allowed_numbers": dial["allowed_numbers"],
                "max_calls_per_agent": dial["max_calls_per_agent"],
                "rate_window_secs": dial["rate_window_secs"],
                "max_concurrent_outbound": dial["max_concurrent_outbound"],
            },
            "direct_dial_from_host": center["direct_dial_from_host"],
            "sign_in_status": status,
            "wrap_up_secs": center["presence"]["wrap_up"].as_u64().map(|ms| ms / 1000),
        })
    }
}

fn object(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn boolean(fields: &mut Fields<'_>, path: &str) -> Option<bool> {
    match fields.get(path) {
        Some(Value::Bool(on)) => Some(*on),
        Some(_) => {
            fields.fail(path, ErrorCode::NotBoolean);
            None
        }
        None => {
            fields.fail(path, ErrorCode::Required);
            None
        }
    }
}

fn number(fields: &mut Fields<'_>, path: &str, (min, max): (u32, u32)) -> Option<u32> {
    match fields.get(path) {
        Some(value) => fields.number_value(path, value, min, max),
        None => {
            fields.fail(path, ErrorCode::Required);
            None
        }
    }
}

fn read_dial(fields: &mut Fields<'_>) -> Option<DialSettings> {
    let Some(dial) = fields.get("dial_policy") else {
        fields.fail("dial_policy", ErrorCode::Required);
        return None;
    };
    if !dial.is_object() {
        fields.fail("dial_policy", ErrorCode::NotAnObject);
        return None;
    }
    let at = |name: &str| format!("dial_policy.{name}");
    let field = |name: &str| dial.get(name).filter(|v| !v.is_null());
    let countries = read_countries(fields, field("allowed_countries"));
    let numbers = read_numbers(fields, field("allowed_numbers"));
    let supervisors_only = match field("countries_for_supervisors_only") {
        Some(Value::Bool(on)) => Some(*on),
        Some(_) => {
            fields.fail(at("countries_for_supervisors_only"), ErrorCode::NotBoolean);
            None
        }
        None => {
            fields.fail(at("countries_for_supervisors_only"), ErrorCode::Required);
            None
        }
    };
    let mut cap = |name: &str, bounds: (u32, u32)| match field(name) {
        Some(value) => fields.number_value(&at(name), value, bounds.0, bounds.1),
        None => {
            fields.fail(at(name), ErrorCode::Required);
            None
        }
    };
    let max_calls_per_agent = cap("max_calls_per_agent", CALLS_PER_AGENT);
    let rate_window_secs = cap("rate_window_secs", RATE_WINDOW_SECS);
    let max_concurrent_outbound = cap("max_concurrent_outbound", CONCURRENT_OUTBOUND);
    Some(DialSettings {
        allowed_countries: countries?,
        countries_for_supervisors_only: supervisors_only?,
        allowed_numbers: numbers?,
        max_calls_per_agent: max_calls_per_agent?,
        rate_window_secs: rate_window_secs?,
        max_concurrent_outbound: max_concurrent_outbound?,
    })
}

/// The items of the required list `value` at `path`, at most [`ALLOWED_MAX`] of them.
fn allowed_list<'a>(
    fields: &mut Fields<'_>,
    path: &str,
    value: Option<&'a Value>,
) -> Option<&'a Vec<Value>> {
    let Some(value) = value else {
        fields.fail(path, ErrorCode::Required);
        return None;
    };
    let Some(items) = value.as_array() else {
        fields.fail(path, ErrorCode::NotList);
        return None;
    };
    if items.len() > ALLOWED_MAX as usize {
        fields.fail(path, ErrorCode::TooMany { max: ALLOWED_MAX });
        return None;
    }
    Some(items)
}

fn read_countries(fields: &mut Fields<'_>, value: Option<&Value>) -> Option<BTreeSet<u16>> {
    const PATH: &str = "dial_policy.allowed_countries";
    let items = allowed_list(fields, PATH, value)?;
    let mut countries = BTreeSet::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("{PATH}[{i}]");
        let Some(code) = fields.number_value(&path, item, 1, COUNTRY_CODE_MAX) else {
            ok = false;
            continue;
        };
        let code = u16::try_from(code).unwrap_or(u16::MAX);
        if code == JAPAN || NOT_COUNTRIES.contains(&code) {
            fields.fail(path, ErrorCode::NotACountry);
            ok = false;
        } else if !countries.insert(code) {
            fields.fail(path, ErrorCode::Duplicate);
            ok = false;
        }
    }
    ok.then_some(countries)
}

fn read_numbers(fields: &mut Fields<'_>, value: Option<&Value>) -> Option<BTreeSet<String>> {
    const PATH: &str = "dial_policy.allowed_numbers";
    let items = allowed_list(fields, PATH, value)?;
    let mut numbers = BTreeSet::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("{PATH}[{i}]");
        let Some(raw) = item.as_str() else {
            fields.fail(path, ErrorCode::NotText);
            ok = false;
            continue;
        };
        match tsunagu_phone::PhoneNumber::parse(raw, tsunagu_phone::Region::Jp) {
            Ok(number) => {
                if !numbers.insert(number.as_e164().to_owned()) {
                    fields.fail(path, ErrorCode::Duplicate);
                    ok = false;
                }
            }
            Err(_) => {
                fields.fail(path, ErrorCode::InvalidPhone);
                ok = false;
            }
        }
    }
    ok.then_some(numbers)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use serde_json::json;

    use super::CallingSettings;
    use crate::tests::errors;

    fn body() -> serde_json::Value {
        json!({
            "dial_policy": {
                "allowed_countries": [1, 44],
                "countries_for_supervisors_only": true,
                "allowed_numbers": ["0570-000-111", "+44 20 7946 0107"],
                "max_calls_per_agent": 10,
                "rate_window_secs": 60,
                "max_concurrent_outbound": 20,
            },
            "direct_dial_from_host": false,
            "sign_in_status": "away",
            "wrap_up_secs": 45,
        })
    }

    #[test]
    fn every_problem_at_once_in_both_languages() {
        errors(
            CallingSettings::validate(&json!({
                "dial_policy": {
                    "allowed_countries": [81, 881, 44, 44, 0, "1"],
                    "countries_for_supervisors_only": "yes",
                    "allowed_numbers": ["not a number", 3],
                    "max_calls_per_agent": 0,
                    "rate_window_secs": 60,
                },
                "direct_dial_from_host": 1,
                "sign_in_status": "offline",
            })),
            &expect![[r#"
                dial_policy.allowed_countries[0] "not_a_country" | 国として許可できない国番号です（日本の 81、衛星・国際網の 870 など）。必要な番号は個別に許可してください | cannot be allowed as a country (Japan's 81, satellite or network codes such as 870); allow such numbers one by one
                dial_policy.allowed_countries[1] "not_a_country" | 国として許可できない国番号です（日本の 81、衛星・国際網の 870 など）。必要な番号は個別に許可してください | cannot be allowed as a country (Japan's 81, satellite or network codes such as 870); allow such numbers one by one
                dial_policy.allowed_countries[3] "duplicate" | 同じ値が重複しています | holds the same value twice
                dial_policy.allowed_countries[4] "not_in_range" | 1 以上 999 以下の整数で指定してください | must be a whole number from 1 to 999
                dial_policy.allowed_countries[5] "not_in_range" | 1 以上 999 以下の整数で指定してください | must be a whole number from 1 to 999
                dial_policy.allowed_numbers[0] "invalid_phone" | 発信できる電話番号ではありません | is not a phone number we can dial
                dial_policy.allowed_numbers[1] "not_text" | 文字列で指定してください | must be text (a JSON string)
                dial_policy.countries_for_supervisors_only "not_boolean" | true または false で指定してください | must be true or false
                dial_policy.max_calls_per_agent "not_in_range" | 1 以上 1000 以下の整数で指定してください | must be a whole number from 1 to 1000
                dial_policy.max_concurrent_outbound "required" | 必須項目です | this field is required
                direct_dial_from_host "not_boolean" | true または false で指定してください | must be true or false
                sign_in_status "unknown_value" | 指定できない値です | is not one of the allowed values
                wrap_up_secs "required" | 必須項目です | this field is required"#]],
        );
        errors(
            CallingSettings::validate(&json!([])),
            &expect![[
                r#" "not_an_object" | JSON オブジェクトを送ってください | send a JSON object"#
            ]],
        );
    }

    #[test]
    fn numbers_are_normalised_and_the_settings_read_back() {
        let settings = CallingSettings::validate(&body()).expect("valid");
        let json = serde_json::to_value(&settings).expect("serialises");
        expect![[r#"{"dial_policy":{"allowed_countries":[1,44],"allowed_numbers":["+442079460107","+81570000111"],"countries_for_supervisors_only":true,"max_calls_per_agent":10,"max_concurrent_outbound":20,"rate_window_secs":60},"direct_dial_from_host":false,"sign_in_status":"away","wrap_up_secs":45}"#]].assert_eq(&json.to_string());
        assert_eq!(
            CallingSettings::validate(&json).expect("its own JSON is valid"),
            settings
        );
    }

    #[test]
    fn the_center_takes_every_bound_the_api_takes() {
        let mut body = body();
        body["dial_policy"]["max_calls_per_agent"] = json!(1000);
        body["dial_policy"]["rate_window_secs"] = json!(600);
        body["dial_policy"]["max_concurrent_outbound"] = json!(10_000);
        body["wrap_up_secs"] = json!(3600);
        let settings = CallingSettings::validate(&body).expect("valid");
        let mut stored = serde_json::Map::new();
        settings.merge_into_center(&mut stored);
        stored.insert("tenant".into(), "acme".into());
        stored.insert("tenant_name".into(), json!({"ja": "アクメ", "en": "Acme"}));
        let config: tsunagu_center::CenterConfig =
            serde_json::from_value(serde_json::Value::Object(stored)).expect("the center reads it");
        assert_eq!(config.validate(), Ok(()));
        body["dial_policy"]["rate_window_secs"] = json!(601);
        assert!(
            CallingSettings::validate(&body).is_err(),
            "a window the center cannot count"
        );
    }

    #[test]
    fn merging_keeps_what_the_resource_does_not_show() {
        let settings = CallingSettings::validate(&body()).expect("valid");
        let mut stored = json!({
            "dial_policy": { "allowed_kinds": ["fixed_line", "mobile"], "max_calls_per_agent": 3 },
            "presence": { "disconnect_grace": 5000, "wrap_up": 30000 },
            "max_wait": 120000,
        })
        .as_object()
        .cloned()
        .expect("an object");
        settings.merge_into_center(&mut stored);
        let merged = serde_json::Value::Object(stored);
        expect![[r#"{"dial_policy":{"allowed_countries":[1,44],"allowed_kinds":["fixed_line","mobile"],"allowed_numbers":["+442079460107","+81570000111"],"countries_for_supervisors_only":true,"max_calls_per_agent":10,"max_concurrent_outbound":20,"rate_window_secs":60},"direct_dial_from_host":false,"max_wait":120000,"presence":{"disconnect_grace":5000,"status_on_login":{"away":"other"},"wrap_up":45000}}"#]].assert_eq(&merged.to_string());
        // What the center then reads back is what was written.
        let view = CallingSettings::view_of_center(&merged);
        assert_eq!(
            CallingSettings::validate(&view).expect("the view is valid"),
            settings
        );
    }
}
