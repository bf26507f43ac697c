//! The double's configuration: accounts, phone numbers, simulated outside phones and behaviour options.

use std::{collections::BTreeMap, path::Path};

use serde::{Deserialize, Serialize};

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file: {0}")]
    Read(#[from] std::io::Error),
    #[error("the configuration is not valid JSON for the double: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the configuration has no account")]
    NoAccount,
    #[error("number {index} names an account that is not configured")]
    UnknownAccount { index: usize },
    #[error("the dev vars file has no {0}")]
    MissingVar(&'static str),
}

/// One Twilio account (or subaccount) the double plays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Account {
    pub account_sid: String,
    /// Signs webhooks; also accepted as REST password for `account_sid`.
    pub auth_token: String,
    pub api_key_sid: String,
    /// Authenticates REST requests and verifies Access Tokens.
    pub api_key_secret: String,
}

/// A phone number "bought" on an account and pointed at a voice URL.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NumberConfig {
    /// E.164.
    pub number: String,
    /// Defaults to the first account.
    #[serde(default)]
    pub account_sid: Option<String>,
    pub voice_url: String,
    #[serde(default = "post")]
    pub voice_method: String,
    #[serde(default)]
    pub status_callback: Option<String>,
    #[serde(default = "post")]
    pub status_callback_method: String,
    /// Which status changes the number reports (`initiated ringing answered completed`); a
    /// number on Twilio reports only `completed`.
    #[serde(default = "completed_only")]
    pub status_callback_events: Vec<String>,
}

/// How a simulated outside phone (a `<Number>` or an outbound call's `To`) behaves.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PhoneBehaviour {
    /// Answers after this many real milliseconds; never answers when absent.
    #[serde(default)]
    pub answer_after_ms: Option<u64>,
    /// Once answered, hangs up after this many real milliseconds; stays on the line when absent.
    #[serde(default)]
    pub hangup_after_ms: Option<u64>,
    /// Answers busy at once.
    #[serde(default)]
    pub busy: bool,
}

/// Knobs for realism and speed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Options {
    /// Seeds SIDs, tokens, duplicate and reorder decisions: the same seed and the same inputs give
    /// the same run. Without one, a seed is taken from the clock (and printed), so a restarted
    /// double never reuses the CallSids a long-lived worker has already seen.
    pub seed: Option<u64>,
    /// Probability that a status or recording callback is delivered twice (same idempotency token).
    pub duplicate_probability: f64,
    /// Probability that a status or recording callback is held back so later ones overtake it.
    pub reorder_probability: f64,
    /// How long a held-back callback waits (real milliseconds).
    pub reorder_delay_ms: u64,
    /// Multiplies simulated waits (`<Pause>`, `<Dial timeout>`, `<Gather timeout>`, `<Record>`):
    /// 0.1 makes a 15 s ring take 1.5 s. Durations reported to the worker are simulated seconds.
    pub time_scale: f64,
    /// Per webhook request (Twilio's default read timeout is 15 s).
    pub webhook_timeout_ms: u64,
    /// Retries of a webhook that could not be delivered at all (Twilio's default `rc` is 1).
    pub webhook_retries: u32,
    /// Simulated seconds a `<Record>` records.
    pub record_seconds: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: None,
            duplicate_probability: 0.0,
            reorder_probability: 0.0,
            reorder_delay_ms: 300,
            time_scale: 1.0,
            webhook_timeout_ms: 15_000,
            webhook_retries: 1,
            record_seconds: 3,
        }
    }
}

/// Everything the double needs to play Twilio.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The double's own origin as the worker reaches it (recording URLs point here). Defaults to
    /// `http://<listen>`.
    #[serde(default)]
    pub public_url: Option<String>,
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub numbers: Vec<NumberConfig>,
    /// Outside phones by E.164; any other number rings without answer.
    #[serde(default)]
    pub phones: BTreeMap<String, PhoneBehaviour>,
    #[serde(default)]
    pub options: Options,
}

fn post() -> String {
    "POST".to_owned()
}

fn completed_only() -> Vec<String> {
    vec!["completed".to_owned()]
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8789";

fn default_listen() -> String {
    DEFAULT_LISTEN.to_owned()
}

/// The demo tenant of `worker/seed/demo.sql`.
pub const DEMO_TENANT: &str = "demo";
pub const DEMO_ACCOUNT_SID: &str = "AC00000000000000000000000000000d30";
pub const DEMO_API_KEY_SID: &str = "SK00000000000000000000000000000d30";
pub const DEMO_MAIN_NUMBER: &str = "+815012345678";
pub const DEMO_LEGACY_NUMBER: &str = "+81312345678";
/// The demo line with the Japanese IVR menu (請求は1、予約は2).
pub const DEMO_IVR_NUMBER: &str = "+815012345679";

impl Config {
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: Config = serde_json::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.accounts.is_empty() {
            return Err(ConfigError::NoAccount);
        }
        for (index, number) in self.numbers.iter().enumerate() {
            if let Some(sid) = &number.account_sid
                && self.account(sid).is_none()
            {
                return Err(ConfigError::UnknownAccount { index });
            }
        }
        Ok(())
    }

    /// The demo tenant's account and its numbers (main, legacy, the IVR line), pointed at `worker` (an origin such as
    /// `http://127.0.0.1:8787`), with secrets read from a `.dev.vars` text.
    pub fn demo(worker: &str, dev_vars: &str) -> Result<Self, ConfigError> {
        let vars = parse_dev_vars(dev_vars);
        let auth_token = vars
            .get("TENANT_DEMO_TWILIO_AUTH_TOKEN")
            .ok_or(ConfigError::MissingVar("TENANT_DEMO_TWILIO_AUTH_TOKEN"))?;
        let api_key_secret = vars
            .get("TENANT_DEMO_TWILIO_API_KEY_SECRET")
            .ok_or(ConfigError::MissingVar("TENANT_DEMO_TWILIO_API_KEY_SECRET"))?;
        let worker = worker.trim_end_matches('/');
        let hook = |name: &str| format!("{worker}/twilio/voice/{DEMO_TENANT}/{name}");
        let number = |e164: &str| NumberConfig {
            number: e164.to_owned(),
            account_sid: None,
            voice_url: hook("incoming"),
            voice_method: post(),
            status_callback: Some(hook("status")),
            status_callback_method: post(),
            status_callback_events: completed_only(),
        };
        Ok(Self {
            listen: default_listen(),
            public_url: None,
            accounts: vec![Account {
                account_sid: DEMO_ACCOUNT_SID.to_owned(),
                auth_token: auth_token.clone(),
                api_key_sid: DEMO_API_KEY_SID.to_owned(),
                api_key_secret: api_key_secret.clone(),
            }],
            numbers: vec![
                number(DEMO_MAIN_NUMBER),
                number(DEMO_LEGACY_NUMBER),
                number(DEMO_IVR_NUMBER),
            ],
            phones: BTreeMap::new(),
            options: Options::default(),
        })
    }

    pub fn account(&self, account_sid: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.account_sid == account_sid)
    }

    pub fn number(&self, e164: &str) -> Option<&NumberConfig> {
        self.numbers.iter().find(|n| n.number == e164)
    }

    /// The account that owns `number` (the first account unless it names one).
    pub fn account_of(&self, number: &NumberConfig) -> Option<&Account> {
        match &number.account_sid {
            Some(sid) => self.account(sid),
            None => self.accounts.first(),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// `NAME="value"` lines of a `.dev.vars` file; comments and blank lines are skipped.
pub fn parse_dev_vars(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (name, value) = line.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Some((name.trim().to_owned(), value.to_owned()))
        })
        .collect()
}
