//! The grammar of `tsunagu admin …`: the admin API from the command line, one subcommand per operator task.

use std::path::PathBuf;

use clap::{Args, Subcommand};

const ADMIN_HELP: &str = "\
Every command calls the worker's API at --url (or TSUNAGU_URL) and prints its JSON reply on
stdout. Keys are read from environment variables, never from the command line:
  TSUNAGU_OPERATOR_KEY  the platform operator's key (the worker's OPERATOR_KEY), for `tenant create`
  TSUNAGU_API_KEY       a tenant admin API key (tsk_…), for everything else
Exit codes: 0 done, 1 the API refused (its reasons on stderr, in Japanese and English), 2 unusable
input or the API could not be reached.";

#[derive(Args)]
#[command(after_help = ADMIN_HELP)]
pub(crate) struct AdminArgs {
    /// The worker's base URL.
    #[arg(
        long,
        env = "TSUNAGU_URL",
        hide_env_values = true,
        default_value = "http://127.0.0.1:8787",
        global = true
    )]
    pub(crate) url: String,
    #[command(subcommand)]
    pub(crate) command: AdminCommand,
}

#[derive(Subcommand)]
pub(crate) enum AdminCommand {
    /// Create a tenant (the platform operator).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Import customers from a CSV file (UTF-8 or Shift_JIS), or check it first.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Create an API key for a machine (the key is printed once).
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Set or rotate a tenant secret (the previous value stays valid for the grace period).
    #[command(subcommand)]
    Secret(SecretCommand),
    /// The CRM webhooks' failures.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

#[derive(Subcommand)]
pub(crate) enum TenantCommand {
    /// Create a tenant with its embed secret and its first admin API key; both are printed once.
    Create(TenantCreateArgs),
}

#[derive(Args)]
pub(crate) struct TenantCreateArgs {
    /// Tenant id: lowercase letters, digits and '-' (1 to 63).
    #[arg(long, value_name = "ID")]
    pub(crate) id: String,
    /// The tenant's name in Japanese.
    #[arg(long, value_name = "NAME")]
    pub(crate) name_ja: String,
    /// The tenant's name in English.
    #[arg(long, value_name = "NAME")]
    pub(crate) name_en: String,
    /// A CRM origin allowed to embed the widget (repeatable), e.g. https://crm.example.jp.
    #[arg(long = "origin", value_name = "ORIGIN", required = true)]
    pub(crate) origins: Vec<String>,
    /// Environment variable holding the operator key.
    #[arg(long, value_name = "VAR", default_value = "TSUNAGU_OPERATOR_KEY")]
    pub(crate) operator_key_env: String,
    /// The tenant's Twilio account SID (AC…); its auth token goes through `secret set`.
    #[arg(long, value_name = "AC…")]
    pub(crate) twilio_account_sid: Option<String>,
    /// The tenant's Twilio API key SID (SK…); its secret goes through `secret set`.
    #[arg(long, value_name = "SK…")]
    pub(crate) twilio_api_key_sid: Option<String>,
    /// The tenant's TwiML App SID (AP…), for agents' outgoing calls.
    #[arg(long, value_name = "AP…")]
    pub(crate) twilio_twiml_app_sid: Option<String>,
}

/// The tenant admin's key, for every command but `tenant create`.
#[derive(Args)]
pub(crate) struct KeyArg {
    /// Environment variable holding the tenant's admin API key.
    #[arg(long, value_name = "VAR", default_value = "TSUNAGU_API_KEY")]
    pub(crate) key_env: String,
}

#[derive(Subcommand)]
pub(crate) enum CustomersCommand {
    /// Import a CSV file, all or nothing (`--dry-run` only lists the bad rows).
    Import(CustomersImportArgs),
}

#[derive(Args)]
pub(crate) struct CustomersImportArgs {
    /// The CSV file (header: id, name, company, phone, owner, …; see README "Customer CSV").
    #[arg(long, value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// utf-8 or shift_jis [default: detected].
    #[arg(long, value_name = "CHARSET")]
    pub(crate) charset: Option<String>,
    /// Check only: report every bad row, import nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) key: KeyArg,
}

#[derive(Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Create a key; its secret is printed once.
    Create(ApiKeyCreateArgs),
}

#[derive(Args)]
pub(crate) struct ApiKeyCreateArgs {
    /// What the key is for (shown in the key list).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: String,
    /// A scope (repeatable): conversations:read, directory:read, directory:write, calls:write, admin.
    #[arg(long = "scope", value_name = "SCOPE", required = true)]
    pub(crate) scopes: Vec<String>,
    #[command(flatten)]
    pub(crate) key: KeyArg,
}

#[derive(Subcommand)]
pub(crate) enum SecretCommand {
    /// Store a secret sealed in D1; setting it again rotates it.
    Set(SecretSetArgs),
}

#[derive(Args)]
pub(crate) struct SecretSetArgs {
    /// embed_secret, twilio_auth_token, twilio_api_key_secret or turnstile_secret.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: String,
    /// Environment variable holding the new value.
    #[arg(long, value_name = "VAR")]
    pub(crate) value_env: String,
    #[command(flatten)]
    pub(crate) key: KeyArg,
}

#[derive(Subcommand)]
pub(crate) enum WebhooksCommand {
    /// List the deliveries that gave up (dead letters) across every subscription.
    Failures(KeyArg),
}
