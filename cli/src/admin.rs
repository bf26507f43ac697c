//! `tsunagu admin …`: the operator's tasks over the worker's HTTP API (the same API the admin UI and CRM backends use).
//!
//! Nothing here decides anything: the worker validates and answers with typed field errors in
//! Japanese and English, which are printed as they come. Keys come from environment variables.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    admin_args::{
        AdminArgs, AdminCommand, ApiKeyCommand, CustomersCommand, SecretCommand, TenantCommand,
        WebhooksCommand,
    },
    outcome::{Outcome, input_error, secret_from_env},
};

/// Replies larger than this are refused (a customer export is not read here; 10,000-row import
/// reports fit easily).
const REPLY_MAX_BYTES: u64 = 16 * 1024 * 1024;

pub(crate) fn run(args: &AdminArgs) -> Result<(), Outcome> {
    let api = Api::new(&args.url)?;
    let reply = match &args.command {
        AdminCommand::Tenant(TenantCommand::Create(create)) => {
            let operator = secret_from_env(&create.operator_key_env)?;
            let mut body = json!({
                "id": create.id,
                "name": { "ja": create.name_ja, "en": create.name_en },
                "allowed_origins": create.origins,
            });
            for (field, value) in [
                ("twilio_account_sid", &create.twilio_account_sid),
                ("twilio_api_key_sid", &create.twilio_api_key_sid),
                ("twilio_twiml_app_sid", &create.twilio_twiml_app_sid),
            ] {
                if let Some(value) = value {
                    body[field] = json!(value);
                }
            }
            api.send(
                "POST",
                "/api/operator/tenants",
                &operator,
                Body::Json(&body),
            )?
        }
        AdminCommand::Customers(CustomersCommand::Import(import)) => {
            let key = secret_from_env(&import.key.key_env)?;
            let file = std::fs::read(&import.file).map_err(|err| {
                input_error(format!("cannot read {}: {err}", import.file.display()))
            })?;
            let mut path = format!("/api/admin/customers/import?dry_run={}", import.dry_run);
            if let Some(charset) = &import.charset {
                path.push_str("&charset=");
                path.push_str(&percent_encode(charset));
            }
            let report = api.send("POST", &path, &key, Body::Csv(&file))?;
            // A dry run that found bad rows answers 200; scripts still need to hear "no".
            if report["errors"]
                .as_array()
                .is_some_and(|errors| !errors.is_empty())
            {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                explain_refusal(&report);
                return Err(Outcome::Invalid);
            }
            report
        }
        AdminCommand::ApiKey(ApiKeyCommand::Create(create)) => {
            let key = secret_from_env(&create.key.key_env)?;
            let body = json!({ "name": create.name, "scopes": create.scopes });
            api.send("POST", "/api/admin/api-keys", &key, Body::Json(&body))?
        }
        AdminCommand::Secret(SecretCommand::Set(set)) => {
            let key = secret_from_env(&set.key.key_env)?;
            let value = secret_from_env(&set.value_env)?;
            let path = format!("/api/admin/secrets/{}", percent_encode(&set.name));
            api.send("PUT", &path, &key, Body::Json(&json!({ "value": value })))?
        }
        AdminCommand::Webhooks(WebhooksCommand::Failures(key)) => {
            let key = secret_from_env(&key.key_env)?;
            dead_letters(&api, &key)?
        }
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&reply).unwrap_or_default()
    );
    Ok(())
}

/// Every subscription's dead letters, one list: `{"failures": [{webhook, url, delivery…}]}`.
fn dead_letters(api: &Api, key: &str) -> Result<Value, Outcome> {
    let list = api.send("GET", "/api/admin/webhooks", key, Body::None)?;
    let mut failures = Vec::new();
    for webhook in list["webhooks"].as_array().into_iter().flatten() {
        let Some(id) = webhook["id"].as_str() else {
            continue;
        };
        let path = format!("/api/admin/webhooks/{}/deliveries", percent_encode(id));
        let deliveries = api.send("GET", &path, key, Body::None)?;
        for delivery in deliveries["deliveries"].as_array().into_iter().flatten() {
            if delivery["status"] == "dead" {
                failures.push(json!({
                    "webhook": id,
                    "url": webhook["url"],
                    "delivery": delivery,
                }));
            }
        }
    }
    Ok(json!({ "failures": failures }))
}

enum Body<'a> {
    None,
    Json(&'a Value),
    Csv(&'a [u8]),
}

struct Api {
    base: String,
    agent: ureq::Agent,
}

impl Api {
    fn new(url: &str) -> Result<Api, Outcome> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(input_error(format!(
                "--url must start with https:// (or http:// for a local worker): {base}"
            )));
        }
        let agent = ureq::Agent::config_builder()
            // The API's refusals are answers to print, not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(Api { base, agent })
    }

    /// Sends one request with `Authorization: Bearer <key>`; a 2xx reply's JSON, else the API's
    /// refusal printed on stderr (`Outcome::Invalid`).
    fn send(&self, method: &str, path: &str, key: &str, body: Body<'_>) -> Result<Value, Outcome> {
        let url = format!("{}{path}", self.base);
        let bearer = format!("Bearer {key}");
        let sent = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &bearer).call(),
            (method, body) => {
                let builder = match method {
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                }
                .header("Authorization", &bearer);
                match body {
                    Body::Json(value) => builder.send_json(value),
                    Body::Csv(bytes) => builder.header("Content-Type", "text/csv").send(bytes),
                    Body::None => builder.send_empty(),
                }
            }
        };
        let mut reply = sent.map_err(|err| input_error(format!("{method} {url}: {err}")))?;
        let status = reply.status().as_u16();
        let text = reply
            .body_mut()
            .with_config()
            .limit(REPLY_MAX_BYTES)
            .read_to_string()
            .map_err(|err| input_error(format!("{method} {url}: unreadable reply: {err}")))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(value);
        }
        eprintln!("{method} {path}: HTTP {status}");
        explain_refusal(&value);
        Err(Outcome::Invalid)
    }
}

/// The API's error body (`{"error", "message", "fields": [{field, code, message: {ja, en}}]}`) as
/// lines a person reads; anything else as it came.
fn explain_refusal(value: &Value) {
    if let Some(message) = value["message"].as_str() {
        eprintln!("{message}");
    }
    for field in value["fields"].as_array().into_iter().flatten() {
        eprintln!(
            "  {}: {} / {}",
            field["field"].as_str().unwrap_or("?"),
            field["message"]["ja"].as_str().unwrap_or(""),
            field["message"]["en"].as_str().unwrap_or("")
        );
    }
    // A CSV import's bad rows (`report.errors` of a refused import, `errors` of a dry run).
    let rows = value["report"]["errors"]
        .as_array()
        .or_else(|| value["errors"].as_array());
    for row in rows.into_iter().flatten() {
        eprintln!(
            "  line {} {} ({}): {} / {}",
            row["line"],
            row["column"].as_str().unwrap_or("-"),
            row["field"].as_str().unwrap_or("?"),
            row["message"]["ja"].as_str().unwrap_or(""),
            row["message"]["en"].as_str().unwrap_or("")
        );
    }
    if value.get("message").is_none() && value.get("fields").is_none() && rows.is_none() {
        eprintln!("{value}");
    }
}

/// Percent-encodes a path segment or query value (ids and charsets are ASCII; anything else is
/// encoded byte by byte).
fn percent_encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
