//! The command line grammar (clap), kept apart from what the commands do.

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "tsunagu",
    version,
    about = "Tsunagu operator tools: Twilio webhook signatures, Access Tokens, CRM embed tokens and the admin API.",
    after_help = "Exit codes: 0 success or valid, 1 invalid, 2 unusable input."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Sign or verify a Twilio webhook request (X-Twilio-Signature).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Mint or decode a Twilio Access Token for the Voice SDK.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Mint or verify a CRM embed token, as a CRM backend signs it for its agent.
    #[command(subcommand)]
    Embed(EmbedCommand),
    /// Administer tenants over the worker's API: create a tenant, import customers, API keys,
    /// secrets, webhook failures.
    Admin(crate::admin_args::AdminArgs),
}

const WEBHOOK_INPUT: &str = "\
Reads one JSON object on stdin:
  {\"auth_token\": \"...\", \"url\": \"https://...\",
   \"params\": {\"Name\": \"value\", \"Repeated\": [\"v1\", \"v2\"]},
   \"body\": \"raw body, only for requests signed with bodySHA256 (no params then)\",
   \"signature\": \"X-Twilio-Signature value (verify only)\"}";

#[derive(Subcommand)]
pub(crate) enum WebhookCommand {
    /// Print the X-Twilio-Signature Twilio would send for a request.
    #[command(after_help = WEBHOOK_INPUT)]
    Sign,
    /// Print `valid` (exit 0) or `invalid` (exit 1); explain on stderr.
    #[command(after_help = WEBHOOK_INPUT)]
    Verify,
}

#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Print a signed Access Token with a Voice grant.
    Mint(Box<TokenMintArgs>),
    /// Print a token's header and claims as JSON, without verifying the signature.
    Decode {
        /// The token (any compact JWT).
        jwt: String,
    },
}

#[derive(Args)]
pub(crate) struct TokenMintArgs {
    /// Account SID (AC…), the token's subject.
    #[arg(long, value_name = "AC…")]
    pub(crate) account_sid: String,
    /// API key SID (SK…), the token's issuer.
    #[arg(long, value_name = "SK…")]
    pub(crate) api_key: String,
    /// Name of the environment variable that holds the API key secret.
    #[arg(long, value_name = "VAR")]
    pub(crate) api_secret_env: String,
    /// Client identity: 1 to 121 ASCII letters, digits or underscores.
    #[arg(long, value_name = "ID")]
    pub(crate) identity: String,
    /// Lifetime in seconds (1 to 86400).
    #[arg(long, value_name = "S", default_value_t = 3600)]
    pub(crate) ttl: u64,
    /// Issue time in unix seconds [default: now].
    #[arg(long, value_name = "UNIX")]
    pub(crate) now: Option<u64>,
    /// TwiML App SID (AP…) for outgoing calls.
    #[arg(long, value_name = "AP…")]
    pub(crate) outgoing_app: Option<String>,
    /// Parameter passed to the TwiML App on outgoing calls (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "outgoing_app")]
    pub(crate) params: Vec<String>,
    /// Allow incoming calls to client:<identity>.
    #[arg(long)]
    pub(crate) incoming: bool,
    /// Push credential SID (CR…) for mobile SDKs.
    #[arg(long, value_name = "CR…")]
    pub(crate) push_credential: Option<String>,
    /// Home region, written as the `twr` header (e.g. au1); the API key must be from there.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Not-before time in unix seconds (omitted unless given).
    #[arg(long, value_name = "UNIX")]
    pub(crate) nbf: Option<u64>,
}

#[derive(Subcommand)]
pub(crate) enum EmbedCommand {
    /// Print an embed token signed with the tenant's embed secret.
    Mint(EmbedMintArgs),
    /// Check an embed token as the worker would; print its claims (exit 0) or why not (exit 1).
    Verify(EmbedVerifyArgs),
}

#[derive(Args)]
pub(crate) struct EmbedMintArgs {
    /// Tenant id (`iss`).
    #[arg(long, value_name = "T")]
    pub(crate) tenant: String,
    /// Agent id (`sub`).
    #[arg(long, value_name = "A")]
    pub(crate) agent: String,
    /// Display name (1 to 100 characters).
    #[arg(long, value_name = "N")]
    pub(crate) name: String,
    /// Team id.
    #[arg(long, value_name = "T")]
    pub(crate) team: Option<String>,
    /// Comma-separated roles: agent, supervisor, admin.
    #[arg(
        long,
        value_name = "ROLES",
        value_delimiter = ',',
        default_value = "agent"
    )]
    pub(crate) roles: Vec<String>,
    /// Lifetime in seconds (at most 600).
    #[arg(long, value_name = "S", default_value_t = 300)]
    pub(crate) ttl: u64,
    /// Name of the environment variable that holds the tenant's embed secret (32+ bytes).
    #[arg(long, value_name = "VAR")]
    pub(crate) secret_env: String,
    /// Issue time in unix seconds [default: now].
    #[arg(long, value_name = "UNIX")]
    pub(crate) now: Option<u64>,
    /// Token id (`jti`; each token opens one session only) [default: 16 random bytes in hex].
    #[arg(long, value_name = "ID")]
    pub(crate) jti: Option<String>,
}

#[derive(Args)]
pub(crate) struct EmbedVerifyArgs {
    /// The embed token.
    pub(crate) token: String,
    /// Name of the environment variable that holds the tenant's embed secret.
    #[arg(long, value_name = "VAR")]
    pub(crate) secret_env: String,
    /// Verification time in unix seconds [default: now].
    #[arg(long, value_name = "UNIX")]
    pub(crate) now: Option<u64>,
}
