//! The admin API's resources, typed and validated: what a tenant's admin (or a CRM backend with an
//! API key) may write, and why a write is refused.
//!
//! Every resource arrives as JSON and is read field by field ([`fields::Fields`]), so one request
//! gets every problem at once as [`FieldError`]s: a field path, a stable code, and a fixed message in
//! Japanese and English that never quotes the input. A validated value serialises back to the
//! JSON it was read from (the tests check the round trip). [`api_key`] mints, parses and hashes the
//! API keys that machines sign in with; [`secrets`] checks a tenant secret's new value;
//! [`customer_csv`] imports and exports customers as CSV. Nothing here does I/O: the worker
//! decodes, validates here, stores, and replies.

pub mod api_key;
pub mod calling;
pub mod customer_csv;
pub mod directory;
mod error;
mod fields;
pub mod ivr;
pub mod lines;
pub mod queues;
pub mod routing;
pub mod secrets;
pub mod settings;
pub mod tenant;
pub mod web_calls;
pub mod webhooks;

pub use api_key::{ApiKeyInput, ApiKeyToken};
pub use calling::{CallingSettings, DialSettings, SignInStatus};
pub use directory::{Agent, AgentInput, Capacity, Customer, CustomerInput, CustomerSearch, Team};
pub use error::{ErrorCode, FieldError, Invalid, Message};
pub use ivr::ivr_menu;
pub use lines::{LineKind, PhoneLine};
pub use queues::{QueueInput, Rule, RuleUse};
pub use routing::RoutingSettings;
pub use secrets::{SecretValue, secret_name, secret_value};
pub use settings::{TenantSettings, VoiceEdge};
pub use tenant::{NewTenant, TwilioSids};
pub use web_calls::WebCallSettings;
pub use webhooks::WebhookInput;

#[cfg(test)]
mod tests;
