//! How a command ends when it does not succeed, and the inputs every command shares.

use std::time::{SystemTime, UNIX_EPOCH};

/// A command that did not succeed. Exit code 1 for a negative answer, 2 for unusable input.
pub(crate) enum Outcome {
    /// A check ran and said no; the command has already explained why on stderr.
    Invalid,
    /// The input could not be used. The message never quotes a secret.
    InputError(String),
}

pub(crate) fn input_error(message: impl Into<String>) -> Outcome {
    Outcome::InputError(message.into())
}

/// Reads a secret from the environment variable `name` (never from the command line, where it
/// would end up in shell history and `ps`).
pub(crate) fn secret_from_env(name: &str) -> Result<String, Outcome> {
    match std::env::var(name) {
        Ok(secret) if !secret.is_empty() => Ok(secret),
        Ok(_) => Err(input_error(format!("environment variable {name} is empty"))),
        Err(std::env::VarError::NotPresent) => Err(input_error(format!(
            "environment variable {name} is not set; export the secret in it first"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(input_error(format!(
            "environment variable {name} is not valid UTF-8"
        ))),
    }
}

/// `--now` if given, else the system clock, in unix seconds.
pub(crate) fn now_or_clock(now: Option<u64>) -> u64 {
    now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    })
}
